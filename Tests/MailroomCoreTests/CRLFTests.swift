// CRLF.normalized (MailroomCore's one line-end normalisation, used by `mailroom queue add`,
// DSNs and the Dovecot tests): bare LF becomes CRLF, CRLF stays, a bare CR is left alone.

import MailroomCore
import Testing

@Suite("CRLF")
struct CRLFTests {
    @Test("bare LF becomes CRLF", arguments: [
        ("", ""), ("a", "a"), ("\n", "\r\n"), ("a\nb\n", "a\r\nb\r\n"), ("a\r\nb\r\n", "a\r\nb\r\n"),
        ("a\r\nb\nc", "a\r\nb\r\nc"), ("\n\n", "\r\n\r\n"), ("a\rb", "a\rb"), ("a\r\r\n", "a\r\r\n"),
        ("\r\n\n", "\r\n\r\n"),
    ])
    func normalized(_ input: String, _ expected: String) {
        #expect(CRLF.normalized(Array(input.utf8)) == Array(expected.utf8))
    }

    @Test("normalising twice changes nothing more")
    func idempotent() {
        let text = Array("From: a\nTo: b\r\n\nbody\n.\n\r\n".utf8)
        #expect(CRLF.normalized(CRLF.normalized(text)) == CRLF.normalized(text))
    }
}
