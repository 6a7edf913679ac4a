// The queue's pure policy: the written-down backoff schedule, the lifetime, and which
// notifications RFC 3461's NOTIFY asks for — all at a given `now`, no clock, no files.

import Foundation
import MailroomQueue
import Testing
@testable import MailroomDelivery

@Suite("Queue policy")
struct QueuePolicyTests {
    let arrival: Int64 = 1_700_000_000

    @Test("attempts double from 5 minutes after arrival, capped at 4 hours, until 5 days")
    func schedule() {
        let policy = QueuePolicy(delayWarning: 0)
        let times = policy.attemptTimes(arrival: arrival).map { $0 - arrival }
        #expect(Array(times.prefix(9)) == [0, 300, 600, 1200, 2400, 4800, 9600, 19200, 33600])
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 300 && $0 <= 14400 }, "\(gaps)")
        #expect(times.last == 432_000, "the last attempt is at the end of the lifetime: \(times)")
        #expect(!policy.isExpired(arrival: arrival, now: arrival + 431_999))
        #expect(policy.isExpired(arrival: arrival, now: arrival + 432_000))
    }

    @Test("the backoff is the message's age, clamped; the delay warning and the expiry are never skipped")
    func backoff() {
        let policy = QueuePolicy()
        #expect(policy.backoff(arrival: arrival, now: arrival) == 300)
        #expect(policy.backoff(arrival: arrival, now: arrival + 1000) == 1000)
        #expect(policy.backoff(arrival: arrival, now: arrival + 100_000) == 14400)
        // At 9600 s the next attempt would be at 19200 s; the 4 h warning comes first.
        #expect(policy.nextAttempt(arrival: arrival, now: arrival + 9600) == arrival + 14400)
        #expect(policy.attemptTimes(arrival: arrival).contains(arrival + 14400))
        // Just before expiry the next attempt is the expiry itself.
        #expect(policy.nextAttempt(arrival: arrival, now: arrival + 430_000) == arrival + 432_000)
        // Configurable: 1 minute to 1 hour, 1 day.
        let short = QueuePolicy(minimalBackoff: 60, maximalBackoff: 3600, maximalLifetime: 86400, delayWarning: 0)
        let times = short.attemptTimes(arrival: arrival).map { $0 - arrival }
        #expect(Array(times.prefix(5)) == [0, 60, 120, 240, 480])
        #expect(times.last == 86400)
    }

    func message(notify: [Envelope.Recipient.Notify]?, sender: String = "bob@example.org",
                 results: [RecipientResult] = [], reports: [ReportRecord] = []) -> QueuedMessage {
        var m = QueuedMessage(id: QueueID.make(now: 1_700_000_000_000_000),
                              envelope: Envelope(sender: sender, recipients: [.init(address: "alice@example.com", notify: notify)],
                                                 arrival: arrival),
                              path: "/nonexistent", messageOffset: 0, messageSize: 0, results: results, held: false)
        m.reports = reports
        return m
    }

    let bounced = RecipientResult(recipient: 0, status: .bounced, text: "550 5.1.1 no such user here: alice@example.com")
    let delivered = RecipientResult(recipient: 0, status: .delivered, text: "250 2.0.0 delivered: alice@example.com")
    let expanded = RecipientResult(recipient: 0, status: .delivered, text: "250 2.0.0 expanded: delivered to a@x, b@x")
    let forwarded = RecipientResult(recipient: 0, status: .delivered, text: "250 2.0.0 forwarded: x@remote as Q")
    let deferred = RecipientResult(recipient: 0, status: .deferred, text: "451 4.4.0 remote delivery is not available yet")

    @Test("NOTIFY decides: failures by default, success only when asked, never with NEVER or the null sender")
    func notices() {
        let policy = QueuePolicy()
        let now = arrival + 60
        func actions(_ notify: [Envelope.Recipient.Notify]?, _ result: RecipientResult, sender: String = "bob@example.org",
                     at time: Int64? = nil) -> [DeliveryStatusNotification.Action] {
            policy.notices(for: message(notify: notify, sender: sender, results: [result]), now: time ?? now).map(\.action)
        }
        #expect(actions(nil, bounced) == [.failed])
        #expect(actions([.failure], bounced) == [.failed])
        #expect(actions([.success], bounced) == [])
        #expect(actions([.never], bounced) == [])
        #expect(actions(nil, bounced, sender: "") == [], "never to the null sender")
        #expect(actions(nil, delivered) == [])
        #expect(actions([.success], delivered) == [.delivered])
        #expect(actions([.success, .failure], expanded) == [.expanded])
        #expect(actions([.success], forwarded) == [], "a one-to-one forward passes SUCCESS on instead")
        // Delay: only once the warning time has passed, and only if NOTIFY allows it.
        #expect(actions(nil, deferred) == [])
        #expect(actions(nil, deferred, at: arrival + 14400) == [.delayed])
        #expect(actions([.delay], deferred, at: arrival + 14400) == [.delayed])
        #expect(actions([.failure], deferred, at: arrival + 14400) == [])
        #expect(QueuePolicy(delayWarning: 0).notices(for: message(notify: nil, results: [deferred]), now: arrival + 99999).isEmpty)
    }

    @Test("a recipient is reported once per action")
    func reportedOnce() {
        let policy = QueuePolicy()
        let done = ReportRecord(number: 0, entries: [.init(recipient: 0, action: "delayed")])
        let m = message(notify: nil, results: [deferred], reports: [done])
        #expect(policy.notices(for: m, now: arrival + 20000).isEmpty)
        var later = m
        later.results.append(bounced)
        #expect(policy.notices(for: later, now: arrival + 500_000).map(\.action) == [.failed])
    }
}
