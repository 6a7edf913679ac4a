// MaildirFolder — one Maildir folder (INBOX or a Maildir++ `.Name` directory): syncing the
// files with dovecot-uidlist and our index, and every change to its messages.
//
// Sync (Dovecot's maildir-sync.c does the same job):
//   1. Reload `mailroom-index` if another process rewrote it; compare the stamps of
//      dovecot-uidlist, cur/ and new/ with those the index recorded. Nothing changed: done,
//      without reading a directory (a warm open of a 100,000-message folder is a few stats).
//   2. Otherwise read what changed: the UID list, and cur/ or new/. A known file under a new
//      name changed flags (it gets a new MODSEQ); a missing one was expunged; an unknown one
//      gets the UID dovecot-uidlist gives it, or a new one.
//   3. New UIDs are assigned under Dovecot's dot lock on dovecot-uidlist, after re-reading the
//      list inside the lock, and the list is rewritten in place of the lock file (fsynced), so
//      neither Dovecot nor another Mailroom process can hand out the same UID. UIDs only grow;
//      a UID is never reused (N in the header only increases).
//   4. Files in new/ move to cur/ with an empty `:2,` info.
//   5. IMAP \Recent (RFC 3501 §2.3.2), with Dovecot's semantics: a message is recent for the
//      first read-write session that opens the folder after it arrived, however it arrived
//      (delivery into new/, APPEND, COPY/MOVE, a file another program put in cur/). The index
//      keeps Dovecot's `first_recent_uid`; a claiming open (`snapshot(claimRecent: true)`)
//      returns every UID at or above it and moves it past the highest UID, under the index
//      lock and in the same index write as the sync, so no other session of this or another
//      process sees those messages as recent. Other opens (EXAMINE, STATUS, internal syncs)
//      report the unclaimed messages and leave them. An index rebuilt from the files (missing,
//      damaged, new UIDVALIDITY) counts what is in cur/ as claimed and what is in new/ as not.
// Stamps and the settle window: a change in the same clock tick as a listing leaves the
// directory's mtime as the listing saw it, so a stamp recorded less than `settleWindow` after
// the directory's last change may hide one. Such a stamp is used (an equal stamp means no
// listing), but it owes one verifying listing of the directory: at the first sync after the
// window has passed, or, while the folder keeps changing, at most once per window. new/ (nearly
// always empty) is simply listed again while its stamp is unsettled. Our own changes to cur/
// (APPEND, COPY, flag renames, EXPUNGE, new/ → cur/) carry the stamp forward when cur/ was
// unchanged just before them, so a session's own STORE does not make the next command list a
// 100,000-message cur/; a change another program made between that check and ours is masked
// until the verifying listing (at most one window later).
//
// Locking: an in-process mutex per folder, then `mailroom-index.lock` (flock; Mailroom
// processes), then, only to change dovecot-uidlist or dovecot-keywords, their dot locks (which
// Dovecot honours too). Copies never hold two folders' locks at once.
// Crash safety: a message becomes visible only by rename into new/ or cur/ after fsync; a crash
// before the UID list is replaced leaves the old list, and the message gets its UID at the next
// sync. Files left in tmp/ are removed after `tmpCleanupAge` (36 h, as maildir(5) advises).
// Bad input: an undecodable dovecot-uidlist is rebuilt from the index and the files, keeping the
// UIDVALIDITY and every UID still known; unparsable file names are skipped and reported in
// `problems`, never fatal.

#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import MailroomCore

final class MaildirFolder: @unchecked Sendable {
    let directory: String
    let options: MaildirOptions
    private let mutex = NIOLock()

    // Guarded by `mutex`.
    private var index: FolderIndexFile?
    /// What changed in `index` since it was last written (FolderIndexLog): records by UID, and
    /// whether something changed that was not noted (then the base file is rewritten).
    private var changedUIDs = Set<UInt32>()
    private var removedUIDs = Set<UInt32>()
    private var fullWriteNeeded = true
    /// The header (the index without records) as last written, so an unchanged one is not.
    private var writtenHeader: FolderIndexFile?
    /// Where the base file and its log stand.
    private var indexStamp = FileStamp.absent
    private var baseChecksum: UInt64 = 0
    private var baseSize = 0
    private var logStamp = FileStamp.absent
    /// The end of the last whole transaction read or written; 0: no log for this base yet.
    private var logEnd = 0
    /// The version of the log being read (an older one is read, never appended to).
    private var logVersion = FolderIndexLog.version
    /// The base file is of an older format version: the next write rewrites it (and drops the log).
    private var baseOutdated = false
    private var keywords = DovecotKeywords()
    private var keywordsLoadedStamp: FileStamp? = nil
    /// UIDs whose files are gone, still to be dropped from dovecot-uidlist at its next rewrite.
    private var dropped = Set<UInt32>()
    /// New UIDs are appended to dovecot-uidlist while its records of expunged messages are
    /// under this share of its records; at or over it, the list is rewritten without them.
    /// Dovecot's rule (UIDLIST_COMPRESS_PERCENTAGE): an expunge does not cost the next append a
    /// rewrite of the whole list, and the list never holds more than a third more records than
    /// messages. (A full listing finds records left by a process that stopped before its
    /// rewrite.)
    static let uidListStaleRecordsPercentage = 25
    private var cache: FieldCache? = nil
    /// The mailbox GUID of the dovecot-uidlist with this device and inode (a rewrite, which may
    /// change the GUID, makes a new inode; an append keeps it).
    private var cachedMailboxGUID: (device: UInt64, inode: UInt64, guid: String)? = nil
    /// Problems found while reading this folder (bad names, damaged files), for logs and tests.
    private var problemLog: [String] = []
    /// Directory listings made so far (tests check that a warm open makes none).
    private var scanCount = 0
    var directoryScans: Int { mutex.withLock { scanCount } }
    var problems: [String] { mutex.withLock { problemLog } }

    init(directory: String, options: MaildirOptions) {
        self.directory = directory
        self.options = options
    }

    var uidListPath: String { "\(directory)/dovecot-uidlist" }
    var keywordsPath: String { "\(directory)/dovecot-keywords" }
    var indexPath: String { "\(directory)/\(FolderIndexFile.fileName)" }
    var indexLogPath: String { "\(directory)/\(FolderIndexLog.fileName)" }

    // MARK: Public operations (each takes the locks)

    /// Syncs and returns the folder's state. With `claimRecent` (a read-write session: SELECT
    /// and its later syncs, POP3) `recent` is what this call claimed, and nobody sees those
    /// messages as recent again; without it (EXAMINE, STATUS, internal syncs) `recent` is every
    /// message not claimed yet, and they stay unclaimed.
    func snapshot(claimRecent: Bool = false) throws(StorageError) -> FolderSnapshot {
        try locked { () throws(StorageError) -> FolderSnapshot in
            let outcome = try syncLocked(claimRecent: claimRecent)
            return makeSnapshot(recent: outcome.recent)
        }
    }

    /// The folder's version as the index has it (under the lock).
    private func versionLocked() -> FolderVersion? {
        guard let state = index else { return nil }
        return FolderVersion(uidValidity: state.uidValidity, uidNext: state.nextUID, highestModSeq: state.highestModSeq,
                             messages: state.records.count)
    }

