// Maildir file names (maildir(5) plus Dovecot's ,S= and ,W= fields) and the dovecot-uidlist
// version 3 format: parsing, writing, round trips and damaged input.

import Testing
@testable import MailroomMaildir

@Suite("Maildir file names")
struct MaildirFileNameTests {
    @Test("a Dovecot-style name with sizes and flags")
    func dovecotName() throws {
        let name = try MaildirFileName.parse("1276528378.M469271P17279Q0R3a.mail.example,S=1874,W=1912:2,FSa")
        #expect(name.base == "1276528378.M469271P17279Q0R3a.mail.example")
        #expect(name.size == 1874 && name.virtualSize == 1912)
        #expect(name.flags == [.flagged, .seen])
        #expect(name.keywordLetters == ["a"])
        #expect(name.baseWithFields == "1276528378.M469271P17279Q0R3a.mail.example,S=1874,W=1912")
        #expect(name.description == "1276528378.M469271P17279Q0R3a.mail.example,S=1874,W=1912:2,FSa")
    }

    @Test("flags are written in ASCII order whatever order they came in; keywords follow")
    func flagOrder() throws {
        var name = try MaildirFileName.parse("123.M1P2.host:2,TSRb")
        #expect(name.description == "123.M1P2.host:2,RSTb")
        name.flags.insert(.draft)
        name.keywordLetters = ["c", "a"].sorted()
        #expect(name.description == "123.M1P2.host:2,DRSTac")
        name.flags = []
        name.keywordLetters = []
        #expect(name.description == "123.M1P2.host:2,")
    }

    @Test("a name in new/ has no info part until it gets flags")
    func newNames() throws {
        let fresh = try MaildirFileName.parse("123.M1P2.host,S=10")
        #expect(fresh.description == "123.M1P2.host,S=10")
        var seen = fresh
        seen.flags.insert(.seen)
        #expect(seen.description == "123.M1P2.host,S=10:2,S")
        #expect(seen.inNew().description == "123.M1P2.host,S=10")
    }

    @Test("an info part other than 2, is kept verbatim, and unknown flags are dropped")
    func otherInfo() throws {
        #expect(try MaildirFileName.parse("123.host:1,experimental").description == "123.host:1,experimental")
        #expect(try MaildirFileName.parse("123.host:2,SXZ").flags == [.seen])
    }

    @Test("hostile names are refused", arguments: ["", ".hidden", "a/b", "x\u{0}y", ",S=1", "123.host,S1"])
    func refused(_ name: String) {
        #expect(throws: MaildirFileName.ParseError.self) { try MaildirFileName.parse(name) }
    }

    @Test("unique base names follow maildir(5) and escape '/' and ':' in the host")
    func uniqueBase() {
        let base = MaildirFileName.makeUniqueBase(seconds: 1_795_950_000, microseconds: 123_456, pid: 4242,
                                                  delivery: 7, random: 0xbeef, host: "mx1:25/a")
        #expect(base == "1795950000.M123456P4242Q7Rbeef.mx1\\07225\\057a")
        #expect(!base.contains("/") && !base.contains(":"))
    }
}

@Suite("dovecot-uidlist")
struct DovecotUIDListTests {
    static let sample = """
        3 V1276528383 N5 G3085f01b7f11094c501100008c4a11c1
        1 :1276528378.M469271P17279Q0.host,S=1874,W=1912
        2 W2048 :1276528379.M1P17279Q1.host,S=2000
        4 G0a1b2c3d4e5f60718293a4b5c6d7e8f9 W10 :1276528380.M2P17279Q2.host

        """

    @Test("Dovecot's format parses and is written back byte for byte")
    func roundTrip() throws {
        let parsed = try DovecotUIDList.parse(Self.sample)
        #expect(parsed.problems.isEmpty)
        let list = parsed.list
        #expect(list.uidValidity == 1_276_528_383 && list.nextUID == 5)
        #expect(list.mailboxGUID == "3085f01b7f11094c501100008c4a11c1")
        #expect(list.records.map(\.uid) == [1, 2, 4])
        #expect(list.records[1].extensions == [.init(key: "W", value: "2048")])
        #expect(list.records[2].fileName == "1276528380.M2P17279Q2.host")
        #expect(list.serialized == Self.sample)
    }

    @Test("append hands out increasing UIDs and never reuses one")
    func append() {
        var list = DovecotUIDList(uidValidity: 7, nextUID: 10)
        #expect(list.append(fileName: "a.host") == 10)
        #expect(list.append(fileName: "b.host", extensions: [.init(key: "W", value: "5")]) == 11)
        #expect(list.serialized == "3 V7 N12\n10 :a.host\n11 W5 :b.host\n")
    }

    @Test("damaged records are skipped and reported with their line; N is raised above every used UID")
    func damaged() throws {
        let text = "3 V9 N2\n1 :a.host\nnonsense\n3 :c.host\n2 :b.host\n5 W1 :e.host\n6 :bad/name\n"
        let parsed = try DovecotUIDList.parse(text)
        #expect(parsed.list.records.map(\.uid) == [1, 3, 5])
        #expect(parsed.problems.map(\.line) == [3, 5, 7])   // N2 lagging behind is normal (Dovecot appends)
        #expect(parsed.list.nextUID == 6)
    }

    @Test("a truncated last line loses only that record")
    func truncated() throws {
        let parsed = try DovecotUIDList.parse("3 V9 N4\n1 :a.host\n2 :b.host\n3 W1")
        #expect(parsed.list.records.map(\.uid) == [1, 2])
        #expect(parsed.problems.map(\.line) == [4])
        #expect(parsed.list.nextUID == 4)
    }

    @Test("a bad header is refused", arguments: ["", "2 V1 N1\n", "3 N5\n", "3 V0 N1\n", "3 Vx N1\n"])
    func badHeader(_ text: String) {
        #expect(throws: DovecotUIDList.ParseError.self) { try DovecotUIDList.parse(text) }
    }
}
