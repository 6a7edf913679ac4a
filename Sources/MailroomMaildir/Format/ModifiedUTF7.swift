// ModifiedUTF7 — IMAP's "modified UTF-7" for mailbox names, which Dovecot and Courier also use
// for Maildir++ folder directory names on disk (".Entw&APw-rfe" is the folder "Entwürfe").
//
// Standard: RFC 3501 §5.1.3 (Mailbox International Naming Convention):
//   - printable US-ASCII (0x20–0x7E) other than '&' stands for itself;
//   - '&' is written "&-";
//   - every other character is written as UTF-16 (RFC 2781; characters above U+FFFF as a
//     surrogate pair) in UTF-7's modified BASE64 (RFC 2152; the alphabet of RFC 2045 §6.8) with
//     ',' in place of '/', without '=' padding, between '&' and '-'.
// Decoding is strict, because the RFC gives every name exactly one spelling and two spellings of
// one name would be two folders on disk that IMAP shows as the same mailbox. Refused, each with
// the byte position and the reason: bytes ≥ 0x80 and control characters outside a shift, '&'
// without its '-', characters outside the modified BASE64 alphabet, a shift whose bits do not end
// on a whole UTF-16 unit or whose padding bits are not zero, a shift that spells a printable
// ASCII character ("MUST NOT be used to represent any printing US-ASCII character which can
// represent itself"), two shifts back to back ("&AGE-&AGE-" instead of "&AGEAYQ-"), and unpaired
// surrogates. `encode` writes the one canonical spelling, so decode(encode(s)) == s and, for
// every name `decode` accepts, encode(decode(n)) == n.
// Security: input is usually a directory name that another program (or a user with shell
// access) wrote; garbage is reported as a `DecodeError`, never trapped on. Work is linear in the
// input and allocates only the output.

public enum ModifiedUTF7 {
    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable, CustomStringConvertible {
            /// A byte ≥ 0x80: names are 7-bit.
            case nonASCIIByte(UInt8)
            /// A control character (0x00–0x1F, 0x7F) written as itself.
            case controlCharacter(UInt8)
            /// A '&' with no '-' after its BASE64 run.
            case unterminatedShift
            /// A byte inside a shift that is not in the modified BASE64 alphabet.
            case invalidBase64Character(UInt8)
            /// The run's bits do not end on a whole 16-bit unit (one BASE64 character too many).
            case incompleteUnit
            /// The bits after the last 16-bit unit are not zero.
            case nonZeroPaddingBits
            /// A shift encodes a printable ASCII character that must be written as itself.
            case encodedPrintableASCII(UInt16)
            /// A shift starts right after another one ended; one run must be used.
            case adjacentShifts
            /// A UTF-16 surrogate without its partner.
            case unpairedSurrogate(UInt16)

            public var description: String {
                switch self {
                case .nonASCIIByte(let b): "byte 0x\(hex(b)) is not 7-bit ASCII"
                case .controlCharacter(let b): "control character 0x\(hex(b)) outside a '&…-' shift"
                case .unterminatedShift: "'&' shift has no closing '-'"
                case .invalidBase64Character(let b): "byte 0x\(hex(b)) is not modified BASE64"
                case .incompleteUnit: "BASE64 run does not end on a whole UTF-16 unit"
                case .nonZeroPaddingBits: "padding bits at the end of the BASE64 run are not zero"
                case .encodedPrintableASCII(let u): "printable ASCII U+\(hex(u)) is encoded instead of written as itself"
                case .adjacentShifts: "two '&…-' shifts back to back (must be one)"
                case .unpairedSurrogate(let u): "unpaired UTF-16 surrogate 0x\(hex(u))"
                }
            }
        }

        /// Byte offset in the input (UTF-8) where the problem is.
        public let position: Int
        public let reason: Reason

        public init(position: Int, reason: Reason) {
            self.position = position
            self.reason = reason
        }