    /// `snapshot`, or nil when the folder is still at `known` and nothing was claimed.
    func snapshot(claimRecent: Bool, unlessAt known: FolderVersion) throws(StorageError) -> FolderSnapshot? {
        try locked { () throws(StorageError) -> FolderSnapshot? in
            let outcome = try syncLocked(claimRecent: claimRecent)
            if !claimRecent || outcome.recent.isEmpty, versionLocked() == known { return nil }
            return makeSnapshot(recent: outcome.recent)
        }
    }

    /// STATUS: `recent` counts the unclaimed messages without claiming them.
    func status() throws(StorageError) -> FolderStatus {
        let snap = try snapshot(claimRecent: false)
        return FolderStatus(messages: snap.messages.count,
                            unseen: snap.messages.count { !$0.flags.contains(.seen) },
                            recent: snap.recent.count, uidNext: snap.uidNext, uidValidity: snap.uidValidity,
                            highestModSeq: snap.highestModSeq, size: snap.messages.reduce(0) { $0 + $1.size })
    }

    /// The folder's mailbox GUID (RFC 8474 MAILBOXID): the `G` field of dovecot-uidlist's
    /// header, 32 hex digits, where Dovecot keeps its mailbox GUID — so it moves with RENAME,
    /// a folder deleted and created again gets a new one, and Dovecot and Mailroom agree on it.
    /// A list without one (written by an older Mailroom) gets a random one, written under the
    /// list's dot lock; a list replaced since (another UIDVALIDITY) is read again.
    func mailboxGUID() throws(StorageError) -> String {
        try locked { () throws(StorageError) -> String in
            _ = try syncLocked()
            let stamp = (try? FileSystem.stamp(uidListPath)) ?? .absent
            if let cached = cachedMailboxGUID, cached.device == stamp.device, cached.inode == stamp.inode {
                return cached.guid
            }
            if let guid = readList()?.mailboxGUID {
                cachedMailboxGUID = (stamp.device, stamp.inode, guid)
                return guid
            }
            let lock = try DotLock(for: uidListPath, staleSeconds: options.uidListLockStaleSeconds)
            guard var list = readList() else {
                lock.release()
                throw .io("\(uidListPath): unreadable, no mailbox GUID")
            }
            if let guid = list.mailboxGUID {
                lock.release()
                return guid
            }
            let guid = Self.newMailboxGUID()
            list.mailboxGUID = guid
            let written = try lock.replace(with: Array(list.serialized.utf8))
            // Our own rewrite with the same records: the index stays in step with it.
            if index?.uidListStamp == stamp { index?.uidListStamp = written }
            try writeIndexLocked()
            cachedMailboxGUID = (written.device, written.inode, guid)
            return guid
        }
    }

    /// 128 random bits in hex, as Dovecot's mailbox GUIDs are written.
    static func newMailboxGUID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The path the index knows for `uid`, without touching the disk.
    private func knownPath(uid: UInt32) -> String? {
        mutex.withLock {
            guard let index, let pos = position(of: uid, in: index.records) else { return nil }
            let r = index.records[pos]
            return "\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)"
        }
    }

    /// The path of the file holding `uid`, syncing once if the name is unknown or stale.
    func messagePath(uid: UInt32) throws(StorageError) -> String? {
        if let path = knownPath(uid: uid), FileSystem.exists(path) { return path }
        _ = try snapshot()
        return knownPath(uid: uid)
    }

    func fetch(uid: UInt32) throws(StorageError) -> [UInt8]? {
        // The first try reads the known name directly (one open, no extra stat); a miss means
        // the file was renamed (flags changed) or expunged: sync and look again.
        var path = knownPath(uid: uid)
        for _ in 0..<3 {
            if let path {
                do {
                    if let bytes = try FileSystem.read(path) { return bytes }
                } catch {
                    throw .io(error.description)
                }
            }
            _ = try snapshot()
            guard let next = knownPath(uid: uid) else { return nil }
            path = next
        }
        return nil
    }

    /// Appends a message written to tmp/ already (`tmpName`), moving it into cur/ with its
    /// flags, and returns its UID.
    func commitAppend(tmpName: String, finalBase: String, flags: SystemFlags, keywords names: [String]) throws(StorageError) -> AppendResult {
        try locked { () throws(StorageError) -> AppendResult in
            _ = try syncLocked()
            let letters = try keywordLetters(for: names, create: true)
            var name = (try? MaildirFileName.parse(finalBase)) ?? MaildirFileName(base: finalBase)
            name.flags = Self.maildirFlags(flags)
            name.keywordLetters = letters
            let fileName = name.description   // base,S=…,W=…:2,<flags><keyword letters>
            let tmpPath = "\(directory)/tmp/\(tmpName)"
            let curPath = "\(directory)/cur/\(fileName)"
            let before = curStampNow()
            guard rename(tmpPath, curPath) == 0 else {
                let code = errno
                unlink(tmpPath)
                throw Self.error(code, "rename into \(directory)/cur")
            }
            CrashPoints.reach("append.renamed")
            try Self.syncDirectory("\(directory)/cur")
            var st = stat()
            let date: Int64 = stat(curPath, &st) == 0 ? Int64(st.st_mtim.tv_sec) : Int64(time(nil))
            let size = name.virtualSize ?? Self.virtualSize(path: curPath, fallback: Int64(st.st_size))
            let uids = try assignUIDs([Arrival(fileName: fileName, inCur: true, flags: flags, keywordBits: lettersBits(letters),
                                               size: size, internalDate: date, saveDate: Int64(time(nil)))])
            carryCurStamp(before: before)
            try writeIndexLocked()
            return AppendResult(uidValidity: index?.uidValidity ?? 0, uid: uids[0])
        }
    }

    /// Moves files from this folder's tmp/ (already linked or written) into cur/ as new
    /// messages; used by copy. Returns UIDs in the given order.
    /// `guid`: the source message's GUID, which the copy keeps (RFC 8474 EMAILID).
    func commitCopies(_ items: [(tmpName: String, finalName: String, flags: SystemFlags, keywords: [String], size: Int64, date: Int64, guid: String)]) throws(StorageError) -> (uidValidity: UInt32, uids: [UInt32]) {
        try locked { () throws(StorageError) -> (uidValidity: UInt32, uids: [UInt32]) in
            _ = try syncLocked()
            var entries: [Arrival] = []
            let now = Int64(time(nil))
            let before = curStampNow()
            for item in items {
                let letters = try keywordLetters(for: item.keywords, create: true)
                var parsed = (try? MaildirFileName.parse(item.finalName)) ?? MaildirFileName(base: item.finalName)
                parsed.flags = Self.maildirFlags(item.flags)
                parsed.keywordLetters = letters
                let fileName = parsed.description
                guard rename("\(directory)/tmp/\(item.tmpName)", "\(directory)/cur/\(fileName)") == 0 else {
                    let code = errno
                    for rest in items { unlink("\(directory)/tmp/\(rest.tmpName)") }
                    throw Self.error(code, "rename into \(directory)/cur")
                }
                entries.append(Arrival(fileName: fileName, inCur: true, flags: item.flags, keywordBits: lettersBits(letters),
                                       size: item.size, internalDate: item.date, saveDate: now,
                                       guid: item.guid == String(parsed.base) ? "" : item.guid))
            }
            try Self.syncDirectory("\(directory)/cur")
            let uids = try assignUIDs(entries)
            carryCurStamp(before: before)
            try writeIndexLocked()
            return (index?.uidValidity ?? 0, uids)
        }
    }

