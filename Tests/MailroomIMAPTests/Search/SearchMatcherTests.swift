// SearchMatcherTests.swift — Search/SearchMatcher.swift: every search key against small
// fixtures, content keys (HEADER, address fields, SUBJECT, BODY, TEXT) with RFC 2047 and MIME
// decoding, dates in a given time zone, sets with "*" and "$", MODSEQ, and NOT/OR/AND.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Search: matcher")
struct SearchMatcherTests {
    /// Five messages with different flags, keywords, sizes, dates and MODSEQs.
    static func flagsMailbox() -> SearchMailbox {
        var box = SearchMailbox()
        box.add("Subject: one\n\n1\n", keywords: ["$Hello"], internalDate: utcSeconds(2024, 3, 1, 10), modSeq: 5, recent: true)
        box.add("Subject: two\n\n22\n", flags: [.seen, .flagged], internalDate: utcSeconds(2024, 3, 2, 0), modSeq: 7)
        box.add("Subject: three\n\n333\n", flags: [.answered], keywords: ["$hello", "Work"],
                internalDate: utcSeconds(2024, 3, 2, 23, 59), modSeq: 9, recent: true)
        box.add("Subject: four\n\n444444\n", flags: [.flagged, .draft], internalDate: utcSeconds(2024, 3, 3, 0), modSeq: 2)
        box.add("Subject: five\n\n5555555\n", flags: [.deleted, .answered, .seen], internalDate: utcSeconds(2024, 3, 4, 12),
                modSeq: 11, recent: true)
        return box
    }

    @Test("flag keys and their negations", arguments: [
        ("SEARCH ANSWERED", [3, 5]), ("SEARCH UNANSWERED", [1, 2, 4]),
        ("SEARCH DELETED", [5]), ("SEARCH UNDELETED", [1, 2, 3, 4]),
        ("SEARCH DRAFT", [4]), ("SEARCH UNDRAFT", [1, 2, 3, 5]),
        ("SEARCH FLAGGED", [2, 4]), ("SEARCH UNFLAGGED", [1, 3, 5]),
        ("SEARCH SEEN", [2, 5]), ("SEARCH UNSEEN", [1, 3, 4]),
        ("SEARCH RECENT", [1, 3, 5]), ("SEARCH NEW", [1, 3]), ("SEARCH OLD", [2, 4]),
        ("SEARCH ALL", [1, 2, 3, 4, 5]),
    ] as [(String, [UInt32])])
    func flags(command: String, expected: [UInt32]) throws {
        #expect(try Self.flagsMailbox().search(command) == expected)
    }

    @Test("KEYWORD and UNKEYWORD compare names case-insensitively; system flags and \\Recent as keywords")
    func keywords() throws {
        let box = Self.flagsMailbox()
        #expect(try box.search("SEARCH KEYWORD $HELLO") == [1, 3])
        #expect(try box.search("SEARCH KEYWORD work") == [3])
        #expect(try box.search("SEARCH UNKEYWORD $hello") == [2, 4, 5])
        #expect(try box.search("SEARCH KEYWORD nothing") == [])
        #expect(try box.search([.keyword(.seen)]) == [2, 5])
        #expect(try box.search([.keyword(.recent)]) == [1, 3, 5])
        #expect(try box.search([.unkeyword(.extension("Unknown"))]) == [1, 2, 3, 4, 5])
    }

    @Test("LARGER and SMALLER are strict comparisons of RFC822.SIZE (CRLF octets)")
    func sizes() throws {
        let box = Self.flagsMailbox()
        let size3 = box.messages[2].size   // "Subject: three\r\n\r\n333\r\n"
        #expect(size3 == 23)
        #expect(try box.search("SEARCH LARGER \(size3)") == [4, 5])
        #expect(try box.search("SEARCH SMALLER \(size3)") == [1, 2])
        #expect(try box.search("SEARCH NOT SMALLER \(size3) NOT LARGER \(size3)") == [3])
        #expect(try box.search("SEARCH LARGER 0") == [1, 2, 3, 4, 5])
        #expect(try box.search("SEARCH SMALLER 1") == [])
    }

