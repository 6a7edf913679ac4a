// Spool — the durable mail queue on disk. A message acknowledged with 250 is in `queue/` and
// on stable storage; a crash at any moment either leaves it there (and the start-up scan
// resumes its delivery) or leaves only a file in `incoming/` that was never acknowledged (and
// the scan removes it).
//
// Layout under storage.spool_dir:
//   incoming/<id>   being received: header + envelope, then the message as it streams in
//   queue/<id>      committed: the same file, renamed (the commit point)
//   queue/<id>.log  per-recipient results, appended and fsynced as they happen
//   hold/<id>(.log) held by the administrator (`mailroom queue hold`), not delivered
// Order of a commit (style guide rule 10, qmail-queue and Postfix's mail_stream): write →
// fsync the file → rename incoming/<id> to queue/<id> → fsync queue/ (shared between concurrent
// sessions by GroupSync) → only then report success. The envelope travels in the same file as
// the message, so each message is written and synced once.
// File format: the line "MAILROOM-QUEUE 1 <n>\n", n bytes of envelope JSON, "\n", then the
// message exactly as received (CRLF line ends, dot-stuffing removed).
// Recipient log: one line per result, "<index> <status> <text>\n", status delivered|bounced|
// deferred; a torn last line (a crash mid-append) is ignored. Delivery is idempotent per
// message and recipient because the log is consulted before each attempt.
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

    static func from(_ code: Int32, _ what: String) -> QueueError {
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
    public var held: Bool

    /// Recipients with a final result (delivered or bounced) are done; the rest still need work.
    public var pendingRecipients: [Int] {
        let done = Set(results.filter { $0.status != .deferred }.map(\.recipient))
        return envelope.recipients.indices.filter { !done.contains($0) }
    }
}

public final class Spool: @unchecked Sendable {
    public let directory: String
    var incoming: String { "\(directory)/incoming" }
    var queue: String { "\(directory)/queue" }
    var hold: String { "\(directory)/hold" }
    let queueSync: GroupSync

    static let magic = "MAILROOM-QUEUE 1 "

    /// Opens (creating when needed) the spool directories.
    public init(directory: String) throws(QueueError) {
        self.directory = directory
        self.queueSync = GroupSync(path: "\(directory)/queue")
        for dir in [directory, "\(directory)/incoming", "\(directory)/queue", "\(directory)/hold"] {
            guard mkdir(dir, 0o700) == 0 || errno == EEXIST else { throw QueueError.from(errno, "mkdir \(dir)") }
        }
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
        try queueSync.sync()
    }

    // MARK: Reading

    /// What the start-up scan found: committed messages to resume, held ones, and how many
    /// unacknowledged partial receptions it removed.
    public struct ScanResult: Sendable, Equatable {
        public var queued: [QueueID]
        public var held: [QueueID]
        public var removedIncoming: Int
        public var unreadable: [String]
    }

    /// The start-up scan: removes leftovers of receptions a crash interrupted (never
    /// acknowledged) and lists what is queued, oldest first.
    public func scan() throws(QueueError) -> ScanResult {
        var removed = 0
        for name in Self.list(incoming) {
            if unlink("\(incoming)/\(name)") == 0 { removed += 1 }
        }
        if removed > 0 { _ = GroupSync.fsyncDirectory(incoming) }
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
        return ScanResult(queued: ids(queue), held: ids(hold), removedIncoming: removed, unreadable: unreadable)
    }

    /// A queued (or held) message with its recorded results.
    public func message(_ id: QueueID) throws(QueueError) -> QueuedMessage {
        var held = false
        var path = "\(queue)/\(id)"
        if access(path, F_OK) != 0 {
            path = "\(hold)/\(id)"
            held = true
            guard access(path, F_OK) == 0 else { throw .notFound(id) }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw QueueError.from(errno, "fstat \(path)") }
        // The header line and envelope: read the first 64 KiB, more if the envelope is longer.
        var head = [UInt8](repeating: 0, count: min(Int(st.st_size), 65536))
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n == head.count else { throw QueueError.from(errno, "read \(path)") }
        guard let newline = head.firstIndex(of: 0x0A) else { throw .damaged("\(path): no header line") }
        let line = String(decoding: head[..<newline], as: UTF8.self)
        guard line.hasPrefix(Self.magic), let length = Int(line.dropFirst(Self.magic.count)), length >= 0 else {
            throw .damaged("\(path): bad header '\(line.prefix(40))'")
        }
        let start = newline + 1
        let messageOffset = start + length + 1
        guard messageOffset <= Int(st.st_size) else { throw .damaged("\(path): truncated envelope") }
        var json = [UInt8](repeating: 0, count: length)
        let m = json.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(start)) }
        guard m == length else { throw .damaged("\(path): truncated envelope") }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(json))
        } catch {
            throw .damaged("\(path): envelope: \(error)")
        }
        return QueuedMessage(id: id, envelope: envelope, path: path, messageOffset: messageOffset,
                             messageSize: Int(st.st_size) - messageOffset, results: results(path + ".log"), held: held)
    }

    /// The message bytes of a queued message.
    public func messageBytes(_ message: QueuedMessage) throws(QueueError) -> [UInt8] {
        let fd = open(message.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(message.path)") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: message.messageSize)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(message.messageOffset + done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .damaged("\(message.path): shorter than its header says") }
            done += n
        }
        return bytes
    }

    func results(_ path: String) -> [RecipientResult] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var out: [RecipientResult] = []
        // Only complete lines: a crash in the middle of an append leaves a torn last line.
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            let fields = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, let index = Int(String(decoding: fields[0], as: UTF8.self)),
                  let status = RecipientResult.Status(rawValue: String(decoding: fields[1], as: UTF8.self)) else { continue }
            out.append(RecipientResult(recipient: index, status: status,
                                       text: fields.count > 2 ? String(decoding: fields[2], as: UTF8.self) : ""))
        }
        return out
    }

    // MARK: Results and removal

    /// Records a result durably (append, fsync) before the caller acts on it.
    public func record(_ result: RecipientResult, for id: QueueID) throws(QueueError) {
        let base = access("\(queue)/\(id)", F_OK) == 0 ? queue : hold
        let path = "\(base)/\(id).log"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw QueueError.from(errno, "open \(path)") }
        defer { close(fd) }
        let text = result.text.map { $0 == "\n" || $0 == "\r" ? " " : $0 }
        let line = Array("\(result.recipient) \(result.status.rawValue) \(String(text))\n".utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        guard written == line.count else { throw QueueError.from(errno, "append \(path)") }
        guard fsync(fd) == 0 else { throw QueueError.from(errno, "fsync \(path)") }
    }

    /// Removes a message whose recipients are all done (or that an administrator deletes).
    public func remove(_ id: QueueID) throws(QueueError) {
        var found = false
        for base in [queue, hold] {
            if unlink("\(base)/\(id)") == 0 { found = true }
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

/// One message being received: append the bytes, then commit (durable) or abort.
public final class SpoolWriter: @unchecked Sendable {
    public let id: QueueID
    let spool: Spool
    private var fd: Int32
    private(set) public var messageBytes = 0
    private var finished = false

    init(spool: Spool, id: QueueID, envelope: Envelope) throws(QueueError) {
        self.spool = spool
        self.id = id
        let path = "\(spool.incoming)/\(id)"
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
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
            try write(Array("\(Spool.magic)\(json.count)\n".utf8) + [UInt8](json) + [0x0A])
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
        guard fsync(fd) == 0 else {
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
