// IMAPParseBuffer — a read cursor over one command frame, with the nesting and literal
// counters that bound the parser.
//
// The frame is octets (never Swift Characters): the tag, the command and its arguments, with
// each literal still in wire form ("{n}" CRLF and n octets), without the final CRLF.
//
// Standards: RFC 3501 §4.3 (literals), RFC 7888 (LITERAL+ "{n+}"), RFC 3516 (literal8 "~{n}").
//
// Limits: IMAPLimits.nestingDepth (each "(" of a search key or list, and each NOT/OR, counts
// one level: the parser is recursive, so this bounds its stack), IMAPLimits.literalsPerCommand.
//
// Security: every read is bounds-checked; a literal whose announced length runs past the end
// of the frame is refused before any octet of it is copied.

struct IMAPParseBuffer {
    let bytes: [UInt8]
    private(set) var index: Int
    let limits: IMAPLimits
    private(set) var depth = 0
    private(set) var literals = 0

    init(_ bytes: [UInt8], limits: IMAPLimits) {
        self.bytes = bytes
        self.index = 0
        self.limits = limits
    }

    var isAtEnd: Bool { index >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    mutating func read() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `literal` (ASCII) if it comes next, ignoring the case of letters.
    mutating func consume(caseInsensitive literal: String) -> Bool {
        let wanted = Array(literal.utf8)
        guard bytes.count - index >= wanted.count else { return false }
        for (offset, byte) in wanted.enumerated() where IMAPGrammar.upper(bytes[index + offset]) != IMAPGrammar.upper(byte) {
            return false
        }
        index += wanted.count
        return true
    }

    /// Whether `literal` comes next (any case), without consuming it.
    func peek(caseInsensitive literal: String) -> Bool {
        var copy = self
        return copy.consume(caseInsensitive: literal)
    }

    /// Reads octets while `predicate` holds.
    mutating func read(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    /// Takes `count` octets (the caller has checked they are there).
    mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        let slice = bytes[index..<index + count]
        index += count
        return slice
    }

    var remaining: Int { bytes.count - index }

    /// One nesting level deeper; throws past IMAPLimits.nestingDepth.
    mutating func enter() throws(IMAPParseError) {
        depth += 1
        guard depth <= limits.nestingDepth else {
            throw IMAPParseError("nesting too deep (limit \(limits.nestingDepth))", kind: .limit)
        }
    }

    mutating func leave() { depth -= 1 }

    /// One more literal; throws past IMAPLimits.literalsPerCommand.
    mutating func countLiteral() throws(IMAPParseError) {
        literals += 1
        guard literals <= limits.literalsPerCommand else {
            throw IMAPParseError("too many literals (limit \(limits.literalsPerCommand))", kind: .limit)
        }
    }
}
