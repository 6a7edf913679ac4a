// POP3SyntaxError — why a command line could not be parsed, with the -ERR text that says so.
//
// The grammar throws this one error type; the session turns it into a reply in one place
// (POP3Session.lineReceived), so each failure gets its own specific text (style.md §7). A
// syntax error never ends the connection by itself; it counts towards
// POP3SessionConfiguration.maxErrors.
//
// Standards: RFC 1939 §3 (a negative response is "-ERR" and text), RFC 2449 §8 (no response
// code: these are neither system nor authentication failures).
//
// Security: the texts are fixed, or name a keyword from POP3Keyword; they never quote the
// client's line, so a reply cannot carry injected octets or echo a password.

/// A command line the grammar refused.
public enum POP3SyntaxError: Error, Sendable, Hashable {
    /// An empty line, or a keyword this server does not know.
    case unknownCommand
    /// A control character (NUL, a bare CR, DEL…; TAB only in PASS) in the line.
    case controlCharacter
    /// A command that needs an argument came without one.
    case missingArgument(POP3Keyword)
    /// More arguments than the command takes.
    case tooManyArguments(POP3Keyword)
    /// A message number that is not 1*DIGIT, is 0, or is too large.
    case invalidMessageNumber
    /// TOP's line count is not 1*DIGIT or is too large.
    case invalidLineCount
    /// USER's name is longer than POP3Parser.maximumUserNameOctets.
    case userNameTooLong
    /// AUTH's mechanism is not a SASL mechanism name (RFC 4422 §3.1).
    case invalidMechanismName
    /// AUTH's initial response is neither "=" nor base64.
    case invalidInitialResponse

    /// Whether the line was not a command at all (counted as such, like Postfix's junk
    /// commands).
    public var isUnknownCommand: Bool { self == .unknownCommand || self == .controlCharacter }

    /// The text after "-ERR ".
    public var text: String {
        switch self {
        case .unknownCommand: "Unknown command"
        case .controlCharacter: "Control characters are not allowed in a command line"
        case .missingArgument(let keyword):
            switch keyword {
            case .user: "USER needs a user name"
            case .pass: "PASS needs a password"
            case .top: "TOP needs a message number and a line count"
            default: "\(keyword.rawValue) needs a message number"
            }
        case .tooManyArguments(let keyword): "Too many arguments for \(keyword.rawValue)"
        case .invalidMessageNumber: "Invalid message number"
        case .invalidLineCount: "Invalid line count"
        case .userNameTooLong: "User name too long"
        case .invalidMechanismName: "Invalid SASL mechanism name"
        case .invalidInitialResponse: "Invalid base64 in the initial response"
        }
    }
}
