// Crash points: the real binary is killed with SIGKILL (what `kill -9` or a power cut does to a
// process) at each named step of delivery and of UID assignment (MAILROOM_CRASH_AT, see
// Sources/MailroomMaildir/Support/CrashPoints.swift). Afterwards no partial message is
// visible, every message that was reported delivered is there once, UIDs have no gap or
// duplicate and stay the same across later opens, and the next delivery works.

import Foundation
import Testing

@Suite("Maildir crash points")
struct MaildirCrashTests {
    /// A message whose last line proves it is complete.
    func crashMessage(_ n: Int) -> String {
        testMessage(subject: "crash \(n)", body: String(repeating: "line of body text \(n)\n", count: 200) + "END-OF-MESSAGE-\(n)\n")
    }

    func setUp() throws -> Sandbox {
        let s = try Sandbox()
        try s.setStorageKey("uidlist_lock_stale_seconds = 5")
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        return s
    }

    func run(_ s: Sandbox, crashAt point: String?, _ arguments: [String], input: String? = nil) throws -> CLIResult {
        var env = s.environment()
        env["MAILROOM_CRASH_AT"] = point
        return try CLI.run(CLI.binary, arguments + ["--config", s.configPath], in: s.root, environment: env, input: input)
    }

    func uids(_ s: Sandbox) throws -> [Int] {
        let list = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        try #require(list.ok, "\(list)")
        let messages = try #require(list.jsonObject?["messages"] as? [[String: Any]], "\(list)")
        return messages.compactMap { $0.int("uid") }
    }

    /// Every message file in new/ and cur/ is whole; returns the message numbers found.
    func wholeMessages(_ s: Sandbox) throws -> [Int] {
        try s.storedMessages(try s.maildir("alice", "example.com")).map { text -> Int in
            let last = try #require(text.split(separator: "\n").last, "empty message file")
            try #require(last.hasPrefix("END-OF-MESSAGE-"), "a partial message is visible: …\(text.suffix(80))")
            return try #require(Int(last.dropFirst("END-OF-MESSAGE-".count)))
        }.sorted()
    }

    @Test("killed during delivery: the message is either whole or absent, never partial",
          arguments: [("delivery.tmp-created", false), ("delivery.tmp-synced", false), ("delivery.renamed", true)])
    func duringDelivery(_ point: String, _ visible: Bool) throws {
        let s = try setUp()
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(1)).ok)
        let killed = try run(s, crashAt: point, ["deliver", "--to", "alice@example.com"], input: crashMessage(2))
        #expect(killed.status == SIGKILL, "\(killed)")
        #expect(try wholeMessages(s) == (visible ? [1, 2] : [1]))
        #expect(try uids(s) == (visible ? [1, 2] : [1]))
        // The MTA retries after a failed delivery (visible or not: at-least-once, as any LDA).
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(3)).ok)
        let after = try uids(s)
        #expect(after == Array(1...(visible ? 3 : 2)))
        #expect(try uids(s) == after, "UIDs stay the same across opens")
        // A crash before the rename may leave a file in tmp/: never shown, removed after 36 h.
        let tmp = s.entries("\(try s.maildir("alice", "example.com"))/tmp")
        #expect(tmp.count <= 1)
    }

    @Test("killed while assigning UIDs: the next open gives the same UIDs, with no gap and no duplicate",
          arguments: ["uidlist.locked", "uidlist.written", "uidlist.replaced", "sync.moved-new"])
    func duringUIDAssignment(_ point: String) throws {
        let s = try setUp()
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(1)).ok)
        #expect(try uids(s) == [1])
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(2)).ok)
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(3)).ok)
        let killed = try run(s, crashAt: point, ["maildir", "list", "alice@example.com"])
        #expect(killed.status == SIGKILL, "\(killed)")
        // A dot lock left behind is taken over once stale (5 s here, 120 s by default).
        #expect(try uids(s) == [1, 2, 3])
        #expect(try wholeMessages(s) == [1, 2, 3])
        try #require(s.deliver(["--to", "alice@example.com"], message: crashMessage(4)).ok)
        #expect(try uids(s) == [1, 2, 3, 4])
        let maildir = try s.maildir("alice", "example.com")
        #expect(!s.exists("\(maildir)/dovecot-uidlist.lock"))
        let list = try String(contentsOfFile: "\(maildir)/dovecot-uidlist", encoding: .utf8)
        #expect(list.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: " ").first ?? "") } == [1, 2, 3, 4])
    }

    @Test("a delivery loop killed at random moments loses nothing it reported delivered")
    func randomKills() throws {
        let s = try setUp()
        var delivered: [Int] = []
        for n in 1...12 {
            // Half of the runs are killed at some step; the others complete.
            let points = ["delivery.tmp-created", "delivery.tmp-synced", "delivery.renamed", "uidlist.written", "sync.moved-new"]
            let point = n % 2 == 0 ? points[n / 2 % points.count] : nil
            let result = try run(s, crashAt: point, ["deliver", "--to", "alice@example.com"], input: crashMessage(n))
            if result.ok { delivered.append(n) }
            if n % 3 == 0 {
                let list = try run(s, crashAt: n % 4 == 0 ? "uidlist.written" : nil, ["maildir", "list", "alice@example.com"])
                _ = list
            }
        }
        let present = try wholeMessages(s)
        #expect(Set(delivered).isSubset(of: Set(present)), "delivered \(delivered), present \(present)")
        #expect(Set(present).count == present.count, "no message twice")
        let listed = try uids(s)
        #expect(listed.count == present.count)
        #expect(listed == listed.sorted() && Set(listed).count == listed.count)
        #expect(try uids(s) == listed)
    }
}
