// CommandParserTests.swift — success fixtures for Parser/: every command and its arguments,
// from RFC 3501 §6 and §8, RFC 9051 and the extensions' own examples.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: commands")
struct CommandParserTests {
    static let fixtures: [(String, IMAPCommand)] = [
        // Any state
        ("a001 CAPABILITY", .capability),
        ("a002 NOOP", .noop),
        ("A023 LOGOUT", .logout),
        ("a003 noop", .noop),
        // Not authenticated
        ("a002 STARTTLS", .startTLS),
        ("A001 AUTHENTICATE GSSAPI", .authenticate(mechanism: "GSSAPI", initialResponse: nil)),
        ("a AUTHENTICATE plain AGZyZWQAdGVzdA==", .authenticate(mechanism: "PLAIN", initialResponse: F.bytes("\0fred\0test"))),
        ("a AUTHENTICATE EXTERNAL =", .authenticate(mechanism: "EXTERNAL", initialResponse: [])),
        ("a AUTHENTICATE SCRAM-SHA-256", .authenticate(mechanism: "SCRAM-SHA-256", initialResponse: nil)),
        ("a001 LOGIN SMITH SESAME", .login(username: F.bytes("SMITH"), password: F.bytes("SESAME"))),
        ("a LOGIN \"fred@example.com\" \"p a\\\"s\\\\s\"", .login(username: F.bytes("fred@example.com"), password: F.bytes("p a\"s\\s"))),
        ("a LOGIN {4+}\r\nfred {6}\r\nsecret", .login(username: F.bytes("fred"), password: F.bytes("secret"))),
        ("a LOGIN \"jörg\" x", .login(username: F.bytes("jörg"), password: F.bytes("x"))),
        // Authenticated
        ("a ENABLE CONDSTORE", .enable(["CONDSTORE"])),
        ("a ENABLE imap4rev2 UTF8=ACCEPT", .enable(["IMAP4REV2", "UTF8=ACCEPT"])),
        ("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)",
         .id([IDParameter("name", "sodr"), IDParameter("version", "19.34"), IDParameter("vendor", nil)])),
        ("a ID NIL", .id(nil)),
        ("a ID ()", .id([])),
        ("A142 SELECT INBOX", .select(.inbox, parameters: [])),
        ("A142 SELECT inbox", .select(.inbox, parameters: [])),
        ("a SELECT \"Sent Items\" (CONDSTORE)", .select(MailboxName("Sent Items"), parameters: [.condStore])),
        ("A932 EXAMINE blurdybloop", .examine(MailboxName("blurdybloop"), parameters: [])),
        ("A003 CREATE owatagusiam/", .create(MailboxName("owatagusiam/"), specialUse: [])),
        ("t1 CREATE MySpecial (USE (\\Drafts \\Sent))", .create(MailboxName("MySpecial"), specialUse: [.drafts, .sent])),
        ("A683 DELETE blurdybloop", .delete(MailboxName("blurdybloop"))),
        ("A683 RENAME blurdybloop sarasoop", .rename(from: MailboxName("blurdybloop"), to: MailboxName("sarasoop"))),
        ("A002 SUBSCRIBE #news.comp.mail.mime", .subscribe(MailboxName("#news.comp.mail.mime"))),
        ("A002 UNSUBSCRIBE #news.comp.mail.mime", .unsubscribe(MailboxName("#news.comp.mail.mime"))),
        ("A101 LIST \"\" \"\"", .list(selectOptions: [], reference: MailboxName(""), patterns: [[]], returnOptions: [])),
        ("A102 LIST #news.comp.mail.misc \"\"",
         .list(selectOptions: [], reference: MailboxName("#news.comp.mail.misc"), patterns: [[]], returnOptions: [])),
        ("A202 LIST ~/Mail/ %", .list(selectOptions: [], reference: MailboxName("~/Mail/"), patterns: [F.bytes("%")], returnOptions: [])),
        ("a LIST \"\" *", .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("*")], returnOptions: [])),
        ("A02 LIST (SUBSCRIBED) \"\" \"*\"",
         .list(selectOptions: [.subscribed], reference: MailboxName(""), patterns: [F.bytes("*")], returnOptions: [])),
        ("A03 LIST () \"\" \"%\" RETURN (CHILDREN)",
         .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("%")], returnOptions: [.children])),
        ("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)",
         .list(selectOptions: [.remote], reference: MailboxName(""), patterns: [F.bytes("%")], returnOptions: [.children])),
        ("A05 LIST (REMOTE SUBSCRIBED) \"/\" \"*\"",
         .list(selectOptions: [.remote, .subscribed], reference: MailboxName("/"), patterns: [F.bytes("*")], returnOptions: [])),
        ("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)",
         .list(selectOptions: [.subscribed, .recursiveMatch], reference: MailboxName(""), patterns: [F.bytes("%")],
               returnOptions: [.children])),
        ("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")",
         .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("INBOX"), F.bytes("Drafts"), F.bytes("Sent/%")],
               returnOptions: [])),
        ("t3 LIST (SPECIAL-USE) \"\" \"*\"",
         .list(selectOptions: [.specialUse], reference: MailboxName(""), patterns: [F.bytes("*")], returnOptions: [])),
        ("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))",
         .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("%")], returnOptions: [.status([.messages, .unseen])])),
        ("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE SUBSCRIBED)",
         .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("%")], returnOptions: [.specialUse, .subscribed])),
        ("A002 LSUB \"#news.\" \"comp.mail.*\"", .lsub(reference: MailboxName("#news."), pattern: F.bytes("comp.mail.*"))),
        ("A001 NAMESPACE", .namespace),
        ("A042 STATUS blurdybloop (UIDNEXT MESSAGES)", .status(MailboxName("blurdybloop"), [.uidNext, .messages])),
        ("a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE DELETED DELETED-STORAGE MAILBOXID)",
         .status(.inbox, StatusAttribute.allCases)),
        ("a IDLE", .idle),
        // Selected
        ("FXXZ CHECK", .check),
        ("A341 CLOSE", .close),
        ("a UNSELECT", .unselect),
        ("A202 EXPUNGE", .expunge),
        ("A003 UID EXPUNGE 3000:3002", .uidExpunge(F.set("3000:3002"))),
        ("A202 COPY 2:4 MEETING", .copy(uid: false, F.set("2:4"), MailboxName("MEETING"))),
        ("a UID COPY 1:* Trash", .copy(uid: true, F.set("1:*"), MailboxName("Trash"))),
        ("a MOVE 2:4 Archive", .move(uid: false, F.set("2:4"), MailboxName("Archive"))),
        ("a UID MOVE $ Archive", .move(uid: true, .savedResult, MailboxName("Archive"))),
        // Quota
        ("G0001 GETQUOTA \"!partition/sda4\"", .getQuota(root: F.bytes("!partition/sda4"))),
        ("A003 GETQUOTAROOT INBOX", .getQuotaRoot(.inbox)),
        ("S0000 SETQUOTA \"#user/alice\" (Storage 510)", .setQuota(root: F.bytes("#user/alice"), [QuotaLimit(resource: "STORAGE", limit: 510)])),
        ("a SETQUOTA \"\" ()", .setQuota(root: [], [])),
    ]

    @Test("every command parses to its typed value", arguments: fixtures)
    func commands(frame: String, expected: IMAPCommand) throws {
        let tagged = try F.parse(frame).get()
        #expect(tagged.command == expected)
        #expect(tagged.tag == String(frame.prefix { $0 != " " }))
    }

    @Test("APPEND: flags, date-time, literal, literal8 and MULTIAPPEND")
    func append() throws {
        let message = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nFrom: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\r\nHello Joe\r\n"
        let frame = "A003 APPEND saved-messages (\\Seen) {\(message.utf8.count)}\r\n\(message)"
        #expect(F.command(frame) == .append(MailboxName("saved-messages"), [AppendMessage(flags: [.seen], data: F.bytes(message))]))

        let dated = "a APPEND INBOX (\\Seen $Forwarded) \" 7-Feb-1994 21:52:25 -0800\" {5+}\r\nhello"
        let date = IMAPDateTime(date: F.date(1994, 2, 7), hour: 21, minute: 52, second: 25, zoneMinutes: -480)!
        #expect(F.command(dated) == .append(.inbox, [AppendMessage(flags: [.seen, .keyword("$Forwarded")], date: date, data: F.bytes("hello"))]))

        let bare = "a APPEND Drafts {3}\r\nabc"
        #expect(F.command(bare) == .append(MailboxName("Drafts"), [AppendMessage(data: F.bytes("abc"))]))

        let binary: [UInt8] = F.bytes("a APPEND INBOX ~{4}\r\n") + [0x61, 0x00, 0xFF, 0x62]
        #expect((try? F.parse(binary).get().command) == .append(.inbox, [AppendMessage(data: [0x61, 0x00, 0xFF, 0x62], isBinary: true)]))

        let multi = "A003 APPEND saved-messages (\\Seen) {3}\r\none (\\Seen \\Flagged) {3}\r\ntwo {5}\r\nthree"
        #expect(F.command(multi) == .append(MailboxName("saved-messages"), [
            AppendMessage(flags: [.seen], data: F.bytes("one")),
            AppendMessage(flags: [.seen, .flagged], data: F.bytes("two")),
            AppendMessage(data: F.bytes("three")),
        ]))
        #expect(F.command("a APPEND INBOX () {0}\r\n") == .append(.inbox, [AppendMessage(flags: [], data: [])]))
    }

    @Test("SEARCH: every RFC 3501 key, CHARSET, RETURN, MODSEQ and $")
    func search() {
        func criteria(_ frame: String) -> [SearchKey]? {
            if case .search(_, _, _, let keys)? = F.command(frame) { return keys }
            return nil
        }
        let d = F.date(1994, 2, 1)
        let keys: [(String, SearchKey)] = [
            ("ALL", .all), ("ANSWERED", .answered), ("BCC \"x@y\"", .bcc(F.bytes("x@y"))), ("BEFORE 1-Feb-1994", .before(d)),
            ("BODY hello", .body(F.bytes("hello"))), ("CC bob", .cc(F.bytes("bob"))), ("DELETED", .deleted), ("DRAFT", .draft),
            ("FLAGGED", .flagged), ("FROM \"Smith\"", .from(F.bytes("Smith"))),
            ("HEADER Message-ID \"<a@b>\"", .header(F.bytes("Message-ID"), F.bytes("<a@b>"))),
            ("KEYWORD $Junk", .keyword(.keyword("$Junk"))), ("LARGER 1024", .larger(1024)), ("NEW", .new),
            ("NOT SEEN", .not(.seen)), ("OLD", .old), ("ON \"1-Feb-1994\"", .on(d)), ("OR SEEN FLAGGED", .or(.seen, .flagged)),
            ("RECENT", .recent), ("SEEN", .seen), ("SENTBEFORE 01-Feb-1994", .sentBefore(d)), ("SENTON 1-feb-1994", .sentOn(d)),
            ("SENTSINCE 1-FEB-1994", .sentSince(d)), ("SINCE 1-Feb-1994", .since(d)), ("SMALLER 10000000000", .smaller(10_000_000_000)),
            ("SUBJECT {5+}\r\nhello", .subject(F.bytes("hello"))), ("TEXT \"x y\"", .text(F.bytes("x y"))), ("TO alice", .to(F.bytes("alice"))),
            ("UID 1:100,200", .uid(F.set("1:100,200"))), ("UNANSWERED", .unanswered), ("UNDELETED", .undeleted),
            ("UNDRAFT", .undraft), ("UNFLAGGED", .unflagged), ("UNKEYWORD $Seen2", .unkeyword(.keyword("$Seen2"))),
            ("UNSEEN", .unseen), ("1:5,7", .sequenceSet(F.set("1:5,7"))), ("*", .sequenceSet(F.set("*"))),
            ("$", .sequenceSet(.savedResult)), ("(SEEN FLAGGED)", .and([.seen, .flagged])),
            ("MODSEQ 620162338", .modSeq(nil, 620_162_338)),
            ("MODSEQ \"/flags/\\\\draft\" all 620162338", .modSeq(SearchModSeqEntry(flag: .draft, type: .all), 620_162_338)),
            ("MODSEQ \"/flags/$Junk\" priv 0", .modSeq(SearchModSeqEntry(flag: .keyword("$Junk"), type: .private), 0)),
        ]
        for (text, key) in keys {
            #expect(criteria("a SEARCH \(text)") == [key], "SEARCH \(text)")
        }
        #expect(F.command("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
            == .search(uid: false, returnOptions: nil, charset: nil, criteria: [.flagged, .since(d), .not(.from(F.bytes("Smith")))]))
        #expect(F.command("A285 SEARCH CHARSET UTF-8 TEXT {6+}\r\nXXXXXX")
            == .search(uid: false, returnOptions: nil, charset: "UTF-8", criteria: [.text(F.bytes("XXXXXX"))]))
        #expect(F.command("A283 SEARCH RETURN () FLAGGED")
            == .search(uid: false, returnOptions: [], charset: nil, criteria: [.flagged]))
        #expect(F.command("A284 UID SEARCH RETURN (MIN MAX COUNT ALL SAVE) CHARSET us-ascii UNDELETED")
            == .search(uid: true, returnOptions: [.min, .max, .count, .all, .save], charset: "US-ASCII", criteria: [.undeleted]))
        #expect(F.command("a SEARCH OR (SEEN UID 1:4) NOT (DELETED OR ANSWERED DRAFT)")
            == .search(uid: false, returnOptions: nil, charset: nil,
                       criteria: [.or(.and([.seen, .uid(F.set("1:4"))]), .not(.and([.deleted, .or(.answered, .draft)])))]))
    }

    @Test("FETCH: macros, items, sections, partials, BINARY and modifiers")
    func fetch() {
        func items(_ frame: String) -> [FetchAttribute]? {
            if case .fetch(_, _, let items, _)? = F.command(frame) { return items }
            return nil
        }
        #expect(F.command("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])")
            == .fetch(uid: false, F.set("2:4"), [.flags, .bodySection(SectionSpecifier(kind: .headerFields(["DATE", "FROM"])), partial: nil, peek: false)],
                      modifiers: []))
        #expect(items("a FETCH 1 ALL") == FetchAttribute.all)
        #expect(items("a FETCH 1 fast") == FetchAttribute.fast)
        #expect(items("a FETCH 1 FULL") == FetchAttribute.full)
        #expect(items("a FETCH 1 (UID FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT ENVELOPE BODY BODYSTRUCTURE MODSEQ)")
            == [.uid, .flags, .internalDate, .rfc822, .rfc822Header, .rfc822Size, .rfc822Text, .envelope, .body, .bodyStructure, .modSeq])
        #expect(items("a FETCH 1 BODY[]") == [.bodySection(.complete, partial: nil, peek: false)])
        #expect(items("a FETCH 1 BODY.PEEK[]<0.2048>") == [.bodySection(.complete, partial: Partial(origin: 0, length: 2048), peek: true)])
        #expect(items("a FETCH 1 body.peek[header]") == [.bodySection(.header, partial: nil, peek: true)])
        #expect(items("a FETCH 1 BODY[TEXT]") == [.bodySection(.text, partial: nil, peek: false)])
        #expect(items("a FETCH 1 BODY[1.2.3]") == [.bodySection(SectionSpecifier(part: [1, 2, 3]), partial: nil, peek: false)])
        #expect(items("a FETCH 1 BODY[4.2.MIME]") == [.bodySection(SectionSpecifier(part: [4, 2], kind: .mime), partial: nil, peek: false)])
        #expect(items("a FETCH 1 BODY[3.HEADER]") == [.bodySection(SectionSpecifier(part: [3], kind: .header), partial: nil, peek: false)])
        #expect(items("a FETCH 1 BODY[3.TEXT]<10.20>")
            == [.bodySection(SectionSpecifier(part: [3], kind: .text), partial: Partial(origin: 10, length: 20), peek: false)])
        #expect(items("a FETCH 1 BODY.PEEK[2.HEADER.FIELDS.NOT (Received \"X-Spam\")]")
            == [.bodySection(SectionSpecifier(part: [2], kind: .headerFieldsNot(["RECEIVED", "X-SPAM"])), partial: nil, peek: true)])
        #expect(items("a FETCH 1 (BINARY[] BINARY.PEEK[1.2]<0.100> BINARY.SIZE[3])")
            == [.binary(part: [], partial: nil, peek: false), .binary(part: [1, 2], partial: Partial(origin: 0, length: 100), peek: true),
                .binarySize(part: [3])])
        #expect(F.command("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)")
            == .fetch(uid: true, F.set("1:*"), [.flags], modifiers: [.changedSince(12345)]))
        #expect(F.command("a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
            == .fetch(uid: true, F.set("300:500"), [.flags], modifiers: [.changedSince(12345), .vanished]))
        #expect(F.command("a FETCH $ UID") == .fetch(uid: false, .savedResult, [.uid], modifiers: []))
    }

    @Test("STORE: +FLAGS, -FLAGS, FLAGS, .SILENT, single flags, UNCHANGEDSINCE")
    func store() {
        #expect(F.command("A003 STORE 2:4 +FLAGS (\\Deleted)")
            == .store(uid: false, F.set("2:4"), modifiers: [], StoreFlags(.add, flags: [.deleted])))
        #expect(F.command("a STORE 1 -FLAGS.SILENT \\Seen $Junk")
            == .store(uid: false, F.set("1"), modifiers: [], StoreFlags(.remove, silent: true, flags: [.seen, .keyword("$Junk")])))
        #expect(F.command("a UID STORE 5 flags ()") == .store(uid: true, F.set("5"), modifiers: [], StoreFlags(.replace, flags: [])))
        #expect(F.command("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)")
            == .store(uid: false, F.set("7,5,9"), modifiers: [.unchangedSince(320_162_338)], StoreFlags(.add, silent: true, flags: [.deleted])))
        #expect(F.command("a STORE 1 +FLAGS (\\seen \\ANSWERED \\Flagged \\Draft \\Deleted \\Custom)")
            == .store(uid: false, F.set("1"), modifiers: [], StoreFlags(.add, flags: [.seen, .answered, .flagged, .draft, .deleted, .extension("Custom")])))
    }

    @Test("tolerated: runs of spaces, spaces inside parentheses, trailing spaces")
    func tolerances() {
        #expect(F.command("a  NOOP") == .noop)
        #expect(F.command("a NOOP  ") == .noop)
        #expect(F.command("a STORE 1  FLAGS ( \\Deleted )") == .store(uid: false, F.set("1"), modifiers: [], StoreFlags(.replace, flags: [.deleted])))
        #expect(F.command("a SEARCH OR ( FROM o TO o ) ( DRAFT )")
            == .search(uid: false, returnOptions: nil, charset: nil, criteria: [.or(.and([.from(F.bytes("o")), .to(F.bytes("o"))]), .and([.draft]))]))
        #expect(F.command("a LSUB \"\" \"%\"    ") == .lsub(reference: MailboxName(""), pattern: F.bytes("%")))
        #expect(F.command("a STATUS x (  MESSAGES  )") == .status(MailboxName("x"), [.messages]))
        #expect(F.command("a APPEND x {1}\r\ny ") == .append(MailboxName("x"), [AppendMessage(data: F.bytes("y"))]))
        #expect(F.command("a SEARCH  RETURN  ()  CHARSET  UTF-8  ALL") == .search(uid: false, returnOptions: [], charset: "UTF-8", criteria: [.all]))
        #expect(F.command("a LOGIN \"a  b\" c") == .login(username: F.bytes("a  b"), password: F.bytes("c")), "quoted spaces are kept")
    }

    @Test("tags: any ASTRING-CHAR but '+', including ']'")
    func tags() throws {
        #expect(try F.parse("a] NOOP").get().tag == "a]")
        #expect(try F.parse("0001.x NOOP").get().tag == "0001.x")
        #expect(F.error("*a NOOP")?.tag == nil, "'*' is a list-wildcard, not a tag character")
        #expect(F.error("a+ NOOP")?.tag == nil)
    }
}
