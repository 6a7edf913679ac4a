// Message size limits (domains/users.max_message_bytes) and the per-domain submission sender
// rule (domains.sender_login_match), part of the one conformance suite (style rule 16): every
// case runs against SQLite and against a real PostgreSQL.
// Bounds: a limit is nil or at least 64K octets (RFC 5321 §4.5.3.1.7), in the store and in the
// schema's CHECK constraints, which a panel writing plain SQL meets too.

import Foundation
import MailroomCore
import Testing
@testable import MailroomStore

extension AccountStoreConformanceTests {
    @Test("message limits: set, clear, and a user inheriting the domain's, through every lookup", arguments: Backend.available)
    func messageLimits(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            let fresh = try await store.addDomain(NewDomain(name: dom("example.com")))
            #expect(fresh.maxMessageBytes == nil && fresh.senderLoginMatch == nil)
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            _ = try await store.addAlias(addr("alice@example.com"), targets: ["alice@example.com", "alice@home.example"])
            _ = try await store.addUser(NewUser(address: addr("bob@example.com"), password: "Secret-2"))
            try await store.addDomainAlias(dom("example.org"), to: dom("example.com"))
            let bob = try #require(try await store.user(addr("bob@example.com")))
            #expect(bob.maxMessageBytes == nil && bob.maxMessageBytesInherited && bob.domainSenderLoginMatch == nil)

            let d = try await store.setDomainMessageLimit(dom("example.com"), bytes: 20 << 20)
            #expect(d.maxMessageBytes == 20 << 20)
            #expect(try await store.domainInfo(dom("example.com")).domain.maxMessageBytes == 20 << 20)
            #expect(try await store.listDomains(tenant: nil).first?.maxMessageBytes == 20 << 20)

            /// The effective limit and its origin as each lookup reports it.
            func limits(_ address: String, _ password: String) async throws -> [String: (Int64?, Bool)] {
                var seen: [String: (Int64?, Bool)] = [:]
                let u = try #require(try await store.user(addr(address)))
                seen["user"] = (u.maxMessageBytes, u.maxMessageBytesInherited)
                let a = try await store.authenticate(username: address, password: password, service: .smtp).get()
                seen["authenticate"] = (a.maxMessageBytes, a.maxMessageBytesInherited)
                let s = try await store.saslAccount(username: address, service: .smtp).get().user
                seen["saslAccount"] = (s.maxMessageBytes, s.maxMessageBytesInherited)
                let local = address.split(separator: "@")[0]
                switch try await store.resolveRecipient(addr(address)) {
                case .mailbox(let r), .alias(_, _, .some(let r)): seen["resolve"] = (r.maxMessageBytes, r.maxMessageBytesInherited)
                default: Issue.record("\(address) did not resolve to a mailbox")
                }
                // A domain alias and an extension take the step-by-step path.
                switch try await store.resolveRecipient(addr("\(local)+tag@example.org")) {
                case .mailbox(let r), .alias(_, _, .some(let r)): seen["resolve-alias"] = (r.maxMessageBytes, r.maxMessageBytesInherited)
                default: Issue.record("\(local)+tag@example.org did not resolve to a mailbox")
                }
                return seen
            }
            func expectAll(_ address: String, _ password: String, _ bytes: Int64?, inherited: Bool,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let seen = try await limits(address, password)
                #expect(seen.count == 5, sourceLocation: sourceLocation)
                for (lookup, value) in seen {
                    #expect(value.0 == bytes && value.1 == inherited, "\(address) via \(lookup): \(value)",
                            sourceLocation: sourceLocation)
                }
            }

            // alice is a mailbox that forwards and keeps a copy (the UNION statement's alias rows).
            try await expectAll("alice@example.com", "Secret-1", 20 << 20, inherited: true)
            try await expectAll("bob@example.com", "Secret-2", 20 << 20, inherited: true)

            let own = try await store.setUserMessageLimit(addr("bob@example.com"), bytes: 10 << 20)
            #expect(own.maxMessageBytes == 10 << 20 && !own.maxMessageBytesInherited)
            try await expectAll("bob@example.com", "Secret-2", 10 << 20, inherited: false)
            // A user's limit may exceed the domain's: it is the user's own.
            _ = try await store.setUserMessageLimit(addr("alice@example.com"), bytes: 50 << 20)
            try await expectAll("alice@example.com", "Secret-1", 50 << 20, inherited: false)

            // Clearing the domain's leaves the users' own; clearing a user's inherits again.
            #expect(try await store.setDomainMessageLimit(dom("example.com"), bytes: nil).maxMessageBytes == nil)
            try await expectAll("bob@example.com", "Secret-2", 10 << 20, inherited: false)
            let cleared = try await store.setUserMessageLimit(addr("bob@example.com"), bytes: nil)
            #expect(cleared.maxMessageBytes == nil && cleared.maxMessageBytesInherited)
            try await expectAll("bob@example.com", "Secret-2", nil, inherited: true)
            _ = try await store.setDomainMessageLimit(dom("example.com"), bytes: 1 << 30)
            try await expectAll("bob@example.com", "Secret-2", 1 << 30, inherited: true)
            #expect(try await store.listUsers(domain: dom("example.com")).map(\.maxMessageBytes) == [50 << 20, 1 << 30])

