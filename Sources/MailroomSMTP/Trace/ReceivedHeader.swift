// ReceivedHeader — the `Received:` trace field the server puts on top of every message it
// accepts (RFC 5321 §4.4: "When an SMTP server receives a message … it MUST insert trace
// information at the beginning of the message content"), with the protocol name of RFC 3848
// (ESMTP, ESMTPA, ESMTPS, ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP, UTF8SMTPA, UTF8SMTPS,
// UTF8SMTPSA).
// Shape, as Postfix writes it (folded, CRLF):
//   Received: from <helo> (<client name> [<client address>])
//   	(using <TLS version> with cipher <cipher>)
//   	by <our host name> (Mailroom) with <protocol> id <queue id>
//   	for <recipient>; <RFC 5322 date>
// Security: the HELO name and the client's host name come from the network: anything outside
// printable ASCII/UTF-8 without controls, or parentheses and brackets that would break the
// comment structure, is replaced, and each is cut to 255 bytes. `for` is written only when the
// transaction has exactly one recipient, so one recipient never learns the others (Postfix
// does the same). The authenticated user name is not written (it would expose an account).

import MailroomCore

public struct ReceivedHeader: Sendable, Equatable {
    public var heloName: String
    public var clientName: String?
    public var clientAddress: String
    public var hostName: String
    public var protocolName: String
    public var queueID: String
    public var recipients: [String]
    public var tls: (version: String, cipher: String)?
    public var date: Int64

    /// The longest HELO or client name written (RFC 5321 §4.5.3.1.2: domain names ≤ 255 octets).
    public static let maximumNameBytes = 255

    public init(heloName: String, clientName: String?, clientAddress: String, hostName: String, protocolName: String,
                queueID: String, recipients: [String], tls: (version: String, cipher: String)? = nil, date: Int64) {
        self.heloName = heloName
        self.clientName = clientName
        self.clientAddress = clientAddress
        self.hostName = hostName
        self.protocolName = protocolName
        self.queueID = queueID
        self.recipients = recipients
        self.tls = tls
        self.date = date
    }

    public static func == (a: ReceivedHeader, b: ReceivedHeader) -> Bool { a.encoded == b.encoded }

    /// RFC 3848 / RFC 6531 protocol name for a session.
    public static func protocolName(extended: Bool, tls: Bool, authenticated: Bool, smtpUTF8: Bool) -> String {
        if smtpUTF8 { return "UTF8SMTP" + (authenticated && tls ? "SA" : authenticated ? "A" : tls ? "S" : "") }
        guard extended else { return "SMTP" }
        return "ESMTP" + (tls && authenticated ? "SA" : tls ? "S" : authenticated ? "A" : "")
    }

    /// The field, folded, ending in CRLF.
    public var encoded: String {
        var out = "Received: from \(Self.clean(heloName)) (\(clientName.map(Self.clean) ?? "unknown") [\(Self.clean(clientAddress))])\r\n"
        if let tls { out += "\t(using \(Self.clean(tls.version)) with cipher \(Self.clean(tls.cipher)))\r\n" }
        out += "\tby \(Self.clean(hostName)) (Mailroom) with \(protocolName) id \(Self.clean(queueID))"
        if recipients.count == 1 {
            out += "\r\n\tfor <\(Self.clean(recipients[0]))>; \(RFC5322Date.format(date))\r\n"
        } else {
            out += ";\r\n\t\(RFC5322Date.format(date))\r\n"
        }
        return out
    }

    /// Network-supplied text made safe inside a comment or a domain slot.
    static func clean(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if out.utf8.count >= maximumNameBytes { break }
            switch scalar {
            case "(", ")", "[", "]", "<", ">", ";", "\\": out.append("_")
            case _ where scalar.value < 0x21 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value): out.append("_")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out.isEmpty ? "unknown" : out
    }
}
