// POP3Reply — a server response: "+OK" or "-ERR" (with an optional RFC 2449 response code) and
// text, optionally followed by the lines of a multi-line listing (LIST, UIDL, CAPA, AUTH
// without a mechanism); or a SASL challenge "+ base64". With its wire encoder.
//
// Standards: RFC 1939 §3 (status indicators; multi-line responses end with ".CRLF", lines that
// start with "." are byte-stuffed), RFC 2449 §4 ("Responses may be up to 512 characters long,
// including the terminating CRLF"), §8 (the response code right after "-ERR "), RFC 5034 §4
// (a server challenge is "+" SP base64, "+ " alone for an empty one).
//
// Message bodies of RETR and TOP are not replies: they are streamed by POP3MessageWriter after
// the reply's status line.
//
// Security: text reaches the wire only through `encode`, which writes every control
// character as "?" (so no CR or LF can end a line early and inject a response) and cuts a
// status line to 512 octets at a UTF-8 boundary. Listing lines are byte-stuffed too.

import MailroomCore

/// A POP3 response (everything but message bodies).
public struct POP3Reply: Hashable, Sendable, CustomStringConvertible {
    public enum Status: Hashable, Sendable {
        /// "+OK"
        case ok
        /// "-ERR"
        case error
        /// "+ " and a base64 SASL challenge (RFC 5034 §4).
        case challenge
    }

    /// RFC 2449 §4: a response line, CRLF included.
    public static let maximumLineLength = 512

    public let status: Status
    /// The RFC 2449 code, only on -ERR.
    public let code: POP3ResponseCode?
    /// The text after the status (and code); for a challenge, the base64 text.
    public let text: String
    /// The lines of a multi-line listing, nil for a single-line response.
    public let lines: [String]?

    /// "+OK text", with listing `lines` when not nil.
    public static func ok(_ text: String, lines: [String]? = nil) -> POP3Reply {
        POP3Reply(status: .ok, code: nil, text: text, lines: lines)
    }

    /// "-ERR [code] text".
    public static func error(_ code: POP3ResponseCode?, _ text: String) -> POP3Reply {
        POP3Reply(status: .error, code: code, text: text, lines: nil)
    }

    /// "-ERR text", without a response code.
    public static func error(_ text: String) -> POP3Reply {
        POP3Reply(status: .error, code: nil, text: text, lines: nil)
    }

    /// "+ base64(challenge)".
    public static func challenge(_ challenge: [UInt8]) -> POP3Reply {
        POP3Reply(status: .challenge, code: nil, text: Base64.encode(challenge), lines: nil)
    }

    public var isOK: Bool { status == .ok }
    public var isError: Bool { status == .error }

    /// The status line without CRLF: "-ERR [IN-USE] text".
    public var statusLine: String {
        switch status {
        case .ok: text.isEmpty ? "+OK" : "+OK \(text)"
        case .challenge: "+ \(text)"
        case .error: "-ERR " + (code.map { "\($0) " } ?? "") + text
        }
    }

    /// The wire octets.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    /// Appends the wire octets to `output`.
    public func encode(into output: inout [UInt8]) {
        Self.appendLine(statusLine, limit: Self.maximumLineLength - 2, stuffed: false, to: &output)
        guard let lines else { return }
        for line in lines { Self.appendLine(line, limit: Int.max, stuffed: true, to: &output) }
        output += [0x2E, 0x0D, 0x0A]
    }

    public var description: String { statusLine + (lines.map { " (+\($0.count) lines)" } ?? "") }

    /// One line: controls as "?", cut to `limit` octets at a UTF-8 boundary, byte-stuffed when
    /// `stuffed`, then CRLF.
    static func appendLine(_ text: String, limit: Int, stuffed: Bool, to output: inout [UInt8]) {
        var utf8 = Array(text.utf8)
        if utf8.count > limit {
            var end = limit
            while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
            utf8.removeSubrange(end...)
        }
        if stuffed && utf8.first == 0x2E { output.append(0x2E) }
        for byte in utf8 { output.append(byte < 0x20 || byte == 0x7F ? UInt8(ascii: "?") : byte) }
        output += [0x0D, 0x0A]
    }
}
