// Delivery at reception (MailroomDelivery's ReceptionDelivery) over the wire: a message for
// local mailboxes is in them when the client reads its 250, without a queue attempt; a message
// over queue.direct_delivery_max_bytes goes through the queue; a copy that cannot be written
// (quota) sends the message to the queue with the copies already written recorded, so nobody
// gets a second one; an alias target's own message size limit bounces that target only.

import Foundation
import MailroomCore
import Testing

@Suite(.serialized) struct DirectDeliveryTests {
    static let message = "From: a@example.net\r\nTo: user@example.com\r\nSubject: direct\r\n\r\nBody line.\r\n"

    @Test func deliveredBeforeTheReplyWithoutTheQueue() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["user@example.com", "team@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        // No waiting: the copies were durable before the 250.
        for (address, recipient) in [("user@example.com", "user@example.com"), ("alice@example.com", "team@example.com"),
                                     ("bob@example.com", "team@example.com")] {
            let inbox = try server.inbox(address)
            #expect(inbox.count == 1, "\(address)")
            #expect(inbox.first?.text.contains("Delivered-To: \(recipient)\r\n") == true, "\(address)")
        }
        #expect(try server.inbox("user@example.com")[0].text.hasPrefix("Return-Path: <a@example.net>\r\n"))
        let statistics = server.server.runner.statistics
        #expect(statistics.attempts == 0)
        #expect(statistics.sent == 2)
        #expect(try server.server.spool.scan().queued.isEmpty)
    }

    @Test func largerMessagesGoThroughTheQueue() async throws {
        let server = try await ServerHarness.start { $0.queue.directDeliveryMaxBytes = 64 }
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["user@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let inbox = try await server.waitForInbox("user@example.com", count: 1)
        #expect(inbox[0].text.contains("Delivered-To: user@example.com"))
        await server.server.runner.waitUntilIdle()
        #expect(server.server.runner.statistics.attempts == 1)
    }

    @Test func aCopyThatFailsQueuesTheRestOnly() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        // bob (the alias's second target) has room for nothing this size.
        _ = try await server.store.setQuota(try EmailAddress("bob@example.com"), quota: Quota(bytes: 100, messages: nil))
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["team@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        await server.server.runner.waitUntilIdle()
        #expect(server.server.runner.statistics.attempts >= 1)
        #expect(try server.inbox("alice@example.com").count == 1)
        #expect(try server.inbox("bob@example.com").isEmpty)
        // The queue bounced bob's copy (a permanent quota failure) and keeps the report for the
        // remote sender, which waits for outbound delivery.
        let queued = try server.server.spool.scan().queued
        #expect(queued.count == 1, "\(queued)")
    }

    @Test func anAliasTargetsSizeLimitBouncesThatTargetOnly() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        _ = try await server.store.setUserMessageLimit(try EmailAddress("alice@example.com"), bytes: 65536)
        let big = Self.message + String(repeating: "0123456789012345678901234567890123456789012345678901234567890123456789\r\n", count: 1000)
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["team@example.com"], "message": big])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        await server.server.runner.waitUntilIdle()
        #expect(try server.inbox("alice@example.com").isEmpty)
        #expect(try server.inbox("bob@example.com").count == 1)
        #expect(server.server.runner.statistics.bounced == 1)
    }
}
