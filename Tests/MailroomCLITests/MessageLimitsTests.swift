// `mailroom domain limits --max-message-size / --sender-login-match` and `mailroom user limits
// --max-message-size`, end to end through the binary: set, clear, inherit, refuse (with the
// store left as it was), and what `domain info` / `user info` print, as text and --json.

import Foundation
import Testing

@Suite("CLI message size limits and sender rule")
struct MessageLimitsTests {
    func base() throws -> Sandbox {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw-alice").ok)
        return s
    }

    @Test("domain limits: --max-message-size and --sender-login-match set, show and clear")
    func domainLimits() async throws {
        let s = try base()
        let none = try s.mailroom("domain", "info", "example.com")
        #expect(none.stdout.contains("message limit: none"), "\(none)")
        #expect(none.stdout.contains("sender match:  default (smtp.sender_login_match)"), "\(none)")
        let noneJSON = try #require(try s.mailroom("domain", "info", "example.com", "--json").jsonObject?.object("domain"))
        #expect(noneJSON["maxMessageBytes"] is NSNull && noneJSON["senderLoginMatch"] is NSNull, "\(noneJSON)")

        let set = try s.mailroom("domain", "limits", "example.com", "--max-message-size", "20M", "--sender-login-match", "Domain")
        #expect(set.ok, "\(set)")
        let info = try s.mailroom("domain", "info", "example.com")
        #expect(info.stdout.contains("message limit: 20M"), "\(info)")
        #expect(info.stdout.contains("sender match:  domain"), "\(info)")
        let json = try #require(try s.mailroom("domain", "info", "example.com", "--json").jsonObject?.object("domain"))
        #expect(json.int("maxMessageBytes") == 20 << 20)
        #expect(json.string("senderLoginMatch") == "domain")
        // The user inherits the domain's limit.
        let user = try s.mailroom("user", "info", "alice@example.com")
        #expect(user.stdout.contains("message limit: 20M (domain's)"), "\(user)")

        // Changing one leaves the other; other limits still work alongside.
        let json2 = try #require(try s.mailroom("domain", "limits", "example.com", "--sender-login-match", "off",
                                                 "--max-users", "9", "--json").jsonObject)
        #expect(json2.int("maxMessageBytes") == 20 << 20 && json2.string("senderLoginMatch") == "off" && json2.int("maxUsers") == 9)

        #expect(try s.mailroom("domain", "limits", "example.com", "--max-message-size", "none",
                               "--sender-login-match", "default").ok)
        let cleared = try #require(try s.mailroom("domain", "info", "example.com", "--json").jsonObject?.object("domain"))
        #expect(cleared["maxMessageBytes"] is NSNull && cleared["senderLoginMatch"] is NSNull, "\(cleared)")
        #expect(cleared.int("maxUsers") == 9)
    }

    @Test("domain limits: bad sizes and sender rules are refused and change nothing")
    func domainLimitsRefused() async throws {
        let s = try base()
        try #require(s.mailroom("domain", "limits", "example.com", "--max-message-size", "1M").ok)
        try await expectRefused(s, stderrContains: ["max message size", "65536", "RFC 5321"]) {
            try s.mailroom("domain", "limits", "example.com", "--max-message-size", "32K")
        }
        try await expectRefused(s, stderrContains: ["max message size", "'10X'"]) {
            try s.mailroom("domain", "limits", "example.com", "--max-message-size", "10X")
        }
        try await expectRefused(s, stderrContains: ["max message size", "must be a size"]) {
            try s.mailroom("domain", "limits", "example.com", "--max-message-size", "100C")
        }
        try await expectRefused(s, stderrContains: ["sender login match", "'bogus'", "aliases, domain, off, default"]) {
            try s.mailroom("domain", "limits", "example.com", "--sender-login-match", "bogus", "--max-message-size", "2M")
        }
        // A refused size leaves a valid sender rule given beside it unwritten too.
        try await expectRefused(s, stderrContains: ["max message size"]) {
            try s.mailroom("domain", "limits", "example.com", "--max-message-size", "1K", "--sender-login-match", "off")
        }
        try await expectRefused(s, stderrContains: ["nope.example"]) {
            try s.mailroom("domain", "limits", "nope.example", "--max-message-size", "1M")
        }
        let json = try #require(try s.mailroom("domain", "info", "example.com", "--json").jsonObject?.object("domain"))
        #expect(json.int("maxMessageBytes") == 1 << 20 && json["senderLoginMatch"] is NSNull)
    }

    @Test("user limits: own limit, back to the domain's, refusals")
    func userLimits() async throws {
        let s = try base()
        try #require(s.mailroom("domain", "limits", "example.com", "--max-message-size", "20M").ok)
        let set = try s.mailroom("user", "limits", "alice@example.com", "--max-message-size", "10M")
        #expect(set.ok && set.stdout.contains("message limit of alice@example.com is now 10M"), "\(set)")
        let info = try s.mailroom("user", "info", "alice@example.com")
        #expect(info.stdout.contains("message limit: 10M\n"), "\(info)")
        let json = try #require(try s.mailroom("user", "info", "alice@example.com", "--json").jsonObject)
        #expect(json.int("maxMessageBytes") == 10 << 20 && json.bool("maxMessageBytesInherited") == false)

        let back = try s.mailroom("user", "limits", "alice@example.com", "--max-message-size", "none", "--json")
        let backJSON = try #require(back.jsonObject, "\(back)")
        #expect(backJSON.int("maxMessageBytes") == 20 << 20 && backJSON.bool("maxMessageBytesInherited") == true)
        #expect(try s.mailroom("user", "limits", "alice@example.com", "--max-message-size", "64K").ok)
        #expect(try s.mailroom("user", "limits", "alice@example.com", "--max-message-size", "default").stdout
                .contains("is now 20M (domain's)"))

        // No domain limit and none of its own: none at all.
        try #require(s.mailroom("domain", "limits", "example.com", "--max-message-size", "none").ok)
        let unlimited = try #require(try s.mailroom("user", "info", "alice@example.com", "--json").jsonObject)
        #expect(unlimited["maxMessageBytes"] is NSNull, "\(unlimited)")
        #expect(try s.mailroom("user", "info", "alice@example.com").stdout.contains("message limit: none"))

        try await expectRefused(s, stderrContains: ["max message size", "65536"]) {
            try s.mailroom("user", "limits", "alice@example.com", "--max-message-size", "65535")
        }
        try await expectRefused(s, stderrContains: ["bob@example.com", "does not exist"]) {
            try s.mailroom("user", "limits", "bob@example.com", "--max-message-size", "1M")
        }
        let missing = try s.mailroom("user", "limits", "alice@example.com")
        #expect(!missing.ok && missing.stderr.contains("--max-message-size"), "\(missing)")
    }

    @Test("help texts describe the new options")
    func help() throws {
        let s = try Sandbox()
        let domain = try s.bare(["domain", "limits", "--help"])
        #expect(domain.stdout.contains("--max-message-size") && domain.stdout.contains("--sender-login-match"), "\(domain)")
        #expect(domain.stdout.contains("smtp.sender_login_match"), "\(domain)")
        let user = try s.bare(["user", "limits", "--help"])
        #expect(user.stdout.contains("--max-message-size") && user.stdout.contains("domain's"), "\(user)")
        let users = try s.bare(["user", "--help"])
        #expect(users.stdout.contains("limits"), "\(users)")
    }
}
