// AuthOutcome — how the SASL exchange that the server ran for AUTH ended.
//
// Standards: RFC 4954 §4 and §6 (235 2.7.0 on success; 535 5.7.8, 534 5.7.9, 454 4.7.0 and
// others on failure), RFC 4422 §3 (the authorization identity the exchange establishes).
//
// Security: the user name is the identity the store verified, never the one the client
// claimed before verification; the reply on failure must not say which part was wrong.

/// The end of a SASL exchange.
public enum AuthOutcome: Sendable, Equatable {
    /// The client is now this user (235 2.7.0).
    case success(username: String)
    /// The session sends this reply; it counts as a client error.
    case failure(SMTPReply)
}