    @Test("BEFORE, ON, SINCE use the internal date's calendar day in the given time zone")
    func internalDates() throws {
        var box = Self.flagsMailbox()
        #expect(try box.search("SEARCH ON 2-Mar-2024") == [2, 3])
        #expect(try box.search("SEARCH BEFORE 2-Mar-2024") == [1])
        #expect(try box.search("SEARCH SINCE 3-Mar-2024") == [4, 5])
        #expect(try box.search("SEARCH SINCE 1-Jan-2030") == [])
        // At UTC+01:00, message 3 (23:59 UTC on the 2nd) is on the 3rd; message 4 too.
        box.timeZone = .fixed(secondsEastOfUTC: 3600)
        #expect(try box.search("SEARCH ON 2-Mar-2024") == [2])
        #expect(try box.search("SEARCH ON 3-Mar-2024") == [3, 4])
        // At UTC-01:00, message 2 (00:00 UTC on the 2nd) is on the 1st.
        box.timeZone = .fixed(secondsEastOfUTC: -3600)
        #expect(try box.search("SEARCH ON 1-Mar-2024") == [1, 2])
        // A zone whose offset depends on the instant (a daylight-saving change at 2024-03-02 12:00 UTC).
        let change = utcSeconds(2024, 3, 2, 12)
        box.timeZone = SearchTimeZone { $0 < change ? 0 : 7200 }
        #expect(try box.search("SEARCH ON 3-Mar-2024") == [3, 4])
        #expect(try box.search("SEARCH ON 2-Mar-2024") == [2])
    }

    @Test("sequence sets, UID sets and * (the largest number in use)")
    func sets() throws {
        var box = SearchMailbox()
        for uid: UInt32 in [10, 20, 30, 40] { box.add("Subject: x\n\nx\n", uid: uid) }
        #expect(try box.search("SEARCH 2:3") == [2, 3])
        #expect(try box.search("SEARCH 4:2") == [2, 3, 4])
        #expect(try box.search("SEARCH *") == [4])
        #expect(try box.search("SEARCH 1,*") == [1, 4])
        #expect(try box.search("SEARCH 9") == [], "a number past the end names no message")
        #expect(try box.search("SEARCH UID 15:30") == [2, 3])
        #expect(try box.search("SEARCH UID *") == [4])
        #expect(try box.search("SEARCH UID 41:*") == [4], "n:* with n past the last UID names the last (RFC 9051)")
        #expect(try box.search("UID SEARCH UID 20,40") == [20, 40])
        #expect(try box.search("UID SEARCH 1:2") == [10, 20])
        #expect(try box.search("SEARCH NOT UID 20:30") == [1, 4])
        #expect(try box.search("SEARCH UID 1:4294967295") == [1, 2, 3, 4])
    }

    @Test("a matcher used message by message resolves * against the highest numbers it was given")
    func matcherDirectly() throws {
        let program = try SearchProgram(criteria: [.or(.sequenceSet(SequenceSet([SequenceRange(.last, .last)])),
                                                       .uid(SequenceSet([SequenceRange(.number(7), .last)])))])
        let matcher = program.matcher(highestSequence: 10, highestUID: 50, timeZone: .utc)
        #expect(matcher.highestSequence == 10 && matcher.highestUID == 50)
        func info(_ uid: UInt32) -> MessageInfo {
            MessageInfo(uid: uid, flags: [], keywords: [], size: 1, internalDate: 0, modSeq: 1)
        }
        #expect(matcher.matches(info(3), sequence: 10, isRecent: false) { [] }, "sequence * is 10")
        #expect(!matcher.matches(info(3), sequence: 9, isRecent: false) { [] })
        #expect(matcher.matches(info(7), sequence: 1, isRecent: false) { [] }, "UID 7:* starts at 7")
        #expect(matcher.matches(info(50), sequence: 2, isRecent: false) { [] })
        #expect(!matcher.matches(info(6), sequence: 2, isRecent: false) { [] })
    }

    @Test("$ is the saved UID set (RFC 5182), also as a sequence set; nothing saved is nothing")
    func savedResult() throws {
        var box = SearchMailbox()
        for uid: UInt32 in [10, 20, 30, 40] { box.add("Subject: x\n\nx\n", uid: uid) }
        let saved = SequenceSet([SequenceRange(20...30), SequenceRange(40)])
        #expect(try box.search("SEARCH $", saved: saved) == [2, 3, 4])
        #expect(try box.search("SEARCH UID $", saved: saved) == [2, 3, 4])
        #expect(try box.search("UID SEARCH NOT $", saved: saved) == [10])
        #expect(try box.search("SEARCH $", saved: nil) == [])
        #expect(try box.search("SEARCH NOT $", saved: nil) == [1, 2, 3, 4])
        let program = try SearchProgram(criteria: [.sequenceSet(.savedResult)], savedResult: saved)
        #expect(program.referencesSavedResult)
        #expect(!(try SearchProgram(criteria: [.all])).referencesSavedResult)
    }

