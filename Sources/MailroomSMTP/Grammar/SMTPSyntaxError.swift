// SMTPSyntaxError — why a command line could not be parsed, and the reply that says so.
//
// The grammar throws this one error type. The session turns it into a reply in one place
// (`reply`), so each syntax failure gets the reply code and enhanced status code that the
// standards assign to it. A syntax error never ends the connection: the client may try again.
//
// Standards: RFC 5321 §4.2.2 and §4.2.4 (500, 501, 553, 555), §4.5.3.1.10 ("501 Path too
// long"), §4.1.1.11 (555 for MAIL/RCPT parameters not recognized); RFC 3463 §3.2 and §3.6
// (X.1.3 bad destination mailbox syntax, X.1.7 bad sender mailbox syntax, X.5.1 invalid
// command, X.5.2 syntax error, X.5.4 invalid command arguments).
//
// Security: `detail` never quotes the command line. It is fixed text, a parameter keyword
// (already checked to be letters, digits and "-", and cut to 32 characters), one printable
// ASCII character, or a core AddressError message reduced to printable ASCII. So a reply
// built from it carries no control characters, no injected lines and no unbounded echo.

/// A command line that the grammar refused, with the reply the session should send.
public struct SMTPSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which path an address error is about: the enhanced status code differs (RFC 3463 §3.2).
    public enum AddressRole: Sendable, Hashable {
        /// MAIL FROM's reverse-path: X.1.7 "Bad sender's mailbox address syntax".
        case sender
        /// RCPT TO's forward-path: X.1.3 "Bad destination mailbox address syntax".
        case recipient
    }

    public enum Kind: Sendable, Hashable {
        /// Not a command this server knows: 500 5.5.1.
        case unrecognizedCommand
        /// A known command whose arguments do not parse: 501 5.5.2.
        case syntax
        /// A known command with an argument it does not take, or one out of range (a BDAT
        /// size, an AUTH mechanism name, a malformed ESMTP parameter): 501 5.5.4.
        case invalidArgument
        /// The path around the mailbox is wrong: no angle brackets, unbalanced brackets or
        /// quotes, text after ">", or longer than 256 octets: 501 5.1.7 or 501 5.1.3.
        case invalidPath(AddressRole)
        /// The mailbox inside the brackets is wrong: its local part or domain, a second "@",
        /// a missing domain: 553 5.1.7 or 553 5.1.3.
        case invalidMailbox(AddressRole)
        /// An ESMTP parameter this server does not know, or one that belongs to the other
        /// command (NOTIFY on MAIL): 555 5.5.4. The keyword is in upper case.
        case unrecognizedParameter(String)
        /// The same ESMTP parameter twice in one command: 555 5.5.4.
        case duplicateParameter(String)
        /// A known ESMTP parameter with a bad value (SIZE=abc, BODY=9BIT): 501 5.5.4.
        case invalidParameterValue(String)
    }

    public let kind: Kind
    /// Reply text: what is wrong, in printable ASCII ("Path too long").
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = Self.printable(detail)
    }

    /// RFC 5321 §4.2.3 reply code.
    public var replyCode: Int {
        switch kind {
        case .unrecognizedCommand: return 500
        case .syntax, .invalidArgument, .invalidPath, .invalidParameterValue: return 501
        case .invalidMailbox: return 553
        case .unrecognizedParameter, .duplicateParameter: return 555
        }
    }

    /// RFC 3463 enhanced status code.
    public var enhancedStatusCode: EnhancedStatusCode {
        switch kind {
        case .unrecognizedCommand: return .invalidCommand
        case .syntax: return .syntaxError
        case .invalidArgument, .unrecognizedParameter, .duplicateParameter, .invalidParameterValue:
            return .invalidCommandArguments
        case .invalidPath(let role), .invalidMailbox(let role):
            return role == .sender ? .badSenderMailboxSyntax : .badDestinationMailboxSyntax
        }
    }

    /// The reply to send: "501 5.5.2 Syntax: EHLO hostname".
    public var reply: SMTPReply {
        SMTPReply(code: replyCode, enhancedStatusCode, detail)
    }

    public var description: String { "\(replyCode) \(enhancedStatusCode) \(detail)" }

    /// Longest detail kept; a reply line has room for about 500 octets (RFC 5321 §4.5.3.1.5).
    static let maximumDetailLength = 200

    /// `text` with everything but printable ASCII replaced by "?", cut to `maximumDetailLength`.
    private static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.utf8.count >= maximumDetailLength {
                out += "..."
                break
            }
            out.unicodeScalars.append((0x20...0x7E).contains(scalar.value) ? scalar : "?")
        }
        return out
    }
}
