// ObjectIDCommandTests.swift — the grammar of SAVEDATE (RFC 8514: FETCH SAVEDATE, SEARCH
// SAVEDBEFORE/SAVEDON/SAVEDSINCE/SAVEDATESUPPORTED), OBJECTID (RFC 8474: FETCH EMAILID and
// THREADID, SEARCH EMAILID/THREADID, STATUS MAILBOXID and the MAILBOXID response code) and
// REPLACE (RFC 8508: [UID] REPLACE n mailbox message): fixtures that parse, encode → parse
// round trips, refused frames, the responses' wire form, and the framer treating a REPLACE
// literal as a message (the APPEND size limit).

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: SAVEDATE, OBJECTID and REPLACE")
struct ObjectIDCommandTests {
    static let message = F.bytes("Subject: x\r\n\r\nbody\r\n")

    static let fixtures: [(String, IMAPCommand)] = [
        ("a FETCH 1 (SAVEDATE)", .fetch(uid: false, F.set("1"), [.saveDate], modifiers: [])),
        ("a UID FETCH 1:* (emailid threadid savedate)", .fetch(uid: true, F.set("1:*"), [.emailID, .threadID, .saveDate], modifiers: [])),
        ("a SEARCH SAVEDON 28-Dec-2014", .search(uid: false, returnOptions: nil, charset: nil,
                                                 criteria: [.savedOn(IMAPDate(year: 2014, month: 12, day: 28)!)])),
        ("a SEARCH SAVEDBEFORE 1-Jan-2020 savedsince 2-Feb-2019 SAVEDATESUPPORTED",
         .search(uid: false, returnOptions: nil, charset: nil,
                 criteria: [.savedBefore(IMAPDate(year: 2020, month: 1, day: 1)!), .savedSince(IMAPDate(year: 2019, month: 2, day: 2)!),
                            .saveDateSupported])),
        ("a UID SEARCH EMAILID Eabc_12-3 OR THREADID T1 ALL",
         .search(uid: true, returnOptions: nil, charset: nil, criteria: [.emailID("Eabc_12-3"), .or(.threadID("T1"), .all)])),
        ("a STATUS INBOX (MESSAGES MAILBOXID)", .status(.inbox, [.messages, .mailboxID])),
        ("a REPLACE 4 Drafts {20+}\r\nSubject: x\r\n\r\nbody\r\n",
         .replace(uid: false, F.set("4"), MailboxName("Drafts"), AppendMessage(data: message))),
        ("a UID REPLACE 2000 INBOX (\\Seen \\Draft) \"05-Mar-2024 09:08:07 +0530\" {20}\r\nSubject: x\r\n\r\nbody\r\n",
         .replace(uid: true, F.set("2000"), .inbox, AppendMessage(flags: [.seen, .draft], date: RoundTripTests.date, data: message))),
        ("a replace * x catenate (url \"/x/;uid=1\")",
         .replace(uid: false, F.set("*"), MailboxName("x"), AppendMessage(data: [], catenate: [.url(F.bytes("/x/;uid=1"))]))),
    ]

    @Test("fixtures parse to the expected commands")
    func fixturesParse() {
        F.expectParse(Self.fixtures)
    }

    @Test("encode → parse round trips")
    func roundTrips() throws {
        F.expectRoundTrips(Self.fixtures)
    }

    @Test("refused frames", arguments: [
        "a REPLACE 1:2 INBOX {1+}\r\nx",        // one message only
        "a REPLACE 1,3 INBOX {1+}\r\nx",
        "a REPLACE $ INBOX {1+}\r\nx",
        "a REPLACE 1 INBOX",                    // no message
        "a UID REPLACE 1 {1+}\r\nx",            // no mailbox
        "a SEARCH EMAILID",                     // no objectid
        "a SEARCH EMAILID \"E1\"",              // an objectid is not a string
        "a SEARCH THREADID a.b",                // "." is not an objectid character
        "a SEARCH SAVEDON 2014-12-28",
        "a FETCH 1 (SAVEDATES)",
    ])
    func refused(_ frame: String) {
        #expect(F.command(frame) == nil, "\(frame) parsed")
    }

    @Test("an objectid is at most 255 characters")
    func objectIDLength() {
        #expect(F.command("a SEARCH EMAILID " + String(repeating: "E", count: 255)) != nil)
        #expect(F.command("a SEARCH EMAILID " + String(repeating: "E", count: 256)) == nil)
    }

    @Test("responses: SAVEDATE date-time or NIL, EMAILID and THREADID, STATUS and response-code MAILBOXID")
    func responses() {
        func text(_ response: IMAPResponse) -> String { String(decoding: response.encoded().dropLast(2), as: UTF8.self) }
        #expect(text(.untagged(.fetch(1, [.saveDate(IMAPDateTime(secondsSince1970: 0)), .emailID("Eab"), .threadID(nil)])))
                == "* 1 FETCH (SAVEDATE \" 1-Jan-1970 00:00:00 +0000\" EMAILID (Eab) THREADID NIL)")
        #expect(text(.untagged(.fetch(2, [.saveDate(nil), .threadID("T1")]))) == "* 2 FETCH (SAVEDATE NIL THREADID (T1))")
        #expect(text(.untagged(.status(.inbox, [MailboxStatusValue(.messages, 3), MailboxStatusValue(mailboxID: "Mf00")])))
                == "* STATUS INBOX (MESSAGES 3 MAILBOXID (Mf00))")
        #expect(text(.tagged(tag: "a", status: .ok, code: .mailboxID("M1"), text: "CREATE completed")) == "a OK [MAILBOXID (M1)] CREATE completed")
    }

    @Test("object identifiers: letters first, objectid characters only, EMAILID from the GUID")
    func identifiers() {
        let id = ObjectID.emailID(guid: "1700000000.M1P2Q3.host,S=10,W=12")
        #expect(id.count == 1 + ObjectID.emailIDHashHexDigits && id.hasPrefix("E") && ObjectID.isValid(Array(id.utf8)))
        #expect(ObjectID.emailID(guid: "1700000000.M1P2Q3.host,S=10,W=12") == id, "the same GUID, the same EMAILID")
        #expect(ObjectID.emailID(guid: "1700000000.M1P2Q4.host,S=10,W=12") != id)
        #expect(ObjectID.mailboxID(guid: "0123456789abcdef0123456789abcdef") == "M0123456789abcdef0123456789abcdef")
        #expect(ObjectID.mailboxID(guid: "a b.c") == "Mabc", "a GUID from another program's file is cleaned")
    }

    @Test("the framer takes a REPLACE literal as a message (APPEND's limit), other commands' literals not")
    func framerLimit() {
        #expect(IMAPCommandFramer.isAppendCommand(F.bytes("a REPLACE 1 INBOX {5000000}")))
        #expect(IMAPCommandFramer.isAppendCommand(F.bytes("a uid replace 1 INBOX {5000000}")))
        #expect(IMAPCommandFramer.isAppendCommand(F.bytes("a APPEND INBOX {5000000}")))
        #expect(!IMAPCommandFramer.isAppendCommand(F.bytes("a UID FETCH 1 {5000000}")))
        #expect(!IMAPCommandFramer.isAppendCommand(F.bytes("a UID")))
        #expect(!IMAPCommandFramer.isAppendCommand(F.bytes("a REPLACES 1 INBOX {5}")))
    }
}
