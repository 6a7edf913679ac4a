// The account-store conformance suite: every case runs against SQLite and against a real
// PostgreSQL server (style guide §16), through the one AccountStore implementation.

import Foundation
import MailroomCore
import Testing
@testable import MailroomStore

@Suite("AccountStore conformance")
struct AccountStoreConformanceTests {
    @Test("migrations apply once and record their versions", arguments: Backend.available)
    func migrations(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            #expect(try await Migrator.currentVersion(of: t.db) == Migrator.latestVersion)
            let again = try await Migrator.migrate(t.db)
            #expect(again.applied.isEmpty)
            let rows = try await t.db.read("SELECT version, name FROM schema_version ORDER BY version", [])
            #expect(rows.map { $0.int("version") } == Migrator.migrations(for: t.db.dialect).map { Int64($0.version) })
        }
    }

    @Test("domains: Unicode names stored as punycode, duplicates and aliases refused", arguments: Backend.available)
    func domains(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            let d = try await store.addDomain(NewDomain(name: dom("例子.中国"), maxUsers: 5, defaultQuota: Quota(bytes: 1 << 20, messages: nil)))
            #expect(d.name == "xn--fsqu00a.xn--fiqs8s")
            #expect(d.unicodeName == "例子.中国")
            #expect(d.defaultQuotaBytes == 1 << 20)
            await #expect(throws: StoreError.self) { try await store.addDomain(NewDomain(name: dom("XN--FSQU00A.xn--fiqs8s"))) }
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            try await store.addDomainAlias(dom("example.net"), to: dom("example.com"))
            // A name is hosted once: not as a domain and an alias at the same time.
            await #expect(throws: StoreError.duplicate("example.net already exists as a domain alias of example.com")) {
                try await store.addDomain(NewDomain(name: dom("example.net")))
            }
            await #expect(throws: StoreError.self) { try await store.addDomainAlias(dom("例子.中国"), to: dom("example.com")) }
            await #expect(throws: StoreError.notFound("domain nope.example does not exist")) {
                try await store.domainInfo(dom("nope.example"))
            }
            let list = try await store.listDomains(tenant: nil)
            #expect(list.map(\.name) == ["example.com", "xn--fsqu00a.xn--fiqs8s"])
            let info = try await store.domainInfo(dom("example.com"))
            #expect(info.domainAliases == ["example.net"])
            #expect(try await store.isLocalDomain(dom("example.net")))
            try await store.removeDomainAlias(dom("example.net"))
            #expect(try await !store.isLocalDomain(dom("example.net")))
        }
    }

    @Test("users: limits, quota inheritance and removal", arguments: Backend.available)
    func users(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com"), maxUsers: 2,
                                                    defaultQuota: Quota(bytes: 100 << 20, messages: 5000)))
            let alice = try await store.addUser(NewUser(address: addr("Alice@Example.com"), password: "pw-alice", displayName: "Alice"))
            #expect(alice.address == "alice@example.com")
            #expect(alice.quotaBytes == 100 << 20)
            #expect(alice.quotaMessages == 5000)
            #expect(alice.quotaInherited)
            #expect(alice.passwordScheme == "yescrypt")
            #expect(alice.hasSCRAMSHA256 && alice.hasCRAMMD5)
            await #expect(throws: StoreError.duplicate("user alice@example.com already exists")) {
                try await store.addUser(NewUser(address: addr("alice@example.com"), password: "x"))
            }
            let bob = try await store.addUser(NewUser(address: addr("用户@example.com"), password: "pw", quota: .unlimited))
            #expect(bob.quotaBytes == nil && !bob.quotaInherited)
            await #expect(throws: StoreError.limitExceeded("domain example.com already has 2 of at most 2 users")) {
                try await store.addUser(NewUser(address: addr("carol@example.com"), password: "x"))
            }
            await #expect(throws: StoreError.notFound("domain other.example does not exist")) {
                try await store.addUser(NewUser(address: addr("x@other.example"), password: "x"))
            }
            let changed = try await store.setQuota(addr("alice@example.com"), quota: try Quota.parse("2G"))
            #expect(changed.quotaBytes == 2 << 30 && changed.quotaMessages == nil && !changed.quotaInherited)
            let back = try await store.setQuota(addr("alice@example.com"), quota: nil)
            #expect(back.quotaBytes == 100 << 20 && back.quotaInherited)
            let users = try await store.listUsers(domain: dom("example.com"))
            #expect(users.map(\.localPart) == ["alice", "用户"])
            let removed = try await store.removeUser(addr("用户@example.com"))
            #expect(removed.localPart == "用户")
            #expect(try await store.user(addr("用户@example.com")) == nil)
            let info = try await store.removeDomain(dom("example.com"))
            #expect(info.users == 1)
            #expect(try await t.db.read("SELECT COUNT(*) AS n FROM users", []).first?.int("n") == 0)
        }
    }

    @Test("tenants: domain, user and total-quota limits", arguments: Backend.available)
    func tenants(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addTenant(name: "Acme", displayName: "Acme Hosting",
                                          limits: TenantLimits(maxDomains: 1, maxUsers: 2, maxQuotaBytes: 3 << 30))
            _ = try await store.addDomain(NewDomain(name: dom("acme.example"), tenant: "acme"))
            await #expect(throws: StoreError.limitExceeded("tenant acme already has 1 of at most 1 domains")) {
                try await store.addDomain(NewDomain(name: dom("acme2.example"), tenant: "acme"))
            }
            await #expect(throws: StoreError.self) {   // unlimited quota under a quota-limited tenant
                try await store.addUser(NewUser(address: addr("a@acme.example"), password: "x"))
            }
            _ = try await store.addUser(NewUser(address: addr("a@acme.example"), password: "x", quota: try Quota.parse("2G")))
            await #expect(throws: StoreError.self) {   // 2G + 2G > 3G
                try await store.addUser(NewUser(address: addr("b@acme.example"), password: "x", quota: try Quota.parse("2G")))
            }
            #expect(try await store.user(addr("b@acme.example")) == nil)   // nothing half written
            _ = try await store.addUser(NewUser(address: addr("b@acme.example"), password: "x", quota: try Quota.parse("1G")))
            await #expect(throws: StoreError.limitExceeded("tenant acme already has 2 of at most 2 users")) {
                try await store.addUser(NewUser(address: addr("c@acme.example"), password: "x", quota: try Quota.parse("1M")))
            }
            let info = try await store.tenantInfo(name: "acme")
            #expect(info.users == 2 && info.quotaBytes == 3 << 30 && info.domains == ["acme.example"])
            await #expect(throws: StoreError.self) { try await store.removeTenant(name: "acme") }
            #expect(try await store.listDomains(tenant: "acme").count == 1)
            _ = try await store.removeDomain(dom("acme.example"))
            try await store.removeTenant(name: "acme")
            #expect(try await store.listTenants().isEmpty)
        }
    }

    @Test("authenticate: success and each precise failure", arguments: Backend.available)
    func authenticate(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addTenant(name: "t1", displayName: "", limits: TenantLimits())
            _ = try await store.addDomain(NewDomain(name: dom("example.com"), tenant: "t1"))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            #expect(try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .imap).isSuccess)
            #expect(try await store.authenticate(username: "ALICE%example.com", password: "Secret-1", service: .pop3).isSuccess)
            #expect(try await store.authenticate(username: "alice@example.com", password: "secret-1", service: .imap).failure == .wrongPassword)
            #expect(try await store.authenticate(username: "bob@example.com", password: "Secret-1", service: .imap).failure == .unknownUser)
            #expect(try await store.authenticate(username: "alice@nowhere.example", password: "x", service: .imap).failure == .unknownUser)
            if case .invalidUsername = try await store.authenticate(username: "not an address", password: "x", service: .imap).failure {
            } else { Issue.record("expected invalidUsername") }
            _ = try await store.setServiceDisabled(addr("alice@example.com"), services: [.pop3], disabled: true)
            #expect(try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .pop3).failure == .disabled(.pop3))
            #expect(try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .imap).isSuccess)
            // Disabled is only told to someone who knows the password.
            #expect(try await store.authenticate(username: "alice@example.com", password: "nope", service: .pop3).failure == .wrongPassword)
            try await store.setDomainActive(dom("example.com"), active: false)
            #expect(try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .imap).failure == .domainInactive)
            try await store.setDomainActive(dom("example.com"), active: true)
            _ = try t.externalSQL("UPDATE tenants SET active = \(backend == .sqlite ? "0" : "FALSE") WHERE name = 't1'")
            #expect(try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .imap).failure == .tenantInactive)
            try await store.addDomainAlias(dom("example.org"), to: dom("example.com"))
            _ = try t.externalSQL("UPDATE tenants SET active = \(backend == .sqlite ? "1" : "TRUE") WHERE name = 't1'")
            #expect(try await store.authenticate(username: "alice@example.org", password: "Secret-1", service: .imap).isSuccess)
            try await store.recordLogin(addr("alice@example.com"), service: .imap, ip: "192.0.2.9")
            let seen = try #require(try await store.user(addr("alice@example.com")))
            #expect(seen.lastLoginService == "imap" && seen.lastLoginIP == "192.0.2.9" && seen.lastLoginAt != nil)
        }
    }

    @Test("a {PLAIN} import is upgraded to yescrypt with SASL secrets at the first login", arguments: Backend.available)
    func upgradeOnLogin(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("old@example.com"), passwordHash: "{PLAIN}legacy pw"))
            var user = try #require(try await store.user(addr("old@example.com")))
            #expect(user.passwordScheme == "PLAIN" && !user.hasSCRAMSHA256)
            #expect(try await store.authenticate(username: "old@example.com", password: "legacy pw", service: .smtp).isSuccess)
            user = try #require(try await store.user(addr("old@example.com")))
            #expect(user.passwordScheme == "yescrypt" && user.hasSCRAMSHA256 && user.hasCRAMMD5)
            #expect(try await store.authenticate(username: "old@example.com", password: "legacy pw", service: .smtp).isSuccess)
        }
    }

    @Test("resolveRecipient: mailbox, aliases, keep-a-copy, catch-all, extensions, domain aliases", arguments: Backend.available)
    func resolve(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com"), maxAliases: 3))
            try await store.addDomainAlias(dom("例子.中国"), to: dom("example.com"))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "x"))
            _ = try await store.addUser(NewUser(address: addr("用户@example.com"), password: "x"))
            _ = try await store.addAlias(addr("team@example.com"), targets: ["alice@example.com", "bob@remote.example"])
            _ = try await store.addAlias(addr("alice@example.com"), targets: ["alice@example.com", "alice@elsewhere.example"])

            guard case .mailbox(let u) = try await store.resolveRecipient(addr("用户@例子.中国")) else {
                Issue.record("用户@例子.中国 should reach the mailbox through the domain alias"); return
            }
            #expect(u.address == "用户@example.com")
            #expect(try await store.resolveRecipient(addr("team@example.com"))
                    == .alias(address: "team@example.com", targets: ["alice@example.com", "bob@remote.example"], keepCopy: nil))
            guard case .alias(_, let targets, let keep) = try await store.resolveRecipient(addr("alice@example.com")) else {
                Issue.record("alice forwards"); return
            }
            #expect(targets == ["alice@elsewhere.example"])
            #expect(keep?.address == "alice@example.com")
            guard case .mailbox(let ext) = try await store.resolveRecipient(addr("用户+news@example.com")) else {
                Issue.record("extension should reach the mailbox"); return
            }
            #expect(ext.localPart == "用户")
            #expect(try await store.resolveRecipient(addr("nobody@example.com")) == .unknownUser)
            #expect(try await store.resolveRecipient(addr("x@not-hosted.example")) == .notLocal)
            try await store.setCatchAll(dom("example.com"), target: "alice@example.com")
            #expect(try await store.resolveRecipient(addr("nobody@example.com"))
                    == .catchAll(address: "nobody@example.com", target: "alice@example.com"))
            try await store.setDomainActive(dom("example.com"), active: false)
            #expect(try await store.resolveRecipient(addr("alice@example.com")) == .domainInactive)
            try await store.setDomainActive(dom("example.com"), active: true)

            // An alias pointing to itself needs a mailbox; the alias limit holds.
            await #expect(throws: StoreError.self) { try await store.addAlias(addr("loop@example.com"), targets: ["loop@example.com"]) }
            _ = try await store.addAlias(addr("third@example.com"), targets: ["alice@example.com"])
            await #expect(throws: StoreError.limitExceeded("domain example.com already has 3 of at most 3 aliases")) {
                try await store.addAlias(addr("fourth@example.com"), targets: ["alice@example.com"])
            }
            try await store.removeAlias(addr("team@example.com"), targets: ["bob@remote.example"])
            #expect(try await store.listAliases(domain: dom("example.com")).first { $0.address == "team@example.com" }?.targets
                    == ["alice@example.com"])
            try await store.removeAlias(addr("team@example.com"), targets: [])
            #expect(try await store.resolveRecipient(addr("team@example.com")) == .catchAll(address: "team@example.com", target: "alice@example.com"))
        }
    }

    @Test("relay networks and access lists", arguments: Backend.available)
    func relayAndAccess(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addRelayNetwork(try CIDR("192.0.2.0/24"), note: "office")
            _ = try await store.addRelayNetwork(try CIDR("2001:db8::/32"), note: "")
            await #expect(throws: StoreError.duplicate("relay network 192.0.2.0/24 already exists")) {
                try await store.addRelayNetwork(try CIDR("192.0.2.0/24"), note: "")
            }
            #expect(try await store.isRelayAllowed(IPAddress("192.0.2.77")!))
            #expect(try await store.isRelayAllowed(IPAddress("::ffff:192.0.2.1")!))
            #expect(try await store.isRelayAllowed(IPAddress("2001:db8::1")!))
            #expect(try await !store.isRelayAllowed(IPAddress("198.51.100.1")!))
            try await store.removeRelayNetwork(try CIDR("192.0.2.0/24"))
            #expect(try await !store.isRelayAllowed(IPAddress("192.0.2.77")!))

            _ = try await store.addAccessRule(kind: .mailFrom, pattern: "*@Spam.example", domain: nil, note: "")
            _ = try await store.addAccessRule(kind: .mailFrom, pattern: "boss@partner.example", domain: dom("example.com"), note: "")
            _ = try await store.addAccessRule(kind: .helo, pattern: "*.dynamic.example", domain: nil, note: "")
            await #expect(throws: StoreError.self) {
                try await store.addAccessRule(kind: .mailFrom, pattern: "*@spam.example", domain: nil, note: "")
            }
            let forDomain = try await store.accessRules(kind: .mailFrom, forDomain: dom("example.com"))
            #expect(forDomain.count == 2)
            #expect(forDomain.contains { $0.matches("Joe@SPAM.example") })
            let global = try await store.accessRules(kind: .mailFrom, forDomain: dom("other.example"))
            #expect(global.map(\.pattern) == ["*@spam.example"])
            try await store.removeAccessRule(kind: .mailFrom, pattern: "*@spam.example", domain: nil)
            #expect(try await store.listAccessRules(kind: .mailFrom).map(\.pattern) == ["boss@partner.example"])
            _ = try await store.removeDomain(dom("example.com"))
            #expect(try await store.listAccessRules(kind: nil).map(\.pattern) == ["*.dynamic.example"])
        }
    }

    @Test("administrators scoped to everything, a tenant or a domain", arguments: Backend.available)
    func administrators(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addTenant(name: "reseller", displayName: "", limits: TenantLimits())
            _ = try await store.addDomain(NewDomain(name: dom("example.com"), tenant: "reseller"))
            _ = try await store.addAdministrator(name: "root", password: "pw", scope: .global)
            _ = try await store.addAdministrator(name: "res-admin", password: "pw", scope: .tenant("reseller"))
            _ = try await store.addAdministrator(name: "postmaster@example.com", password: "pw", scope: .domain("example.com"))
            await #expect(throws: StoreError.notFound("tenant ghost does not exist")) {
                try await store.addAdministrator(name: "x", password: "pw", scope: .tenant("ghost"))
            }
            let admins = try await store.listAdministrators()
            #expect(admins.map(\.scope) == [.domain("example.com"), .tenant("reseller"), .global])
            _ = try await store.removeDomain(dom("example.com"))
            #expect(try await store.listAdministrators().map(\.name) == ["res-admin", "root"])
            try await store.removeAdministrator(name: "root")
            await #expect(throws: StoreError.self) { try await store.removeAdministrator(name: "root") }
        }
    }

    @Test("a failed transaction leaves nothing behind", arguments: Backend.available)
    func atomicity(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            await #expect(throws: Boom.self) { try await insertThenFail(t.db) }
            let count = try await t.db.read("SELECT COUNT(*) AS n FROM domains", []).first?.int("n")
            #expect(count == 0)
            // The schema itself refuses what a careless panel might write.
            #expect(throws: (any Error).self) { try t.externalSQL("INSERT INTO domains (name) VALUES ('UPPER.example')") }
        }
    }

    @Test("rows written with plain SQL take effect within the cache time, without a reload", arguments: Backend.available)
    func plainSQLProvisioning(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let ttl = 3.0
            let store = t.store(StoreOptions(cacheTTL: ttl, passwordPolicy: PasswordPolicy(yescryptCost: 1)))
            #expect(try await store.resolveRecipient(addr("panel@panel.example")) == .notLocal)
            let cachedAt = ContinuousClock.now
            let hash = try runTool("/usr/bin/openssl", ["passwd", "-6", "panel-pw"])
            _ = try t.externalSQL("INSERT INTO domains (name, unicode_name) VALUES ('panel.example', 'panel.example')")
            _ = try t.externalSQL("""
                INSERT INTO users (domain_id, local_part, password_hash, quota_bytes)
                SELECT id, 'panel', '\(hash)', 1048576 FROM domains WHERE name = 'panel.example'
                """)
            _ = try t.externalSQL("""
                INSERT INTO aliases (domain_id, local_part, target)
                SELECT id, 'sales', 'panel@panel.example' FROM domains WHERE name = 'panel.example'
                """)
            // The negative answer is still cached right after the INSERT (when the writes took
            // less than the cache time) …
            if ContinuousClock.now - cachedAt < .seconds(ttl - 1) {
                #expect(try await store.resolveRecipient(addr("panel@panel.example")) == .notLocal)
            }
            try await Task.sleep(until: cachedAt + .seconds(ttl + 0.2))
            // … and the new rows work once it expires.
            guard case .mailbox(let user) = try await store.resolveRecipient(addr("panel@panel.example")) else {
                Issue.record("plain-SQL user not seen"); return
            }
            #expect(user.quotaBytes == 1_048_576)
            #expect(try await store.resolveRecipient(addr("sales@panel.example"))
                    == .alias(address: "sales@panel.example", targets: ["panel@panel.example"], keepCopy: nil))
            let login = try await store.authenticate(username: "panel@panel.example", password: "panel-pw", service: .imap)
            #expect(login.isSuccess)
            // A quota change and a disable flag written by plain SQL.
            let yes = backend == .sqlite ? "1" : "TRUE"
            _ = try t.externalSQL("UPDATE users SET quota_bytes = 2097152, disable_imap = \(yes) WHERE local_part = 'panel'")
            try await Task.sleep(for: .seconds(ttl + 0.2))
            #expect(try await store.authenticate(username: "panel@panel.example", password: "panel-pw", service: .imap).failure
                    == .disabled(.imap))
            guard case .mailbox(let again) = try await store.resolveRecipient(addr("panel@panel.example")) else {
                Issue.record("user vanished"); return
            }
            #expect(again.quotaBytes == 2_097_152)
        }
    }
}

struct Boom: Error {}

func insertThenFail(_ db: any SQLDatabase) async throws {
    let _: Int = try await db.transaction { tx in
        try await tx.execute("INSERT INTO domains (name, created_at) VALUES (?, ?)", .text("half.example"), .integer(1))
        throw Boom()
    }
}

@Suite("PostgreSQL availability")
struct PostgresAvailabilityTests {
    @Test("the PostgreSQL server is configured when scripts/test or CI requires it")
    func required() {
        if PGTestServer.required {
            #expect(PGTestServer.settings != nil, "MAILROOM_REQUIRE_POSTGRES=1 but MAILROOM_TEST_PG_HOST/PORT are not set")
        }
    }
}

extension Result {
    var isSuccess: Bool { if case .success = self { true } else { false } }
    var failure: Failure? { if case .failure(let f) = self { f } else { nil } }
}
