// Aliases and forwards, relay networks and access lists through the CLI.

import Foundation
import Testing

@Suite("CLI aliases, relay networks and access lists")
struct RulesTests {
    @Test("alias add, --keep-copy, alias list, alias remove")
    func aliases() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)

        let add = try s.mailroom("alias", "add", "info@example.com", "alice@example.com", "Ext@Elsewhere.example")
        #expect(add.ok, "\(add)")
        // More targets for the same alias are appended.
        #expect(try s.mailroom("alias", "add", "info@example.com", "second@elsewhere.example").ok)

        // A forward that keeps a copy lists the mailbox among its own targets.
        let keep = try s.mailroom("alias", "add", "alice@example.com", "fwd@elsewhere.example", "--keep-copy")
        #expect(keep.ok, "\(keep)")
        // Keeping a copy needs a mailbox.
        try await expectRefused(s, stderrContains: ["nobox@example.com", "not a mailbox"]) {
            try s.mailroom("alias", "add", "nobox@example.com", "fwd@elsewhere.example", "--keep-copy")
        }
        // Bad target.
        try await expectRefused(s, stderrContains: ["alias target", "not an address"]) {
            try s.mailroom("alias", "add", "x@example.com", "not an address")
        }

        let list = try s.mailroom("alias", "list", "example.com")
        #expect(list.ok && list.stdout.contains("info@example.com") && list.stdout.contains("fwd@elsewhere.example"), "\(list)")
        let entries = try #require(s.mailroom("alias", "list", "example.com", "--json").jsonArray)
        let byAddress = Dictionary(uniqueKeysWithValues: entries.map { ($0.string("address") ?? "", $0.strings("targets") ?? []) })
        #expect(byAddress["info@example.com"] == ["alice@example.com", "ext@elsewhere.example", "second@elsewhere.example"])
        #expect(byAddress["alice@example.com"] == ["fwd@elsewhere.example", "alice@example.com"])
        // The mailbox that keeps a copy still logs in.
        #expect(try s.mailroom("auth", "test", "alice@example.com", "pw").ok)

        // Remove one target, then the whole alias; a second removal is refused.
        #expect(try s.mailroom("alias", "remove", "info@example.com", "second@elsewhere.example").ok)
        let afterOne = try #require(s.mailroom("alias", "list", "example.com", "--json").jsonArray)
        #expect(afterOne.first { $0.string("address") == "info@example.com" }?.strings("targets")
                == ["alice@example.com", "ext@elsewhere.example"])
        try await expectRefused(s, stderrContains: ["has no target", "nothere@elsewhere.example"]) {
            try s.mailroom("alias", "remove", "info@example.com", "nothere@elsewhere.example")
        }
        #expect(try s.mailroom("alias", "remove", "info@example.com").ok)
        try await expectRefused(s, stderrContains: ["alias info@example.com does not exist"]) {
            try s.mailroom("alias", "remove", "info@example.com")
        }
        let remaining = try #require(s.mailroom("alias", "list", "example.com", "--json").jsonArray)
        #expect(remaining.compactMap { $0.string("address") } == ["alice@example.com"])
    }

    @Test("relay add, list, remove; a bad CIDR is refused")
    func relay() async throws {
        let s = try Sandbox()
        #expect(try s.mailroom("relay", "add", "192.0.2.0/24", "--note", "office").ok)
        #expect(try s.mailroom("relay", "add", "2001:db8::/32").ok)
        let list = try s.mailroom("relay", "list")
        #expect(list.stdout.contains("192.0.2.0/24") && list.stdout.contains("office") && list.stdout.contains("2001:db8::/32"), "\(list)")

        for bad in ["10.0.0.0/33", "not-a-network", "192.0.2.300/24"] {
            try await expectRefused(s, stderrContains: ["network '\(bad)'"]) {
                try s.mailroom("relay", "add", bad)
            }
        }
        try await expectRefused(s, stderrContains: ["already exists"]) {
            try s.mailroom("relay", "add", "192.0.2.0/24")
        }

        #expect(try s.mailroom("relay", "remove", "192.0.2.0/24").ok)
        let cidrs = try s.mailroom("relay", "list", "--json").jsonArray?.compactMap { $0.string("cidr") }
        #expect(cidrs == ["2001:db8::/32"])
        try await expectRefused(s, stderrContains: ["192.0.2.0/24 does not exist"]) {
            try s.mailroom("relay", "remove", "192.0.2.0/24")
        }
    }

    @Test("access add, list, remove; a bad list name is refused")
    func access() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        #expect(try s.mailroom("access", "add", "mail_from", "*@spam.example", "--note", "spammer").ok)
        #expect(try s.mailroom("access", "add", "helo", "bad.example", "--domain", "example.com").ok)
        #expect(try s.mailroom("access", "add", "rcpt-to", "Former@Example.com").ok)

        try await expectRefused(s, stderrContains: ["access list 'bogus'", "mail_from, helo, rcpt_to"]) {
            try s.mailroom("access", "add", "bogus", "x@y.example")
        }
        try await expectRefused(s, stderrContains: ["access list 'bogus'"]) {
            try s.mailroom("access", "list", "bogus")
        }
        try await expectRefused(s, stderrContains: ["nope.example", "does not exist"]) {
            try s.mailroom("access", "add", "helo", "x.example", "--domain", "nope.example")
        }

        let rules = try #require(s.mailroom("access", "list", "--json").jsonArray)
        let summary = Set(rules.map { "\($0.string("kind") ?? "")|\($0.string("pattern") ?? "")|\($0.string("domain") ?? "-")" })
        #expect(summary == ["mail_from|*@spam.example|-", "helo|bad.example|example.com", "rcpt_to|former@example.com|-"])
        let helo = try #require(s.mailroom("access", "list", "helo", "--json").jsonArray)
        #expect(helo.count == 1)

        #expect(try s.mailroom("access", "remove", "mail_from", "*@spam.example").ok)
        #expect(try s.mailroom("access", "remove", "helo", "bad.example", "--domain", "example.com").ok)
        try await expectRefused(s, stderrContains: ["does not exist"]) {
            try s.mailroom("access", "remove", "mail_from", "*@spam.example")
        }
        let left = try s.mailroom("access", "list", "--json").jsonArray?.compactMap { $0.string("pattern") }
        #expect(left == ["former@example.com"])
    }
}
