// CatenateEngineTests.swift — APPEND with CATENATE (RFC 4469) in Mailbox/IMAPMailboxEngine+
// Catenate.swift, against MemoryStorage: TEXT and URL parts put together (sections, partial
// ranges, UIDVALIDITY), MULTIAPPEND all or nothing, and each refusal with its response code —
// TRYCREATE before any URL, BADURL naming the URL, TOOBIG, LIMIT — with nothing stored.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: CATENATE")
struct CatenateEngineTests {
    static let first = "From: foo@example.com\r\n\r\nHello world body\r\n"
    static let second = "From: foo2@example.com\r\n\r\nLookslike: header\r\n\r\nAnother body\r\n"
    static let multipart = "From: m@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\npart one\r\n--b\r\n"
        + "Content-Type: text/plain\r\n\r\npart two\r\n--b--\r\n"

    /// Storage with `src` holding the three messages (UIDs 1-3) and an empty `dst`; the engine
    /// logged in as alice@example.com with memory keys.
    static func engine() throws -> (IMAPMailboxEngine, MemoryStorage, UInt32) {
        let storage = MemoryStorage()
        try storage.createFolder(FolderPath(["src"]))
        try storage.createFolder(FolderPath(["dst"]))
        var validity: UInt32 = 0
        for text in [first, second, multipart] {
            validity = try storage.append(FolderPath(["src"]), message: Array(text.utf8), flags: [], keywords: [], internalDate: nil).uidValidity
        }
        var options = IMAPMailboxEngine.Options()
        options.urlAuth = URLAuthAccount(user: "alice@example.com", serverNames: ["mail.example.net"], keys: MemoryURLAuthKeys())
        return (IMAPMailboxEngine(storage: storage, options: options), storage, validity)
    }

    /// A CATENATE APPEND's frame: parts are ("TEXT", text) or ("URL", url).
    static func append(_ engine: IMAPMailboxEngine, to mailbox: String = "dst", _ parts: [(String, String)]...) -> String {
        let messages = parts.map { message in
            AppendMessage(data: [], catenate: message.map { kind, value in
                kind == "TEXT" ? .text(Array(value.utf8), binary: false) : .url(Array(value.utf8))
            })
        }
        return engine.execute(tag: "a", .append(MailboxName(Array(mailbox.utf8)), messages)) { _ in }
            .encodedText
    }

    static func messages(_ storage: MemoryStorage, _ folder: String = "dst") throws -> [String] {
        try storage.uids(FolderPath([folder])).map { String(decoding: try storage.fetch(FolderPath([folder]), uid: $0) ?? [], as: UTF8.self) }
    }

