// SortProgramTests.swift — Sort/SortProgram.swift: every SORT key (RFC 5256 §3: ARRIVAL, CC,
// DATE, FROM, SIZE, SUBJECT, TO; RFC 5957: DISPLAYFROM, DISPLAYTO) on crafted messages,
// REVERSE, several keys, ties broken by sequence number whatever REVERSE says, a DATE that
// falls back to the internal date, and that the header is read only when a key needs it.

@testable import MailroomIMAP
import MailroomMaildir
import MailroomMIME
import Testing

@Suite("Sort: sort keys")
struct SortProgramTests {
    /// Sequence numbers of the mailbox sorted by a program written as in a SORT command,
    /// e.g. "(REVERSE DATE SUBJECT)"; `loads` counts header reads.
    static func sorted(_ box: SearchMailbox, _ program: String) throws -> (numbers: [UInt32], loads: Int) {
        let tagged = try IMAPCommandParser().parse(Array("t SORT \(program) UTF-8 ALL".utf8))
        guard case .sort(_, _, let criteria, _, _) = tagged.command else { throw NotASort() }
        let messages = box.messages.enumerated().map { SortMessage(sequence: UInt32($0.offset + 1), info: $0.element) }
        var loads = 0
        let result = SortProgram(criteria).sort(messages) { message in
            loads += 1
            return MIMEHeader.parse(box.contents[message.info.uid] ?? [])
        }
        return (result.map(\.sequence), loads)
    }

    struct NotASort: Error {}

    static func numbers(_ box: SearchMailbox, _ program: String) throws -> [UInt32] {
        try sorted(box, program).numbers
    }

    @Test("ARRIVAL and SIZE come from the message list; the header is not read")
    func arrivalAndSize() throws {
        var box = SearchMailbox()
        box.add("Subject: a\n\n12345\n", internalDate: 300)
        box.add("Subject: b\n\n1\n", internalDate: 100)
        box.add("Subject: c\n\n123\n", internalDate: 200)
        box.add("Subject: d\n\n1\n", internalDate: 100)
        let arrival = try Self.sorted(box, "(ARRIVAL)")
        #expect(arrival.numbers == [2, 4, 3, 1])
        #expect(arrival.loads == 0)
        #expect(try Self.numbers(box, "(REVERSE ARRIVAL)") == [1, 3, 2, 4])   // ties stay in sequence order
        #expect(try Self.numbers(box, "(SIZE)") == [2, 4, 3, 1])
        #expect(try Self.numbers(box, "(REVERSE SIZE)") == [1, 3, 2, 4])
        #expect(try Self.numbers(box, "(SIZE REVERSE ARRIVAL)") == [2, 4, 3, 1])
        let subject = try Self.sorted(box, "(REVERSE SUBJECT)")
        #expect(subject.numbers == [4, 3, 2, 1])
        #expect(subject.loads == 4)
    }

    @Test("DATE: the Date: field adjusted by its zone, else the internal date (RFC 5256 §2.2)")
    func date() throws {
        var box = SearchMailbox()
        box.add("Date: Fri, 22 Feb 2008 10:00:00 +0200\n\n", internalDate: 0)       // 08:00 UTC
        box.add("Date: Fri, 22 Feb 2008 09:00:00 +0000\n\n", internalDate: 0)       // 09:00 UTC
        box.add("Date: Fri, 22 Feb 2008 03:30:00 -0500\n\n", internalDate: 0)       // 08:30 UTC
        box.add("Subject: no date\n\n", internalDate: utcSeconds(2008, 2, 22, 8, 15))
        box.add("Date: garbage\n\n", internalDate: utcSeconds(2008, 2, 22, 7))
        box.add("Date: Fri, 22 Feb 2008 09:00:00 GMT\n\n", internalDate: 0)         // ties with 2
        #expect(try Self.numbers(box, "(DATE)") == [5, 1, 4, 3, 2, 6])
        #expect(try Self.numbers(box, "(REVERSE DATE)") == [2, 6, 3, 4, 1, 5])
        #expect(try Self.numbers(box, "(DATE REVERSE ARRIVAL)") == [5, 1, 4, 3, 2, 6])
    }

