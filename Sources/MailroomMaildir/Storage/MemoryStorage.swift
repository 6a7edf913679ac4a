// MemoryStorage — a MailStorage kept in memory, for tests of the protocol servers and delivery
// code that need a mailbox without a disk. It follows the same rules as MaildirStorage (UIDs
// only grow, MODSEQ per change, UNCHANGEDSINCE, quota, keywords limited to 26 per folder,
// folder-name validation) and passes the same conformance tests; nothing is durable.

import NIOConcurrencyHelpers

public final class MemoryStorage: MailStorage, @unchecked Sendable {
    private struct Message {
        var info: MessageInfo
        var bytes: [UInt8]
    }

    private struct Folder {
        var uidValidity: UInt32
        var uidNext: UInt32 = 1
        var highestModSeq: UInt64 = 1
        var messages: [Message] = []
        var keywords: [String] = []
        var cache: [UInt32: [String: [UInt8]]] = [:]
        /// IMAP \Recent as MaildirStorage keeps it: UIDs from here up are not claimed yet.
        var firstRecentUID: UInt32 = 1
        /// RFC 8474 MAILBOXID's source: random, kept through RENAME.
        var guid: String = MaildirFolder.newMailboxGUID()

        /// The unclaimed messages' UIDs.
        var recent: Set<UInt32> { Set(messages.lazy.map(\.info.uid).filter { $0 >= firstRecentUID }) }
    }

    private let lock = NIOLock()
    private var folders: [FolderPath: Folder] = [:]
    private var subscriptions: Set<FolderPath> = []
    private var observers: [FolderPath: [Int: @Sendable () -> Void]] = [:]
    private var nextObserver = 0
    private var nextValidity: UInt32
    public var limits: QuotaLimits

    public init(quota: QuotaLimits = .unlimited, folders initial: [String] = MaildirLayout.defaultFolders) {
        self.limits = quota
        self.nextValidity = UInt32(truncatingIfNeeded: Int.random(in: 1...1_000_000))
        folders[.inbox] = Folder(uidValidity: takeValidity())
        for name in initial {
            folders[FolderPath([name])] = Folder(uidValidity: takeValidity())
            subscriptions.insert(FolderPath([name]))
        }
    }

    private func locked<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func takeValidity() -> UInt32 {
        nextValidity += 1
        return nextValidity
    }

    private func validate(_ path: FolderPath) throws(StorageError) {
        guard !path.isInbox else { return }
        do { _ = try MaildirFolderName.directoryName(for: path.components) } catch { throw .invalidFolderName(error.description) }
    }

    private func withFolder<T>(_ path: FolderPath, _ body: (inout Folder) throws(StorageError) -> T) throws(StorageError) -> T {
        let (result, handlers) = try locked { () throws(StorageError) -> (T, [@Sendable () -> Void]) in
            guard var folder = folders[path] else { throw .folderNotFound(path) }
            let before = folder.highestModSeq
            let count = folder.messages.count
            let result = try body(&folder)
            folders[path] = folder
            let changed = folder.highestModSeq != before || folder.messages.count != count
            return (result, changed ? Array(observers[path]?.values ?? [:].values) : [])
        }
        for handler in handlers { handler() }
        return result
    }

    // MARK: Folders

    public func listFolders() throws(StorageError) -> [FolderInfo] {
        lock.withLock {
            var all = Set(folders.keys)
            for path in folders.keys {
                var parent = path.parent
                while let p = parent, !p.isInbox {
                    all.insert(p)
                    parent = p.parent
                }
            }
            return all.sorted().map { path in
                FolderInfo(path: path, subscribed: path.isInbox || subscriptions.contains(path), exists: folders[path] != nil,
                           hasChildren: !path.isInbox && all.contains { path.isAncestor(of: $0) },
                           specialUse: MaildirStorage.specialUse(path))
            }
        }
    }

