// Locks — the two locks a Maildir folder uses.
//
// `DotLock` is Dovecot's lock on `dovecot-uidlist` (and `dovecot-keywords`): the file
// `<name>.lock` created with O_EXCL. The holder writes the new content into the lock file and
// renames it over the original, which both publishes the content and releases the lock
// (Dovecot's file_dotlock_replace). A lock file whose mtime is older than the stale timeout
// (Dovecot: 120 s, MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT) is taken to be left by a crashed
// process and removed. Holding it keeps Dovecot (dovecot-lda, imap) and Mailroom from giving
// two messages one UID.
//
// `FolderFileLock` is Mailroom's own exclusive flock(2) on `<folder>/mailroom-index.lock`. It
// serializes Mailroom processes working on one folder (sync, index write, MODSEQ assignment)
// and, unlike a dot lock, is released by the kernel when a process dies, so `kill -9` never
// leaves it behind. `MaildropLock` is the same kind of lock on `mailroom-pop3.lock`, taken
// without waiting and held for a whole POP3 session.
//
// Configuration: storage.uidlist_lock_stale_seconds (MaildirOptions.uidListLockStaleSeconds).

#if canImport(Glibc)
import Glibc
#endif
import MailroomCore
import NIOConcurrencyHelpers

final class DotLock {
    let target: String
    let lockPath: String
    private var fd: Int32 = -1
    private var held = false

    /// Takes the lock, waiting up to `staleSeconds + 2` seconds (Dovecot's timeout) and removing
    /// a lock file that has not changed for `staleSeconds`.
    init(for target: String, staleSeconds: Int) throws(StorageError) {
        self.target = target
        self.lockPath = target + ".lock"
        let deadline = FileSystem.nowNanoseconds() + Int64(staleSeconds + 2) * 1_000_000_000
        var pause: UInt32 = 200   // µs, doubling to 20 ms
        while true {
            let fd = open(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                self.fd = fd
                self.held = true
                CrashPoints.reach("uidlist.locked")
                return
            }
            let code = errno
            guard code == EEXIST else {
                throw code == ENOSPC || code == EDQUOT
                    ? .noSpace("create \(lockPath): \(String(cString: strerror(code)))")
                    : .io("create \(lockPath): \(String(cString: strerror(code)))")
            }
            let now = FileSystem.nowNanoseconds()
            if let stamp = try? FileSystem.stamp(lockPath), stamp != .absent,
               now - stamp.mtimeNanoseconds > Int64(staleSeconds) * 1_000_000_000 {
                // Stale: remove it only if it is still the same file we judged.
                if let again = try? FileSystem.stamp(lockPath), again == stamp { unlink(lockPath) }
                continue
            }
            if now > deadline { throw .lockTimeout("\(lockPath) held for over \(staleSeconds + 2) s") }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Writes `content` into the lock file, fsyncs it, renames it over the target (releasing the
    /// lock) and fsyncs the directory.
    /// Returns the stamp of the file it wrote, taken from the descriptor, so a caller can tell
    /// its own version from a later one.
    @discardableResult
    func replace(with content: [UInt8]) throws(StorageError) -> FileStamp {
        precondition(held, "DotLock used after release")
        held = false
        var written = FileStamp.absent
        do throws(FileSystemError) {
            try FileSystem.writeAll(fd, content, path: lockPath)
            guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync", path: lockPath, code: errno) }
            CrashPoints.reach("uidlist.written")
            var st = stat()
            _ = fstat(fd, &st)
            written = FileStamp(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                                mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
            close(fd)
            guard rename(lockPath, target) == 0 else {
                throw FileSystemError(operation: "rename", path: target, code: errno)
            }
            CrashPoints.reach("uidlist.replaced")
            try FileSystem.syncDirectory(FileSystem.parent(of: target))
            return written
        } catch {
            close(fd)
            unlink(lockPath)
            throw error.isNoSpace ? .noSpace(error.description) : .io(error.description)
        }
    }

    /// Appends `content` to the target itself (Dovecot's way of adding UID records without
    /// rewriting the list), fdatasyncs it and releases the lock. A crash mid-append leaves a torn
    /// last line, which readers skip. Returns the target's stamp after the append.
    @discardableResult
    func append(_ content: [UInt8]) throws(StorageError) -> FileStamp {
        precondition(held, "DotLock used after release")
        defer { release() }
        do throws(FileSystemError) {
            let out = open(target, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
            guard out >= 0 else { throw FileSystemError(operation: "open", path: target, code: errno) }
            defer { close(out) }
            try FileSystem.writeAll(out, content, path: target)
            guard fdatasync(out) == 0 else { throw FileSystemError(operation: "fdatasync", path: target, code: errno) }
            CrashPoints.reach("uidlist.written")
            var st = stat()
            _ = fstat(out, &st)
            return FileStamp(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                             mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
        } catch {
            throw error.isNoSpace ? .noSpace(error.description) : .io(error.description)
        }
    }

    /// Releases the lock without changing the target.
    func release() {
        guard held else { return }
        held = false
        close(fd)
        unlink(lockPath)
    }

    deinit { release() }
}

/// An exclusive flock(2) on a file, released when the object goes or the process ends.
final class FolderFileLock {
    private let fd: Int32

    /// Waits for the lock.
    init(path: String) throws(StorageError) {
        // With waiting, `take` never reports the lock as busy.
        fd = try Self.take(path: path, wait: true) ?? -1
    }

    private init(fd: Int32) { self.fd = fd }

    /// The lock, or nil at once when another open file description holds it (another
    /// process, or another session of this one: each opens the file itself).
    static func attempt(path: String) throws(StorageError) -> FolderFileLock? {
        try take(path: path, wait: false).map { FolderFileLock(fd: $0) }
    }

    /// Opens `path` (creating it) and flocks it; nil when `wait` is false and it is held.
    private static func take(path: String, wait: Bool) throws(StorageError) -> Int32? {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .io("\(path): folder directory is missing") }
            throw code == ENOSPC || code == EDQUOT ? .noSpace("create \(path)") : .io("open \(path): \(String(cString: strerror(code)))")
        }
        while flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw .io("flock \(path): \(String(cString: strerror(code)))")
        }
        return fd
    }

    deinit {
        close(fd)   // closing releases the flock
    }
}

/// POP3's maildrop lock (RFC 1939 §8: the maildrop is locked from a successful login until
/// QUIT): an exclusive flock(2) on `mailroom-pop3.lock` in the Maildir, held for the whole
/// session. It is a file lock and not a registry in memory, so a second `mailroom serve` (or
/// any tool that takes the same lock) sees it too, and the kernel drops it when the process
/// dies, so a crash never leaves a maildrop locked. It is not the index lock
/// (`mailroom-index.lock`, held only for the moment of a sync): deliveries and IMAP sessions
/// go on while a POP3 session holds this one.
public final class MaildropLock: @unchecked Sendable {
    public static let fileName = "mailroom-pop3.lock"

    private let mutex = NIOLock()
    private var file: FolderFileLock?

    fileprivate init(_ file: FolderFileLock) { self.file = file }

    /// Releases the lock (again: nothing happens).
    public func release() {
        mutex.withLock { file = nil }
    }
}

extension MaildirStorage {
    /// Takes the POP3 maildrop lock of this Maildir; nil when another session holds it.
    public func lockMaildrop() throws(StorageError) -> MaildropLock? {
        try FolderFileLock.attempt(path: "\(root)/\(MaildropLock.fileName)").map(MaildropLock.init)
    }
}
