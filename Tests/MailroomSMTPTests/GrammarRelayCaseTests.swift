// The address forms of the open-relay corpus (smtp-open-relay-cases/relay_cases.tsv): what
// the grammar makes of each MAIL FROM and RCPT TO, which is what the relay decision is then
// taken on. The verdict itself (ACCEPT/REJECT) is the session's and policy's; this test pins
// the parse facts that make a correct verdict possible:
//
// - "%" and "!" are never routing: "relaytest%example.net@example.com" is the local part
//   "relaytest%example.net" at example.com, an unknown local user, not a relay to example.net;
// - a quoted local part keeps its "@" inside the local part;
// - a second "@" outside quotes, a "\" outside quotes, a trailing dot and a recipient without a
//   domain (except the unqualified postmaster) are syntax errors (553 5.1.3);
// - a source route is dropped and the mailbox after it remains, so the relay decision must be
//   taken on the final domain ("@example.com:relaytest@example.net" goes to example.net).
//
// The addresses are read from the shared corpus at run time (found as MailroomTestSupport's
// Corpora says; a missing corpus is a failure, never a skip). This file keeps only our expected
// parse facts, keyed by the corpus's case id; a test checks that every row has facts and every
// fact a row.
// The session-level counterpart (what the session asks the recipient policy) is
// Session/SessionRelayCaseTests.swift.
// Source: Nmap scripts/smtp-open-relay.nse (N01–N16), Postfix postconf(5) and RFC 5321/2505
// (X01–X18), RFC 5321 §4.5.1/§4.5.5 and RFC 6409 (C01–C05); see the corpus README.

import Foundation
import MailroomCore
@testable import MailroomSMTP
import MailroomTestSupport
import Testing

/// What the grammar must make of one address.
enum PathFact: Sendable, CustomStringConvertible {
    /// "<>".
    case null
    /// The unqualified "<Postmaster>".
    case postmaster
    /// A mailbox: the local part as kept (unquoted value), whether it is written quoted, and
    /// the domain in canonical form (A-labels, or the literal with brackets).
    case mailbox(local: String, quoted: Bool, domain: String)
    /// Refused with this error kind.
    case refused(SMTPSyntaxError.Kind)

    var description: String {
        switch self {
        case .null: return "<>"
        case .postmaster: return "<Postmaster>"
        case .mailbox(let local, let quoted, let domain): return "\(quoted ? "quoted " : "")\(local) at \(domain)"
        case .refused(let kind): return "refused \(kind)"
        }
    }
}

/// One row of relay_cases.tsv with our facts for it.
struct RelayCase: Sendable, CustomTestStringConvertible {
    let id: String
    /// The reverse-path without brackets; empty for "<>".
    let mailFrom: String
    /// The forward-path without brackets.
    let rcptTo: String
    /// "unauthenticated" or "authenticated".
    let client: String
    /// "ACCEPT" or "REJECT".
    let expectedVerdict: String
    let sender: PathFact
    let recipient: PathFact
    var testDescription: String { id }
}

/// smtp-open-relay-cases/relay_cases.tsv, read at run time.
enum RelayCorpus {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static var file: URL { Corpora.path("smtp-open-relay-cases/relay_cases.tsv") }

    /// The rows as dictionaries keyed by the header's column names.
    static func rows() throws -> [[String: String]] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw Problem(description: "corpus file missing or unreadable: \(file.path)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            throw Problem(description: "\(file.path) is empty")
        }
        return try lines.dropFirst().filter { !$0.isEmpty }.map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { throw Problem(description: "malformed row: \(line)") }
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }

    /// Every row joined with its facts; a row without facts is an error.
    static func cases() throws -> [RelayCase] {
        try rows().map { row in
            let id = row["id"] ?? ""
            guard let facts = relayFacts[id] else { throw Problem(description: "case \(id) has no expected parse facts") }
            return RelayCase(id: id, mailFrom: row["mail_from"] ?? "", rcptTo: row["rcpt_to"] ?? "", client: row["client"] ?? "",
                             expectedVerdict: row["expected_verdict"] ?? "", sender: facts.sender, recipient: facts.recipient)
        }
    }
}

private let syntax = PathFact.refused(.invalidMailbox(.recipient))
private func at(_ local: String, _ domain: String, quoted: Bool = false) -> PathFact {
    .mailbox(local: local, quoted: quoted, domain: domain)
}