    public func subscribedFolders() throws(StorageError) -> [FolderPath] {
        lock.withLock { subscriptions.sorted() }
    }

    public func createFolder(_ path: FolderPath) throws(StorageError) {
        try validate(path)
        try locked { () throws(StorageError) -> Void in
            if folders[path] != nil { throw .folderExists(path) }
            folders[path] = Folder(uidValidity: takeValidity())
        }
    }

    public func renameFolder(_ path: FolderPath, to newPath: FolderPath) throws(StorageError) {
        try validate(newPath)
        if newPath.isInbox { throw .folderExists(newPath) }
        if path.isInbox {
            try createFolder(newPath)
            let uids = try open(.inbox, claimRecent: false).messages.map(\.uid)
            if !uids.isEmpty { _ = try move(.inbox, uids: uids, to: newPath) }
            return
        }
        try locked { () throws(StorageError) -> Void in
            guard folders[path] != nil else { throw .folderNotFound(path) }
            if folders[newPath] != nil { throw .folderExists(newPath) }
            if path.isAncestor(of: newPath) { throw .invalidFolderName("cannot move \(path) into itself") }
            for key in folders.keys where key == path || path.isAncestor(of: key) {
                let to = FolderPath(newPath.components + key.components.dropFirst(path.components.count))
                if folders[to] != nil { throw .folderExists(to) }
            }
            for key in folders.keys where key == path || path.isAncestor(of: key) {
                let to = FolderPath(newPath.components + key.components.dropFirst(path.components.count))
                folders[to] = folders.removeValue(forKey: key)
                if subscriptions.remove(key) != nil { subscriptions.insert(to) }
            }
        }
    }

    public func deleteFolder(_ path: FolderPath) throws(StorageError) {
        if path.isInbox { throw .cannotDeleteInbox }
        try locked { () throws(StorageError) -> Void in
            guard folders.removeValue(forKey: path) != nil else { throw .folderNotFound(path) }
        }
    }

    public func mailboxGUID(_ path: FolderPath) throws(StorageError) -> String {
        try locked { () throws(StorageError) -> String in
            guard let folder = folders[path] else { throw .folderNotFound(path) }
            return folder.guid
        }
    }

    public func setSubscribed(_ path: FolderPath, _ subscribed: Bool) throws(StorageError) {
        try validate(path)
        lock.withLock {
            if subscribed { subscriptions.insert(path) } else { subscriptions.remove(path) }
        }
    }

    // MARK: Messages

    public func open(_ path: FolderPath, claimRecent: Bool) throws(StorageError) -> FolderSnapshot {
        try withFolder(path) { (folder: inout Folder) throws(StorageError) -> FolderSnapshot in
            let recent = folder.recent
            if claimRecent, let last = folder.messages.last?.info.uid, last >= folder.firstRecentUID {
                folder.firstRecentUID = last + 1
            }
            return FolderSnapshot(uidValidity: folder.uidValidity, uidNext: folder.uidNext, highestModSeq: folder.highestModSeq,
                                  messages: folder.messages.map(\.info), recent: recent)
        }
    }

    public func status(_ path: FolderPath) throws(StorageError) -> FolderStatus {
        try withFolder(path) { (folder: inout Folder) throws(StorageError) -> FolderStatus in
            FolderStatus(messages: folder.messages.count, unseen: folder.messages.count { !$0.info.flags.contains(.seen) },
                         recent: folder.recent.count, uidNext: folder.uidNext, uidValidity: folder.uidValidity,
                         highestModSeq: folder.highestModSeq, size: folder.messages.reduce(0) { $0 + $1.info.size })
        }
    }

    public func fetch(_ path: FolderPath, uid: UInt32) throws(StorageError) -> [UInt8]? {
        try withFolder(path) { (folder: inout Folder) throws(StorageError) -> [UInt8]? in
            folder.messages.first { $0.info.uid == uid }?.bytes
        }
    }

