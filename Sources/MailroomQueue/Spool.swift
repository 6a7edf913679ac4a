// Spool — the durable mail queue on disk. A message acknowledged with 250 is in `queue/` and
// on stable storage; a crash at any moment either leaves it there (and the start-up scan
// resumes its delivery) or leaves only a file in `incoming/` that was never acknowledged (and
// the scan removes it).
//
// Layout under storage.spool_dir:
//   incoming/<id>   being received: header + envelope, then the message as it streams in
//   queue/<id>      committed: the same file, renamed (the commit point)
//   queue/<id>.log  per-recipient results, appended as they happen (format below)
//   hold/<id>(.log) held by the administrator (`mailroom queue hold`), not delivered
//   free/<n>        files of removed messages kept for reuse (at most `recycledFiles`): a new
//                   reception renames one into incoming/ and truncates it instead of creating
//                   a file, so a busy queue neither allocates nor frees an inode per message
//                   (on ext4 that bookkeeping dominated the server's CPU time, see
//                   scripts/bench/smtp). Never read: the scan ignores free/.
//   runner.lock     flock(2)ed by the one queue runner of this spool (a server or `queue run`)
//   flush           created by `mailroom queue retry|release`: the running runner re-reads
//                   the due times at its next tick (1 s) and removes it
// A queue file's mtime is its next delivery attempt, as in Postfix's deferred queue: a fresh
// commit is due at once, a deferred message carries the time its backoff ends, and `queue
// retry` sets it to now. It is a hint, never synced: a crash at worst retries early.
// Order of a commit (style guide rule 10, qmail-queue and Postfix's mail_stream), with
// SyncMethod.file (the default): write → fsync the file → rename incoming/<id> to queue/<id> → fsync queue/
// (shared between concurrent sessions by GroupSync) → only then report success. With
// SyncMethod.fileSystem (queue.sync_method = "filesystem"): write → rename →
// one syncfs(2) of the spool's file system, shared by every session committing at the time and
// by the queue runner's deliveries on that disk → only then success. A power cut before that
// syncfs can leave a renamed file shorter than written; the header records the message length
// (written last, before the rename), so the scan and every read recognise such a file, which
// was never acknowledged, and the scan removes it. The envelope travels in the same file as
// the message, so each message is written once.
// File format: the line "MAILROOM-QUEUE 2 <n> <m>\n" (m: the message length, 20 digits), n
// bytes of envelope JSON, "\n", then the m bytes of the message exactly as received (CRLF line
// ends, dot-stuffing removed). Version 1 files ("MAILROOM-QUEUE 1 <n>\n", message to the end of
// the file) are still read.
// Recipient log, one record per line; a torn last line (a crash mid-append) is ignored:
//   "<index> <status> <text>"   a result for envelope recipient <index>: delivered|bounced|
//                               deferred; text is the reply, e.g. "550 5.1.1 no such user"
//   "target <index> <key> <text>"  one target of an expanded recipient is done (key u<user id>
//                               for a mailbox, "remote" for the forwarded copy), written when
//                               the recipient itself stays deferred, so a retry skips it
//   "report <n> <i>:<action>,…" notification <n> (queue ID <id>N<n>) reports these recipients
// Delivery is idempotent per message and recipient because the log is consulted before each
// attempt (and, after a crash, the mailboxes themselves: see MailroomDelivery's MaildirDeposit).
// Appends are fsynced when the caller asks (`durable:`): the runner syncs bounces, targets and
// reports, but not "delivered" (the Maildir file is durable and found again) nor "deferred".
// Security: files and directories are created 0600/0700 with O_EXCL|O_NOFOLLOW; queue IDs are
// validated before they become paths.

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailroomCore

public enum QueueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Disk full or quota: the client should try again (452 4.3.1).
    case noSpace(String)
    case notFound(QueueID)
    case damaged(String)
    case io(String)

    public var description: String {
        switch self {
        case .noSpace(let m): "queue file system full: \(m)"
        case .notFound(let id): "no such queued message: \(id)"
        case .damaged(let m): "damaged queue file: \(m)"
        case .io(let m): "queue I/O error: \(m)"
        }
    }

    /// The error for errno `code` while doing `what` (ENOSPC and EDQUOT are `.noSpace`).
    public static func from(_ code: Int32, _ what: String) -> QueueError {
        let reason = "\(what): \(String(cString: strerror(code)))"
        return code == ENOSPC || code == EDQUOT ? .noSpace(reason) : .io(reason)
    }
}

