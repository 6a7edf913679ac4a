// MaildirDelivery — writing one message into a Maildir so that it is either completely there
// or not there at all, and is on disk before success is reported.
//
// Order (maildir(5); Dovecot's maildir-save.c): create tmp/<unique> with O_EXCL, write it,
// fsync the file, rename it into new/<unique>,S=<size>,W=<rfc822 size>, fsync new/. Only then
// does deliver() return. On any failure the tmp file is removed and nothing appears in new/.
// Errors are typed: a full disk or file-system quota is temporary (the sender retries); a
// missing Maildir is permanent for this attempt's caller to map.
// Security: files are created mode 0600 with O_EXCL|O_NOFOLLOW, so a planted link in tmp/ is
// never followed.

#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import MailroomCore

public enum MaildirDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ENOSPC / EDQUOT: try again later (SMTP 452 4.3.1).
    case noSpace(String)
    /// The Maildir (or its tmp/ or new/) does not exist.
    case missingMaildir(String)
    /// Any other I/O failure, treated as temporary.
    case io(String)

    public var isTemporary: Bool {
        switch self {
        case .noSpace, .io: true
        case .missingMaildir: false
        }
    }

    public var description: String {
        switch self {
        case .noSpace(let m): "no space left for the message: \(m)"
        case .missingMaildir(let m): "no such Maildir: \(m)"
        case .io(let m): "cannot write the message: \(m)"
        }
    }
}

public enum MaildirDelivery {
    /// Deliveries made by this process, for the Q part of unique names.
    private static let counter = NIOLockedValueBox(0)

    /// The size of `message` with every bare LF counted as CRLF (IMAP's RFC822.SIZE, Dovecot's W).
    public static func rfc822Size(_ message: [UInt8]) -> Int64 {
        var size = Int64(message.count)
        var previous: UInt8 = 0
        for byte in message {
            if byte == 0x0A, previous != 0x0D { size += 1 }
            previous = byte
        }
        return size
    }

    /// Delivers `message` into new/ of `maildir` and returns the file's name.
    @discardableResult
    public static func deliver(_ message: [UInt8], into maildir: String, host: String) throws(MaildirDeliveryError) -> MaildirFileName {
        let written = try writeTemporary(message, into: maildir, host: host)
        CrashPoints.reach("delivery.tmp-synced")
        let tmpPath = "\(maildir)/tmp/\(written.tmpName)"
        let newPath = "\(maildir)/new/\(written.name.description)"
        guard rename(tmpPath, newPath) == 0 else {
            let code = errno
            unlink(tmpPath)
            throw classify(code, "rename into \(maildir)/new", missingIsMaildir: true)
        }
        CrashPoints.reach("delivery.renamed")
        let dir = open("\(maildir)/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw classify(errno, "open \(maildir)/new") }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw classify(errno, "fsync \(maildir)/new") }
        return written.name
    }

    /// Writes `message` to tmp/<unique> with O_EXCL, fsyncs it and returns the tmp name and the
    /// name it gets in new/ (base with S= and W=). With `internalDate`, the file's mtime is set to
    /// it (Maildir keeps the IMAP internal date as the mtime). On failure nothing is left.
    public static func writeTemporary(_ message: [UInt8], into maildir: String, host: String,
                                      internalDate: Int64? = nil) throws(MaildirDeliveryError) -> (tmpName: String, name: MaildirFileName) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let delivery = counter.withLockedValue { n -> Int in
            n += 1
            return n
        }
        let base = MaildirFileName.makeUniqueBase(
            seconds: Int64(ts.tv_sec), microseconds: Int(ts.tv_nsec / 1000), pid: getpid(), delivery: delivery,
            random: UInt64.random(in: 0...UInt64.max), host: host)
        let name = MaildirFileName(base: base, fields: [("S", String(message.count)), ("W", String(rfc822Size(message)))]).inNew()
        let tmpPath = "\(maildir)/tmp/\(base)"

        let fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw classify(errno, "create \(tmpPath)", missingIsMaildir: true) }
        CrashPoints.reach("delivery.tmp-created")
        let failure: MaildirDeliveryError? = message.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return classify(errno, "write \(tmpPath)")
                }
                offset += n
            }
            if let internalDate {
                var times = [timespec(tv_sec: Int(internalDate), tv_nsec: 0), timespec(tv_sec: Int(internalDate), tv_nsec: 0)]
                _ = futimens(fd, &times)
            }
            return fsync(fd) == 0 ? nil : classify(errno, "fsync \(tmpPath)")
        }
        try closeTemporary(fd, path: tmpPath, failure: failure)
        return (base, name)
    }

    /// Closes a tmp/ file just written; on `failure`, or when the close itself fails (a
    /// delayed write error), the file is removed and the error thrown.
    public static func closeTemporary(_ fd: Int32, path: String, failure: MaildirDeliveryError?) throws(MaildirDeliveryError) {
        if let failure {
            close(fd)
            unlink(path)
            throw failure
        }
        guard close(fd) == 0 else {
            let code = errno
            unlink(path)
            throw classify(code, "close \(path)")
        }
    }

    /// The delivery error for errno `code` while doing `what`: ENOSPC/EDQUOT are `.noSpace`,
    /// ENOENT/ENOTDIR `.missingMaildir` when the missing thing is the Maildir itself.
    public static func classify(_ code: Int32, _ what: String, missingIsMaildir: Bool = false) -> MaildirDeliveryError {
        let reason = "\(what): \(String(cString: strerror(code)))"
        switch code {
        case ENOSPC, EDQUOT: return .noSpace(reason)
        case ENOENT where missingIsMaildir, ENOTDIR where missingIsMaildir: return .missingMaildir(reason)
        default: return .io(reason)
        }
    }
}
