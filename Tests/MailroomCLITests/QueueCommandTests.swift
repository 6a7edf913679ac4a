// `mailroom queue` end to end with the real binary: list, show, retry, delete, hold, release,
// the hidden `queue add` and `queue run --once`, the one log line per delivery attempt, and the
// runner lock that keeps a second runner off a spool a server is running.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension Sandbox {
    /// `mailroom queue add --from … --to … …` with `message` on standard input; returns the ID.
    func queueAdd(from: String, to: [String], message: String = testMessage(), extra: [String] = []) throws -> String {
        let r = try CLI.run(CLI.binary, ["queue", "add", "--from", from] + to.flatMap { ["--to", $0] } + extra + ["--config", configPath],
                            in: root, environment: environment(), input: message)
        try #require(r.ok, "\(r)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `mailroom queue run --once`, killed at `crashAt` when given.
    func queueRun(crashAt point: String? = nil) throws -> CLIResult {
        var env = environment()
        env["MAILROOM_CRASH_AT"] = point
        return try CLI.run(CLI.binary, ["queue", "run", "--once", "--config", configPath], in: root, environment: env)
    }

    /// Messages in a Maildir (new/ and cur/), CRLF shown as LF.
    func mailbox(_ local: String, _ domain: String = "example.com") throws -> [String] {
        storedMessages(try maildir(local, domain)).map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
    }

    /// `mailroom queue list --json`.
    func queueList() throws -> [[String: Any]] {
        let r = try mailroom("queue", "list", "--json")
        try #require(r.ok, "\(r)")
        return try #require(r.jsonArray, "\(r)")
    }
}

@Suite("mailroom queue")
struct QueueCommandTests {
    func setUp() throws -> Sandbox {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        try #require(s.mailroom("user", "add", "bob@example.com", "pw").ok)
        return s
    }

    @Test("add, list, run: delivered with Return-Path and Delivered-To, one log line per attempt, the queue empty")
    func addListRun() throws {
        let s = try setUp()
        let empty = try s.mailroom("queue", "list")
        #expect(empty.ok && empty.stdout == "The queue is empty.\n", "\(empty)")
        let id = try s.queueAdd(from: "bob@else.example", to: ["alice@example.com"])
        let list = try s.mailroom("queue", "list")
        #expect(list.ok && list.stdout.contains(id) && list.stdout.contains("bob@else.example") && list.stdout.contains("queued"), "\(list)")
        let run = try s.queueRun()
        #expect(run.ok, "\(run)")
        #expect(run.stdout == "1 attempt(s): 1 sent, 0 deferred, 0 bounced; 0 queued, 0 held\n", "\(run)")
        let lines = run.stderr.split(separator: "\n").filter { $0.contains(" delivery ") }
        try #require(lines.count == 1, "\(run)")
        for field in ["queue_id=\(id)", "from=<bob@else.example>", "to=<alice@example.com>", "status=sent", "delay=",
                      "size=", "mailboxes=alice@example.com", "reply=\"250 2.0.0 delivered: alice@example.com\""] {
            #expect(lines[0].contains(field), "\(field) in \(lines[0])")
        }
        #expect(try s.mailbox("alice") == ["Return-Path: <bob@else.example>\nDelivered-To: alice@example.com\n" + testMessage()])
        #expect(try s.queueList().isEmpty)
    }

    @Test("list and show: a deferred remote recipient with its reason, a bounce's notification, JSON for scripts")
    func listAndShow() throws {
        let s = try setUp()
        let id = try s.queueAdd(from: "bob@example.com", to: ["far@remote.example", "nobody@example.com", "alice@example.com"],
                                extra: ["--notify", "FAILURE,DELAY", "--envid", "E-7"])
        let run = try s.queueRun()
        #expect(run.stdout.contains("1 queued"), "\(run)")
        let list = try s.queueList()
        try #require(list.count == 1)
        #expect(list[0].string("id") == id)
        #expect(list[0].string("state") == "deferred")
        let recipients = try #require(list[0]["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0.string("status") } == ["deferred", "bounced", "delivered"])
        #expect(recipients[0].string("text")?.contains("remote delivery is not available yet") == true)
        #expect(recipients[0].strings("notify") == ["FAILURE", "DELAY"])
        let table = try s.mailroom("queue", "list")
        #expect(table.stdout.contains("1/3") && table.stdout.contains("deferred") && table.stdout.contains("remote delivery is not available yet"),
                "\(table)")

