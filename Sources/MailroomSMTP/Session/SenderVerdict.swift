// SenderVerdict — the server's answer to `SMTPSession.Action.checkSender`: whether the
// reverse-path may start a transaction (sender policy: SPF, access rules, a submission user
// sending as someone else).
//
// Standards: RFC 5321 §4.1.1.2 and §4.3.2 (MAIL replies: 250, or 451/452/455/503/550/553/
// 552/555), RFC 3463 (the rejection carries its enhanced status code).

/// The sender policy's decision on MAIL FROM.
public enum SenderVerdict: Sendable, Equatable {
    /// The session answers 250 2.1.0 and opens the transaction.
    case accepted
    /// The session sends this reply; a client-caused one counts as an error.
    case rejected(SMTPReply)
}
