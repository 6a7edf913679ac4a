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
// The cases are copied here so that the test runs without the corpus; when the corpus file is
// present, a second test checks that the copy matches it row for row.
// Source: Nmap scripts/smtp-open-relay.nse (N01–N16), Postfix postconf(5) and RFC 5321/2505
// (X01–X18), RFC 5321 §4.5.1/§4.5.5 and RFC 6409 (C01–C05); see the corpus README.

import Foundation
import MailroomCore
@testable import MailroomSMTP
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

struct RelayCase: Sendable, CustomStringConvertible {
    let id: String
    let mailFrom: String
    let rcptTo: String
    let sender: PathFact
    let recipient: PathFact
    var description: String { id }
}

private let syntax = PathFact.refused(.invalidMailbox(.recipient))
private func at(_ local: String, _ domain: String, quoted: Bool = false) -> PathFact {
    .mailbox(local: local, quoted: quoted, domain: domain)
}

/// relay_cases.tsv, columns id, mail_from, rcpt_to, with the parse facts for both.
let relayCases: [RelayCase] = [
    RelayCase(id: "C01", mailFrom: "relaytest@example.net", rcptTo: "postmaster@example.com",
              sender: at("relaytest", "example.net"), recipient: at("postmaster", "example.com")),
    RelayCase(id: "C02", mailFrom: "", rcptTo: "postmaster@example.com",
              sender: .null, recipient: at("postmaster", "example.com")),
    RelayCase(id: "C03", mailFrom: "relaytest@example.net", rcptTo: "postmaster",
              sender: at("relaytest", "example.net"), recipient: .postmaster),
    RelayCase(id: "C04", mailFrom: "relaytest@example.net", rcptTo: "POSTMASTER@EXAMPLE.COM",
              sender: at("relaytest", "example.net"), recipient: at("POSTMASTER", "example.com")),
    RelayCase(id: "C05", mailFrom: "user@example.com", rcptTo: "relaytest@example.net",
              sender: at("user", "example.com"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N01", mailFrom: "", rcptTo: "relaytest@example.net",
              sender: .null, recipient: at("relaytest", "example.net")),
    RelayCase(id: "N02", mailFrom: "antispam@example.net", rcptTo: "relaytest@example.net",
              sender: at("antispam", "example.net"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N03", mailFrom: "antispam@mx.example.com", rcptTo: "relaytest@example.net",
              sender: at("antispam", "mx.example.com"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N04", mailFrom: "antispam@[192.0.2.25]", rcptTo: "relaytest@example.net",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N05", mailFrom: "antispam@[192.0.2.25]", rcptTo: "relaytest%example.net@[192.0.2.25]",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest%example.net", "[192.0.2.25]")),
    RelayCase(id: "N06", mailFrom: "antispam@[192.0.2.25]", rcptTo: "relaytest%example.net@mx.example.com",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest%example.net", "mx.example.com")),
    RelayCase(id: "N07", mailFrom: "antispam@[192.0.2.25]", rcptTo: "\"relaytest@example.net\"",
              sender: at("antispam", "[192.0.2.25]"), recipient: syntax),
    RelayCase(id: "N08", mailFrom: "antispam@[192.0.2.25]", rcptTo: "\"relaytest%example.net\"",
              sender: at("antispam", "[192.0.2.25]"), recipient: syntax),
    RelayCase(id: "N09", mailFrom: "antispam@[192.0.2.25]", rcptTo: "relaytest@example.net@[192.0.2.25]",
              sender: at("antispam", "[192.0.2.25]"), recipient: syntax),
    RelayCase(id: "N10", mailFrom: "antispam@[192.0.2.25]", rcptTo: "\"relaytest@example.net\"@[192.0.2.25]",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest@example.net", "[192.0.2.25]", quoted: true)),
    RelayCase(id: "N11", mailFrom: "antispam@[192.0.2.25]", rcptTo: "relaytest@example.net@mx.example.com",
              sender: at("antispam", "[192.0.2.25]"), recipient: syntax),
    RelayCase(id: "N12", mailFrom: "antispam@[192.0.2.25]", rcptTo: "@[192.0.2.25]:relaytest@example.net",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N13", mailFrom: "antispam@[192.0.2.25]", rcptTo: "@mx.example.com:relaytest@example.net",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "N14", mailFrom: "antispam@[192.0.2.25]", rcptTo: "example.net!relaytest",
              sender: at("antispam", "[192.0.2.25]"), recipient: syntax),
    RelayCase(id: "N15", mailFrom: "antispam@[192.0.2.25]", rcptTo: "example.net!relaytest@[192.0.2.25]",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("example.net!relaytest", "[192.0.2.25]")),
    RelayCase(id: "N16", mailFrom: "antispam@[192.0.2.25]", rcptTo: "example.net!relaytest@mx.example.com",
              sender: at("antispam", "[192.0.2.25]"), recipient: at("example.net!relaytest", "mx.example.com")),
    RelayCase(id: "X01", mailFrom: "relaytest@example.net", rcptTo: "relaytest%example.net@example.com",
              sender: at("relaytest", "example.net"), recipient: at("relaytest%example.net", "example.com")),
    RelayCase(id: "X02", mailFrom: "relaytest@example.net", rcptTo: "example.net!relaytest@example.com",
              sender: at("relaytest", "example.net"), recipient: at("example.net!relaytest", "example.com")),
    RelayCase(id: "X03", mailFrom: "relaytest@example.net", rcptTo: "\"relaytest@example.net\"@example.com",
              sender: at("relaytest", "example.net"), recipient: at("relaytest@example.net", "example.com", quoted: true)),
    RelayCase(id: "X04", mailFrom: "relaytest@example.net", rcptTo: "relaytest@example.net@example.com",
              sender: at("relaytest", "example.net"), recipient: syntax),
    // A quoted local part that is a valid Dot-string is that Dot-string (RFC 5322 §3.4.1).
    RelayCase(id: "X05", mailFrom: "relaytest@example.net", rcptTo: "\"relaytest%example.net\"@example.com",
              sender: at("relaytest", "example.net"), recipient: at("relaytest%example.net", "example.com")),
    // "\" is a quoted-pair only inside a Quoted-string (RFC 5321 §4.1.2), so this is a syntax error.
    RelayCase(id: "X06", mailFrom: "relaytest@example.net", rcptTo: "relaytest\\@example.net@example.com",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X07", mailFrom: "relaytest@example.net", rcptTo: "@example.com:relaytest@example.net",
              sender: at("relaytest", "example.net"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "X08", mailFrom: "relaytest@example.net", rcptTo: "@example.com,@mx.example.com:relaytest@example.net",
              sender: at("relaytest", "example.net"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "X09", mailFrom: "relaytest@example.net", rcptTo: "example.com!example.net!relaytest",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X10", mailFrom: "relaytest@example.net", rcptTo: "relaytest@example.net%example.com",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X11", mailFrom: "relaytest@example.net", rcptTo: "relaytest@example.com@example.net",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X12", mailFrom: "relaytest@example.net", rcptTo: "relaytest@example.net.",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X13", mailFrom: "relaytest@example.net", rcptTo: "relaytest@EXAMPLE.NET",
              sender: at("relaytest", "example.net"), recipient: at("relaytest", "example.net")),
    RelayCase(id: "X14", mailFrom: "relaytest@example.net", rcptTo: "relaytest@[198.51.100.10]",
              sender: at("relaytest", "example.net"), recipient: at("relaytest", "[198.51.100.10]")),
    RelayCase(id: "X15", mailFrom: "relaytest@example.net", rcptTo: "relaytest@[IPv6:2001:db8::10]",
              sender: at("relaytest", "example.net"), recipient: at("relaytest", "[IPv6:2001:db8::10]")),
    RelayCase(id: "X16", mailFrom: "postmaster@example.com", rcptTo: "relaytest@example.net",
              sender: at("postmaster", "example.com"), recipient: at("relaytest", "example.net")),
    // Only postmaster may be unqualified (RFC 5321 §4.1.1.3).
    RelayCase(id: "X17", mailFrom: "relaytest@example.net", rcptTo: "relaytest",
              sender: at("relaytest", "example.net"), recipient: syntax),
    RelayCase(id: "X18", mailFrom: "relaytest@example.net", rcptTo: "relaytest%example.net",
              sender: at("relaytest", "example.net"), recipient: syntax),
]

/// The parse facts of one path, in the terms of PathFact.
private func facts(of line: String) -> PathFact {
    let parsed: SMTPCommand
    do {
        parsed = try command(line)
    } catch {
        return .refused(error.kind)
    }
    let mailbox: Mailbox
    switch parsed {
    case .mail(.null, _): return .null
    case .rcpt(.postmaster, _): return .postmaster
    case .mail(.mailbox(let box), _), .rcpt(.mailbox(let box), _): mailbox = box
    default: return .refused(.unrecognizedCommand)
    }
    let domain: String
    switch mailbox.domain {
    case .domain(let name): domain = name.ascii
    case .addressLiteral(let literal): domain = literal.description
    }
    return .mailbox(local: mailbox.localPart.value, quoted: mailbox.localPart.needsQuoting, domain: domain)
}

private func same(_ a: PathFact, _ b: PathFact) -> Bool {
    switch (a, b) {
    case (.null, .null), (.postmaster, .postmaster): return true
    case let (.mailbox(l1, q1, d1), .mailbox(l2, q2, d2)): return l1 == l2 && q1 == q2 && d1 == d2
    case let (.refused(k1), .refused(k2)): return k1 == k2
    default: return false
    }
}

@Suite("Grammar: open-relay address forms")
struct GrammarRelayCaseTests {
    static let corpus = Corpora.path("smtp-open-relay-cases/relay_cases.tsv").path

    @Test("each MAIL FROM and RCPT TO parses to the facts the relay decision needs", arguments: relayCases)
    func parseFacts(relayCase: RelayCase) {
        let sender = facts(of: "MAIL FROM:<\(relayCase.mailFrom)>")
        let recipient = facts(of: "RCPT TO:<\(relayCase.rcptTo)>")
        #expect(same(sender, relayCase.sender), "\(relayCase.id) MAIL FROM: \(sender), expected \(relayCase.sender)")
        #expect(same(recipient, relayCase.recipient), "\(relayCase.id) RCPT TO: \(recipient), expected \(relayCase.recipient)")
    }

    @Test("%, ! and quoted @ are never routing: an accepted mailbox's domain is what follows its last unquoted @",
          arguments: relayCases)
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
    func foreignDomainsStayInLocalParts() {
        for relayCase in relayCases {
            guard case .mailbox(let local, _, let domain) = facts(of: "RCPT TO:<\(relayCase.rcptTo)>") else { continue }
            if local.contains("example.net") || local.contains("example.org") {
                #expect(domain != "example.net" && domain != "example.org", "\(relayCase.id)")
            }
        }
    }

    @Test("refused recipients get a 5xx syntax reply")
    func refusedReplies() {
        for relayCase in relayCases {
            guard case .refused = relayCase.recipient else { continue }
            #expect(refusalCode("RCPT TO:<\(relayCase.rcptTo)>") == "553 5.1.3", "\(relayCase.id)")
        }
    }

    @Test("the embedded cases match the corpus file, row for row",
          .enabled(if: FileManager.default.fileExists(atPath: GrammarRelayCaseTests.corpus)))
    func matchesCorpus() throws {
        let text = try String(contentsOfFile: Self.corpus, encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == relayCases.count)
        let byID = Dictionary(uniqueKeysWithValues: relayCases.map { ($0.id, $0) })
        for row in rows {
            let embedded = try #require(byID[row[0]], "case \(row[0]) has no expected parse facts")
            #expect(embedded.mailFrom == row[1], "\(row[0]) mail_from")
            #expect(embedded.rcptTo == row[2], "\(row[0]) rcpt_to")
            // And parse the file's own text, not only the copy.
            #expect(same(facts(of: "MAIL FROM:<\(row[1])>"), embedded.sender), "\(row[0])")
            #expect(same(facts(of: "RCPT TO:<\(row[2])>"), embedded.recipient), "\(row[0])")
        }
    }
}
