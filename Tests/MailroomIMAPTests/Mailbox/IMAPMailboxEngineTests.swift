// IMAPMailboxEngineTests.swift — the mailbox commands of Mailbox/IMAPMailboxEngine*.swift,
// run as the parser hands them over, against MemoryStorage (which passes the same storage
// conformance suite as Maildir): SELECT/EXAMINE answers, APPEND with APPENDUID, FETCH items
// and \Seen, STORE and EXPUNGE, COPY/MOVE with COPYUID and TRYCREATE, SEARCH and ESEARCH,
// LIST/STATUS, and two sessions on one mailbox seeing each other's changes.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: engine")
struct IMAPMailboxEngineTests {
    /// Runs one command line; returns every response as wire text, tagged reply last.
    @discardableResult
    static func run(_ engine: IMAPMailboxEngine, _ line: String) -> [String] {
        let tagged: TaggedCommand
        do {
            tagged = try IMAPCommandParser().parse(Array(line.utf8))
        } catch {
            return ["parse error: \(error)"]
        }
        var out: [String] = []
        let reply = engine.execute(tag: tagged.tag, tagged.command) { responses in
            out += responses.map { String(decoding: $0.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "") }
        }
        out.append(String(decoding: reply.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: ""))
        return out
    }

    static let message1 = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hello\r\nDate: Sat, 28 Nov 2026 10:00:00 +0000\r\n\r\nfirst message\r\n"
    static let message2 = "From: carol@example.net\r\nSubject: =?UTF-8?B?5Y+R56Wo?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请查收发票\r\n"

    /// An engine with two messages in INBOX, INBOX selected.
    func selectedEngine(storage: MemoryStorage = MemoryStorage()) -> IMAPMailboxEngine {
        _ = try? storage.append(.inbox, message: Array(Self.message1.utf8), flags: [], keywords: [], internalDate: 1_800_000_000)
        _ = try? storage.append(.inbox, message: Array(Self.message2.utf8), flags: [.flagged], keywords: ["$Work"], internalDate: 1_800_000_100)
        // Another session saw them first: they are not \Recent here (see `recent` below).
        _ = try? storage.open(.inbox)
        let engine = IMAPMailboxEngine(storage: storage)
        Self.run(engine, "s SELECT INBOX")
        return engine
    }

    @Test("\\Recent: SELECT claims what arrived, EXAMINE only reports it, new arrivals while selected are claimed")
    func recent() {
        let storage = MemoryStorage()
        _ = try? storage.append(.inbox, message: Array(Self.message1.utf8), flags: [], keywords: [], internalDate: nil)
        let examiner = IMAPMailboxEngine(storage: storage)
        #expect(Self.run(examiner, "a EXAMINE INBOX").contains("* 1 RECENT"))
        let first = IMAPMailboxEngine(storage: storage)
        #expect(Self.run(first, "b SELECT INBOX").contains("* 1 RECENT"))
        #expect(Self.run(first, "c FETCH 1 FLAGS")[0] == "* 1 FETCH (FLAGS (\\Recent))")
        let second = IMAPMailboxEngine(storage: storage)
        #expect(Self.run(second, "d SELECT INBOX").contains("* 0 RECENT"))
        _ = try? storage.append(.inbox, message: Array(Self.message2.utf8), flags: [], keywords: [], internalDate: nil)
        #expect(Self.run(first, "e NOOP") == ["* 2 EXISTS", "* 2 RECENT", "e OK NOOP completed"])
        #expect(Self.run(second, "f NOOP") == ["* 2 EXISTS", "* 0 RECENT", "f OK NOOP completed"])
        #expect(Self.run(second, "g SEARCH NEW")[0] == "* SEARCH")
        #expect(Self.run(first, "h SEARCH NEW")[0] == "* SEARCH 1 2")
    }

