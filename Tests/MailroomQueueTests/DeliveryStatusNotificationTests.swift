// Bounces and delay warnings: RFC 3464 structure, never to the null sender, RET=HDRS/FULL,
// RFC 6533 types for internationalized addresses.

import Foundation
import Testing
@testable import MailroomQueue

@Suite("Delivery status notifications")
struct DeliveryStatusNotificationTests {
    let original = Array("From: bob@example.org\r\nTo: alice@example.com\r\nSubject: hello\r\nMessage-ID: <m1@example.org>\r\n\r\nsecret body text\r\n".utf8)

    func envelope(sender: String = "bob@example.org", ret: Envelope.Return? = nil, utf8: Bool = false) -> Envelope {
        Envelope(sender: sender, recipients: [.init(address: "nobody@example.com")], returnContent: ret, envelopeID: "E-42",
                 smtpUTF8: utf8, arrival: 1_700_000_000)
    }

    func compose(_ envelope: Envelope, _ recipients: [DeliveryStatusNotification.RecipientStatus]) -> String? {
        DeliveryStatusNotification.compose(reportingMTA: "mx.example.com", queueID: QueueID.make(now: 1_700_000_000_000_000),
                                           envelope: envelope, recipients: recipients, original: original, now: 1_700_000_100,
                                           messageID: "dsn1@mx.example.com", boundary: "B-1").map { String(decoding: $0, as: UTF8.self) }
    }

    let failure = DeliveryStatusNotification.RecipientStatus(finalRecipient: "nobody@example.com", originalRecipient: "rfc822;nobody@example.com",
                                                             action: .failed, status: "5.1.1", diagnostic: "550 5.1.1 <nobody@example.com>: no such user")

    @Test("a bounce is a multipart/report with the RFC 3464 fields and the original headers only")
    func bounce() throws {
        let text = try #require(compose(envelope(), [failure]))
        #expect(text.hasPrefix("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: <bob@example.org>\r\n"))
        #expect(text.contains("Subject: Undelivered Mail Returned to Sender\r\n"))
        #expect(text.contains("Date: Tue, 14 Nov 2023 22:15:00 +0000\r\n"))
        #expect(text.contains("Auto-Submitted: auto-replied\r\n"))
        #expect(text.contains("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B-1\"\r\n"))
        #expect(text.contains("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n"))
        #expect(text.contains("Original-Envelope-Id: E-42\r\n"))
        #expect(text.contains("Arrival-Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"))
        #expect(text.contains("\r\nFinal-Recipient: rfc822; nobody@example.com\r\nOriginal-Recipient: rfc822;nobody@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: no such user\r\n"))
        #expect(text.contains("Content-Type: text/rfc822-headers\r\n\r\nFrom: bob@example.org\r\n"))
        #expect(text.contains("Subject: hello\r\n"))
        #expect(!text.contains("secret body text"))
        #expect(text.hasSuffix("\r\n--B-1--\r\n"))
        // Every line ends in CRLF.
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test("never to the null sender, and nothing to report is no report")
    func nullSender() {
        #expect(compose(envelope(sender: ""), [failure]) == nil)
        #expect(compose(envelope(), []) == nil)
    }

    @Test("RET=FULL returns the whole message; a delay warning says so")
    func fullAndDelay() throws {
        let full = try #require(compose(envelope(ret: .full), [failure]))
        #expect(full.contains("Content-Type: message/rfc822\r\n\r\nFrom: bob@example.org"))
        #expect(full.contains("secret body text"))
        var delayed = failure
        delayed.action = .delayed
        delayed.status = "4.4.1"
        let warning = try #require(compose(envelope(), [delayed]))
        #expect(warning.contains("Subject: Delayed Mail (still being retried)\r\n"))
        #expect(warning.contains("Action: delayed\r\nStatus: 4.4.1\r\n"))
    }

    @Test("internationalized addresses use the RFC 6533 types and utf-8 address types")
    func international() throws {
        let r = DeliveryStatusNotification.RecipientStatus(finalRecipient: "用户@例子.中国", action: .failed, status: "5.2.2",
                                                           diagnostic: "552 5.2.2 mailbox full")
        let text = try #require(compose(envelope(sender: "发件人@例子.中国", utf8: true), [r]))
        #expect(text.contains("report-type=global-delivery-status"))
        #expect(text.contains("Content-Type: message/global-delivery-status\r\n"))
        #expect(text.contains("Final-Recipient: utf-8; 用户@例子.中国\r\n"))
        #expect(text.contains("Content-Type: message/global-headers\r\n"))
        #expect(text.contains("To: <发件人@例子.中国>\r\n"))
    }
    @Test("a success report (NOTIFY=SUCCESS) says so and returns only the headers, even with RET=FULL")
    func success() throws {
        let delivered = DeliveryStatusNotification.RecipientStatus(finalRecipient: "alice@example.com", action: .delivered, status: "2.0.0",
                                                                   diagnostic: "250 2.0.0 delivered: alice@example.com")
        let text = try #require(compose(envelope(ret: .full), [delivered]))
        #expect(text.contains("Subject: Successful Mail Delivery Report\r\n"))
        #expect(text.contains("<alice@example.com>: delivered: 250 2.0.0 delivered: alice@example.com\r\n"))
        #expect(text.contains("Action: delivered\r\nStatus: 2.0.0\r\n"))
        #expect(text.contains("Content-Type: text/rfc822-headers\r\n"))
        #expect(!text.contains("secret body text"))
        // A mixed report is about the failure.
        let mixed = try #require(compose(envelope(), [delivered, failure]))
        #expect(mixed.contains("Subject: Undelivered Mail Returned to Sender\r\n"))
    }
}
