// QueuePolicy — when a queued message is tried again, when it gives up, and who is told what.
// Pure code (style rule 11): every decision takes `now:` (seconds since 1970) as an argument,
// so the tests walk a message through five days in microseconds.
//
// Backoff (Postfix qmgr's rule, written down): after a failed attempt the message waits as long
// as it has already been queued, but at least `minimalBackoff` and at most `maximalBackoff`:
//     wait = clamp(now − arrival, minimalBackoff, maximalBackoff)
// With the defaults (5 min, 4 h) the attempts fall at 0, 5, 10, 20, 40, 80, 160 and 320
// minutes after arrival, then every 4 hours — the doubling schedule, but without counting
// attempts anywhere: it follows from the arrival time alone, so it survives restarts, and a
// manual `mailroom queue retry` does not restart it.
// Two moments are never skipped: the delay warning (`delayWarning` after arrival) and the end
// of the lifetime (`maximalLifetime` after arrival, 5 days), when what is still deferred bounces
// with 5.4.7 "delivery time expired" (RFC 3463).
//
// Notifications (RFC 3461 §4.1 NOTIFY, §5.2.2 and §5.2.7; RFC 3464 §2.3.3 Action), one report
// per recipient and action at most, never to the null sender:
//   failed    a recipient bounced, unless NOTIFY=NEVER or NOTIFY without FAILURE;
//   delayed   still deferred `delayWarning` after arrival, when NOTIFY has DELAY or is absent
//             (RFC 3461 leaves the default to the MTA; 0 turns warnings off);
//   delivered delivered into a mailbox, only with NOTIFY=SUCCESS;
//   expanded  an alias or forward that reached several destinations, only with NOTIFY=SUCCESS
//             (the forwarded copy's recipients then lose SUCCESS, §5.2.7.3);
//   (none)    a one-to-one forward to a remote address: the forwarded copy's recipient keeps
//             the original NOTIFY and ORCPT, so the remote end reports (§5.2.7.1).

import MailroomQueue

public struct QueuePolicy: Sendable, Equatable {
    public var minimalBackoff: Int64
    public var maximalBackoff: Int64
    public var maximalLifetime: Int64
    public var delayWarning: Int64

    public init(minimalBackoff: Int64 = DeliveryOptions.defaultMinimalBackoffSeconds,
                maximalBackoff: Int64 = DeliveryOptions.defaultMaximalBackoffSeconds,
                maximalLifetime: Int64 = DeliveryOptions.defaultMaximalLifetimeSeconds,
                delayWarning: Int64 = DeliveryOptions.defaultDelayWarningSeconds) {
        self.minimalBackoff = max(1, minimalBackoff)
        self.maximalBackoff = max(self.minimalBackoff, maximalBackoff)
        self.maximalLifetime = max(0, maximalLifetime)
        self.delayWarning = max(0, delayWarning)
    }

    /// The wait after an attempt at `now` failed.
    public func backoff(arrival: Int64, now: Int64) -> Int64 {
        min(max(now - arrival, minimalBackoff), maximalBackoff)
    }

    /// When to try a message again that an attempt at `now` left deferred: after the backoff,
    /// but not later than its delay warning (if still ahead) or the end of its lifetime.
    public func nextAttempt(arrival: Int64, now: Int64) -> Int64 {
        var next = now + backoff(arrival: arrival, now: now)
        if delayWarning > 0, now < arrival + delayWarning { next = min(next, arrival + delayWarning) }
        return min(next, max(arrival + maximalLifetime, now + 1))
    }

    /// Deferred recipients bounce at an attempt at or after this.
    public func isExpired(arrival: Int64, now: Int64) -> Bool {
        now >= arrival + maximalLifetime
    }

    /// The attempt times from arrival to expiry, for documentation and tests.
    public func attemptTimes(arrival: Int64) -> [Int64] {
        var times = [arrival]
        while let last = times.last, !isExpired(arrival: arrival, now: last) {
            times.append(nextAttempt(arrival: arrival, now: last))
        }
        return times
    }

    // MARK: Notifications

    /// One recipient's part in a notification.
    public struct Notice: Sendable, Equatable {
        public var recipient: Int
        public var action: DeliveryStatusNotification.Action
    }

    /// What has to be reported about `message` at `now` and was not reported yet.
    public func notices(for message: QueuedMessage, now: Int64) -> [Notice] {
        let envelope = message.envelope
        guard !envelope.sender.isEmpty else { return [] }
        var reported: Set<String> = []
        for report in message.reports {
            for entry in report.entries { reported.insert("\(entry.recipient):\(entry.action)") }
        }
        var notices: [Notice] = []
        for (index, recipient) in envelope.recipients.enumerated() {
            let notify = recipient.notify
            if notify?.contains(.never) == true { continue }
            func add(_ action: DeliveryStatusNotification.Action) {
                if !reported.contains("\(index):\(action.rawValue)") { notices.append(Notice(recipient: index, action: action)) }
            }
            if let final = message.finalResult(index) {
                switch final.status {
                case .bounced:
                    if notify == nil || notify!.contains(.failure) { add(.failed) }
                case .delivered:
                    if notify?.contains(.success) == true, let action = Self.successAction(final.text) { add(action) }
                case .deferred:
                    break
                }
            } else if delayWarning > 0, now >= envelope.arrival + delayWarning,
                      notify == nil || notify!.contains(.delay) {
                add(.delayed)
            }
        }
        return notices
    }

    /// The RFC 3464 action a "delivered" result stands for (see QueueDelivery's result texts):
    /// "… delivered: …" → delivered, "… expanded: …" → expanded, "… forwarded: …" → nothing
    /// now (the forwarded copy carries NOTIFY on).
    public static func successAction(_ text: String) -> DeliveryStatusNotification.Action? {
        let words = text.split(separator: " ", maxSplits: 3)
        guard words.count >= 3 else { return .delivered }
        switch words[2] {
        case "expanded:": return .expanded
        case "forwarded:": return nil
        default: return .delivered
        }
    }
}
