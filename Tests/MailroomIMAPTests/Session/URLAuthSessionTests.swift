// URLAuthSessionTests.swift — where CATENATE and the URLAUTH commands stand in the session
// (Session/IMAPSession.swift, IMAPCommandTable): announced only after login, refused with BAD
// before it, handed to the engine in the authenticated and selected states (URLFETCH needs no
// selected mailbox, RFC 4467 §7).

@testable import MailroomIMAP
import Testing

@Suite("Session: CATENATE and URLAUTH")
struct URLAuthSessionTests {
    let helper = IMAPSessionTests()

    @Test("CATENATE, URLAUTH and URLAUTH=BINARY are announced after login only")
    func capabilities() {
        let before = helper.session()
        for name in ["CATENATE", "URLAUTH", "URLAUTH=BINARY"] {
            #expect(!before.capabilities.contains(name))
            #expect(helper.loggedIn().capabilities.contains(name))
        }
    }

    @Test("GENURLAUTH, RESETKEY and URLFETCH need login; then they run, selected or not")
    func states() {
        for (line, name) in [("a URLFETCH /x", "URLFETCH"), ("a RESETKEY", "RESETKEY"), ("a GENURLAUTH /x INTERNAL", "GENURLAUTH")] {
            var anonymous = helper.session()
            #expect(helper.wire(helper.command(&anonymous, line)) == "a BAD \(name) needs login first\r\n")
        }
        var session = helper.loggedIn()
        #expect(helper.command(&session, "d URLFETCH /x") == .execute(tag: "d", .urlFetch([URLFetchRequest(url: Array("/x".utf8))])))
        #expect(helper.command(&session, "e RESETKEY") == .execute(tag: "e", .resetKey(nil, mechanisms: [])))
        session.commandExecuted(selected: true)
        #expect(helper.command(&session, "f APPEND INBOX CATENATE (URL /INBOX/;uid=1)")
                == .execute(tag: "f", .append(.inbox, [AppendMessage(data: [], catenate: [.url(Array("/INBOX/;uid=1".utf8))])])))
    }
}
