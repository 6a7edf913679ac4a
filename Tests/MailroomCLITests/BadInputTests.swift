// Refusals: each bad command exits non-zero, names the problem on stderr, and leaves the
// account store and the mail tree exactly as they were.

import Foundation
import Testing

@Suite("CLI refuses bad input and writes nothing")
struct BadInputTests {
    func base() throws -> Sandbox {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw-alice").ok)
        return s
    }

    @Test("invalid domain names name the label problem", arguments: [
        ("exa_mple.com", ["label 'exa_mple'", "'_'"]),
        ("a..example", ["empty label"]),
        ("bad-.example", ["label 'bad-'", "ends with '-'"]),
        ("-bad.example", ["label '-bad'", "starts with '-'"]),
        (String(repeating: "a", count: 64) + ".example", ["longer than 63"]),
        ("localhost", ["only one label"]),
    ])
    func invalidDomain(name: String, expected: [String]) async throws {
        let s = try base()
        try await expectRefused(s, stderrContains: ["invalid domain"] + expected) {
            // Options before "--", so a name starting with '-' is still the argument.
            try s.bare(["domain", "add", "--config", s.configPath, "--", name])
        }
    }

    @Test("invalid local parts are refused and no Maildir is created", arguments: [
        (".alice@example.com", "starts with '.'"),
        ("al..ice@example.com", "'..'"),
        ("a b@example.com", "' '"),
        ("@example.com", "local part is empty"),
        (String(repeating: "x", count: 65) + "@example.com", "longer than 64"),
        ("no-at-sign.example.com", "no '@'"),
    ])
    func invalidLocalPart(address: String, expected: String) async throws {
        let s = try base()
        try await expectRefused(s, stderrContains: [expected]) {
            try s.mailroom("user", "add", address, "pw")
        }
    }

    @Test("unknown domain")
    func unknownDomain() async throws {
        let s = try base()
        try await expectRefused(s, stderrContains: ["domain nope.example does not exist"]) {
            try s.mailroom("user", "add", "bob@nope.example", "pw")
        }
        #expect(!s.exists(try s.domainDirectory("nope.example")))
        try await expectRefused(s, stderrContains: ["nope.example", "does not exist"]) {
            try s.mailroom("alias", "add", "x@nope.example", "alice@example.com")
        }
        try await expectRefused(s, stderrContains: ["nope.example", "does not exist"]) {
            try s.mailroom("user", "list", "nope.example")
        }
        try await expectRefused(s, stderrContains: ["nope.example", "does not exist"]) {
            try s.mailroom("domain", "remove", "nope.example")
        }
    }

    @Test("duplicate user and duplicate domain")
    func duplicates() async throws {
        let s = try base()
        let maildir = try s.domainDirectory("example.com") + "/alice/Maildir"
        let marker = "\(maildir)/new/1.marker"
        try "x".write(toFile: marker, atomically: true, encoding: .utf8)
        try await expectRefused(s, stderrContains: ["alice@example.com already exists"]) {
            try s.mailroom("user", "add", "alice@example.com", "other-pw")
        }
        // Same user in other case: local parts are case-insensitive.
        try await expectRefused(s, stderrContains: ["already exists"]) {
            try s.mailroom("user", "add", "ALICE@Example.COM", "other-pw")
        }
        // The first user's password and mail are untouched.
        #expect(try s.mailroom("auth", "test", "alice@example.com", "pw-alice").ok)
        #expect(s.exists(marker))
        try await expectRefused(s, stderrContains: ["domain example.com already exists"]) {
            try s.mailroom("domain", "add", "EXAMPLE.com")
        }
    }

    @Test("bad quota syntax", arguments: ["10X", "0", "-5M", "100M,100M", "abc", ""])
    func badQuota(quota: String) async throws {
        let s = try base()
        try await expectRefused(s, stderrContains: ["quota"]) {
            try s.mailroom("user", "add", "bob@example.com", "pw", "--quota", quota)
        }
        try await expectRefused(s, stderrContains: ["quota"]) {
            try s.mailroom("user", "quota", "alice@example.com", quota)
        }
        try await expectRefused(s, stderrContains: ["quota"]) {
            try s.mailroom("domain", "add", "other.example", "--quota", quota)
        }
    }

    @Test("the quota message names the bad suffix")
    func quotaMessage() async throws {
        let s = try base()
        let r = try s.mailroom("user", "add", "bob@example.com", "pw", "--quota", "10X")
        #expect(r.status != 0)
        #expect(r.stderr.contains("'10X'") && r.stderr.contains("unknown size suffix 'X'"), "\(r)")
    }

    @Test("domain --max-users 1: the second user is refused")
    func domainUserLimit() async throws {
        let s = try base()
        try #require(s.mailroom("domain", "add", "small.example", "--max-users", "1").ok)
        try #require(s.mailroom("user", "add", "one@small.example", "pw").ok)
        try await expectRefused(s, stderrContains: ["small.example", "at most 1 users"]) {
            try s.mailroom("user", "add", "two@small.example", "pw")
        }
        #expect(!s.exists(try s.domainDirectory("small.example") + "/two"))
        let users = try s.mailroom("user", "list", "small.example", "--json").jsonArray
        #expect(users?.compactMap { $0.string("localPart") } == ["one"])
    }

    @Test("domain --max-aliases 1: the second alias is refused")
    func domainAliasLimit() async throws {
        let s = try base()
        try #require(s.mailroom("domain", "limits", "example.com", "--max-aliases", "1").ok)
        try #require(s.mailroom("alias", "add", "a1@example.com", "alice@example.com").ok)
        try await expectRefused(s, stderrContains: ["at most 1 aliases"]) {
            try s.mailroom("alias", "add", "a2@example.com", "alice@example.com")
        }
        // More targets for the existing alias are still fine.
        #expect(try s.mailroom("alias", "add", "a1@example.com", "x@elsewhere.example").ok)
    }

    @Test("empty password and conflicting password sources")
    func passwords() async throws {
        let s = try base()
        try await expectRefused(s, stderrContains: ["password"]) {
            try s.mailroom("user", "add", "bob@example.com", "")
        }
        try await expectRefused(s, stderrContains: ["password"]) {
            try s.mailroom("user", "add", "bob@example.com")
        }
        try await expectRefused(s, stderrContains: ["not both"]) {
            try s.mailroom("user", "add", "bob@example.com", "pw", "--password-stdin", input: "pw\n")
        }
        try await expectRefused(s, stderrContains: ["user nobody@example.com does not exist"]) {
            try s.mailroom("user", "passwd", "nobody@example.com", "pw")
        }
    }

    @Test("an unusable configuration file is refused before anything is opened")
    func badConfig() async throws {
        let s = try base()
        let bad = try s.file("bad.toml", "[storage]\nremoved_mail = \"shred\"\n")
        let r = try s.bare(["domain", "add", "other.example", "--config", bad])
        #expect(r.status != 0)
        #expect(r.stderr.contains("configuration is invalid") && r.stderr.contains("storage.removed_mail"), "\(r)")
        let missing = try s.bare(["domain", "list", "--config", "\(s.root)/nonexistent.toml"])
        #expect(missing.status != 0 && missing.stderr.contains("nonexistent.toml"), "\(missing)")
        #expect(try s.mailroom("domain", "info", "other.example").status != 0)
    }
}
