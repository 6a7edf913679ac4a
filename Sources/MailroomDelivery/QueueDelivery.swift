// QueueDelivery — one delivery attempt of one queued message: every recipient without a final
// result is expanded, delivered into its mailboxes, forwarded or deferred, the results are
// recorded, notifications are queued, and the message is removed or given its next attempt.
//
// Order of one attempt (each step is safe to repeat after a crash, see the crash points):
//   1. load the message once (envelope, log and bytes in one read) and scan its header once;
//   2. per pending recipient, decide what needs no file (address, loop by Received: count or
//      Delivered-To:, expansion in the account store; a remote recipient waits, deferred with
//      "remote delivery is not available yet" until the outbound issue delivers it);
//   3. per mailbox: Return-Path: and Delivered-To: prepended, written durably under its
//      deterministic name (MaildirDeposit; with `verify`, an earlier unrecorded copy is found
//      instead); remote targets of an alias become one derived message <id>R<index>, queued
//      with the original sender (a forward, with Delivered-To: for loop detection);
//      — crash point queue.delivered (every file durable, nothing recorded)
//   4. record the results with one append: "delivered" unsynced (its Maildir file is durable
//      and is found again), "bounced" and the "target" records of recipients that stay
//      deferred synced; — crash point queue.recorded
//   5. queue the notification the log does not show yet as <id>N<n> (null sender, to the
//      envelope sender, never to <>), then record it; — crash point queue.report-queued
//   6. remove the message when every recipient is final, else set its next attempt.
// A derived message waits until its parent has recorded it (its result or report record), so
// after a crash the scan can never deliver a bounce that the parent is about to queue again.
//
// fsyncs of a fresh message to one local mailbox: the Maildir file, and new/ (shared with
// concurrent deliveries into that directory) — on top of the spool's two at reception. The
// result record and the removal are not synced. A bounce adds: the log, the notification's
// file and queue/ (shared), its report record, and the notification's own delivery.
//
// One log line per recipient and attempt ("delivery", on the runner's logger): queue_id,
// from, to, orig_to (ORCPT when given), mailboxes, size, delay (seconds since arrival),
// status (sent|deferred|bounced), reply.
// Configuration: DeliveryOptions.

import Foundation
import Logging
import MailroomCore
import MailroomMaildir
import MailroomQueue
import MailroomSMTP
import MailroomStore

/// What one attempt decided, for the runner.
struct AttemptResult: Sendable {
    /// When to try again; nil when the message is done, gone or held.
    var nextAttempt: Int64?
    /// Messages it queued (notifications, forwards): deliver them now.
    var derived: [QueueID] = []
    /// The next attempt must look for copies this one may have written without recording them.
    var verifyNext = false
    /// Counts for the runner's statistics.
    var sent = 0, deferred = 0, bounced = 0
}

/// The plan for one recipient, made before any file is touched.
struct RecipientPlan: Sendable {
    enum Decision: Sendable {
        case bounce(DeliveryFailure)
        case deferral(DeliveryFailure)
    }
    var index: Int
    var address: EmailAddress?
    var decision: Decision?
    var mailboxes: [User] = []
    var external: [String] = []
    var broken: DeliveryFailure?
    var destinations: Int { mailboxes.count + external.count }
}

/// What happened to one recipient in this attempt.
struct RecipientOutcome: Sendable {
    var index: Int
    var status: RecipientResult.Status
    var reply: String
    var mailboxes: [String] = []
    var newTargets: [TargetResult] = []
}

struct QueueDelivery: Sendable {
    let spool: Spool
    let options: DeliveryOptions
    let expansion: RecipientExpansion<User>
    let syncs: DirectorySyncsHandle
    let logger: Logger
    var policy: QueuePolicy { options.policy }

    // MARK: One attempt

