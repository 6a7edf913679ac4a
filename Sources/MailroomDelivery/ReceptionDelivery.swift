// ReceptionDelivery — local delivery while the SMTP client waits for its reply: a message that
// fits in memory and whose every recipient is a local mailbox is written into those Maildirs
// (durably, as MaildirDeposit does) before the 250, and never touches the spool. Each message
// is then written and fsynced once instead of twice (spool file and Maildir file), which is
// where the disk time of local delivery went (issue 4's benchmark).
//
// Anything else goes through the queue as before, decided before any file is written:
//   - a recipient that is not a plain local mailbox after expansion (a remote target, a forward,
//     an alias with an unresolvable member), that bounces (unknown, loop by Received: count or
//     Delivered-To:), or whose lookup fails;
//   - NOTIFY=SUCCESS on any recipient (the success report is the queue's work);
//   - the runner is not running in this process (another process owns the spool).
// When a copy cannot be written (quota, I/O), the copies already written are returned as
// target records: the caller spools the message, records them before the runner sees it, and
// the runner finishes the rest (retries, bounces) without writing those copies again.
//
// The copies get the names a queue delivery of this queue ID would give them (DepositName), and
// the same Return-Path:/Delivered-To: fields and log lines ("delivery", status sent).
// Crash: a kill after the copies are durable and before the 250 is read leaves them delivered
// while the client, seeing no reply, sends the message again — the duplicate RFC 5321 §6.1
// accepts for a lost reply, the same window a queue has between its fsync and its 250.
// Configuration: queue.direct_delivery_max_bytes (the SMTP server keeps messages up to it in
// memory; 0 sends everything through the queue).

import MailroomQueue

/// What a delivery at reception did.
public enum ReceptionOutcome: Sendable, Equatable {
    /// Every recipient has every copy: nothing to queue.
    case delivered
    /// Queue the message; `written` are copies already made (record them first).
    case queue(written: [TargetResult])
}

extension QueueRunner {
    /// Delivers `message` (the bytes as they would be spooled, Received: first) to its local
    /// recipients now, or says to queue it. The store is asked on the calling task; the files
    /// are written on the runner's threads.
    public func deliverAtReception(_ id: QueueID, envelope: Envelope, message bytes: [UInt8]) async -> ReceptionOutcome {
        guard let pool = runningPool else { return .queue(written: []) }
        let message = QueuedMessage(id: id, envelope: envelope, path: "", messageOffset: 0, messageSize: bytes.count,
                                    results: [], held: false)
        let scan = HeaderScan(bytes[...])
        guard let plans = await delivery.receptionPlans(message, scan: scan) else { return .queue(written: []) }
        let delivery = self.delivery
        let now = clock()
        let written = await pool.run { delivery.depositAtReception(message, bytes: bytes, scan: scan, plans: plans, now: now) }
        guard let written else {
            countSent(plans.count)
            return .delivered
        }
        return .queue(written: written)
    }
}

extension QueueDelivery {
    /// Every recipient's plan when each is one or more local mailboxes and nothing else; nil
    /// when the message must be queued.
    func receptionPlans(_ message: QueuedMessage, scan: HeaderScan) async -> [RecipientPlan]? {
        if message.envelope.recipients.contains(where: { $0.notify?.contains(.success) == true }) { return nil }
        var plans: [RecipientPlan] = []
        for (index, recipient) in message.envelope.recipients.enumerated() {
            let plan = await plan(index, recipient.address, scan: scan)
            guard plan.decision == nil, plan.external.isEmpty, plan.broken == nil, !plan.mailboxes.isEmpty else { return nil }
            plans.append(plan)
        }
        return plans
    }

    /// Writes every copy and logs each recipient; returns nil when all were written, else the
    /// copies written before the first failure (the message must be queued).
    func depositAtReception(_ message: QueuedMessage, bytes: [UInt8], scan: HeaderScan, plans: [RecipientPlan],
                            now: Int64) -> [TargetResult]? {
        let bodyLineFeeds = MaildirDeposit.bareLineFeeds(bytes)
        var written: [TargetResult] = []
        var outcomes: [RecipientOutcome] = []
        var derived: [QueueID] = []
        for plan in plans {
            let outcome = deliver(plan, message: message, bytes: bytes, bodyLineFeeds: bodyLineFeeds, scan: scan,
                                  verify: false, now: now, derived: &derived)
            written += outcome.newTargets
            guard outcome.status == .delivered else { return written }
            outcomes.append(outcome)
        }
        log(message, outcomes: outcomes, now: now)
        return nil
    }
}