    /// The current records for `uids` (in the order given, unknown ones skipped).
    func records(for uids: [UInt32]) throws(StorageError) -> [(info: MessageInfo, path: String)] {
        try locked { () throws(StorageError) -> [(info: MessageInfo, path: String)] in
            _ = try syncLocked()
            guard let index else { return [] }
            return uids.compactMap { uid in
                guard let pos = position(of: uid, in: index.records) else { return nil }
                let r = index.records[pos]
                return (info(for: r), "\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)")
            }
        }
    }

    /// Every record after a sync, with its file's path (POP3's listing at login; POP3 claims
    /// \Recent as Dovecot's does unless told not to).
    func listing(claimRecent: Bool) throws(StorageError) -> [(info: MessageInfo, path: String)] {
        try locked { () throws(StorageError) -> [(info: MessageInfo, path: String)] in
            _ = try syncLocked(claimRecent: claimRecent)
            guard let index else { return [] }
            return index.records.map { r in (info(for: r), "\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)") }
        }
    }

    func setFlags(uids: [UInt32], change: FlagChange, flags: SystemFlags, keywords names: [String],
                  unchangedSince: UInt64?) throws(StorageError) -> FlagUpdate {
        try locked { () throws(StorageError) -> FlagUpdate in
            _ = try syncLocked()
            let letters = try keywordLetters(for: names, create: change != .remove)
            let bits = lettersBits(letters)
            var update = FlagUpdate(updated: [], modifiedSince: [], versionBefore: versionLocked())
            var changed = false
            var renameFailed = false
            let before = curStampNow()
            for uid in uids {
                // The index is changed in place (a local copy would copy every record).
                guard index != nil, let pos = position(of: uid, in: index!.records) else { continue }
                var r = index!.records[pos]
                if let unchangedSince, r.modSeq > unchangedSince {
                    update.modifiedSince.append(uid)
                    continue
                }
                var newFlags = r.flags
                var newBits = r.keywordBits
                switch change {
                case .add: newFlags.formUnion(flags); newBits |= bits
                case .remove: newFlags.subtract(flags); newBits &= ~bits
                case .replace: newFlags = flags; newBits = bits
                }
                if newFlags == r.flags && newBits == r.keywordBits { continue }
                var name = (try? MaildirFileName.parse(r.fileName)) ?? MaildirFileName(base: String(r.baseName))
                name.otherInfo = nil
                name.flags = Self.maildirFlags(newFlags).union(name.flags.intersection([.passed]))
                name.keywordLetters = Self.letters(from: newBits)
                let newFileName = name.description
                let from = "\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)"
                let to = "\(directory)/cur/\(newFileName)"
                if rename(from, to) != 0 {
                    // Renamed or expunged by another process since the sync: skip this one;
                    // the next sync shows its real state.
                    renameFailed = true
                    continue
                }
                index!.highestModSeq += 1
                r.fileName = newFileName
                r.inCur = true
                r.flags = newFlags
                r.keywordBits = newBits
                r.modSeq = index!.highestModSeq
                index!.records[pos] = r
                changedUIDs.insert(uid)
                update.updated.append(info(for: r))
                changed = true
            }
            if renameFailed {
                invalidateStamp(cur: true)
            } else if changed {
                carryCurStamp(before: before)
            }
            if changed || renameFailed { try writeIndexLocked() }
            update.versionAfter = versionLocked()
            return update
        }
    }

    func expunge(uids: [UInt32]) throws(StorageError) -> (removed: [UInt32], bytes: Int64) {
        try locked { () throws(StorageError) -> (removed: [UInt32], bytes: Int64) in
            _ = try syncLocked()
            guard var index else { return ([], 0) }
            var removed: [UInt32] = []
            var bytes: Int64 = 0
            var gone = Set<UInt32>()
            var touchedNew = false
            let before = curStampNow()
            for uid in uids {
                guard let pos = position(of: uid, in: index.records) else { continue }
                let r = index.records[pos]
                let path = "\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)"
                var unlinked = unlink(path) == 0
                if !unlinked && errno == ENOENT {
                    // Renamed by another process since our sync (a flag change): remove it under
                    // its current name, or it would come back with a new UID.
                    var current: [String: (name: String, inCur: Bool)] = [:]
                    scan("new", inCur: false, into: &current)
                    scan("cur", inCur: true, into: &current)
                    if let now = current[String(r.baseName)] {
                        if !now.inCur { touchedNew = true }
                        unlinked = unlink("\(directory)/\(now.inCur ? "cur" : "new")/\(now.name)") == 0
                    } else {
                        unlinked = true   // removed by someone else already
                    }
                }
                if unlinked {
                    if !r.inCur { touchedNew = true }
                    removed.append(uid)
                    bytes += fileSize(of: r)
                    gone.insert(uid)
                }
            }
            if !gone.isEmpty {
                index.records.removeAll { gone.contains($0.uid) }
                removedUIDs.formUnion(gone)
                changedUIDs.subtract(gone)
                index.highestModSeq += 1
                self.index = index
                cache?.remove(uids: gone)
                dropped.formUnion(gone)
                carryCurStamp(before: before)
                if touchedNew { invalidateStamp(new: true) }
                try Self.syncDirectory("\(directory)/cur")
                try writeIndexLocked()
            }
            return (removed, bytes)
        }
    }

    func cachedField(uid: UInt32, field: String) -> [UInt8]? {
        mutex.withLock {
            if cache == nil { cache = FieldCache(path: "\(directory)/mailroom-cache") }
            return cache?.value(uid: uid, field: field)
        }
    }

    func setCachedField(uid: UInt32, field: String, value: [UInt8]) {
        mutex.withLock {
            if cache == nil { cache = FieldCache(path: "\(directory)/mailroom-cache") }
            cache?.set(uid: uid, field: field, value: value) { Set(index?.records.map(\.uid) ?? []) }
        }
    }

    /// Forgets the in-memory state (tests use this to simulate a new process).
    func forget() {
        mutex.withLock {
            index = nil
            indexStamp = .absent
            logStamp = .absent
            logEnd = 0
            markWritten(full: true)
            keywordsLoadedStamp = nil
            messagesMade = nil
            cache = nil
        }
    }

    // MARK: Locking

