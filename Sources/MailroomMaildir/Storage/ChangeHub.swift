// ChangeHub — tells sessions that a folder may have changed, whoever changed it: this process
// (notified directly after each change) or another one, such as a delivery agent, another
// Mailroom process or Dovecot (seen through Linux inotify on the folder's new/ and cur/).
// IMAP IDLE uses it to push new mail within a second of delivery.
//
// One inotify descriptor and one reader thread serve the whole process; a folder is watched
// while at least one observer is registered. If inotify is unavailable or its watch limit
// (/proc/sys/fs/inotify/max_user_watches) is reached, that folder is polled instead: its
// directory stamps are compared every `pollInterval` (1 s).

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOConcurrencyHelpers

final class ChangeHub: @unchecked Sendable {
    static let shared = ChangeHub()
    /// How often folders without an inotify watch are checked.
    static let pollIntervalMicroseconds: UInt32 = 1_000_000

    private struct Folder {
        var handlers: [Int: @Sendable () -> Void] = [:]
        var watches: [Int32] = []
        var polledStamps: [FileStamp]? = nil
    }

    private let lock = NIOLock()
    private var folders: [String: Folder] = [:]
    private var watchToFolder: [Int32: String] = [:]
    private var nextID = 0
    private var inotifyFD: Int32 = -1
    private var readerStarted = false
    private var pollerStarted = false

    final class Observation: ChangeObservation, @unchecked Sendable {
        private let hub: ChangeHub
        private let directory: String
        private let id: Int
        private let cancelled = NIOLockedValueBox(false)

        init(hub: ChangeHub, directory: String, id: Int) {
            self.hub = hub
            self.directory = directory
            self.id = id
        }

        func cancel() {
            let first = cancelled.withLockedValue { was -> Bool in
                defer { was = true }
                return !was
            }
            if first { hub.remove(directory: directory, id: id) }
        }

        deinit { cancel() }
    }

    func observe(directory: String, handler: @escaping @Sendable () -> Void) -> Observation {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        let id = nextID
        var folder = folders[directory] ?? Folder()
        if folder.handlers.isEmpty { addWatches(directory: directory, folder: &folder) }
        folder.handlers[id] = handler
        folders[directory] = folder
        return Observation(hub: self, directory: directory, id: id)
    }

    /// Called by this process after it changed a folder.
    func notify(directory: String) {
        let handlers = lock.withLock { folders[directory].map { Array($0.handlers.values) } ?? [] }
        for handler in handlers { handler() }
    }

    private func remove(directory: String, id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard var folder = folders[directory] else { return }
        folder.handlers[id] = nil
        if folder.handlers.isEmpty {
            for wd in folder.watches {
                inotify_rm_watch(inotifyFD, wd)
                watchToFolder[wd] = nil
            }
            folders[directory] = nil
        } else {
            folders[directory] = folder
        }
    }

    /// Must be called with `lock` held.
    private func addWatches(directory: String, folder: inout Folder) {
        if inotifyFD < 0 { inotifyFD = inotify_init1(Int32(IN_CLOEXEC)) }
        var ok = inotifyFD >= 0
        if ok {
            let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB)
            for sub in ["new", "cur"] {
                let wd = inotify_add_watch(inotifyFD, "\(directory)/\(sub)", mask)
                if wd < 0 {
                    ok = false
                    break
                }
                folder.watches.append(wd)
                watchToFolder[wd] = directory
            }
        }
        if ok {
            if !readerStarted {
                readerStarted = true
                let fd = inotifyFD
                Thread.detachNewThread { [self] in self.readEvents(fd: fd) }
            }
        } else {
            folder.polledStamps = stamps(directory)
            if !pollerStarted {
                pollerStarted = true
                Thread.detachNewThread { [self] in self.poll() }
            }
        }
    }

    private func readEvents(fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            var changed = Set<String>()
            var offset = 0
            lock.withLock {
                while offset + 16 <= n {
                    let wd = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                    let length = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) }
                    if let directory = watchToFolder[wd] { changed.insert(directory) }
                    offset += 16 + Int(length)
                }
            }
            for directory in changed { notify(directory: directory) }
        }
    }

    private func stamps(_ directory: String) -> [FileStamp] {
        ["new", "cur"].map { (try? FileSystem.stamp("\(directory)/\($0)")) ?? .absent }
    }

    private func poll() {
        while true {
            usleep(Self.pollIntervalMicroseconds)
            let polled = lock.withLock { folders.filter { $0.value.polledStamps != nil }.map(\.key) }
            for directory in polled {
                let now = stamps(directory)
                let changed = lock.withLock { () -> Bool in
                    guard var folder = folders[directory], folder.polledStamps != now else { return false }
                    folder.polledStamps = now
                    folders[directory] = folder
                    return true
                }
                if changed { notify(directory: directory) }
            }
        }
    }
}
