// DirectorySyncs — one GroupSync (MailroomQueue) per Maildir new/ directory, so deliveries
// that rename into the same directory at the same time share its fsync: a caller waits for a
// sync that started after its own rename. The set is bounded: past `maximumEntries`, idle
// entries are dropped (an entry only matters while deliveries to that directory overlap).
// With queue.sync_method = "filesystem" the same sharing is done per file system (syncfs(2),
// keyed by device), so one call covers every delivery of a batch, whatever its mailbox.
// Also the few file-system questions delivery asks.

#if canImport(Glibc)
import Glibc
#endif
import MailroomQueue
import NIOConcurrencyHelpers

final class DirectorySyncs: Sendable {
    static let maximumEntries = 1024

    /// Directory syncs by path; the process-wide file-system syncs this runner used, by identity.
    private let entries = NIOLockedValueBox<(map: [String: GroupSync], droppedSyncs: Int,
                                             fileSystems: [ObjectIdentifier: GroupSync])>(([:], 0, [:]))

    /// Returns once a fsync of `directory` that started after this call has completed.
    func sync(_ directory: String) throws(QueueError) {
        let group = entries.withLockedValue { state -> GroupSync in
            if let group = state.map[directory] { return group }
            if state.map.count >= Self.maximumEntries {
                for (key, group) in state.map where group.isIdle {
                    state.droppedSyncs += group.syncCount
                    state.map[key] = nil
                }
            }
            let group = GroupSync(path: directory)
            state.map[directory] = group
            return group
        }
        try group.sync()
    }

    /// Returns once a syncfs of the file system holding `directory`, started after this call,
    /// has completed.
    func syncFileSystem(of directory: String) throws(QueueError) {
        let group = try GroupSync.fileSystem(containing: directory)
        entries.withLockedValue { state in
            state.fileSystems[ObjectIdentifier(group)] = group
        }
        try group.sync(via: directory)
    }

    /// fsync calls made so far over every directory (tests and benchmarks).
    var syncCount: Int {
        entries.withLockedValue { state in
            state.map.values.reduce(state.droppedSyncs) { $0 + $1.syncCount }
                + state.fileSystems.values.reduce(0) { $0 + $1.syncCount }
        }
    }
}

enum FileChecks {
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
