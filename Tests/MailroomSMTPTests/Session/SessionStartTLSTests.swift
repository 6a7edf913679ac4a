// SessionStartTLSTests.swift — tests for Commands/StartTLSCommand.swift (RFC 3207): the 220,
// 454 without a TLS context, 503 on a TLS connection or inside a transaction, nothing executed
// while the handshake runs (CVE-2011-0411), and everything learned in clear forgotten once TLS
// is up (RFC 3207 §4.2).

@testable import MailroomSMTP
import Testing

@Suite("Session: STARTTLS")
struct SessionStartTLSTests {
    @Test("STARTTLS, the handshake, then a fresh start: EHLO again, no AUTH carried over")
    func startTLS() {
        var s = Script(SessionFixture.submission())
        s.ehlo()
        s.expect("STARTTLS", .startTLS(.readyToStartTLS))
        #expect(s.replies.last?.description == "220 2.0.0 Ready to start TLS\r\n")
        s.expect(.none) { $0.tlsEstablished() }
        #expect(s.session.isTLS)
        #expect(s.session.state == SMTPSession.State(), "the greeting, transaction and authentication are forgotten")
        s.expect("MAIL FROM:<user@example.com>", .reply(.helloRequired))
        let ehlo = s.send("EHLO client.example.org").reply
        #expect(ehlo?.lines.contains("STARTTLS") == false)
        #expect(ehlo?.lines.contains("AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN") == true)
        s.authenticate()
        s.mail("user@example.com")
        #expect(s.session.transaction?.tls == true)
    }

    @Test("lines given before the handshake ends are never executed (CVE-2011-0411)")
    func noPlaintextInjection() {
        var s = Script()
        s.ehlo()
        s.expect("STARTTLS", "startTLS 220 2.0.0")
        s.expect("MAIL FROM:<injected@example.net>", .reply(.localError))
        s.expect("451 4.3.0") { $0.lineTooLong() }
        s.expect("451 4.3.0") { $0.invalidLine(.bareCarriageReturn) }
        #expect(s.session.state.phase == .startingTLS)
        #expect(s.session.transaction == nil)
        s.expect(.none) { $0.tlsEstablished() }
        s.expect("RCPT TO:<b@example.com>", "503 5.5.1")
    }

    @Test("an authentication from before TLS does not survive it")
    func authenticationForgotten() {
        var s = Script(SessionFixture.submission(authRequiresTLS: false))
        s.ehlo()
        s.authenticate()
        s.expect("STARTTLS", "startTLS 220 2.0.0")
        s.run { $0.tlsEstablished() }
        #expect(!s.session.isAuthenticated)
        s.ehlo()
        s.expect("MAIL FROM:<user@example.com>", "530 5.7.0")
    }

    @Test("already TLS: 503 5.5.1; no TLS context: 454 4.7.0; in a transaction or before EHLO: 503")
    func refused() {
        var tls = Script(SessionFixture.mx(), tls: true)
        tls.ehlo()
        tls.expect("STARTTLS", .reply(.tlsAlreadyActive))

        var unavailable = Script(SessionFixture.mx(startTLSAvailable: false))
        unavailable.ehlo()
        unavailable.expect("STARTTLS", .reply(.tlsNotAvailable))
        #expect(unavailable.replies.last?.description == "454 4.7.0 TLS not available due to temporary reason\r\n")

        var early = Script()
        early.expect("STARTTLS", .reply(.helloRequired))
        early.ehlo()
        early.mail("a@example.net")
        early.expect("STARTTLS", .reply(.transactionInProgress))
        early.expect("STARTTLS now", "501 5.5.4")
    }

    @Test("tlsEstablished without STARTTLS closes the connection")
    func outOfTurn() {
        var s = Script()
        s.ehlo()
        s.expect("close 421 4.3.0") { $0.tlsEstablished() }
        #expect(!s.session.isTLS)
    }
}