    @Test("MODSEQ n matches messages changed at or after n (RFC 7162 §3.1.5)")
    func modSeq() throws {
        let box = Self.flagsMailbox()
        #expect(try box.search("SEARCH MODSEQ 7") == [2, 3, 5])
        #expect(try box.search("SEARCH MODSEQ \"/flags/\\\\seen\" all 9") == [3, 5])
        #expect(try box.search("SEARCH MODSEQ 12") == [])
        let program = try SearchProgram(criteria: [.modSeq(nil, 1)])
        #expect(program.usesModSeq)
        #expect(!(try SearchProgram(criteria: [.seen])).usesModSeq)
    }

    @Test("NOT, OR, and parenthesised lists")
    func logic() throws {
        let box = Self.flagsMailbox()
        #expect(try box.search("SEARCH OR SEEN DRAFT") == [2, 4, 5])
        #expect(try box.search("SEARCH NOT OR SEEN DRAFT") == [1, 3])
        #expect(try box.search("SEARCH (SEEN FLAGGED)") == [2])
        #expect(try box.search("SEARCH OR (SEEN FLAGGED) (ANSWERED UNSEEN)") == [2, 3])
        #expect(try box.search("SEARCH NOT NOT SEEN") == [2, 5])
        #expect(try box.search("SEARCH SEEN NOT FLAGGED") == [5])
        #expect(try box.search("SEARCH OR 1 OR 3 5 UNSEEN") == [1, 3])
        #expect(try box.search("SEARCH OR SUBJECT four 2") == [2, 4])
    }

    // MARK: - Header keys

    static func headerMailbox() -> SearchMailbox {
        var box = SearchMailbox()
        box.add("""
            From: "Doe, Jane" <jane.doe@example.org>
            To: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>, bob@example.com
            Cc: Team: alice@example.net, carol@example.net;
            Subject: =?ISO-8859-1?Q?Caf=E9_meeting?=
             about the  budget
            X-Tracking: ABC-123
            Date: Tue, 5 Mar 2024 09:30:00 -0800

            See you there.
            """)
        box.add("""
            From: boss@example.com (The Boss)
            Bcc: secret@example.org
            Subject: Quarterly report
            X-Tracking:
            Date: 1 Feb 24 10:00 EST

            Numbers inside.
            """)
        box.add("""
            To: nobody@example.com
            Subject: =?UTF-8?B?UmU6IOS9oOWlvQ==?=

            No date, no from.
            """, internalDate: utcSeconds(2024, 1, 15, 8))
        return box
    }