        public var description: String { "modified UTF-7 at byte \(position): \(reason)" }
    }

    /// The RFC 3501 §5.1.3 spelling of `s`.
    public static func encode(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var run: [UInt16] = []
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v >= 0x20 && v <= 0x7E {
                if !run.isEmpty {
                    appendShift(run, to: &out)
                    run.removeAll(keepingCapacity: true)
                }
                out.append(UInt8(v))
                if v == ampersand { out.append(minus) }
            } else {
                run.append(contentsOf: UTF16.encode(scalar)!)
            }
        }
        if !run.isEmpty { appendShift(run, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The name that `s` spells; see the header for what is refused.
    public static func decode(_ s: String) throws(DecodeError) -> String {
        try decode(utf8: Array(s.utf8))
    }

    /// Decodes raw bytes (a directory entry's name as the file system returned it).
    public static func decode(utf8 bytes: [UInt8]) throws(DecodeError) -> String {
        var out = String.UnicodeScalarView()
        var i = 0
        var lastShiftEnd = -1  // the index just after the '-' that closed the previous shift
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x80 { throw DecodeError(position: i, reason: .nonASCIIByte(b)) }
            if b < 0x20 || b == 0x7F { throw DecodeError(position: i, reason: .controlCharacter(b)) }
            guard UInt32(b) == ampersand else {
                out.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            let start = i
            if start + 1 < bytes.count && bytes[start + 1] == minus {
                out.append("&")
                i = start + 2
                continue
            }
            if start == lastShiftEnd { throw DecodeError(position: start, reason: .adjacentShifts) }

            var bits: UInt32 = 0
            var bitCount = 0
            var highSurrogate: (unit: UInt16, position: Int)? = nil
            var j = start + 1
            while true {
                guard j < bytes.count else { throw DecodeError(position: start, reason: .unterminatedShift) }
                let c = bytes[j]
                if c == minus { break }
                guard let value = base64Value(c) else {
                    throw DecodeError(position: j, reason: .invalidBase64Character(c))
                }
                bits = (bits << 6) | UInt32(value)
                bitCount += 6
                if bitCount >= 16 {
                    bitCount -= 16
                    let unit = UInt16(truncatingIfNeeded: bits >> UInt32(bitCount))
                    bits &= (1 << UInt32(bitCount)) - 1
                    if let high = highSurrogate {
                        guard UTF16.isTrailSurrogate(unit) else {
                            throw DecodeError(position: high.position, reason: .unpairedSurrogate(high.unit))
                        }
                        let value = 0x10000 + ((UInt32(high.unit) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                        out.append(Unicode.Scalar(value)!)
                        highSurrogate = nil
                    } else if UTF16.isLeadSurrogate(unit) {
                        highSurrogate = (unit, j)
                    } else if UTF16.isTrailSurrogate(unit) {
                        throw DecodeError(position: j, reason: .unpairedSurrogate(unit))
                    } else if unit >= 0x20 && unit <= 0x7E {
                        throw DecodeError(position: j, reason: .encodedPrintableASCII(unit))
                    } else {
                        out.append(Unicode.Scalar(unit)!)
                    }
                }
                j += 1
            }
            // j is at the closing '-'. 16 bits take 3 BASE64 characters (18 bits), so a run ends
            // with 0, 2 or 4 padding bits; 6 or more means a character that carries nothing.
            if bitCount >= 6 { throw DecodeError(position: j, reason: .incompleteUnit) }
            if bits != 0 { throw DecodeError(position: j - 1, reason: .nonZeroPaddingBits) }
            if let high = highSurrogate {
                throw DecodeError(position: high.position, reason: .unpairedSurrogate(high.unit))
            }
            // "&-" was handled above, so an empty run cannot reach here; a run with fewer than
            // 16 bits fails the incompleteUnit check.
            i = j + 1
            lastShiftEnd = i
        }
        return String(out)
    }

    /// Whether `s` is a valid, canonical modified UTF-7 name (what `decode` accepts).
    public static func isValid(_ s: String) -> Bool {
        do {
            _ = try decode(s)
            return true
        } catch {
            return false
        }
    }

    // MARK: - Modified BASE64 (RFC 3501 §5.1.3: RFC 2045 BASE64 with ',' for '/', no padding)

    private static let ampersand: UInt32 = 0x26
    private static let minus: UInt8 = 0x2D
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static func base64Value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: ","): 63
        default: nil
        }
    }

    /// Appends "&<modified BASE64 of the UTF-16BE units>-".
    private static func appendShift(_ units: [UInt16], to out: inout [UInt8]) {
        out.append(UInt8(ampersand))
        var bits: UInt32 = 0
        var bitCount = 0
        for unit in units {
            bits = (bits << 16) | UInt32(unit)
            bitCount += 16
            while bitCount >= 6 {
                bitCount -= 6
                out.append(alphabet[Int((bits >> UInt32(bitCount)) & 0x3F)])
            }
            bits &= (1 << UInt32(bitCount)) - 1
        }
        if bitCount > 0 {
            out.append(alphabet[Int((bits << UInt32(6 - bitCount)) & 0x3F)])
        }
        out.append(minus)
    }
}

private func hex(_ value: some FixedWidthInteger) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    let width = MemoryLayout.size(ofValue: value) * 2
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
