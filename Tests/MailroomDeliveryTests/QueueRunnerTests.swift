// The queue runner end to end in-process: real spool, real SQLite account store, real Maildirs,
// a clock the test moves. Every kind of recipient (mailbox, aliases with several and nested
// targets, loops, forwards with a kept copy, catch-all, domain alias, quota, disabled domain,
// remote), notifications as RFC 3461 asks, mail loops, the lifetime, and idempotent resumption
// after an interrupted attempt.

import Foundation
import MailroomCore
import MailroomMaildir
import MailroomQueue
import MailroomStore
import Testing
@testable import MailroomDelivery

@Suite("Queue runner")
struct QueueRunnerTests {
    @Test("a mailbox: Return-Path and Delivered-To prepended, CRLF kept, the spool emptied")
    func mailbox() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let id = try f.queue(from: "bob@else.example", to: "alice@example.com")
            let stats = try await f.runOnce()
            #expect(stats.sent == 1 && stats.attempts == 1)
            #expect(try f.messages("alice@example.com") == ["Return-Path: <bob@else.example>\nDelivered-To: alice@example.com\n" + testMessage()])
            let raw = try f.files("alice@example.com", "new")
            #expect(raw.count == 1 && raw[0].hasPrefix(DepositName(queueID: id, recipient: 0, userID: 1, host: "test.example").base))
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(try f.maildir("alice@example.com"))/new/\(raw[0])"))
            #expect(bytes.starts(with: Data("Return-Path: <bob@else.example>\r\nDelivered-To: alice@example.com\r\nFrom: Bob".utf8)))
            #expect(f.queued.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(f.root)/spool/queue").isEmpty, "no log left either")
            #expect(try f.messages("bob@example.com").isEmpty)
        }
    }

    @Test("aliases: several targets, nested, each mailbox once; a loop that reaches a mailbox delivers once")
    func aliases() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.user("carol@example.com")
            try await f.alias("team@example.com", "alice@example.com", "bob@example.com")
            try await f.alias("all@example.com", "team@example.com", "alice@example.com", "carol@example.com")
            try await f.alias("a@example.com", "b@example.com")
            try await f.alias("b@example.com", "a@example.com", "carol@example.com")
            try f.queue(from: "x@else.example", to: "team@example.com")
            try f.queue(from: "x@else.example", to: "all@example.com")
            try f.queue(from: "x@else.example", to: "a@example.com")
            try await f.runOnce()
            #expect(try f.messages("alice@example.com").count == 2)
            #expect(try f.messages("bob@example.com").count == 2)
            #expect(try f.messages("carol@example.com").count == 2)
            #expect(try f.messages("alice@example.com").allSatisfy { $0.contains("Delivered-To: team@example.com") || $0.contains("Delivered-To: all@example.com") })
            #expect(f.queued.isEmpty)
        }
    }

    @Test("an alias loop without a mailbox bounces (5.4.6) with a notification to the local sender")
    func aliasLoop() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.alias("a@example.com", "b@example.com")
            try await f.alias("b@example.com", "a@example.com")
            let id = try f.queue(from: "bob@example.com", to: "a@example.com")
            let stats = try await f.runOnce()
            #expect(stats.bounced == 1)
            let reports = try f.reports("bob@example.com")
            try #require(reports.count == 1, "\(reports)")
            let report = reports[0]
            #expect(report.hasPrefix("Return-Path: <>\nDelivered-To: bob@example.com\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.com>\n"))
            #expect(report.contains("Subject: Undelivered Mail Returned to Sender"))
            #expect(report.contains("X-Mailroom-Queue-ID: \(id)"))
            #expect(report.contains("Original-Envelope-Id: ENV-1"))
            #expect(report.contains("Final-Recipient: rfc822; a@example.com\nAction: failed\nStatus: 5.4.6\n"))
            #expect(report.contains("Diagnostic-Code: smtp; 550 5.4.6 alias loop without a mailbox"))
            #expect(report.contains("Content-Type: text/rfc822-headers\n\nFrom: Bob <bob@else.example>"))
            #expect(!report.contains("Hello there."), "headers only by default")
            #expect(f.queued.isEmpty, "the bounce was delivered and both messages are gone")
        }
    }

    @Test("nesting deeper than the limit bounces; within it, delivers")
    func nestingLimit() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            for i in 0..<10 { try await f.alias("hop\(i)@example.com", "hop\(i + 1)@example.com") }
            try await f.alias("hop10@example.com", "alice@example.com")
            try f.queue(from: "bob@example.com", to: "hop1@example.com")
            try f.queue(from: "bob@example.com", to: "hop0@example.com")
            let stats = try await f.runOnce()
            #expect(stats.bounced == 1)
            #expect(try f.messages("alice@example.com").count == 1)
            #expect(try f.reports("bob@example.com").first?.contains("aliases nest deeper than 10") == true)
        }
    }

    @Test("a forward that keeps a copy: the copy is delivered, the remote target waits visibly deferred")
    func forwardKeepCopy() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.alias("alice@example.com", "alice@example.com", "alice@remote.example")
            let id = try f.queue(from: "bob@example.com", to: [.init(address: "alice@example.com", notify: [.success, .failure])])
            try await f.runOnce()
            #expect(try f.plain("alice@example.com").count == 1)
            let forward = id.derived(.forward, 0)
            #expect(f.queued == [forward], "the original is done; the forwarded copy waits")
            let waiting = try f.spool.message(forward)
            #expect(waiting.envelope.sender == "bob@example.com")
            #expect(waiting.envelope.recipients == [.init(address: "alice@remote.example", notify: [.failure],
                                                          originalRecipient: "rfc822;alice@example.com")])
            #expect(waiting.results.last?.status == .deferred)
            #expect(waiting.results.last?.text.contains("remote delivery is not available yet") == true)
            let bytes = try f.spool.load(forward).bytes
            #expect(bytes.starts(with: Array("Delivered-To: alice@example.com\r\nFrom: Bob".utf8)), "loop detection on the way back")
            // Two destinations with SUCCESS asked: an "expanded" report.
            let reports = try f.reports("bob@example.com")
            try #require(reports.count == 1)
            #expect(reports[0].contains("Subject: Successful Mail Delivery Report"))
            #expect(reports[0].contains("Action: expanded\nStatus: 2.0.0"))
            // Neither bounced nor lost on the next attempts.
            f.clock.advance(3600)
            try await f.runOnce()
            #expect(f.queued == [forward])
            #expect(try f.plain("alice@example.com").count == 1)
        }
    }

    @Test("a plain forward to one remote address passes NOTIFY on; a remote recipient is deferred, never dropped")
    func remote() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.alias("fwd@example.com", "someone@remote.example")
            let id = try f.queue(from: "bob@example.com", to: [.init(address: "fwd@example.com", notify: [.success]),
                                                                .init(address: "direct@remote.example")])
            let stats = try await f.runOnce()
            #expect(stats.deferred == 2 && stats.bounced == 0)
            #expect(try f.messages("bob@example.com").isEmpty, "no report: the forward carries SUCCESS on")
            #expect(f.queued == [id, id.derived(.forward, 0)])
            let original = try f.spool.message(id)
            #expect(original.finalResult(0)?.text.hasPrefix("250 2.0.0 forwarded: someone@remote.example as \(id)R0") == true)
            #expect(original.lastResult(1)?.text == "451 4.4.0 remote delivery is not available yet: direct@remote.example waits in the queue")
            #expect(original.nextAttempt == f.clock.now + 300)
            #expect(try f.spool.message(id.derived(.forward, 0)).envelope.recipients[0].notify == [.success])
        }
    }

    @Test("catch-all and domain alias")
    func catchAllAndDomainAlias() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.store.setCatchAll(try DomainName("example.com"), target: "alice@example.com")
            try await f.store.addDomainAlias(try DomainName("example.net"), to: try DomainName("example.com"))
            try f.queue(from: "x@else.example", to: "whoever@example.com")
            try f.queue(from: "x@else.example", to: "bob@example.net")
            try await f.runOnce()
            #expect(try f.messages("alice@example.com").map { $0.contains("Delivered-To: whoever@example.com") } == [true])
            #expect(try f.messages("bob@example.com").map { $0.contains("Delivered-To: bob@example.net") } == [true])
        }
    }

    @Test("over quota: bounced (5.2.2) by default; deferred (4.2.2) and retried with quota_full_tempfail")
    func quota() async throws {
        try await withFixture { f in
            try await f.standardAccounts(aliceQuota: "1C")
            try f.queue(from: "bob@example.com", to: "alice@example.com")
            try await f.runOnce()
            try f.queue(from: "bob@example.com", to: "alice@example.com")
            let stats = try await f.runOnce()
            #expect(stats.bounced == 1)
            #expect(try f.plain("alice@example.com").count == 1)
            #expect(try f.reports("bob@example.com").first?.contains("Status: 5.2.2") == true)
        }
        try await withFixture({ $0.quotaFullTempfail = true }) { f in
            try await f.standardAccounts(aliceQuota: "1C")
            try f.queue(from: "bob@example.com", to: "alice@example.com")
            try await f.runOnce()
            let id = try f.queue(from: "bob@example.com", to: "alice@example.com")
            let stats = try await f.runOnce()
            #expect(stats.deferred == 1)
            #expect(try f.spool.message(id).lastResult(0)?.text.hasPrefix("452 4.2.2 mailbox full") == true)
            // Room is made; the retry at its due time delivers.
            _ = try await f.store.setQuota(try EmailAddress("alice@example.com"), quota: try Quota.parse("5C"))
            try await f.runOnce()
            #expect(f.queued == [id], "not due yet")
            f.clock.advance(300)
            try await f.runOnce()
            #expect(f.queued.isEmpty)
            #expect(try f.plain("alice@example.com").count == 2)
            #expect(try f.messages("bob@example.com").isEmpty, "no bounce")
        }
    }

    @Test("unknown user (5.1.1) and disabled domain (5.2.1) bounce; one report names both")
    func unknownAndDisabled() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.domain("off.example")
            try await f.user("carol@off.example")
            try await f.store.setDomainActive(try DomainName("off.example"), active: false)
            try f.queue(from: "bob@example.com", to: "nobody@example.com", "carol@off.example", "alice@example.com")
            let stats = try await f.runOnce()
            #expect(stats.bounced == 2 && stats.sent == 2, "alice and the report to bob")
            let reports = try f.reports("bob@example.com")
            try #require(reports.count == 1)
            #expect(reports[0].contains("Final-Recipient: rfc822; nobody@example.com\nAction: failed\nStatus: 5.1.1"))
            #expect(reports[0].contains("Final-Recipient: rfc822; carol@off.example\nAction: failed\nStatus: 5.2.1"))
            #expect(!reports[0].contains("alice@example.com\nAction"))
        }
    }

    @Test("no notification to the null sender; NOTIFY=NEVER is obeyed; RET=FULL returns the message")
    func noReports() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try f.queue(from: "", to: "nobody@example.com")
            try f.queue(from: "bob@example.com", to: [.init(address: "nobody@example.com", notify: [.never])])
            let stats = try await f.runOnce()
            #expect(stats.bounced == 2)
            #expect(f.queued.isEmpty)
            #expect(try f.messages("bob@example.com").isEmpty)
            #expect(try f.messages("alice@example.com").isEmpty)
            try f.queue(from: "bob@example.com", to: [.init(address: "nobody@example.com")], returnContent: .full)
            try await f.runOnce()
            let reports = try f.reports("bob@example.com")
            #expect(reports.count == 1 && reports[0].contains("Content-Type: message/rfc822") && reports[0].contains("Hello there."))
        }
    }

    @Test("a bounce for a remote sender is queued with the null sender and waits as remote mail")
    func remoteSenderBounce() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let id = try f.queue(from: "someone@else.example", to: "nobody@example.com")
            try await f.runOnce()
            let report = id.derived(.report, 0)
            #expect(f.queued == [report])
            let waiting = try f.spool.message(report)
            #expect(waiting.envelope.sender == "")
            #expect(waiting.envelope.recipients == [.init(address: "someone@else.example", notify: [.never])])
            #expect(waiting.lastResult(0)?.text.contains("remote delivery is not available yet") == true)
            let bytes = String(decoding: try f.spool.load(report).bytes, as: UTF8.self)
            #expect(bytes.hasPrefix("From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: <someone@else.example>\r\n"))
        }
    }

    @Test("a bounce to a sender that cannot take it is dropped, not bounced again")
    func doubleBounce() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try f.queue(from: "ghost@example.com", to: "nobody@example.com")
            let stats = try await f.runOnce()
            #expect(stats.bounced == 2, "the message's recipient, then the report's")
            #expect(f.queued.isEmpty)
        }
    }

    @Test("NOTIFY=SUCCESS gets a 'delivered' report (RFC 3461 §5.2.2)")
    func success() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try f.queue(from: "bob@example.com", to: [.init(address: "alice@example.com", notify: [.success], originalRecipient: "rfc822;Alice@Example.com")])
            try await f.runOnce()
            let reports = try f.reports("bob@example.com")
            try #require(reports.count == 1)
            #expect(reports[0].contains("Subject: Successful Mail Delivery Report"))
            #expect(reports[0].contains("Final-Recipient: rfc822; alice@example.com\nOriginal-Recipient: rfc822;Alice@Example.com\nAction: delivered\nStatus: 2.0.0"))
        }
    }

    @Test("mail loops bounce: more Received: fields than the limit, or Delivered-To: this recipient")
    func loops() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let received = String(repeating: "Received: from hop\n", count: 101)
            try f.queue(from: "bob@example.com", to: "alice@example.com", message: received + testMessage())
            try f.queue(from: "bob@example.com", to: "alice@example.com",
                        message: String(repeating: "Received: from hop\n", count: 100) + testMessage())
            try f.queue(from: "bob@example.com", to: "alice@example.com", message: "Delivered-To: Alice@Example.COM\n" + testMessage())
            let stats = try await f.runOnce()
            #expect(stats.bounced == 2 && stats.sent == 3, "one delivery and two reports to bob")
            #expect(try f.plain("alice@example.com").count == 1)
            let reports = try f.reports("bob@example.com")
            #expect(reports.count == 2)
            #expect(reports.contains { $0.contains("101 Received: fields, more than 100") })
            #expect(reports.contains { $0.contains("already delivered to alice@example.com (Delivered-To:)") })
        }
    }

    @Test("remote recipients: a delay warning after 4 hours, a bounce after 5 days (5.4.7)")
    func lifetime() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let id = try f.queue(from: "bob@example.com", to: "far@remote.example")
            try await f.runOnce()
            #expect(f.queued == [id])
            f.clock.advance(4 * 3600)
            try await f.runOnce()
            let warnings = try f.reports("bob@example.com")
            try #require(warnings.count == 1)
            #expect(warnings[0].contains("Subject: Delayed Mail (still being retried)"))
            #expect(warnings[0].contains("Action: delayed\nStatus: 4.4.0"))
            f.clock.advance(3600)
            try await f.runOnce()
            #expect(try f.reports("bob@example.com").count == 1, "warned once")
            f.clock.advance(5 * 86400)
            try await f.runOnce()
            #expect(f.queued.isEmpty)
            let reports = try f.reports("bob@example.com")
            #expect(reports.count == 2)
            #expect(reports.contains { $0.contains("Action: failed\nStatus: 5.4.7") && $0.contains("remote delivery is not available yet") })
        }
    }

    @Test("resuming after a crash: a copy already in new/ or cur/ is recorded, not written again; tmp/ leftovers go")
    func resume() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let id = try f.queue(from: "bob@else.example", to: "alice@example.com", "bob@example.com")
            // What an attempt killed after alice's rename and during bob's write leaves behind.
            let alice = try f.maildir("alice@example.com"), bob = try f.maildir("bob@example.com")
            for address in ["alice@example.com", "bob@example.com"] {
                _ = try MaildirLayout.createMailbox(volume: f.mailRoot, address: try EmailAddress(address))
            }
            let header = Array("Return-Path: <bob@else.example>\r\nDelivered-To: alice@example.com\r\n".utf8)
            let body = try f.spool.load(id).bytes
            _ = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: 0, into: alice,
                                           name: DepositName(queueID: id, recipient: 0, userID: 1, host: "another-host"),
                                           verify: false, syncs: DirectorySyncsHandle())
            let bobName = DepositName(queueID: id, recipient: 1, userID: 2, host: "test.example")
            try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(bob)/tmp/\(bobName.base)"))
            // A client has read alice's copy meanwhile.
            let storage = MaildirStorage(root: alice, options: MaildirOptions(hostName: "x"))
            _ = try storage.open(.inbox)
            _ = try storage.setFlags(.inbox, uids: [1], .add, flags: [.seen], keywords: [], unchangedSince: nil)

            try await f.runOnce()
            #expect(try f.messages("alice@example.com").count == 1)
            #expect(try f.messages("bob@example.com").count == 1)
            #expect(try f.files("bob@example.com", "tmp").isEmpty)
            #expect(f.queued.isEmpty)
        }
    }

    @Test("a deferred recipient's retries skip mailboxes that got their copy, even if its owner deleted it")
    func retrySkipsDone() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            try await f.alias("team@example.com", "alice@example.com", "ghost@example.com")
            let id = try f.queue(from: "bob@example.com", to: "team@example.com")
            try await f.runOnce()
            #expect(try f.messages("alice@example.com").count == 1)
            let message = try f.spool.message(id)
            #expect(message.lastResult(0)?.text.hasPrefix("451 4.3.5 alias target ghost@example.com") == true)
            #expect(message.targets.map(\.key) == ["u1"])
            for name in try f.files("alice@example.com", "new") {
                try FileManager.default.removeItem(atPath: "\(try f.maildir("alice@example.com"))/new/\(name)")
            }
            try await f.user("ghost@example.com")
            f.clock.advance(300)
            try await f.runOnce()
            #expect(f.queued.isEmpty)
            #expect(try f.messages("ghost@example.com").count == 1)
            #expect(try f.messages("alice@example.com").isEmpty, "not delivered a second time")
        }
    }

    @Test("server mode: enqueued messages are delivered at once, concurrently, sharing new/ fsyncs; retry via the spool")
    func serverMode() async throws {
        try await withFixture({ $0.deliveryConcurrency = 8; $0.syncMethod = .file }) { f in
            try await f.standardAccounts()
            let runner = f.runner()
            runner.start()
            var ids: [QueueID] = []
            for n in 0..<40 {
                let id = try f.queue(from: "bob@else.example", to: "alice@example.com", message: testMessage(subject: "n\(n)"))
                ids.append(id)
                runner.enqueued(id)
            }
            await runner.waitUntilIdle()
            #expect(try f.messages("alice@example.com").count == 40)
            #expect(f.queued.isEmpty)
            #expect(runner.statistics.sent == 40)
            #expect(runner.directorySyncCount <= 40)

            // A deferred message, then `mailroom queue retry`: mtime to now and a flush request.
            let deferred = try f.queue(from: "bob@example.com", to: "far@remote.example")
            runner.enqueued(deferred)
            await runner.waitUntilIdle()
            let before = runner.statistics.attempts
            try f.spool.setNextAttempt(deferred, at: f.clock.now)
            try f.spool.requestRun()
            let deadline = Date().addingTimeInterval(10)
            while runner.statistics.attempts == before, Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
            #expect(runner.statistics.attempts == before + 1, "the running loop noticed the flush request")
            await runner.stop()
            #expect(f.queued == [deferred])
        }
    }

    @Test("one runner per spool: a second one does not start")
    func exclusive() async throws {
        try await withFixture { f in
            try await f.standardAccounts()
            let first = f.runner()
            first.start()
            await #expect(throws: QueueRunnerError.busy(f.spool.directory)) { try await f.runner().runOnce() }
            await first.stop()
            try await f.runOnce()
        }
    }
}
