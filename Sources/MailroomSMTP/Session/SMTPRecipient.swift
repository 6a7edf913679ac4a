// SMTPRecipient — one accepted RCPT TO of a mail transaction: the path, its DSN parameters
// and the route the policy gave it.
//
// Standards: RFC 5321 §4.1.1.3 (RCPT), RFC 3461 §4.1 and §4.2 (NOTIFY and ORCPT, kept for the
// delivery status notifications the queue sends).

/// An accepted recipient.
public struct SMTPRecipient: Sendable, Equatable {
    public var path: ForwardPath
    public var parameters: RcptParameters
    public var route: RecipientRoute

    public init(path: ForwardPath, parameters: RcptParameters, route: RecipientRoute) {
        self.path = path
        self.parameters = parameters
        self.route = route
    }
}
