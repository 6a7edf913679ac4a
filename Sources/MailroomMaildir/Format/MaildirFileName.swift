// MaildirFileName — the name of one message file: its unique base name, the `,S=` (file size)
// and `,W=` (RFC 822 size, CRLF line ends) fields that Dovecot and Courier add, and the `:2,`
// info part with the standard flags and Dovecot's keyword letters.
//
// Standards: qmail's maildir(5) ("unique names", "the info part"), Dovecot's maildir
// file-name extensions (doc/wiki MailboxFormat/Maildir). Only the `:2,` part carries flags;
// anything else after ':' is kept as it is and never interpreted (maildir(5): "experimental
// semantics").
// Security: a name with '/' or NUL, or starting with '.', is refused: names come from
// directory listings that another program may have written.

public struct MaildirFileName: Sendable, Hashable, CustomStringConvertible {
    /// The standard flags of the `:2,` info part, in the order they must appear (ASCII).
    public enum Flag: Character, Sendable, CaseIterable, Comparable {
        case draft = "D", flagged = "F", passed = "P", replied = "R", seen = "S", trashed = "T"

        public static func < (a: Flag, b: Flag) -> Bool { a.rawValue < b.rawValue }
    }

    /// The unique part, up to (not including) the first ',' field or ':'.
    public var base: String
    /// Extra `,X=value` fields between the base and the info, in order (e.g. S, W).
    public var fields: [(key: String, value: String)]
    /// Standard flags from a `:2,` info part.
    public var flags: Set<Flag>
    /// Dovecot keyword letters ('a'…'z') from a `:2,` info part, sorted.
    public var keywordLetters: [Character]
    /// An info part that is not `:2,…` (kept verbatim, without the ':'), or nil.
    public var otherInfo: String?

    public init(base: String, fields: [(key: String, value: String)] = [], flags: Set<Flag> = [],
                keywordLetters: [Character] = [], otherInfo: String? = nil) {
        self.base = base
        self.fields = fields
        self.flags = flags
        self.keywordLetters = keywordLetters.sorted()
        self.otherInfo = otherInfo
    }

    public static func == (a: MaildirFileName, b: MaildirFileName) -> Bool {
        a.description == b.description
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// The `,S=` value: the file's size in bytes.
    public var size: Int64? { field("S").flatMap { Int64($0) } }
    /// The `,W=` value: the message size with CRLF line ends (what IMAP RFC822.SIZE reports).
    public var virtualSize: Int64? { field("W").flatMap { Int64($0) } }

    public func field(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    /// The name without its info part: what `dovecot-uidlist` records.
    public var baseWithFields: String {
        base + fields.map { ",\($0.key)=\($0.value)" }.joined()
    }

    public var description: String {
        if let otherInfo { return "\(baseWithFields):\(otherInfo)" }
        if flags.isEmpty, keywordLetters.isEmpty, isInNew { return baseWithFields }
        let flagText = String(flags.sorted().map(\.rawValue)) + String(keywordLetters)
        return "\(baseWithFields):2,\(flagText)"
    }

    /// Files in new/ carry no info part; set by `inNew(_:)`.
    private var isInNew = false

    /// The same name as it is written in new/ (no info part).
    public func inNew() -> MaildirFileName {
        var copy = self
        copy.flags = []
        copy.keywordLetters = []
        copy.otherInfo = nil
        copy.isInNew = true
        return copy
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let reason: String
        public var description: String { "bad Maildir file name '\(name)': \(reason)" }
    }

    /// Parses a name found in cur/ or new/. Works on the UTF-8 bytes: a cold open of a large
    /// folder parses every name.
    public static func parse(_ name: String) throws(ParseError) -> MaildirFileName {
        let utf8 = name.utf8
        guard let first = utf8.first, first != UInt8(ascii: "."), !utf8.contains(UInt8(ascii: "/")), !utf8.contains(0) else {
            throw ParseError(name: name, reason: "empty, hidden, or contains '/' or NUL")
        }
        let colon = utf8.firstIndex(of: UInt8(ascii: ":"))
        let rest = name[..<(colon ?? name.endIndex)]
        var parts = rest.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        let baseBytes = parts.removeFirst()
        guard !baseBytes.isEmpty else { throw ParseError(name: name, reason: "no unique part before ','") }
        var fields: [(key: String, value: String)] = []
        for part in parts {
            guard let eq = part.firstIndex(of: UInt8(ascii: "=")), eq != part.startIndex else {
                throw ParseError(name: name, reason: "field '\(String(decoding: part, as: UTF8.self))' is not KEY=VALUE")
            }
            fields.append((String(decoding: part[..<eq], as: UTF8.self), String(decoding: part[part.index(after: eq)...], as: UTF8.self)))
        }
        var result = MaildirFileName(base: String(decoding: baseBytes, as: UTF8.self), fields: fields)
        guard let colon else {
            result.isInNew = true
            return result
        }
        let info = utf8[utf8.index(after: colon)...]
        if info.starts(with: [UInt8(ascii: "2"), UInt8(ascii: ",")]) {
            for byte in info.dropFirst(2) {
                let ch = Character(Unicode.Scalar(byte))
                if let flag = Flag(rawValue: ch) {
                    result.flags.insert(flag)
                } else if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
                    if !result.keywordLetters.contains(ch) { result.keywordLetters.append(ch) }
                }
                // Other characters (unknown upper-case flags of other programs) are dropped.
            }
            result.keywordLetters.sort()
        } else {
            result.otherInfo = String(decoding: info, as: UTF8.self)
        }
        return result
    }

    /// A new unique base name (maildir(5)): `<seconds>.M<µs>P<pid>Q<n>R<random>.<host>`, with '/'
    /// and ':' in the host name written as \057 and \072.
    public static func makeUniqueBase(seconds: Int64, microseconds: Int, pid: Int32, delivery: Int,
                                      random: UInt64, host: String) -> String {
        let randomHex = String(random, radix: 16)
        return "\(seconds).M\(microseconds)P\(pid)Q\(delivery)R\(randomHex).\(escapedHost(host))"
    }

    /// The host part of a unique name: '/' and ':' written as \057 and \072 (maildir(5)).
    public static func escapedHost(_ host: String) -> String {
        var safeHost = ""
        for ch in host {
            switch ch {
            case "/": safeHost += "\\057"
            case ":": safeHost += "\\072"
            default: safeHost.append(ch)
            }
        }
        return safeHost
    }
}
