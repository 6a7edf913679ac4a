// IMAPSessionTests.swift — event → action scripts for Session/IMAPSession.swift (style.md
// §13): the greeting and capabilities before and after TLS and login, state checks, LOGIN and
// AUTHENTICATE (with and without SASL-IR, cancelled, over plaintext refused), failed logins
// up to the close, STARTTLS, IDLE and DONE, refused literals, and BYE after too many BADs.

@testable import MailroomIMAP
import MailroomSASL
import Testing

@Suite("Session: IMAP state machine")
struct IMAPSessionTests {
    static let configuration = IMAPSessionConfiguration(hostName: "mail.example", maxBadCommands: 3, maxFailedLogins: 2,
                                                        startTLSAvailable: true, authRequiresTLS: false)

    func session(tlsRequired: Bool = false) -> IMAPSession {
        var configuration = Self.configuration
        configuration.authRequiresTLS = tlsRequired
        return IMAPSession(configuration: configuration, nonce: { "fixed-nonce" })
    }

    /// The wire text of the responses in an action.
    func wire(_ action: IMAPSession.Action) -> String {
        let responses: [IMAPResponse]
        switch action {
        case .send(let r), .sendAndClose(let r), .startTLS(let r), .startIdle(let r), .endIdle(let r): responses = r
        case .failedLogin(let r, _, _): responses = r
        default: return "\(action)"
        }
        return responses.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined()
    }

    func command(_ session: inout IMAPSession, _ text: String) -> IMAPSession.Action {
        session.frameReceived(.command(Array(text.utf8)))
    }

    /// Logged in as alice@example.com.
    func loggedIn() -> IMAPSession {
        var s = session()
        _ = command(&s, "a LOGIN alice@example.com secret")
        _ = s.loginVerified(.success(user: "alice@example.com"))
        _ = s.mailOpened(.success(user: "alice@example.com"))
        return s
    }

    @Test("the greeting carries the capabilities; LOGINDISABLED and no PLAIN/LOGIN when TLS is required")
    func greeting() {
        let open = session()
        let text = wire(.send(open.greeting()))
        #expect(text.hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN AUTH=CRAM-MD5 AUTH=SCRAM-SHA-256]"))
        let strict = session(tlsRequired: true)
        let caps = strict.capabilities
        #expect(caps.contains("LOGINDISABLED") && caps.contains("STARTTLS"))
        #expect(!caps.contains("AUTH=PLAIN") && caps.contains("AUTH=SCRAM-SHA-256"))
    }

    @Test("LOGIN: password check, mail opened, OK with the capabilities after login")
    func login() {
        var s = session()
        #expect(command(&s, "a1 LOGIN alice@example.com secret") == .verifyPassword(username: "alice@example.com", password: "secret"))
        #expect(s.loginVerified(.success(user: "alice@example.com")) == .openMail(user: "alice@example.com"))
        let ok = wire(s.mailOpened(.success(user: "alice@example.com")))
        #expect(ok.hasPrefix("a1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR ID ENABLE IDLE LITERAL+ NAMESPACE UIDPLUS MOVE"))
        #expect(ok.hasSuffix("] Logged in\r\n"))
        #expect(s.user == "alice@example.com" && s.isAuthenticated)
        #expect(wire(command(&s, "a2 LOGIN bob x")) == "a2 BAD LOGIN is not allowed after login\r\n")
    }

    @Test("LOGIN without TLS where TLS is required: NO [PRIVACYREQUIRED], the store never asked")
    func loginNeedsTLS() {
        var s = session(tlsRequired: true)
        #expect(wire(command(&s, "a1 LOGIN alice secret")) == "a1 NO [PRIVACYREQUIRED] LOGIN needs TLS (use STARTTLS)\r\n")
        #expect(command(&s, "a2 STARTTLS") == .startTLS([.tagged(tag: "a2", status: .ok, code: nil, text: "Begin TLS negotiation now")]))
        s.tlsEstablished()
        #expect(!s.capabilities.contains("STARTTLS") && !s.capabilities.contains("LOGINDISABLED"))
        #expect(command(&s, "a3 LOGIN alice secret") == .verifyPassword(username: "alice", password: "secret"))
    }

