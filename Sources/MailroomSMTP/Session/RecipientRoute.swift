// RecipientRoute — where an accepted recipient's copy of the message goes, as the server's
// recipient policy decided in answer to `SMTPSession.Action.checkRecipient`.
//
// Standards: RFC 5321 §3.6 and §3.9 (relaying and local delivery), RFC 6409 §3 (a submission
// server relays for its authenticated users).
//
// Security: `.relay` is only ever set by the policy (for an authenticated user, or a trusted
// network); the session never decides to relay by itself.

/// Local delivery or relaying, for one accepted recipient.
public enum RecipientRoute: Sendable, Equatable {
    /// A mailbox or alias hosted here.
    case local
    /// A foreign domain, to be sent on by the queue.
    case relay
}
