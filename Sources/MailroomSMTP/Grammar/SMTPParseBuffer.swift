// SMTPParseBuffer — a read cursor over the octets of one command line (or a part of one).
//
// The grammar works on octets, never on Swift Characters: "\r\n" is one Character, and a
// combining mark after "@" or ">" would merge with it. UTF-8 is decoded only for the parts
// that may hold it (local parts, U-labels, free text), after their bounds are found.
//
// Standards: none of its own; see GrammarParser.
//
// Security: every read is bounds-checked and returns nil or an empty slice at the end, so no
// input can make the parser read past the line. Each operation is O(octets consumed).

struct SMTPParseBuffer {
    let bytes: [UInt8]
    private(set) var index: Int
    private(set) var endIndex: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: bytes.startIndex..<bytes.endIndex)
    }

    /// A cursor over `range` of `bytes` only.
    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.endIndex = range.upperBound
    }

    var isAtEnd: Bool { index >= endIndex }

    /// The unread octets.
    var rest: ArraySlice<UInt8> { bytes[index..<endIndex] }

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < endIndex ? bytes[index + offset] : nil
    }

    mutating func read() -> UInt8? {
        guard index < endIndex else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func skip(_ count: Int = 1) {
        index = min(index + count, endIndex)
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `literal` if it comes next, comparing ASCII letters without regard to case
    /// (RFC 5234 §2.3: ABNF strings are case-insensitive).
    mutating func consume(caseInsensitive literal: String) -> Bool {
        let wanted = Array(literal.utf8)
        guard endIndex - index >= wanted.count else { return false }
        for (offset, byte) in wanted.enumerated() where GrammarParser.upper(bytes[index + offset]) != GrammarParser.upper(byte) {
            return false
        }
        index += wanted.count
        return true
    }

    /// Reads octets while `predicate` holds.
    mutating func read(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < endIndex, predicate(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    /// Skips spaces; returns how many there were.
    @discardableResult
    mutating func skipSpaces() -> Int {
        read(while: { $0 == GrammarParser.space }).count
    }

    /// Drops spaces at the end of the range (a trailing SP that many clients send).
    mutating func dropTrailingSpaces() {
        while endIndex > index, bytes[endIndex - 1] == GrammarParser.space { endIndex -= 1 }
    }
}