        let show = try s.mailroom("queue", "show", id)
        #expect(show.ok, "\(show)")
        for text in ["ID:           \(id)", "Sender:       <bob@example.com>", "ENVID:        E-7", "far@remote.example NOTIFY=FAILURE,DELAY",
                     "550 5.1.1 no such user here: nobody@example.com", "\(id)N0: nobody@example.com: failed",
                     "Headers:\nFrom: Bob <bob@else.example>"] {
            #expect(show.stdout.contains(text), "\(text) in \(show)")
        }
        #expect(!show.stdout.contains("Hello there."), "headers only")
        let json = try s.mailroom("queue", "show", id, "--json")
        #expect(json.jsonObject?.object("message")?.string("id") == id, "\(json)")
        #expect(json.jsonObject?.string("headers")?.contains("Subject: hello") == true)
        // The bounce reached bob, the sender.
        #expect(try s.mailbox("bob").contains { $0.contains("Action: failed\nStatus: 5.1.1") })
    }

    @Test("hold keeps a message from delivery, release brings it back; delete removes; bad IDs are refused")
    func holdReleaseDelete() throws {
        let s = try setUp()
        let id = try s.queueAdd(from: "bob@example.com", to: ["alice@example.com"])
        #expect(try s.mailroom("queue", "hold", id).ok)
        #expect(try s.queueRun().ok)
        #expect(try s.mailbox("alice").isEmpty)
        #expect(try s.queueList().map { $0.string("state") } == ["held"])
        let retryHeld = try s.mailroom("queue", "retry", id)
        #expect(retryHeld.status == 1 && retryHeld.stderr.contains("release them first"), "\(retryHeld)")
        #expect(try s.mailroom("queue", "release", id).ok)
        #expect(try s.queueRun().ok)
        #expect(try s.mailbox("alice").count == 1)

        let other = try s.queueAdd(from: "bob@example.com", to: ["alice@example.com"])
        let deleted = try s.mailroom("queue", "delete", other)
        #expect(deleted.ok && deleted.stdout == "deleted 1 message(s)\n", "\(deleted)")
        #expect(try s.queueList().isEmpty)
        let again = try s.mailroom("queue", "delete", other)
        #expect(again.status == 1 && again.stderr.contains("no such queued message: \(other)"), "\(again)")
        let bad = try s.mailroom("queue", "show", "../../etc/passwd")
        #expect(bad.status == 1 && bad.stderr.contains("is not a queue ID"), "\(bad)")
        #expect(try s.queueRun().ok)
        #expect(try s.mailbox("alice").count == 1)
    }

    @Test("retry makes a deferred message due now and leaves a flush request for a running server")
    func retry() throws {
        let s = try setUp()
        let id = try s.queueAdd(from: "bob@example.com", to: ["far@remote.example"])
        #expect(try s.queueRun().ok)
        let deferred = try s.queueList()[0]
        let later = try #require(deferred.string("nextAttempt"))
        // Not due: a run does not try it again.
        let idle = try s.queueRun()
        #expect(idle.stdout.hasPrefix("0 attempt(s)"), "\(idle)")
        let retry = try s.mailroom("queue", "retry", id)
        #expect(retry.ok && retry.stdout == "1 message(s) due now\n", "\(retry)")
        #expect(s.exists("\(s.spoolDir)/flush"), "a flush request for a running runner")
        let now = try #require(try s.queueList()[0].string("nextAttempt"))
        #expect(now < later, "\(now) < \(later)")
        let again = try s.queueRun()
        #expect(again.stdout.hasPrefix("1 attempt(s): 0 sent, 1 deferred"), "\(again)")
        #expect(try s.mailroom("queue", "retry", "--all").stdout == "1 message(s) due now\n")
        let usage = try s.mailroom("queue", "retry")
        #expect(usage.status != 0, "\(usage)")
    }

    @Test("a second runner is refused while one holds the spool (a running server)")
    func lockedSpool() throws {
        let s = try setUp()
        _ = try s.queueAdd(from: "bob@example.com", to: ["alice@example.com"])
        let fd = open("\(s.spoolDir)/runner.lock", O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0)
        try #require(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let refused = try s.queueRun()
        #expect(refused.status == 1 && refused.stderr.contains("being run by another process"), "\(refused)")
        #expect(try s.mailbox("alice").isEmpty)
        close(fd)
        #expect(try s.queueRun().ok)
        #expect(try s.mailbox("alice").count == 1)
    }
}
