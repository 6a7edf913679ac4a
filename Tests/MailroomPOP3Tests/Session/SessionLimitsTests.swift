// SessionLimitsTests.swift — tests for POP3Session+Limits: client errors counted and the one
// past maxErrors closing, unknown commands and long lines among them, our own failures not
// counted, and a hostile client that pipelines garbage.

@testable import MailroomPOP3
import Testing

@Suite("Session: limits")
struct SessionLimitsTests {
    @Test("maxErrors client errors are answered; the next closes")
    func errorLimit() {
        var s = Script(SessionFixture.configuration(maxErrors: 3))
        s.expect("HELO x", "-ERR Unknown command")
        s.expect("RETR 1", "-ERR Not logged in: authenticate first")
        s.expect("-ERR Command line too long") { $0.lineTooLong() }
        s.expect("LIST 0", "close -ERR Too many errors, closing connection")
        #expect(s.session.isClosed)
        s.expect("QUIT", "none")
    }

    @Test("syntax errors carry their own text and count")
    func syntaxErrors() {
        var s = Script(SessionFixture.configuration(maxErrors: 20), tls: true)
        s.login()
        s.expect("RETR", "-ERR RETR needs a message number")
        s.expect("TOP 1", "-ERR TOP needs a message number and a line count")
        s.expect("DELE +1", "-ERR Invalid message number")
        s.expect("TOP 1 x", "-ERR Invalid line count")
        s.expect("STAT now", "-ERR Too many arguments for STAT")
        s.expect("NOOP\u{0}", "-ERR Control characters are not allowed in a command line")
        #expect(s.session.errorCount == 6)
    }

    @Test("our own failures ([SYS/TEMP], [IN-USE]) are not client errors")
    func ownFailures() {
        var s = Script(SessionFixture.configuration(maxErrors: 0), tls: true)
        s.userPass("a", "b")
        s.expect("openMaildrop a") { $0.passwordChecked(.success(user: "a")) }
        s.expect("-ERR [IN-USE] Maildrop is locked by another session") { $0.maildropOpened(.inUse) }
        #expect(s.session.errorCount == 0)
        s.expect("XYZZY", "close -ERR Too many errors, closing connection")
    }

    @Test("hostile: a flood of pipelined junk is cut off after maxErrors")
    func junkFlood() {
        var s = Script()
        var framer = POP3LineFramer()
        let junk = Array(repeating: "GET / HTTP/1.1\r\nHost: x\r\n", count: 50).joined()
        var closedAt: Int?
        for (index, event) in framer.events(in: bytes(junk)).enumerated() {
            guard case .line(let line) = event else { continue }
            let action = s.run { $0.lineReceived(line) }
            if case .replyAndClose = action, closedAt == nil { closedAt = index }
        }
        #expect(closedAt == 5)
        #expect(s.session.isClosed)
    }
}
