// SMTPCommand — one SMTP command line, parsed into a typed value, and its wire encoder for
// the client side.
//
// Standards: RFC 5321 §4.1.1 (HELO, EHLO, MAIL, RCPT, DATA, RSET, VRFY, EXPN, HELP, NOOP,
// QUIT), RFC 3030 §2 (BDAT), RFC 3207 §4 (STARTTLS), RFC 4954 §4 (AUTH). The grammar of each
// is in GrammarParser+Command.swift.
//
// `parse(line:)` takes one line without its CRLF, as the framing layer hands it over; the
// framing layer has already bounded its length (SMTPLimits.commandLineBytes, or
// authLineBytes for AUTH). The result says nothing about whether the command is allowed now:
// sequence, extensions offered, TLS and authentication are the session's business.
//
// Security: `description` (used in logs) never shows an AUTH initial response, which carries
// credentials. `encoded` writes any control character of a free-text argument as "?", so a
// value built by a caller can never inject a second command line.

import MailroomCore

/// A parsed SMTP command.
public enum SMTPCommand: Hashable, Sendable, CustomStringConvertible {
    /// HELO domain (RFC 5321 §4.1.1.1).
    case helo(HelloDomain)
    /// EHLO domain-or-address-literal (RFC 5321 §4.1.1.1).
    case ehlo(HelloDomain)
    /// MAIL FROM:<reverse-path> [parameters] (RFC 5321 §4.1.1.2).
    case mail(ReversePath, MailParameters)
    /// RCPT TO:<forward-path> [parameters] (RFC 5321 §4.1.1.3).
    case rcpt(ForwardPath, RcptParameters)
    /// DATA (RFC 5321 §4.1.1.4).
    case data
    /// BDAT chunk-size [LAST] (RFC 3030 §2).
    case bdat(size: UInt64, last: Bool)
    /// RSET (RFC 5321 §4.1.1.5).
    case rset
    /// NOOP [string] (RFC 5321 §4.1.1.9); the argument is ignored.
    case noop(String?)
    /// QUIT (RFC 5321 §4.1.1.10).
    case quit
    /// VRFY string (RFC 5321 §4.1.1.6), the argument as sent.
    case vrfy(String)
    /// EXPN string (RFC 5321 §4.1.1.7), the argument as sent.
    case expn(String)
    /// HELP [string] (RFC 5321 §4.1.1.8).
    case help(String?)
    /// STARTTLS (RFC 3207 §4).
    case startTLS
    /// AUTH mechanism [initial-response] (RFC 4954 §4): `initialResponse` is nil when none
    /// was sent, empty for "=" (an empty response), else the base64-decoded octets.
    case auth(SASLMechanism, initialResponse: [UInt8]?)

    /// Parses one command line, without its CRLF.
    public static func parse(line: some Collection<UInt8>) throws(SMTPSyntaxError) -> SMTPCommand {
        var buffer = SMTPParseBuffer(Array(line))
        return try GrammarParser.parseCommand(&buffer)
    }

    /// The command verb in upper case: "MAIL", "STARTTLS".
    public var verb: String {
        switch self {
        case .helo: return "HELO"
        case .ehlo: return "EHLO"
        case .mail: return "MAIL"
        case .rcpt: return "RCPT"
        case .data: return "DATA"
        case .bdat: return "BDAT"
        case .rset: return "RSET"
        case .noop: return "NOOP"
        case .quit: return "QUIT"
        case .vrfy: return "VRFY"
        case .expn: return "EXPN"
        case .help: return "HELP"
        case .startTLS: return "STARTTLS"
        case .auth: return "AUTH"
        }
    }

    /// Whether a path in the command was written with UTF-8, so that the transaction needs
    /// the SMTPUTF8 parameter (RFC 6531 §3.4).
    public var requiresSMTPUTF8: Bool {
        switch self {
        case .mail(let path, _): return path.requiresSMTPUTF8
        case .rcpt(let path, _): return path.requiresSMTPUTF8
        default: return false
        }
    }

    /// The command line to send, CRLF included.
    public var encoded: [UInt8] {
        var bytes = Array(line(redacted: false).utf8)
        for index in bytes.indices where GrammarParser.isControl(bytes[index]) {
            bytes[index] = UInt8(ascii: "?")
        }
        return bytes + [0x0D, 0x0A]
    }

    /// The command line for logs: as `encoded`, without CRLF, and with an AUTH initial
    /// response replaced by "<redacted>".
    public var description: String { line(redacted: true) }

    private func line(redacted: Bool) -> String {
        switch self {
        case .helo(let domain): return "HELO \(domain)"
        case .ehlo(let domain): return "EHLO \(domain)"
        case .mail(let path, let parameters):
            return "MAIL FROM:\(path)" + (parameters.isEmpty ? "" : " \(parameters)")
        case .rcpt(let path, let parameters):
            return "RCPT TO:\(path)" + (parameters.isEmpty ? "" : " \(parameters)")
        case .data: return "DATA"
        case .bdat(let size, let last): return "BDAT \(size)" + (last ? " LAST" : "")
        case .rset: return "RSET"
        case .noop(let text): return "NOOP" + (text.map { " " + $0 } ?? "")
        case .quit: return "QUIT"
        case .vrfy(let text): return "VRFY " + text
        case .expn(let text): return "EXPN " + text
        case .help(let text): return "HELP" + (text.map { " " + $0 } ?? "")
        case .startTLS: return "STARTTLS"
        case .auth(let mechanism, let response):
            guard let response else { return "AUTH \(mechanism)" }
            if redacted { return "AUTH \(mechanism) <redacted>" }
            return "AUTH \(mechanism) " + (response.isEmpty ? "=" : Base64.encode(response))
        }
    }
}