    /// Steps 1–6 for the message `id`: the account store is asked on the calling task, the
    /// file work runs on `pool`.
    func attempt(_ id: QueueID, verify: Bool, pool: BlockingPool, now: @Sendable () -> Int64) async -> AttemptResult {
        let spool = self.spool
        if let parent = id.parent {
            let waiting = await pool.run { Self.parentHasNotRecorded(parent, spool: spool) }
            if waiting { return AttemptResult(nextAttempt: now() + Self.parentWaitSeconds, verifyNext: verify) }
        }
        let loaded = await pool.run { () -> Result<LoadedMessage, QueueError> in
            do throws(QueueError) {
                let (message, bytes) = try spool.load(id)
                return .success(LoadedMessage(message: message, bytes: bytes))
            } catch {
                return .failure(error)
            }
        }
        let message: QueuedMessage, bytes: [UInt8]
        switch loaded {
        case .success(let m):
            (message, bytes) = (m.message, m.bytes)
        case .failure(.notFound):
            return AttemptResult()   // deleted meanwhile
        case .failure(.damaged(let why)):
            logger.error("damaged queue file left in place", metadata: ["queue_id": "\(id)", "error": "\(why)"])
            return AttemptResult()
        case .failure(let error):
            logger.error("cannot read a queued message", metadata: ["queue_id": "\(id)", "error": "\(error)"])
            return AttemptResult(nextAttempt: now() + policy.minimalBackoff, verifyNext: verify)
        }
        if message.held { return AttemptResult() }
        let scan = HeaderScan(bytes[...])
        let plans = await plan(message, scan: scan)
        let time = now()
        return await pool.run { self.execute(message, bytes: bytes, scan: scan, plans: plans, verify: verify, now: time) }
    }

    struct LoadedMessage: Sendable {
        var message: QueuedMessage
        var bytes: [UInt8]
    }

    /// How long a derived message waits before it looks at its parent again.
    static let parentWaitSeconds: Int64 = 60

    /// Whether the parent of a derived message still exists and has not recorded it yet.
    static func parentHasNotRecorded(_ parent: (id: QueueID, kind: QueueID.Derivation, number: Int), spool: Spool) -> Bool {
        guard spool.exists(parent.id) else { return false }
        for record in spool.records(of: parent.id) {
            switch (record, parent.kind) {
            case (.result(let r), .forward) where r.recipient == parent.number && r.status != .deferred: return false
            case (.target(let t), .forward) where t.recipient == parent.number && t.key == "remote": return false
            case (.report(let r), .report) where r.number == parent.number: return false
            default: continue
            }
        }
        return true
    }

    // MARK: Async part: decisions that need the account store

    /// Step 2 for every pending recipient.
    func plan(_ message: QueuedMessage, scan: HeaderScan) async -> [RecipientPlan] {
        var plans: [RecipientPlan] = []
        for index in message.pendingRecipients {
            plans.append(await plan(index, message.envelope.recipients[index].address, scan: scan))
        }
        return plans
    }

    func plan(_ index: Int, _ text: String, scan: HeaderScan) async -> RecipientPlan {
        var plan = RecipientPlan(index: index)
        let address: EmailAddress
        do {
            address = try MessageHeaders.recipientAddress(text)
        } catch {
            plan.decision = .bounce(error)
            return plan
        }
        plan.address = address
        if let loop = MessageHeaders.loop(scan, recipient: address, maximumReceived: options.maxReceivedHeaders) {
            plan.decision = .bounce(loop)
            return plan
        }
        let expanded: Expansion<User>
        do {
            expanded = try await expansion.expand(address)
        } catch {
            plan.decision = .deferral(.temporary(.directoryServerFailure, "account store lookup of \(address.ascii) failed: \(error)"))
            return plan
        }
        if expanded.top == .notLocal {
            plan.decision = .deferral(Self.remoteUnavailable([address.ascii]))
            return plan
        }
        if let refusal = expanded.topRefusal(address) ?? expanded.loopRefusal(maximumNesting: options.maxAliasNesting) {
            plan.decision = .bounce(refusal)
            return plan
        }
        plan.mailboxes = expanded.mailboxes
        plan.external = expanded.external
        plan.broken = expanded.brokenFailure
        return plan
    }

