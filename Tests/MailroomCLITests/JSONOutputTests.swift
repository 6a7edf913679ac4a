// `--json` output of the list and info commands: valid JSON (JSONSerialization) with the
// fields a script needs.

import Foundation
import Testing

@Suite("CLI --json output")
struct JSONOutputTests {
    /// A sandbox with a Unicode domain, an ASCII domain, two users and an alias.
    func populated() throws -> Sandbox {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "例子.中国").ok)
        try #require(s.mailroom("domain", "add", "example.com", "--max-users", "5", "--quota", "1G").ok)
        try #require(s.mailroom("user", "add", "用户@例子.中国", "pw-1", "--quota", "100M").ok)
        try #require(s.mailroom("user", "add", "bob@example.com", "pw-2", "--name", "Bob B").ok)
        try #require(s.mailroom("alias", "add", "info@example.com", "bob@example.com", "x@elsewhere.example").ok)
        return s
    }

    @Test("domain list --json and domain info --json")
    func domains() async throws {
        let s = try populated()
        let list = try s.mailroom("domain", "list", "--json")
        #expect(list.ok, "\(list)")
        let domains = try #require(list.jsonArray, "not a JSON array: \(list)")
        #expect(domains.compactMap { $0.string("name") }.sorted() == ["example.com", "xn--fsqu00a.xn--fiqs8s"])
        let unicode = try #require(domains.first { $0.string("name") == "xn--fsqu00a.xn--fiqs8s" })
        #expect(unicode.string("unicodeName") == "例子.中国")
        #expect(unicode.bool("active") == true)
        #expect(unicode.string("volumePath") == s.mailRoot)

        let info = try s.mailroom("domain", "info", "example.com", "--json")
        let object = try #require(info.jsonObject, "not a JSON object: \(info)")
        #expect(object.int("users") == 1)
        #expect(object.int("aliases") == 1)
        let domain = try #require(object.object("domain"))
        #expect(domain.string("name") == "example.com")
        #expect(domain.int("maxUsers") == 5)
        #expect(domain.int("defaultQuotaBytes") == 1 << 30)
    }

    @Test("user list --json and user info --json")
    func users() async throws {
        let s = try populated()
        let list = try s.mailroom("user", "list", "example.com", "--json")
        let users = try #require(list.jsonArray, "not a JSON array: \(list)")
        #expect(users.count == 1)
        let bob = try #require(users.first)
        #expect(bob.string("localPart") == "bob")
        #expect(bob.string("domain") == "example.com")
        #expect(bob.string("displayName") == "Bob B")
        // No quota of its own: the domain's 1G default, marked as inherited.
        #expect(bob.int("quotaBytes") == 1 << 30)
        #expect(bob.bool("quotaInherited") == true)
        #expect(bob.string("passwordScheme") == "yescrypt")

        let info = try s.mailroom("user", "info", "用户@例子.中国", "--json")
        let user = try #require(info.jsonObject, "not a JSON object: \(info)")
        #expect(user.string("localPart") == "用户")
        #expect(user.string("domain") == "xn--fsqu00a.xn--fiqs8s")
        #expect(user.string("domainUnicode") == "例子.中国")
        #expect(user.int("quotaBytes") == 100 << 20)
        #expect(user.bool("quotaInherited") == false)
        #expect((user["disabledServices"] as? [Any])?.isEmpty == true)

        try #require(s.mailroom("user", "disable", "bob@example.com", "--service", "pop3", "smtp").ok)
        let disabled = try s.mailroom("user", "info", "bob@example.com", "--json")
        #expect(disabled.jsonObject?.strings("disabledServices")?.sorted() == ["pop3", "smtp"], "\(disabled)")
    }

    @Test("alias, relay, access, tenant, admin and volume lists, auth test and db status as JSON")
    func others() async throws {
        let s = try populated()
        let aliases = try #require(s.mailroom("alias", "list", "example.com", "--json").jsonArray)
        #expect(aliases.count == 1)
        #expect(aliases.first?.string("address") == "info@example.com")
        #expect(aliases.first?.strings("targets") == ["bob@example.com", "x@elsewhere.example"])

        try #require(s.mailroom("relay", "add", "192.0.2.0/24", "--note", "office").ok)
        let relays = try #require(s.mailroom("relay", "list", "--json").jsonArray)
        #expect(relays.map { $0.string("cidr") } == ["192.0.2.0/24"])
        #expect(relays.first?.string("note") == "office")

        try #require(s.mailroom("access", "add", "helo", "*.bad.example").ok)
        let rules = try #require(s.mailroom("access", "list", "--json").jsonArray)
        #expect(rules.first?.string("kind") == "helo")
        #expect(rules.first?.string("pattern") == "*.bad.example")

        try #require(s.mailroom("tenant", "add", "acme", "--max-users", "10").ok)
        let tenants = try #require(s.mailroom("tenant", "list", "--json").jsonArray)
        #expect(tenants.first?.string("name") == "acme")
        #expect(tenants.first?.int("maxUsers") == 10)
        let tenantInfo = try #require(s.mailroom("tenant", "info", "acme", "--json").jsonObject)
        #expect(tenantInfo.int("users") == 0)
        #expect(tenantInfo.object("tenant")?.string("name") == "acme")

        try #require(s.mailroom("admin", "add", "boss", "pw-admin", "--scope", "tenant:acme").ok)
        let admins = try #require(s.mailroom("admin", "list", "--json").jsonArray)
        #expect(admins.first?.string("name") == "boss")
        // The scope is written the way `admin add --scope` takes it.
        #expect(admins.first?.string("scope") == "tenant:acme", "\(admins)")

        let volumes = try #require(s.mailroom("volume", "list", "--json").jsonArray)
        #expect(volumes.first?.string("effectivePath") == s.mailRoot)

        let auth = try s.mailroom("auth", "test", "bob@example.com", "pw-2", "--json")
        let report = try #require(auth.jsonObject, "\(auth)")
        #expect(report.string("result") == "ok")
        #expect(report.string("maildir")?.hasSuffix("/example.com/bob/Maildir") == true)
        let failed = try s.mailroom("auth", "test", "bob@example.com", "nope", "--json")
        #expect(failed.status == 1)
        #expect(failed.jsonObject?.string("reason") == "password mismatch", "\(failed)")

        let status = try #require(s.mailroom("db", "status", "--json").jsonObject)
        #expect(status.int("version") != nil && status.int("version") == status.int("latest"), "\(status)")
    }
}
