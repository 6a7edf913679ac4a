// SessionAuthTests.swift — tests for Commands/AuthCommand.swift and the AUTH rules of the
// command table (RFC 4954; RFC 6409 §4.3 submission; RFC 5802 §6 channel binding): a
// submission port requiring AUTH for MAIL, AUTH before TLS refused or allowed, the SASL
// exchange (initial response, "=", challenges, "*", bad base64, a line too long), failures
// counted as errors, AUTH twice or inside a transaction, unknown mechanisms.

import MailroomCore
@testable import MailroomSMTP
import Testing

@Suite("Session: AUTH")
struct SessionAuthTests {
    @Test("submission: MAIL before AUTH is 530 5.7.0; after AUTH the transaction carries the user")
    func submissionRequiresAuth() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.expect("MAIL FROM:<user@example.com>", .reply(.authenticationRequired))
        s.expect("RCPT TO:<x@example.org>", "530 5.7.0")
        s.expect("DATA", "530 5.7.0")
        s.expect("BDAT 5", "discardChunk 5")
        s.expect("discardMessage 530 5.7.0") { $0.chunkEnded(chunkEnd(last: false, total: 5)) }
        s.authenticate("user@example.com")
        #expect(s.session.isAuthenticated)
        s.mail("user@example.com")
        s.rcpt("friend@example.org", route: .relay)
        #expect(s.session.transaction?.authenticatedUser == "user@example.com")
        #expect(s.session.transaction?.tls == true)
    }

    @Test("submissions (port 465): TLS from the first byte, AUTH offered at once")
    func submissions() {
        var s = Script(SessionFixture.submissions(), tls: true)
        let ehlo = s.send("EHLO client.example.org").reply
        #expect(ehlo?.lines.contains("AUTH PLAIN") == true)
        #expect(ehlo?.lines.contains("STARTTLS") == false)
        s.expect("MAIL FROM:<user@example.com>", "530 5.7.0")
        s.authenticate()
        s.mail("user@example.com")
    }

    @Test("submission in clear: MAIL asks for STARTTLS, AUTH is 538 5.7.11")
    func beforeTLS() {
        var s = Script(SessionFixture.submission())
        s.ehlo()
        s.expect("MAIL FROM:<user@example.com>", .reply(.startTLSRequired))
        s.expect("AUTH PLAIN AHVzZXIAcGFzcw==", .reply(.encryptionRequiredForAuthentication))
        s.expect("AUTH LOGIN", "538 5.7.11")
        s.expect("AUTH CRAM-MD5", .reply(.unsupportedAuthenticationMechanism))
        #expect(!s.session.isAuthenticated)
        // Without a TLS context there is no STARTTLS to ask for: AUTH is still required.
        var noTLS = Script(SessionFixture.submission(startTLSAvailable: false))
        noTLS.ehlo()
        noTLS.expect("MAIL FROM:<user@example.com>", .reply(.authenticationRequired))
    }

    @Test("a loopback client (authRequiresTLS false) may AUTH in clear, but not with a -PLUS mechanism")
    func loopback() {
        var s = Script(SessionFixture.submission(authRequiresTLS: false))
        s.ehlo()
        s.expect("MAIL FROM:<user@example.com>", .reply(.authenticationRequired))
        s.expect("AUTH SCRAM-SHA-256-PLUS", "538 5.7.11")
        s.authenticate()
        s.mail("user@example.com")
    }

    @Test("the initial response: absent is nil, \"=\" is empty, base64 is decoded")
    func initialResponse() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.expect("AUTH LOGIN", .startAuthentication(.login, initialResponse: nil))
        s.expect("535 5.7.8") { $0.authCompleted(.failure(.authenticationFailed)) }
        s.expect("AUTH PLAIN =", .startAuthentication(.plain, initialResponse: []))
        s.expect("535 5.7.8") { $0.authCompleted(.failure(.authenticationFailed)) }
        s.expect("auth plain AHVzZXIAcGFzcw==", .startAuthentication(.plain, initialResponse: bytes("\0user\0pass")))
        s.expect("235 2.7.0") { $0.authCompleted(.success(username: "user")) }
        #expect(s.session.state.errorCount == 2, "each failed AUTH counts")
    }

    @Test("a challenge–response exchange: 334, responses decoded, then 235")
    func exchange() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.expect("AUTH LOGIN", "startAuthentication LOGIN")
        s.expect(.reply(SMTPReply(code: 334, "VXNlcm5hbWU6"))) { $0.authChallenge(bytes("Username:")) }
        s.expect("dXNlcg==", .authResponse(bytes("user")))
        s.expect("334") { $0.authChallenge(bytes("Password:")) }
        s.expect("", .authResponse([]))
        s.expect("334") { $0.authChallenge([]) }
        s.expect("cGFzcw==", .authResponse(bytes("pass")))
        s.expect(.reply(.authenticationSucceeded)) { $0.authCompleted(.success(username: "user@example.com")) }
        #expect(s.session.authenticatedUser == "user@example.com")
    }

    @Test("\"*\" cancels (501), a response that is not base64 is 501 5.5.2, a long line 500 5.5.6")
    func exchangeEnds() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.send("AUTH LOGIN")
        s.run { $0.authChallenge(bytes("Username:")) }
        s.expect("*", .reply(.authenticationCancelled))
        #expect(s.session.state.phase == .command)
        s.send("AUTH LOGIN")
        s.run { $0.authChallenge(bytes("Username:")) }
        s.expect("not base64!", .reply(.authenticationResponseNotBase64))
        s.send("AUTH LOGIN")
        s.run { $0.authChallenge(bytes("Username:")) }
        s.expect(.reply(.authenticationLineTooLong)) { $0.lineTooLong() }
        s.send("AUTH LOGIN")
        s.run { $0.authChallenge(bytes("Username:")) }
        s.expect("501 5.5.2") { $0.invalidLine(.nulByte) }
        #expect(s.session.state.errorCount == 4)
        #expect(!s.session.isAuthenticated)
        // A SASL response line is never taken as a command ("QUIT" is valid base64).
        s.send("AUTH LOGIN")
        s.run { $0.authChallenge(bytes("Username:")) }
        s.expect("QUIT", .authResponse(Base64.decode(bytes("QUIT"))!))
        #expect(!s.session.isClosed)
    }

    @Test("AUTH twice, inside a transaction, after HELO, or without mechanisms: 503 5.5.1")
    func authSequence() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.expect("AUTH PLAIN", .reply(.ehloRequired))
        s.expect("HELO client.example.org", "250")
        s.expect("AUTH PLAIN", "503 5.5.1")
        s.ehlo()
        s.authenticate()
        s.expect("AUTH PLAIN", .reply(.alreadyAuthenticated))

        var mx = Script(SessionFixture.mx(), tls: true)
        mx.ehlo()
        mx.mail("a@example.net")
        mx.expect("AUTH PLAIN", .reply(.transactionInProgress))
        mx.expect("RSET", "resetTransaction 250 2.0.0")
        mx.expect("AUTH PLAIN", "startAuthentication PLAIN")

        var none = Script(SessionFixture.mx(authMechanisms: []), tls: true)
        none.ehlo()
        none.expect("AUTH PLAIN", .reply(.authenticationNotEnabled))
    }

    @Test("a mechanism the service does not have is 504 5.5.4, even if it is well known")
    func unknownMechanism() {
        var s = Script(SessionFixture.mx(authMechanisms: [.plain]), tls: true)
        s.ehlo()
        s.expect("AUTH LOGIN", .reply(.unsupportedAuthenticationMechanism))
        s.expect("AUTH X-MADE-UP", "504 5.5.4")
        s.expect("AUTH THIS-NAME-IS-FAR-TOO-LONG-FOR-SASL", "501 5.5.4")
    }

    @Test("a failed AUTH is answered with the server's reply and password guessing ends at maxErrors")
    func guessing() {
        var s = Script(SessionFixture.submission().withMaxErrors(2), tls: true)
        s.ehlo()
        for _ in 1...2 {
            s.send("AUTH PLAIN AHVzZXIAZ3Vlc3M=")
            s.expect("535 5.7.8") { $0.authCompleted(.failure(.authenticationFailed)) }
        }
        s.send("AUTH PLAIN AHVzZXIAZ3Vlc3M=")
        s.expect("close 421 4.7.0") { $0.authCompleted(.failure(.authenticationFailed)) }
    }

    @Test("answers from the SASL side out of turn close the connection")
    func outOfTurn() {
        var s = Script(SessionFixture.submission(), tls: true)
        s.ehlo()
        s.expect("close 421 4.3.0") { $0.authChallenge([]) }
        var t = Script(SessionFixture.submission(), tls: true)
        t.ehlo()
        t.send("AUTH LOGIN")
        t.run { $0.authChallenge([]) }
        t.expect("close 421 4.3.0") { $0.authCompleted(.success(username: "x")) }
        #expect(!t.session.isAuthenticated)
    }
}

extension SMTPSessionConfiguration {
    func withMaxErrors(_ maxErrors: Int) -> SMTPSessionConfiguration {
        var copy = self
        copy.maxErrors = maxErrors
        return copy
    }
}
