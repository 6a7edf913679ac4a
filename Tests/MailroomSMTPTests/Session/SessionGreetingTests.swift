// SessionGreetingTests.swift — tests for the greeting and Commands/HelloCommand.swift: the
// 220, what EHLO offers in each situation (RFC 5321 §4.1.1.1, RFC 3207 §4.2, RFC 4954 §3),
// HELO's short reply without extensions, and EHLO resetting a transaction (RFC 5321 §4.1.4).

@testable import MailroomSMTP
import Testing

@Suite("Session: greeting, EHLO and HELO")
struct SessionGreetingTests {
    @Test("the greeting is 220 <host> ESMTP, without an enhanced status code")
    func greeting() {
        var s = Script()
        s.expect(.reply(SMTPReply(code: 220, "mx.example.com ESMTP"))) { $0.greeting() }
    }

    @Test("EHLO on port 25 in clear offers STARTTLS and no AUTH (AUTH needs TLS)")
    func ehloPlainMX() {
        var s = Script(SessionFixture.mx())
        s.expect("EHLO client.example.org", .reply(SMTPReply(code: 250, lines: [
            "mx.example.com", "PIPELINING", "SIZE 10000", "STARTTLS", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING",
        ])))
    }

    @Test("EHLO on TLS: no STARTTLS, AUTH with the configured mechanisms, -PLUS included")
    func ehloTLS() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.expect("EHLO client.example.org", .reply(SMTPReply(code: 250, lines: [
            "mx.example.com", "PIPELINING", "SIZE 10000", "AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN", "ENHANCEDSTATUSCODES",
            "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING",
        ])))
    }

    @Test("AUTH is offered before TLS only when not required there, and never a -PLUS mechanism")
    func authAdvertisement() {
        var loopback = Script(SessionFixture.submission(authRequiresTLS: false))
        let reply = loopback.send("EHLO localhost").reply
        #expect(reply?.lines.contains("AUTH SCRAM-SHA-256 PLAIN LOGIN") == true)
        #expect(reply?.lines.contains("STARTTLS") == true)

        var plain = Script(SessionFixture.submission())
        #expect(plain.send("EHLO client.example.org").reply?.lines.contains { $0.hasPrefix("AUTH") } == false)
    }

    @Test("no STARTTLS without a TLS context; no AUTH once authenticated")
    func ehloVariants() {
        var noTLS = Script(SessionFixture.mx(startTLSAvailable: false))
        #expect(noTLS.send("EHLO client.example.org").reply?.lines.contains("STARTTLS") == false)

        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.authenticate()
        let after = s.send("EHLO client.example.org").reply
        #expect(after?.lines.contains { $0.hasPrefix("AUTH") } == false)
        #expect(s.session.isAuthenticated, "EHLO does not forget the authentication")
    }

    @Test("no AUTH line when the service has no mechanisms")
    func noMechanisms() {
        var s = Script(SessionFixture.mx(authMechanisms: []), tls: true)
        #expect(s.send("EHLO client.example.org").reply?.lines.contains { $0.hasPrefix("AUTH") } == false)
        s.expect("AUTH PLAIN", "503 5.5.1")
    }

    @Test("HELO gets the short reply, and then no extension may be used")
    func helo() {
        var s = Script()
        s.expect("HELO client.example.org", .reply(SMTPReply(code: 250, "mx.example.com")))
        s.expect("MAIL FROM:<a@example.net> SMTPUTF8", "555 5.5.4")
        s.expect("MAIL FROM:<a@example.net> BODY=8BITMIME", "555 5.5.4")
        s.expect("MAIL FROM:<a@example.net> SIZE=10", "555 5.5.4")
        s.expect("AUTH PLAIN", "503 5.5.1")
        s.mail("a@example.net")
        s.expect("RCPT TO:<b@example.com> NOTIFY=NEVER", "555 5.5.4")
        s.rcpt("b@example.com")
        s.expect("BDAT 3 LAST", "discardChunk 3 LAST")
        s.expect("discardMessage 503 5.5.1") { $0.chunkEnded(chunkEnd(last: true, total: 3)) }
        #expect(s.session.transaction == nil, "the LAST chunk ended the failed transaction")

        var t = Script()
        t.expect("HELO client.example.org", "250")
        t.mail("a@example.net")
        t.rcpt("b@example.com")
        t.expect("DATA", "receiveMessage 354")
        let transaction = t.session.transaction
        #expect(transaction?.esmtp == false)
        #expect(transaction?.hello.description == "client.example.org")
    }

    @Test("EHLO and HELO accept unqualified names and address literals (policy decides)")
    func helloArguments() {
        var s = Script()
        s.expect("EHLO [192.0.2.10]", "250")
        s.expect("HELO localhost", "250")
        s.expect("EHLO", "501 5.5.2")
    }

    @Test("a new EHLO inside a transaction resets it (RFC 5321 §4.1.4)")
    func ehloResets() {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        let action = s.send("EHLO other.example.org")
        #expect(action.summary == "resetTransaction 250")
        #expect(s.session.transaction == nil)
        s.expect("RCPT TO:<b@example.com>", "503 5.5.1")
        s.mail("a@example.net")
        #expect(s.session.transaction?.hello.description == "other.example.org")
    }
}