    static func remoteUnavailable(_ addresses: [String]) -> DeliveryFailure {
        .temporary(.remoteDeliveryUnavailable,
                   "remote delivery is not available yet: \(addresses.joined(separator: ", ")) waits in the queue")
    }

    // MARK: Blocking part: files

    /// Steps 3–6; runs on a pool thread.
    func execute(_ message: QueuedMessage, bytes: [UInt8], scan: HeaderScan, plans: [RecipientPlan],
                 verify: Bool, now: Int64) -> AttemptResult {
        var result = AttemptResult()
        var outcomes: [RecipientOutcome] = []
        var bodyLineFeeds: Int64? = nil
        for plan in plans {
            var outcome: RecipientOutcome
            if let decision = plan.decision {
                switch decision {
                case .bounce(let failure): outcome = RecipientOutcome(index: plan.index, status: .bounced, reply: failure.reply)
                case .deferral(let failure): outcome = RecipientOutcome(index: plan.index, status: .deferred, reply: failure.reply)
                }
            } else {
                if bodyLineFeeds == nil, !plan.mailboxes.isEmpty { bodyLineFeeds = MaildirDeposit.bareLineFeeds(bytes) }
                outcome = deliver(plan, message: message, bytes: bytes, bodyLineFeeds: bodyLineFeeds ?? 0, scan: scan,
                                  verify: verify, now: now, derived: &result.derived)
            }
            if outcome.status == .deferred, policy.isExpired(arrival: message.envelope.arrival, now: now) {
                let days = Double(now - message.envelope.arrival) / 86400
                outcome.status = .bounced
                outcome.reply = DeliveryFailure(.invalidMessage, .deliveryTimeExpired,
                                                "delivery time expired after \(String(format: "%.1f", days)) days; last error: \(outcome.reply)").reply
            }
            outcomes.append(outcome)
        }
        CrashPoints.reach("queue.delivered")

        // 4. Record.
        var records: [LogRecord] = []
        var durable = false
        for outcome in outcomes {
            records.append(.result(RecipientResult(recipient: outcome.index, status: outcome.status, text: outcome.reply)))
            if outcome.status == .bounced { durable = true }
            if outcome.status == .deferred, !outcome.newTargets.isEmpty {
                records += outcome.newTargets.map { .target($0) }
                durable = true
            }
        }
        var updated = message
        // A message every recipient of which is now delivered, with no report to send, is
        // removed without writing its log first: a crash before the removal resumes it with
        // `verify`, which finds each copy by its name. This saves creating and deleting one
        // file per message, the common case.
        let finished = outcomes.allSatisfy { $0.status == .delivered }
            && Set(outcomes.map(\.index)) == Set(message.pendingRecipients)
            && !message.envelope.recipients.contains { $0.notify?.contains(.success) == true }
        do {
            if !finished || durable { try spool.record(records, for: message.id, durable: durable) }
        } catch {
            log(message, outcomes: outcomes, now: now)
            if case .notFound = error { return result }   // deleted meanwhile: nothing left to do
            logger.error("cannot record delivery results", metadata: ["queue_id": "\(message.id)", "error": "\(error)"])
            result.nextAttempt = now + policy.minimalBackoff
            result.verifyNext = true
            return result
        }
        CrashPoints.reach("queue.recorded")
        for record in records {
            switch record {
            case .result(let r): updated.results.append(r)
            case .target(let t): updated.targets.append(t)
            case .report: break
            }
        }
        log(message, outcomes: outcomes, now: now)
        for outcome in outcomes {
            switch outcome.status {
            case .delivered: result.sent += 1
            case .deferred: result.deferred += 1
            case .bounced: result.bounced += 1
            }
        }

        // 5. Notifications.
        if let report = report(updated, bytes: bytes, now: now, result: &result) {
            updated.reports.append(report)
        } else if message.envelope.sender.isEmpty, outcomes.contains(where: { $0.status == .bounced }) {
            logger.info("no notification: the sender is null (<>)", metadata: ["queue_id": "\(message.id)"])
        }
        if result.verifyNext {   // the report could not be recorded: try the rest later
            result.nextAttempt = now + policy.minimalBackoff
            return result
        }

        // 6. Remove, or wait.
        if updated.pendingRecipients.isEmpty {
            do {
                try spool.remove(message.id)
            } catch {
                if case .notFound = error { return result }
                logger.error("cannot remove a delivered message", metadata: ["queue_id": "\(message.id)", "error": "\(error)"])
                result.nextAttempt = now + policy.minimalBackoff
            }
            return result
        }
        let next = policy.nextAttempt(arrival: message.envelope.arrival, now: now)
        do {
            try spool.setNextAttempt(message.id, at: next)
        } catch {
            if case .notFound = error { return result }
        }
        result.nextAttempt = next
        return result
    }

