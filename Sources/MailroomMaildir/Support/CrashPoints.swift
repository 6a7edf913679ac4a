// CrashPoints — named points in the delivery and UID-assignment sequences where the crash
// tests kill the process (SIGKILL, exactly what `kill -9` or a power cut does to the process
// state), to check that every crash point leaves a consistent store.
//
// Active only when the environment variable MAILROOM_CRASH_AT names a point when the process
// starts; otherwise `reach` is one comparison against nil. Points: delivery.tmp-created,
// delivery.tmp-synced, delivery.renamed, uidlist.locked, uidlist.written, uidlist.replaced,
// sync.moved-new, append.renamed.

#if canImport(Glibc)
import Glibc
#endif

enum CrashPoints {
    static let armed: String? = {
        guard let value = getenv("MAILROOM_CRASH_AT") else { return nil }
        let name = String(cString: value)
        return name.isEmpty ? nil : name
    }()

    @inline(__always)
    static func reach(_ point: StaticString) {
        guard let armed else { return }
        if armed == point.description { kill(getpid(), SIGKILL) }
    }
}
