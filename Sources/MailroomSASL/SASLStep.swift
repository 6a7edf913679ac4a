// SASLStep — what the caller of a SASLServerExchange does next.
//
// Standards: RFC 4422 §3 (the challenge/response exchange and its outcome). Challenges are raw
// octets; each protocol base64-encodes them (SMTP "334 ", IMAP "+ ", POP3 "+ ") and decodes
// the client's answers before calling `receive`. A client's "*" (cancel) is handled by the
// protocol layer, which simply drops the exchange.

public enum SASLStep: Sendable, Equatable {
    /// Send this challenge (possibly empty) and pass the client's answer to `receive`.
    case challenge([UInt8])
    /// PLAIN, LOGIN: check the password with the account store, then call `passwordVerified`.
    case verifyPassword(username: String, password: String)
    /// CRAM-MD5, SCRAM-SHA-256: fetch the user's stored secrets (AccountStore.saslAccount), then
    /// call `credentialsFound` (nil for an unknown or refused user).
    case lookupCredentials(username: String)
    /// Authenticated as `username` (the authentication identity as the client sent it).
    case success(username: String)
    /// Not authenticated; the exchange is over.
    case failure(SASLFailure)

    /// Whether the exchange is over after this step.
    public var isFinal: Bool {
        switch self {
        case .success, .failure: true
        case .challenge, .verifyPassword, .lookupCredentials: false
        }
    }
}
