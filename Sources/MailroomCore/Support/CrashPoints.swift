// CrashPoints — named points in the delivery and UID-assignment sequences where the crash
// tests kill the process (SIGKILL, exactly what `kill -9` or a power cut does to the process
// state), to check that every crash point leaves a consistent store. Shared by the Maildir
// engine and the queue; the only thing in MailroomCore that touches the process, and only when
// a test asks for it.
//
// Active only when the environment variable MAILROOM_CRASH_AT names a point when the process
// starts; otherwise `reach` is one comparison against nil. Points: delivery.tmp-created,
// delivery.tmp-synced, delivery.renamed, uidlist.locked, uidlist.written, uidlist.replaced,
// sync.moved-new, append.renamed (Maildir); queue.synced, queue.renamed (spool commit);
// queue.maildir-tmp-synced, queue.maildir-renamed, queue.delivered, queue.recorded,
// queue.report-queued, queue.forward-queued (queue delivery, MailroomDelivery).
// uidlist.written and uidlist.replaced are also reached when records are appended to
// dovecot-uidlist instead of replacing it: after the append is synced, and after the lock is
// gone (the list published).

#if canImport(Glibc)
import Glibc
#endif

public enum CrashPoints {
    public static let armed: String? = {
        guard let value = getenv("MAILROOM_CRASH_AT") else { return nil }
        let name = String(cString: value)
        return name.isEmpty ? nil : name
    }()

    @inline(__always)
    public static func reach(_ point: StaticString) {
        guard let armed else { return }
        if armed == point.description { kill(getpid(), SIGKILL) }
    }
}
