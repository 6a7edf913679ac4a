// DeliveryFailure — why a message was not delivered to a recipient: an RFC 3463 enhanced status
// code, a text, and what kind of failure it is. Style rule 7: the kind decides at exactly one
// boundary what happens — `mailroom deliver` turns it into a sysexits code, the queue runner
// into deferred (retry) or bounced (notification), never anything in between.
//
// Kinds and the sysexits code `mailroom deliver` exits with:
//   invalidSender     64 EX_USAGE    (5.1.7)
//   invalidMessage    65 EX_DATAERR  empty (5.6.0), too large (5.3.4), mail loop (5.4.6)
//   unknownRecipient  67 EX_NOUSER   5.1.1, 5.1.2, 5.1.3, 5.2.1
//   temporary         75 EX_TEMPFAIL any 4.x.x
//   mailboxFull       77 EX_NOPERM   5.2.2 (with storage.quota_full_tempfail = false)

import MailroomSMTP

public struct DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidSender, invalidMessage, unknownRecipient, temporary, mailboxFull
    }

    public var kind: Kind
    public var status: EnhancedStatusCode
    public var text: String

    public init(_ kind: Kind, _ status: EnhancedStatusCode, _ text: String) {
        self.kind = kind
        self.status = status
        self.text = text
    }

    public static func temporary(_ status: EnhancedStatusCode, _ text: String) -> DeliveryFailure {
        DeliveryFailure(.temporary, status, text)
    }

    public var isTemporary: Bool { kind == .temporary }

    /// The text on one line.
    public var oneLineText: String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }

    /// "5.2.2 mailbox full: …".
    public var description: String { "\(status) \(oneLineText)" }

    /// The reply an SMTP server would give for it, as the queue records it and a notification's
    /// Diagnostic-Code: shows it: "550 5.1.1 no such user here: …" (451/452 when temporary).
    public var reply: String {
        let code: Int
        switch status.statusClass {
        case .success: code = 250
        // 452: insufficient storage (4.2.x mailbox, 4.3.1 system full); 451 otherwise.
        case .persistentTransientFailure: code = status.subject == 2 || (status.subject == 3 && status.detail == 1) ? 452 : 451
        // 552: storage exceeded (5.2.x, 5.3.4 too big); 553: bad sender syntax; 550 otherwise.
        case .permanentFailure:
            code = status.subject == 2 || (status.subject == 3 && status.detail == 4) ? 552
                : status.subject == 1 && status.detail == 7 ? 553 : 550
        }
        return "\(code) \(status) \(oneLineText)"
    }
}

extension EnhancedStatusCode {
    /// 4.4.0 "Other or undefined network or routing status": a remote recipient waits for the
    /// outbound SMTP client, which does not exist yet.
    static let remoteDeliveryUnavailable = EnhancedStatusCode(.persistentTransientFailure, 4, 0)
    /// 5.4.7 "Delivery time expired": still deferred at the end of the queue lifetime.
    static let deliveryTimeExpired = EnhancedStatusCode(.permanentFailure, 4, 7)
}