    @Test("SELECT answers FLAGS, EXISTS, RECENT, UNSEEN, PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, READ-WRITE")
    func select() {
        let storage = MemoryStorage()
        _ = try? storage.append(.inbox, message: Array(Self.message1.utf8), flags: [.seen], keywords: [], internalDate: nil)
        _ = try? storage.append(.inbox, message: Array(Self.message2.utf8), flags: [], keywords: ["$Work"], internalDate: nil)
        let engine = IMAPMailboxEngine(storage: storage)
        let out = Self.run(engine, "a SELECT inbox")
        #expect(out[0] == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)")
        #expect(out[1] == "* 2 EXISTS")
        #expect(out.contains("* OK [UNSEEN 2] First unseen"))
        #expect(out.contains("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted"))
        #expect(out.contains { $0.hasPrefix("* OK [UIDVALIDITY ") } && out.contains("* OK [UIDNEXT 3] Predicted next UID"))
        #expect(out.last == "a OK [READ-WRITE] SELECT completed")
        #expect(engine.isSelected)
        let again = Self.run(engine, "b EXAMINE INBOX")
        #expect(again.first == "* OK [CLOSED] Previous mailbox closed")
        #expect(again.last == "b OK [READ-ONLY] EXAMINE completed")
        #expect(Self.run(engine, "c SELECT Nowhere").last == "c NO [NONEXISTENT] Mailbox does not exist")
        #expect(!engine.isSelected)
    }

    @Test("APPEND answers APPENDUID; a missing mailbox is TRYCREATE; the selected mailbox hears EXISTS")
    func append() {
        let engine = selectedEngine()
        let out = Self.run(engine, "a APPEND INBOX (\\Seen) {12+}\r\nSubject: x\r\n")
        #expect(out.contains("* 3 EXISTS"))
        #expect(out.last?.hasPrefix("a OK [APPENDUID ") == true && out.last?.hasSuffix(" 3] APPEND completed") == true)
        #expect(Self.run(engine, "b APPEND Nowhere {3+}\r\nabc").last == "b NO [TRYCREATE] Mailbox does not exist")
    }

    @Test("MULTIAPPEND stores every message or none")
    func multiappend() {
        let engine = selectedEngine()
        let out = Self.run(engine, "a APPEND INBOX {3+}\r\nx 1 (\\Seen) {3+}\r\ny 2")
        #expect(out.last?.hasSuffix(" 3:4] APPEND completed") == true, "\(out)")
        #expect(out.contains("* 4 EXISTS"))
        #expect(Self.run(engine, "b APPEND Nowhere {3+}\r\nx 1 {3+}\r\ny 2").last == "b NO [TRYCREATE] Mailbox does not exist")
        #expect(Self.run(engine, "c APPEND INBOX {3+}\r\nx 1 {0+}\r\n").last == "c NO [CANNOT] Empty message")
        #expect(Self.run(engine, "d STATUS INBOX (MESSAGES)")[0] == "* STATUS INBOX (MESSAGES 4)")
    }