            await #expect(throws: StoreError.notFound("domain nope.example does not exist")) {
                try await store.setDomainMessageLimit(dom("nope.example"), bytes: nil)
            }
            await #expect(throws: StoreError.notFound("user carol@example.com does not exist")) {
                try await store.setUserMessageLimit(addr("carol@example.com"), bytes: 1 << 20)
            }
        }
    }

    @Test("message limits: at least 64K (RFC 5321 §4.5.3.1.7) or none; nothing written when refused", arguments: Backend.available)
    func messageLimitBounds(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            _ = try await store.setDomainMessageLimit(dom("example.com"), bytes: 1 << 20)
            _ = try await store.setUserMessageLimit(addr("alice@example.com"), bytes: 2 << 20)
            for bad: Int64 in [65_535, 1, 0, -1, .min] {
                await #expect(throws: StoreError.invalid(
                    field: "max message size", message: "\(bad) bytes is less than 65536 (64K, RFC 5321 section 4.5.3.1.7)")) {
                    try await store.setDomainMessageLimit(dom("example.com"), bytes: bad)
                }
                await #expect(throws: StoreError.self) { try await store.setUserMessageLimit(addr("alice@example.com"), bytes: bad) }
            }
            #expect(try await store.domainInfo(dom("example.com")).domain.maxMessageBytes == 1 << 20)
            #expect(try await store.user(addr("alice@example.com"))?.maxMessageBytes == 2 << 20)
            #expect(try await store.setDomainMessageLimit(dom("example.com"), bytes: 65_536).maxMessageBytes == 65_536)
            #expect(try await store.setUserMessageLimit(addr("alice@example.com"), bytes: 65_536).maxMessageBytes == 65_536)
            #expect(try await store.setUserMessageLimit(addr("alice@example.com"), bytes: .max).maxMessageBytes == .max)
            #expect(Domain.minimumMaxMessageBytes == 65_536)
        }
    }

    @Test("sender login match: aliases, domain, off or nil, refused otherwise, seen on the domain's users", arguments: Backend.available)
    func senderLoginMatch(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            for value in Domain.senderLoginMatchValues {
                #expect(try await store.setDomainSenderLoginMatch(dom("example.com"), value).senderLoginMatch == value)
                #expect(try await store.domainInfo(dom("example.com")).domain.senderLoginMatch == value)
                #expect(try await store.user(addr("alice@example.com"))?.domainSenderLoginMatch == value)
                let login = try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .smtp).get()
                #expect(login.domainSenderLoginMatch == value)
            }
            for bad in ["bogus", "", "Domain", "aliases "] {
                await #expect(throws: StoreError.invalid(field: "sender login match",
                                                         message: "'\(bad)' is not one of aliases, domain, off")) {
                    try await store.setDomainSenderLoginMatch(dom("example.com"), bad)
                }
            }
            #expect(try await store.domainInfo(dom("example.com")).domain.senderLoginMatch == "off")
            #expect(try await store.setDomainSenderLoginMatch(dom("example.com"), nil).senderLoginMatch == nil)
            #expect(try await store.user(addr("alice@example.com"))?.domainSenderLoginMatch == nil)
            await #expect(throws: StoreError.notFound("domain nope.example does not exist")) {
                try await store.setDomainSenderLoginMatch(dom("nope.example"), "off")
            }
        }
    }

    @Test("the schema's CHECK constraints refuse bad limits and sender rules written with plain SQL", arguments: Backend.available)
    func messageLimitChecks(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            for bad in ["UPDATE domains SET max_message_bytes = 65535",
                        "UPDATE domains SET max_message_bytes = 0",
                        "UPDATE users SET max_message_bytes = 1000",
                        "UPDATE domains SET sender_login_match = 'bogus'",
                        "UPDATE domains SET sender_login_match = 'ALIASES'",
                        "UPDATE domains SET sender_login_match = ''"] {
                #expect(throws: (any Error).self, "\(bad)") { try t.externalSQL(bad) }
            }
            // And through Mailroom's own driver: the check violation the store turns into
            // StoreError.invalid.
            do {
                let _: Int = try await t.db.transaction { tx in
                    try await tx.execute("UPDATE domains SET sender_login_match = ?", .text("bogus"))
                    return 0
                }
                Issue.record("the CHECK constraint on sender_login_match did not fire")
            } catch SQLError.checkViolation(let message) {
                #expect(message.contains("sender_login_match"), "\(message)")
            }
            _ = try t.externalSQL("UPDATE domains SET max_message_bytes = 33554432, sender_login_match = 'domain' WHERE name = 'example.com'")
            _ = try t.externalSQL("""
                UPDATE users SET max_message_bytes = 65536
                WHERE local_part = 'alice' AND domain_id = (SELECT id FROM domains WHERE name = 'example.com')
                """)
            let d = try await store.domainInfo(dom("example.com")).domain
            #expect(d.maxMessageBytes == 33_554_432 && d.senderLoginMatch == "domain")
            let u = try #require(try await store.user(addr("alice@example.com")))
            #expect(u.maxMessageBytes == 65_536 && !u.maxMessageBytesInherited && u.domainSenderLoginMatch == "domain")
            _ = try t.externalSQL("UPDATE users SET max_message_bytes = NULL")
            _ = try t.externalSQL("UPDATE domains SET sender_login_match = NULL")
            let back = try #require(try await store.user(addr("alice@example.com")))
            #expect(back.maxMessageBytes == 33_554_432 && back.maxMessageBytesInherited && back.domainSenderLoginMatch == nil)
        }
    }

    @Test("the setters empty the lookup cache: cached users show the new limits at once", arguments: Backend.available)
    func messageLimitCache(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            // A cache time far longer than the test: only invalidation can show the changes.
            let store = t.store(StoreOptions(cacheTTL: 60, passwordPolicy: PasswordPolicy(yescryptCost: 1)))
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            func resolved() async throws -> User? {
                if case .mailbox(let u) = try await store.resolveRecipient(addr("alice@example.com")) { return u }
                return nil
            }
            func loggedIn() async throws -> User {
                try await store.authenticate(username: "alice@example.com", password: "Secret-1", service: .smtp).get()
            }
            func sasl() async throws -> User {
                try await store.saslAccount(username: "alice@example.com", service: .smtp).get().user
            }
            #expect(try await resolved()?.maxMessageBytes == nil)
            #expect(try await loggedIn().maxMessageBytes == nil)
            #expect(try await sasl().domainSenderLoginMatch == nil)

            _ = try await store.setDomainMessageLimit(dom("example.com"), bytes: 20 << 20)
            #expect(try await resolved()?.maxMessageBytes == 20 << 20)
            #expect(try await loggedIn().maxMessageBytes == 20 << 20)
            #expect(try await sasl().maxMessageBytes == 20 << 20)

            _ = try await store.setUserMessageLimit(addr("alice@example.com"), bytes: 1 << 20)
            #expect(try await resolved()?.maxMessageBytes == 1 << 20)
            #expect(try await loggedIn().maxMessageBytes == 1 << 20)
            #expect(try await sasl().maxMessageBytes == 1 << 20)

            _ = try await store.setDomainSenderLoginMatch(dom("example.com"), "domain")
            #expect(try await resolved()?.domainSenderLoginMatch == "domain")
            #expect(try await loggedIn().domainSenderLoginMatch == "domain")
            #expect(try await sasl().domainSenderLoginMatch == "domain")

            // A plain-SQL change is not seen until the entry expires (the cache is really on).
            _ = try t.externalSQL("UPDATE users SET max_message_bytes = NULL")
            #expect(try await resolved()?.maxMessageBytes == 1 << 20)
        }
    }

    @Test("JSON of a domain and a user carries the new fields, null when unset")
    func messageLimitJSON() throws {
        let encoder = JSONEncoder()
        let domain = Domain(id: 1, name: "example.com", unicodeName: "example.com", tenant: nil, volume: "default",
                            volumePath: "/m", active: true, maxUsers: nil, maxAliases: nil, defaultQuotaBytes: nil,
                            defaultQuotaMessages: nil, catchAll: nil, createdAt: 0, maxMessageBytes: nil, senderLoginMatch: nil)
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(domain)) as? [String: Any])
        for key in ["maxMessageBytes", "senderLoginMatch", "tenant", "maxUsers", "catchAll"] {
            #expect(object[key] is NSNull, "\(key)")
        }
        var limited = domain
        limited.maxMessageBytes = 1 << 20
        limited.senderLoginMatch = "off"
        let again = try #require(try JSONSerialization.jsonObject(with: encoder.encode(limited)) as? [String: Any])
        #expect((again["maxMessageBytes"] as? NSNumber)?.int64Value == 1 << 20)
        #expect(again["senderLoginMatch"] as? String == "off")
        #expect(try JSONDecoder().decode(Domain.self, from: encoder.encode(limited)) == limited)
        #expect(try JSONDecoder().decode(Domain.self, from: encoder.encode(domain)) == domain)
    }

    @Test("a user's JSON has maxMessageBytes (null when none), its origin and the domain's sender rule", arguments: Backend.available)
    func userMessageLimitJSON(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            let user = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(user)) as? [String: Any])
            #expect(object["maxMessageBytes"] is NSNull)
            #expect(object["domainSenderLoginMatch"] is NSNull)
            #expect(object["maxMessageBytesInherited"] as? Bool == true)
        }
    }
}
