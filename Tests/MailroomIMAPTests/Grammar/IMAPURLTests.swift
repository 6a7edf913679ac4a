// IMAPURLTests.swift — the IMAP URL (RFC 5092) of Grammar/IMAPURL.swift and
// Parser/IMAPURLParser.swift: the forms CATENATE and URLAUTH use, percent-decoding of mailbox
// names, encode → parse round trips, each refused input with its specific IMAPURLError, and the
// rump an URLAUTH token covers (RFC 4467 §5), and a seeded fuzz run over mutated URLs.

import MailroomCore
@testable import MailroomIMAP
import Testing

@Suite("Grammar: IMAP URLs")
struct IMAPURLTests {
    static func parse(_ text: String) -> Result<IMAPURL, IMAPURLError> {
        Result { () throws(IMAPURLError) in try IMAPURLParser.parse(Array(text.utf8)) }
    }

    static func url(_ text: String) throws -> IMAPURL { try parse(text).get() }

    @Test("a URLAUTH-authorized URL: server, mailbox, UID, section, access and verifier (RFC 4467 §3 example)")
    func authorized() throws {
        let url = try Self.url("imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038")
        #expect(url.server == IMAPURL.Server(user: "joe", host: "example.com"))
        #expect(url.mailbox == Array("INBOX".utf8))
        #expect(url.uid == 20)
        #expect(url.section == SectionSpecifier(part: [1, 2]))
        #expect(url.access == .submit("fred"))
        #expect(url.verifier == IMAPURL.Verifier(mechanism: "INTERNAL", token: "91354a473744909de610943775f92038"))
        #expect(url.namesMessage)
    }

    @Test("the relative forms CATENATE sends, with UIDVALIDITY, sections and partial ranges")
    func relative() throws {
        let a = try Self.url("/imaptest/;uid=3/;section=header")
        #expect(a.server == nil && a.mailbox == Array("imaptest".utf8) && a.uid == 3 && a.section == .header)
        let b = try Self.url("/imaptest;uidvalidity=12345/;uid=1/;section=TEXT")
        #expect(b.uidValidity == 12345 && b.uid == 1 && b.section == .text)
        let c = try Self.url("/imaptest/;uid=2/;partial=100000.1")
        #expect(c.partial == IMAPURL.PartialRange(origin: 100000, length: 1))
        let d = try Self.url("/INBOX/;UID=7/;SECTION=2.HEADER.FIELDS%20(From%20To)/;PARTIAL=5")
        #expect(d.section == SectionSpecifier(part: [2], kind: .headerFields(["FROM", "TO"])))
        #expect(d.partial == IMAPURL.PartialRange(origin: 5))
        let e = try Self.url("/INBOX/;uid=1/;section=1.mime")
        #expect(e.section == SectionSpecifier(part: [1], kind: .mime))
    }

    @Test("mailbox names are percent-decoded: UTF-8, hierarchy, reserved characters")
    func mailboxNames() throws {
        #expect(try Self.url("/Entw%C3%BCrfe/;uid=1").mailbox == Array("Entwürfe".utf8))
        #expect(try Self.url("/a.b%2Fc/;uid=1").mailbox == Array("a.b/c".utf8))
        #expect(try Self.url("/sp%20ace;UIDVALIDITY=9/;UID=1").mailbox == Array("sp ace".utf8))
        // A raw "/" inside the name (RFC 5092 bchar) is taken too.
        #expect(try Self.url("/a/b/;uid=1").mailbox == Array("a/b".utf8))
    }

