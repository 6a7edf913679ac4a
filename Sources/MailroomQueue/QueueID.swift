// QueueID — the name of one queued message: unique on this host, sortable by arrival, safe as
// a file name, short enough for log lines. Shape (like Postfix's long queue IDs): 11 base-32
// digits of the arrival time in microseconds, then 'P' and the process ID in base 32, then 'Q'
// and a per-process counter in base 32, e.g. `1hkq8v0a3p4P2v5Q1`.
// Derived messages — the copy of a message forwarded to remote targets of its recipient i, and
// the n-th delivery status notification about it — are named after their parent with a suffix:
// `…Q1R2` (recipient 2's forward), `…Q1N0` (report 0). A derived name is deterministic, so a
// runner that crashed after queueing one finds it again instead of queueing a second copy; it
// sorts right after its parent. At most `maximumDerivations` suffixes (a bounce of a forward of
// a forward …), each at most 7 digits.
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

    /// Accepts only the shape `make` and `derived` produce.
    public init?(_ text: String) {
        let parts = text.split(separator: "P", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 11 else { return nil }
        let rest = parts[1].split(separator: "Q", omittingEmptySubsequences: false)
        guard rest.count == 2, !rest[0].isEmpty, !rest[1].isEmpty, rest[0].count <= 13 else { return nil }
        guard let (counter, suffixes) = Self.splitDerivations(rest[1]), !counter.isEmpty, counter.count <= 13,
              suffixes.count <= Self.maximumDerivations else { return nil }
        let digits = parts[0] + rest[0] + counter
        guard digits.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        value = text
    }

    // MARK: Derived messages

    /// What a derived message is to its parent.
    public enum Derivation: Character, Sendable, Equatable {
        /// The copy for the remote targets of recipient `number` (an alias or forward).
        case forward = "R"
        /// Delivery status notification number `number` (a bounce, delay warning or success report).
        case report = "N"
    }

    /// How many derivations one name may carry.
    public static let maximumDerivations = 4

    /// The name of the `kind` message number `number` derived from this one.
    public func derived(_ kind: Derivation, _ number: Int) -> QueueID {
        precondition(number >= 0 && number < 1 << 35, "derivation number out of range")
        return QueueID(unchecked: "\(value)\(kind.rawValue)\(Self.base32(UInt64(number)))")
    }

    /// The message this one was derived from, how, and its number; nil for a received message.
    public var parent: (id: QueueID, kind: Derivation, number: Int)? {
        guard let index = value.lastIndex(where: { $0 == "R" || $0 == "N" }),
              let kind = Derivation(rawValue: value[index]) else { return nil }
        let digits = value[value.index(after: index)...]
        let number = digits.reduce(0) { $0 * 32 + (Self.alphabet.firstIndex(of: $1) ?? 0) }
        return (QueueID(unchecked: String(value[..<index])), kind, number)
    }

    /// The counter digits and the derivation suffixes after the 'Q'; nil when malformed.
    private static func splitDerivations(_ text: Substring) -> (Substring, [Substring])? {
        guard let first = text.firstIndex(where: { $0 == "R" || $0 == "N" }) else { return (text, []) }
        var suffixes: [Substring] = []
        var start = first
        while start < text.endIndex {
            let digitsStart = text.index(after: start)
            let end = text[digitsStart...].firstIndex(where: { $0 == "R" || $0 == "N" }) ?? text.endIndex
            let digits = text[digitsStart..<end]
            guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy({ alphabet.contains($0) }) else { return nil }
            suffixes.append(text[start..<end])
            start = end
        }
        return (text[..<first], suffixes)
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