/// The outcome of one delivery attempt to one recipient.
public struct RecipientResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case delivered, bounced, deferred
    }
    public var recipient: Int
    public var status: Status
    public var text: String

    public init(recipient: Int, status: Status, text: String) {
        self.recipient = recipient
        self.status = status
        self.text = text
    }
}

/// One target of an expanded recipient that is done: `key` is "u<user id>" or "remote".
public struct TargetResult: Sendable, Equatable {
    public var recipient: Int
    public var key: String
    public var text: String

    public init(recipient: Int, key: String, text: String) {
        self.recipient = recipient
        self.key = key
        self.text = text
    }
}

/// A delivery status notification that was queued: its number and the recipients it reports,
/// with the RFC 3464 action for each (failed, delayed, delivered, expanded, relayed).
public struct ReportRecord: Sendable, Equatable {
    public var number: Int
    public var entries: [Entry]

    public struct Entry: Sendable, Equatable {
        public var recipient: Int
        public var action: String
        public init(recipient: Int, action: String) {
            self.recipient = recipient
            self.action = action
        }
    }

    public init(number: Int, entries: [Entry]) {
        self.number = number
        self.entries = entries
    }
}

/// One line of the recipient log.
public enum LogRecord: Sendable, Equatable {
    case result(RecipientResult)
    case target(TargetResult)
    case report(ReportRecord)

    var line: String {
        // Line breaks become spaces (per scalar: "\r\n" is one Character).
        func clean(_ text: String) -> String {
            String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
        }
        switch self {
        case .result(let r): return "\(r.recipient) \(r.status.rawValue) \(clean(r.text))\n"
        case .target(let t):
            let key = String(clean(t.key).map { $0 == " " ? "_" : $0 })
            return "target \(t.recipient) \(key) \(clean(t.text))\n"
        case .report(let r):
            let entries = r.entries.map { "\($0.recipient):\($0.action)" }.joined(separator: ",")
            return "report \(r.number) \(entries)\n"
        }
    }
}

/// A committed message as the delivery code sees it.
public struct QueuedMessage: Sendable {
    public var id: QueueID
    public var envelope: Envelope
    /// The file and where the message starts in it (the message may be large: read it from
    /// there instead of loading it).
    public var path: String
    public var messageOffset: Int
    public var messageSize: Int
    /// Every result recorded so far, oldest first.
    public var results: [RecipientResult]
    /// Targets of expanded recipients already done (see the log format above).
    public var targets: [TargetResult] = []
    /// Notifications already queued about this message.
    public var reports: [ReportRecord] = []
    public var held: Bool
    /// The next delivery attempt (the file's mtime), seconds since 1970.
    public var nextAttempt: Int64 = 0

    public init(id: QueueID, envelope: Envelope, path: String, messageOffset: Int, messageSize: Int,
                results: [RecipientResult], targets: [TargetResult] = [], reports: [ReportRecord] = [],
                held: Bool, nextAttempt: Int64 = 0) {
        self.id = id
        self.envelope = envelope
        self.path = path
        self.messageOffset = messageOffset
        self.messageSize = messageSize
        self.results = results
        self.targets = targets
        self.reports = reports
        self.held = held
        self.nextAttempt = nextAttempt
    }

    /// The final result (delivered or bounced) of a recipient, if it has one.
    public func finalResult(_ recipient: Int) -> RecipientResult? {
        results.last { $0.recipient == recipient && $0.status != .deferred }
    }

    /// The last result of any kind recorded for a recipient.
    public func lastResult(_ recipient: Int) -> RecipientResult? {
        results.last { $0.recipient == recipient }
    }

    /// Recipients with a final result (delivered or bounced) are done; the rest still need work.
    public var pendingRecipients: [Int] {
        let done = Set(results.filter { $0.status != .deferred }.map(\.recipient))
        return envelope.recipients.indices.filter { !done.contains($0) }
    }
}

