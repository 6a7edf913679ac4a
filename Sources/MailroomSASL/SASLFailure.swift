// SASLFailure — why an exchange ended without authenticating.
//
// Standards: RFC 4954 §6 / RFC 9051 §6.2.2 / RFC 5034 §4 map these to wire replies in the
// protocol layers (one boundary per command, style rule 7): malformed → SMTP 501 5.5.2,
// authorizationDenied and invalidCredentials → 535 5.7.8, mechanismUnavailable → 535 5.7.8 too
// (or 534 5.7.9 when the server wants to tell). Those mappings live with each protocol.
//
// Security: `malformed` texts describe the client's syntax only, never the account: they may
// be logged, and sending them to the client reveals nothing it did not send. invalidCredentials
// is the one answer for "no such user" and "wrong password".

public enum SASLFailure: Error, Sendable, Equatable {
    /// The client's message breaks the mechanism's grammar (or an event came out of order).
    case malformed(String)
    /// The client asked to act as another identity (authzid ≠ authcid, RFC 4422 §3.4.1).
    case authorizationDenied
    /// Wrong password or proof, or an unknown or disabled user.
    case invalidCredentials
    /// The user exists but has no stored secret for CRAM-MD5 or SCRAM-SHA-256.
    case mechanismUnavailable
}
