// TransferDecoding — the Content-Transfer-Encoding decoders: base64, quoted-printable, the
// RFC 2047 "Q" encoding, and the identity encodings, all tolerant of what real mail carries.
//
// Standards: RFC 2045 §6 (7bit, 8bit, binary: identity), §6.7 (quoted-printable: "=XX",
// soft line breaks "=" CRLF, trailing whitespace before a line end is transport padding and
// is removed; "A reasonable approach by a robust implementation might be to include the '='
// character and the following character in the decoded data" for a bad escape), §6.8
// (base64: "All line breaks or other characters not found in Table 1 must be ignored by
// decoding software"), RFC 2047 §4.2 (the Q encoding: "_" is a space), RFC 4648 §4.
//
// Public API:
//   ContentTransferEncoding (enum: sevenBit, eightBit, binary, base64, quotedPrintable,
//       other(String)); ContentTransferEncoding(headerValue:), .name
//   TransferDecoding.base64(_:) -> [UInt8]
//   TransferDecoding.quotedPrintable(_:) -> [UInt8]
//   TransferDecoding.qEncoding(_:) -> [UInt8]           (RFC 2047 encoded-text)
//   TransferDecoding.decode(_:, encoding:) -> [UInt8]   (unknown encodings pass through)
//
// Tolerance: base64 skips every octet outside the alphabet; "=" ends a 4-character group, so
// padded chunks glued together ("QQ==QQ==") still decode; a missing "=" is not needed; a
// lone trailing character is dropped. quoted-printable keeps a broken "=" escape as it is,
// accepts lowercase hex, bare LF line ends, and "=" followed by trailing whitespace as a soft
// break. MailroomCore's Base64 stays strict (SASL needs that); this is the mail-body decoder.
//
// Security: one pass, output never longer than the input, no recursion.

/// A Content-Transfer-Encoding value (RFC 2045 §6.1), compared case-insensitively.
public enum ContentTransferEncoding: Sendable, Equatable, Hashable {
    case sevenBit, eightBit, binary, base64, quotedPrintable
    /// An unknown mechanism (x-uuencode, x-gzip64, garbage), lowercased; decoded as identity.
    case other(String)

    /// Parses a header value (unfolded); comments and surrounding whitespace are ignored.
    /// Empty → 7bit (RFC 2045 §6.1 default).
    public init(headerValue: some Collection<UInt8>) {
        var token: [UInt8] = []
        var depth = 0
        for b in headerValue {
            if b == ASCII.openParen { depth += 1; continue }
            if b == ASCII.closeParen { depth = max(0, depth - 1); continue }
            if depth > 0 || ASCII.isWhitespace(b) || b == ASCII.quote {
                if !token.isEmpty, depth == 0, ASCII.isWhitespace(b) { break }
                continue
            }
            if b == ASCII.semicolon { break }
            token.append(ASCII.lowercased(b))
        }
        switch String(decoding: token, as: UTF8.self) {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        case let other: self = .other(other)
        }
    }

    /// The lowercase name ("7bit", "base64", ...; an unknown one as written, lowercased).
    public var name: String {
        switch self {
        case .sevenBit: return "7bit"
        case .eightBit: return "8bit"
        case .binary: return "binary"
        case .base64: return "base64"
        case .quotedPrintable: return "quoted-printable"
        case .other(let s): return s
        }
    }
}

public enum TransferDecoding {
    private static let base64Values: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    /// The octets of `encoding`-encoded `bytes`. Identity for 7bit, 8bit, binary and unknown
    /// encodings (RFC 2045 §6.4: an unrecognised encoding is treated as application/octet-stream
    /// by the user agent; for search the raw octets are the best there is).
    public static func decode(_ bytes: some Collection<UInt8>, encoding: ContentTransferEncoding) -> [UInt8] {
        switch encoding {
        case .base64: return base64(bytes)
        case .quotedPrintable: return quotedPrintable(bytes)
        default: return Array(bytes)
        }
    }

    /// Tolerant base64 (RFC 2045 §6.8).
    public static func base64(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount / 4 * 3 + 3)
        var acc: UInt32 = 0
        var n = 0
        func flushPartial() {
            // 2 characters carry 1 octet, 3 carry 2; 1 carries none.
            if n == 2 { out.append(UInt8(truncatingIfNeeded: acc >> 4)) }
            if n == 3 {
                out.append(UInt8(truncatingIfNeeded: acc >> 10))
                out.append(UInt8(truncatingIfNeeded: acc >> 2))
            }
            acc = 0
            n = 0
        }
        for b in bytes {
            let v = base64Values[Int(b)]
            if v == 0xFF {
                if b == ASCII.equals { flushPartial() }
                continue
            }
            acc = acc << 6 | UInt32(v)
            n += 1
            if n == 4 {
                out.append(UInt8(truncatingIfNeeded: acc >> 16))
                out.append(UInt8(truncatingIfNeeded: acc >> 8))
                out.append(UInt8(truncatingIfNeeded: acc))
                acc = 0
                n = 0
            }
        }
        flushPartial()
        return out
    }

    /// Tolerant quoted-printable (RFC 2045 §6.7).
    public static func quotedPrintable(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        // Octets of trailing whitespace held back until we know whether a line end follows.
        var pendingWhitespace: [UInt8] = []
        while i < n {
            let b = input[i]
            if ASCII.isWSP(b) {
                pendingWhitespace.append(b)
                i += 1
                continue
            }
            if b == ASCII.lf || (b == ASCII.cr && i + 1 < n && input[i + 1] == ASCII.lf) {
                // Rule 3: whitespace at the end of an encoded line is padding.
                pendingWhitespace.removeAll(keepingCapacity: true)
                if b == ASCII.cr { out.append(ASCII.cr); i += 1 }
                out.append(ASCII.lf)
                i += 1
                continue
            }
            out.append(contentsOf: pendingWhitespace)
            pendingWhitespace.removeAll(keepingCapacity: true)
            guard b == ASCII.equals else {
                out.append(b)
                i += 1
                continue
            }
            // "=" XX
            if i + 2 < n, let hi = ASCII.hexValue(input[i + 1]), let lo = ASCII.hexValue(input[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            // Soft line break: "=" [WSP...] (CRLF / LF / end of data).
            var j = i + 1
            while j < n, ASCII.isWSP(input[j]) { j += 1 }
            if j == n {
                i = n
                continue
            }
            if input[j] == ASCII.lf {
                i = j + 1
                continue
            }
            if input[j] == ASCII.cr, j + 1 < n, input[j + 1] == ASCII.lf {
                i = j + 2
                continue
            }
            // A broken escape: keep the "=" as it is.
            out.append(ASCII.equals)
            i += 1
        }
        // Whitespace at the end of the data ends the last line: padding too.
        return out
    }

    /// The RFC 2047 §4.2 "Q" encoding: like quoted-printable, "_" is a space, no line breaks.
    public static func qEncoding(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let b = input[i]
            if b == ASCII.underscore {
                out.append(ASCII.space)
                i += 1
            } else if b == ASCII.equals, i + 2 < input.count,
                      let hi = ASCII.hexValue(input[i + 1]), let lo = ASCII.hexValue(input[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }
}