    @Test("HEADER: decoded value substring, case-insensitive; empty string = the field exists")
    func header() throws {
        let box = Self.headerMailbox()
        #expect(try box.search("SEARCH HEADER X-Tracking abc") == [1])
        #expect(try box.search("SEARCH HEADER x-tracking \"\"") == [1, 2])
        #expect(try box.search("SEARCH NOT HEADER X-Tracking \"\"") == [3])
        #expect(try box.search("SEARCH HEADER Subject CAFE") == [1],
                "\"cafe\" finds \"Café\": combining marks are kept as in Dovecot's decomposition")
        #expect(try box.search("SEARCH HEADER From jane") == [1])
        #expect(try box.search("SEARCH HEADER Received \"\"") == [])
    }

    @Test("SUBJECT: RFC 2047 words decoded, folding and runs of white space ignored")
    func subject() throws {
        let box = Self.headerMailbox()
        #expect(try box.search("SEARCH SUBJECT \"meeting about the budget\"") == [1])
        #expect(try box.search("SEARCH SUBJECT \"about the budget\"") == [1])
        #expect(try box.search([.subject(Array("Café".utf8))]) == [1])
        #expect(try box.search([.subject(Array("你好".utf8))]) == [3])
        #expect(try box.search("SEARCH SUBJECT REPORT") == [2])
        #expect(try box.search("SEARCH SUBJECT =?UTF-8?B?") == [], "the encoded form is not what is searched")
    }

    @Test("FROM, TO, CC, BCC: addresses and decoded display names, groups, comments as names")
    func addresses() throws {
        let box = Self.headerMailbox()
        #expect(try box.search("SEARCH FROM jane.doe@example.org") == [1])
        #expect(try box.search("SEARCH FROM \"doe, jane\"") == [1])
        #expect(try box.search("SEARCH FROM \"the boss\"") == [2])
        #expect(try box.search("SEARCH FROM example") == [1, 2])
        #expect(try box.search([.to(Array("Jürgen Müller".utf8))]) == [1])
        #expect(try box.search([.to(Array("JÜRGEN".utf8))]) == [1])
        #expect(try box.search("SEARCH TO bob@") == [1])
        #expect(try box.search("SEARCH TO nobody") == [3])
        #expect(try box.search("SEARCH CC team") == [1])
        #expect(try box.search("SEARCH CC carol@example.net") == [1])
        #expect(try box.search("SEARCH BCC secret") == [2])
        #expect(try box.search("SEARCH BCC \"\"") == [2])
        #expect(try box.search("SEARCH FROM \"\"") == [1, 2])
    }

    @Test("SENTBEFORE, SENTON, SENTSINCE use the Date field's own date; no Date: the internal date")
    func sentDates() throws {
        let box = Self.headerMailbox()
        // Message 1: 5-Mar-2024 09:30 -0800 (17:30 UTC, the same day); 2: 1-Feb-2024 (obsolete
        // two-digit year and alphabetic zone); 3: no Date, internal date 15-Jan-2024.
        #expect(try box.search("SEARCH SENTON 5-Mar-2024") == [1])
        #expect(try box.search("SEARCH SENTON 1-Feb-2024") == [2])
        #expect(try box.search("SEARCH SENTON 15-Jan-2024") == [3])
        #expect(try box.search("SEARCH SENTBEFORE 1-Feb-2024") == [3])
        #expect(try box.search("SEARCH SENTBEFORE 2-Feb-2024") == [2, 3])
        #expect(try box.search("SEARCH SENTSINCE 1-Feb-2024") == [1, 2])
        #expect(try box.search("SEARCH SENTSINCE 6-Mar-2024") == [])
    }

    @Test("a Date field late in its own day is not moved to the next UTC day")
    func sentDateOwnZone() throws {
        var box = SearchMailbox()
        box.add("Date: Sat, 24 Mar 2007 23:00:00 -0500\n\nx\n")
        #expect(try box.search("SEARCH SENTON 24-Mar-2007") == [1])
        #expect(try box.search("SEARCH SENTON 25-Mar-2007") == [])
    }

    // MARK: - Body keys

    static let multipart = """
        From: a@example.org
        Subject: Holiday plans
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Let's meet at the caf=C3=A9 near the
        station on Friday.
        --b1
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: base64

        c2VjcmV0d29yZA==
        --b1
        Content-Type: message/rfc822

        Subject: Forwarded invitation
        X-Inner: yes

        The inner body mentions pancakes.
        --b1--
        """

    @Test("BODY: decoded text/* parts, embedded message text; not headers, not other types")
    func body() throws {
        var box = SearchMailbox()
        box.add(Self.multipart)
        box.add("Subject: plain\n\nJust some plain words about pancakes.\n")
        #expect(try box.search([.body(Array("café near the station".utf8))]) == [1], "QP and UTF-8 decoded, line break = space")
        #expect(try box.search("SEARCH BODY CAFE") == [1])
        #expect(try box.search("SEARCH BODY pancakes") == [1, 2])
        #expect(try box.search("SEARCH BODY secretword") == [], "application/* parts are not text")
        #expect(try box.search("SEARCH BODY Holiday") == [], "the header is not the body")
        #expect(try box.search("SEARCH BODY Forwarded") == [], "headers of an embedded message are not body")
        #expect(try box.search("SEARCH BODY caf=C3") == [], "transfer encoding is removed")
        #expect(try box.search("SEARCH BODY \"\"") == [1, 2])
    }

    @Test("TEXT: headers of the message and its parts, and the body")
    func text() throws {
        var box = SearchMailbox()
        box.add(Self.multipart)
        box.add("Subject: plain\n\nJust some plain words.\n")
        #expect(try box.search("SEARCH TEXT holiday") == [1])
        #expect(try box.search("SEARCH TEXT \"subject: holiday\"") == [1])
        #expect(try box.search("SEARCH TEXT forwarded") == [1])
        #expect(try box.search("SEARCH TEXT x-inner") == [1])
        #expect(try box.search("SEARCH TEXT plain") == [1, 2], "text/plain in a Content-Type field, and the words")
        #expect(try box.search("SEARCH TEXT \"plain words\"") == [2])
        #expect(try box.search("SEARCH TEXT nowhere") == [])
    }

    @Test("content keys combine with cheap keys in any order")
    func mixed() throws {
        var box = Self.headerMailbox()
        box.messages[1].flags = [.seen]
        #expect(try box.search("SEARCH SUBJECT report SEEN") == [2])
        #expect(try box.search("SEARCH SEEN SUBJECT meeting") == [])
        #expect(try box.search("SEARCH OR BODY numbers SUBJECT cafe") == [1, 2])
        #expect(try box.search("SEARCH NOT BODY numbers 1:2") == [1])
    }
}