/// How the spool (and the queue runner's Maildir deliveries) make a write durable.
public enum SyncMethod: String, Sendable, Equatable {
    /// fsync each file, then its directory (the directory fsync shared between concurrent writers).
    case file
    /// Write and rename without a sync, then one syncfs(2) of the file system shared by every
    /// writer of the moment (GroupSync.fileSystem).
    case fileSystem = "filesystem"
}

public final class Spool: @unchecked Sendable {
    public let directory: String
    public let syncMethod: SyncMethod
    var incoming: String { "\(directory)/incoming" }
    var queue: String { "\(directory)/queue" }
    var hold: String { "\(directory)/hold" }
    let queueSync: GroupSync

    /// Files kept in free/ for reuse by new receptions.
    public static let recycledFiles = 512
    var free: String { "\(directory)/free" }
    private let recycleLock = NSLock()
    private var recycled: [String] = []
    private var recycleCounter = 0

    static let magicV1 = "MAILROOM-QUEUE 1 "
    static let magic = "MAILROOM-QUEUE 2 "
    /// Digits of the message length in a version 2 header.
    static let lengthDigits = 20

    /// Opens (creating when needed) the spool directories.
    public init(directory: String, syncMethod: SyncMethod = .file) throws(QueueError) {
        self.directory = directory
        self.syncMethod = syncMethod
        self.queueSync = GroupSync(path: "\(directory)/queue")
        for dir in [directory, "\(directory)/incoming", "\(directory)/queue", "\(directory)/hold", "\(directory)/free"] {
            guard mkdir(dir, 0o700) == 0 || errno == EEXIST else { throw QueueError.from(errno, "mkdir \(dir)") }
        }
        recycled = Self.list(free)
    }

    /// Takes a file from free/ and renames it to `path`; false when none is left (or another
    /// process took it first).
    func reuseFile(as path: String) -> Bool {
        while true {
            recycleLock.lock()
            let name = recycled.popLast()
            recycleLock.unlock()
            guard let name else { return false }
            if rename("\(free)/\(name)", path) == 0 { return true }
        }
    }

    /// Moves a removed message's file to free/ for reuse, or unlinks it when free/ is full.
    private func recycle(_ path: String) -> Bool {
        recycleLock.lock()
        let room = recycled.count < Self.recycledFiles
        recycleCounter += 1
        let name = "\(getpid())-\(recycleCounter)"
        recycleLock.unlock()
        guard room, rename(path, "\(free)/\(name)") == 0 else { return unlink(path) == 0 }
        recycleLock.lock()
        recycled.append(name)
        recycleLock.unlock()
        return true
    }

    /// Directory fsyncs made so far for commits (tests and benchmarks read it).
    public var commitSyncs: Int { queueSync.syncCount }

    // MARK: Receiving

    /// Starts a message: the envelope is written first, the message is appended as it arrives.
    public func receive(_ envelope: Envelope, id: QueueID = .make()) throws(QueueError) -> SpoolWriter {
        try SpoolWriter(spool: self, id: id, envelope: envelope)
    }

    func commit(_ writer: SpoolWriter) throws(QueueError) {
        let from = "\(incoming)/\(writer.id)"
        let to = "\(queue)/\(writer.id)"
        guard rename(from, to) == 0 else { throw QueueError.from(errno, "rename \(from)") }
        CrashPoints.reach("queue.renamed")
        switch syncMethod {
        case .file: try queueSync.sync()
        case .fileSystem: try GroupSync.fileSystem(containing: queue).sync(via: queue)
        }
    }

    // MARK: Reading

    /// What the start-up scan found: committed messages to resume, held ones, and how many
    /// unacknowledged partial receptions it removed.
    public struct ScanResult: Sendable, Equatable {
        public var queued: [QueueID]
        public var held: [QueueID]
        public var removedIncoming: Int
        public var unreadable: [String]
        /// The next attempt of each queued message (its file's mtime), seconds since 1970.
        public var nextAttempt: [QueueID: Int64] = [:]
    }

