// IMAP4rev2EngineTests.swift — what Mailbox/IMAPMailboxEngine*.swift answers an IMAP4rev1
// session and one that sent ENABLE IMAP4rev2 (RFC 9051; the list is in
// Session/IMAPRevision.swift), side by side against MemoryStorage: ENABLED, SELECT's RECENT /
// UNSEEN versus LIST with OLDNAME, [CLOSED] for both, \Recent and RECENT gone from FETCH,
// STORE and unsolicited updates, UID in every unsolicited FETCH, SEARCH versus ESEARCH with
// the tag, SEARCHRES "$", UTF-8 mailbox names, \NonExistent for a parent-only level, STATUS
// DELETED and SIZE, BODY[] and BINARY.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: IMAP4rev1 and IMAP4rev2 answers")
struct IMAP4rev2EngineTests {
    static func run(_ engine: IMAPMailboxEngine, _ line: String) -> [String] { IMAPMailboxEngineTests.run(engine, line) }

    static let message1 = IMAPMailboxEngineTests.message1
    static let message2 = IMAPMailboxEngineTests.message2

    /// Storage with message1 (\Seen) and message2 (unseen) in INBOX, neither claimed \Recent.
    static func storage() -> MemoryStorage {
        let storage = MemoryStorage()
        _ = try? storage.append(.inbox, message: Array(message1.utf8), flags: [.seen], keywords: [], internalDate: 1_800_000_000)
        _ = try? storage.append(.inbox, message: Array(message2.utf8), flags: [], keywords: [], internalDate: 1_800_000_100)
        return storage
    }

    /// A new session on `storage`; `rev2`: it sent ENABLE IMAP4rev2 first.
    static func engine(_ storage: MemoryStorage, rev2: Bool) -> IMAPMailboxEngine {
        let engine = IMAPMailboxEngine(storage: storage)
        if rev2 { _ = run(engine, "e0 ENABLE IMAP4rev2") }
        return engine
    }

    @Test("ENABLE IMAP4rev2 is answered ENABLED IMAP4rev2 once; the names are case-insensitive")
    func enable() {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        #expect(Self.run(engine, "a ENABLE imap4REV2") == ["* ENABLED IMAP4rev2", "a OK ENABLE completed"])
        #expect(engine.imap4rev2Enabled)
        #expect(Self.run(engine, "b ENABLE IMAP4rev2 CONDSTORE") == ["* ENABLED CONDSTORE", "b OK ENABLE completed"])
        let rev1 = IMAPMailboxEngine(storage: MemoryStorage())
        #expect(Self.run(rev1, "c ENABLE CONDSTORE") == ["* ENABLED CONDSTORE", "c OK ENABLE completed"])
        #expect(!rev1.imap4rev2Enabled)
    }

    @Test("the engine does not switch to IMAP4rev2 with a mailbox selected (the session answers BAD first)")
    func enableWhileSelected() {
        let engine = Self.engine(Self.storage(), rev2: false)
        Self.run(engine, "a SELECT INBOX")
        #expect(Self.run(engine, "b ENABLE IMAP4rev2") == ["* ENABLED", "b OK ENABLE completed"])
        #expect(!engine.imap4rev2Enabled)
    }

