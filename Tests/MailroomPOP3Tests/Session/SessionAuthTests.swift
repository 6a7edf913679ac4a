// SessionAuthTests.swift — tests for LoginCommands, AuthCommand and StartTLSCommand: USER/PASS,
// AUTH PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-256 run through MailroomSASL (with the RFC 2195
// and RFC 7677 vectors), "*" and bad base64, plaintext logins refused before TLS and allowed on
// loopback, STLS (and what it forgets), CAPA in each state, the account's POP3 flag and domain
// state, failed logins counted and closing the session.

import MailroomCore
@testable import MailroomPOP3
import MailroomSASL
import Testing

@Suite("Session: authentication")
struct SessionAuthTests {
    @Test("USER/PASS before TLS is refused and not advertised; STLS, then it works")
    func plaintextBeforeTLS() {
        var s = Script()
        let capa = s.send("CAPA").reply?.lines ?? []
        #expect(capa == ["TOP", "UIDL", "SASL CRAM-MD5 SCRAM-SHA-256", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS",
                         "EXPIRE NEVER", "LOGIN-DELAY 0", "IMPLEMENTATION Mailroom"])
        let refused = "-ERR [AUTH] Plaintext authentication disallowed on non-secure connections, use STLS"
        s.expect("USER mrose", refused)
        s.expect("PASS secret", refused)
        s.expect("AUTH PLAIN AHVzZXIAcGFzcw==", refused)
        s.expect("AUTH LOGIN", refused)
        #expect(s.session.failedLogins == 0)
        s.expect("STLS", "startTLS +OK Begin TLS negotiation")
        #expect(s.session.isAwaitingOutcome)
        s.expect("none") { $0.tlsEstablished() }
        #expect(s.session.isTLS)
        let after = s.send("CAPA").reply?.lines ?? []
        #expect(after.contains("USER") && after.contains("SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256") && !after.contains("STLS"))
        s.expect("STLS", "-ERR TLS is already active")
        s.login()
        let transaction = s.send("CAPA").reply?.lines ?? []
        #expect(transaction == ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "LOGIN-DELAY 0",
                                "IMPLEMENTATION Mailroom"])
    }

    @Test("STLS forgets a USER given in clear; a line during the handshake is never executed")
    func stlsForgets() {
        var s = Script(SessionFixture.configuration(authRequiresTLS: false))
        s.expect("USER mrose", "+OK Send PASS")
        s.expect("STLS", "startTLS +OK Begin TLS negotiation")
        s.expect("none") { $0.tlsEstablished() }
        s.expect("PASS secret", "-ERR Send USER first")
        var injected = Script()
        injected.expect("STLS", "startTLS +OK Begin TLS negotiation")
        injected.expect("USER evil", "close -ERR [SYS/TEMP] Internal error, closing connection")
        var unavailable = Script(SessionFixture.configuration(startTLSAvailable: false))
        unavailable.expect("STLS", "-ERR STLS is not available")
        let capa = unavailable.send("CAPA").reply?.lines ?? []
        #expect(!capa.contains("STLS"))
    }

    @Test("a loopback connection (authRequiresTLS false) may log in with USER/PASS in clear")
    func loopback() {
        var s = Script(SessionFixture.configuration(authRequiresTLS: false))
        let capa = s.send("CAPA").reply?.lines ?? []
        #expect(capa.contains("USER"))
        s.login()
    }

    @Test("USER/PASS switched off: refused, not advertised; AUTH still works")
    func userPassDisabled() {
        var s = Script(SessionFixture.configuration(allowsUserPass: false), tls: true)
        let capa = s.send("CAPA").reply?.lines ?? []
        #expect(!capa.contains("USER"))
        s.expect("USER mrose", "-ERR [AUTH] USER/PASS is disabled, use AUTH")
        s.expect("AUTH PLAIN AHVzZXIAcGFzcw==", "verifyPassword user pass")
    }

    @Test("PASS without USER; a new USER replaces the old")
    func userFirst() {
        var s = Script(tls: true)
        s.expect("PASS secret", "-ERR Send USER first")
        s.expect("USER one", "+OK Send PASS")
        s.userPass("two", "with space")
    }

    @Test("the store's verdicts: [AUTH], [LOGIN-DELAY], [SYS/PERM], [SYS/TEMP]")
    func verdicts() {
        var s = Script(SessionFixture.configuration(maxFailedLogins: 10), tls: true)
        let cases: [(POP3AuthOutcome, String)] = [
            (.invalidCredentials, "failedLogin 1 -ERR [AUTH] Authentication failed"),
            (.pop3Disabled, "failedLogin 2 -ERR [AUTH] POP3 access is disabled for this account"),
            (.loginDelay, "-ERR [LOGIN-DELAY] Login too soon after the last one"),
            (.accountUnavailable, "-ERR [SYS/PERM] Account unavailable"),
            (.temporaryFailure, "-ERR [SYS/TEMP] Temporary authentication failure, try again later"),
        ]
        for (outcome, expected) in cases {
            s.userPass("a", "b")
            s.expect(expected) { $0.passwordChecked(outcome) }
            #expect(s.session.protocolState == .authorization)
        }
        #expect(s.session.failedLogins == 2)
        #expect(s.session.errorCount == 0)
    }

    @Test("failed logins are counted, each asks for a delay, and the third closes")
    func failedLoginLimit() {
        var s = Script(tls: true)
        for count in 1...3 {
            s.userPass("a", "wrong")
            let action = s.run { $0.passwordChecked(.invalidCredentials) }
            #expect(action == .failedLogin(.authenticationFailed, failedLogins: count, close: count == 3))
        }
        #expect(s.session.isClosed)
        #expect(s.session.failedLogins == 3)
    }

    @Test("AUTH PLAIN with an initial response, with '=', and after an empty challenge")
    func plain() {
        var s = Script(tls: true)
        s.expect("AUTH PLAIN " + base64("\0mrose\0tanstaaf"), "verifyPassword mrose tanstaaf")
        s.expect("openMaildrop mrose@example.com") { $0.passwordChecked(.success(user: "mrose@example.com")) }
        s.expect("+OK maildrop has 0 messages (0 octets)") { $0.maildropOpened(.opened([])) }
        #expect(s.session.user == "mrose@example.com", "the store's name, not the client's")
        var e = Script(tls: true)
        e.expect("AUTH PLAIN", "+ ")
        #expect(e.session.nextLineKind == .saslResponse)
        e.expect(base64("authz\0mrose\0pw"), "failedLogin 1 -ERR [AUTH] Authentication failed")
        e.expect("AUTH PLAIN =", "-ERR Malformed authentication exchange")
        #expect(e.session.nextLineKind == .command)
    }

    @Test("AUTH LOGIN: two challenges, then the password check; a wrong password fails the exchange")
    func login() {
        var s = Script(tls: true)
        s.expect("AUTH LOGIN", "+ VXNlcm5hbWU6")
        s.expect(base64("mrose"), "+ UGFzc3dvcmQ6")
        s.expect(base64("pw"), "verifyPassword mrose pw")
        #expect(s.session.isAwaitingOutcome)
        s.expect("failedLogin 1 -ERR [AUTH] Authentication failed") { $0.passwordChecked(.invalidCredentials) }
        s.expect("auth login " + base64("mrose"), "+ UGFzc3dvcmQ6")
        s.expect(base64("pw"), "verifyPassword mrose pw")
        s.expect("-ERR [SYS/TEMP] Temporary authentication failure, try again later") { $0.passwordChecked(.temporaryFailure) }
        s.expect("AUTH LOGIN", "+ VXNlcm5hbWU6")
        s.expect(base64("mrose"), "+ UGFzc3dvcmQ6")
        s.expect(base64("pw"), "verifyPassword mrose pw")
        s.expect("failedLogin 2 -ERR [AUTH] POP3 access is disabled for this account") { $0.passwordChecked(.pop3Disabled) }
    }

    @Test("AUTH CRAM-MD5 with RFC 2195's example (allowed before TLS: no password is sent)")
    func cramMD5() {
        var s = Script(nonce: "1896.697170952")
        let challenge = "<1896.697170952@pop.example.com>"
        s.expect("AUTH CRAM-MD5", "+ " + base64(challenge))
        let digest = CRAMMD5Secret(password: "tanstaaftanstaaf").response(to: bytes(challenge))
        s.expect(base64("tim " + digest), "lookupCredentials tim")
        let credentials = SASLCredentials(cramMD5: CRAMMD5Secret(password: "tanstaaftanstaaf"))
        s.expect("openMaildrop tim@example.com") { $0.credentialsFound(credentials, outcome: .success(user: "tim@example.com")) }
        s.expect("+OK maildrop has 1 message (5 octets)") { $0.maildropOpened(.opened(SessionFixture.messages(5))) }
        var wrong = Script(nonce: "1896.697170952")
        wrong.expect("AUTH CRAM-MD5", "+ " + base64(challenge))
        wrong.expect(base64("tim " + String(repeating: "0", count: 32)), "lookupCredentials tim")
        wrong.expect("failedLogin 1 -ERR [AUTH] Authentication failed") { $0.credentialsFound(credentials, outcome: .success(user: "tim")) }
        var unknown = Script(nonce: "1896.697170952")
        unknown.expect("AUTH CRAM-MD5", "+ " + base64(challenge))
        unknown.expect(base64("nobody " + digest), "lookupCredentials nobody")
        unknown.expect("failedLogin 1 -ERR [AUTH] Authentication failed") { $0.credentialsFound(nil, outcome: .invalidCredentials) }
    }

    // RFC 7677 §3: user "user", password "pencil".
    static let clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    static let serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    static let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    static let clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    static let serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    static let pencil = SCRAMVerifier(password: "pencil", iterations: 4096, salt: Base64.decode(bytes("W22ZaJ0SNY7soEsUEjb6gQ=="))!)

    @Test("AUTH SCRAM-SHA-256 with RFC 7677's example: server-final as a challenge, then an empty line")
    func scram() {
        var s = Script(nonce: Self.serverNonce)
        s.expect("AUTH SCRAM-SHA-256 " + base64(Self.clientFirst), "lookupCredentials user")
        s.expect("+ " + base64(Self.serverFirst)) {
            $0.credentialsFound(SASLCredentials(scram: Self.pencil), outcome: .success(user: "user@example.com"))
        }
        s.expect(base64(Self.clientFinal), "+ " + base64(Self.serverFinal))
        s.expect("", "openMaildrop user@example.com")
    }

    @Test("SCRAM: the account's POP3 flag is told only after the proof; an unknown user fails after the proof too")
    func scramRefusals() {
        var s = Script(nonce: Self.serverNonce)
        s.expect("AUTH SCRAM-SHA-256", "+ ")
        s.expect(base64(Self.clientFirst), "lookupCredentials user")
        s.expect("+ " + base64(Self.serverFirst)) { $0.credentialsFound(SASLCredentials(scram: Self.pencil), outcome: .pop3Disabled) }
        s.expect(base64(Self.clientFinal), "+ " + base64(Self.serverFinal))
        s.expect("", "failedLogin 1 -ERR [AUTH] POP3 access is disabled for this account")
        var unknown = Script(nonce: Self.serverNonce)
        unknown.expect("AUTH SCRAM-SHA-256 " + base64(Self.clientFirst), "lookupCredentials user")
        let first = unknown.run { $0.credentialsFound(nil, outcome: .invalidCredentials) }
        #expect(first.summary.hasPrefix("+ "), "a fake server-first message, like a real one")
        unknown.expect(base64(Self.clientFinal), "failedLogin 1 -ERR [AUTH] Authentication failed")
        var down = Script(nonce: Self.serverNonce)
        down.expect("AUTH SCRAM-SHA-256 " + base64(Self.clientFirst), "lookupCredentials user")
        down.expect("-ERR [SYS/TEMP] Temporary authentication failure, try again later") {
            $0.credentialsFound(nil, outcome: .temporaryFailure)
        }
    }

    @Test("'*' cancels, bad base64 and over-long responses end the exchange; all are client errors")
    func exchangeErrors() {
        var s = Script(tls: true)
        s.expect("AUTH LOGIN", "+ VXNlcm5hbWU6")
        s.expect("*", "-ERR Authentication cancelled")
        s.expect("AUTH LOGIN", "+ VXNlcm5hbWU6")
        s.expect("not base64!", "-ERR Invalid base64 in the authentication response")
        s.expect("AUTH PLAIN", "+ ")
        s.expect("-ERR Authentication response too long") { $0.lineTooLong() }
        s.expect("-ERR Command line too long") { $0.lineTooLong() }
        #expect(s.session.errorCount == 4)
        #expect(s.session.failedLogins == 0)
        s.expect("AUTH DIGEST-MD5", "-ERR Unsupported authentication mechanism")
        var limited = Script(SessionFixture.configuration(mechanisms: [.scramSHA256]), tls: true)
        limited.expect("AUTH PLAIN", "-ERR Unsupported authentication mechanism")
    }

    @Test("AUTH without a mechanism lists those usable now")
    func authList() {
        var s = Script()
        #expect(s.send("AUTH").reply?.lines == ["CRAM-MD5", "SCRAM-SHA-256"])
        var t = Script(tls: true)
        #expect(text(t.send("AUTH").reply!.encoded) == "+OK\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\nSCRAM-SHA-256\r\n.\r\n")
    }

    @Test("CAPA's per-user EXPIRE and LOGIN-DELAY say USER only in AUTHORIZATION")
    func capaPolicies() {
        var configuration = SessionFixture.configuration()
        configuration.expire = .days(30)
        configuration.expireVariesByUser = true
        configuration.loginDelaySeconds = 300
        configuration.loginDelayVariesByUser = true
        var s = Script(configuration, tls: true)
        let before = s.send("CAPA").reply?.lines ?? []
        #expect(before.contains("EXPIRE 30 USER") && before.contains("LOGIN-DELAY 300 USER"))
        s.login()
        let after = s.send("CAPA").reply?.lines ?? []
        #expect(after.contains("EXPIRE 30") && after.contains("LOGIN-DELAY 300"))
    }
}
