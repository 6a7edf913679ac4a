// MaildirDeposit — the queue runner's Maildir delivery: the same durable order as the Maildir
// engine (maildir(5), Dovecot's maildir-save.c: tmp/ → fsync → rename into new/ → fsync new/),
// but under a name that is a function of the queued message, its recipient and the mailbox, so
// that delivery is idempotent: a runner that was killed after the rename and before it
// recorded the result finds the file again and records it instead of writing a second copy.
//
// Name (maildir(5) "unique names": time, a delivery identifier unique on this host, host):
//     <arrival s>.M<arrival µs>Q<queue ID>I<recipient index>U<user id>.<host>,S=<size>,W=<size>
// e.g. 1700000000.M123456Q1hkq8v0a3p4P2v5Q1I0U42.mx1,S=2048,W=2093. The base (up to the
// first ',') has no ',' or ':', so MaildirFileName.parse and the sync engine read it as any
// other name (tested); Dovecot keeps the base when it moves the file to cur/ and adds flags.
// The part up to and including the '.' before the host is the deposit's key: a resumed
// delivery looks for it in new/ and cur/ (with any fields and flags, and whatever host name
// wrote it), and removes a tmp/ file of the same name left by a crash before the rename.
//
// Durability: the caller records the delivery only after `deposit` returns, and by then the
// file and its directory entry are on disk. With SyncMethod.file (maildir(5)'s order) the file
// is fsynced before the rename and new/ after it, that fsync shared by concurrent deliveries
// into the same directory (DirectorySyncs). With .fileSystem the file is written and renamed
// without a sync and one syncfs(2) of the file system, shared by every delivery running at the
// time, makes the batch durable. A power cut before that syncfs may leave a renamed file
// shorter than its S= size: `find` compares the two and removes such a file, so the resumed
// delivery (which still has the spool copy, recorded only after the sync) writes it again.
// Crash points: queue.maildir-tmp-synced (tmp/ written and synced, not renamed),
// queue.maildir-renamed (in new/, directory not yet synced).
// Security: files are created 0600 with O_EXCL|O_NOFOLLOW; the name is built from validated
// queue IDs, integers and the configured host name ('/' and ':' escaped as in maildir(5)).
//
// XXX: the look-up after a crash finds the file in new/ or cur/ of the inbox. If the user moved
// or deleted it between the crash and the resume (seconds at most: the resume is the next
// start), it is delivered again. Retries of deferred recipients do not look: the log records
// each mailbox that got its copy ("target" records), so a copy deleted by its owner during the
// hours of a retry schedule is never delivered again.

#if canImport(Glibc)
import Glibc
#endif
import MailroomCore
import MailroomMaildir
import MailroomQueue

/// The deterministic name of one message's copy in one mailbox.
public struct DepositName: Sendable, Equatable {
    /// Everything up to the host: identifies the copy whatever host name wrote it.
    public let key: String
    /// The unique base name (key + host).
    public let base: String

    public init(queueID: QueueID, recipient: Int, userID: Int64, host: String) {
        let micros = queueID.arrivalMicroseconds
        key = "\(micros / 1_000_000).M\(micros % 1_000_000)Q\(queueID)I\(recipient)U\(userID)."
        base = key + MaildirFileName.escapedHost(host)
    }

    /// The name in new/ for a message of `size` bytes and `virtualSize` with CRLF line ends.
    public func fileName(size: Int, virtualSize: Int64) -> String {
        MaildirFileName(base: base, fields: [("S", String(size)), ("W", String(virtualSize))]).inNew().description
    }
}

public enum MaildirDeposit {
    public enum Outcome: Sendable, Equatable {
        /// Written now.
        case written(fileName: String)
        /// Found from an earlier attempt (new/ or cur/); nothing written.
        case alreadyThere(fileName: String)
    }

