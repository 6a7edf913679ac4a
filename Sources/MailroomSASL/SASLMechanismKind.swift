// SASLMechanismKind — the server mechanisms this module implements.
//
// Standards: RFC 4616 (PLAIN), draft-murchison-sasl-login-00 (LOGIN), RFC 2195 (CRAM-MD5),
// RFC 5802 and RFC 7677 (SCRAM-SHA-256). The raw values are the registered names (RFC 4422
// §3.1), as they appear in SMTP's EHLO AUTH line, IMAP's AUTH= capability and POP3's SASL.
//
// Security: PLAIN and LOGIN send the password itself; offer them only over TLS (the protocol
// layer decides). CRAM-MD5 needs a password-equivalent secret on the server. SCRAM-SHA-256-PLUS
// (channel binding) is not implemented yet.

public enum SASLMechanismKind: String, Sendable, CaseIterable {
    case plain = "PLAIN"
    case login = "LOGIN"
    case cramMD5 = "CRAM-MD5"
    case scramSHA256 = "SCRAM-SHA-256"

    /// Looks a mechanism up by its name, case-insensitively (RFC 4422 §3.1 names are upper
    /// case; clients send "auth plain" too).
    public init?(name: String) {
        let upper = String(decoding: name.utf8.map { (0x61...0x7a).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
        self.init(rawValue: upper)
    }

    /// Whether the mechanism sends the password itself (PLAIN, LOGIN), so the caller checks it
    /// against the stored hash; the others need the stored SASL secrets instead.
    public var usesPassword: Bool {
        switch self {
        case .plain, .login: true
        case .cramMD5, .scramSHA256: false
        }
    }

    /// Whether the client may send data with the command that starts the exchange (RFC 4422
    /// §3.3: a client-first mechanism). CRAM-MD5 is server-first: an initial response is an
    /// error. LOGIN accepts the user name there, as most servers do.
    public var allowsInitialResponse: Bool {
        self != .cramMD5
    }
}
