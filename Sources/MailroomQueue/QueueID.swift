// QueueID — the name of one queued message: unique on this host, sortable by arrival, safe as
// a file name, short enough for log lines. Shape (like Postfix's long queue IDs): 11 base-32
// digits of the arrival time in microseconds, then 'P' and the process ID in base 32, then 'Q'
// and a per-process counter in base 32, e.g. `1hkq8v0a3p4P2v5Q1`.
// Security: parsed IDs are checked against that alphabet, so an ID from a command line or a
// directory listing can never name a path outside the spool.

#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

public struct QueueID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let value: String

    static let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
    private static let counter = NIOLockedValueBox<UInt64>(0)

    /// A new ID for a message arriving now.
    public static func make(now microseconds: UInt64 = QueueID.nowMicroseconds()) -> QueueID {
        let n = counter.withLockedValue { c -> UInt64 in
            c += 1
            return c
        }
        let time = base32(microseconds)
        let padded = String(repeating: "0", count: max(0, 11 - time.count)) + time
        return QueueID(unchecked: "\(padded)P\(base32(UInt64(getpid())))Q\(base32(n))")
    }

    public static func nowMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec / 1000)
    }

    private init(unchecked value: String) { self.value = value }

    /// Accepts only the shape `make` produces.
    public init?(_ text: String) {
        let parts = text.split(separator: "P", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 11 else { return nil }
        let rest = parts[1].split(separator: "Q", omittingEmptySubsequences: false)
        guard rest.count == 2, !rest[0].isEmpty, !rest[1].isEmpty, rest[0].count <= 13, rest[1].count <= 13 else { return nil }
        let digits = parts[0] + rest[0] + rest[1]
        guard digits.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        value = text
    }

    /// The arrival time, in microseconds since 1970.
    public var arrivalMicroseconds: UInt64 {
        value.prefix(11).reduce(0) { $0 * 32 + UInt64(Self.alphabet.firstIndex(of: $1) ?? 0) }
    }

    public var description: String { value }

    public static func < (a: QueueID, b: QueueID) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = QueueID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad queue ID '\(text)'"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    static func base32(_ value: UInt64) -> String {
        guard value > 0 else { return "0" }
        var v = value
        var out: [Character] = []
        while v > 0 {
            out.append(alphabet[Int(v % 32)])
            v /= 32
        }
        return String(out.reversed())
    }
}