    /// The start-up scan: removes leftovers of receptions a crash interrupted (never
    /// acknowledged) and lists what is queued, oldest first.
    public func scan() throws(QueueError) -> ScanResult {
        var removed = 0
        for name in Self.list(incoming) {
            if unlink("\(incoming)/\(name)") == 0 { removed += 1 }
        }
        if removed > 0 { _ = GroupSync.fsyncDirectory(incoming) }
        // Cut short by a power loss before the commit's sync: never acknowledged.
        for name in Self.list(queue) where !name.hasSuffix(".log") && QueueID(name) != nil {
            if Self.isIncomplete("\(queue)/\(name)"), unlink("\(queue)/\(name)") == 0 {
                unlink("\(queue)/\(name).log")
                removed += 1
            }
        }
        repairOrphanLogs()
        var unreadable: [String] = []
        func ids(_ dir: String) -> [QueueID] {
            Self.list(dir).compactMap { name -> QueueID? in
                if name.hasSuffix(".log") { return nil }
                guard let id = QueueID(name) else {
                    unreadable.append("\(dir)/\(name)")
                    return nil
                }
                return id
            }.sorted()
        }
        let queued = ids(queue)
        var due: [QueueID: Int64] = [:]
        for id in queued {
            var st = stat()
            if stat("\(queue)/\(id)", &st) == 0 { due[id] = Int64(st.st_mtim.tv_sec) }
        }
        return ScanResult(queued: queued, held: ids(hold), removedIncoming: removed, unreadable: unreadable,
                          nextAttempt: due)
    }

    /// A recipient log whose message is gone: `remove` was interrupted between its two unlinks
    /// (the log then goes too), or `setHeld` between its two renames (the log follows the
    /// message, so its results are kept).
    private func repairOrphanLogs() {
        for (here, there) in [(queue, hold), (hold, queue)] {
            for name in Self.list(here) where name.hasSuffix(".log") {
                let message = String(name.dropLast(4))
                guard QueueID(message) != nil, access("\(here)/\(message)", F_OK) != 0 else { continue }
                if access("\(there)/\(message)", F_OK) == 0 {
                    rename("\(here)/\(name)", "\(there)/\(name)")
                } else {
                    unlink("\(here)/\(name)")
                }
            }
        }
    }

    /// Lists what is queued and held without removing anything (for `mailroom queue list`,
    /// which may run beside a server that is receiving into incoming/).
    public func list() -> (queued: [QueueID], held: [QueueID]) {
        func ids(_ dir: String) -> [QueueID] {
            Self.list(dir).compactMap { $0.hasSuffix(".log") ? nil : QueueID($0) }.sorted()
        }
        return (ids(queue), ids(hold))
    }

    /// The queued (not held) messages with their next attempt times, without touching
    /// incoming/ (the running runner's periodic look, beside sessions that are receiving).
    public func queuedDueTimes() -> [QueueID: Int64] {
        var due: [QueueID: Int64] = [:]
        for name in Self.list(queue) where !name.hasSuffix(".log") {
            guard let id = QueueID(name) else { continue }
            var st = stat()
            if stat("\(queue)/\(name)", &st) == 0 { due[id] = Int64(st.st_mtim.tv_sec) }
        }
        return due
    }

    /// Whether the message is queued or held.
    public func exists(_ id: QueueID) -> Bool {
        access("\(queue)/\(id)", F_OK) == 0 || access("\(hold)/\(id)", F_OK) == 0
    }

    /// A queued (or held) message with its recorded results.
    public func message(_ id: QueueID) throws(QueueError) -> QueuedMessage {
        try read(id, wholeFile: false).message
    }

    /// A queued (or held) message with its bytes, read with one open and one read: what a
    /// delivery attempt needs.
    public func load(_ id: QueueID) throws(QueueError) -> (message: QueuedMessage, bytes: [UInt8]) {
        try read(id, wholeFile: true)
    }