    @Test("FETCH: UID, FLAGS, sizes, ENVELOPE; BODY[] sets \\Seen and shows FLAGS, BODY.PEEK does not")
    func fetch() {
        let engine = selectedEngine()
        let out = Self.run(engine, "a FETCH 1:2 (UID FLAGS RFC822.SIZE)")
        #expect(out[0] == "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE \(Self.message1.utf8.count))")
        #expect(out[1] == "* 2 FETCH (UID 2 FLAGS (\\Flagged $Work) RFC822.SIZE \(Self.message2.utf8.count))")
        #expect(out.last == "a OK FETCH completed")
        let envelope = Self.run(engine, "b FETCH 1 ENVELOPE")
        #expect(envelope[0] == "* 1 FETCH (ENVELOPE (\"Sat, 28 Nov 2026 10:00:00 +0000\" \"hello\" ((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) ((\"Alice\" NIL \"alice\" \"example.com\")) ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL NIL))")
        let peek = Self.run(engine, "c FETCH 1 BODY.PEEK[TEXT]")
        #expect(peek[0] == "* 1 FETCH (BODY[TEXT] {15}first message)")
        let body = Self.run(engine, "d FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]")
        #expect(body[0] == "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}Subject: hello FLAGS (\\Seen))"
                || body[0] == "* 1 FETCH (BODY[HEADER.FIELDS (\"SUBJECT\")] {18}Subject: hello FLAGS (\\Seen))")
        #expect(Self.run(engine, "e UID FETCH 2 (FLAGS)")[0] == "* 2 FETCH (UID 2 FLAGS (\\Flagged $Work))")
        #expect(Self.run(engine, "f FETCH 3 FLAGS").last == "f BAD Invalid message sequence number")
        #expect(Self.run(engine, "g UID FETCH 9:20 FLAGS") == ["g OK UID FETCH completed"])
    }

    @Test("STORE reports the new flags (not with .SILENT); EXPUNGE removes \\Deleted messages")
    func storeAndExpunge() {
        let engine = selectedEngine()
        #expect(Self.run(engine, "a STORE 1 +FLAGS (\\Deleted)") == ["* 1 FETCH (FLAGS (\\Deleted))", "a OK STORE completed"])
        #expect(Self.run(engine, "b STORE 2 -FLAGS.SILENT ($Work)") == ["b OK STORE completed"])
        #expect(Self.run(engine, "c FETCH 2 FLAGS")[0] == "* 2 FETCH (FLAGS (\\Flagged))")
        #expect(Self.run(engine, "d EXPUNGE") == ["* 1 EXPUNGE", "d OK EXPUNGE completed"])
        #expect(Self.run(engine, "e FETCH 1 UID")[0] == "* 1 FETCH (UID 2)")
    }

    @Test("COPY and MOVE: TRYCREATE, COPYUID, and MOVE's EXPUNGE")
    func copyAndMove() {
        let engine = selectedEngine()
        #expect(Self.run(engine, "a COPY 1 Archive").last == "a NO [TRYCREATE] Mailbox does not exist")
        #expect(Self.run(engine, "b CREATE Archive").last?.contains(/^b OK \[MAILBOXID \(M[0-9a-f]{32}\)\] CREATE completed$/) == true)
        let copy = Self.run(engine, "c COPY 1:2 Archive")
        #expect(copy.last?.hasPrefix("c OK [COPYUID ") == true && copy.last?.hasSuffix(" 1:2 1:2] COPY completed") == true)
        let move = Self.run(engine, "d UID MOVE 1 Archive")
        #expect(move[0].hasPrefix("* OK [COPYUID ") && move[0].hasSuffix(" 1 3] Moved UIDs"))
        #expect(move[1] == "* 1 EXPUNGE")
        #expect(move.last == "d OK UID MOVE completed")
        #expect(Self.run(engine, "e STATUS Archive (MESSAGES UIDNEXT)")[0] == "* STATUS Archive (MESSAGES 3 UIDNEXT 4)")
    }

    @Test("SEARCH and ESEARCH; a charset the server does not know is BADCHARSET")
    func search() {
        let engine = selectedEngine()
        #expect(Self.run(engine, "a SEARCH FLAGGED")[0] == "* SEARCH 2")
        #expect(Self.run(engine, "b SEARCH CHARSET UTF-8 BODY {6+}\r\n发票")[0] == "* SEARCH 2")
        #expect(Self.run(engine, "c SEARCH SUBJECT {6+}\r\n发票")[0] == "* SEARCH 2")
        #expect(Self.run(engine, "d UID SEARCH RETURN (MIN MAX COUNT) ALL")[0] == "* ESEARCH (TAG \"d\") UID MIN 1 MAX 2 COUNT 2")
        #expect(Self.run(engine, "e SEARCH CHARSET X-MARTIAN ALL").last?.hasPrefix("e NO [BADCHARSET (") == true)
        #expect(Self.run(engine, "f SEARCH RETURN (SAVE) FROM carol") == ["f OK SEARCH completed"])
        #expect(Self.run(engine, "g FETCH $ UID")[0] == "* 2 FETCH (UID 2)")
    }

    @Test("LIST shows the folders with CHILDREN and SPECIAL-USE attributes; LIST \"\" \"\" the delimiter")
    func list() {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        Self.run(engine, "a CREATE Projects.2026")
        let out = Self.run(engine, "b LIST \"\" *")
        #expect(out.contains("* LIST (\\HasNoChildren) \".\" INBOX"))
        // CREATE of a child does not create its parent (Maildir++ has no directory for it).
        #expect(out.contains("* LIST (\\Noselect \\HasChildren) \".\" Projects"))
        #expect(out.contains("* LIST (\\HasNoChildren) \".\" Projects.2026"))
        #expect(out.contains { $0.hasSuffix("\".\" Sent") && $0.contains("\\Sent") })
        #expect(Self.run(engine, "c LIST \"\" %").contains { $0.hasSuffix(" Projects") })
        #expect(!Self.run(engine, "d LIST \"\" %").contains { $0.hasSuffix("Projects.2026") })
        #expect(Self.run(engine, "e LIST \"\" \"\"")[0] == "* LIST (\\Noselect) \".\" \"\"")
        #expect(Self.run(engine, "f DELETE Projects").last == "f NO [HASCHILDREN] Mailbox has children, delete them first")
    }

    @Test("RFC 9208 §4.2.3 and §5.1 (QUOTA=RES-STORAGE is announced): STATUS DELETED-STORAGE is the size of the \\Deleted messages")
    func statusDeletedStorage() {
        let engine = selectedEngine()
        let size1 = Self.message1.utf8.count
        #expect(Self.run(engine, "a STATUS INBOX (DELETED DELETED-STORAGE)")[0] == "* STATUS INBOX (DELETED 0 DELETED-STORAGE 0)")
        Self.run(engine, "b STORE 1 +FLAGS.SILENT (\\Deleted)")
        #expect(Self.run(engine, "c STATUS INBOX (MESSAGES DELETED-STORAGE DELETED)")[0]
                == "* STATUS INBOX (MESSAGES 2 DELETED-STORAGE \(size1) DELETED 1)")
    }

    @Test("RFC 3501 §6.3.4: DELETE of a mailbox with children removes it and leaves its name \\Noselect; the children stay")
    func deleteWithChildren() {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        Self.run(engine, "a CREATE Projects")
        Self.run(engine, "b CREATE Projects.2026")
        #expect(Self.run(engine, "c SELECT Projects").last == "c OK [READ-WRITE] SELECT completed")
        #expect(Self.run(engine, "d DELETE Projects") == ["d OK DELETE completed"])
        let out = Self.run(engine, "e LIST \"\" Projects*")
        #expect(out.contains("* LIST (\\Noselect \\HasChildren) \".\" Projects"))
        #expect(out.contains("* LIST (\\HasNoChildren) \".\" Projects.2026"))
        // The deleted mailbox was selected: nothing is selected now.
        #expect(Self.run(engine, "f FETCH 1 FLAGS").last?.hasPrefix("f BAD") == true)
        // The name that is now only a parent cannot be deleted while it has children.
        #expect(Self.run(engine, "g DELETE Projects").last == "g NO [HASCHILDREN] Mailbox has children, delete them first")
        #expect(Self.run(engine, "h DELETE Projects.2026") == ["h OK DELETE completed"])
    }

    @Test("a subscription without a folder: LSUB shows it, LIST (SUBSCRIBED) marks it \\NonExistent, LIST leaves it out")
    func subscribedButMissing() {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        #expect(Self.run(engine, "a SUBSCRIBE Gone") == ["a OK SUBSCRIBE completed"])
        #expect(Self.run(engine, "b LSUB \"\" *").contains("* LSUB () \".\" Gone"))
        #expect(Self.run(engine, "c LIST (SUBSCRIBED) \"\" *").contains("* LIST (\\NonExistent \\Subscribed) \".\" Gone"))
        #expect(!Self.run(engine, "d LIST \"\" *").contains { $0.hasSuffix(" Gone") })
    }

    @Test("two sessions: an expunge elsewhere is held back during FETCH and sent at NOOP")
    func twoSessions() {
        let storage = MemoryStorage()
        let first = selectedEngine(storage: storage)
        let second = IMAPMailboxEngine(storage: storage)
        Self.run(second, "s SELECT INBOX")
        Self.run(first, "a STORE 1 +FLAGS.SILENT (\\Deleted)")
        Self.run(first, "b EXPUNGE")
        let fetch = Self.run(second, "c FETCH 1:2 (UID FLAGS)")
        #expect(!fetch.contains { $0.hasSuffix("EXPUNGE") })
        #expect(fetch.contains("* 2 FETCH (UID 2 FLAGS (\\Flagged $Work))"))
        #expect(Self.run(second, "d NOOP") == ["* 1 EXPUNGE", "d OK NOOP completed"])
        Self.run(first, "e STORE 1 +FLAGS.SILENT (\\Answered)")
        #expect(Self.run(second, "f NOOP") == ["* 1 FETCH (UID 2 FLAGS (\\Answered \\Flagged $Work))", "f OK NOOP completed"])
    }

    @Test("EXAMINE is read-only: STORE and EXPUNGE are refused, BODY[] does not set \\Seen")
    func readOnly() {
        let engine = selectedEngine()
        Self.run(engine, "a EXAMINE INBOX")
        #expect(Self.run(engine, "b STORE 1 +FLAGS (\\Seen)").last == "b NO [CANNOT] Mailbox is read-only")
        #expect(Self.run(engine, "c EXPUNGE").last == "c NO [CANNOT] Mailbox is read-only")
        #expect(!Self.run(engine, "d FETCH 1 BODY[]")[0].contains("\\Seen"))
    }
}
