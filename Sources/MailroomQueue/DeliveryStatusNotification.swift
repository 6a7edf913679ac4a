// DeliveryStatusNotification — the bounce (or delay warning) the queue sends to the envelope
// sender: a multipart/report (RFC 6522) with a human-readable part, a machine-readable
// message/delivery-status part (RFC 3464 §2) and the original message's headers (RET=HDRS, the
// default) or the whole message (RET=FULL, RFC 3461 §4.3).
//
// Rules:
//   - never to the null reverse-path `<>` (RFC 5321 §4.5.5, RFC 3464 §2.1: DSNs are sent with
//     a null sender, so a bounce of a bounce is impossible);
//   - `Auto-Submitted: auto-replied` (RFC 3834 §5) so vacation responders stay quiet;
//   - internationalized addresses or headers use the RFC 6533 types
//     (message/global-delivery-status, message/global-headers, message/global) and "utf-8;"
//     address types, so 用户@例子.中国 is reported exactly;
//   - a returned full message larger than `maximumReturnedBytes` is cut to its headers;
//   - the whole message is returned only in a report of failures with RET=FULL (RFC 3461
//     §4.3); delay warnings and success reports (NOTIFY=SUCCESS, RFC 3461 §5.2.2: "delivered",
//     "expanded", "relayed") carry the headers only.
// The result is the message bytes with CRLF line ends; the queue spools it with sender "".

import MailroomCore

public struct DeliveryStatusNotification: Sendable {
    /// RFC 3464 §2.3.3 Action values the queue reports.
    public enum Action: String, Sendable {
        case failed, delayed, delivered, relayed, expanded
    }

    /// One recipient's part of the report.
    public struct RecipientStatus: Sendable, Equatable {
        public var finalRecipient: String
        public var originalRecipient: String?
        public var action: Action
        /// RFC 3463 status, e.g. "5.1.1".
        public var status: String
        /// The reply that decided it, e.g. "550 5.1.1 no such user" (Diagnostic-Code: smtp; …).
        public var diagnostic: String?
        public var remoteMTA: String?

        public init(finalRecipient: String, originalRecipient: String? = nil, action: Action, status: String,
                    diagnostic: String? = nil, remoteMTA: String? = nil) {
            self.finalRecipient = finalRecipient
            self.originalRecipient = originalRecipient
            self.action = action
            self.status = status
            self.diagnostic = diagnostic
            self.remoteMTA = remoteMTA
        }
    }

    /// The largest original message returned whole with RET=FULL (10 MiB); beyond it only the
    /// headers are returned, as Postfix's bounce_size_limit does.
    public static let maximumReturnedBytes = 10 * 1024 * 1024

