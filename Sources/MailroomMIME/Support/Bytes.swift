// Bytes — small byte-level helpers shared by the MIME parsers: ASCII classes, case folding,
// trimming and line-end searches. Internal; nothing here is public API.
//
// Standards: RFC 5234 Appendix B.1 (WSP, CR, LF), RFC 5322 §2.2.3 (unfolding).
//
// Security: every helper is linear in its input and never reads outside the given bounds.

#if canImport(Glibc)
import Glibc
#endif

enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let comma: UInt8 = 0x2C
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let hyphen: UInt8 = 0x2D
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let at: UInt8 = 0x40
    static let dot: UInt8 = 0x2E
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let slash: UInt8 = 0x2F
    static let asterisk: UInt8 = 0x2A
    static let apostrophe: UInt8 = 0x27
    static let percent: UInt8 = 0x25
    static let underscore: UInt8 = 0x5F

    /// Whether every octet is below 0x80 (one OR over all of them, which vectorises).
    static func isAll(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var high: UInt8 = 0
            for b in buffer { high |= b }
            return high < 0x80
        }
    }

    /// RFC 5234 WSP: space or horizontal tab.
    @inline(__always) static func isWSP(_ b: UInt8) -> Bool { b == space || b == tab }
    /// WSP, CR or LF.
    @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }
    @inline(__always) static func lowercased(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// The value of a hexadecimal digit (either case), or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// `bytes` as a String: valid UTF-8 as it is, anything else byte for byte as ISO-8859-1
    /// (so no octet is lost or replaced).
    static func string(_ bytes: some Collection<UInt8>) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return latin1(bytes)
    }

    /// Each octet as the Unicode scalar of the same value (ISO-8859-1).
    static func latin1(_ bytes: some Collection<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    /// Lowercased ASCII string of `bytes` (non-ASCII octets kept through `string`).
    static func lowercasedString(_ bytes: some Collection<UInt8>) -> String {
        string(bytes.map(lowercased))
    }

    /// Whether `bytes` equals `ascii` ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ ascii: String) -> Bool {
        let other = ascii.utf8
        guard bytes.count == other.count else { return false }
        for (a, b) in zip(bytes, other) where lowercased(a) != lowercased(b) { return false }
        return true
    }
}

extension ArraySlice where Element == UInt8 {
    /// The slice without leading and trailing WSP, CR and LF.
    func trimmingWhitespace() -> ArraySlice<UInt8> {
        var lo = startIndex, hi = endIndex
        while lo < hi, ASCII.isWhitespace(self[lo]) { lo += 1 }
        while hi > lo, ASCII.isWhitespace(self[hi - 1]) { hi -= 1 }
        return self[lo..<hi]
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Index of the first LF in `from..<to`, or nil (memchr: fast even in debug builds).
    @inline(__always) func firstLF(from: Int, to: Int) -> Int? {
        guard from < to, let base = baseAddress else { return nil }
        guard let p = memchr(base + from, Int32(ASCII.lf), to - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }

    /// Number of LF octets in `range`, and how many of them have no CR before them
    /// (a bare LF becomes CRLF when the message is sent as internet mail).
    func lineEnds(in range: Range<Int>) -> (lines: Int, bareLF: Int) {
        var lines = 0, bare = 0
        var pos = range.lowerBound
        while let lf = firstLF(from: pos, to: range.upperBound) {
            lines += 1
            if lf == range.lowerBound || self[lf - 1] != ASCII.cr { bare += 1 }
            pos = lf + 1
        }
        return (lines, bare)
    }
}