    @Test("failed logins are counted; the last allowed one says BYE and closes")
    func failedLogins() {
        var s = session()
        _ = command(&s, "a1 LOGIN alice wrong")
        #expect(s.loginVerified(.invalidCredentials)
                == .failedLogin([.tagged(tag: "a1", status: .no, code: .authenticationFailed, text: "Authentication failed")], failures: 1, close: false))
        _ = command(&s, "a2 LOGIN alice wrong")
        let last = s.loginVerified(.invalidCredentials)
        #expect(wire(last) == "a2 NO [AUTHENTICATIONFAILED] Authentication failed\r\n* BYE Too many failed logins\r\n")
        guard case .failedLogin(_, 2, true) = last else { Issue.record("expected a closing failed login"); return }
        #expect(s.phase == .loggedOut)
    }

    @Test("verified but IMAP disabled, domain disabled, throttled, too many sessions")
    func refusedLogins() {
        var s = session()
        _ = command(&s, "a1 LOGIN alice secret")
        #expect(wire(s.loginVerified(.imapDisabled)) == "a1 NO [AUTHORIZATIONFAILED] IMAP access is disabled for this account\r\n")
        _ = command(&s, "a2 LOGIN alice secret")
        #expect(wire(s.loginVerified(.accountUnavailable)) == "a2 NO [CONTACTADMIN] Account unavailable\r\n")
        _ = command(&s, "a3 LOGIN alice secret")
        _ = s.loginVerified(.success(user: "alice"))
        #expect(wire(s.mailOpened(.tooManySessions)) == "a3 NO [LIMIT] Too many open sessions for this user\r\n")
        #expect(!s.isAuthenticated)
    }

    @Test("AUTHENTICATE PLAIN with an initial response, and without one")
    func authenticatePlain() {
        var s = session()
        // "\0alice\0secret"
        #expect(command(&s, "a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==") == .verifyPassword(username: "alice", password: "secret"))
        #expect(s.loginVerified(.success(user: "alice@example.com")) == .openMail(user: "alice@example.com"))
        #expect(wire(s.mailOpened(.success(user: "alice@example.com"))).hasPrefix("a1 OK [CAPABILITY"))

        var t = session()
        #expect(wire(command(&t, "b1 AUTHENTICATE PLAIN")) == "+ \r\n")
        #expect(t.expectsLine)
        #expect(t.frameReceived(.line(Array("AGFsaWNlAHNlY3JldA==".utf8))) == .verifyPassword(username: "alice", password: "secret"))
        #expect(wire(t.loginVerified(.invalidCredentials)) == "b1 NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
    }

    @Test("AUTHENTICATE cancelled with *, an unknown mechanism, PLAIN refused without TLS")
    func authenticateRefusals() {
        var s = session()
        _ = command(&s, "a1 AUTHENTICATE LOGIN")
        #expect(wire(s.frameReceived(.line(Array("*".utf8)))) == "a1 BAD Authentication cancelled\r\n")
        #expect(s.failedLogins == 0)
        #expect(wire(command(&s, "a2 AUTHENTICATE X-UNKNOWN")) == "a2 NO [CANNOT] Unsupported authentication mechanism\r\n")
        var strict = session(tlsRequired: true)
        #expect(wire(command(&strict, "a3 AUTHENTICATE PLAIN")) == "a3 NO [PRIVACYREQUIRED] PLAIN needs TLS (use STARTTLS)\r\n")
        guard case .send(let r) = command(&strict, "a4 AUTHENTICATE CRAM-MD5"), case .continuation = r.first else {
            Issue.record("CRAM-MD5 should be offered without TLS")
            return
        }
    }

    @Test("state checks: mailbox commands need login, message commands a selected mailbox")
    func stateChecks() {
        var s = session()
        #expect(wire(command(&s, "a1 SELECT INBOX")) == "a1 BAD SELECT needs login first\r\n")
        #expect(wire(command(&s, "a2 FETCH 1 FLAGS")) == "a2 BAD FETCH needs login first\r\n")
        var t = loggedIn()
        #expect(wire(command(&t, "b1 FETCH 1 FLAGS")) == "b1 BAD FETCH needs a selected mailbox\r\n")
        #expect(command(&t, "b2 SELECT INBOX") == .execute(tag: "b2", .select(MailboxName("INBOX"), parameters: [])))
        t.commandExecuted(selected: true)
        guard case .execute(let tag, .fetch) = command(&t, "b3 FETCH 1 FLAGS") else {
            Issue.record("FETCH should run once a mailbox is selected")
            return
        }
        #expect(tag == "b3")
        t.commandExecuted(selected: false)
        #expect(wire(command(&t, "b4 EXPUNGE")) == "b4 BAD EXPUNGE needs a selected mailbox\r\n")
    }

    @Test("IDLE: + idling, lines until DONE, then the tagged OK")
    func idle() {
        var s = loggedIn()
        #expect(command(&s, "i1 IDLE") == .startIdle([.continuation(.text("idling"))]))
        #expect(s.expectsLine)
        #expect(wire(s.frameReceived(.line(Array("done".utf8)))) == "i1 OK IDLE terminated\r\n")
        #expect(!s.expectsLine && s.phase == .authenticated(user: "alice@example.com"))
        _ = command(&s, "i2 IDLE")
        #expect(wire(s.frameReceived(.line(Array("NOOP".utf8)))) == "i2 BAD expected DONE to end IDLE\r\n")
    }

    @Test("a literal refused by the framer: NO [TOOBIG] for APPEND, BAD otherwise")
    func refusedLiterals() {
        var s = loggedIn()
        #expect(wire(s.frameReceived(.refused(tag: Array("a1".utf8), .literalTooLarge(size: 900, limit: 800, isAppend: true))))
                == "a1 NO [TOOBIG] Message of 900 octets is larger than the 800 allowed\r\n")
        #expect(wire(s.frameReceived(.refused(tag: nil, .commandTooLong(limit: 8000))))
                == "* BAD Command longer than the 8000 octets allowed\r\n")
        #expect(wire(s.frameReceived(.continuationRequest)) == "+ Ready for literal data\r\n")
    }

    @Test("BAD replies in a row end the session; a good command resets the count")
    func tooManyBad() {
        var s = session()
        _ = command(&s, "a1 XYZZY")
        _ = command(&s, "a2 XYZZY")
        _ = command(&s, "a3 NOOP")
        #expect(s.badCommandsInARow == 0)
        _ = command(&s, "a4 XYZZY")
        _ = command(&s, "a5 XYZZY")
        let last = command(&s, "a6 XYZZY")
        guard case .sendAndClose(let responses) = last else { Issue.record("expected BYE and close"); return }
        #expect(responses.last == .untagged(.condition(.bye, code: nil, text: "Too many invalid commands")))
    }

    @Test("LOGOUT says BYE, then OK, and closes; CAPABILITY and ID work in any state")
    func logoutAndAnyState() {
        var s = session()
        #expect(wire(command(&s, "a1 ID NIL")) == "* ID (\"name\" \"Mailroom\")\r\na1 OK ID completed\r\n")
        #expect(wire(command(&s, "a2 LOGOUT")) == "* BYE Logging out\r\na2 OK LOGOUT completed\r\n")
        #expect(s.phase == .loggedOut)
    }
}