    private func locked<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        mutex.lock()
        defer { mutex.unlock() }
        guard FileSystem.isDirectory("\(directory)/cur") else { throw .io("\(directory): not a Maildir folder (no cur/)") }
        let fileLock = try FolderFileLock(path: "\(directory)/mailroom-index.lock")
        defer { withExtendedLifetime(fileLock) {} }
        return try body()
    }

    // MARK: Sync

    struct SyncOutcome {
        /// Claimed by this sync (`claimRecent`), or still unclaimed (otherwise).
        var recent: Set<UInt32> = []
    }

    private func syncLocked(claimRecent: Bool = false) throws(StorageError) -> SyncOutcome {
        let now = FileSystem.nowNanoseconds()
        let window = options.settleWindowNanoseconds
        do {
            // 1. Our index, if another process changed it (its base file or its log).
            try loadIndexLocked()
            var state = index ?? FolderIndexFile()
            let fresh = state.uidValidity == 0
            // The index is being built from the files alone: \Recent must be guessed (step 5).
            var rebuilt = fresh

            let uidListStamp = try FileSystem.stamp(uidListPath)
            let curStamp = try FileSystem.stamp("\(directory)/cur")
            let newStamp = try FileSystem.stamp("\(directory)/new")
            let keywordsStamp = try FileSystem.stamp(keywordsPath)
            if keywordsLoadedStamp != keywordsStamp { loadKeywords(stamp: keywordsStamp) }
            if keywordsStamp != state.keywordsStamp {
                state.keywordsStamp = keywordsStamp.isSettled(now: now, window: window) ? keywordsStamp : .absent
            }

            var readUIDList = fresh || uidListStamp != state.uidListStamp
            // An unchanged cur/ whose stamp was recorded within the window of its last change owes
            // a verifying listing once settled (or once per window while it keeps changing).
            let curVerificationDue = curStamp == state.curStamp
                && state.curListedAt - curStamp.mtimeNanoseconds <= window
                && (curStamp.isSettled(now: now, window: window) || now - state.curListedAt > window)
            var scanCur = fresh || curStamp != state.curStamp || curVerificationDue
            var scanNew = fresh || newStamp != state.newStamp
            var outcome = SyncOutcome()
            let cleanupDue = now / 1_000_000_000 - state.lastTmpCleanup > options.tmpCleanupIntervalSeconds
            if !readUIDList && !scanCur && !scanNew && !cleanupDue {
                if index == nil { index = state }
                if recentLocked(claim: claimRecent, into: &outcome) { try writeIndexLocked() }
                return outcome
            }

            // 2. The UID list.
            var list: DovecotUIDList? = nil
            if readUIDList {
                list = readList()
                if let l = list, !fresh, l.uidValidity != state.uidValidity {
                    // Another program started the folder over: so do we.
                    problemLog.append("\(uidListPath): UIDVALIDITY changed from \(state.uidValidity) to \(l.uidValidity)")
                    state = FolderIndexFile()
                    rebuilt = true
                    fullWriteNeeded = true
                    cache = nil
                    unlink("\(directory)/mailroom-cache")   // its UIDs belong to the old UIDVALIDITY
                    scanCur = true
                    scanNew = true
                }
            }
            if state.uidValidity == 0 {
                fullWriteNeeded = true
                state.uidValidity = list?.uidValidity ?? UIDValidityCounter.next(forFolder: directory)
                state.nextUID = max(state.nextUID, list?.nextUID ?? 1)
                readUIDList = true
            }
            let listed: [String: UInt32] = {
                guard let list else { return [:] }
                var map = [String: UInt32](minimumCapacity: list.records.count)
                for r in list.records { map[r.fileName] = r.uid }
                return map
            }()
            // Message GUIDs the list records (Dovecot's `G` extension: copies that keep their source's).
            let listedGUIDs: [UInt32: String] = {
                guard let list else { return [:] }
                var map: [UInt32: String] = [:]
                for r in list.records { if let g = r.extensions.first(where: { $0.key == "G" }) { map[r.uid] = g.value } }
                return map
            }()

            // 3. The directories: new/ before cur/, so a file moving from new/ to cur/ meanwhile
            // is seen in one of them. A known file seen in neither is looked for once more with a
            // fresh scan of both before it counts as expunged.
            var found: [String: (name: String, inCur: Bool)] = [:]
            if scanNew { scan("new", inCur: false, into: &found) }
            if scanCur { scan("cur", inCur: true, into: &found) }
            let bothScanned = scanCur && scanNew

            var removed = Set<UInt32>()
            if scanCur || scanNew {
                var missing: [Int] = []
                for i in state.records.indices {
                    let r = state.records[i]
                    guard bothScanned || r.inCur == scanCur else { continue }
                    if let now = found.removeValue(forKey: String(r.baseName)) {
                        apply(now, to: &state, at: i)
                    } else {
                        missing.append(i)
                    }
                }
                if !missing.isEmpty {
                    var again: [String: (name: String, inCur: Bool)] = [:]
                    scan("new", inCur: false, into: &again)
                    scan("cur", inCur: true, into: &again)
                    for i in missing {
                        if let now = again[String(state.records[i].baseName)] {
                            apply(now, to: &state, at: i)
                        } else {
                            removed.insert(state.records[i].uid)
                        }
                    }
                    scanCur = true
                    scanNew = true
                }
                if !removed.isEmpty {
                    removedUIDs.formUnion(removed)
                    changedUIDs.subtract(removed)
                    state.records.removeAll { removed.contains($0.uid) }
                    state.highestModSeq += 1
                    cache?.remove(uids: removed)
                    dropped.formUnion(removed)
                }
            }
            // Files we do not know yet: UIDs from the list, or new ones.
            var unknown: [(String, Bool)] = []
            var adopted: [IndexRecord] = []
            let known = Set(state.records.map(\.uid))
            for (base, file) in found {
                if let uid = listed[base], !known.contains(uid), !dropped.contains(uid) {
                    var record = makeRecord(uid: uid, fileName: file.name, inCur: file.inCur, modSeq: state.highestModSeq + 1)
                    record.storedGUID = listedGUIDs[uid] ?? ""
                    adopted.append(record)
                } else {
                    unknown.append((file.name, file.inCur))
                }
            }
            if !adopted.isEmpty {
                state.highestModSeq += 1
                changedUIDs.formUnion(adopted.map(\.uid))
                state.records += adopted
                state.records.sort { $0.uid < $1.uid }
            }
            if let list {
                state.nextUID = max(state.nextUID, list.nextUID)
                // After a full scan, list records without a file are gone (Dovecot leaves expunged
                // records until its next rewrite). A file renamed while a directory was being read
                // can be missed by that readdir, so look once more before dropping a UID.
                if bothScanned {
                    let have = Set(state.records.map(\.uid))
                    let stale = list.records.filter { !have.contains($0.uid) && !dropped.contains($0.uid) }
                    if !stale.isEmpty {
                        var again: [String: (name: String, inCur: Bool)] = [:]
                        scan("new", inCur: false, into: &again)
                        scan("cur", inCur: true, into: &again)
                        for r in stale {
                            if let file = again[r.fileName] {
                                changedUIDs.insert(r.uid)
                                var record = makeRecord(uid: r.uid, fileName: file.name, inCur: file.inCur,
                                                        modSeq: state.highestModSeq + 1)
                                record.storedGUID = listedGUIDs[r.uid] ?? ""
                                state.records.append(record)
                                unknown.removeAll { $0.0 == file.name }
                            } else {
                                dropped.insert(r.uid)
                            }
                        }
                        state.records.sort { $0.uid < $1.uid }
                    }
                }
            }

            index = state

            // 4. New UIDs under the dot lock; the list is also rewritten when it was missing or
            // damaged, so Dovecot finds every UID we know.
            let listNeedsRepair = readUIDList && (list == nil || listed.count < index!.records.count || !dropped.isEmpty)
            if !unknown.isEmpty || listNeedsRepair {
                // By name (the time of arrival). When rebuilding, files in cur/ first, so the
                // \Recent guess below can be one boundary: cur/ claimed, new/ not.
                let sorted = unknown.sorted { rebuilt && $0.1 != $1.1 ? $0.1 : $0.0 < $1.0 }
                // The save date of a file found here is when it arrived: its ctime (the rename into
                // new/ or cur/ sets it), exact for a delivery.
                let entries = sorted.map { file -> Arrival in
                    let r = makeRecord(uid: 0, fileName: file.0, inCur: file.1, modSeq: 0, arrived: true)
                    return Arrival(fileName: file.0, inCur: file.1, flags: r.flags, keywordBits: r.keywordBits, size: r.size,
                                   internalDate: r.internalDate, saveDate: r.saveDate)
                }
                _ = try assignUIDs(entries)
            }

            // 5. \Recent for an index built from the files: nobody knows who saw what, so, as the
            // old rule did, a message in cur/ was seen by some session and one in new/ was not.
            if rebuilt, var state = index {
                state.firstRecentUID = (state.records.lazy.filter(\.inCur).map(\.uid).max() ?? 0) + 1
                index = state
            }

            // 6. new/ → cur/.
            var moved = false
            if var state = index {
                for i in state.records.indices where !state.records[i].inCur {
                    let r = state.records[i]
                    let target = r.fileName.utf8.contains(UInt8(ascii: ":")) ? r.fileName : r.fileName + ":2,"
                    if rename("\(directory)/new/\(r.fileName)", "\(directory)/cur/\(target)") == 0 {
                        state.records[i].fileName = target
                        state.records[i].inCur = true
                        changedUIDs.insert(r.uid)
                        moved = true
                        CrashPoints.reach("sync.moved-new")
                    }
                }
                index = state
            }

            // 7. Stamps: a directory read and not changed by us is trusted once settled.
            if var state = index {
                // (When UIDs were assigned, assignUIDs recorded the stamp of the list it wrote.)
                if readUIDList, !listNeedsRepair, unknown.isEmpty { state.uidListStamp = uidListStamp }
                if scanCur {
                    state.curStamp = curStamp
                    state.curListedAt = now
                }
                // Our own new/ → cur/ moves: carried forward (see the top of the file).
                if moved { state.curStamp = Self.carriedStamp("\(directory)/cur", before: curStamp, recorded: state.curStamp) }
                if scanNew { state.newStamp = (!moved && newStamp.isSettled(now: now, window: window)) ? newStamp : .absent }
                if cleanupDue {
                    cleanTmp(now: now)
                    state.lastTmpCleanup = now / 1_000_000_000
                }
                index = state
            }
            _ = recentLocked(claim: claimRecent, into: &outcome)
            try writeIndexLocked()
            return outcome
        } catch let error as StorageError {
            throw error
        } catch let error as FileSystemError {
            throw Self.map(error)
        } catch {
            throw .io("\(error)")
        }
    }

    /// IMAP \Recent: the records not claimed yet go into `outcome`; with `claim` they become
    /// claimed (the first recent UID moves past the highest UID present). Returns whether the
    /// index changed (the caller writes it, still under the index lock).
    private func recentLocked(claim: Bool, into outcome: inout SyncOutcome) -> Bool {
        guard var state = index else { return false }
        // Records are in UID order, so the unclaimed ones are a suffix.
        var first = state.records.endIndex
        while first > 0, state.records[first - 1].uid >= state.firstRecentUID { first -= 1 }
        guard first < state.records.endIndex else { return false }
        outcome.recent = Set(state.records[first...].map(\.uid))
        guard claim else { return false }
        state.firstRecentUID = state.records[state.records.count - 1].uid + 1
        index = state
        return true
    }

    /// Updates a record from the name its file has now: new flags get a new MODSEQ.
    private func apply(_ now: (name: String, inCur: Bool), to state: inout FolderIndexFile, at i: Int) {
        let r = state.records[i]
        guard now.name != r.fileName || now.inCur != r.inCur else { return }
        changedUIDs.insert(r.uid)
        let parsed = try? MaildirFileName.parse(now.name)
        let flags = parsed.map { Self.systemFlags($0.flags) } ?? r.flags
        let bits = parsed.map { lettersBits($0.keywordLetters) } ?? r.keywordBits
        state.records[i].fileName = now.name
        state.records[i].inCur = now.inCur
        if flags != r.flags || bits != r.keywordBits {
            state.highestModSeq += 1
            state.records[i].flags = flags
            state.records[i].keywordBits = bits
            state.records[i].modSeq = state.highestModSeq
        }
    }

    /// A file that is to get its UID: what its index record starts with.
    struct Arrival {
        var fileName: String
        var inCur: Bool
        var flags: SystemFlags
        var keywordBits: UInt32
        var size: Int64
        var internalDate: Int64
        /// RFC 8514 SAVEDATE (s; 0 unknown).
        var saveDate: Int64
        /// The message GUID when it is not the base name (a copy's source GUID); written as the
        /// `G` extension of the dovecot-uidlist record.
        var guid: String = ""

        var baseName: String { fileName.utf8.firstIndex(of: 0x3A).map { String(fileName[..<$0]) } ?? fileName }
        var uidListExtensions: [DovecotUIDList.Record.Extension] { guid.isEmpty ? [] : [.init(key: "G", value: guid)] }

        func record(uid: UInt32, modSeq: UInt64) -> IndexRecord {
            IndexRecord(uid: uid, flags: flags, keywordBits: keywordBits, inCur: inCur, modSeq: modSeq, size: size,
                        internalDate: internalDate, fileName: fileName, saveDate: saveDate, storedGUID: guid)
        }
    }

    /// Assigns UIDs to new files under the dot lock and rewrites dovecot-uidlist; adds them to
    /// the index.
    private func assignUIDs(_ entries: [Arrival]) throws(StorageError) -> [UInt32] {
        guard index != nil else { return [] }
        let lock = try DotLock(for: uidListPath, staleSeconds: options.uidListLockStaleSeconds)
        if let assigned = try appendUIDs(entries, lock: lock) { return assigned }
        guard var state = index else { return [] }
        // Re-read inside the lock: another writer may have assigned UIDs since our scan.
        var list = readList() ?? DovecotUIDList(uidValidity: state.uidValidity, nextUID: state.nextUID)
        if list.uidValidity != state.uidValidity {
            // The list was replaced by one with another UIDVALIDITY between our read and the lock:
            // keep ours (the index and the files agree with it) and rewrite the list.
            list = DovecotUIDList(uidValidity: state.uidValidity, nextUID: state.nextUID)
        }
        var byName = [String: UInt32](minimumCapacity: list.records.count)
        for r in list.records { byName[r.fileName] = r.uid }
        let known = Set(state.records.map(\.uid))
        // Records the list must have: all we know (repairing a damaged list) …
        for r in state.records where byName[String(r.baseName)] == nil {
            list.records.append(.init(uid: r.uid, fileName: String(r.baseName)))
            byName[String(r.baseName)] = r.uid
        }
        list.nextUID = max(list.nextUID, state.nextUID, (list.records.map(\.uid).max() ?? 0) + 1)
        var assigned: [UInt32] = []
        state.highestModSeq += 1
        if list.mailboxGUID == nil { list.mailboxGUID = Self.newMailboxGUID() }
        for entry in entries {
            let base = entry.baseName
            let uid: UInt32
            if let existing = byName[base], !known.contains(existing) {
                uid = existing
            } else {
                uid = list.nextUID
                list.records.append(.init(uid: uid, extensions: entry.uidListExtensions, fileName: base))
                list.nextUID += 1
                byName[base] = uid
            }
            assigned.append(uid)
            state.records.append(entry.record(uid: uid, modSeq: state.highestModSeq))
        }
        // … minus the records of files known to be gone. Records with UIDs we never had stay:
        // another program may have just delivered them.
        let live = Set(state.records.map(\.uid))
        list.records.removeAll { dropped.contains($0.uid) && !live.contains($0.uid) }
        list.records.sort { $0.uid < $1.uid }
        // The stamp of the list we wrote: a later change by anyone gets a new inode (replace) or
        // size (Dovecot appends records), so this needs no settle time.
        state.uidListStamp = try lock.replace(with: Array(list.serialized.utf8))
        dropped = []
        state.nextUID = list.nextUID
        state.records.sort { $0.uid < $1.uid }
        index = state
        fullWriteNeeded = true   // (the list was repaired: records may have changed anywhere)
        return assigned
    }

    /// assignUIDs' common case, done the way Dovecot adds records: when the list is still the
    /// one this index last read or wrote (same inode and size: every writer either appends or
    /// replaces) and not too much needs dropping, the new records are appended to it under the lock
    /// (the header's N is left; readers take max(N, last UID + 1)). Records of expunged
    /// messages stay in the list below `uidListStaleRecordsPercentage`. Nil: rewrite the list.
    private func appendUIDs(_ entries: [Arrival], lock: DotLock) throws(StorageError) -> [UInt32]? {
        guard !entries.isEmpty, let recorded = index?.uidListStamp, recorded != .absent,
              dropped.count * 100 < (dropped.count + (index?.records.count ?? 0)) * Self.uidListStaleRecordsPercentage,
              (try? FileSystem.stamp(uidListPath)) == recorded, var nextUID = index?.nextUID,
              let modSeq = index.map({ $0.highestModSeq + 1 }) else { return nil }
        var lines = ""
        var added: [IndexRecord] = []
        for entry in entries {
            lines += "\(nextUID)"
            for ext in entry.uidListExtensions { lines += " \(ext.key)\(ext.value)" }
            lines += " :\(entry.baseName)\n"
            added.append(entry.record(uid: nextUID, modSeq: modSeq))
            nextUID += 1
        }
        let stamp = try lock.append(Array(lines.utf8))
        CrashPoints.reach("uidlist.replaced")
        // In place; the new UIDs are above every UID in the index, so the order holds.
        index!.uidListStamp = stamp
        index!.nextUID = nextUID
        index!.highestModSeq = modSeq
        index!.records.append(contentsOf: added)
        changedUIDs.formUnion(added.map(\.uid))
        return added.map(\.uid)
    }

    private func readList() -> DovecotUIDList? {
        do {
            guard let bytes = try FileSystem.read(uidListPath) else { return nil }
            let parsed = try DovecotUIDList.parse(bytes: bytes)
            for p in parsed.problems { problemLog.append(p.description) }
            return parsed.list
        } catch {
            problemLog.append("\(uidListPath): \(error) — rebuilt from the index and the files")
            return nil
        }
    }

    private func scan(_ sub: String, inCur: Bool, into found: inout [String: (name: String, inCur: Bool)]) {
        scanCount += 1
        guard let names = try? FileSystem.list("\(directory)/\(sub)") else { return }
        for name in names {
            if name.utf8.first == UInt8(ascii: ".") || name.utf8.contains(UInt8(ascii: "/")) {
                continue
            }
            let base = name.utf8.firstIndex(of: 0x3A).map { String(name[..<$0]) } ?? name
            if base.isEmpty { problemLog.append("\(directory)/\(sub)/\(name): no unique name before ':'"); continue }
            if let other = found[base] {
                // The same message in new/ and cur/ (a crash between link and unlink in another
                // program): keep cur/.
                if other.inCur { continue }
            }
            found[base] = (name, inCur)
        }
    }

    /// `arrived`: the file gets its UID now, so its ctime is its save date (else unknown, 0).
    private func makeRecord(uid: UInt32, fileName: String, inCur: Bool, modSeq: UInt64, arrived: Bool = false) -> IndexRecord {
        let parsed = try? MaildirFileName.parse(fileName)
        if parsed == nil { problemLog.append("\(directory): unusual file name '\(fileName)' (flags not read)") }
        let path = "\(directory)/\(inCur ? "cur" : "new")/\(fileName)"
        var st = stat()
        let haveStat = stat(path, &st) == 0
        let size = parsed?.virtualSize ?? (haveStat ? Self.virtualSize(path: path, fallback: Int64(st.st_size)) : 0)
        return IndexRecord(uid: uid, flags: parsed.map { Self.systemFlags($0.flags) } ?? [],
                           keywordBits: parsed.map { lettersBits($0.keywordLetters) } ?? 0, inCur: inCur, modSeq: modSeq,
                           size: size, internalDate: haveStat ? Int64(st.st_mtim.tv_sec) : 0, fileName: fileName,
                           saveDate: arrived ? (haveStat ? Int64(st.st_ctim.tv_sec) : Int64(time(nil))) : 0)
    }

    /// RFC822.SIZE of a file without W=: read it and count bare LFs.
    static func virtualSize(path: String, fallback: Int64) -> Int64 {
        guard let bytes = try? FileSystem.read(path) else { return fallback }
        return MaildirDelivery.rfc822Size(bytes)
    }

    private func fileSize(of r: IndexRecord) -> Int64 {
        if let parsed = try? MaildirFileName.parse(r.fileName), let s = parsed.size { return s }
        var st = stat()
        return stat("\(directory)/\(r.inCur ? "cur" : "new")/\(r.fileName)", &st) == 0 ? Int64(st.st_size) : r.size
    }

    private func cleanTmp(now: Int64) {
        let tmp = "\(directory)/tmp"
        guard let names = try? FileSystem.list(tmp) else { return }
        let limit = now / 1_000_000_000 - options.tmpCleanupAgeSeconds
        for name in names {
            var st = stat()
            let path = "\(tmp)/\(name)"
            // maildir(5): "not accessed for 36 hours". The ctime counts too: an APPEND sets the
            // mtime of its tmp file to the internal date, which may be years ago.
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
               max(Int64(st.st_mtim.tv_sec), Int64(st.st_atim.tv_sec), Int64(st.st_ctim.tv_sec)) < limit {
                unlink(path)
            }
        }
    }

    /// Reads the base file if it changed, then whatever the log gained since the last read.
    private func loadIndexLocked() throws(FileSystemError) {
        let onDisk = try FileSystem.stamp(indexPath)
        if index == nil || onDisk != indexStamp { try loadBaseLocked(onDisk) }
        guard index != nil else { return }
        let log = try FileSystem.stamp(indexLogPath)
        guard log != logStamp else { return }
        if !readLogLocked(log) {
            // The log is not the continuation of what we read: start again from the base.
            try loadBaseLocked(onDisk)
            _ = readLogLocked(log)
        }
    }

    private func loadBaseLocked(_ onDisk: FileStamp) throws(FileSystemError) {
        if onDisk != .absent, let bytes = try FileSystem.read(indexPath), let decoded = FolderIndexFile.decode(bytes) {
            index = decoded
            baseChecksum = FolderIndexFile.checksum(of: bytes) ?? 0
            baseSize = bytes.count
            // A base of an older version is rewritten in the current one at the next write.
            baseOutdated = FolderIndexFile.fileVersion(of: bytes) != FolderIndexFile.version
            markWritten(full: baseOutdated)
        } else {
            if onDisk != .absent { problemLog.append("\(indexPath): damaged, rebuilt from the files") }
            index = nil
            baseOutdated = false
            markWritten(full: true)
        }
        indexStamp = onDisk
        logStamp = .absent
        logEnd = 0
    }

    /// Applies the log's new whole transactions; false when the file no longer continues what
    /// was read (it shrank below it).
    private func readLogLocked(_ stamp: FileStamp) -> Bool {
        logStamp = stamp
        guard stamp != .absent, var state = index else {
            logEnd = 0
            return true
        }
        if logEnd > 0, Int(stamp.size) < logEnd { return false }
        // Only what was added since the last read.
        guard let bytes = try? FileSystem.read(indexLogPath, from: logEnd) else { return true }
        var added = bytes[...]
        if logEnd == 0 {
            // A log written for another base (a crash between a base rewrite and the log's
            // removal) is ignored, and replaced at the next write.
            guard let version = FolderIndexLog.version(ofHeader: bytes[...], baseChecksum: baseChecksum) else { return true }
            logVersion = version
            logEnd = FolderIndexLog.headerBytes
            added = bytes[FolderIndexLog.headerBytes...]
        }
        index = nil   // (`state` alone holds the records: applied in place)
        logEnd += FolderIndexLog.apply(added, to: &state, logVersion: logVersion)
        index = state
        // (A log of an older version goes with an older base: both are rewritten at the next write.)
        markWritten(full: baseOutdated || logVersion != FolderIndexLog.version)
        return true
    }

    /// Forgets the noted changes after a write or a load; `full`: the next write rewrites the base.
    private func markWritten(full: Bool) {
        changedUIDs = []
        removedUIDs = []
        fullWriteNeeded = full
        if var header = index {
            header.records = []
            writtenHeader = header
        } else {
            writtenHeader = nil
        }
    }

    /// Writes the index: one log transaction of the noted changes, or the whole base file (and
    /// no log) when a change was not noted, there is no base yet, or the log has grown too big.
    private func writeIndexLocked() throws(StorageError) {
        guard let index else { return }
        do throws(FileSystemError) {
            if !fullWriteNeeded, indexStamp != .absent {
                var header = index
                header.records = []
                if changedUIDs.isEmpty, removedUIDs.isEmpty, header == writtenHeader { return }
                if let transaction = FolderIndexLog.transaction(index, removed: removedUIDs, changed: changedUIDs),
                   max(logEnd, FolderIndexLog.headerBytes) + transaction.count <= max(FolderIndexLog.compactionBytes, baseSize / 4) {
                    try appendLogLocked(transaction)
                    markWritten(full: false)
                    return
                }
            }
            let encoded = index.encoded()
            try FileSystem.replace(indexPath, with: encoded, durable: false)
            indexStamp = try FileSystem.stamp(indexPath)
            baseChecksum = FolderIndexFile.checksum(of: encoded) ?? 0
            baseSize = encoded.count
            unlink(indexLogPath)
            logStamp = .absent
            logEnd = 0
            logVersion = FolderIndexLog.version
            baseOutdated = false
            markWritten(full: false)
        } catch {
            // The index is a cache: failing to write it costs speed, not mail. What is in memory
            // is now ahead of the files: the next sync reads them again. A full disk is still
            // worth reporting to the caller.
            indexStamp = .absent
            markWritten(full: true)
            if error.isNoSpace { throw .noSpace(error.description) }
            problemLog.append("cannot write \(indexPath): \(error)")
        }
    }

    /// Appends a transaction to the log (creating it with its header for the current base),
    /// first cutting off a torn tail a crashed writer may have left.
    private func appendLogLocked(_ transaction: [UInt8]) throws(FileSystemError) {
        let fd = open(indexLogPath, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: indexLogPath, code: errno) }
        defer { close(fd) }
        var bytes = transaction
        if logEnd == 0 {
            bytes = FolderIndexLog.header(baseChecksum: baseChecksum) + transaction
            logVersion = FolderIndexLog.version
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(operation: "fstat", path: indexLogPath, code: errno) }
        if Int(st.st_size) != logEnd, ftruncate(fd, off_t(logEnd)) != 0 {
            throw FileSystemError(operation: "ftruncate", path: indexLogPath, code: errno)
        }
        guard lseek(fd, off_t(logEnd), SEEK_SET) >= 0 else { throw FileSystemError(operation: "lseek", path: indexLogPath, code: errno) }
        do throws(FileSystemError) {
            try FileSystem.writeAll(fd, bytes, path: indexLogPath)
        } catch {
            _ = ftruncate(fd, off_t(logEnd))
            throw error
        }
        logEnd += bytes.count
        guard fstat(fd, &st) == 0 else { throw FileSystemError(operation: "fstat", path: indexLogPath, code: errno) }
        logStamp = FileStamp(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                             mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    private func invalidateStamp(cur: Bool = false, new: Bool = false) {
        if cur { index?.curStamp = .absent }
        if new { index?.newStamp = .absent }
    }

    /// cur/'s stamp just before one of our own changes to it (for `carryCurStamp`).
    private func curStampNow() -> FileStamp {
        (try? FileSystem.stamp("\(directory)/cur")) ?? .absent
    }

    /// After our own changes to cur/: keeps the index's stamp current (no listing at the next
    /// sync) when cur/ was as the index recorded it just before them.
    private func carryCurStamp(before: FileStamp) {
        guard let recorded = index?.curStamp else { return }
        index?.curStamp = Self.carriedStamp("\(directory)/cur", before: before, recorded: recorded)
    }

    /// The stamp to record for `path` after our own change to it: its new stamp when it was as
    /// recorded just before the change, else `.absent` (listed at the next sync). The recorded
    /// listing time stays, so a carried stamp owes a verifying listing (see the top of the file).
    private static func carriedStamp(_ path: String, before: FileStamp, recorded: FileStamp) -> FileStamp {
        guard before != .absent, before == recorded, let after = try? FileSystem.stamp(path) else { return .absent }
        return after
    }

    private func position(of uid: UInt32, in records: [IndexRecord]) -> Int? {
        var low = 0
        var high = records.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if records[mid].uid == uid { return mid }
            if records[mid].uid < uid { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    private func makeSnapshot(recent: Set<UInt32>) -> FolderSnapshot {
        let state = index ?? FolderIndexFile()
        return FolderSnapshot(uidValidity: state.uidValidity, uidNext: state.nextUID, highestModSeq: state.highestModSeq,
                              messages: messages(of: state.records), recent: recent)
    }

    /// What a record shows of itself in a MessageInfo that can change for its UID (size, dates
    /// and GUID are fixed when the UID is given; keyword names also depend on dovecot-keywords).
    private struct RecordKey: Equatable {
        var uid: UInt32
        var flags: SystemFlags
        var keywordBits: UInt32
        var modSeq: UInt64
        var saveDate: Int64
    }

    /// The last list of MessageInfo handed out, with the records and keyword file it was made
    /// from: a snapshot follows every change by anyone, and making a thousand MessageInfo (GUID
    /// strings, keyword names) costs far more than comparing the records and reusing those of
    /// unchanged ones (both lists are in UID order).
    private var messagesMade: (keys: [RecordKey], keywords: FileStamp?, messages: [MessageInfo])?

    private func messages(of records: [IndexRecord]) -> [MessageInfo] {
        let keys = records.map { RecordKey(uid: $0.uid, flags: $0.flags, keywordBits: $0.keywordBits, modSeq: $0.modSeq, saveDate: $0.saveDate) }
        var messages: [MessageInfo]
        if let made = messagesMade, made.keywords == keywordsLoadedStamp {
            if made.keys == keys { return made.messages }
            messages = []
            messages.reserveCapacity(records.count)
            var j = 0
            for (i, record) in records.enumerated() {
                while j < made.keys.count, made.keys[j].uid < keys[i].uid { j += 1 }
                messages.append(j < made.keys.count && made.keys[j] == keys[i] ? made.messages[j] : info(for: record))
            }
        } else {
            messages = records.map(info(for:))
        }
        messagesMade = (keys, keywordsLoadedStamp, messages)
        return messages
    }

    private func info(for r: IndexRecord) -> MessageInfo {
        MessageInfo(uid: r.uid, flags: r.flags, keywords: keywordNames(r.keywordBits), size: r.size,
                    internalDate: r.internalDate, modSeq: r.modSeq, saveDate: r.saveDate == 0 ? nil : r.saveDate,
                    guid: r.guid)
    }

    // MARK: Keywords

    private func loadKeywords(stamp: FileStamp) {
        keywordsLoadedStamp = stamp
        guard stamp != .absent, let bytes = try? FileSystem.read(keywordsPath) else {
            keywords = DovecotKeywords()
            return
        }
        let parsed = DovecotKeywords.parse(String(decoding: bytes, as: UTF8.self))
        keywords = parsed.keywords
        for p in parsed.problems { problemLog.append("\(keywordsPath): \(p)") }
    }

    private func keywordNames(_ bits: UInt32) -> [String] {
        guard bits != 0 else { return [] }
        var names: [String] = []
        for (i, letter) in Self.alphabet.enumerated() where bits & (1 << UInt32(i)) != 0 {
            names.append(keywords.name(for: letter) ?? "unknown-\(i)")
        }
        return names.sorted()
    }

    /// The letters for keyword names; new names are added to dovecot-keywords (under its dot lock)
    /// when `create` is set, otherwise unknown names are ignored.
    private func keywordLetters(for names: [String], create: Bool) throws(StorageError) -> [Character] {
        var letters: [Character] = []
        var missing: [String] = []
        for name in names {
            guard DovecotKeywords.isValidKeyword(name) else { throw .invalidKeyword(name) }
            if let letter = keywords.letter(for: name) { letters.append(letter) } else { missing.append(name) }
        }
        if !missing.isEmpty, create {
            let lock = try DotLock(for: keywordsPath, staleSeconds: options.uidListLockStaleSeconds)
            loadKeywords(stamp: (try? FileSystem.stamp(keywordsPath)) ?? .absent)
            var updated = keywords
            for name in missing {
                if let letter = updated.letter(for: name) {
                    letters.append(letter)
                } else if let letter = try? updated.assign(name) {
                    letters.append(letter)
                } else {
                    lock.release()
                    throw .tooManyKeywords
                }
            }
            if updated != keywords {
                try lock.replace(with: Array(updated.serialized.utf8))
                keywords = updated
                keywordsLoadedStamp = (try? FileSystem.stamp(keywordsPath)) ?? .absent
            } else {
                lock.release()
            }
        }
        return Array(Set(letters)).sorted()
    }

    private func lettersBits(_ letters: [Character]) -> UInt32 {
        var bits: UInt32 = 0
        for letter in letters {
            guard let ascii = letter.asciiValue, ascii >= 0x61, ascii <= 0x7A else { continue }
            bits |= 1 << UInt32(ascii - 0x61)
        }
        return bits
    }

    static let alphabet: [Character] = Array("abcdefghijklmnopqrstuvwxyz")

    static func letters(from bits: UInt32) -> [Character] {
        alphabet.enumerated().filter { bits & (1 << UInt32($0.offset)) != 0 }.map(\.element)
    }

    // MARK: Flag mapping (maildir(5) info letters ↔ IMAP system flags)

    static func systemFlags(_ flags: Set<MaildirFileName.Flag>) -> SystemFlags {
        var out: SystemFlags = []
        for flag in flags {
            switch flag {
            case .seen: out.insert(.seen)
            case .replied: out.insert(.answered)
            case .flagged: out.insert(.flagged)
            case .trashed: out.insert(.deleted)
            case .draft: out.insert(.draft)
            case .passed: break   // not an IMAP flag; kept on the file (see maildirFlags)
            }
        }
        return out
    }

    static func maildirFlags(_ flags: SystemFlags) -> Set<MaildirFileName.Flag> {
        var out: Set<MaildirFileName.Flag> = []
        if flags.contains(.seen) { out.insert(.seen) }
        if flags.contains(.answered) { out.insert(.replied) }
        if flags.contains(.flagged) { out.insert(.flagged) }
        if flags.contains(.deleted) { out.insert(.trashed) }
        if flags.contains(.draft) { out.insert(.draft) }
        return out
    }

    static func error(_ code: Int32, _ what: String) -> StorageError {
        let reason = "\(what): \(String(cString: strerror(code)))"
        return code == ENOSPC || code == EDQUOT ? .noSpace(reason) : .io(reason)
    }

    static func syncDirectory(_ path: String) throws(StorageError) {
        do throws(FileSystemError) { try FileSystem.syncDirectory(path) } catch { throw map(error) }
    }

    static func map(_ error: FileSystemError) -> StorageError {
        error.isNoSpace ? .noSpace(error.description) : .io(error.description)
    }
}