    private func usage() -> QuotaUsage {
        var bytes: Int64 = 0
        var count: Int64 = 0
        for folder in folders.values {
            for m in folder.messages {
                bytes += Int64(m.bytes.count)
                count += 1
            }
        }
        return QuotaUsage(limits: limits, bytes: bytes, messages: count)
    }

    private func checkQuota(adding bytes: Int64, messages: Int64) throws(StorageError) {
        let use = lock.withLock { usage() }
        if let max = limits.bytes, use.bytes + bytes > max { throw .overQuota(use) }
        if let max = limits.messages, use.messages + messages > max { throw .overQuota(use) }
    }

    private static func normalize(_ keywords: [String], into folder: inout Folder) throws(StorageError) -> [String] {
        var out: [String] = []
        for keyword in keywords {
            guard DovecotKeywords.isValidKeyword(keyword) else { throw .invalidKeyword(keyword) }
            if let known = folder.keywords.first(where: { $0.lowercased() == keyword.lowercased() }) {
                out.append(known)
            } else {
                guard folder.keywords.count < DovecotKeywords.maximumCount else { throw .tooManyKeywords }
                folder.keywords.append(keyword)
                out.append(keyword)
            }
        }
        return Array(Set(out)).sorted()
    }

    /// A delivery (into INBOX by default), as MaildirStorage.deliver: recent at the next open.
    public func deliver(_ message: [UInt8], to path: FolderPath = .inbox) throws(StorageError) {
        try checkQuota(adding: Int64(message.count), messages: 1)
        _ = try withFolder(path) { (folder: inout Folder) throws(StorageError) -> UInt32 in
            Self.add(message, flags: [], keywords: [], date: Int64(clockSeconds()), to: &folder)
        }
    }

    @discardableResult
    /// `guid`: the source's when copying (kept, as MaildirStorage keeps it), else a new one.
    private static func add(_ message: [UInt8], flags: SystemFlags, keywords: [String], date: Int64, guid: String? = nil,
                            to folder: inout Folder) -> UInt32 {
        let uid = folder.uidNext
        folder.uidNext += 1
        folder.highestModSeq += 1
        let now = FileSystem.nowNanoseconds() / 1_000_000_000
        folder.messages.append(Message(info: MessageInfo(uid: uid, flags: flags, keywords: keywords, size: MaildirDelivery.rfc822Size(message),
                                                         internalDate: date, modSeq: folder.highestModSeq, saveDate: now,
                                                         guid: guid ?? MaildirFolder.newMailboxGUID()), bytes: message))
        return uid
    }

    public func append(_ path: FolderPath, message: [UInt8], flags: SystemFlags, keywords: [String],
                       internalDate: Int64?) throws(StorageError) -> AppendResult {
        try checkQuota(adding: Int64(message.count), messages: 1)
        return try withFolder(path) { (folder: inout Folder) throws(StorageError) -> AppendResult in
            let names = try Self.normalize(keywords, into: &folder)
            let uid = Self.add(message, flags: flags, keywords: names, date: internalDate ?? Int64(clockSeconds()), to: &folder)
            return AppendResult(uidValidity: folder.uidValidity, uid: uid)
        }
    }

    public func setFlags(_ path: FolderPath, uids: [UInt32], _ change: FlagChange, flags: SystemFlags,
                         keywords: [String], unchangedSince: UInt64?) throws(StorageError) -> FlagUpdate {
        try withFolder(path) { (folder: inout Folder) throws(StorageError) -> FlagUpdate in
            let names = change == .remove ? keywords.map { k in folder.keywords.first { $0.lowercased() == k.lowercased() } ?? k }
                                          : try Self.normalize(keywords, into: &folder)
            var update = FlagUpdate(updated: [], modifiedSince: [])
            for uid in uids {
                guard let i = folder.messages.firstIndex(where: { $0.info.uid == uid }) else { continue }
                var info = folder.messages[i].info
                if let unchangedSince, info.modSeq > unchangedSince {
                    update.modifiedSince.append(uid)
                    continue
                }
                var newFlags = info.flags
                var newKeywords = Set(info.keywords)
                switch change {
                case .add: newFlags.formUnion(flags); newKeywords.formUnion(names)
                case .remove: newFlags.subtract(flags); newKeywords.subtract(names)
                case .replace: newFlags = flags; newKeywords = Set(names)
                }
                if newFlags == info.flags && newKeywords == Set(info.keywords) { continue }
                folder.highestModSeq += 1
                info.flags = newFlags
                info.keywords = newKeywords.sorted()
                info.modSeq = folder.highestModSeq
                folder.messages[i].info = info
                update.updated.append(info)
            }
            return update
        }
    }