    @Test("TEXT and URL parts make the message: sections, UIDVALIDITY, partial ranges, nested parts")
    func assembles() throws {
        let (engine, storage, validity) = try Self.engine()
        #expect(Self.append(engine, [("URL", "/src/;uid=1/;section=header"), ("TEXT", "body1\r\n")]).hasPrefix("a OK [APPENDUID "))
        #expect(Self.append(engine, [("URL", "/src;uidvalidity=\(validity)/;uid=2/;section=text"), ("TEXT", "x\r\n")]).hasPrefix("a OK"))
        #expect(Self.append(engine, [("TEXT", "Subject: s\r\n\r\n"), ("URL", "/src/;uid=1/;section=1"), ("URL", "/src/;uid=2/;partial=6.4")])
                .hasPrefix("a OK"))
        #expect(Self.append(engine, [("TEXT", "H: 1\r\n\r\n"), ("URL", "/src/;UID=3/;SECTION=2"), ("URL", "/src/;uid=3/;partial=100000.1")])
                .hasPrefix("a OK"))
        #expect(Self.append(engine, [("URL", "imap://alice@example.com/src/;uid=1")]).hasPrefix("a OK"))
        #expect(Self.append(engine, [("URL", "imap://alice%40example.com@mail.example.net/src/;uid=1/;section=header")]).hasPrefix("a OK"))
        #expect(try Self.messages(storage) == [
            "From: foo@example.com\r\n\r\nbody1\r\n",
            "Lookslike: header\r\n\r\nAnother body\r\nx\r\n",
            "Subject: s\r\n\r\nHello world body\r\nfoo2",
            "H: 1\r\n\r\npart two",
            Self.first,
            "From: foo@example.com\r\n\r\n",
        ])
    }

    @Test("MULTIAPPEND with CATENATE and literals: all stored, one APPENDUID")
    func multiappend() throws {
        let (engine, storage, _) = try Self.engine()
        let reply = engine.execute(tag: "a", .append(MailboxName("dst"), [
            AppendMessage(data: [], catenate: [.url(Array("/src/;uid=1".utf8))]),
            AppendMessage(flags: [.answered], data: Array("New: Message\r\n\r\nbody4\r\n".utf8)),
            AppendMessage(data: [], catenate: [.url(Array("/src/;uid=2/;section=header".utf8)), .text(Array("b\r\n".utf8), binary: false)]),
        ])) { _ in }
        #expect(reply.encodedText.contains("APPENDUID") && reply.encodedText.contains(" 1:3]"), "\(reply.encodedText)")
        #expect(try Self.messages(storage).count == 3)
        #expect(try storage.open(FolderPath(["dst"]), claimRecent: false).messages[1].flags == .answered)
    }

    @Test("a missing mailbox is TRYCREATE before any URL is looked at")
    func tryCreate() throws {
        let (engine, _, _) = try Self.engine()
        #expect(Self.append(engine, to: "nowhere", [("URL", "/src;uidvalidity=1/;uid=1")]).hasPrefix("a NO [TRYCREATE]"))
        #expect(Self.append(engine, to: "nowhere", [("TEXT", "x"), ("URL", "bogus")]).hasPrefix("a NO [TRYCREATE]"))
    }

    @Test("a URL that cannot be used is NO [BADURL url], and nothing of the command is stored",
          arguments: [
            "/src;uidvalidity=12345/;uid=1/;section=header",   // UIDVALIDITY changed
            "/src/;uid=99",                                    // no such message
            "/src/;uid=1/;section=5",                          // no such part
            "/src/;uid=1/;section=1.header",                   // part 1 is not a message
            "/nowhere/;uid=1",                                 // no such mailbox
            "/src",                                            // not a message URL
            "src/;uid=1",                                      // not absolute
            "/src/;uid=1/;bogus=1",                            // syntax
            "imap://bob@example.com/src/;uid=1",               // another user, no URLAUTH
            "imap://alice@elsewhere.org/src/;uid=1",           // not this server
            "imap://alice@example.com/src/;uid=1;urlauth=anonymous",   // a rump, not authorized
          ])
    func badURL(_ url: String) throws {
        let (engine, storage, _) = try Self.engine()
        let reply = engine.execute(tag: "a", .append(MailboxName("dst"), [
            AppendMessage(data: Array("Good: one\r\n\r\nx\r\n".utf8)),
            AppendMessage(data: [], catenate: [.text(Array("hdr: 1\r\n\r\n".utf8), binary: false), .url(Array(url.utf8)),
                                               .text(Array("more".utf8), binary: false)]),
        ])) { _ in }
        #expect(reply.encodedText.hasPrefix("a NO [BADURL \(url)] "), "\(reply.encodedText)")
        #expect(try Self.messages(storage).isEmpty)
    }

    @Test("the result is held to the APPEND size limit (TOOBIG), URL parts to URLAuthLimits.urlsPerCommand (LIMIT)")
    func limits() throws {
        let storage = MemoryStorage()
        try storage.createFolder(FolderPath(["dst"]))
        _ = try storage.append(.inbox, message: Array(String(repeating: "x", count: 600).utf8), flags: [], keywords: [], internalDate: nil)
        var options = IMAPMailboxEngine.Options()
        options.maxAppendBytes = 1000
        let engine = IMAPMailboxEngine(storage: storage, options: options)
        #expect(Self.append(engine, [("URL", "/INBOX/;uid=1"), ("URL", "/INBOX/;uid=1")]).hasPrefix("a NO [TOOBIG]"))
        #expect(Self.append(engine, [("URL", "/INBOX/;uid=1"), ("TEXT", "\r\nend\r\n")]).hasPrefix("a OK"))
        let many = Array(repeating: ("URL", "/INBOX/;uid=1/;partial=0.1"), count: URLAuthLimits.urlsPerCommand + 1)
        let reply = engine.execute(tag: "a", .append(MailboxName("dst"), [AppendMessage(data: [], catenate: many.map { .url(Array($0.1.utf8)) })])) { _ in }
        #expect(reply.encodedText.hasPrefix("a NO [LIMIT]"))
        #expect(try storage.uids(FolderPath(["dst"])).count == 1)
    }

    @Test("CATENATE into the selected mailbox reports the new message")
    func selected() throws {
        let (engine, _, _) = try Self.engine()
        _ = engine.execute(tag: "s", .select(MailboxName("src"), parameters: [])) { _ in }
        var untagged: [String] = []
        let reply = engine.execute(tag: "a", .append(MailboxName("src"), [AppendMessage(data: [], catenate: [.url(Array("/src/;uid=1".utf8))])])) {
            untagged += $0.map(\.encodedText)
        }
        #expect(reply.encodedText.hasPrefix("a OK [APPENDUID"))
        #expect(untagged.contains("* 4 EXISTS"))
    }
}

extension IMAPResponse {
    /// The response's wire text without its CRLF (literals kept in place).
    var encodedText: String { String(decoding: encoded().dropLast(2), as: UTF8.self) }
}