    /// The number of LF bytes not preceded by CR (each counts twice in the RFC822 size).
    static func bareLineFeeds(_ bytes: some Collection<UInt8>) -> Int64 {
        var count: Int64 = 0
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A, previous != 0x0D { count += 1 }
            previous = byte
        }
        return count
    }

    /// Writes `header` + `body` durably into `maildir`/new under `name`, unless `verify` finds
    /// it there (or in cur/) already. `bodyBareLineFeeds` is `bareLineFeeds(body)`, counted once
    /// per message rather than per mailbox.
    public static func deposit(header: [UInt8], body: [UInt8], bodyBareLineFeeds: Int64, into maildir: String,
                               name: DepositName, verify: Bool, syncs: DirectorySyncsHandle,
                               method: DeliveryOptions.SyncMethod = .file) throws(MaildirDeliveryError) -> Outcome {
        let tmpPath = "\(maildir)/tmp/\(name.base)"
        if verify, let existing = find(name.key, in: maildir) {
            unlink(tmpPath)
            return .alreadyThere(fileName: existing)
        }
        let size = header.count + body.count
        let virtualSize = Int64(size) + bareLineFeeds(header) + bodyBareLineFeeds
        let fileName = name.fileName(size: size, virtualSize: virtualSize)

        var fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0, errno == EEXIST {
            // Left by an attempt that died before its rename: never visible, so replace it.
            unlink(tmpPath)
            fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { throw classify(errno, "create \(tmpPath)", missingIsMaildir: true) }
        let syncFile = method == .file
        let failure = writeAll(fd, header, body, path: tmpPath) ?? (!syncFile || fsync(fd) == 0 ? nil : classify(errno, "fsync \(tmpPath)"))
        try MaildirDelivery.closeTemporary(fd, path: tmpPath, failure: failure)
        CrashPoints.reach("queue.maildir-tmp-synced")
        let newPath = "\(maildir)/new/\(fileName)"
        guard rename(tmpPath, newPath) == 0 else {
            let code = errno
            unlink(tmpPath)
            throw classify(code, "rename into \(maildir)/new", missingIsMaildir: true)
        }
        CrashPoints.reach("queue.maildir-renamed")
        do {
            switch method {
            case .file: try syncs.syncs.sync("\(maildir)/new")
            case .fileSystem: try syncs.syncs.syncFileSystem(of: "\(maildir)/new")
            }
        } catch {
            switch error {
            case .noSpace(let m): throw .noSpace(m)
            default: throw .io(error.description)
            }
        }
        return .written(fileName: fileName)
    }

    /// A file of this deposit in new/ or cur/ (any fields, flags or host), or nil. cur/ is read
    /// twice when the first pass finds nothing: a readdir that overlaps a rename (a client
    /// changing flags) may miss the entry once. A file shorter or longer than its S= size was
    /// cut by a power loss before its sync: it is removed and nil returned, so it is written again.
    public static func find(_ key: String, in maildir: String) -> String? {
        let prefix = Array(key.utf8)
        for directory in ["\(maildir)/new", "\(maildir)/cur", "\(maildir)/cur"] {
            guard let name = firstEntry(in: directory, prefix: prefix) else { continue }
            guard isWhole("\(directory)/\(name)", name: name) else {
                unlink("\(directory)/\(name)")
                return nil
            }
            return name
        }
        return nil
    }

    /// Whether the file's size is the S= field of its name (true when the name has none).
    static func isWhole(_ path: String, name: String) -> Bool {
        guard let parsed = try? MaildirFileName.parse(name), let size = parsed.size else { return true }
        var st = stat()
        guard stat(path, &st) == 0 else { return true }   // moved meanwhile: the client has it
        return Int64(st.st_size) == size
    }

    static func firstEntry(in directory: String, prefix: [UInt8]) -> String? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let found: String? = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> String? in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                guard length >= prefix.count else { return nil }
                for i in 0..<prefix.count where bytes[i] != prefix[i] { return nil }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
            }
            if let found { return found }
        }
        return nil
    }

    /// Writes both parts with writev, resuming after short writes.
    static func writeAll(_ fd: Int32, _ header: [UInt8], _ body: [UInt8], path: String) -> MaildirDeliveryError? {
        var offset = 0
        let total = header.count + body.count
        return header.withUnsafeBytes { h in
            body.withUnsafeBytes { b in
                while offset < total {
                    var vectors: [iovec] = []
                    if offset < h.count {
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: h.baseAddress! + offset), iov_len: h.count - offset))
                    }
                    if b.count > 0 {
                        let bodyOffset = max(0, offset - h.count)
                        vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress! + bodyOffset),
                                             iov_len: b.count - bodyOffset))
                    }
                    let n = writev(fd, vectors, Int32(vectors.count))
                    if n < 0 {
                        if errno == EINTR { continue }
                        return classify(errno, "write \(path)")
                    }
                    offset += n
                }
                return nil
            }
        }
    }

    static func classify(_ code: Int32, _ what: String, missingIsMaildir: Bool = false) -> MaildirDeliveryError {
        MaildirDelivery.classify(code, what, missingIsMaildir: missingIsMaildir)
    }

    /// Adds a delivered message to the mailbox's maildirsize, as the engine's own delivery
    /// does (MaildirQuota.add: one O_APPEND line; a missing file is left for recalculation).
    static func addToQuotaFile(root: String, bytes: Int64) {
        let path = "\(root)/\(MaildirSize.fileName)"
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line = Array(MaildirSize.deltaLine(bytes: bytes, messages: 1).utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    }
}

/// The shared directory fsyncs of one runner (a handle, so tests can count them).
public final class DirectorySyncsHandle: Sendable {
    let syncs = DirectorySyncs()
    public init() {}
    /// Directory fsyncs made so far.
    public var syncCount: Int { syncs.syncCount }
}
