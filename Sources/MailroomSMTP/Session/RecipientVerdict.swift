// RecipientVerdict — the server's answer to `SMTPSession.Action.checkRecipient`: whether the
// forward-path is taken, how it is routed and how large a message it accepts.
//
// Standards: RFC 5321 §4.1.1.3 and §4.3.2 (RCPT replies: 250/251, or 450/451/452/503/550/551/
// 552/553/555), RFC 1870 §6 (a per-recipient size limit), RFC 3463.

/// The recipient policy's decision on RCPT TO.
public enum RecipientVerdict: Sendable, Equatable {
    /// The recipient is taken. `maxMessageBytes` is its own limit (a mailbox's quota room, a
    /// domain's size limit), or nil for the global one; the transaction keeps the smallest.
    case accepted(RecipientRoute, maxMessageBytes: Int?)
    /// The session sends this reply (550 5.1.1 unknown user, 550 5.7.1 relay denied, …); a
    /// client-caused one counts as an error.
    case rejected(SMTPReply)
}
