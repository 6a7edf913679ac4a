// MetadataCommandTests.swift — the grammar of GETMETADATA and SETMETADATA (RFC 5464 §4.2,
// §4.3, §5) in Parser/IMAPCommandParser+Metadata.swift and Grammar/MetadataEntry.swift:
// fixtures, encode → parse round trips, the entry-name checks of §3.2 (BAD), refused frames
// with their reasons, and a SETMETADATA literal going through the framer.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: METADATA")
struct MetadataCommandTests {
    static func entry(_ name: String) -> MetadataEntryName { try! MetadataEntryName(validating: Array(name.utf8)) }

    static let fixtures: [(String, IMAPCommand)] = [
        ("a GETMETADATA \"\" /shared/comment", .getMetadata(MailboxName([]), options: MetadataOptions(), entries: [entry("/shared/comment")])),
        ("a GETMETADATA INBOX (/shared/comment /private/Comment)",
         .getMetadata(.inbox, options: MetadataOptions(), entries: [entry("/shared/comment"), entry("/private/comment")])),
        // The ABNF's place for options, and the RFC examples' place (after the mailbox).
        ("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX /private/x",
         .getMetadata(.inbox, options: MetadataOptions(maxSize: 1024, depth: .infinity), entries: [entry("/private/x")])),
        ("a getmetadata \"INBOX\" (DEPTH 1) (MAXSIZE 15) (/private/comment)",
         .getMetadata(.inbox, options: MetadataOptions(maxSize: 15, depth: .one), entries: [entry("/private/comment")])),
        ("a GETMETADATA INBOX (depth 0) \"/shared/a b\"",
         .getMetadata(.inbox, options: MetadataOptions(depth: .zero), entries: [entry("/shared/a b")])),
        ("a GETMETADATA INBOX (MAXSIZE 0) /private/x",
         .getMetadata(.inbox, options: MetadataOptions(maxSize: 0), entries: [entry("/private/x")])),
        ("a SETMETADATA INBOX (/private/comment \"My new comment\")",
         .setMetadata(.inbox, [MetadataEntryValue(entry: entry("/private/comment"), value: F.bytes("My new comment"))])),
        ("a SETMETADATA \"\" (/shared/motd NIL /private/x \"NIL\")",
         .setMetadata(MailboxName([]), [MetadataEntryValue(entry: entry("/shared/motd"), value: nil),
                                        MetadataEntryValue(entry: entry("/private/x"), value: F.bytes("NIL"))])),
        ("a SETMETADATA Work (/private/comment {6}\r\nab\r\ncd /shared/vendor/vendor.x/bin ~{3}\r\na\u{0}b)",
         .setMetadata(MailboxName("Work"), [MetadataEntryValue(entry: entry("/private/comment"), value: F.bytes("ab\r\ncd")),
                                            MetadataEntryValue(entry: entry("/shared/vendor/vendor.x/bin"), value: [0x61, 0, 0x62], binary: true)])),
    ]

    @Test("fixtures parse to the expected commands")
    func fixturesParse() {
        F.expectParse(Self.fixtures)
    }

    @Test("encode → parse round trips, synchronizing and non-synchronizing literals")
    func roundTrips() throws {
        F.expectRoundTrips(Self.fixtures)
    }

    @Test("entry names RFC 5464 §3.2 does not allow are BAD", arguments: [
        "/pri*vate/comment", "/private/com%ment", "private/comment", "/private//comment", "/private/comment/",
        "/private", "/shared", "/other/comment", "/private/vendor", "/private/vendor/token", "/private/a\u{1}b", "",
    ])
    func badEntryNames(_ name: String) {
        #expect(F.error("a SETMETADATA INBOX (\"\(name)\" \"v\")")?.reason.hasPrefix("invalid entry name") == true, "\(name)")
        #expect(F.error("a GETMETADATA INBOX \"\(name)\"")?.reason.hasPrefix("invalid entry name") == true, "\(name)")
    }

    @Test("entry names: case folded, vendor subtree, length limit")
    func goodEntryNames() throws {
        #expect(Self.entry("/Shared/Vendor/vendor.X/Comment").name == "/shared/vendor/vendor.x/comment")
        #expect(Self.entry("/private/comment").depth(of: Self.entry("/private/comment/user/name")) == 2)
        #expect(Self.entry("/private/comment").depth(of: Self.entry("/private/comments")) == nil)
        let long = "/private/" + String(repeating: "x", count: MetadataLimits.maxEntryNameBytes)
        #expect(throws: MetadataEntryName.Invalid.self) { try MetadataEntryName(validating: Array(long.utf8)) }
    }