    @Test("the server part: an address as user, ;AUTH=, ports, IPv6 literals")
    func servers() throws {
        #expect(try Self.url("imap://alice@example.com@mail.example.net/INBOX/;uid=1").server?.user == "alice@example.com")
        #expect(try Self.url("imap://alice%40example.com@mail.example.net:1143/INBOX/;uid=1").server
                == IMAPURL.Server(user: "alice@example.com", host: "mail.example.net", port: 1143))
        #expect(try Self.url("imap://fred;AUTH=*@h/INBOX").server == IMAPURL.Server(user: "fred", authType: "*", host: "h"))
        #expect(try Self.url("imap://;AUTH=GSSAPI@h/INBOX").server == IMAPURL.Server(authType: "GSSAPI", host: "h"))
        #expect(try Self.url("imap://[::1]:143/INBOX").server == IMAPURL.Server(host: "[::1]", port: 143))
        let serverOnly = try Self.url("imap://host.example")
        #expect(serverOnly.mailbox.isEmpty && !serverOnly.namesMessage)
    }

    @Test("URLAUTH rumps and access identifiers; EXPIRE as RFC 3339")
    func urlauth() throws {
        #expect(try Self.url("imap://a@h/INBOX/;uid=1;urlauth=anonymous").access == .anonymous)
        #expect(try Self.url("imap://a@h/INBOX/;uid=1;URLAUTH=AuthUser").access == .authUser)
        let rump = try Self.url("imap://a@h/INBOX/;uid=1;urlauth=user+alice@example.com")
        #expect(rump.access == .user("alice@example.com") && rump.verifier == nil)
        // A user name with ":" is not taken for a verifier.
        #expect(try Self.url("imap://a@h/INBOX/;uid=1;urlauth=user+a:b").access == .user("a:b"))
        let expiring = try Self.url("imap://a@h/INBOX/;uid=1;expire=2026-05-01T12:00:00+02:00;urlauth=anonymous")
        #expect(expiring.expire == IMAPDateTime(date: IMAPDate(year: 2026, month: 5, day: 1)!, hour: 10, minute: 0, second: 0,
                                                zoneMinutes: 0)!.secondsSince1970)
        #expect(try Self.url("imap://a@h/INBOX/;uid=1;expire=2026-05-01t12:00:00.25z;urlauth=anonymous").expire != nil)
    }

    @Test("the rump a token covers is the client's own text up to the verifier")
    func rump() {
        let full = Array("imap://A@h/INBOX/;UID=1;urlauth=anonymous:INTERNAL:0123456789abcdef0123456789ABCDEF".utf8)
        #expect(IMAPURL.rump(of: full).map(Array.init) == Array("imap://A@h/INBOX/;UID=1;urlauth=anonymous".utf8))
        #expect(IMAPURL.rump(of: Array("imap://a@h/INBOX/;uid=1;urlauth=anonymous".utf8)) == nil)
        #expect(IMAPURL.rump(of: Array("imap://a@h/INBOX/;uid=1;urlauth=anonymous:internal:abc".utf8)) == nil)
    }

    @Test("encode → parse round trips", arguments: [
        "imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038",
        "/imaptest;uidvalidity=12345/;uid=1/;section=header",
        "/Entw%C3%BCrfe/;uid=4/;section=1.HEADER.FIELDS.NOT%20(Received)/;partial=0.100",
        "imap://alice%40example.com;AUTH=*@[::1]:1143/a%2Fb%20c/;uid=9;expire=2030-01-02T03:04:05Z;urlauth=authuser",
        "imap://host.example/INBOX",
        "/INBOX/;uid=1/;partial=7;urlauth=user+bob%3Bx",
    ])
    func roundTrip(_ text: String) throws {
        let url = try Self.url(text)
        let again = try IMAPURLParser.parse(url.encoded())
        #expect(again == url, "\(url.description)")
    }

    @Test("the encoder writes the canonical form")
    func canonical() throws {
        let url = IMAPURL(server: IMAPURL.Server(user: "alice@example.com", host: "example.com"), mailbox: Array("Sent Items".utf8),
                          uidValidity: 3, uid: 4, section: SectionSpecifier(part: [1], kind: .text),
                          partial: IMAPURL.PartialRange(origin: 0, length: 10), access: .user("bob@example.com"))
        #expect(url.description == "imap://alice@example.com@example.com/Sent%20Items;UIDVALIDITY=3/;UID=4/;SECTION=1.TEXT/;PARTIAL=0.10;URLAUTH=user+bob@example.com")
    }

    @Test("refused input names what is wrong", arguments: [
        ("http://example.com/", IMAPURLError.unsupportedForm),
        ("INBOX/;uid=1", .unsupportedForm),
        ("//host/INBOX", .unsupportedForm),
        ("/IN BOX/;uid=1", .invalidCharacter),
        ("/Entwürfe/;uid=1", .invalidCharacter),
        ("/INBOX%2/;uid=1", .badPercentEncoding),
        ("/INBOX%zz/;uid=1", .badPercentEncoding),
        ("imap://@h/INBOX", .badServer),
        ("imap://u@/INBOX", .badServer),
        ("imap://u@h:99999/INBOX", .badServer),
        ("imap://u@h!/INBOX", .badServer),
        ("/;uid=1", .missingMailbox),
        ("/INBOX?SUBJECT%20x", .notAMessageURL),
        ("imap://h/;TYPE=LIST", .missingMailbox),
        ("/INBOX;type=list", .notAMessageURL),
        ("/INBOX/;uid=1/;bogus=2", .unknownParameter("BOGUS")),
        ("/INBOX/;uid", .unknownParameter("UID")),
        ("/INBOX;uid=1", .misplacedParameter("UID")),
        ("/INBOX/;uidvalidity=1/;uid=1", .misplacedParameter("UIDVALIDITY")),
        ("/INBOX/;section=1", .misplacedParameter("SECTION")),
        ("/INBOX/;uid=1/;section=1/;uid=2", .misplacedParameter("UID")),
        ("/INBOX/;uid=1/", .misplacedParameter("/")),
        ("/INBOX/;uid=0", .badNumber("UID")),
        ("/INBOX/;uid=4294967296", .badNumber("UID")),
        ("/INBOX;uidvalidity=x/;uid=1", .badNumber("UIDVALIDITY")),
        ("/INBOX/;uid=1/;section=header.fields", .badSection),
        ("/INBOX/;uid=1/;section=0", .badSection),
        ("/INBOX/;uid=1/;section=", .badSection),
        ("/INBOX/;uid=1/;partial=1.0", .badPartial),
        ("/INBOX/;uid=1/;partial=.5", .badPartial),
        ("/INBOX/;uid=1;expire=2026-02-30T00:00:00Z;urlauth=anonymous", .badExpire),
        ("/INBOX/;uid=1;expire=2026-01-01 00:00:00;urlauth=anonymous", .invalidCharacter),
        ("/INBOX/;uid=1;expire=2026-01-01T00:00:00;urlauth=anonymous", .badExpire),
        ("/INBOX/;uid=1;urlauth=everyone", .badAccess),
        ("/INBOX/;uid=1;urlauth=user+", .badAccess),
    ])
    func failures(_ text: String, _ error: IMAPURLError) {
        #expect(Self.parse(text) == .failure(error), "\(text)")
    }

    @Test("a URL longer than IMAPURL.maximumLength is refused before it is decoded")
    func tooLong() {
        let text = "/" + String(repeating: "%41", count: IMAPURL.maximumLength / 3) + "/;uid=1"
        #expect(Self.parse(text) == .failure(.tooLong))
    }

    @Test("mutated URLs give a URL or an IMAPURLError, never a crash; what parses round-trips")
    func fuzz() {
        var random = SplitMix64(seed: 0x0055_5249)
        let seeds = [
            "imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038",
            "/imaptest;uidvalidity=12345/;uid=1/;section=header.fields%20(a%20b)/;partial=1.2",
            "imap://a%40b;AUTH=*@[::1]:1/x/;uid=9;expire=2030-01-02T03:04:05.5+01:00;urlauth=authuser",
        ].map { Array($0.utf8) }
        let interesting = Array("/;=:@%.+[]()?0123456789abcdefAZ".utf8) + [0x20, 0x80, 0xFF]
        for _ in 0..<20_000 {
            var text = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(random.next() % 3)) where !text.isEmpty {
                let position = Int(random.next() % UInt64(text.count))
                switch random.next() % 4 {
                case 0: text[position] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: text.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 2: text.remove(at: position)
                default: text.removeSubrange(position...)
                }
            }
            guard let url = try? IMAPURLParser.parse(text) else { continue }
            #expect((try? IMAPURLParser.parse(url.encoded())) == url, "\(String(decoding: text, as: UTF8.self))")
        }
    }
}
