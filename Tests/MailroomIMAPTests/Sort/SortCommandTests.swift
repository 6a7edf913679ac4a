// SortCommandTests.swift — Mailbox/IMAPMailboxEngine+Sort.swift: SORT, UID SORT, THREAD and
// UID THREAD run by the engine over MemoryStorage as the parser hands them over: the search
// criteria narrow what is sorted, UIDs for the UID forms, NO [BADCHARSET] for an unknown
// charset (RFC 5256 §3 refers to SEARCH), a search string in GB2312, ESORT with SAVE and "$",
// MODSEQ (RFC 7162), EXPUNGE held back after SORT but not after UID SORT, and the capabilities
// announced.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Sort: SORT and THREAD commands")
struct SortCommandTests {
    /// An engine with four messages in INBOX (UIDs 1–4), INBOX selected.
    static func engine(storage: MemoryStorage = MemoryStorage()) -> IMAPMailboxEngine {
        let messages = [
            ("Subject: Re: banana\r\nFrom: Carl <carl@x.example>\r\nMessage-ID: <b@x>\r\nReferences: <a@x>\r\n\r\n1\r\n", 300),
            ("Subject: apple\r\nFrom: bob@x.example\r\nMessage-ID: <a@x>\r\n\r\n22\r\n", 100),
            ("Subject: =?GB2312?B?t6LGsQ==?=\r\nFrom: Anna <anna@x.example>\r\nMessage-ID: <c@x>\r\n\r\n333\r\n", 200),
            ("Subject: Re: apple\r\nFrom: dora@x.example\r\nIn-Reply-To: <a@x>\r\n\r\n4444\r\n", 400),
        ]
        for (text, date) in messages {
            _ = try? storage.append(.inbox, message: Array(text.utf8), flags: [], keywords: [], internalDate: Int64(date))
        }
        let engine = IMAPMailboxEngine(storage: storage)
        run(engine, "s SELECT INBOX")
        return engine
    }

    /// Runs one command frame; every response as text, the tagged reply last.
    @discardableResult
    static func run(_ engine: IMAPMailboxEngine, _ frame: [UInt8]) -> [String] {
        guard let tagged = try? IMAPCommandParser().parse(frame) else { return ["parse error"] }
        var out: [String] = []
        let reply = engine.execute(tag: tagged.tag, tagged.command) { responses in
            out += responses.map { String(decoding: $0.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "") }
        }
        out.append(String(decoding: reply.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: ""))
        return out
    }

    @discardableResult
    static func run(_ engine: IMAPMailboxEngine, _ line: String) -> [String] { run(engine, Array(line.utf8)) }

    @Test("SORT and UID SORT: sequence numbers or UIDs, only what the criteria match")
    func sort() {
        let engine = Self.engine()
        #expect(Self.run(engine, "a SORT (ARRIVAL) UTF-8 ALL") == ["* SORT 2 3 1 4", "a OK SORT completed"])
        #expect(Self.run(engine, "b SORT (SUBJECT REVERSE ARRIVAL) US-ASCII ALL") == ["* SORT 4 2 1 3", "b OK SORT completed"])
        #expect(Self.run(engine, "c SORT (REVERSE SIZE) UTF-8 NOT 2") == ["* SORT 1 3 4", "c OK SORT completed"])
        #expect(Self.run(engine, "d SORT (DISPLAYFROM) UTF-8 1:*") == ["* SORT 3 2 1 4", "d OK SORT completed"])
        #expect(Self.run(engine, "e SORT (FROM) UTF-8 SUBJECT nothing") == ["* SORT", "e OK SORT completed"])
        Self.run(engine, "f STORE 1 +FLAGS.SILENT (\\Deleted)")
        Self.run(engine, "g EXPUNGE")
        #expect(Self.run(engine, "h UID SORT (ARRIVAL) UTF-8 ALL") == ["* SORT 2 3 4", "h OK UID SORT completed"])
        #expect(Self.run(engine, "i SORT (ARRIVAL) UTF-8 ALL") == ["* SORT 1 2 3", "i OK SORT completed"])
    }

    @Test("the search strings are in the command's charset; an unknown charset is NO [BADCHARSET]")
    func charsets() {
        let engine = Self.engine()
        // SUBJECT 发票 in GB2312, as a literal.
        let frame = Array("a SORT (ARRIVAL) GB2312 SUBJECT {4+}\r\n".utf8) + [0xB7, 0xA2, 0xC6, 0xB1]
        #expect(Self.run(engine, frame) == ["* SORT 3", "a OK SORT completed"])
        let refused = Self.run(engine, "b SORT (ARRIVAL) X-KLINGON ALL")
        #expect(refused.count == 1 && refused[0].hasPrefix("b NO [BADCHARSET (UTF-8 US-ASCII "))
        #expect(Self.run(engine, "c THREAD REFERENCES X-KLINGON ALL")[0].hasPrefix("c NO [BADCHARSET ("))
        // A search string that is not valid in its charset: NO.
        let invalid = Self.run(engine, Array("d SORT (ARRIVAL) UTF-8 SUBJECT {1+}\r\n".utf8) + [0xFF])
        #expect(invalid.count == 1 && invalid[0].hasPrefix("d NO "))
    }

