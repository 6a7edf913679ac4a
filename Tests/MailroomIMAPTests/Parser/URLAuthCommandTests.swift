// URLAuthCommandTests.swift — the grammar of CATENATE in APPEND (RFC 4469) and of GENURLAUTH,
// RESETKEY and URLFETCH (RFC 4467, RFC 5524's parameters): fixtures that parse, encode → parse
// round trips, refused frames with their reasons, and a CATENATE command going through the
// framer with a continuation request for each synchronizing literal.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: CATENATE and URLAUTH")
struct URLAuthCommandTests {
    static let url = "imap://joe@example.com/INBOX/;uid=20;urlauth=anonymous"

    static let fixtures: [(String, IMAPCommand)] = [
        ("a APPEND INBOX CATENATE (URL \"/INBOX/;uid=1/;section=header\" TEXT {6}\r\nbody\r\n)",
         .append(.inbox, [AppendMessage(data: [], catenate: [.url(F.bytes("/INBOX/;uid=1/;section=header")),
                                                              .text(F.bytes("body\r\n"), binary: false)])])),
        ("a append Drafts (\\Seen) \"05-Mar-2024 09:08:07 +0530\" catenate (text ~{3}\r\na\u{0}b url /x/;uid=2)",
         .append(MailboxName("Drafts"), [AppendMessage(flags: [.seen], date: RoundTripTests.date, data: [],
                                                       catenate: [.text([0x61, 0, 0x62], binary: true), .url(F.bytes("/x/;uid=2"))])])),
        // MULTIAPPEND mixing CATENATE and plain literals.
        ("a APPEND x CATENATE (URL \"/x/;uid=1\") (\\Answered) {2}\r\nhi CATENATE (TEXT {1}\r\nz)",
         .append(MailboxName("x"), [AppendMessage(data: [], catenate: [.url(F.bytes("/x/;uid=1"))]),
                                    AppendMessage(flags: [.answered], data: F.bytes("hi")),
                                    AppendMessage(data: [], catenate: [.text(F.bytes("z"), binary: false)])])),
        ("a GENURLAUTH \"\(url)\" INTERNAL", .genURLAuth([URLAuthRequest(url: F.bytes(url), mechanism: "INTERNAL")])),
        ("a genurlauth \"\(url)\" internal \"/x\" x-other.1",
         .genURLAuth([URLAuthRequest(url: F.bytes(url), mechanism: "INTERNAL"), URLAuthRequest(url: F.bytes("/x"), mechanism: "X-OTHER.1")])),
        ("a RESETKEY", .resetKey(nil, mechanisms: [])),
        ("a RESETKEY INBOX", .resetKey(.inbox, mechanisms: [])),
        ("a RESETKEY \"Sent Items\" INTERNAL XSAMPLE", .resetKey(MailboxName("Sent Items"), mechanisms: ["INTERNAL", "XSAMPLE"])),
        ("a URLFETCH \(url):internal:0123", .urlFetch([URLFetchRequest(url: F.bytes(url + ":internal:0123"))])),
        ("a URLFETCH (\"\(url)\" BINARY BODYPARTSTRUCTURE) \"\(url)\" (\(url))",
         .urlFetch([URLFetchRequest(url: F.bytes(url), parameters: .init(binary: true, bodyPartStructure: true)),
                    URLFetchRequest(url: F.bytes(url)),
                    URLFetchRequest(url: F.bytes(url), parameters: .init(body: true))])),
    ]

    @Test("fixtures parse to the expected commands")
    func fixturesParse() {
        F.expectParse(Self.fixtures)
    }

    @Test("encode → parse round trips, synchronizing and non-synchronizing literals")
    func roundTrips() throws {
        F.expectRoundTrips(Self.fixtures)
    }

    @Test("refused frames and their reasons", arguments: [
        ("a APPEND INBOX CATENATE", "missing CATENATE parts"),
        ("a APPEND INBOX CATENATE ()", "empty CATENATE parts"),
        ("a APPEND INBOX CATENATE (TEXT \"quoted\")", "expected TEXT literal"),
        ("a APPEND INBOX CATENATE (URL)", "missing URL"),
        ("a APPEND INBOX CATENATE (URL \"\")", "empty URL"),
        ("a APPEND INBOX CATENATE (FILE x)", "unknown CATENATE part (TEXT or URL expected)"),
        ("a APPEND INBOX CATENATE (URL /x/;uid=1", "unbalanced parentheses in CATENATE parts"),
        ("a GENURLAUTH", "missing URL"),
        ("a GENURLAUTH \"/x\"", "missing URLAUTH mechanism"),
        ("a GENURLAUTH \"/x\" INTER_NAL", "invalid URLAUTH mechanism"),
        ("a RESETKEY INBOX INTER/NAL", "invalid URLAUTH mechanism"),
        ("a URLFETCH", "missing URL"),
        ("a URLFETCH (\"/x\" BODY BINARY)", "URLFETCH cannot ask for both BODY and BINARY"),
        ("a URLFETCH (\"/x\" METADATA)", "unknown URLFETCH parameter"),
        ("a URLFETCH (\"/x\"", "unbalanced parentheses in URLFETCH parameters"),
    ])
    func failures(_ frame: String, _ reason: String) {
        let error = F.error(frame)
        #expect(error?.reason == reason, "\(frame)")
        #expect(error?.tag == "a")
    }

    @Test("the framer asks for each synchronizing literal of a CATENATE and hands over one frame")
    func framing() {
        var framer = IMAPCommandFramer()
        framer.isAuthenticated = true
        let input = Array("a APPEND x CATENATE (TEXT {3}\r\nabc URL \"/x/;uid=1\" TEXT {2}\r\nde)\r\n".utf8)
        let events = framer.events(in: input)
        #expect(events.count == 3)
        #expect(events.prefix(2).allSatisfy { $0 == .continuationRequest })
        guard case .command(let frame)? = events.last else { return #expect(Bool(false), "no command frame") }
        #expect(F.command(String(decoding: frame, as: UTF8.self))
                == .append(MailboxName("x"), [AppendMessage(data: [], catenate: [.text(F.bytes("abc"), binary: false),
                                                                                  .url(F.bytes("/x/;uid=1")),
                                                                                  .text(F.bytes("de"), binary: false)])]))
    }

    @Test("URLFETCH's URLs are not shown in logs (they carry access)")
    func logDescription() {
        let command = IMAPCommand.urlFetch([URLFetchRequest(url: F.bytes(Self.url + ":internal:0123"))])
        #expect(!command.description.contains("internal"))
    }
}
