// POP3Reply+Standard — every fixed response the session sends, named, in one place, so that
// tests and the adapter refer to them by name (style.md §7: typed errors become wire replies at
// one boundary).
//
// Standards: RFC 1939 §4–§7 (the texts of its examples, where it has them), RFC 2449 §8 and
// RFC 3206 (which -ERR carries which code: [AUTH] for refused credentials and for a login
// method that is not allowed now, [SYS/TEMP] for our own temporary trouble, [SYS/PERM] for an
// account or domain that cannot be used, [IN-USE] for a locked maildrop), RFC 2595 §4 (STLS),
// RFC 5034 §4–§6 (AUTH).
//
// Security: no reply tells whether a user exists: USER always answers +OK, and a wrong
// password, an unknown user and a user without the needed SASL secret all get
// `authenticationFailed`. What an account may not do (POP3 disabled, domain suspended) is told
// only after its password or proof was verified.

extension POP3Reply {
    // MARK: Connection

    /// The greeting (RFC 1939 §4). No APOP timestamp: APOP is not offered.
    public static func greeting(hostName: String) -> POP3Reply { .ok("\(hostName) Mailroom POP3 server ready") }
    public static let goodbye = POP3Reply.ok("Logging out")
    public static let timeout = POP3Reply.error("Disconnected for inactivity")
    public static let shuttingDown = POP3Reply.error(.systemTemporary, "Server shutting down")
    public static let tooManyErrors = POP3Reply.error("Too many errors, closing connection")
    /// An event came that the session did not ask for (an adapter bug): close.
    public static let internalError = POP3Reply.error(.systemTemporary, "Internal error, closing connection")
    public static let ok = POP3Reply.ok("")

    // MARK: Command errors

    public static func syntaxError(_ error: POP3SyntaxError) -> POP3Reply { .error(error.text) }
    public static let lineTooLong = POP3Reply.error("Command line too long")
    public static let notAuthenticated = POP3Reply.error("Not logged in: authenticate first")
    public static let alreadyAuthenticated = POP3Reply.error("Already logged in")
    public static let userFirst = POP3Reply.error("Send USER first")

    // MARK: Authentication

    public static let userAccepted = POP3Reply.ok("Send PASS")
    public static let apopNotSupported = POP3Reply.error("APOP is not supported")
    /// USER/PASS or a PLAIN/LOGIN AUTH before TLS where TLS is required (Dovecot's wording).
    public static let plaintextDisallowed = POP3Reply.error(.authentication,
                                                           "Plaintext authentication disallowed on non-secure connections, use STLS")
    public static let userPassDisabled = POP3Reply.error(.authentication, "USER/PASS is disabled, use AUTH")
    public static let authenticationFailed = POP3Reply.error(.authentication, "Authentication failed")
    public static let tooManyFailedLogins = POP3Reply.error(.authentication, "Authentication failed, too many attempts")
    public static let pop3Disabled = POP3Reply.error(.authentication, "POP3 access is disabled for this account")
    public static let loginTooSoon = POP3Reply.error(.loginDelay, "Login too soon after the last one")
    public static let accountUnavailable = POP3Reply.error(.systemPermanent, "Account unavailable")
    public static let authenticationTemporaryFailure = POP3Reply.error(.systemTemporary, "Temporary authentication failure, try again later")
    public static let unsupportedMechanism = POP3Reply.error("Unsupported authentication mechanism")
    public static let authenticationCancelled = POP3Reply.error("Authentication cancelled")
    public static let authenticationResponseNotBase64 = POP3Reply.error("Invalid base64 in the authentication response")
    public static let authenticationResponseTooLong = POP3Reply.error("Authentication response too long")
    public static let malformedAuthentication = POP3Reply.error("Malformed authentication exchange")

    // MARK: STLS

    public static let beginTLS = POP3Reply.ok("Begin TLS negotiation")
    public static let tlsAlreadyActive = POP3Reply.error("TLS is already active")
    public static let tlsNotAvailable = POP3Reply.error("STLS is not available")

    // MARK: Maildrop

    /// After a successful login, or RSET (RFC 1939 §7: "maildrop has 2 messages (320 octets)").
    public static func maildropSummary(messages: Int, octets: Int) -> POP3Reply {
        .ok("maildrop has \(messages) message\(messages == 1 ? "" : "s") (\(octets) octets)")
    }
    public static let maildropInUse = POP3Reply.error(.inUse, "Maildrop is locked by another session")
    public static let maildropTemporaryFailure = POP3Reply.error(.systemTemporary, "Cannot open the maildrop, try again later")
    public static let maildropPermanentFailure = POP3Reply.error(.systemPermanent, "Cannot open the maildrop")
    public static let noSuchMessage = POP3Reply.error("No such message")
    public static func messageDeleted(_ number: Int) -> POP3Reply { .error("Message \(number) already deleted") }
    public static func messageMarked(_ number: Int) -> POP3Reply { .ok("Message \(number) deleted") }
    public static let messageUnavailable = POP3Reply.error(.systemTemporary, "Message cannot be read now, try again later")
    /// RETR (RFC 1939 §5: "+OK 120 octets").
    public static func messageFollows(octets: Int) -> POP3Reply { .ok("\(octets) octets") }
    public static let topFollows = POP3Reply.ok("Top of message follows")

    // MARK: QUIT in TRANSACTION (the UPDATE state, RFC 1939 §6)

    public static func loggedOut(deleted: Int) -> POP3Reply {
        .ok("Logging out, \(deleted) message\(deleted == 1 ? "" : "s") deleted")
    }
    /// RFC 1939 §6: "-ERR some deleted messages not removed".
    public static let deletionFailed = POP3Reply.error(.systemTemporary, "Some deleted messages were not removed")
}
