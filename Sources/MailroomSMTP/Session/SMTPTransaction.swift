// SMTPTransaction — one mail transaction as the session hands it to the server: the envelope
// (reverse-path, recipients and their ESMTP parameters) and the facts about the session that
// the queue, the Received: field and policy need.
//
// Standards: RFC 5321 §3.3 (a transaction is MAIL, one or more RCPT, then DATA), §4.4 (trace
// information: HELO name, TLS, authentication); RFC 1870 (SIZE), RFC 6152 and RFC 3030
// (BODY), RFC 6531 §3.4 (SMTPUTF8), RFC 3461 (RET, ENVID, NOTIFY, ORCPT), RFC 3848 (ESMTPSA
// protocol names, chosen from `esmtp`, `tls` and `authenticatedUser`).

/// A mail transaction.
public struct SMTPTransaction: Sendable, Equatable {
    public var reversePath: ReversePath
    /// MAIL FROM's parameters: SIZE, BODY, SMTPUTF8, RET, ENVID and AUTH= as sent. RFC 4954
    /// §5: AUTH= may only be trusted when the client itself is trusted; that is the server's
    /// decision.
    public var parameters: MailParameters
    /// The accepted recipients, in order.
    public var recipients: [SMTPRecipient]
    /// The HELO or EHLO argument.
    public var hello: HelloDomain
    /// EHLO (not HELO) was used.
    public var esmtp: Bool
    /// The connection was TLS when MAIL was given.
    public var tls: Bool
    /// The SASL identity, when the client authenticated.
    public var authenticatedUser: String?
    /// MAIL FROM carried SMTPUTF8 (RFC 6531 §3.4): UTF-8 addresses and headers are allowed.
    public var smtpUTF8: Bool
    /// The largest message this transaction takes: the smallest of the global SIZE limit and
    /// the per-recipient limits the recipient policy returned.
    public var maxMessageBytes: Int

    public init(reversePath: ReversePath, parameters: MailParameters, recipients: [SMTPRecipient], hello: HelloDomain,
                esmtp: Bool, tls: Bool, authenticatedUser: String?, smtpUTF8: Bool, maxMessageBytes: Int) {
        self.reversePath = reversePath
        self.parameters = parameters
        self.recipients = recipients
        self.hello = hello
        self.esmtp = esmtp
        self.tls = tls
        self.authenticatedUser = authenticatedUser
        self.smtpUTF8 = smtpUTF8
        self.maxMessageBytes = maxMessageBytes
    }
}
