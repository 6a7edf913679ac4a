// RcptParameters — the ESMTP parameters of RCPT TO that this server understands.
//
// Standards: RFC 5321 §4.1.2 (Rcpt-parameters = esmtp-param *(SP esmtp-param)), RFC 3461
// §4.1 (NOTIFY) and §4.2 (ORCPT). As with MailParameters, whether DSN was offered is the
// session's question, not the grammar's.

/// The ESMTP parameters of one RCPT TO command; nil where the client sent none.
public struct RcptParameters: Hashable, Sendable, CustomStringConvertible {
    /// NOTIFY: when to send a DSN for this recipient; `.never` for NOTIFY=NEVER.
    public var notify: NotifyConditions?
    /// ORCPT: the recipient as originally given.
    public var originalRecipient: OriginalRecipient?

    public init(notify: NotifyConditions? = nil, originalRecipient: OriginalRecipient? = nil) {
        self.notify = notify
        self.originalRecipient = originalRecipient
    }

    public var isEmpty: Bool { notify == nil && originalRecipient == nil }

    /// The wire form: "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user@example.com".
    public var description: String {
        var parts: [String] = []
        if let notify { parts.append("NOTIFY=\(notify)") }
        if let originalRecipient { parts.append("ORCPT=\(originalRecipient)") }
        return parts.joined(separator: " ")
    }
}
