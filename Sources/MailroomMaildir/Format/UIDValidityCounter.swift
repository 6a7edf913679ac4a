// UIDValidityCounter — the next UIDVALIDITY for a new folder of one Maildir, shared with Dovecot
// through its files in the Maildir root, so a folder deleted and created again (even within the
// same second, even by the other program) never gets its old UIDVALIDITY back (RFC 3501
// §2.3.1.1: a new mailbox with the same name must have a different UIDVALIDITY).
//
// Files (Dovecot's lib-storage convention): `dovecot-uidvalidity` holds the last value as eight
// hex digits; the empty marker `dovecot-uidvalidity.<8 hex>` carries the same value and is the
// real counter: whoever renames `.<v>` to `.<v+1>` owns v+1, so two processes can never both get
// it. Without any file, the first value is the current time, as Dovecot starts it.
// Bad input: a missing, empty or non-hex file is recovered by scanning for the marker; if the
// files cannot be written at all, the current time (kept increasing within this process) is used.

#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

enum UIDValidityCounter {
    static let fileName = "dovecot-uidvalidity"
    /// Attempts before falling back (another process took the value meanwhile).
    static let retries = 10

    private static let fallbackValue = NIOLockedValueBox<UInt32>(0)

    /// The next value for a new folder of the Maildir whose root (INBOX directory) is `root`.
    static func next(root: String) -> UInt32 {
        let path = "\(root)/\(fileName)"
        if let bytes = try? FileSystem.read(path, limit: 8), let current = hex(bytes), current > 0,
           let value = advance(path: path, from: current) {
            write(path: path, value)
            return value
        }
        return rescan(root: root, path: path)
    }

    /// The value for a folder of the Maildir that contains `directory` (INBOX or `.Name`).
    static func next(forFolder directory: String) -> UInt32 {
        let last = directory.split(separator: "/").last ?? ""
        return next(root: last.hasPrefix(".") ? FileSystem.parent(of: directory) : directory)
    }

    private static func advance(path: String, from start: UInt32) -> UInt32? {
        var value = start
        for _ in 0..<retries {
            let next = value &+ 1 == 0 ? 1 : value &+ 1
            if rename("\(path).\(hex8(value))", "\(path).\(hex8(next))") == 0 { return next }
            guard errno == ENOENT else { return nil }
            value = next   // someone else advanced it: try the next one
        }
        return nil
    }

    private static func rescan(root: String, path: String) -> UInt32 {
        let prefix = fileName + "."
        let values = MaildirLayout.entries(of: root).compactMap { name -> UInt32? in
            guard name.hasPrefix(prefix) else { return nil }
            return hex(Array(name.utf8.dropFirst(prefix.utf8.count)))
        }
        if let highest = values.max() {
            for stale in values where stale != highest { unlink("\(path).\(hex8(stale))") }
            if let value = advance(path: path, from: highest) {
                write(path: path, value)
                return value
            }
            return fallback()
        }
        for _ in 0..<retries {
            let value = fallback()
            let fd = open("\(path).\(hex8(value))", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
            if fd >= 0 {
                close(fd)
                write(path: path, value)
                return value
            }
            if errno != EEXIST { break }
        }
        return fallback()
    }

    /// The current time, or one more than the last value this process handed out.
    private static func fallback() -> UInt32 {
        fallbackValue.withLockedValue { last in
            let now = UInt32(truncatingIfNeeded: max(1, time(nil)))
            last = last < now ? now : last &+ 1
            return last
        }
    }

    private static func write(path: String, _ value: UInt32) {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let text = Array(hex8(value).utf8)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
    }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// Up to eight hex digits, ignoring a trailing newline; nil for anything else.
    static func hex(_ bytes: [UInt8]) -> UInt32? {
        var digits = bytes[...]
        while let last = digits.last, last == 0x0A || last == 0x20 { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        return UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
    }
}
