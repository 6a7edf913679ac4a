// DovecotKeywords — the `dovecot-keywords` file of a Maildir folder, which maps IMAP keywords
// ($Forwarded, Junk, …) to the letters 'a'…'z' that stand for them in the `:2,` info part of
// message file names (see MaildirFileName.swift).
//
// Format (Dovecot's maildir-keywords.c): one line per keyword, "<index> <name>\n", index 0…25
// standing for 'a'…'z'; at most 26 keywords per folder. Lines are written in index order.
// Keyword names are IMAP atoms (RFC 3501 §9: flag-keyword = atom; atom = 1*ATOM-CHAR, so no
// space, CTL, '(' ')' '{' '%' '*' '"' '\' ']' and no 8-bit byte; a leading '\' would make it a
// system flag). Keywords compare case-insensitively (RFC 3501 §9, "all alphabetic characters are
// case-insensitive"), ASCII only since atoms are ASCII; the case of the first use is kept.
// Bad input: a line without a space, with an index that is not 0…25, with an empty or invalid
// name, or that repeats an index or a name is skipped and reported with its line number; the
// rest of the file is kept (the letters in file names still need their names).
// Security: the file sits in the user's Maildir; nothing in it is trusted beyond these rules.

public struct DovecotKeywords: Sendable, Equatable {
    /// Letters 'a'…'z': the most keywords one folder can have.
    public static let maximumCount = 26
    /// The file's name in each Maildir folder.
    public static let fileName = "dovecot-keywords"

    /// Index (0…25) → name; nil for a free index.
    public private(set) var names: [String?]

    public init() {
        names = Array(repeating: nil, count: Self.maximumCount)
    }

    /// A table from (index, name) pairs; refuses bad indexes, bad names and repeats.
    public init(_ entries: [(index: Int, name: String)]) throws(InvalidKeyword) {
        self.init()
        for entry in entries {
            guard names.indices.contains(entry.index) else {
                throw InvalidKeyword(name: entry.name, reason: "index \(entry.index) is not 0…\(Self.maximumCount - 1)")
            }
            let slot = entry.index
            if let reason = Self.problem(with: entry.name) { throw InvalidKeyword(name: entry.name, reason: reason) }
            guard names[slot] == nil, index(for: entry.name) == nil else {
                throw InvalidKeyword(name: entry.name, reason: "index or name is used twice")
            }
            names[slot] = entry.name
        }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "dovecot-keywords line \(line): \(reason)" }
    }

    public struct InvalidKeyword: Error, Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let reason: String
        public var description: String { "invalid keyword '\(name)': \(reason)" }
    }

    /// The result of parsing: the table as far as it could be read, and the lines skipped.
    public struct Parsed: Sendable, Equatable {
        public var keywords: DovecotKeywords
        public var problems: [ParseError]
    }

    /// Parses the file. Never fails as a whole: each bad line is skipped and reported.
    public static func parse(_ text: String) -> Parsed {
        var keywords = DovecotKeywords()
        var problems: [ParseError] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            if line.isEmpty { continue }
            guard let space = line.firstIndex(of: " ") else {
                problems.append(ParseError(line: lineNumber, reason: "no space between index and name"))
                continue
            }
            let indexText = line[..<space]
            let name = String(line[line.index(after: space)...])
            guard !indexText.isEmpty, indexText.utf8.count <= 9,
                  indexText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let index = Int(indexText), index < maximumCount else {
                problems.append(ParseError(line: lineNumber, reason: "index '\(indexText)' is not 0…\(maximumCount - 1)"))
                continue
            }
            if let reason = problem(with: name) {
                problems.append(ParseError(line: lineNumber, reason: reason))
                continue
            }
            if let existing = keywords.names[index] {
                problems.append(ParseError(line: lineNumber, reason: "index \(index) is already '\(existing)'"))
                continue
            }
            if let other = keywords.index(for: name) {
                problems.append(ParseError(line: lineNumber, reason: "'\(name)' is already index \(other)"))
                continue
            }
            keywords.names[index] = name
        }
        return Parsed(keywords: keywords, problems: problems)
    }

    /// The file text, as Dovecot writes it: used indexes in increasing order.
    public var serialized: String {
        var out = ""
        for (index, name) in names.enumerated() {
            if let name { out += "\(index) \(name)\n" }
        }
        return out
    }

    /// The number of keywords in the table.
    public var count: Int { names.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The index of `name`, compared case-insensitively.
    public func index(for name: String) -> Int? {
        names.firstIndex { $0.map { Self.sameKeyword($0, name) } ?? false }
    }

    /// The file-name letter of `name`, compared case-insensitively.
    public func letter(for name: String) -> Character? {
        index(for: name).flatMap(Self.letter(forIndex:))
    }

    /// The keyword that `letter` ('a'…'z') stands for, as first stored.
    public func name(for letter: Character) -> String? {
        Self.index(forLetter: letter).flatMap { names[$0] }
    }

    /// The letter of `name`: the one it has, or the lowest free one; nil when all 26 are taken.
    /// Throws for a name that is not a valid keyword.
    public mutating func assign(_ name: String) throws(InvalidKeyword) -> Character? {
        if let reason = Self.problem(with: name) { throw InvalidKeyword(name: name, reason: reason) }
        if let existing = index(for: name) { return Self.letter(forIndex: existing) }
        guard let free = names.firstIndex(where: { $0 == nil }) else { return nil }
        names[free] = name
        return Self.letter(forIndex: free)
    }

    /// 0 → 'a' … 25 → 'z'.
    public static func letter(forIndex index: Int) -> Character? {
        guard index >= 0 && index < maximumCount else { return nil }
        return Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(index)))
    }

    /// 'a' → 0 … 'z' → 25.
    public static func index(forLetter letter: Character) -> Int? {
        guard let ascii = letter.asciiValue, ascii >= UInt8(ascii: "a"), ascii <= UInt8(ascii: "z") else { return nil }
        return Int(ascii - UInt8(ascii: "a"))
    }

    /// Whether `name` is a valid keyword (an RFC 3501 atom; see the header).
    public static func isValidKeyword(_ name: String) -> Bool { problem(with: name) == nil }

    /// Why `name` is not a valid keyword, or nil.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "empty name" }
        for byte in name.utf8 {
            // RFC 3501 §9: ATOM-CHAR = <any CHAR except atom-specials>; CHAR = %x01-7F;
            // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials /
            // resp-specials.
            if byte >= 0x80 { return "8-bit character in keyword" }
            if byte < 0x20 || byte == 0x7F { return "control character in keyword" }
            switch byte {
            case UInt8(ascii: " "): return "space in keyword"
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"),
                 UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
                return "'\(Character(Unicode.Scalar(byte)))' is not allowed in a keyword"
            default: continue
            }
        }
        return nil
    }

    /// ASCII case-insensitive equality (keywords are ASCII atoms).
    static func sameKeyword(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { x, y in lowerASCII(x) == lowerASCII(y) }
    }

    private static func lowerASCII(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b + 0x20 : b
    }
}