    private func read(_ id: QueueID, wholeFile: Bool) throws(QueueError) -> (message: QueuedMessage, bytes: [UInt8]) {
        var held = false
        var path = "\(queue)/\(id)"
        var fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0, errno == ENOENT {
            path = "\(hold)/\(id)"
            held = true
            fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0, errno == ENOENT { throw .notFound(id) }
        }
        guard fd >= 0 else { throw QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw QueueError.from(errno, "fstat \(path)") }
        let size = Int(st.st_size)
        // The header line and envelope: the first 64 KiB (more if the envelope is longer), or
        // the whole file when the message is wanted too.
        var head = try Self.readFully(fd, count: wholeFile ? size : min(size, 65536), at: 0, path: path)
        guard let newline = head.firstIndex(of: 0x0A) else { throw .damaged("\(path): no header line") }
        let line = String(decoding: head[..<newline], as: UTF8.self)
        guard let header = Self.header(line) else { throw .damaged("\(path): bad header '\(line.prefix(40))'") }
        let length = header.envelopeLength
        let start = newline + 1
        let messageOffset = start + length + 1
        guard messageOffset <= size else { throw .damaged("\(path): truncated envelope") }
        if let messageLength = header.messageLength, messageOffset + messageLength != size {
            throw .damaged("\(path): incomplete (\(size - messageOffset) of \(messageLength) message bytes)")
        }
        if head.count < messageOffset { head = try Self.readFully(fd, count: messageOffset, at: 0, path: path) }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(head[start..<(start + length)]))
        } catch {
            throw .damaged("\(path): envelope: \(error)")
        }
        var message = QueuedMessage(id: id, envelope: envelope, path: path, messageOffset: messageOffset,
                                    messageSize: size - messageOffset, results: [], held: held)
        message.nextAttempt = Int64(st.st_mtim.tv_sec)
        for record in records(path + ".log") {
            switch record {
            case .result(let r): message.results.append(r)
            case .target(let t): message.targets.append(t)
            case .report(let r): message.reports.append(r)
            }
        }
        let bytes = wholeFile ? Array(head[messageOffset...]) : []
        return (message, bytes)
    }

    /// The log records of a message (empty when it has none or is gone).
    public func records(of id: QueueID) -> [LogRecord] {
        let path = access("\(queue)/\(id)", F_OK) == 0 ? "\(queue)/\(id).log" : "\(hold)/\(id).log"
        return records(path)
    }

    /// The envelope length and (version 2) the message length of a header line.
    static func header(_ line: String) -> (envelopeLength: Int, messageLength: Int?)? {
        if line.hasPrefix(magicV1) {
            guard let length = Int(line.dropFirst(magicV1.count)), length >= 0 else { return nil }
            return (length, nil)
        }
        guard line.hasPrefix(magic) else { return nil }
        let fields = line.dropFirst(magic.count).split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 2, let envelope = Int(fields[0]), envelope >= 0,
              fields[1].count == lengthDigits, let message = Int(fields[1]), message >= 0 else { return nil }
        return (envelope, message)
    }

    /// A version 2 file whose size is not what its header says: cut by a power loss before the
    /// commit's sync (never acknowledged), or still being committed (a zero length field).
    static func isIncomplete(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 96)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0, let newline = buffer[..<n].firstIndex(of: 0x0A) else { return Int(st.st_size) < 96 }
        guard let header = header(String(decoding: buffer[..<newline], as: UTF8.self)),
              let messageLength = header.messageLength else { return false }
        return newline + 1 + header.envelopeLength + 1 + messageLength != Int(st.st_size)
    }

    static func readFully(_ fd: Int32, count: Int, at offset: Int, path: String) throws(QueueError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw QueueError.from(errno, "read \(path)") }
            guard n > 0 else { throw .damaged("\(path): shorter than its header says") }
            done += n
        }
        return bytes
    }

    /// The message bytes of a queued message.
    public func messageBytes(_ message: QueuedMessage) throws(QueueError) -> [UInt8] {
        let fd = open(message.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(message.path)") }
        defer { close(fd) }
        return try Self.readFully(fd, count: message.messageSize, at: message.messageOffset, path: message.path)
    }

    func records(_ path: String) -> [LogRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [LogRecord] = []
        // Only complete lines: a crash in the middle of an append leaves a torn last line.
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            if let record = Self.parseRecord(line) { out.append(record) }
        }
        return out
    }

    /// One log line; nil for a line this version does not know (skipped, never fatal).
    static func parseRecord(_ line: Data) -> LogRecord? {
        let fields = line.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 2 else { return nil }
        if let index = Int(fields[0]) {
            guard let status = RecipientResult.Status(rawValue: fields[1]) else { return nil }
            let text = fields.count > 2 ? fields[2...].joined(separator: " ") : ""
            return .result(RecipientResult(recipient: index, status: status, text: text))
        }
        switch fields[0] {
        case "target":
            guard fields.count >= 3, let index = Int(fields[1]) else { return nil }
            return .target(TargetResult(recipient: index, key: fields[2], text: fields.count > 3 ? fields[3] : ""))
        case "report":
            guard let number = Int(fields[1]) else { return nil }
            let entries = (fields.count > 2 ? fields[2] : "").split(separator: ",").compactMap { item -> ReportRecord.Entry? in
                let parts = item.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let index = Int(parts[0]) else { return nil }
                return ReportRecord.Entry(recipient: index, action: String(parts[1]))
            }
            return .report(ReportRecord(number: number, entries: entries))
        default:
            return nil
        }
    }

    // MARK: Results and removal

    /// Records a result durably (append, fsync) before the caller acts on it.
    public func record(_ result: RecipientResult, for id: QueueID) throws(QueueError) {
        try record([.result(result)], for: id, durable: true)
    }

    /// Appends records with one write; with `durable`, fsyncs them before returning. A message
    /// that is gone (deleted meanwhile) gets no log: `.notFound`.
    public func record(_ records: [LogRecord], for id: QueueID, durable: Bool) throws(QueueError) {
        guard !records.isEmpty else { return }
        let base: String
        if access("\(queue)/\(id)", F_OK) == 0 {
            base = queue
        } else if access("\(hold)/\(id)", F_OK) == 0 {
            base = hold
        } else {
            throw .notFound(id)
        }
        let path = "\(base)/\(id).log"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        let bytes = Array(records.map(\.line).joined().utf8)
        // One write: O_APPEND keeps it whole against other appenders; a crash may tear it.
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == bytes.count else { throw QueueError.from(errno, "append \(path)") }
        if durable {
            guard fsync(fd) == 0 else { throw QueueError.from(errno, "fsync \(path)") }
        }
    }

    /// Sets when the next delivery attempt is due (the queue file's mtime; not synced).
    public func setNextAttempt(_ id: QueueID, at seconds: Int64) throws(QueueError) {
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: 0), timespec(tv_sec: Int(seconds), tv_nsec: 0)]
        for base in [queue, hold] {
            if utimensat(AT_FDCWD, "\(base)/\(id)", &times, 0) == 0 { return }
            guard errno == ENOENT else { throw QueueError.from(errno, "utimensat \(base)/\(id)") }
        }
        throw .notFound(id)
    }

    // MARK: The runner

    /// Asks the running queue runner (if any) to re-read the due times now.
    public func requestRun() throws(QueueError) {
        let path = "\(directory)/flush"
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.from(errno, "create \(path)") }
        close(fd)
    }

    /// True (once) when `requestRun` was called since the last time.
    public func takeRunRequest() -> Bool {
        unlink("\(directory)/flush") == 0
    }

    /// The exclusive right to deliver from this spool, held until the lock is released or the
    /// process ends (flock: the kernel drops it on exit or kill -9). nil when another process
    /// (a running server, or `mailroom queue run`) has it.
    public func lockRunner() throws(QueueError) -> RunnerLock? {
        let path = "\(directory)/runner.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw QueueError.from(code, "flock \(path)")
        }
        return RunnerLock(fd: fd)
    }

    /// Removes a message whose recipients are all done (its file is kept in free/ for reuse),
    /// or that an administrator deletes (`recycle: false`: the file is unlinked at once).
    public func remove(_ id: QueueID, recycle reuse: Bool = true) throws(QueueError) {
        var found = false
        for base in [queue, hold] where access("\(base)/\(id)", F_OK) == 0 {
            if reuse ? recycle("\(base)/\(id)") : unlink("\(base)/\(id)") == 0 { found = true }
            unlink("\(base)/\(id).log")
        }
        guard found else { throw .notFound(id) }
    }

    /// Moves a message to hold/ (not delivered until released) or back.
    public func setHeld(_ id: QueueID, _ held: Bool) throws(QueueError) {
        let (from, to) = held ? (queue, hold) : (hold, queue)
        guard rename("\(from)/\(id)", "\(to)/\(id)") == 0 else {
            if errno == ENOENT, access("\(to)/\(id)", F_OK) == 0 { return }
            throw errno == ENOENT ? .notFound(id) : QueueError.from(errno, "rename \(from)/\(id)")
        }
        if rename("\(from)/\(id).log", "\(to)/\(id).log") != 0, errno != ENOENT {
            throw QueueError.from(errno, "rename \(from)/\(id).log")
        }
        if let error = GroupSync.fsyncDirectory(to) { throw error }
    }

    static func list(_ dir: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    }
}

