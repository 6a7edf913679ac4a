// SMTPSessionConfiguration — what one SMTP session needs to know about the service it runs in:
// which port role it plays, the name it gives, its limits and which security rules apply.
//
// Standards: RFC 5321 §4.1.1.1 and §4.2 (the host name in the greeting and EHLO reply),
// §4.5.3.1 (limits, through SMTPLimits); RFC 6409 §4.3 and RFC 8314 (submission and
// submissions require authentication); RFC 3207 (STARTTLS); RFC 4954 §4 and §6 (AUTH, and 538
// when a mechanism needs encryption first).
//
// Configuration: the server builds one value per listener from its smtp.* keys (host name,
// limits, error limits, SASL mechanisms, TLS context present) and adjusts it per connection
// (`authRequiresTLS` is false for loopback clients). The session never reads configuration
// files itself.
//
// Security: `authRequiresTLS` keeps passwords off plaintext connections (AUTH is then neither
// advertised nor accepted before TLS); `mailRequiresAuth` is what keeps a submission port
// from being an open relay; `maxErrors` and `maxUnknownCommands` bound how long a confused or
// hostile client may keep a connection busy.

/// The settings of one SMTP session.
public struct SMTPSessionConfiguration: Sendable, Equatable {
    /// Which service the listener provides.
    public enum Role: String, Sendable, Equatable {
        /// Port 25: mail from other servers (RFC 5321).
        case mx
        /// Port 587: message submission with STARTTLS (RFC 6409).
        case submission
        /// Port 465: message submission over implicit TLS (RFC 8314 §3.3).
        case submissions
    }

    /// Client errors tolerated before "421 4.7.0 Too many errors" (Postfix's
    /// smtpd_hard_error_limit has the same default).
    public static let defaultMaxErrors = 20
    /// Unrecognized command lines tolerated before "421 4.7.0" (Postfix's
    /// smtpd_junk_command_limit is in the same spirit; Exim's smtp_max_unknown_commands is 3).
    public static let defaultMaxUnknownCommands = 5

    public var role: Role
    /// The name in the greeting, the EHLO reply and the 421 replies.
    public var hostName: String
    /// Line, message and recipient limits: `messageBytes` is what EHLO announces as SIZE,
    /// `recipients` the per-transaction cap (452 4.5.3 beyond it).
    public var limits: SMTPLimits
    /// Client errors (4xx/5xx replies the client caused) answered normally in one connection;
    /// the next one is answered "421 4.7.0 Too many errors" instead, and the connection is
    /// closed. A stored message starts the count again (Postfix: "without delivering mail").
    /// See SMTPSession+Limits for what counts.
    public var maxErrors: Int
    /// Unrecognized command lines (unknown verbs, lines that are not commands at all) answered
    /// normally; the next one is answered "421 4.7.0" and the connection is closed.
    public var maxUnknownCommands: Int
    /// The SASL mechanisms this service has, in the order EHLO lists them. They are advertised
    /// only when AUTH is possible now (see `authRequiresTLS`); "-PLUS" mechanisms (channel
    /// binding, RFC 5802 §6) only on TLS.
    public var authMechanisms: [SASLMechanism]
    /// A TLS context exists: STARTTLS is offered while the connection is not yet TLS.
    public var startTLSAvailable: Bool
    /// AUTH before TLS is refused with 538 5.7.11 and not advertised. The server sets it
    /// false for loopback clients.
    public var authRequiresTLS: Bool
    /// MAIL before a successful AUTH is refused with 530 5.7.0 (submission ports).
    public var mailRequiresAuth: Bool

    public init(role: Role, hostName: String, limits: SMTPLimits, maxErrors: Int = Self.defaultMaxErrors,
                maxUnknownCommands: Int = Self.defaultMaxUnknownCommands, authMechanisms: [SASLMechanism],
                startTLSAvailable: Bool, authRequiresTLS: Bool, mailRequiresAuth: Bool) {
        self.role = role
        self.hostName = hostName
        self.limits = limits
        self.maxErrors = max(0, maxErrors)
        self.maxUnknownCommands = max(0, maxUnknownCommands)
        self.authMechanisms = authMechanisms
        self.startTLSAvailable = startTLSAvailable
        self.authRequiresTLS = authRequiresTLS
        self.mailRequiresAuth = mailRequiresAuth
    }
}
