// Tenants with limits on domains, users and total quota; domains owned by a tenant;
// administrators with global, tenant and domain scopes.

import Foundation
import Testing

@Suite("CLI tenants and administrators")
struct TenantAdminTests {
    @Test("tenant add with limits, domain add --tenant, tenant info")
    func tenantBasics() async throws {
        let s = try Sandbox()
        let add = try s.mailroom("tenant", "add", "acme", "--display-name", "ACME Inc",
                                 "--max-domains", "2", "--max-users", "3", "--max-quota", "1G")
        #expect(add.ok, "\(add)")
        #expect(try s.mailroom("domain", "add", "acme.example", "--tenant", "acme").ok)
        #expect(try s.mailroom("domain", "add", "例子.中国", "--tenant", "ACME").ok)
        #expect(try s.mailroom("domain", "add", "free.example").ok)
        #expect(try s.mailroom("user", "add", "u1@acme.example", "pw", "--quota", "300M").ok)
        #expect(try s.mailroom("user", "add", "用户@例子.中国", "pw", "--quota", "200M").ok)

        let info = try s.mailroom("tenant", "info", "acme")
        #expect(info.ok, "\(info)")
        #expect(info.stdout.contains("ACME Inc"), "\(info)")
        #expect(info.stdout.contains("domains:     2 of 2"), "\(info)")
        #expect(info.stdout.contains("users:       2 of 3"), "\(info)")
        #expect(info.stdout.contains("500M of 1G"), "\(info)")

        let json = try #require(s.mailroom("tenant", "info", "acme", "--json").jsonObject)
        #expect(json.strings("domains")?.sorted() == ["acme.example", "xn--fsqu00a.xn--fiqs8s"])
        #expect(json.int("users") == 2)
        #expect(json.int("quotaBytes") == 500 << 20)
        #expect(json.object("tenant")?.int("maxDomains") == 2)
        #expect(json.object("tenant")?.int("maxQuotaBytes") == 1 << 30)

        let owned = try s.mailroom("domain", "list", "--tenant", "acme", "--json").jsonArray
        #expect(owned?.compactMap { $0.string("name") }.sorted() == ["acme.example", "xn--fsqu00a.xn--fiqs8s"])

        try await expectRefused(s, stderrContains: ["tenant nope does not exist"]) {
            try s.mailroom("domain", "add", "other.example", "--tenant", "nope")
        }
        try await expectRefused(s, stderrContains: ["tenant acme already exists"]) {
            try s.mailroom("tenant", "add", "acme")
        }
        try await expectRefused(s, stderrContains: ["tenant", "bad name"]) {
            try s.mailroom("tenant", "add", "bad name")
        }
        // A tenant that still owns domains cannot be removed.
        try await expectRefused(s, stderrContains: ["still owns domains"]) {
            try s.mailroom("tenant", "remove", "acme")
        }
    }

    @Test("tenant limits: domains, users over all its domains, total quota")
    func tenantLimits() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("tenant", "add", "acme", "--max-domains", "2", "--max-users", "2", "--max-quota", "1G").ok)
        try #require(s.mailroom("domain", "add", "a.example", "--tenant", "acme").ok)
        try #require(s.mailroom("domain", "add", "b.example", "--tenant", "acme").ok)

        try await expectRefused(s, stderrContains: ["tenant acme", "at most 2 domains"]) {
            try s.mailroom("domain", "add", "c.example", "--tenant", "acme")
        }
        // Total quota: 600M + 600M > 1G.
        try #require(s.mailroom("user", "add", "u1@a.example", "pw", "--quota", "600M").ok)
        try await expectRefused(s, stderrContains: ["tenant acme", "limit of 1G"]) {
            try s.mailroom("user", "add", "u2@b.example", "pw", "--quota", "600M")
        }
        // With a total-quota limit every user needs a byte quota.
        try await expectRefused(s, stderrContains: ["NOQUOTA"]) {
            try s.mailroom("user", "add", "u2@b.example", "pw")
        }
        try await expectRefused(s, stderrContains: ["limit of 1G"]) {
            try s.mailroom("user", "quota", "u1@a.example", "2G")
        }
        #expect(!s.exists(try s.domainDirectory("b.example") + "/u2"))
        // Users are counted over all the tenant's domains.
        try #require(s.mailroom("user", "add", "u2@b.example", "pw", "--quota", "400M").ok)
        try await expectRefused(s, stderrContains: ["tenant acme", "at most 2 users"]) {
            try s.mailroom("user", "add", "u3@a.example", "pw", "--quota", "1M")
        }
        #expect(!s.exists(try s.domainDirectory("a.example") + "/u3"))

        // Raising the limits lets the user in.
        #expect(try s.mailroom("tenant", "limits", "acme", "--max-users", "3", "--max-quota", "2G").ok)
        #expect(try s.mailroom("user", "add", "u3@a.example", "pw", "--quota", "1M").ok)

        // A domain without a tenant is not limited.
        try #require(s.mailroom("domain", "add", "free.example").ok)
        for i in 1...3 { #expect(try s.mailroom("user", "add", "f\(i)@free.example", "pw").ok) }
    }

    @Test("admin add with global, tenant and domain scopes; list; remove")
    func admins() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("tenant", "add", "acme").ok)
        try #require(s.mailroom("domain", "add", "acme.example", "--tenant", "acme").ok)

        #expect(try s.mailroom("admin", "add", "root", "pw-root", "--scope", "global").ok)
        #expect(try s.mailroom("admin", "add", "reseller", "pw-r", "--scope", "tenant:acme").ok)
        let domainAdmin = try s.mailroom("admin", "add", "webmaster@acme.example", "pw-w", "--scope", "domain:acme.example")
        #expect(domainAdmin.ok && domainAdmin.stdout.contains("domain:acme.example"), "\(domainAdmin)")

        try await expectRefused(s, stderrContains: ["scope 'planet'"]) {
            try s.mailroom("admin", "add", "x", "pw", "--scope", "planet")
        }
        try await expectRefused(s, stderrContains: ["tenant nope does not exist"]) {
            try s.mailroom("admin", "add", "x", "pw", "--scope", "tenant:nope")
        }
        try await expectRefused(s, stderrContains: ["nope.example", "does not exist"]) {
            try s.mailroom("admin", "add", "x", "pw", "--scope", "domain:nope.example")
        }
        try await expectRefused(s, stderrContains: ["administrator root already exists"]) {
            try s.mailroom("admin", "add", "ROOT", "pw", "--scope", "global")
        }

        let list = try s.mailroom("admin", "list")
        #expect(list.stdout.contains("tenant:acme") && list.stdout.contains("domain:acme.example") && list.stdout.contains("global"),
                "\(list)")
        let admins = try #require(s.mailroom("admin", "list", "--json").jsonArray)
        let scopes = Dictionary(uniqueKeysWithValues: admins.map { ($0.string("name") ?? "", $0.string("scope") ?? "?") })
        #expect(scopes == ["root": "global", "reseller": "tenant:acme", "webmaster@acme.example": "domain:acme.example"],
                "\(admins)")

        #expect(try s.mailroom("admin", "remove", "reseller").ok)
        let names = try s.mailroom("admin", "list", "--json").jsonArray?.compactMap { $0.string("name") }
        #expect(names == ["root", "webmaster@acme.example"])
        // Removing the domain removes its administrators.
        #expect(try s.mailroom("domain", "remove", "acme.example").ok)
        #expect(try s.mailroom("admin", "list", "--json").jsonArray?.compactMap { $0.string("name") } == ["root"])
    }
}
