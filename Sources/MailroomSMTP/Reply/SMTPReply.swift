// SMTPReply — a server reply: a three-digit code, an optional enhanced status code, and one
// or more lines of text; with its wire encoder.
//
// Standards: RFC 5321 §4.2 (Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code
// [ SP textstring ] CRLF; Reply-code = %x32-35 %x30-35 %x30-39), §4.2.1 (multi-line
// replies), §4.5.3.1.5 ("The maximum total length of a reply line including the reply code and
// the <CRLF> is 512 octets"); RFC 2034 §3 (the enhanced status code starts the text of every
// line, except in the greeting and in the reply to HELO/EHLO); RFC 3463 §2 (its class equals
// the reply code's first digit); RFC 4954 §4 ("334" SP [base64]).
//
// The encoder always writes SP after the code of the last line, also with no text ("334 "),
// which RFC 4954 needs and every client reads. A line longer than the limit is split at the
// last space that fits (or, in a word longer than a line, at a UTF-8 character boundary),
// each piece getting the code and enhanced code again.
//
// Security: text reaches the wire only through `encoded`, which makes each CR, LF and CRLF in
// a line a line break of the reply (never a raw line break that would end the reply early and
// inject another) and writes other control characters but HT as "?".

/// An SMTP reply.
public struct SMTPReply: Hashable, Sendable, CustomStringConvertible {
    /// RFC 5321 §4.5.3.1.5: a reply line, code and CRLF included.
    public static let maximumLineLength = 512
    /// Lines cannot be made shorter than this, whatever limit is asked for.
    static let minimumLineLength = 64

    /// 200–599, RFC 5321 §4.2.
    public let code: Int
    /// RFC 3463 code on every line; nil for the greeting, EHLO, 354 and 334 replies.
    public let enhancedStatusCode: EnhancedStatusCode?
    /// The text lines, never empty (a reply without text has one empty line).
    public let lines: [String]

    /// A reply. The code must be a valid reply code and the enhanced code's class must be the
    /// code's first digit (a 3xx reply has none): both are programming errors otherwise.
    public init(code: Int, _ enhancedStatusCode: EnhancedStatusCode? = nil, lines: [String]) {
        precondition(Self.isValidCode(code), "RFC 5321 §4.2: not a reply code: \(code)")
        precondition(enhancedStatusCode.map { $0.statusClass.rawValue == code / 100 } ?? true,
                     "RFC 3463 §2: the enhanced status class must be the reply code's first digit")
        self.code = code
        self.enhancedStatusCode = enhancedStatusCode
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// A one-line reply.
    public init(code: Int, _ enhancedStatusCode: EnhancedStatusCode?, _ text: String) {
        self.init(code: code, enhancedStatusCode, lines: [text])
    }

    /// A one-line reply without an enhanced status code.
    public init(code: Int, _ text: String) {
        self.init(code: code, nil, lines: [text])
    }

    /// 2xx: the command succeeded (RFC 5321 §4.2.1).
    public var isPositiveCompletion: Bool { code / 100 == 2 }
    /// 3xx: more input is wanted (354 after DATA, 334 in AUTH).
    public var isPositiveIntermediate: Bool { code / 100 == 3 }
    /// 4xx: failed for now; the client may try again.
    public var isTransientNegative: Bool { code / 100 == 4 }
    /// 5xx: failed; the same command will fail again.
    public var isPermanentNegative: Bool { code / 100 == 5 }

    /// The reply on the wire: every line ends in CRLF and is at most `maximumLineLength`
    /// octets (at least 64) including code, enhanced code and CRLF.
    public func encoded(maximumLineLength: Int = SMTPReply.maximumLineLength) -> [UInt8] {
        let prefix = String(code) + "?" + (enhancedStatusCode.map { "\($0) " } ?? "")
        let room = max(maximumLineLength, Self.minimumLineLength) - prefix.utf8.count - 2
        let pieces = lines.flatMap { Self.breakLine(Self.sanitized($0), room: room) }
        var out: [UInt8] = []
        for (index, piece) in pieces.enumerated() {
            out += Array(String(code).utf8)
            out.append(index == pieces.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhancedStatusCode {
                out += Array(enhancedStatusCode.description.utf8)
                if !piece.isEmpty { out.append(UInt8(ascii: " ")) }
            }
            out += piece
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// The encoded reply as text, line breaks as "\r\n": "250 2.0.0 Ok\r\n".
    public var description: String { String(decoding: encoded(), as: UTF8.self) }

    static func isValidCode(_ code: Int) -> Bool {
        (200...599).contains(code) && (0...5).contains(code / 10 % 10)
    }

    /// The line's octets with CR, LF and CRLF made into separate lines and other controls
    /// (but HT) written as "?".
    private static func sanitized(_ line: String) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var previousWasCR = false
        for byte in line.utf8 {
            defer { previousWasCR = byte == 0x0D }
            switch byte {
            case 0x0D:
                lines.append([])
            case 0x0A:
                if !previousWasCR { lines.append([]) }
            case 0x09:
                lines[lines.count - 1].append(byte)
            case 0x00..<0x20, 0x7F:
                lines[lines.count - 1].append(UInt8(ascii: "?"))
            default:
                lines[lines.count - 1].append(byte)
            }
        }
        return lines
    }

    /// Splits each line into pieces of at most `room` octets: at the last space that fits
    /// (the space is dropped), or else at the last UTF-8 character boundary.
    private static func breakLine(_ lines: [[UInt8]], room: Int) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        for line in lines {
            var rest = line[...]
            while rest.count > room {
                let window = rest.prefix(room + 1)
                if let space = window.lastIndex(of: UInt8(ascii: " ")), space > rest.startIndex {
                    pieces.append(Array(rest[..<space]))
                    rest = rest[(space + 1)...]
                } else {
                    var cut = rest.startIndex + room
                    while cut > rest.startIndex + 1, rest[cut] & 0xC0 == 0x80 { cut -= 1 }
                    pieces.append(Array(rest[..<cut]))
                    rest = rest[cut...]
                }
            }
            pieces.append(Array(rest))
        }
        return pieces
    }
}
