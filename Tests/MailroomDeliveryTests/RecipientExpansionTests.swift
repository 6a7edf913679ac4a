// Recipient expansion as a pure walk over a table of aliases (no store): several targets,
// nesting, cycles that are cut, the depth limit, keep-copy, catch-alls, external and broken
// targets, and a mailbox reached twice counted once.

import MailroomCore
import Testing
@testable import MailroomDelivery

@Suite("Recipient expansion")
struct RecipientExpansionTests {
    /// Mailboxes are their address; aliases map to targets; "*@domain" is a catch-all.
    struct Table: Sendable {
        var mailboxes: Set<String> = []
        var aliases: [String: [String]] = [:]
        var keepCopy: Set<String> = []
        var catchAll: [String: String] = [:]
        var local: Set<String> = ["example.com"]
        var inactive: Set<String> = []

        func resolve(_ address: EmailAddress) -> AddressResolution<String> {
            let key = address.ascii
            let domain = address.domain.ascii
            if inactive.contains(domain) { return .domainInactive }
            guard local.contains(domain) else { return .notLocal }
            if let targets = aliases[key] { return .alias(address: key, targets: targets, keepCopy: keepCopy.contains(key) ? key : nil) }
            if mailboxes.contains(key) { return .mailbox(key) }
            if let target = catchAll[domain] { return .catchAll(address: key, target: target) }
            return .unknownUser
        }

        func expand(_ text: String, nesting: Int = 10) async throws -> Expansion<String> {
            let table = self
            let ids = Dictionary(uniqueKeysWithValues: mailboxes.sorted().enumerated().map { ($1, Int64($0)) })
            let expansion = RecipientExpansion<String>(maximumNesting: nesting, identity: { ids[$0] ?? -1 }) { table.resolve($0) }
            return try await expansion.expand(try EmailAddress(text))
        }
    }

    @Test("several targets, nested, with a mailbox reached twice delivered once")
    func nested() async throws {
        var t = Table()
        t.mailboxes = ["alice@example.com", "bob@example.com", "carol@example.com"]
        t.aliases["team@example.com"] = ["alice@example.com", "bob@example.com"]
        t.aliases["all@example.com"] = ["team@example.com", "alice@example.com", "carol@example.com"]
        let e = try await t.expand("all@example.com")
        #expect(e.top == .local)
        #expect(e.mailboxes == ["alice@example.com", "bob@example.com", "carol@example.com"])
        #expect(e.external.isEmpty && e.broken.isEmpty && e.cycles.isEmpty && e.tooDeep == nil)
    }

    @Test("a cycle is cut where it closes: a loop only if nothing else is reached")
    func cycles() async throws {
        var t = Table()
        t.mailboxes = ["bob@example.com"]
        t.aliases["a@example.com"] = ["b@example.com"]
        t.aliases["b@example.com"] = ["a@example.com"]
        let loop = try await t.expand("a@example.com")
        #expect(loop.cycles == ["a@example.com → b@example.com → a@example.com"])
        #expect(loop.loopRefusal(maximumNesting: 10)?.status.description == "5.4.6")
        t.aliases["b@example.com"] = ["a@example.com", "bob@example.com"]
        let reaching = try await t.expand("a@example.com")
        #expect(reaching.mailboxes == ["bob@example.com"])
        #expect(reaching.loopRefusal(maximumNesting: 10) == nil)
        // A self-loop.
        t.aliases["self@example.com"] = ["self@example.com"]
        #expect(try await t.expand("self@example.com").loopRefusal(maximumNesting: 10) != nil)
    }

    @Test("nesting deeper than the limit is a loop even when a mailbox is at the end; the limit itself is fine")
    func depth() async throws {
        var t = Table()
        t.mailboxes = ["alice@example.com"]
        for i in 0..<10 { t.aliases["hop\(i)@example.com"] = ["hop\(i + 1)@example.com"] }
        t.aliases["hop10@example.com"] = ["alice@example.com"]
        let ok = try await t.expand("hop1@example.com")
        #expect(ok.mailboxes == ["alice@example.com"] && ok.tooDeep == nil)
        let deep = try await t.expand("hop0@example.com")
        #expect(deep.tooDeep != nil)
        #expect(deep.loopRefusal(maximumNesting: 10)?.text.contains("deeper than 10") == true)
        #expect(try await t.expand("hop5@example.com", nesting: 3).tooDeep != nil, "the limit is a parameter")
    }

    @Test("a wide alias tree stops after a bounded number of look-ups")
    func wide() async throws {
        var t = Table()
        t.aliases["big@example.com"] = (0..<600).map { "m\($0)@example.com" }
        for i in 0..<600 { t.aliases["m\(i)@example.com"] = ["n\(i)@example.com", "o\(i)@example.com"] }
        let e = try await t.expand("big@example.com")
        #expect(e.tooDeep != nil)
    }

    @Test("keep-copy, catch-all, external and broken targets")
    func kinds() async throws {
        var t = Table()
        t.mailboxes = ["alice@example.com", "bob@example.com"]
        t.aliases["alice@example.com"] = ["bob@example.com", "alice@elsewhere.example"]
        t.keepCopy = ["alice@example.com"]
        t.catchAll["example.com"] = "bob@example.com"
        t.aliases["sales@example.com"] = ["ghost@example.net", "not an address", "partner@remote.example",
                                          "partner@remote.example", "off@off.example"]
        t.local.insert("example.net")
        t.local.insert("off.example")
        t.inactive = ["off.example"]

        let forward = try await t.expand("alice@example.com")
        #expect(forward.mailboxes == ["alice@example.com", "bob@example.com"])
        #expect(forward.external == ["alice@elsewhere.example"])
        #expect(forward.destinationCount == 3)

        let catchAll = try await t.expand("whoever@example.com")
        #expect(catchAll.mailboxes == ["bob@example.com"])

        let sales = try await t.expand("sales@example.com")
        #expect(sales.mailboxes.isEmpty)
        #expect(sales.external == ["partner@remote.example"], "an external address reached twice is listed once")
        #expect(sales.broken.count == 3, "\(sales.broken)")
        #expect(sales.brokenFailure?.status.description == "4.3.5")
        #expect(sales.loopRefusal(maximumNesting: 10) == nil)

        #expect(try await t.expand("nobody@example.net").top == .unknownUser)
        #expect(try await t.expand("x@off.example").top == .domainInactive)
        #expect(try await t.expand("x@remote.example").top == .notLocal)
    }
}
