// POP3SessionConfiguration — what one POP3 session needs to know about the service it runs
// in: its name, limits, login methods, TLS, the error limits and the policies CAPA announces.
//
// Standards: RFC 1939 §4 (greeting), RFC 2449 §6 (capabilities: USER, SASL, EXPIRE,
// LOGIN-DELAY, IMPLEMENTATION), RFC 2595 §4 (STLS) and §2.2 ("plaintext" logins should be
// refused before TLS), RFC 5034 (SASL mechanisms).
//
// Configuration: the server builds one value per listener from its pop3.* keys (host name,
// limits, mechanisms, TLS context present, policies) and adjusts it per connection
// (`authRequiresTLS` false for a loopback client). The session never reads files itself.
//
// Security: `authRequiresTLS` keeps passwords off plaintext connections: USER/PASS and AUTH
// PLAIN and LOGIN are then neither advertised nor accepted before TLS. XXX: CRAM-MD5 and
// SCRAM-SHA-256 stay allowed in clear (as Dovecot's disable_plaintext_auth does): they do not
// send the password, though a captured exchange still allows an offline dictionary attack;
// leave them out of `saslMechanisms` on a port that should refuse them. `maxErrors` and
// `maxFailedLogins` bound how long one connection can guess or send garbage.

import MailroomSASL

/// The settings of one POP3 session.
public struct POP3SessionConfiguration: Sendable, Equatable {
    /// Client errors answered normally; the next one is answered "-ERR Too many errors" and
    /// the connection closes (Dovecot's and Postfix's limits are of this size).
    public static let defaultMaxErrors = 20
    /// Failed logins before the session closes (the failure that reaches it closes).
    public static let defaultMaxFailedLogins = 3

    /// The name in the greeting and in CRAM-MD5 challenges.
    public var hostName: String
    /// Line-length limits (POP3Limits).
    public var limits: POP3Limits
    /// Client errors (syntax errors, unknown commands, commands out of state, refused
    /// message numbers) answered normally in one connection; the next one closes it.
    public var maxErrors: Int
    /// Failed logins (wrong credentials, POP3 disabled) allowed in one connection; the one
    /// that reaches this number is answered and the connection closes. The adapter delays
    /// each failed-login reply (POP3Session.Action.failedLogin) and throttles per address.
    public var maxFailedLogins: Int
    /// SASL mechanisms for AUTH, in the order CAPA lists them.
    public var saslMechanisms: [SASLMechanismKind]
    /// USER/PASS is offered at all (RFC 2449 §6.2: the USER capability).
    public var allowsUserPass: Bool
    /// A TLS context exists: STLS is offered while the connection is not yet TLS.
    public var startTLSAvailable: Bool
    /// USER/PASS, AUTH PLAIN and AUTH LOGIN before TLS are refused and not advertised. The
    /// server sets it false for loopback clients (as SMTPSessionConfiguration.authRequiresTLS).
    public var authRequiresTLS: Bool
    /// EXPIRE to advertise (nil: not advertised), and whether it varies per user.
    public var expire: POP3ExpirePolicy?
    public var expireVariesByUser: Bool
    /// LOGIN-DELAY seconds to advertise (nil: not advertised), and whether it varies per user.
    public var loginDelaySeconds: Int?
    public var loginDelayVariesByUser: Bool
    /// IMPLEMENTATION's text (RFC 2449 §6.9).
    public var implementation: String
    /// Field limits of the SASL mechanisms.
    public var saslLimits: SASLLimits
    /// SCRAM iteration count shown for unknown users (pass passwords.scram_iterations).
    public var scramIterations: Int

    public init(hostName: String, limits: POP3Limits = .default, maxErrors: Int = Self.defaultMaxErrors,
                maxFailedLogins: Int = Self.defaultMaxFailedLogins, saslMechanisms: [SASLMechanismKind] = SASLMechanismKind.allCases,
                allowsUserPass: Bool = true, startTLSAvailable: Bool, authRequiresTLS: Bool = true,
                expire: POP3ExpirePolicy? = nil, expireVariesByUser: Bool = false,
                loginDelaySeconds: Int? = nil, loginDelayVariesByUser: Bool = false,
                implementation: String = "Mailroom", saslLimits: SASLLimits = SASLLimits(),
                scramIterations: Int = SCRAMVerifier.defaultIterations) {
        self.hostName = hostName
        self.limits = limits
        self.maxErrors = max(0, maxErrors)
        self.maxFailedLogins = max(1, maxFailedLogins)
        self.saslMechanisms = saslMechanisms
        self.allowsUserPass = allowsUserPass
        self.startTLSAvailable = startTLSAvailable
        self.authRequiresTLS = authRequiresTLS
        self.expire = expire
        self.expireVariesByUser = expireVariesByUser
        self.loginDelaySeconds = loginDelaySeconds.map { max(0, $0) }
        self.loginDelayVariesByUser = loginDelayVariesByUser
        self.implementation = implementation
        self.saslLimits = saslLimits
        self.scramIterations = scramIterations
    }
}

/// Where SASL exchanges get their server nonce (SCRAM's nonce part, CRAM-MD5's challenge).
/// Randomness is an input like time (style.md §1): the server uses `.system`; tests pass fixed
/// values.
public struct POP3NonceSource: Sendable {
    let make: @Sendable () -> String

    public init(_ make: @escaping @Sendable () -> String) { self.make = make }

    /// SASLNonce.make(): 24 octets from the system's CSPRNG.
    public static let system = POP3NonceSource { SASLNonce.make() }
}
