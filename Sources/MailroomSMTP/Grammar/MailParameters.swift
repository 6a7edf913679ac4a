// MailParameters — the ESMTP parameters of MAIL FROM that this server understands.
//
// Standards: RFC 5321 §4.1.2 (Mail-parameters = esmtp-param *(SP esmtp-param)), RFC 1870
// §3 (SIZE=1*20DIGIT), RFC 6152 §2 and RFC 3030 §3 (BODY), RFC 6531 §3.4 (SMTPUTF8, no
// value), RFC 3461 §4.3 and §4.4 (RET, ENVID), RFC 4954 §5 (AUTH=).
//
// The grammar accepts every parameter listed here whether or not the session offers the
// matching extension; the session refuses one it did not announce in EHLO (RFC 5321
// §4.1.1.11: 555). SIZE values above UInt64.max (a 20-digit number may be) are kept as
// UInt64.max: such a message is too big anyway, and the session answers 552 5.3.4.

/// The ESMTP parameters of one MAIL FROM command; nil or false where the client sent none.
public struct MailParameters: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3461 §4.4: "The ENVID parameter value MUST NOT exceed 100 characters".
    public static let maximumEnvelopeIDLength = 100

    /// SIZE: the client's estimate of the message size in octets (RFC 1870).
    public var size: UInt64?
    /// BODY: 7BIT, 8BITMIME or BINARYMIME (RFC 6152, RFC 3030).
    public var body: BodyType?
    /// SMTPUTF8: the transaction may use UTF-8 addresses and headers (RFC 6531).
    public var smtpUTF8: Bool
    /// RET: how much of the message a failure DSN returns (RFC 3461).
    public var returnContent: ReturnContent?
    /// ENVID: the sender's envelope identifier for DSNs, xtext-decoded (RFC 3461).
    public var envelopeID: String?
    /// AUTH=: the submitter asserted by a relaying client (RFC 4954 §5).
    public var authSubmitter: AuthSubmitter?

    public init(size: UInt64? = nil, body: BodyType? = nil, smtpUTF8: Bool = false, returnContent: ReturnContent? = nil,
                envelopeID: String? = nil, authSubmitter: AuthSubmitter? = nil) {
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.returnContent = returnContent
        self.envelopeID = envelopeID
        self.authSubmitter = authSubmitter
    }

    public var isEmpty: Bool { self == MailParameters() }

    /// The wire form, in a fixed order: "SIZE=1024 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x AUTH=<>".
    public var description: String {
        var parts: [String] = []
        if let size { parts.append("SIZE=\(size)") }
        if let body { parts.append("BODY=\(body)") }
        if smtpUTF8 { parts.append("SMTPUTF8") }
        if let returnContent { parts.append("RET=\(returnContent)") }
        if let envelopeID { parts.append("ENVID=" + XText.encode(envelopeID)) }
        if let authSubmitter { parts.append("AUTH=\(authSubmitter)") }
        return parts.joined(separator: " ")
    }
}