/// The queue runner's lock on a spool (see `Spool.lockRunner`).
public final class RunnerLock: @unchecked Sendable {
    private var fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    public func release() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { release() }
}

/// One message being received: append the bytes, then commit (durable) or abort.
public final class SpoolWriter: @unchecked Sendable {
    public let id: QueueID
    let spool: Spool
    private var fd: Int32
    private(set) public var messageBytes = 0
    private var finished = false
    /// Where the 20 digits of the message length start in the header line.
    private var lengthOffset = 0

    init(spool: Spool, id: QueueID, envelope: Envelope) throws(QueueError) {
        self.spool = spool
        self.id = id
        let path = "\(spool.incoming)/\(id)"
        if spool.reuseFile(as: path) {
            // Our own file from free/ (a 0700 directory): truncated, never followed if a link.
            fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC)
            var st = stat()
            if fd >= 0, fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG || st.st_uid != geteuid() {
                close(fd)
                unlink(path)
                fd = -1
            }
            if fd < 0 { fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw QueueError.from(errno, "create \(path)") }
        let json: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            json = try encoder.encode(envelope)
        } catch {
            close(fd)
            unlink(path)
            throw .io("envelope: \(error)")
        }
        do {
            let prefix = "\(Spool.magic)\(json.count) "
            lengthOffset = prefix.utf8.count
            try write(Array(prefix.utf8) + Array(repeating: UInt8(ascii: "0"), count: Spool.lengthDigits) + [0x0A]
                      + [UInt8](json) + [0x0A])
        } catch {
            abort()
            throw error
        }
    }

    /// Appends message bytes (the session calls this as DATA or BDAT chunks arrive).
    public func append(_ bytes: some Collection<UInt8>) throws(QueueError) {
        let array = Array(bytes)
        try write(array)
        messageBytes += array.count
    }

    private func write(_ bytes: [UInt8]) throws(QueueError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw QueueError.from(errno, "write \(spool.incoming)/\(id)")
            }
            offset += n
        }
    }

    /// Makes the message durable and queued. When this returns, the 250 may be sent.
    public func commit() throws(QueueError) {
        precondition(!finished, "SpoolWriter used after commit or abort")
        // The message length goes into the header last: a file whose size disagrees with it
        // was cut short (see the header of this file).
        let digits = String(messageBytes)
        let field = Array((String(repeating: "0", count: max(0, Spool.lengthDigits - digits.count)) + digits).utf8)
        let written = field.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, off_t(lengthOffset)) }
        guard written == field.count else {
            let error = QueueError.from(written < 0 ? errno : EIO, "write \(spool.incoming)/\(id)")
            abort()
            throw error
        }
        if spool.syncMethod == .file, fsync(fd) != 0 {
            let error = QueueError.from(errno, "fsync \(spool.incoming)/\(id)")
            abort()
            throw error
        }
        CrashPoints.reach("queue.synced")
        close(fd)
        fd = -1
        finished = true
        do {
            try spool.commit(self)
        } catch {
            // The rename may have happened: the message is then queued but not known durable.
            // Leave it; the client gets a temporary error and may send it again (at worst a
            // duplicate, never a loss).
            unlink("\(spool.incoming)/\(id)")
            throw error
        }
    }

    /// Drops the message (client went away, RSET, or a refusal after DATA).
    public func abort() {
        guard !finished else { return }
        finished = true
        if fd >= 0 { close(fd) }
        fd = -1
        unlink("\(spool.incoming)/\(id)")
    }

    deinit { abort() }
}
