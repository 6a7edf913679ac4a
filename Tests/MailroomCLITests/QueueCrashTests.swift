// Queue crash points: `mailroom queue run --once` is killed with SIGKILL (MAILROOM_CRASH_AT) at
// each named step of a delivery attempt — Maildir write, rename, before and after recording,
// while queueing a bounce or a forward, and inside the spool commit of those — and then run
// again. Afterwards every mailbox has each message exactly once, the bounce went out exactly
// once, the forward waits exactly once, and nothing is left in tmp/ or in the queue.

import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Queue crash points")
struct QueueCrashTests {
    static let points = ["queue.maildir-tmp-synced", "queue.maildir-renamed", "queue.delivered", "queue.recorded",
                         "queue.report-queued", "queue.forward-queued", "queue.synced", "queue.renamed"]

    func crashMessage(_ n: Int) -> String {
        testMessage(subject: "crash \(n)", body: String(repeating: "line of body text \(n)\n", count: 100) + "END-OF-MESSAGE-\(n)\n")
    }

    /// example.com with alice and bob; team@ → alice, bob and a remote partner.
    func setUp() throws -> Sandbox {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        try #require(s.mailroom("user", "add", "bob@example.com", "pw").ok)
        try #require(s.mailroom("alias", "add", "team@example.com", "alice@example.com", "bob@example.com",
                                "partner@remote.example").ok)
        return s
    }

    /// The message numbers in a mailbox (plain messages), checking each is whole.
    func numbers(_ s: Sandbox, _ local: String) throws -> [Int] {
        try s.mailbox(local).filter { !$0.contains("multipart/report") }.map { text -> Int in
            let last = try #require(text.split(separator: "\n").last, "empty message file")
            try #require(last.hasPrefix("END-OF-MESSAGE-"), "a partial message is visible: …\(text.suffix(80))")
            return try #require(Int(last.dropFirst("END-OF-MESSAGE-".count)))
        }.sorted()
    }

    func reports(_ s: Sandbox, _ local: String) throws -> [String] {
        try s.mailbox(local).filter { $0.contains("multipart/report") }
    }

    /// The checks after the queue has settled, for messages 1…n sent as in `queueOne`.
    func expectExactlyOnce(_ s: Sandbox, messages n: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let all = Array(1...n)
        #expect(try numbers(s, "alice") == all, "alice: each message once", sourceLocation: sourceLocation)
        // bob is reached twice per message: through team@ and directly (two recipients).
        #expect(try numbers(s, "bob") == all.flatMap { [$0, $0] }, "bob: once per recipient", sourceLocation: sourceLocation)
        #expect(try reports(s, "alice").count == n, "one bounce per message (nobody@)", sourceLocation: sourceLocation)
        for local in ["alice", "bob"] {
            #expect(s.entries("\(try s.maildir(local, "example.com"))/tmp").isEmpty, "\(local): tmp/ empty", sourceLocation: sourceLocation)
        }
        let queued = try s.queueList()
        #expect(queued.count == n, "only the forwards to partner@ wait: \(queued)", sourceLocation: sourceLocation)
        #expect(queued.allSatisfy { ($0.string("id") ?? "").hasSuffix("R0") }, sourceLocation: sourceLocation)
        #expect(s.entries("\(s.spoolDir)/incoming").isEmpty, sourceLocation: sourceLocation)
        // UIDs: every message once, and the same on the next open.
        let list = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        let uids = (list.jsonObject?["messages"] as? [[String: Any]])?.compactMap { $0.int("uid") } ?? []
        #expect(uids == Array(1...(2 * n)), "\(list)", sourceLocation: sourceLocation)
    }

    func queueOne(_ s: Sandbox, _ n: Int) throws {
        _ = try s.queueAdd(from: "alice@example.com", to: ["team@example.com", "nobody@example.com", "bob@example.com"],
                           message: crashMessage(n))
    }

    @Test("killed at each crash point, then resumed: every mailbox gets each message exactly once", arguments: points)
    func crashPoint(_ point: String) throws {
        let s = try setUp()
        try queueOne(s, 1)
        let killed = try s.queueRun(crashAt: point)
        #expect(killed.status == SIGKILL, "the run should reach \(point): \(killed)")
        let resumed = try s.queueRun()
        #expect(resumed.ok, "\(resumed)")
        try expectExactlyOnce(s, messages: 1)
        // Nothing more happens on the next run, and a new message goes through normally.
        let idle = try s.queueRun()
        #expect(idle.stdout.hasPrefix("0 attempt(s)"), "\(idle)")
        try queueOne(s, 2)
        #expect(try s.queueRun().ok)
        try expectExactlyOnce(s, messages: 2)
    }

    @Test("five messages, killed again and again at every point in turn: each delivered exactly once")
    func repeatedKills() throws {
        let s = try setUp()
        for n in 1...5 { try queueOne(s, n) }
        for point in Self.points + Self.points.reversed() {
            _ = try s.queueRun(crashAt: point)
        }
        #expect(try s.queueRun().ok)
        try expectExactlyOnce(s, messages: 5)
    }
}
