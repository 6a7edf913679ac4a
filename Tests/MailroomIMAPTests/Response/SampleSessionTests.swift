// SampleSessionTests.swift — the server side of RFC 3501 §8's sample session, byte for byte:
// greeting, LOGIN, SELECT (EXISTS, FLAGS, RECENT, UNSEEN, UIDVALIDITY, READ-WRITE), FETCH FULL
// with ENVELOPE and BODY, FETCH BODY[HEADER] with its 342-octet literal (whole, and streamed
// with FetchResponseWriter), STORE and LOGOUT. The RFC folds the long FETCH line for print;
// on the wire it is one line with single spaces.

import MailroomIMAP
import Testing

@Suite("Response: RFC 3501 §8 sample session")
struct SampleSessionTests {
    static func text(_ response: IMAPResponse) -> String { String(decoding: response.encoded(), as: UTF8.self) }
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let header = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\nFrom: Terry Gray <gray@cac.washington.edu>\r\n"
        + "Subject: IMAP4rev1 WG mtg summary and minutes\r\nTo: imap@cac.washington.edu\r\n"
        + "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
        + "Message-Id: <B27397-0100000@cac.washington.edu>\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"

    static let envelope: Envelope = {
        let gray = Address(name: "Terry Gray", mailbox: "gray", host: "cac.washington.edu")
        return Envelope(date: bytes("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"), subject: bytes("IMAP4rev1 WG mtg summary and minutes"),
                        from: [gray], sender: [gray], replyTo: [gray],
                        to: [Address(name: nil, mailbox: "imap", host: "cac.washington.edu")],
                        cc: [Address(name: nil, mailbox: "minutes", host: "CNRI.Reston.VA.US"),
                             Address(name: "John Klensin", mailbox: "KLENSIN", host: "MIT.EDU")],
                        messageID: bytes("<B27397-0100000@cac.washington.edu>"))
    }()

    @Test("greeting, LOGIN and SELECT")
    func loginAndSelect() {
        #expect(Self.text(.untagged(.condition(.ok, code: nil, text: "IMAP4rev1 Service Ready"))) == "* OK IMAP4rev1 Service Ready\r\n")
        #expect(Self.text(.tagged(tag: "a001", status: .ok, code: nil, text: "LOGIN completed")) == "a001 OK LOGIN completed\r\n")
        #expect(Self.text(.untagged(.exists(18))) == "* 18 EXISTS\r\n")
        #expect(Self.text(.untagged(.flags([.answered, .flagged, .deleted, .seen, .draft])))
            == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n")
        #expect(Self.text(.untagged(.recent(2))) == "* 2 RECENT\r\n")
        #expect(Self.text(.untagged(.condition(.ok, code: .unseen(17), text: "Message 17 is the first unseen message")))
            == "* OK [UNSEEN 17] Message 17 is the first unseen message\r\n")
        #expect(Self.text(.untagged(.condition(.ok, code: .uidValidity(3_857_529_045), text: "UIDs valid")))
            == "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
        #expect(Self.text(.tagged(tag: "a002", status: .ok, code: .readWrite, text: "SELECT completed"))
            == "a002 OK [READ-WRITE] SELECT completed\r\n")
    }

    @Test("FETCH 12 FULL: flags, internal date, size, envelope and body structure")
    func fetchFull() {
        let internalDate = IMAPDateTime(date: IMAPDate(year: 1996, month: 7, day: 17)!, hour: 2, minute: 44, second: 25, zoneMinutes: -420)!
        let body = BodyStructure.singlePart(.init(type: "TEXT", subtype: "PLAIN", parameters: [BodyParameter("CHARSET", "US-ASCII")],
                                                  encoding: "7BIT", octets: 3028, kind: .text(lines: 92)))
        let response = IMAPResponse.untagged(.fetch(12, [.flags([.seen]), .internalDate(internalDate), .rfc822Size(4286),
                                                         .envelope(Self.envelope), .body(body)]))
        #expect(Self.text(response) == "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
            + "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
            + "\"IMAP4rev1 WG mtg summary and minutes\" "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            + "((NIL NIL \"imap\" \"cac.washington.edu\")) "
            + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
            + "\"<B27397-0100000@cac.washington.edu>\") "
            + "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n")
        #expect(Self.text(.tagged(tag: "a003", status: .ok, code: nil, text: "FETCH completed")) == "a003 OK FETCH completed\r\n")
    }

    @Test("FETCH 12 BODY[HEADER]: a 342-octet literal, whole or streamed")
    func fetchHeader() {
        #expect(Self.header.utf8.count == 342)
        let expected = "* 12 FETCH (BODY[HEADER] {342}\r\n" + Self.header + ")\r\n"
        let whole = IMAPResponse.untagged(.fetch(12, [.bodySection(.header, origin: nil, data: Self.bytes(Self.header))]))
        #expect(Self.text(whole) == expected)

        var writer = FetchResponseWriter(sequenceNumber: 12)
        var streamed = writer.beginStreamedItem(.bodySection(.header, origin: nil), length: 342)
        #expect(String(decoding: streamed, as: UTF8.self) == "* 12 FETCH (BODY[HEADER] {342}\r\n")
        streamed += Self.bytes(Self.header)
        streamed += writer.finish()
        #expect(String(decoding: streamed, as: UTF8.self) == expected)
    }

    @Test("STORE and LOGOUT")
    func storeAndLogout() {
        #expect(Self.text(.untagged(.fetch(12, [.flags([.seen, .deleted])]))) == "* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n")
        #expect(Self.text(.tagged(tag: "a005", status: .ok, code: nil, text: "+FLAGS completed")) == "a005 OK +FLAGS completed\r\n")
        #expect(Self.text(.untagged(.condition(.bye, code: nil, text: "IMAP4rev1 server terminating connection")))
            == "* BYE IMAP4rev1 server terminating connection\r\n")
        #expect(Self.text(.tagged(tag: "a006", status: .ok, code: nil, text: "LOGOUT completed")) == "a006 OK LOGOUT completed\r\n")
    }
}