    @Test("refused frames and their reasons", arguments: [
        ("a SETMETADATA INBOX (/private/comment )", "missing entry value"),
        ("a SETMETADATA INBOX /private/comment \"x\")", "expected '(' to open entry values"),
        ("a SETMETADATA INBOX (/private/comment \"x\"", "unbalanced parentheses in entry values"),
        ("a SETMETADATA INBOX (/private/comment PP\")", "expected entry value"),
        ("a SETMETADATA INBOX ()", "empty entry values"),
        ("a SETMETADATA INBOX (/private/comment My new comment)", "expected entry value"),
        ("a GETMETADATA \"INBOX\"", "missing entries"),
        ("a GETMETADATA \"INBOX\" /shared/comment /private/comment)", "unexpected text after the GETMETADATA command"),
        ("a GETMETADATA \"INBOX\" (/shared/comment /private/comment", "unbalanced parentheses in entries"),
        ("a GETMETADATA \"INBOX\" (/private/comment) (/another/key/group)", "unexpected text after the GETMETADATA command"),
        ("a GETMETADATA \"INBOX\" (MAXSIZE 10) (DEPTH 1)", "missing entries"),
        ("a GETMETADATA \"INBOX\" (/private/comment) (MAXSIZE 10)", "unexpected text after the GETMETADATA command"),
        ("a GETMETADATA \"INBOX\" (DEPTH -1) (/private/comment)", "DEPTH must be 0, 1 or infinity"),
        ("a GETMETADATA \"INBOX\" (DEPTH 2) /private/comment", "DEPTH must be 0, 1 or infinity"),
        ("a GETMETADATA (/private/comment)", "unknown GETMETADATA option"),
        ("a GETMETADATA \"INBOX\" (MAXSIZE 1 MAXSIZE 2) /private/x", "MAXSIZE given twice"),
        ("a GETMETADATA \"INBOX\" (COUNT 1) /private/x", "unknown GETMETADATA option"),
    ])
    func failures(_ frame: String, _ reason: String) {
        let error = F.error(frame)
        #expect(error?.reason == reason, "\(frame): \(error?.reason ?? "parsed")")
        #expect(error?.tag == "a")
    }

    @Test("the framer asks for a SETMETADATA literal and hands over one frame")
    func framing() {
        var framer = IMAPCommandFramer()
        framer.isAuthenticated = true
        let input = Array("a4 SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines. )\r\n".utf8)
        let events = framer.events(in: input)
        #expect(events.count == 2)
        #expect(events.first == .continuationRequest)
        guard case .command(let frame)? = events.last else { return #expect(Bool(false), "no command frame") }
        #expect(F.command(String(decoding: frame, as: UTF8.self))
                == .setMetadata(.inbox, [MetadataEntryValue(entry: Self.entry("/private/comment"),
                                                            value: F.bytes("My new comment across\r\ntwo lines."))]))
    }

    @Test("METADATA responses and response codes encode as RFC 5464 §5 has them")
    func responses() {
        let values = [MetadataEntryValue(entry: Self.entry("/private/comment"), value: F.bytes("My own comment")),
                      MetadataEntryValue(entry: Self.entry("/shared/x"), value: nil),
                      MetadataEntryValue(entry: Self.entry("/shared/y"), value: F.bytes("a\r\nb")),
                      MetadataEntryValue(entry: Self.entry("/shared/z"), value: [0, 1])]
        #expect(IMAPResponse.untagged(.metadata(.inbox, values)).encodedText
                == "* METADATA \"INBOX\" (/private/comment \"My own comment\" /shared/x NIL /shared/y {4}\r\na\r\nb /shared/z ~{2}\r\n\u{0}\u{1})")
        #expect(IMAPResponse.tagged(tag: "g", status: .ok, code: .metadata(.longEntries(18)), text: "done").encodedText
                == "g OK [METADATA LONGENTRIES 18] done")
        #expect(IMAPResponse.tagged(tag: "s", status: .no, code: .metadata(.maxSize(1024)), text: "x").encodedText == "s NO [METADATA MAXSIZE 1024] x")
        #expect(IMAPResponse.tagged(tag: "s", status: .no, code: .metadata(.tooMany), text: "x").encodedText == "s NO [METADATA TOOMANY] x")
    }
}
