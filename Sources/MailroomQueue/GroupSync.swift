// GroupSync — lets concurrent sessions share one fsync of a directory ("group commit"). A
// caller that has just renamed its message into the directory asks for a sync; if a sync is
// already running it may have started before that rename, so the caller waits for the next one,
// which covers every rename made before it started. With 20 sessions committing at once this
// turns 20 directory fsyncs into two or three, which is where most of the time of a durable
// queue write goes (see scripts/bench/smtp when it exists, and docs/design.md).
// A failed fsync fails every caller it was meant to cover; the next caller starts a new one.
// Public because the queue runner shares the fsyncs of Maildir new/ directories the same way
// (MailroomDelivery's MaildirDeposit).
// Two kinds: `.directory` fsyncs the directory (its entries: a rename is durable);
// `.fileSystem` calls syncfs(2) on it, which writes back every dirty file and directory of that
// file system and commits the journal — one call makes a whole batch of unsynced files and
// renames durable (queue.sync_method = "filesystem"). Linux ≥ 5.8 reports write-back errors
// from syncfs, which this relies on.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

public final class GroupSync: @unchecked Sendable {
    /// Recent rounds kept to tell each waiter how its round went.
    static let keptRounds = 256

    public enum Kind: Sendable {
        /// fsync(2) of the directory.
        case directory
        /// syncfs(2) of the file system the path is on.
        case fileSystem
    }

    /// The directory opened for the sync. For `.fileSystem` any directory on that file system
    /// does, so each caller's own directory replaces it (a registered one may be removed later).
    private var path: String
    private let kind: Kind
    private let condition = NSCondition()
    private var requested: UInt64 = 0
    private var completed: UInt64 = 0
    private var running = false
    /// Finished rounds, oldest first: each covered every ticket up to its target.
    private var rounds: [(target: UInt64, error: QueueError?)] = []
    private var count = 0

    public init(path: String, kind: Kind = .directory) {
        self.path = path
        self.kind = kind
    }

    /// How many fsync calls were made (for tests and benchmarks).
    public var syncCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// Returns once a directory fsync that started after this call has completed.
    public func sync(via directory: String? = nil) throws(QueueError) {
        condition.lock()
        if kind == .fileSystem, let directory { path = directory }
        requested += 1
        let ticket = requested
        while completed < ticket {
            if running {
                condition.wait()
                continue
            }
            // Every ticket handed out so far belongs to a rename that is already done.
            running = true
            let target = requested
            let path = self.path
            condition.unlock()
            let error = kind == .directory ? Self.fsyncDirectory(path) : Self.syncFileSystem(path)
            condition.lock()
            count += 1
            rounds.append((target, error))
            if rounds.count > Self.keptRounds { rounds.removeFirst(rounds.count - Self.keptRounds) }
            completed = target
            running = false
            condition.broadcast()
        }
        // The round that covered this ticket is the first whose target reaches it.
        let round = rounds.first { $0.target >= ticket }
        condition.unlock()
        guard let round else { throw .io("directory sync of \(path): result no longer known") }
        if let error = round.error { throw error }
    }

    /// No sync is running or waited for (a registry may drop it).
    public var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !running && completed == requested
    }

    /// The process-wide file-system sync of the file system holding `path` (one per device),
    /// so that the spool's commits and the queue runner's deliveries on the same disk share
    /// their syncfs calls.
    public static func fileSystem(containing path: String) throws(QueueError) -> GroupSync {
        var st = stat()
        guard stat(path, &st) == 0 else { throw QueueError.from(errno, "stat \(path)") }
        let device = UInt64(st.st_dev)
        registryLock.lock()
        defer { registryLock.unlock() }
        if let sync = registry[device] { return sync }
        let sync = GroupSync(path: path, kind: .fileSystem)
        registry[device] = sync
        return sync
    }

    private static let registryLock = NSLock()
    nonisolated(unsafe) private static var registry: [UInt64: GroupSync] = [:]

    /// syncfs(2) of the file system holding `path`.
    public static func syncFileSystem(_ path: String) -> QueueError? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        guard systemSyncfs(fd) == 0 else { return QueueError.from(errno, "syncfs \(path)") }
        return nil
    }

    public static func fsyncDirectory(_ path: String) -> QueueError? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { return QueueError.from(errno, "fsync \(path)") }
        return nil
    }
}

/// glibc's syncfs(2): declared only under _GNU_SOURCE, so Swift's Glibc module does not show it.
@_silgen_name("syncfs")
private func systemSyncfs(_ fd: Int32) -> Int32