    /// Step 3 for one expanded recipient.
    func deliver(_ plan: RecipientPlan, message: QueuedMessage, bytes: [UInt8], bodyLineFeeds: Int64, scan: HeaderScan,
                 verify: Bool, now: Int64, derived: inout [QueueID]) -> RecipientOutcome {
        guard let address = plan.address else { preconditionFailure("planned without an address") }
        var outcome = RecipientOutcome(index: plan.index, status: .delivered, reply: "")
        let done = Set(message.targets.filter { $0.recipient == plan.index }.map(\.key))
        var temporary: [DeliveryFailure] = []
        var permanent: [DeliveryFailure] = []
        let header = MessageHeaders.traceFields(returnPath: message.envelope.sender, deliveredTo: address, crlf: scan.crlf)
        for user in plan.mailboxes {
            let key = "u\(user.id)"
            if done.contains(key) {
                outcome.mailboxes.append(user.address)
                continue
            }
            do throws(DeliveryFailure) {
                try deposit(user, recipient: plan.index, header: header, body: bytes, bodyLineFeeds: bodyLineFeeds,
                            queueID: message.id, verify: verify)
                outcome.mailboxes.append(user.address)
                outcome.newTargets.append(TargetResult(recipient: plan.index, key: key, text: user.address))
            } catch {
                if error.isTemporary { temporary.append(error) } else { permanent.append(error) }
            }
        }
        var forwarded: String? = nil
        if !plan.external.isEmpty {
            let childID = message.id.derived(.forward, plan.index)
            if done.contains("remote") {
                forwarded = "\(plan.external.joined(separator: ", ")) as \(childID)"
            } else {
                do throws(QueueError) {
                    // Queued now or by an interrupted attempt: either way it may start once this
                    // attempt has recorded it.
                    try queueForward(plan, address: address, message: message, bytes: bytes, crlf: scan.crlf,
                                     childID: childID, now: now)
                    derived.append(childID)
                    forwarded = "\(plan.external.joined(separator: ", ")) as \(childID)"
                    outcome.newTargets.append(TargetResult(recipient: plan.index, key: "remote", text: "\(childID)"))
                } catch {
                    temporary.append(.temporary(.mailSystemTemporaryFailure, "cannot queue the forward to \(plan.external.joined(separator: ", ")): \(error)"))
                }
            }
        }
        if let broken = plan.broken { temporary.append(broken) }

        var doneText: [String] = []
        if !outcome.mailboxes.isEmpty { doneText.append("delivered to \(outcome.mailboxes.joined(separator: ", "))") }
        if let forwarded { doneText.append("forwarded \(forwarded)") }
        let partial = doneText.isEmpty ? "" : " (\(doneText.joined(separator: "; ")))"
        if let first = temporary.first {
            outcome.status = .deferred
            let others = temporary.dropFirst().map(\.oneLineText)
            outcome.reply = first.reply + (others.isEmpty ? "" : "; \(others.joined(separator: "; "))") + partial
        } else if let first = permanent.first {
            outcome.status = .bounced
            let others = permanent.dropFirst().map(\.oneLineText)
            outcome.reply = first.reply + (others.isEmpty ? "" : "; \(others.joined(separator: "; "))") + partial
        } else if plan.destinations > 1 {
            outcome.reply = "250 2.0.0 expanded: \(doneText.joined(separator: "; "))"
        } else if let forwarded {
            outcome.reply = "250 2.0.0 forwarded: \(forwarded)"
        } else {
            outcome.reply = "250 2.0.0 delivered: \(outcome.mailboxes.joined(separator: ", "))"
        }
        return outcome
    }

