// SMTPLimits — every size and count limit of the SMTP protocol layer, with the RFC minimum it
// must not go below. The server's configuration (smtp.* keys) overrides the defaults; the
// grammar and framing code take a `SMTPLimits` value and never hard-code a number.
//
// Standards: RFC 5321 §4.5.3.1 (size limits: "the maximum total length of a command line
// including the command word and the <CRLF> is 512 octets", text lines 1000 octets including
// CRLF, 100 recipients minimum buffer), RFC 1870 (SIZE), RFC 3030 (BDAT chunk sizes), RFC 4954
// §4 (AUTH responses may be longer than a command line: 12288 octets is the common limit).

public struct SMTPLimits: Sendable, Equatable {
    /// A command line, CRLF included. RFC 5321 §4.5.3.1.4 sets 512 as the minimum; ESMTP
    /// parameters (RFC 1869 §4.1.2) make longer lines legal, so the default allows more.
    public var commandLineBytes: Int
    /// A line of message text, CRLF included, in DATA. RFC 5321 §4.5.3.1.6: at least 1000.
    /// Longer lines are accepted up to this bound (many real messages exceed 1000).
    public var textLineBytes: Int
    /// One SASL response line in AUTH (RFC 4954 §4; Postfix's line_length_limit is 2048,
    /// Dovecot accepts 12288 for long GSSAPI/SCRAM exchanges).
    public var authLineBytes: Int
    /// The whole message, as in SIZE (RFC 1870). Per-domain and per-user limits come on top.
    public var messageBytes: Int
    /// Recipients in one transaction; more get 452 4.5.3 (RFC 5321 §4.5.3.1.8 requires at
    /// least 100 to be accepted).
    public var recipients: Int

    public static let minimumCommandLineBytes = 512
    public static let minimumTextLineBytes = 1000
    public static let minimumRecipients = 100

    public static let `default` = SMTPLimits(commandLineBytes: 4096, textLineBytes: 65536, authLineBytes: 12288,
                                             messageBytes: 50 * 1024 * 1024, recipients: 1000)

    public init(commandLineBytes: Int, textLineBytes: Int, authLineBytes: Int, messageBytes: Int, recipients: Int) {
        self.commandLineBytes = max(commandLineBytes, Self.minimumCommandLineBytes)
        self.textLineBytes = max(textLineBytes, Self.minimumTextLineBytes)
        self.authLineBytes = max(authLineBytes, self.commandLineBytes)
        self.messageBytes = messageBytes
        self.recipients = max(recipients, Self.minimumRecipients)
    }
}
