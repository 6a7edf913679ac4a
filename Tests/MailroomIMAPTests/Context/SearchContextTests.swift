// SearchContextTests.swift — Context/SearchUpdateContext.swift and
// Mailbox/IMAPMailboxEngine+Context.swift: SEARCH and SORT RETURN (UPDATE) (RFC 5267 §4.3) run
// by the engine over MemoryStorage, with a second engine on the same storage as "another
// session": ADDTO for a delivery and for flags that make a message match, REMOVEFROM for flags
// that make it leave and, before its EXPUNGE, for an expunged one (held back with the EXPUNGE
// during a FETCH by sequence number), UID forms, SORT positions, CANCELUPDATE, the limit on
// contexts (NO [NOUPDATE]), a duplicate tag, SELECT ending every context, sequence-number
// criteria meaning the messages they named; PARTIAL for SEARCH (RFC 5267 §4.4); and the
// grammar: CANCELUPDATE, the new RETURN options, the ESEARCH data and the NOUPDATE code.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Context: searches kept up to date")
struct SearchContextTests {
    static func run(_ engine: IMAPMailboxEngine, _ line: String) -> [String] { IMAPMailboxEngineTests.run(engine, line) }

    /// Five messages in INBOX (UIDs 1–5, subjects m1…m5, internal dates in reverse order),
    /// none \Recent; `engine` has INBOX selected.
    static func mailbox(options: IMAPMailboxEngine.Options = .init()) -> (MemoryStorage, IMAPMailboxEngine) {
        let storage = MemoryStorage()
        for n in 1...5 {
            let text = "Subject: m\(n)\r\nFrom: x\(n)@example.org\r\n\r\nbody \(n)\r\n"
            _ = try? storage.append(.inbox, message: Array(text.utf8), flags: [], keywords: [],
                                    internalDate: Int64(1_800_000_000 - n * 100))
        }
        _ = try? storage.open(.inbox)
        let engine = IMAPMailboxEngine(storage: storage, options: options)
        _ = run(engine, "s SELECT INBOX")
        return (storage, engine)
    }

    /// Another session on the same mailbox.
    static func other(_ storage: MemoryStorage) -> IMAPMailboxEngine {
        let engine = IMAPMailboxEngine(storage: storage)
        _ = run(engine, "s SELECT INBOX")
        return engine
    }

    static func esearch(_ lines: [String]) -> [String] { lines.filter { $0.hasPrefix("* ESEARCH") } }