    @Test("SUBJECT: base subjects compared as i;unicode-casemap keys; no Subject: sorts first")
    func subject() throws {
        var box = SearchMailbox()
        box.add("Subject: Re: banana\n\n")
        box.add("Subject: apple\n\n")
        box.add("From: nobody\n\n")
        box.add("Subject: [list] Fwd: Apple\n\n")
        box.add("Subject: =?UTF-8?B?w6lsw6lwaGFudA==?=\n\n")   // "éléphant" → "E\u{301}LE\u{301}PHANT"
        box.add("Subject: Cherry (fwd)\n\n")
        box.add("Subject: elk\n\n")
        // "", APPLE, APPLE, BANANA, CHERRY, ELK, E\u{301}LE\u{301}PHANT (U+0301 is above "L")
        #expect(try Self.numbers(box, "(SUBJECT)") == [3, 2, 4, 1, 6, 7, 5])
        #expect(try Self.numbers(box, "(REVERSE SUBJECT)") == [5, 7, 6, 1, 2, 4, 3])
    }

    @Test("FROM, TO, CC: the first address's local part (a group's name), as ENVELOPE has it")
    func addresses() throws {
        var box = SearchMailbox()
        box.add("From: Zed <zed@a.example>\nTo: \"Mary\" <mary@b.example>, anna@b.example\nCc: team: bob@c.example;\n\n")
        box.add("From: =?UTF-8?Q?=C3=84rger?= <arno@a.example>\nTo: (comment) <BOB@b.example>\n\n")
        box.add("From: carl@a.example\nFrom: aaron@a.example\nCc: alice@c.example\n\n")   // the first From: counts
        box.add("Subject: nobody\n\n")
        #expect(try Self.numbers(box, "(FROM)") == [4, 2, 3, 1])       // "", ARNO, CARL, ZED
        #expect(try Self.numbers(box, "(TO)") == [3, 4, 2, 1])         // "", "", BOB, MARY
        #expect(try Self.numbers(box, "(CC)") == [2, 4, 3, 1])         // "", "", ALICE, TEAM
        #expect(try Self.numbers(box, "(REVERSE CC)") == [1, 3, 2, 4])
    }

    @Test("DISPLAYFROM, DISPLAYTO: the decoded display name, else the addr-spec (RFC 5957)")
    func display() throws {
        var box = SearchMailbox()
        box.add("From: Zed <aaa@a.example>\nTo: x@y.example\n\n")
        box.add("From: =?ISO-8859-1?Q?=C4rger?= <zzz@a.example>\nTo: \"\" <bob@b.example>\n\n")
        box.add("From: bob@a.example\nTo: team: carl@c.example;\n\n")
        box.add("From: \"Mary Smith\" <mary@a.example>\nTo: =?UTF-8?B?5byg5LiJ?= <z@c.example>\n\n")
        box.add("Subject: nobody\n\n")
        // "", "A\u{308}RGER", "BOB@A.EXAMPLE", "MARY SMITH", "ZED"
        #expect(try Self.numbers(box, "(DISPLAYFROM)") == [5, 2, 3, 4, 1])
        #expect(try Self.numbers(box, "(REVERSE DISPLAYFROM)") == [1, 4, 3, 2, 5])
        // "", "BOB@B.EXAMPLE", "TEAM", "X@Y.EXAMPLE", "张三"
        #expect(try Self.numbers(box, "(DISPLAYTO)") == [5, 2, 3, 1, 4])
        // FROM is the local part, not the name
        #expect(try Self.numbers(box, "(FROM)") == [5, 1, 3, 4, 2])
    }

    @Test("several keys: the next key decides only ties of the one before")
    func severalKeys() throws {
        var box = SearchMailbox()
        box.add("Subject: b\n\n", internalDate: 1)
        box.add("Subject: a\n\n", internalDate: 3)
        box.add("Subject: Re: b\n\n", internalDate: 2)
        box.add("Subject: a\n\n", internalDate: 1)
        #expect(try Self.numbers(box, "(SUBJECT ARRIVAL)") == [4, 2, 1, 3])
        #expect(try Self.numbers(box, "(SUBJECT REVERSE ARRIVAL)") == [2, 4, 3, 1])
        #expect(try Self.numbers(box, "(REVERSE SUBJECT REVERSE ARRIVAL)") == [3, 1, 2, 4])
        #expect(try Self.numbers(box, "(ARRIVAL SUBJECT)") == [4, 1, 3, 2])
    }

    @Test("an empty mailbox sorts to nothing")
    func empty() throws {
        #expect(try Self.sorted(SearchMailbox(), "(SUBJECT)") == ([], 0))
    }
}