    public func copy(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult {
        let sources = try withFolder(path) { (folder: inout Folder) throws(StorageError) -> [Message] in
            uids.compactMap { uid in folder.messages.first { $0.info.uid == uid } }
        }
        try checkQuota(adding: sources.reduce(0) { $0 + Int64($1.bytes.count) }, messages: Int64(sources.count))
        return try withFolder(destination) { (folder: inout Folder) throws(StorageError) -> CopyResult in
            var mapping: [(source: UInt32, destination: UInt32)] = []
            for m in sources {
                let names = try Self.normalize(m.info.keywords, into: &folder)
                mapping.append((m.info.uid, Self.add(m.bytes, flags: m.info.flags, keywords: names, date: m.info.internalDate,
                                                     guid: m.info.guid, to: &folder)))
            }
            return CopyResult(uidValidity: folder.uidValidity, mapping: mapping)
        }
    }

    public func move(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult {
        let result = try copy(path, uids: uids, to: destination)
        _ = try expunge(path, uids: result.mapping.map(\.source))
        return result
    }

    public func expunge(_ path: FolderPath, uids: [UInt32]) throws(StorageError) -> [UInt32] {
        try withFolder(path) { (folder: inout Folder) throws(StorageError) -> [UInt32] in
            let wanted = Set(uids)
            let removed = folder.messages.filter { wanted.contains($0.info.uid) }.map(\.info.uid)
            if !removed.isEmpty {
                folder.messages.removeAll { wanted.contains($0.info.uid) }
                folder.highestModSeq += 1
                for uid in removed { folder.cache[uid] = nil }
            }
            return removed
        }
    }

    public func cachedField(_ path: FolderPath, uid: UInt32, field: String) -> [UInt8]? {
        lock.withLock { folders[path]?.cache[uid]?[field] }
    }

    public func setCachedField(_ path: FolderPath, uid: UInt32, field: String, value: [UInt8]) {
        lock.withLock {
            guard folders[path]?.messages.contains(where: { $0.info.uid == uid }) == true else { return }
            folders[path]?.cache[uid, default: [:]][field] = value
        }
    }

    public func quota() throws(StorageError) -> QuotaUsage { lock.withLock { usage() } }

    final class Observation: ChangeObservation, @unchecked Sendable {
        let cancelBody: @Sendable () -> Void
        init(_ cancel: @escaping @Sendable () -> Void) { self.cancelBody = cancel }
        func cancel() { cancelBody() }
        deinit { cancelBody() }
    }

    public func observe(_ path: FolderPath, handler: @escaping @Sendable () -> Void) throws(StorageError) -> any ChangeObservation {
        let id = try locked { () throws(StorageError) -> Int in
            guard folders[path] != nil else { throw .folderNotFound(path) }
            nextObserver += 1
            observers[path, default: [:]][nextObserver] = handler
            return nextObserver
        }
        return Observation { [weak self] in
            guard let self else { return }
            self.lock.withLock { _ = self.observers[path]?.removeValue(forKey: id) }
        }
    }

    private func clockSeconds() -> Int { Int(FileSystem.nowNanoseconds() / 1_000_000_000) }
}