/// Our expected parse facts, by corpus case id: (MAIL FROM, RCPT TO). The addresses themselves
/// are read from relay_cases.tsv at run time.
let relayFacts: [String: (sender: PathFact, recipient: PathFact)] = [
    "C01": (at("relaytest", "example.net"), at("postmaster", "example.com")),
    "C02": (.null, at("postmaster", "example.com")),
    "C03": (at("relaytest", "example.net"), .postmaster),
    "C04": (at("relaytest", "example.net"), at("POSTMASTER", "example.com")),
    "C05": (at("user", "example.com"), at("relaytest", "example.net")),
    "N01": (.null, at("relaytest", "example.net")),
    "N02": (at("antispam", "example.net"), at("relaytest", "example.net")),
    "N03": (at("antispam", "mx.example.com"), at("relaytest", "example.net")),
    "N04": (at("antispam", "[192.0.2.25]"), at("relaytest", "example.net")),
    "N05": (at("antispam", "[192.0.2.25]"), at("relaytest%example.net", "[192.0.2.25]")),
    "N06": (at("antispam", "[192.0.2.25]"), at("relaytest%example.net", "mx.example.com")),
    "N07": (at("antispam", "[192.0.2.25]"), syntax),
    "N08": (at("antispam", "[192.0.2.25]"), syntax),
    "N09": (at("antispam", "[192.0.2.25]"), syntax),
    "N10": (at("antispam", "[192.0.2.25]"), at("relaytest@example.net", "[192.0.2.25]", quoted: true)),
    "N11": (at("antispam", "[192.0.2.25]"), syntax),
    "N12": (at("antispam", "[192.0.2.25]"), at("relaytest", "example.net")),
    "N13": (at("antispam", "[192.0.2.25]"), at("relaytest", "example.net")),
    "N14": (at("antispam", "[192.0.2.25]"), syntax),
    "N15": (at("antispam", "[192.0.2.25]"), at("example.net!relaytest", "[192.0.2.25]")),
    "N16": (at("antispam", "[192.0.2.25]"), at("example.net!relaytest", "mx.example.com")),
    "X01": (at("relaytest", "example.net"), at("relaytest%example.net", "example.com")),
    "X02": (at("relaytest", "example.net"), at("example.net!relaytest", "example.com")),
    "X03": (at("relaytest", "example.net"), at("relaytest@example.net", "example.com", quoted: true)),
    "X04": (at("relaytest", "example.net"), syntax),
    // A quoted local part that is a valid Dot-string is that Dot-string (RFC 5322 §3.4.1).
    "X05": (at("relaytest", "example.net"), at("relaytest%example.net", "example.com")),
    // "\" is a quoted-pair only inside a Quoted-string (RFC 5321 §4.1.2), so this is a syntax error.
    "X06": (at("relaytest", "example.net"), syntax),
    "X07": (at("relaytest", "example.net"), at("relaytest", "example.net")),
    "X08": (at("relaytest", "example.net"), at("relaytest", "example.net")),
    "X09": (at("relaytest", "example.net"), syntax),
    "X10": (at("relaytest", "example.net"), syntax),
    "X11": (at("relaytest", "example.net"), syntax),
    "X12": (at("relaytest", "example.net"), syntax),
    "X13": (at("relaytest", "example.net"), at("relaytest", "example.net")),
    "X14": (at("relaytest", "example.net"), at("relaytest", "[198.51.100.10]")),
    "X15": (at("relaytest", "example.net"), at("relaytest", "[IPv6:2001:db8::10]")),
    "X16": (at("postmaster", "example.com"), at("relaytest", "example.net")),
    // Only postmaster may be unqualified (RFC 5321 §4.1.1.3).
    "X17": (at("relaytest", "example.net"), syntax),
    "X18": (at("relaytest", "example.net"), syntax),
]

/// The parse facts of one path, in the terms of PathFact.
private func facts(of line: String) -> PathFact {
    let parsed: SMTPCommand
    do {
        parsed = try command(line)
    } catch {
        return .refused(error.kind)
    }
    switch parsed {
    case .mail(.null, _): return .null
    case .rcpt(.postmaster, _): return .postmaster
    case .mail(.mailbox(let box), _), .rcpt(.mailbox(let box), _): return PathFact(box)
    default: return .refused(.unrecognizedCommand)
    }
}

private func same(_ a: PathFact, _ b: PathFact) -> Bool { a.matches(b) }

extension PathFact {
    /// The facts of a parsed mailbox.
    init(_ mailbox: Mailbox) {
        let domain: String
        switch mailbox.domain {
        case .domain(let name): domain = name.ascii
        case .addressLiteral(let literal): domain = literal.description
        }
        self = .mailbox(local: mailbox.localPart.value, quoted: mailbox.localPart.needsQuoting, domain: domain)
    }