    @Test("THREAD and UID THREAD: REFERENCES links by Message-ID, ORDEREDSUBJECT by subject")
    func thread() {
        let engine = Self.engine()
        // 2 <a@x> has replies 1 (References) and 4 (In-Reply-To); 3 stands alone.
        #expect(Self.run(engine, "a THREAD REFERENCES UTF-8 ALL") == ["* THREAD (2 (1)(4))(3)", "a OK THREAD completed"])
        #expect(Self.run(engine, "b UID THREAD REFERENCES UTF-8 ALL") == ["* THREAD (2 (1)(4))(3)", "b OK UID THREAD completed"])
        #expect(Self.run(engine, "c THREAD ORDEREDSUBJECT UTF-8 ALL") == ["* THREAD (2 4)(3)(1)", "c OK THREAD completed"])
        #expect(Self.run(engine, "d THREAD REFERENCES UTF-8 NOT 2") == ["* THREAD (3)((1)(4))", "d OK THREAD completed"])
        #expect(Self.run(engine, "e THREAD REFERENCES UTF-8 SUBJECT nothing") == ["* THREAD", "e OK THREAD completed"])
        Self.run(engine, "f STORE 2 +FLAGS.SILENT (\\Deleted)")
        Self.run(engine, "g EXPUNGE")
        // UIDs 1, 3, 4 are sequence numbers 1, 2, 3 now.
        #expect(Self.run(engine, "h UID THREAD REFERENCES UTF-8 ALL") == ["* THREAD (3)((1)(4))", "h OK UID THREAD completed"])
        #expect(Self.run(engine, "i THREAD REFERENCES UTF-8 ALL") == ["* THREAD (2)((1)(3))", "i OK THREAD completed"])
    }

    @Test("ESORT: ESEARCH in sort order, SAVE for \"$\", MODSEQ")
    func esort() {
        let engine = Self.engine()
        #expect(Self.run(engine, "a SORT RETURN (MIN MAX COUNT) (REVERSE ARRIVAL) UTF-8 ALL")
            == ["* ESEARCH (TAG \"a\") MIN 4 MAX 2 COUNT 4", "a OK SORT completed"])
        #expect(Self.run(engine, "b UID SORT RETURN () (SUBJECT) UTF-8 ALL") == ["* ESEARCH (TAG \"b\") UID ALL 2,4,1,3", "b OK UID SORT completed"])
        #expect(Self.run(engine, "c SORT RETURN (PARTIAL 3:9) (ARRIVAL) UTF-8 ALL")
            == ["* ESEARCH (TAG \"c\") PARTIAL (3:9 1,4)", "c OK SORT completed"])
        // SAVE with MIN keeps the first message in sort order; "$" is what was saved.
        #expect(Self.run(engine, "d SORT RETURN (SAVE MIN) (SIZE) UTF-8 NOT 2")
            == ["* ESEARCH (TAG \"d\") MIN 4", "d OK SORT completed"])
        #expect(Self.run(engine, "e SEARCH $") == ["* SEARCH 4", "e OK SEARCH completed"])
        #expect(Self.run(engine, "f SORT (ARRIVAL) UTF-8 OR $ 1") == ["* SORT 1 4", "f OK SORT completed"])
        // SAVE alone: no ESEARCH.
        #expect(Self.run(engine, "f2 UID SORT RETURN (SAVE) (SIZE) UTF-8 1:3") == ["f2 OK UID SORT completed"])
        #expect(Self.run(engine, "f3 UID SEARCH $") == ["* SEARCH 1 2 3", "f3 OK UID SEARCH completed"])
        // A failed SORT with SAVE empties "$" (RFC 5182 §2.1).
        #expect(Self.run(engine, "g SORT RETURN (SAVE) (ARRIVAL) X-KLINGON ALL")[0].hasPrefix("g NO [BADCHARSET"))
        #expect(Self.run(engine, "h SEARCH $") == ["* SEARCH", "h OK SEARCH completed"])
        // MODSEQ makes CONDSTORE active and adds the highest MODSEQ.
        let modseq = Self.run(engine, "i SORT (ARRIVAL) UTF-8 MODSEQ 1")
        #expect(modseq.first?.hasPrefix("* OK [HIGHESTMODSEQ ") == true)
        #expect(modseq.dropFirst().first?.hasPrefix("* SORT 2 3 1 4 (MODSEQ ") == true)
    }

    @Test("EXPUNGE from another session waits after SORT and THREAD, not after UID SORT")
    func heldExpunge() throws {
        let storage = MemoryStorage()
        let engine = Self.engine(storage: storage)
        _ = try storage.expunge(.inbox, uids: [try #require(storage.uids(.inbox).first)])
        #expect(Self.run(engine, "a SORT (ARRIVAL) UTF-8 ALL") == ["* SORT 2 3 1 4", "a OK SORT completed"])
        #expect(Self.run(engine, "b THREAD ORDEREDSUBJECT UTF-8 ALL").last == "b OK THREAD completed")
        #expect(Self.run(engine, "c UID SORT (ARRIVAL) UTF-8 ALL").contains("* 1 EXPUNGE"))
    }

    @Test("announced after login: SORT, SORT=DISPLAY, THREAD=ORDEREDSUBJECT, THREAD=REFERENCES, ESORT, CONTEXT=SORT")
    func capabilities() {
        for name in ["SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "ESORT", "CONTEXT=SORT"] {
            #expect(IMAPSessionConfiguration.standardExtensions.contains(name))
        }
    }
}
