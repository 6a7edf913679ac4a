// POP3Command — one POP3 command line parsed into a typed value, and its keyword.
//
// Standards: RFC 1939 §4–§7 (USER, PASS, APOP, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT,
// TOP, UIDL), RFC 2449 §5 (CAPA), RFC 2595 §4 (STLS), RFC 5034 §4 (AUTH). The grammar of
// each is in POP3Parser.swift, with its ABNF above it.
//
// Left out on purpose: UTF8 and LANG (RFC 6856) — optional, and nothing in Mailroom's POP3
// path needs them (USER and PASS already accept UTF-8 octets, as Dovecot does); they parse as
// unknown commands. LAST (RFC 1460, removed in RFC 1725) and XTND are unknown too. APOP is
// recognised only to be refused: it needs the plaintext password (or an MD5-equivalent of it)
// on the server, which the account store does not keep.
//
// `parse(line:)` takes one line without its line end, as the framer hands it over; the
// framer has already bounded its length. Whether the command is allowed now (state, TLS) is
// the session's business (POP3CommandTable).
//
// Security: `description` (for logs) never shows a password or a SASL initial response.

import MailroomCore

/// The keyword of a command (RFC 1939 §3: case-insensitive, three or four characters).
public enum POP3Keyword: String, Sendable, CaseIterable {
    case user = "USER", pass = "PASS", apop = "APOP", stat = "STAT", list = "LIST", retr = "RETR"
    case dele = "DELE", noop = "NOOP", rset = "RSET", quit = "QUIT", top = "TOP", uidl = "UIDL"
    case capa = "CAPA", stls = "STLS", auth = "AUTH"
}

/// A parsed POP3 command.
public enum POP3Command: Hashable, Sendable, CustomStringConvertible {
    /// USER name (RFC 1939 §7).
    case user(String)
    /// PASS string: the rest of the line after "PASS ", spaces included (RFC 1939 §7).
    case pass(String)
    /// APOP name digest (RFC 1939 §7): recognised, never executed; the arguments are dropped.
    case apop
    /// STAT (RFC 1939 §5).
    case stat
    /// LIST [msg] (RFC 1939 §5).
    case list(Int?)
    /// RETR msg (RFC 1939 §5).
    case retr(Int)
    /// DELE msg (RFC 1939 §5).
    case dele(Int)
    /// NOOP (RFC 1939 §5).
    case noop
    /// RSET (RFC 1939 §5).
    case rset
    /// QUIT (RFC 1939 §4 and §6).
    case quit
    /// TOP msg n (RFC 1939 §7): the header and `lines` lines of the body.
    case top(Int, lines: Int)
    /// UIDL [msg] (RFC 1939 §7).
    case uidl(Int?)
    /// CAPA (RFC 2449 §5).
    case capa
    /// STLS (RFC 2595 §4).
    case stls
    /// AUTH [mechanism [initial-response]] (RFC 5034 §4). The mechanism is in upper case;
    /// nil asks for the list of mechanisms. `initialResponse` is nil when none was sent, empty
    /// for "=", else the base64-decoded octets.
    case auth(mechanism: String?, initialResponse: [UInt8]?)

    /// Parses one command line, without its line end.
    public static func parse(line: some Collection<UInt8>) throws(POP3SyntaxError) -> POP3Command {
        try POP3Parser.parseCommand(Array(line))
    }

    public var keyword: POP3Keyword {
        switch self {
        case .user: .user
        case .pass: .pass
        case .apop: .apop
        case .stat: .stat
        case .list: .list
        case .retr: .retr
        case .dele: .dele
        case .noop: .noop
        case .rset: .rset
        case .quit: .quit
        case .top: .top
        case .uidl: .uidl
        case .capa: .capa
        case .stls: .stls
        case .auth: .auth
        }
    }

    /// The command for logs: credentials are never shown.
    public var description: String {
        switch self {
        case .user(let name): "USER \(name)"
        case .pass: "PASS <hidden>"
        case .list(let number?): "LIST \(number)"
        case .uidl(let number?): "UIDL \(number)"
        case .retr(let number): "RETR \(number)"
        case .dele(let number): "DELE \(number)"
        case .top(let number, let lines): "TOP \(number) \(lines)"
        case .auth(let mechanism?, let response): "AUTH \(mechanism)" + (response == nil ? "" : " <hidden>")
        default: keyword.rawValue
        }
    }
}