    /// One copy into one mailbox: quota, then the deterministic durable write.
    func deposit(_ user: User, recipient: Int, header: [UInt8], body: [UInt8], bodyLineFeeds: Int64,
                 queueID: QueueID, verify: Bool) throws(DeliveryFailure) {
        if let refusal = LocalDelivery.sizeRefusal(user, bytes: body.count) { throw refusal }
        let (storage, address) = try LocalDelivery.storage(for: user, options: options)
        let name = DepositName(queueID: queueID, recipient: recipient, userID: user.id, host: options.maildir.hostName)
        if verify, MaildirDeposit.find(name.key, in: storage.root) != nil {
            unlink("\(storage.root)/tmp/\(name.base)")
            return
        }
        let size = Int64(header.count + body.count)
        if storage.options.quota != .unlimited {
            let usage: QuotaUsage
            do throws(StorageError) {
                usage = try storage.quota()
            } catch {
                throw LocalDelivery.storageFailure(error, user, options: options, delivered: [])
            }
            if LocalDelivery.wouldExceed(usage, adding: size) {
                throw LocalDelivery.storageFailure(.overQuota(usage), user, options: options, delivered: [])
            }
        }
        var created = false
        while true {
            do throws(MaildirDeliveryError) {
                _ = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: bodyLineFeeds, into: storage.root,
                                               name: name, verify: false, syncs: syncs, method: options.syncMethod)
                MaildirDeposit.addToQuotaFile(root: storage.root, bytes: size)
                return
            } catch {
                switch error {
                case .missingMaildir where !created:
                    try LocalDelivery.createIfMissing(storage, user: user, address: address)
                    created = true
                case .noSpace:
                    throw .temporary(.mailSystemFull, "\(user.address): \(error)")
                default:
                    throw .temporary(.mailSystemTemporaryFailure, "\(user.address): \(error)")
                }
            }
        }
    }

    /// Queues the copy for the remote targets of one recipient as `childID`, unless an earlier
    /// attempt did. Returns whether it is new.
    @discardableResult
    func queueForward(_ plan: RecipientPlan, address: EmailAddress, message: QueuedMessage, bytes: [UInt8], crlf: Bool,
                      childID: QueueID, now: Int64) throws(QueueError) -> Bool {
        if spool.exists(childID) { return false }
        let original = message.envelope.recipients[plan.index]
        var notify = original.notify
        // RFC 3461 §5.2.7.3: one-to-many expansion reports "expanded" itself; the new
        // recipients do not ask for SUCCESS again.
        if plan.destinations > 1, var conditions = notify, conditions.contains(.success) {
            conditions.removeAll { $0 == .success }
            notify = conditions.isEmpty ? [.never] : conditions
        }
        let orcpt = original.originalRecipient
            ?? "\(DeliveryStatusNotification.addressType(original.address));\(original.address)"
        let envelope = Envelope(
            sender: message.envelope.sender,
            recipients: plan.external.map { Envelope.Recipient(address: $0, notify: notify, originalRecipient: orcpt) },
            returnContent: message.envelope.returnContent, envelopeID: message.envelope.envelopeID,
            smtpUTF8: message.envelope.smtpUTF8, body: message.envelope.body, listener: "forward", arrival: now)
        let writer = try spool.receive(envelope, id: childID)
        try writer.append(MessageHeaders.forwardFields(deliveredTo: address, crlf: crlf))
        try writer.append(bytes)
        try writer.commit()
        CrashPoints.reach("queue.forward-queued")
        return true
    }

    /// Step 5: queues the notification the log does not show yet and records it.
    func report(_ message: QueuedMessage, bytes: [UInt8], now: Int64, result: inout AttemptResult) -> ReportRecord? {
        let notices = policy.notices(for: message, now: now)
        guard !notices.isEmpty else { return nil }
        let number = (message.reports.map(\.number).max() ?? -1) + 1
        let reportID = message.id.derived(.report, number)
        let record = ReportRecord(number: number, entries: notices.map { .init(recipient: $0.recipient, action: $0.action.rawValue) })
        do throws(QueueError) {
            if !spool.exists(reportID) {
                let statuses = notices.map { notice in
                    Self.status(notice, message: message)
                }
                guard let text = DeliveryStatusNotification.compose(
                    reportingMTA: options.reportingMTA, queueID: message.id, envelope: message.envelope, recipients: statuses,
                    original: bytes, now: now, messageID: "\(reportID)@\(options.reportingMTA)",
                    boundary: "\(reportID)/\(options.reportingMTA)") else { return nil }
                let sender = message.envelope.sender
                let envelope = Envelope(sender: "", recipients: [.init(address: sender, notify: [.never])],
                                        smtpUTF8: message.envelope.smtpUTF8 || !DeliveryStatusNotification.isASCII(sender),
                                        body: "8BITMIME", listener: "dsn", arrival: now)
                let writer = try spool.receive(envelope, id: reportID)
                try writer.append(text)
                try writer.commit()
                CrashPoints.reach("queue.report-queued")
            }
            try spool.record([.report(record)], for: message.id, durable: true)
        } catch {
            if case .notFound = error { return nil }
            logger.error("cannot queue a delivery status notification",
                         metadata: ["queue_id": "\(message.id)", "report": "\(reportID)", "error": "\(error)"])
            result.verifyNext = true
            return nil
        }
        logger.info("notification queued", metadata: [
            "queue_id": "\(message.id)", "report_id": "\(reportID)", "to": "<\(message.envelope.sender)>",
            "actions": "\(notices.map { "\(message.envelope.recipients[$0.recipient].address)=\($0.action.rawValue)" }.joined(separator: " "))",
        ])
        result.derived.append(reportID)
        return record
    }

    /// A recipient's part of the report, from its last recorded result.
    static func status(_ notice: QueuePolicy.Notice, message: QueuedMessage) -> DeliveryStatusNotification.RecipientStatus {
        let recipient = message.envelope.recipients[notice.recipient]
        let reply = message.lastResult(notice.recipient)?.text ?? ""
        let words = reply.split(separator: " ", maxSplits: 2)
        let fallback: String
        switch notice.action {
        case .failed: fallback = "5.0.0"
        case .delayed: fallback = "4.0.0"
        default: fallback = "2.0.0"
        }
        let code = words.count >= 2 && EnhancedStatusCode(words[1]) != nil ? String(words[1]) : fallback
        return DeliveryStatusNotification.RecipientStatus(
            finalRecipient: recipient.address, originalRecipient: recipient.originalRecipient, action: notice.action,
            status: code, diagnostic: reply.isEmpty ? nil : reply)
    }

    // MARK: The log line

    func log(_ message: QueuedMessage, outcomes: [RecipientOutcome], now: Int64) {
        for outcome in outcomes {
            let recipient = message.envelope.recipients[outcome.index]
            var metadata: Logger.Metadata = [
                "queue_id": "\(message.id)",
                "from": "<\(message.envelope.sender)>",
                "to": "<\(recipient.address)>",
                "size": "\(message.messageSize)",
                "delay": "\(max(0, now - message.envelope.arrival))",
                "status": "\(outcome.status == .delivered ? "sent" : outcome.status.rawValue)",
                "reply": "\(outcome.reply)",
            ]
            if let orcpt = recipient.originalRecipient { metadata["orig_to"] = "\(orcpt)" }
            if !outcome.mailboxes.isEmpty { metadata["mailboxes"] = "\(outcome.mailboxes.joined(separator: ","))" }
            logger.info("delivery", metadata: metadata)
        }
    }
}
