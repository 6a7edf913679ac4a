// SessionCommandTableTests.swift — tests for SMTPCommandTable.swift: one row per verb the
// grammar knows, the rules each row carries (RFC 5321 §4.1.4 sequence, RFC 2920 §3.1 group
// ends, RFC 3030 §2 chunk reading, RFC 6409 §4.3 AUTH before mail), and the fixed order in
// which refusals are chosen.

@testable import MailroomSMTP
import Testing

@Suite("Session: command table")
struct SessionCommandTableTests {
    @Test("every verb of the grammar has exactly one row")
    func coverage() {
        let verbs = ["HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "STARTTLS", "AUTH"]
        #expect(Set(SMTPCommandTable.entries.map(\.verb)) == Set(verbs))
        #expect(SMTPCommandTable.entries.count == verbs.count)
        for verb in verbs {
            let line = verb == "BDAT" ? "BDAT 1" : verb == "MAIL" ? "MAIL FROM:<>" : verb == "RCPT" ? "RCPT TO:<Postmaster>"
                : verb == "AUTH" ? "AUTH PLAIN" : verb == "HELO" || verb == "EHLO" || verb == "VRFY" || verb == "EXPN" ? "\(verb) x" : verb
            let command = try! SMTPCommand.parse(line: bytes(line))
            #expect(SMTPCommandTable.entry(for: command).verb == verb)
        }
    }

    @Test("RFC 2920 §3.1: EHLO, DATA, VRFY, EXPN, QUIT, NOOP, AUTH and STARTTLS end a pipelining group")
    func pipeliningGroups() {
        let ending = Set(SMTPCommandTable.entries.filter { $0.rules.contains(.endsPipeliningGroup) }.map(\.verb))
        #expect(ending == ["EHLO", "HELO", "DATA", "VRFY", "EXPN", "QUIT", "NOOP", "AUTH", "STARTTLS"])
    }

    @Test("only BDAT reads a chunk; only MAIL, RCPT, DATA and BDAT need AUTH where it is required")
    func rules() {
        let chunk = SMTPCommandTable.entries.filter { $0.rules.contains(.readsChunk) }.map(\.verb)
        #expect(chunk == ["BDAT"])
        let auth = Set(SMTPCommandTable.entries.filter { $0.rules.contains(.needsAuthenticationWhenRequired) }.map(\.verb))
        #expect(auth == ["MAIL", "RCPT", "DATA", "BDAT"])
        let tls = Set(SMTPCommandTable.entries.filter { $0.rules.contains(.needsTLSWhenRequired) }.map(\.verb))
        #expect(tls == auth, "before STARTTLS a submission port allows what it allows before AUTH, plus AUTH's own 538")
        let anytime = Set(SMTPCommandTable.entries.filter {
            $0.rules.isDisjoint(with: [.needsHello, .needsEHLO, .needsTransaction, .needsRecipients, .needsNoTransaction])
        }.map(\.verb))
        #expect(anytime == ["EHLO", "HELO", "RSET", "NOOP", "HELP", "VRFY", "EXPN", "QUIT"])
    }

    @Test("refusals come in a fixed order: greeting, TLS, AUTH, transaction")
    func order() {
        var s = Script(SessionFixture.submission())
        s.expect("DATA", .reply(.helloRequired))
        s.ehlo()
        s.expect("DATA", .reply(.startTLSRequired))
        s.expect("STARTTLS", "startTLS 220 2.0.0")
        s.run { $0.tlsEstablished() }
        s.ehlo()
        s.expect("DATA", .reply(.authenticationRequired))
        s.authenticate()
        s.expect("DATA", .reply(.recipientRequired))
    }
}
