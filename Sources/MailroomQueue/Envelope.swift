// Envelope — what the queue keeps about a message besides its bytes: the SMTP envelope (RFC
// 5321 §2.3.1: reverse-path and forward-paths) with the DSN parameters each recipient asked
// for (RFC 3461: RET, ENVID, NOTIFY, ORCPT), and where the message came from (for the
// Received: trace, logs and bounces). Addresses are kept as the client sent them, in Unicode
// where SMTPUTF8 (RFC 6531) allowed it; the empty sender is the null reverse-path `<>`, to which
// no bounce is ever sent (RFC 5321 §4.5.5).

public struct Envelope: Codable, Sendable, Equatable {
    public struct Recipient: Codable, Sendable, Equatable {
        /// The forward-path as accepted (after alias resolution the queue keeps the original).
        public var address: String
        /// RFC 3461 NOTIFY: nil means the default (FAILURE, and DELAY at the MTA's discretion).
        public var notify: [Notify]?
        /// RFC 3461 ORCPT, as "addr-type;address" with xtext decoded.
        public var originalRecipient: String?

        public enum Notify: String, Codable, Sendable {
            case never = "NEVER", success = "SUCCESS", failure = "FAILURE", delay = "DELAY"
        }

        public init(address: String, notify: [Notify]? = nil, originalRecipient: String? = nil) {
            self.address = address
            self.notify = notify
            self.originalRecipient = originalRecipient
        }
    }

    public enum Return: String, Codable, Sendable {
        case full = "FULL", headers = "HDRS"
    }

    /// The reverse-path without brackets; "" is the null sender.
    public var sender: String
    public var recipients: [Recipient]
    /// RFC 3461 RET and ENVID.
    public var returnContent: Return?
    public var envelopeID: String?
    /// RFC 6531: the message or its envelope needs SMTPUTF8 on the way out.
    public var smtpUTF8: Bool
    /// RFC 6152 / 3030 BODY=8BITMIME or BINARYMIME.
    public var body: String?
    /// Where it came from: client address, HELO/EHLO name, authenticated user, protocol
    /// ("ESMTPSA" …), the listener ("mx", "submission", "local").
    public var clientAddress: String?
    public var heloName: String?
    public var authenticatedUser: String?
    public var protocolName: String?
    public var listener: String?
    /// Arrival, seconds since 1970.
    public var arrival: Int64

    public init(sender: String, recipients: [Recipient], returnContent: Return? = nil, envelopeID: String? = nil,
                smtpUTF8: Bool = false, body: String? = nil, clientAddress: String? = nil, heloName: String? = nil,
                authenticatedUser: String? = nil, protocolName: String? = nil, listener: String? = nil, arrival: Int64) {
        self.sender = sender
        self.recipients = recipients
        self.returnContent = returnContent
        self.envelopeID = envelopeID
        self.smtpUTF8 = smtpUTF8
        self.body = body
        self.clientAddress = clientAddress
        self.heloName = heloName
        self.authenticatedUser = authenticatedUser
        self.protocolName = protocolName
        self.listener = listener
        self.arrival = arrival
    }
}
