// EnhancedStatusCode — the "class.subject.detail" code that follows the reply code, such as
// "5.1.1" in "550 5.1.1 User unknown", and the named codes this server uses.
//
// Standards: RFC 3463 §2 (status-code = class "." subject "." detail; class = "2" / "4" /
// "5"; subject and detail = 1*3digit) and §3 (the subject and detail codes), RFC 2034 §3
// (ENHANCEDSTATUSCODES: the code on every line of a reply), RFC 4954 §6 (X.7.8, X.7.9,
// X.7.11 and X.5.6 for AUTH), RFC 6531 §3.5 (X.6.7), RFC 5248 (the IANA registry).
//
// Each constant's doc comment gives the RFC 3463 meaning and where Mailroom uses it. The
// same subject.detail under another class is `withClass(_:)`: `.mailboxFull.withClass(.persistentTransientFailure)`.

/// An RFC 3463 enhanced mail system status code.
public struct EnhancedStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3463 §3.1: the class sub-code, which must agree with the reply code's first digit.
    public enum StatusClass: Int, Hashable, Sendable {
        /// "2.X.X Success".
        case success = 2
        /// "4.X.X Persistent Transient Failure": the same request may succeed later.
        case persistentTransientFailure = 4
        /// "5.X.X Permanent Failure".
        case permanentFailure = 5
    }

    public let statusClass: StatusClass
    /// 0–999 (RFC 3463 §2: 1*3digit).
    public let subject: Int
    /// 0–999.
    public let detail: Int

    public init(_ statusClass: StatusClass, _ subject: Int, _ detail: Int) {
        precondition((0...999).contains(subject) && (0...999).contains(detail), "RFC 3463: subject and detail have 1 to 3 digits")
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses "5.1.1"; nil unless it is class "." 1*3digit "." 1*3digit.
    public init?(_ text: some StringProtocol) {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1,
              let rawClass = Self.number(parts[0]), let statusClass = StatusClass(rawValue: rawClass),
              let subject = Self.number(parts[1]), let detail = Self.number(parts[2]) else {
            return nil
        }
        self.init(statusClass, subject, detail)
    }

    /// This code with another class: 5.2.2 → 4.2.2.
    public func withClass(_ statusClass: StatusClass) -> EnhancedStatusCode {
        EnhancedStatusCode(statusClass, subject, detail)
    }

    /// "5.1.1".
    public var description: String { "\(statusClass.rawValue).\(subject).\(detail)" }

    private static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard (1...3).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    // MARK: - 2.X.X Success

    /// 2.0.0 "Other undefined Status": success with nothing more specific to say (RSET, NOOP,
    /// QUIT, STARTTLS's 220).
    public static let success = EnhancedStatusCode(.success, 0, 0)
    /// 2.1.0 "Other address status": the sender address (MAIL FROM) is accepted.
    public static let senderAccepted = EnhancedStatusCode(.success, 1, 0)
    /// 2.1.5 "Destination address valid": the recipient (RCPT TO) is accepted.
    public static let destinationAddressValid = EnhancedStatusCode(.success, 1, 5)
    /// 2.6.0 "Other or undefined media error" in the success class: the message content was
    /// taken in and queued (the reply to the final "." or BDAT LAST).
    public static let messageAccepted = EnhancedStatusCode(.success, 6, 0)
    /// 2.7.0 "Other or undefined security status" in the success class: authentication
    /// succeeded (RFC 4954 §6: "235 2.7.0 Authentication Succeeded").
    public static let authenticationSucceeded = EnhancedStatusCode(.success, 7, 0)

    // MARK: - 4.X.X Persistent transient failure

    /// 4.2.2 "Mailbox full": over quota now; may succeed once mail is removed.
    public static let mailboxFullTemporary = EnhancedStatusCode(.persistentTransientFailure, 2, 2)
    /// 4.3.0 "Other or undefined mail system status": a local error (the store or queue failed).
    public static let mailSystemTemporaryFailure = EnhancedStatusCode(.persistentTransientFailure, 3, 0)
    /// 4.3.1 "Mail system full": the queue's disk is full ("452 Insufficient system storage").
    public static let mailSystemFull = EnhancedStatusCode(.persistentTransientFailure, 3, 1)
    /// 4.3.2 "System not accepting network messages": the server is shutting down or
    /// draining ("421 4.3.2 Service shutting down").
    public static let systemNotAcceptingMessages = EnhancedStatusCode(.persistentTransientFailure, 3, 2)
    /// 4.3.5 "System incorrectly configured": a configuration error on this server.
    public static let systemIncorrectlyConfigured = EnhancedStatusCode(.persistentTransientFailure, 3, 5)
    /// 4.4.2 "Bad connection": the connection timed out or broke ("421 4.4.2 Timeout").
    public static let badConnection = EnhancedStatusCode(.persistentTransientFailure, 4, 2)
    /// 4.4.3 "Directory server failure": the account store cannot be asked (try again later).
    public static let directoryServerFailure = EnhancedStatusCode(.persistentTransientFailure, 4, 3)
    /// 4.4.5 "System congestion": too many connections or too much load; try later.
    public static let systemCongestion = EnhancedStatusCode(.persistentTransientFailure, 4, 5)
    /// 4.5.3 "Too many recipients": more RCPTs than this transaction takes; the client sends
    /// the rest in another transaction (RFC 5321 §4.5.3.1.10: "452 Too many recipients").
    public static let tooManyRecipients = EnhancedStatusCode(.persistentTransientFailure, 5, 3)
    /// 4.7.0 "Other or undefined security status", temporary: a rate limit, greylisting, or TLS
    /// temporarily not available (RFC 3207 §4: "454 4.7.0 TLS not available").
    public static let securityTemporaryFailure = EnhancedStatusCode(.persistentTransientFailure, 7, 0)

    // MARK: - 5.X.X Permanent failure

    /// 5.1.1 "Bad destination mailbox address": no such user here.
    public static let badDestinationMailbox = EnhancedStatusCode(.permanentFailure, 1, 1)
    /// 5.1.2 "Bad destination system address": the recipient's domain does not exist or
    /// does not take mail.
    public static let badDestinationSystem = EnhancedStatusCode(.permanentFailure, 1, 2)
    /// 5.1.3 "Bad destination mailbox address syntax": RCPT TO's address does not parse.
    public static let badDestinationMailboxSyntax = EnhancedStatusCode(.permanentFailure, 1, 3)
    /// 5.1.7 "Bad sender's mailbox address syntax": MAIL FROM's address does not parse.
    public static let badSenderMailboxSyntax = EnhancedStatusCode(.permanentFailure, 1, 7)
    /// 5.1.8 "Bad sender's system address": the sender's domain does not exist or takes no mail.
    public static let badSenderSystemAddress = EnhancedStatusCode(.permanentFailure, 1, 8)
    /// 5.2.1 "Mailbox disabled, not accepting messages": the account or its domain is disabled.
    public static let mailboxDisabled = EnhancedStatusCode(.permanentFailure, 2, 1)
    /// 5.2.2 "Mailbox full": over quota, and the server treats it as permanent.
    public static let mailboxFull = EnhancedStatusCode(.permanentFailure, 2, 2)
    /// 5.3.4 "Message too big for system": over the SIZE limit (RFC 1870: "552 5.3.4").
    public static let messageTooBig = EnhancedStatusCode(.permanentFailure, 3, 4)
    /// 5.4.6 "Routing loop detected": too many Received: headers.
    public static let routingLoop = EnhancedStatusCode(.permanentFailure, 4, 6)
    /// 5.5.1 "Invalid command": unknown command, or a command out of sequence.
    public static let invalidCommand = EnhancedStatusCode(.permanentFailure, 5, 1)
    /// 5.5.2 "Syntax error": the command's arguments do not parse.
    public static let syntaxError = EnhancedStatusCode(.permanentFailure, 5, 2)
    /// 5.5.4 "Invalid command arguments": arguments out of range, or unrecognized features
    /// (unknown or repeated MAIL/RCPT parameters: "555 5.5.4").
    public static let invalidCommandArguments = EnhancedStatusCode(.permanentFailure, 5, 4)
    /// 5.5.6 "Authentication Exchange line is too long" (RFC 4954 §4: "500 5.5.6").
    public static let authenticationLineTooLong = EnhancedStatusCode(.permanentFailure, 5, 6)
    /// 5.6.0 "Other or undefined media error": the message content is refused (bare CR or
    /// LF where only CRLF is allowed, malformed headers).
    public static let mediaError = EnhancedStatusCode(.permanentFailure, 6, 0)
    /// 5.6.7 "Non-ASCII addresses not permitted for that sender/recipient": a UTF-8 address
    /// in a transaction without SMTPUTF8 (RFC 6531 §3.5: "553 5.6.7").
    public static let nonASCIIAddressNotPermitted = EnhancedStatusCode(.permanentFailure, 6, 7)
    /// 5.7.0 "Other or undefined security status": authentication or STARTTLS required
    /// ("530 5.7.0 Authentication required", RFC 4954 §6).
    public static let securityPolicy = EnhancedStatusCode(.permanentFailure, 7, 0)
    /// 5.7.1 "Delivery not authorized, message refused": relaying denied, or refused by policy.
    public static let deliveryNotAuthorized = EnhancedStatusCode(.permanentFailure, 7, 1)
    /// 5.7.8 "Authentication credentials invalid" (RFC 4954 §6: "535 5.7.8").
    public static let authenticationCredentialsInvalid = EnhancedStatusCode(.permanentFailure, 7, 8)
    /// 5.7.9 "Authentication mechanism is too weak" (RFC 4954 §6: "534 5.7.9").
    public static let authenticationMechanismTooWeak = EnhancedStatusCode(.permanentFailure, 7, 9)
    /// 5.7.11 "Encryption required for requested authentication mechanism" (RFC 4954 §6: "538 5.7.11").
    public static let encryptionRequiredForAuthentication = EnhancedStatusCode(.permanentFailure, 7, 11)
}