    @Test("SELECT: IMAP4rev1 gets RECENT and UNSEEN; IMAP4rev2 gets the mailbox's LIST instead (RFC 9051 §6.3.2)")
    func select() {
        let rev1 = Self.run(Self.engine(Self.storage(), rev2: false), "a SELECT INBOX")
        #expect(Array(rev1.prefix(4)) == ["* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* 2 EXISTS", "* 2 RECENT",
                                          "* OK [UNSEEN 2] First unseen"], "\(rev1)")
        #expect(!rev1.contains { $0.hasPrefix("* LIST") })
        let rev2 = Self.run(Self.engine(Self.storage(), rev2: true), "a SELECT INBOX")
        #expect(Array(rev2.prefix(4)) == ["* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "* 2 EXISTS",
                                          "* LIST (\\HasNoChildren) \".\" INBOX",
                                          "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted"],
                "\(rev2)")
        #expect(!rev2.contains { $0.contains("RECENT") || $0.contains("UNSEEN") }, "\(rev2)")
        #expect(rev2.contains { $0.hasPrefix("* OK [UIDVALIDITY ") } && rev2.contains("* OK [UIDNEXT 3] Predicted next UID"))
        #expect(rev2.last == "a OK [READ-WRITE] SELECT completed")
        let examine = Self.run(Self.engine(Self.storage(), rev2: true), "b EXAMINE Sent")
        #expect(examine.contains("* LIST (\\HasNoChildren \\Sent) \".\" Sent"), "special-use as LIST gives it: \(examine)")
        #expect(examine.last == "b OK [READ-ONLY] EXAMINE completed")
    }

    @Test("SELECT in IMAP4rev2 of a name given in modified UTF-7: LIST with the UTF-8 name and OLDNAME")
    func selectOldName() throws {
        let storage = Self.storage()
        try storage.createFolder(FolderPath(["Entwürfe"]))
        try storage.createFolder(FolderPath(["Work", "Projects"]))
        let rev2 = Self.engine(storage, rev2: true)
        let out = Self.run(rev2, "a SELECT Entw&APw-rfe")
        // A UTF-8 name goes out as a literal (quoted UTF-8 is not used; both are valid).
        #expect(out.contains("* LIST (\\HasNoChildren) \".\" {9}Entwürfe (\"OLDNAME\" (Entw&APw-rfe))"), "\(out)")
        #expect(out.last == "a OK [READ-WRITE] SELECT completed")
        let utf8 = Self.run(rev2, "b SELECT Entwürfe")
        #expect(utf8.contains("* LIST (\\HasNoChildren) \".\" {9}Entwürfe"), "no OLDNAME for the name as the server has it: \(utf8)")
        let parent = Self.run(rev2, "c EXAMINE Work.Projects.")
        #expect(parent.contains("* LIST (\\HasNoChildren) \".\" Work.Projects (\"OLDNAME\" (Work.Projects.))"), "\(parent)")
        // IMAP4rev1 names stay modified UTF-7 and get no LIST.
        let rev1 = Self.run(Self.engine(storage, rev2: false), "d SELECT Entw&APw-rfe")
        #expect(rev1.last == "d OK [READ-WRITE] SELECT completed" && !rev1.contains { $0.hasPrefix("* LIST") })
    }

    @Test("[CLOSED] when a SELECT or EXAMINE replaces a selected mailbox, in both revisions (and before a failed one)")
    func closed() {
        for rev2 in [false, true] {
            let engine = Self.engine(Self.storage(), rev2: rev2)
            #expect(!Self.run(engine, "a SELECT INBOX").contains { $0.contains("[CLOSED]") })
            #expect(Self.run(engine, "b EXAMINE Sent").first == "* OK [CLOSED] Previous mailbox closed", "rev2: \(rev2)")
            let failed = Self.run(engine, "c SELECT Nowhere")
            #expect(failed == ["* OK [CLOSED] Previous mailbox closed", "c NO [NONEXISTENT] Mailbox does not exist"], "rev2: \(rev2)")
            #expect(!Self.run(engine, "d SELECT INBOX").contains { $0.contains("[CLOSED]") }, "nothing was selected: rev2 \(rev2)")
        }
    }

    @Test("\\Recent: IMAP4rev1 FETCH FLAGS, STORE and NOOP show it and RECENT; IMAP4rev2 sees neither")
    func recent() throws {
        let storage1 = Self.storage()
        let rev1 = Self.engine(storage1, rev2: false)
        Self.run(rev1, "a SELECT INBOX")
        #expect(Self.run(rev1, "b FETCH 2 FLAGS")[0] == "* 2 FETCH (FLAGS (\\Recent))")
        #expect(Self.run(rev1, "c STORE 2 +FLAGS (\\Flagged)")[0] == "* 2 FETCH (FLAGS (\\Flagged \\Recent))")
        _ = try storage1.append(.inbox, message: Array(Self.message1.utf8), flags: [], keywords: [], internalDate: nil)
        #expect(Self.run(rev1, "d NOOP") == ["* 3 EXISTS", "* 3 RECENT", "d OK NOOP completed"])

        let storage2 = Self.storage()
        let rev2 = Self.engine(storage2, rev2: true)
        Self.run(rev2, "a SELECT INBOX")
        #expect(Self.run(rev2, "b FETCH 2 FLAGS")[0] == "* 2 FETCH (FLAGS ())")
        #expect(Self.run(rev2, "c STORE 2 +FLAGS (\\Flagged)")[0] == "* 2 FETCH (FLAGS (\\Flagged))")
        #expect(Self.run(rev2, "c2 FETCH 2 BODY[TEXT]")[0].hasSuffix("FLAGS (\\Flagged \\Seen))"), "\\Seen set by BODY[]")
        _ = try storage2.append(.inbox, message: Array(Self.message1.utf8), flags: [], keywords: [], internalDate: nil)
        #expect(Self.run(rev2, "d NOOP") == ["* 3 EXISTS", "d OK NOOP completed"])
        _ = try storage2.append(.inbox, message: Array(Self.message2.utf8), flags: [], keywords: [], internalDate: nil)
        #expect(rev2.pendingUpdates().map { String(decoding: $0.encoded(), as: UTF8.self) } == ["* 4 EXISTS\r\n"], "IDLE's updates too")
    }

    @Test("another session's flag change arrives as FETCH with UID and FLAGS, in both revisions")
    func unsolicitedFetchHasUID() throws {
        for rev2 in [false, true] {
            let storage = Self.storage()
            let watcher = Self.engine(storage, rev2: rev2)
            Self.run(watcher, "a SELECT INBOX")
            let other = IMAPMailboxEngine(storage: storage)
            Self.run(other, "b SELECT INBOX")
            Self.run(other, "c STORE 1 +FLAGS (\\Answered)")
            let noop = Self.run(watcher, "d NOOP")
            #expect(noop == [rev2 ? "* 1 FETCH (UID 1 FLAGS (\\Answered \\Seen))" : "* 1 FETCH (UID 1 FLAGS (\\Answered \\Seen \\Recent))",
                             "d OK NOOP completed"], "rev2: \(rev2)")
        }
    }

    @Test("an IMAP4rev2 SELECT claims no \\Recent: the next IMAP4rev1 session still gets the messages as recent")
    func rev2LeavesRecent() {
        let storage = Self.storage()
        let rev2 = Self.engine(storage, rev2: true)
        Self.run(rev2, "a SELECT INBOX")
        Self.run(rev2, "b NOOP")
        let rev1 = Self.engine(storage, rev2: false)
        #expect(Self.run(rev1, "a SELECT INBOX").contains("* 2 RECENT"))
        let later = Self.engine(storage, rev2: false)
        #expect(Self.run(later, "a SELECT INBOX").contains("* 0 RECENT"), "claimed by the rev1 session")
    }

    @Test("SEARCH: IMAP4rev1 answers SEARCH; IMAP4rev2 answers ESEARCH with the tag, ALL when no RETURN (RFC 9051 §6.4.4)")
    func search() {
        let rev1 = Self.engine(Self.storage(), rev2: false)
        Self.run(rev1, "s SELECT INBOX")
        #expect(Self.run(rev1, "a SEARCH ALL") == ["* SEARCH 1 2", "a OK SEARCH completed"])
        #expect(Self.run(rev1, "b UID SEARCH UNSEEN") == ["* SEARCH 2", "b OK UID SEARCH completed"])
        #expect(Self.run(rev1, "c SEARCH DELETED") == ["* SEARCH", "c OK SEARCH completed"])

        let rev2 = Self.engine(Self.storage(), rev2: true)
        Self.run(rev2, "s SELECT INBOX")
        #expect(Self.run(rev2, "a SEARCH ALL") == ["* ESEARCH (TAG \"a\") ALL 1:2", "a OK SEARCH completed"])
        #expect(Self.run(rev2, "b UID SEARCH UNSEEN") == ["* ESEARCH (TAG \"b\") UID ALL 2", "b OK UID SEARCH completed"])
        #expect(Self.run(rev2, "c SEARCH DELETED") == ["* ESEARCH (TAG \"c\")", "c OK SEARCH completed"])
        #expect(Self.run(rev2, "d SEARCH RETURN (MIN COUNT) ALL") == ["* ESEARCH (TAG \"d\") MIN 1 COUNT 2", "d OK SEARCH completed"])
        #expect(Self.run(rev2, "e SEARCH CHARSET UTF-8 BODY 发票") == ["* ESEARCH (TAG \"e\") ALL 2", "e OK SEARCH completed"])
        let modseq = Self.run(rev2, "f SEARCH MODSEQ 1")
        #expect(modseq.contains { $0.hasPrefix("* ESEARCH (TAG \"f\") ALL 1:2 MODSEQ ") }, "\(modseq)")
    }

    @Test("SEARCHRES: RETURN (SAVE) keeps the result for \"$\" in both revisions")
    func searchResult() {
        for rev2 in [false, true] {
            let engine = Self.engine(Self.storage(), rev2: rev2)
            Self.run(engine, "s SELECT INBOX")
            #expect(Self.run(engine, "a SEARCH RETURN (SAVE) UNSEEN") == ["a OK SEARCH completed"], "SAVE alone: no ESEARCH")
            #expect(Self.run(engine, "b FETCH $ (UID)") == ["* 2 FETCH (UID 2)", "b OK FETCH completed"])
            let search = Self.run(engine, "c SEARCH $")
            #expect(search.first == (rev2 ? "* ESEARCH (TAG \"c\") ALL 2" : "* SEARCH 2"), "rev2: \(rev2)")
            #expect(Self.run(engine, "d UID STORE $ +FLAGS.SILENT (\\Deleted)") == ["d OK UID STORE completed"])
        }
    }

    @Test("mailbox names: modified UTF-7 for IMAP4rev1, UTF-8 for IMAP4rev2 (which may still send modified UTF-7)")
    func names() throws {
        let storage = Self.storage()
        let rev2 = Self.engine(storage, rev2: true)
        #expect(Self.run(rev2, "a CREATE 发票").map { $0.replacing(/\ \[MAILBOXID \(M[0-9a-f]{32}\)\]/, with: "") } == ["a OK CREATE completed"])
        #expect(Self.run(rev2, "b CREATE Entw&APw-rfe").map { $0.replacing(/\ \[MAILBOXID \(M[0-9a-f]{32}\)\]/, with: "") } == ["b OK CREATE completed"])
        #expect(Self.run(rev2, "c LIST \"\" \"*\"").contains("* LIST (\\HasNoChildren) \".\" {6}发票"))
        #expect(Self.run(rev2, "d LIST \"\" \"Entw*\"") == ["* LIST (\\HasNoChildren) \".\" {9}Entwürfe", "d OK LIST completed"])
        #expect(Self.run(rev2, "e STATUS 发票 (MESSAGES)") == ["* STATUS {6}发票 (MESSAGES 0)", "e OK STATUS completed"])
        let rev1 = Self.engine(storage, rev2: false)
        #expect(Self.run(rev1, "f LIST \"\" \"*\"").contains("* LIST (\\HasNoChildren) \".\" &U9F5aA-"))
        #expect(Self.run(rev1, "g LIST \"\" \"Entw*\"") == ["* LIST (\\HasNoChildren) \".\" Entw&APw-rfe", "g OK LIST completed"])
    }

    @Test("LIST: a level that is only a parent is \\Noselect for IMAP4rev1, \\NonExistent for IMAP4rev2; children always")
    func listNonExistent() throws {
        let storage = Self.storage()
        try storage.createFolder(FolderPath(["Work", "Projects"]))
        let rev1 = Self.run(Self.engine(storage, rev2: false), "a LIST \"\" \"Work*\"")
        #expect(rev1 == ["* LIST (\\Noselect \\HasChildren) \".\" Work", "* LIST (\\HasNoChildren) \".\" Work.Projects",
                         "a OK LIST completed"], "\(rev1)")
        let rev2Engine = Self.engine(storage, rev2: true)
        let rev2 = Self.run(rev2Engine, "b LIST \"\" \"Work*\"")
        #expect(rev2 == ["* LIST (\\NonExistent \\HasChildren) \".\" Work", "* LIST (\\HasNoChildren) \".\" Work.Projects",
                         "b OK LIST completed"], "\(rev2)")
        #expect(Self.run(rev2Engine, "c LIST \"\" \"%\"").contains("* LIST (\\NonExistent \\HasChildren) \".\" Work"))
        #expect(Self.run(rev2Engine, "d SELECT Work").last == "d NO [NONEXISTENT] Mailbox does not exist")
        // LSUB (which RFC 9051 dropped) keeps RFC 3501's \Noselect.
        try storage.setSubscribed(FolderPath(["Work", "Projects"]), true)
        #expect(Self.run(rev2Engine, "e LSUB \"\" \"Work%\"") == ["* LSUB (\\Noselect) \".\" Work", "e OK LSUB completed"])
    }

    @Test("STATUS DELETED and SIZE in both revisions; RECENT still answers for IMAP4rev1")
    func status() {
        for rev2 in [false, true] {
            let engine = Self.engine(Self.storage(), rev2: rev2)
            Self.run(engine, "s SELECT INBOX")
            Self.run(engine, "a STORE 1 +FLAGS.SILENT (\\Deleted)")
            let size = Self.message1.utf8.count + Self.message2.utf8.count
            #expect(Self.run(engine, "b STATUS INBOX (MESSAGES DELETED SIZE UNSEEN)")
                    == ["* STATUS INBOX (MESSAGES 2 DELETED 1 SIZE \(size) UNSEEN 1)", "b OK STATUS completed"], "rev2: \(rev2)")
        }
        #expect(Self.run(Self.engine(Self.storage(), rev2: false), "c STATUS INBOX (RECENT)")
                == ["* STATUS INBOX (RECENT 2)", "c OK STATUS completed"])
    }

    @Test("BODY[] and BINARY[] answer the same in both revisions")
    func bodyAndBinary() {
        for rev2 in [false, true] {
            let engine = Self.engine(Self.storage(), rev2: rev2)
            Self.run(engine, "s EXAMINE INBOX")
            #expect(Self.run(engine, "a FETCH 1 BODY.PEEK[]")[0] == "* 1 FETCH (BODY[] {\(Self.message1.utf8.count)}\(Self.message1.replacingOccurrences(of: "\r\n", with: "")))")
            #expect(Self.run(engine, "b FETCH 2 BINARY.PEEK[1]<0.6>")[0] == "* 2 FETCH (BINARY[1]<0> {6}请查)")
            #expect(Self.run(engine, "c FETCH 2 BINARY.SIZE[1]")[0] == "* 2 FETCH (BINARY.SIZE[1] \("请查收发票\r\n".utf8.count))")
        }
    }
}
