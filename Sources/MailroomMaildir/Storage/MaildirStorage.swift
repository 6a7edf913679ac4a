// MaildirStorage — the MailStorage backend over one user's Maildir++ tree: INBOX is the
// Maildir root, every other folder a `.Name` directory beside cur/new/tmp (names in modified
// UTF-7, '.' between hierarchy levels), subscriptions in the `subscriptions` file, quota in
// `maildirsize`. Dovecot and Courier can serve the same tree (docs/storage-layout.md).
//
// Folder state lives in `MaildirFolder` objects shared by every session of this process (one
// per folder directory, kept in `FolderRegistry`), so two IMAP sessions on one folder share one
// index in memory, and each change is announced through `ChangeHub`.
// Deliveries (`deliver`) only write into new/ — the fastest durable path, no lock taken — and
// the next open gives them UIDs; IMAP APPEND, COPY and MOVE assign UIDs at once (UIDPLUS).
// Copies are hard links (one file, two names), as Dovecot makes them.
// Configuration: storage.* keys through MaildirOptions (see docs/configuration.md).

#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Settings of the Maildir engine; each maps to a `storage.*` configuration key.
public struct MaildirOptions: Sendable, Equatable {
    /// The host name in new unique file names (maildir(5)).
    public var hostName: String
    /// The user's quota (from the account store).
    public var quota: QuotaLimits
    /// storage.uidlist_lock_stale_seconds: a dovecot-uidlist.lock older than this is removed
    /// (Dovecot's MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT is 120 s).
    public var uidListLockStaleSeconds: Int
    /// storage.tmp_cleanup_hours: files in tmp/ older than this are deleted (maildir(5): 36 h).
    public var tmpCleanupAgeSeconds: Int64
    /// How often a folder's tmp/ is checked, at most (on open).
    public var tmpCleanupIntervalSeconds: Int64
    /// A directory's mtime is trusted to reflect every change once it is this old.
    public var settleWindowNanoseconds: Int64

    public static let defaultUIDListLockStaleSeconds = 120
    public static let defaultTmpCleanupAgeSeconds: Int64 = 36 * 3600
    public static let defaultTmpCleanupIntervalSeconds: Int64 = 3600
    public static let defaultSettleWindowNanoseconds: Int64 = 2_000_000_000

    public init(hostName: String, quota: QuotaLimits = .unlimited,
                uidListLockStaleSeconds: Int = defaultUIDListLockStaleSeconds,
                tmpCleanupAgeSeconds: Int64 = defaultTmpCleanupAgeSeconds,
                tmpCleanupIntervalSeconds: Int64 = defaultTmpCleanupIntervalSeconds,
                settleWindowNanoseconds: Int64 = defaultSettleWindowNanoseconds) {
        self.hostName = hostName
        self.quota = quota
        self.uidListLockStaleSeconds = uidListLockStaleSeconds
        self.tmpCleanupAgeSeconds = tmpCleanupAgeSeconds
        self.tmpCleanupIntervalSeconds = tmpCleanupIntervalSeconds
        self.settleWindowNanoseconds = settleWindowNanoseconds
    }

    /// This machine's host name, for unique file names.
    public static var localHostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}

/// The process-wide set of open folders, so sessions share one state per folder.
final class FolderRegistry: @unchecked Sendable {
    static let shared = FolderRegistry()
    /// How many folders' state is kept in memory; the least recently used is dropped (its
    /// index stays on disk).
    static let maximumFolders = 4096

