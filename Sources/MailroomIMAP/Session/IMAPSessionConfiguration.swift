// IMAPSessionConfiguration — what one IMAP session needs to know about the server: its name,
// limits, login policy and the extensions it announces. The server builds it from imap.* keys
// (and per connection: whether plaintext logins are allowed there).
//
// Standards: RFC 3501 §6.1.1 and §7.2.1 (CAPABILITY), §6.2.3 (LOGINDISABLED), RFC 4959
// (SASL-IR), RFC 7888 (LITERAL+), RFC 8314 (implicit TLS), RFC 4469 (CATENATE), RFC 4467
// (URLAUTH), RFC 5524 (URLAUTH=BINARY), RFC 5464 (METADATA, METADATA-SERVER), RFC 8514
// (SAVEDATE), RFC 8474 (OBJECTID), RFC 8508 (REPLACE).
//
// Configuration: imap.auth_mechanisms, imap.plaintext_auth_on_loopback, imap.max_bad_commands,
// imap.max_failed_logins, imap.max_command_bytes, imap.max_preauth_command_bytes,
// imap.max_append_bytes, passwords.scram_iterations.

import MailroomSASL

public struct IMAPSessionConfiguration: Sendable, Equatable {
    public static let defaultMaxBadCommands = 20
    public static let defaultMaxFailedLogins = 3

    /// The server's name, for the greeting and SCRAM.
    public var hostName: String
    public var limits: IMAPLimits
    /// BAD replies in a row before BYE.
    public var maxBadCommands: Int
    /// Failed logins on one connection; the one that reaches it closes the connection.
    public var maxFailedLogins: Int
    /// SASL mechanisms of AUTHENTICATE, in the order announced.
    public var saslMechanisms: [SASLMechanismKind]
    /// STARTTLS is offered (a certificate is configured and the connection is not TLS yet).
    public var startTLSAvailable: Bool
    /// LOGIN and PLAIN/LOGIN mechanisms need TLS on this connection (RFC 3501 §6.2.3).
    public var authRequiresTLS: Bool
    /// The extensions announced after login, in order.
    public var extensions: [String]
    public var saslLimits: SASLLimits
    public var scramIterations: Int

    /// Everything the server implements after login (the RFCs are named in docs/design.md's IMAP section).
    public static let standardExtensions = [
        "SASL-IR", "ID", "ENABLE", "IDLE", "LITERAL+", "NAMESPACE", "UIDPLUS", "MOVE", "UNSELECT", "CHILDREN",
        "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "ESEARCH", "SEARCHRES", "QUOTA", "QUOTA=RES-STORAGE",
        "QUOTA=RES-MESSAGE", "CONDSTORE", "UTF8=ACCEPT", "STATUS=SIZE", "BINARY", "MULTIAPPEND",
        "SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT",
        "CONTEXT=SEARCH", "CONTEXT=SORT", "CATENATE", "URLAUTH", "URLAUTH=BINARY", "METADATA", "METADATA-SERVER",
        "SAVEDATE", "OBJECTID", "REPLACE",
    ]

    public init(hostName: String, limits: IMAPLimits = .default, maxBadCommands: Int = Self.defaultMaxBadCommands,
                maxFailedLogins: Int = Self.defaultMaxFailedLogins,
                saslMechanisms: [SASLMechanismKind] = SASLMechanismKind.allCases, startTLSAvailable: Bool = false,
                authRequiresTLS: Bool = true, extensions: [String] = Self.standardExtensions,
                saslLimits: SASLLimits = SASLLimits(), scramIterations: Int = 4096) {
        self.hostName = hostName
        self.limits = limits
        self.maxBadCommands = max(1, maxBadCommands)
        self.maxFailedLogins = max(1, maxFailedLogins)
        self.saslMechanisms = saslMechanisms
        self.startTLSAvailable = startTLSAvailable
        self.authRequiresTLS = authRequiresTLS
        self.extensions = extensions
        self.saslLimits = saslLimits
        self.scramIterations = scramIterations
    }
}

/// The store's verdict on a login (LOGIN, or the password or proof of AUTHENTICATE).
public enum IMAPAuthOutcome: Sendable, Hashable {
    /// Verified and IMAP allowed: the user (canonical address). Next: the adapter opens the
    /// user's mail and calls `loginCompleted`.
    case success(user: String)
    /// Wrong password, unknown user, disabled account: NO [AUTHENTICATIONFAILED], a failed login.
    case invalidCredentials
    /// Verified, but the user's IMAP access is off: NO [AUTHORIZATIONFAILED], a failed login.
    case imapDisabled
    /// Verified, but the domain or tenant is disabled: NO [CONTACTADMIN].
    case accountUnavailable
    /// This client address failed too often lately: NO [UNAVAILABLE], the password unchecked.
    case throttled
    /// The user has imap.max_connections_per_user sessions already: NO [LIMIT].
    case tooManySessions
    /// The store could not answer: NO [UNAVAILABLE].
    case temporaryFailure
}