    /// The facts of a parsed forward-path.
    init(_ path: ForwardPath) {
        switch path {
        case .postmaster: self = .postmaster
        case .mailbox(let mailbox): self.init(mailbox)
        }
    }

    /// The facts of a parsed reverse-path.
    init(_ path: ReversePath) {
        switch path {
        case .null: self = .null
        case .mailbox(let mailbox): self.init(mailbox)
        }
    }

    func matches(_ other: PathFact) -> Bool {
        switch (self, other) {
        case (.null, .null), (.postmaster, .postmaster): return true
        case let (.mailbox(l1, q1, d1), .mailbox(l2, q2, d2)): return l1 == l2 && q1 == q2 && d1 == d2
        case let (.refused(k1), .refused(k2)): return k1 == k2
        default: return false
        }
    }
}

@Suite("Grammar: open-relay address forms")
struct GrammarRelayCaseTests {
    @Test("the corpus has a row for every fact and facts for every row")
    func corpusMatchesFacts() throws {
        let ids = try RelayCorpus.rows().map { $0["id"] ?? "" }
        #expect(ids.count == 39)
        #expect(Set(ids) == Set(relayFacts.keys))
        #expect(Set(ids).count == ids.count, "ids are unique")
    }

    @Test("each MAIL FROM and RCPT TO parses to the facts the relay decision needs", arguments: try RelayCorpus.cases())
    func parseFacts(relayCase: RelayCase) {
        let sender = facts(of: "MAIL FROM:<\(relayCase.mailFrom)>")
        let recipient = facts(of: "RCPT TO:<\(relayCase.rcptTo)>")
        #expect(same(sender, relayCase.sender), "\(relayCase.id) MAIL FROM: \(sender), expected \(relayCase.sender)")
        #expect(same(recipient, relayCase.recipient), "\(relayCase.id) RCPT TO: \(recipient), expected \(relayCase.recipient)")
    }

    @Test("%, ! and quoted @ are never routing: an accepted mailbox's domain is what follows its last unquoted @",
          arguments: try RelayCorpus.cases())
    func noRoutingInLocalParts(relayCase: RelayCase) throws {
        for (line, raw) in [("MAIL FROM:<\(relayCase.mailFrom)>", relayCase.mailFrom), ("RCPT TO:<\(relayCase.rcptTo)>", relayCase.rcptTo)] {
            guard case .mailbox(let local, _, let domain) = facts(of: line) else { continue }
            // Drop a source route, then split at the last "@": that domain, and nothing else, is
            // where the mail goes.
            let address = raw.hasPrefix("@") ? String(raw[raw.index(after: raw.firstIndex(of: ":")!)...]) : raw
            let lastAt = try #require(address.lastIndex(of: "@"))
            let expectedDomain = String(address[address.index(after: lastAt)...]).lowercased()
            #expect(domain.lowercased() == expectedDomain || domain == "[IPv6:2001:db8::10]" && expectedDomain == "[ipv6:2001:db8::10]",
                    "\(relayCase.id): \(domain) vs \(expectedDomain)")
            var sentLocal = String(address[..<lastAt])
            if sentLocal.hasPrefix("\"") && sentLocal.hasSuffix("\"") { sentLocal = String(sentLocal.dropFirst().dropLast()) }
            #expect(local == sentLocal, "\(relayCase.id): the local part must be kept literally")
            for routing: Character in ["%", "!", "@"] {
                #expect(local.filter { $0 == routing }.count == sentLocal.filter { $0 == routing }.count, "\(relayCase.id) \(routing)")
            }
        }
    }

    @Test("no accepted recipient that names example.net or example.org in its local part is routed there")
    func foreignDomainsStayInLocalParts() throws {
        for relayCase in try RelayCorpus.cases() {
            guard case .mailbox(let local, _, let domain) = facts(of: "RCPT TO:<\(relayCase.rcptTo)>") else { continue }
            if local.contains("example.net") || local.contains("example.org") {
                #expect(domain != "example.net" && domain != "example.org", "\(relayCase.id)")
            }
        }
    }

    @Test("refused recipients get a 5xx syntax reply")
    func refusedReplies() throws {
        for relayCase in try RelayCorpus.cases() {
            guard case .refused = relayCase.recipient else { continue }
            #expect(refusalCode("RCPT TO:<\(relayCase.rcptTo)>") == "553 5.1.3", "\(relayCase.id)")
        }
    }
}