    @Test("SEARCH RETURN (UPDATE): flags entering and leaving the result, in this session and another")
    func flagChanges() {
        let (storage, engine) = Self.mailbox()
        #expect(Self.run(engine, "a SEARCH RETURN (UPDATE ALL) SEEN") == ["* ESEARCH (TAG \"a\")", "a OK SEARCH completed"])
        #expect(Self.esearch(Self.run(engine, "b STORE 1,2,4 +FLAGS.SILENT (\\Seen)")) == ["* ESEARCH (TAG \"a\") ADDTO (0 1:2,4)"])
        #expect(Self.esearch(Self.run(engine, "c STORE 1:2 -FLAGS.SILENT (\\Seen)")) == ["* ESEARCH (TAG \"a\") REMOVEFROM (0 1:2)"])
        // A flag that does not change the match: nothing.
        #expect(Self.esearch(Self.run(engine, "d STORE 4 +FLAGS.SILENT (\\Flagged)")).isEmpty)
        // Another session changes flags; this one hears of it at NOOP, after the FETCH.
        let second = Self.other(storage)
        _ = Self.run(second, "e STORE 3 +FLAGS.SILENT (\\Seen)")
        _ = Self.run(second, "f STORE 4 -FLAGS.SILENT (\\Seen)")
        #expect(Self.run(engine, "g NOOP") == [
            "* 3 FETCH (UID 3 FLAGS (\\Seen))", "* 4 FETCH (UID 4 FLAGS (\\Flagged))",
            "* ESEARCH (TAG \"a\") REMOVEFROM (0 4) ADDTO (0 3)", "g OK NOOP completed",
        ])
        #expect(Self.esearch(Self.run(engine, "h NOOP")).isEmpty)
    }

    @Test("a delivery from another session that matches is added after EXISTS; UID SEARCH reports UIDs")
    func append() throws {
        let (storage, engine) = Self.mailbox()
        #expect(Self.run(engine, "a UID SEARCH RETURN (UPDATE) SUBJECT new") == ["* ESEARCH (TAG \"a\") UID", "a OK UID SEARCH completed"])
        #expect(Self.run(engine, "b SEARCH RETURN (UPDATE COUNT) BODY news") == ["* ESEARCH (TAG \"b\") COUNT 0", "b OK SEARCH completed"])
        let second = Self.other(storage)
        let appended = Self.run(second, "c APPEND INBOX {31+}\r\nSubject: new\r\n\r\nnews of the day")
        #expect(appended.last?.contains("OK [APPENDUID") == true)
        let noop = Self.run(engine, "d NOOP")
        #expect(noop.first == "* 6 EXISTS")
        #expect(Self.esearch(noop) == ["* ESEARCH (TAG \"a\") UID ADDTO (0 6)", "* ESEARCH (TAG \"b\") ADDTO (0 6)"])
        // The session's own APPEND is reported at its end.
        let own = Self.run(engine, "e APPEND INBOX {12+}\r\nSubject: new")
        #expect(Self.esearch(own) == ["* ESEARCH (TAG \"a\") UID ADDTO (0 7)"])
    }

    @Test("expunge: REMOVEFROM before EXPUNGE, numbered as the client still counts; held back with it during FETCH")
    func expunge() {
        let (storage, engine) = Self.mailbox()
        _ = Self.run(engine, "a STORE 2,4 +FLAGS.SILENT (\\Seen)")
        _ = Self.run(engine, "b SEARCH RETURN (UPDATE) SEEN")
        _ = Self.run(engine, "c STORE 3:5 +FLAGS.SILENT (\\Deleted)")
        #expect(Self.run(engine, "d EXPUNGE") == [
            "* ESEARCH (TAG \"b\") REMOVEFROM (0 4)", "* 3 EXPUNGE", "* 3 EXPUNGE", "* 3 EXPUNGE", "d OK EXPUNGE completed",
        ])
        // Another session expunges message 2 (in the result): not during FETCH, at NOOP.
        let second = Self.other(storage)
        _ = Self.run(second, "e STORE 2 +FLAGS.SILENT (\\Deleted)")
        _ = Self.run(second, "f EXPUNGE")
        let fetch = Self.run(engine, "g FETCH 1:2 UID")
        #expect(!fetch.contains { $0.hasSuffix("EXPUNGE") } && Self.esearch(fetch).isEmpty)
        #expect(Self.run(engine, "h NOOP") == ["* ESEARCH (TAG \"b\") REMOVEFROM (0 2)", "* 2 EXPUNGE", "h OK NOOP completed"])
    }

    @Test("SORT RETURN (UPDATE): positions in the sorted result, one pair per message")
    func sortPositions() {
        let (storage, engine) = Self.mailbox()
        // Internal dates fall with the UID: (ARRIVAL) is 5 4 3 2 1.
        #expect(Self.run(engine, "a SORT RETURN (UPDATE ALL) (ARRIVAL) UTF-8 UNSEEN")
            == ["* ESEARCH (TAG \"a\") ALL 5,4,3,2,1", "a OK SORT completed"])
        // 4 (position 2) and 2 (position 4) leave: the second position counts the first removal.
        #expect(Self.esearch(Self.run(engine, "b STORE 2,4 +FLAGS.SILENT (\\Seen)"))
            == ["* ESEARCH (TAG \"a\") REMOVEFROM (2 4 3 2)"])
        // Back in, at their final positions, in increasing order.
        #expect(Self.esearch(Self.run(engine, "c STORE 2,4 -FLAGS.SILENT (\\Seen)"))
            == ["* ESEARCH (TAG \"a\") ADDTO (2 4 4 2)"])
        // A delivery with the latest internal date goes last; REVERSE ARRIVAL puts it first.
        _ = Self.run(engine, "d SORT RETURN (UPDATE) (REVERSE ARRIVAL) UTF-8 UNSEEN")
        _ = try? storage.append(.inbox, message: Array("Subject: late\r\n\r\nx\r\n".utf8), flags: [], keywords: [],
                                internalDate: 1_900_000_000)
        #expect(Self.esearch(Self.run(engine, "e NOOP")) == ["* ESEARCH (TAG \"a\") ADDTO (6 6)", "* ESEARCH (TAG \"d\") ADDTO (1 6)"])
        // UID SORT: UIDs; an expunge removes at the message's position.
        _ = Self.run(engine, "f UID SORT RETURN (UPDATE) (ARRIVAL) UTF-8 ALL")
        _ = Self.run(engine, "g STORE 3 +FLAGS.SILENT (\\Deleted)")
        #expect(Self.esearch(Self.run(engine, "h EXPUNGE")) == [
            "* ESEARCH (TAG \"a\") REMOVEFROM (3 3)", "* ESEARCH (TAG \"d\") REMOVEFROM (4 3)",
            "* ESEARCH (TAG \"f\") UID REMOVEFROM (3 3)",
        ])
    }

    @Test("CANCELUPDATE stops the updates; an unknown tag is NO and cancels nothing; a live tag again is BAD")
    func cancelUpdate() {
        let (_, engine) = Self.mailbox()
        _ = Self.run(engine, "a SEARCH RETURN (UPDATE) SEEN")
        _ = Self.run(engine, "b SEARCH RETURN (UPDATE) FLAGGED")
        #expect(Self.run(engine, "a SEARCH RETURN (UPDATE) ALL") == ["a BAD Duplicate search update tag"])
        #expect(Self.run(engine, "c CANCELUPDATE \"a\" \"zz\"").last?.hasPrefix("c NO Unknown search update tag") == true)
        #expect(Self.esearch(Self.run(engine, "d STORE 1 +FLAGS.SILENT (\\Seen \\Flagged)")).count == 2)
        #expect(Self.run(engine, "e CANCELUPDATE \"a\"") == ["e OK Updates cancelled"])
        #expect(Self.esearch(Self.run(engine, "f STORE 2 +FLAGS.SILENT (\\Seen \\Flagged)")) == ["* ESEARCH (TAG \"b\") ADDTO (0 2)"])
        // The tag may be used again once cancelled.
        #expect(Self.run(engine, "a SEARCH RETURN (UPDATE ALL) SEEN").first == "* ESEARCH (TAG \"a\") ALL 1:2")
    }

    @Test("SELECT, EXAMINE, CLOSE and UNSELECT end every context")
    func deselect() {
        for command in ["SELECT INBOX", "EXAMINE INBOX", "CLOSE", "UNSELECT"] {
            let (_, engine) = Self.mailbox()
            _ = Self.run(engine, "a SEARCH RETURN (UPDATE) SEEN")
            _ = Self.run(engine, "b \(command)")
            _ = Self.run(engine, "c SELECT INBOX")
            #expect(Self.esearch(Self.run(engine, "d STORE 1 +FLAGS.SILENT (\\Seen)")).isEmpty, "\(command)")
            #expect(Self.run(engine, "e CANCELUPDATE \"a\"").last?.hasPrefix("e NO ") == true, "\(command)")
        }
    }

    @Test("the limit: the context over it gets NO [NOUPDATE \"tag\"], and its result all the same")
    func limit() {
        var options = IMAPMailboxEngine.Options()
        options.maxSearchUpdateContexts = 2
        let (_, engine) = Self.mailbox(options: options)
        #expect(IMAPMailboxEngine.Options().maxSearchUpdateContexts == IMAPLimits.defaultSearchUpdateContexts)
        _ = Self.run(engine, "a SEARCH RETURN (UPDATE) SEEN")
        _ = Self.run(engine, "b SORT RETURN (UPDATE) (SIZE) UTF-8 SEEN")
        #expect(Self.run(engine, "c SEARCH RETURN (UPDATE ALL) UNSEEN") == [
            "* NO [NOUPDATE \"c\"] Too many search update contexts (at most 2)", "* ESEARCH (TAG \"c\") ALL 1:5",
            "c OK SEARCH completed",
        ])
        #expect(Self.esearch(Self.run(engine, "d STORE 1 +FLAGS.SILENT (\\Seen)")).map { $0.prefix(19) }
            == ["* ESEARCH (TAG \"a\")", "* ESEARCH (TAG \"b\")"])
        _ = Self.run(engine, "e CANCELUPDATE \"a\"")
        #expect(!Self.run(engine, "f SEARCH RETURN (UPDATE) ALL").contains { $0.contains("NOUPDATE") })
    }

    @Test("sequence numbers in the criteria keep naming the messages they named")
    func sequenceCriteria() {
        let (storage, engine) = Self.mailbox()
        #expect(Self.run(engine, "a SEARCH RETURN (UPDATE ALL) 3:4 UNSEEN").first == "* ESEARCH (TAG \"a\") ALL 3:4")
        let second = Self.other(storage)
        _ = Self.run(second, "b STORE 1 +FLAGS.SILENT (\\Deleted)")
        _ = Self.run(second, "c EXPUNGE")
        #expect(Self.esearch(Self.run(engine, "d NOOP")).isEmpty)
        // Message 4 is UID 5 now, outside the search; message 3 (UID 4) is in it.
        #expect(Self.esearch(Self.run(engine, "e STORE 4 +FLAGS.SILENT (\\Flagged)")).isEmpty)
        #expect(Self.esearch(Self.run(engine, "f STORE 3 +FLAGS.SILENT (\\Seen)")) == ["* ESEARCH (TAG \"a\") REMOVEFROM (0 3)"])
    }

    @Test("SEARCH RETURN (PARTIAL): positions of the result, reversed ranges, NIL past the end, UIDs")
    func partial() {
        let (_, engine) = Self.mailbox()
        #expect(Self.run(engine, "a SEARCH RETURN (PARTIAL 1:1) ALL").first == "* ESEARCH (TAG \"a\") PARTIAL (1:1 1)")
        #expect(Self.run(engine, "b SEARCH RETURN (PARTIAL 4:2) ALL").first == "* ESEARCH (TAG \"b\") PARTIAL (2:4 2:4)")
        #expect(Self.run(engine, "c SEARCH RETURN (PARTIAL 1:6) ALL").first == "* ESEARCH (TAG \"c\") PARTIAL (1:6 1:5)")
        #expect(Self.run(engine, "d SEARCH RETURN (PARTIAL 6:6) ALL").first == "* ESEARCH (TAG \"d\") PARTIAL (6:6 NIL)")
        #expect(Self.run(engine, "e SEARCH RETURN (PARTIAL 2:3 COUNT) 1:2,4:5").first
            == "* ESEARCH (TAG \"e\") COUNT 4 PARTIAL (2:3 2,4)")
        _ = Self.run(engine, "f STORE 2 +FLAGS.SILENT (\\Deleted)")
        _ = Self.run(engine, "g EXPUNGE")
        #expect(Self.run(engine, "h UID SEARCH RETURN (PARTIAL 2:2) ALL").first == "* ESEARCH (TAG \"h\") UID PARTIAL (2:2 3)")
        // SAVE with PARTIAL alone keeps the window for "$".
        _ = Self.run(engine, "i SEARCH RETURN (SAVE PARTIAL 1:2) ALL")
        #expect(Self.run(engine, "j UID SEARCH $").first == "* SEARCH 1 3")
        // CONTEXT is a hint: ALL is assumed as for "()".
        #expect(Self.run(engine, "k SEARCH RETURN (CONTEXT) 1").first == "* ESEARCH (TAG \"k\") ALL 1")
    }

    @Test("grammar: CANCELUPDATE, RETURN (UPDATE CONTEXT PARTIAL), ADDTO / REMOVEFROM, NOUPDATE")
    func grammar() throws {
        let parser = IMAPCommandParser()
        func parse(_ line: String) throws -> IMAPCommand { try parser.parse(Array(line.utf8)).command }
        #expect(try parse("a CANCELUPDATE \"a1\" \"b 2\"") == .cancelUpdate(["a1", "b 2"]))
        #expect(try parse("a cancelupdate \"x\"") == .cancelUpdate(["x"]))
        #expect(try parse("t SEARCH RETURN (UPDATE CONTEXT PARTIAL 9:3) SEEN")
            == .search(uid: false, returnOptions: [.update, .context, .partial(3...9)], charset: nil, criteria: [.seen]))
        #expect(try parse("t UID SORT RETURN (update) (DATE) UTF-8 ALL")
            == .sort(uid: true, returnOptions: [.update], criteria: [SortCriterion(.date)], charset: "UTF-8", search: [.all]))
        for bad in ["a CANCELUPDATE", "a CANCELUPDATE a1", "a CANCELUPDATE \"a1\" ", "a CANCELUPDATE {2+}\r\na1",
                    "a SEARCH RETURN (UPDATE UPDATE) ALL", "a SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL",
                    "a SEARCH RETURN (PARTIAL 1) ALL", "a SEARCH RETURN (PARTIAL 1:*) ALL", "a SEARCH RETURN (PARTIAL *:1) ALL",
                    "a SEARCH RETURN (PARTIAL 0:1) ALL", "a SEARCH RETURN (PARTIAL -1:-5) ALL", "a SORT RETURN (NOUPDATE) (DATE) UTF-8 ALL"] {
            #expect(throws: IMAPParseError.self, "\(bad.debugDescription)") { try parse(bad) }
        }
        #expect(IMAPCommand.cancelUpdate(["x"]).name == "CANCELUPDATE")
        #expect(IMAPCommandTable.states(of: .cancelUpdate(["x"])) == .selected)
        #expect(IMAPSessionConfiguration.standardExtensions.contains("CONTEXT=SEARCH"))

        var response = ESearchResponse(tag: "A1", uid: true)
        response.removeFrom = [.init(position: 0, numbers: SequenceSet(7))]
        response.addTo = [.init(position: 3, numbers: SequenceSet(4)), .init(position: 5, numbers: SequenceSet(9...10))]
        #expect(String(decoding: IMAPResponse.untagged(.esearch(response)).encoded(), as: UTF8.self)
            == "* ESEARCH (TAG \"A1\") UID REMOVEFROM (0 7) ADDTO (3 4 5 9:10)\r\n")
        #expect(String(decoding: IMAPResponse.untagged(.condition(.no, code: .noUpdate("B2"), text: "Too many")).encoded(), as: UTF8.self)
            == "* NO [NOUPDATE \"B2\"] Too many\r\n")
    }
}