    private let lock = NIOLock()
    private var folders: [String: (folder: MaildirFolder, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    func folder(_ directory: String, options: MaildirOptions) -> MaildirFolder {
        lock.withLock {
            clock += 1
            if let entry = folders[directory] {
                folders[directory] = (entry.folder, clock)
                return entry.folder
            }
            if folders.count >= Self.maximumFolders,
               let oldest = folders.min(by: { $0.value.used < $1.value.used })?.key {
                folders[oldest] = nil
            }
            let folder = MaildirFolder(directory: directory, options: options)
            folders[directory] = (folder, clock)
            return folder
        }
    }

    /// The folder's state if it is open already (no existence check, no new entry).
    func opened(_ directory: String) -> MaildirFolder? {
        lock.withLock { folders[directory]?.folder }
    }

    func forget(prefix directory: String) {
        lock.withLock {
            for key in folders.keys where key == directory || key.hasPrefix(directory + ".") || key.hasPrefix(directory + "/") {
                folders[key] = nil
            }
        }
    }
}

public final class MaildirStorage: MailStorage, @unchecked Sendable {
    public let root: String
    public let options: MaildirOptions
    private let registry: FolderRegistry

    public init(root: String, options: MaildirOptions) {
        self.root = root
        self.options = options
        self.registry = .shared
    }

    var quotaFile: MaildirQuota { MaildirQuota(root: root, limits: options.quota) }

    // MARK: Paths

    func directory(for path: FolderPath) throws(StorageError) -> String {
        try Self.folderDirectory(root: root, path: path)
    }

    /// The directory of folder `path` in the Maildir `root` (INBOX is the root itself, others
    /// Maildir++ `.Name` directories), whether it exists or not; for files kept beside a
    /// folder's messages (URLAUTH keys, METADATA).
    public static func folderDirectory(root: String, path: FolderPath) throws(StorageError) -> String {
        if path.isInbox { return root }
        do {
            return "\(root)/\(try MaildirFolderName.directoryName(for: path.components))"
        } catch {
            throw .invalidFolderName(error.description)
        }
    }

    /// The same for a folder that exists (has cur/); folderNotFound otherwise.
    public static func existingFolderDirectory(root: String, path: FolderPath) throws(StorageError) -> String {
        let dir = try folderDirectory(root: root, path: path)
        guard FileSystem.isDirectory("\(dir)/cur") else { throw .folderNotFound(path) }
        return dir
    }

    func folder(_ path: FolderPath) throws(StorageError) -> MaildirFolder {
        registry.folder(try Self.existingFolderDirectory(root: root, path: path), options: options)
    }

    /// The folder's state for a per-message read (FETCH and SEARCH call these once per message)
    /// when the folder is open already: without `folder(_:)`'s stat of cur/. A folder removed
    /// since is not looked at on its own: its messages' files are gone, so the read falls back
    /// to `folder(_:)`, which then reports the folder missing.
    private func openedFolder(_ path: FolderPath) -> MaildirFolder? {
        guard let dir = try? directory(for: path) else { return nil }
        return registry.opened(dir)
    }

    // MARK: Folders

    /// Folder directories that exist, and names on disk that could not be read.
    func existingFolders() -> (paths: [FolderPath], problems: [String]) {
        var paths: [FolderPath] = [.inbox]
        var problems: [String] = []
        for raw in FileSystem.listRaw(root) where MaildirFolderName.isMaildirPlusPlusFolder(directoryName: raw) {
            if raw.starts(with: [0x2E, 0x2E]) { continue }   // "..name": our (or Dovecot's) deletions in progress
            guard FileSystem.isDirectory(rawPath: Array(root.utf8) + [0x2F] + raw) else { continue }
            do {
                paths.append(FolderPath(try MaildirFolderName.components(fromDirectoryName: raw)))
            } catch {
                problems.append(error.description)
            }
        }
        return (paths.sorted(), problems)
    }

    public func listFolders() throws(StorageError) -> [FolderInfo] {
        guard FileSystem.isDirectory(root) else { throw .folderNotFound(.inbox) }
        let existing = existingFolders().paths
        let existingSet = Set(existing)
        var all = existingSet
        for path in existing {
            var parent = path.parent
            while let p = parent, !p.isInbox {
                all.insert(p)
                parent = p.parent
            }
        }
        let subscribed = Set(readSubscriptions())
        return all.sorted().map { path in
            FolderInfo(path: path, subscribed: path.isInbox || subscribed.contains(path), exists: existingSet.contains(path),
                       hasChildren: all.contains { path.isInbox ? false : path.isAncestor(of: $0) },
                       specialUse: Self.specialUse(path))
        }
    }

    static func specialUse(_ path: FolderPath) -> FolderInfo.SpecialUse? {
        guard path.components.count == 1 else { return nil }
        switch path.components[0] {
        case "Sent", "Sent Items", "Sent Messages": return .sent
        case "Drafts": return .drafts
        case "Junk", "Spam": return .junk
        case "Trash", "Deleted Items", "Deleted Messages": return .trash
        case "Archive": return .archive
        default: return nil
        }
    }

    public func createFolder(_ path: FolderPath) throws(StorageError) {
        if path.isInbox { throw .folderExists(path) }
        let dir = try directory(for: path)
        if FileSystem.exists(dir) { throw .folderExists(path) }
        try createFolderDirectory(dir)
    }

    private func createFolderDirectory(_ dir: String) throws(StorageError) {
        // Build it under a temporary name and rename it into place, so nobody sees a folder
        // without cur/new/tmp.
        let building = "\(FileSystem.parent(of: dir))/..building-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(FileSystemError) {
            try FileSystem.makeDirectory(building)
            for sub in ["cur", "new", "tmp"] { try FileSystem.makeDirectory("\(building)/\(sub)") }
        } catch {
            try? FileSystem.removeTree(building)
            throw MaildirFolder.map(error)
        }
        let fd = Glibc.open("\(building)/maildirfolder", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        guard rename(building, dir) == 0 else {
            let code = errno
            try? FileSystem.removeTree(building)
            if code == EEXIST || code == ENOTEMPTY { throw .io("\(dir) appeared meanwhile") }
            throw MaildirFolder.error(code, "rename into \(dir)")
        }
        try MaildirFolder.syncDirectory(root)
    }

    public func renameFolder(_ path: FolderPath, to newPath: FolderPath) throws(StorageError) {
        if newPath.isInbox { throw .folderExists(newPath) }
        let target = try directory(for: newPath)
        if FileSystem.exists(target) { throw .folderExists(newPath) }
        if path.isInbox {
            // RFC 3501 §6.3.5: move INBOX's messages into the new folder; INBOX stays, empty.
            try createFolder(newPath)
            let uids = try open(.inbox, claimRecent: false).messages.map(\.uid)
            if !uids.isEmpty { _ = try move(.inbox, uids: uids, to: newPath) }
            return
        }
        let source = try directory(for: path)
        guard FileSystem.isDirectory(source) else { throw .folderNotFound(path) }
        if path.isAncestor(of: newPath) { throw .invalidFolderName("cannot move \(path) into itself") }
        // The folder and its children: ".A" and ".A.*" become ".B" and ".B.*".
        let children = existingFolders().paths.filter { path.isAncestor(of: $0) }
        var moves: [(String, String)] = [(source, target)]
        for child in children {
            let to = FolderPath(newPath.components + child.components.dropFirst(path.components.count))
            let toDir = try directory(for: to)
            if FileSystem.exists(toDir) { throw .folderExists(to) }
            moves.append((try directory(for: child), toDir))
        }
        for (from, to) in moves {
            guard rename(from, to) == 0 else { throw MaildirFolder.error(errno, "rename \(from)") }
            registry.forget(prefix: from)
        }
        try MaildirFolder.syncDirectory(root)
        var subs = readSubscriptions()
        var changed = false
        for (i, sub) in subs.enumerated() where sub == path || path.isAncestor(of: sub) {
            subs[i] = FolderPath(newPath.components + sub.components.dropFirst(path.components.count))
            changed = true
        }
        if changed { try writeSubscriptions(subs) }
    }

    public func deleteFolder(_ path: FolderPath) throws(StorageError) {
        if path.isInbox { throw .cannotDeleteInbox }
        let dir = try directory(for: path)
        guard FileSystem.isDirectory(dir) else { throw .folderNotFound(path) }
        // Rename out of sight first (atomic for every reader), then remove. Children stay: in
        // Maildir++ they are separate directories (the deleted name remains as their parent).
        let trash = "\(root)/..deleted-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(dir, trash) == 0 else { throw MaildirFolder.error(errno, "rename \(dir)") }
        registry.forget(prefix: dir)
        ChangeHub.shared.notify(directory: dir)
        do throws(FileSystemError) { try FileSystem.removeTree(trash) } catch { throw MaildirFolder.map(error) }
        // The totals changed by a whole folder: recalculate at the next look.
        unlink(quotaFile.path)
    }

    /// dovecot-uidlist's `G` header field (MaildirFolder.mailboxGUID).
    public func mailboxGUID(_ path: FolderPath) throws(StorageError) -> String {
        try folder(path).mailboxGUID()
    }

    public func setSubscribed(_ path: FolderPath, _ subscribed: Bool) throws(StorageError) {
        _ = try directory(for: path)   // validates the name
        var subs = readSubscriptions()
        let has = subs.contains(path)
        if subscribed == has { return }
        if subscribed { subs.append(path) } else { subs.removeAll { $0 == path } }
        try writeSubscriptions(subs)
    }

    /// Dovecot reads both: version 1 (one name per line, modified UTF-7, '.' between levels),
    /// which we write, and version 2 ("V\t2" then names in UTF-8 with '\t' between levels).
    public func subscribedFolders() throws(StorageError) -> [FolderPath] { readSubscriptions() }

    func readSubscriptions() -> [FolderPath] {
        guard let bytes = try? FileSystem.read("\(root)/subscriptions") else { return [] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        var out: [FolderPath] = []
        if lines.first == "V\t2" {
            for line in lines.dropFirst() {
                let comps = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if comps.count == 1, MaildirFolderName.isInbox(comps[0]) { continue }
                out.append(FolderPath(comps))
            }
        } else {
            for line in lines {
                if MaildirFolderName.isInbox(String(line)) { continue }
                if let comps = try? MaildirFolderName.components(fromDirectoryName: "." + line) { out.append(FolderPath(comps)) }
            }
        }
        return out
    }

    func writeSubscriptions(_ subs: [FolderPath]) throws(StorageError) {
        var text = ""
        for sub in subs where !sub.isInbox {
            guard let name = try? MaildirFolderName.directoryName(for: sub.components) else { continue }
            text += String(name.dropFirst()) + "\n"
        }
        do throws(FileSystemError) { try FileSystem.replace("\(root)/subscriptions", with: Array(text.utf8), durable: true) } catch { throw MaildirFolder.map(error) }
    }

    // MARK: Messages

    public func open(_ path: FolderPath, claimRecent: Bool) throws(StorageError) -> FolderSnapshot {
        try folder(path).snapshot(claimRecent: claimRecent)
    }

    public func open(_ path: FolderPath, claimRecent: Bool, unlessAt known: FolderVersion) throws(StorageError) -> FolderSnapshot? {
        try folder(path).snapshot(claimRecent: claimRecent, unlessAt: known)
    }

    public func status(_ path: FolderPath) throws(StorageError) -> FolderStatus { try folder(path).status() }

    public func fetch(_ path: FolderPath, uid: UInt32) throws(StorageError) -> [UInt8]? {
        if let open = openedFolder(path) {
            switch Result(catching: { () throws(StorageError) -> [UInt8]? in try open.fetch(uid: uid) }) {
            case .success(let bytes?): return bytes
            case .success(nil):
                // No such message (the read synced already): only whether the folder is gone is left.
                _ = try Self.existingFolderDirectory(root: root, path: path)
                return nil
            case .failure: break
            }
        }
        return try folder(path).fetch(uid: uid)
    }

    /// The file holding a message, for streaming large messages without reading them whole.
    /// The name may change when another session changes flags: on ENOENT, ask again.
    public func messageFile(_ path: FolderPath, uid: UInt32) throws(StorageError) -> String? {
        try folder(path).messagePath(uid: uid)
    }

    /// Every message of a folder with the file holding it, from one sync, in UID order: what
    /// POP3 takes at login (sizes for LIST, file names for UIDL, the files RETR streams). A
    /// path goes stale when another session changes the message's flags (the file is renamed):
    /// `messageFile` then finds the current one. A POP3 session claims \Recent as Dovecot's
    /// does (its `pop3_no_flag_updates` turns that off: `claimRecent: false`).
    public func openWithFiles(_ path: FolderPath, claimRecent: Bool = true) throws(StorageError) -> [(info: MessageInfo, file: String)] {
        try folder(path).listing(claimRecent: claimRecent).map { ($0.info, $0.path) }
    }

    /// Local delivery: checks quota, writes the message durably into new/ (tmp, fsync, rename,
    /// fsync new/) and records its size in maildirsize. The message gets its UID at the next
    /// open. This takes no lock, so deliveries never wait for sessions.
    @discardableResult
    public func deliver(_ message: [UInt8], to path: FolderPath = .inbox) throws(StorageError) -> MaildirFileName {
        let dir = try directory(for: path)
        let quota = quotaFile
        try quota.check(addingBytes: Int64(message.count))
        let name: MaildirFileName
        do {
            name = try MaildirDelivery.deliver(message, into: dir, host: options.hostName)
        } catch {
            switch error {
            case .noSpace(let m): throw .noSpace(m)
            case .missingMaildir: throw .folderNotFound(path)
            case .io(let m): throw .io(m)
            }
        }
        quota.add(bytes: Int64(message.count), messages: 1)
        ChangeHub.shared.notify(directory: dir)
        return name
    }

    public func append(_ path: FolderPath, message: [UInt8], flags: SystemFlags, keywords: [String],
                       internalDate: Int64?) throws(StorageError) -> AppendResult {
        let target = try folder(path)
        let quota = quotaFile
        try quota.check(addingBytes: Int64(message.count))
        let written: (tmpName: String, name: MaildirFileName)
        do {
            written = try MaildirDelivery.writeTemporary(message, into: target.directory, host: options.hostName, internalDate: internalDate)
        } catch {
            switch error {
            case .noSpace(let m): throw .noSpace(m)
            case .missingMaildir: throw .folderNotFound(path)
            case .io(let m): throw .io(m)
            }
        }
        let result = try target.commitAppend(tmpName: written.tmpName, finalBase: written.name.baseWithFields, flags: flags, keywords: keywords)
        quota.add(bytes: Int64(message.count), messages: 1)
        ChangeHub.shared.notify(directory: target.directory)
        return result
    }

    public func setFlags(_ path: FolderPath, uids: [UInt32], _ change: FlagChange, flags: SystemFlags,
                         keywords: [String], unchangedSince: UInt64?) throws(StorageError) -> FlagUpdate {
        let target = try folder(path)
        let result = try target.setFlags(uids: uids, change: change, flags: flags, keywords: keywords, unchangedSince: unchangedSince)
        if !result.updated.isEmpty { ChangeHub.shared.notify(directory: target.directory) }
        return result
    }

    public func copy(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult {
        let source = try folder(path)
        let target = try folder(destination)
        let records = try source.records(for: uids)
        // maildirsize counts file sizes (S=), not RFC822.SIZE: check and record the same number.
        let names = records.map { (try? MaildirFileName.parse(String($0.path.split(separator: "/").last ?? ""))) }
        let bytes = zip(records, names).reduce(Int64(0)) { $0 + ($1.1?.size ?? $1.0.info.size) }
        let quota = quotaFile
        if !records.isEmpty { try quota.check(addingBytes: bytes, addingMessages: Int64(records.count)) }
        // Link each file into the destination's tmp/ (no lock held on either folder), then
        // commit them all under the destination's lock.
        var items: [(tmpName: String, finalName: String, flags: SystemFlags, keywords: [String], size: Int64, date: Int64, guid: String)] = []
        var sources: [UInt32] = []
        var fileBytes: Int64 = 0
        for ((info, file), parsedName) in zip(records, names) {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let base = MaildirFileName.makeUniqueBase(seconds: Int64(ts.tv_sec), microseconds: Int(ts.tv_nsec / 1000), pid: getpid(),
                                                      delivery: Int(info.uid), random: UInt64.random(in: 0...UInt64.max), host: options.hostName)
            let sourceName = parsedName ?? MaildirFileName(base: base)
            let finalName = MaildirFileName(base: base, fields: sourceName.fields).baseWithFields
            let tmp = "\(target.directory)/tmp/\(base)"
            if link(file, tmp) != 0 {
                let code = errno
                if code == ENOENT { continue }   // expunged meanwhile
                guard code == EXDEV || code == EPERM || code == EMLINK else {
                    for item in items { unlink("\(target.directory)/tmp/\(item.tmpName)") }
                    throw MaildirFolder.error(code, "link \(file)")
                }
                // Another file system (or no hard links): copy the bytes, durably.
                guard let content = try source.fetch(uid: info.uid) else { continue }
                do throws(FileSystemError) {
                    let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                    guard fd >= 0 else { throw FileSystemError(operation: "create", path: tmp, code: errno) }
                    defer { close(fd) }
                    try FileSystem.writeAll(fd, content, path: tmp)
                    var times = [timespec(tv_sec: Int(info.internalDate), tv_nsec: 0), timespec(tv_sec: Int(info.internalDate), tv_nsec: 0)]
                    _ = futimens(fd, &times)
                    guard fsync(fd) == 0 else { throw FileSystemError(operation: "fsync", path: tmp, code: errno) }
                } catch {
                    unlink(tmp)
                    for item in items { unlink("\(target.directory)/tmp/\(item.tmpName)") }
                    throw MaildirFolder.map(error)
                }
            }
            fileBytes += sourceName.size ?? info.size
            items.append((base, finalName, info.flags, info.keywords, info.size, info.internalDate, info.guid))
            sources.append(info.uid)
        }
        if items.isEmpty {
            return CopyResult(uidValidity: try target.snapshot(claimRecent: false).uidValidity, mapping: [])
        }
        let committed = try target.commitCopies(items)
        quota.add(bytes: fileBytes, messages: Int64(items.count))
        ChangeHub.shared.notify(directory: target.directory)
        return CopyResult(uidValidity: committed.uidValidity, mapping: Array(zip(sources, committed.uids)).map { ($0.0, $0.1) })
    }

    public func move(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult {
        let result = try copy(path, uids: uids, to: destination)
        _ = try expunge(path, uids: result.mapping.map(\.source))
        return result
    }

    public func expunge(_ path: FolderPath, uids: [UInt32]) throws(StorageError) -> [UInt32] {
        let target = try folder(path)
        let result = try target.expunge(uids: uids)
        if !result.removed.isEmpty {
            quotaFile.add(bytes: -result.bytes, messages: -Int64(result.removed.count))
            ChangeHub.shared.notify(directory: target.directory)
        }
        return result.removed
    }

    public func cachedField(_ path: FolderPath, uid: UInt32, field: String) -> [UInt8]? {
        (openedFolder(path) ?? (try? folder(path)))?.cachedField(uid: uid, field: field)
    }

    public func setCachedField(_ path: FolderPath, uid: UInt32, field: String, value: [UInt8]) {
        (openedFolder(path) ?? (try? folder(path)))?.setCachedField(uid: uid, field: field, value: value)
    }

    public func quota() throws(StorageError) -> QuotaUsage { try quotaFile.usage() }

    public func observe(_ path: FolderPath, handler: @escaping @Sendable () -> Void) throws(StorageError) -> any ChangeObservation {
        let target = try folder(path)
        return ChangeHub.shared.observe(directory: target.directory, handler: handler)
    }

    /// Problems found while reading a folder (damaged files, odd names): for logs and tests.
    public func problems(_ path: FolderPath) -> [String] {
        (try? folder(path))?.problems ?? []
    }
}