    /// The report for `envelope`'s sender, or nil when the sender is null.
    public static func compose(reportingMTA: String, queueID: QueueID, envelope: Envelope, recipients: [RecipientStatus],
                               original: [UInt8], now: Int64, messageID: String, boundary: String) -> [UInt8]? {
        guard !envelope.sender.isEmpty, !recipients.isEmpty else { return nil }
        let international = envelope.smtpUTF8 || !isASCII(envelope.sender)
            || recipients.contains { !isASCII($0.finalRecipient) || !isASCII($0.originalRecipient ?? "") }
            || !isASCII(headerSection(of: original))
        let failed = recipients.contains { $0.action == .failed }
        let delayed = recipients.contains { $0.action == .delayed }
        let subject = failed ? "Undelivered Mail Returned to Sender"
            : delayed ? "Delayed Mail (still being retried)" : "Successful Mail Delivery Report"

        var out = ""
        func line(_ text: String = "") { out += text + "\r\n" }
        line("From: Mail Delivery System <MAILER-DAEMON@\(reportingMTA)>")
        line("To: <\(envelope.sender)>")
        line("Subject: \(subject)")
        line("Date: \(RFC5322Date.format(now))")
        line("Message-ID: <\(messageID)>")
        line("Auto-Submitted: auto-replied")
        line("MIME-Version: 1.0")
        line("Content-Type: multipart/report; report-type=\(international ? "global-delivery-status" : "delivery-status");")
        line("\tboundary=\"\(boundary)\"")
        line()
        line("This is a MIME-encapsulated message.")
        line()

        // 1. For people.
        line("--\(boundary)")
        line("Content-Type: text/plain; charset=utf-8")
        line("Content-Transfer-Encoding: 8bit")
        line()
        line("This is the mail system at \(reportingMTA).")
        line()
        if failed {
            line("Your message could not be delivered to one or more recipients.")
            line("It is attached below. The mail system said:")
        } else if delayed {
            line("Your message has not been delivered yet to one or more recipients.")
            line("The mail system will keep trying; you need not send it again.")
        } else {
            line("Your message was delivered to the recipients listed below, as you asked to be told.")
        }
        line()
        for r in recipients where r.action == .failed || r.action == .delayed {
            line("<\(r.finalRecipient)>: \(r.diagnostic ?? r.status)")
        }
        for r in recipients where r.action != .failed && r.action != .delayed {
            line("<\(r.finalRecipient)>: \(r.action.rawValue)\(r.diagnostic.map { ": \($0)" } ?? "")")
        }
        line()

        // 2. For programs (RFC 3464 §2.2 per-message fields, §2.3 per-recipient fields).
        line("--\(boundary)")
        line("Content-Type: message/\(international ? "global-delivery-status" : "delivery-status")")
        line()
        line("Reporting-MTA: dns; \(reportingMTA)")
        line("X-Mailroom-Queue-ID: \(queueID)")
        if let envid = envelope.envelopeID { line("Original-Envelope-Id: \(envid)") }
        line("Arrival-Date: \(RFC5322Date.format(envelope.arrival))")
        for r in recipients {
            line()
            line("Final-Recipient: \(addressType(r.finalRecipient)); \(r.finalRecipient)")
            if let original = r.originalRecipient {
                // ORCPT is kept as "type;address" (RFC 3461 §4.2).
                line("Original-Recipient: \(original.contains(";") ? original : "\(addressType(original)); \(original)")")
            }
            line("Action: \(r.action.rawValue)")
            line("Status: \(r.status)")
            if let mta = r.remoteMTA { line("Remote-MTA: dns; \(mta)") }
            if let diagnostic = r.diagnostic { line("Diagnostic-Code: smtp; \(oneLine(diagnostic))") }
        }
        line()

        // 3. The original: headers (default) or the whole message.
        let full = failed && envelope.returnContent == .full && original.count <= maximumReturnedBytes
        line("--\(boundary)")
        if full {
            line("Content-Type: message/\(international ? "global" : "rfc822")")
        } else {
            line("Content-Type: \(international ? "message/global-headers" : "text/rfc822-headers")")
        }
        line()
        var bytes = Array(out.utf8)
        let returned = full ? original : Array(headerSection(of: original).utf8)
        bytes += CRLF.normalized(returned)   // bare LF becomes CRLF: the report is one consistent message
        if bytes.last != 0x0A { bytes += [0x0D, 0x0A] }
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return bytes
    }

    /// RFC 3464 §2.3.2 / RFC 6533 §3: rfc822 for ASCII addresses, utf-8 otherwise.
    public static func addressType(_ address: String) -> String { isASCII(address) ? "rfc822" : "utf-8" }

    public static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    /// The header section of a message (up to and including the blank line's predecessor).
    static func headerSection(of message: [UInt8]) -> String {
        var i = 0
        var lineStart = 0
        while i < message.count {
            if message[i] == 0x0A {
                let line = message[lineStart..<i]
                if line.isEmpty || line == [0x0D] { return String(decoding: message[0..<lineStart], as: UTF8.self) }
                lineStart = i + 1
            }
            i += 1
        }
        return String(decoding: message, as: UTF8.self)
    }
}
