// SessionRFC1939Tests.swift — the example session of RFC 1939 §10, event by event (APOP,
// which Mailroom does not offer, replaced by USER/PASS on a TLS connection), and the states
// the session passes through.

@testable import MailroomPOP3
import Testing

@Suite("Session: RFC 1939 §10")
struct SessionRFC1939Tests {
    @Test("the example session: STAT, LIST, RETR, DELE, RETR, DELE, QUIT")
    func exampleSession() {
        var s = Script(tls: true)
        s.expect("+OK pop.example.com Mailroom POP3 server ready") { $0.greeting() }
        #expect(s.session.protocolState == .authorization)
        s.expect("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "-ERR APOP is not supported")
        s.login("mrose")
        #expect(s.session.protocolState == .transaction)
        #expect(s.session.user == "mrose")
        s.expect("STAT", "+OK 2 320")
        let list = s.send("LIST")
        #expect(list.summary == "+OK 2 messages (320 octets)")
        #expect(list.reply?.lines == ["1 120", "2 200"])
        #expect(text(list.reply!.encoded) == "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n")
        s.expect("RETR 1", "sendMessage 1 +OK 120 octets")
        #expect(s.session.isAwaitingOutcome)
        s.expect("none") { $0.messageSent() }
        s.expect("DELE 1", "+OK Message 1 deleted")
        s.expect("RETR 2", "sendMessage 2 +OK 200 octets")
        s.expect("none") { $0.messageSent() }
        s.expect("DELE 2", "+OK Message 2 deleted")
        s.expect("QUIT", "commitDeletions 1,2")
        #expect(s.session.protocolState == .update)
        s.expect("close +OK Logging out, 2 messages deleted") { $0.deletionsCommitted(.committed) }
        #expect(s.session.isClosed)
        s.expect("NOOP", "none")
    }

    @Test("QUIT in AUTHORIZATION closes without touching anything")
    func quitBeforeLogin() {
        var s = Script(tls: true)
        s.expect("USER mrose", "+OK Send PASS")
        s.expect("QUIT", "close +OK Logging out")
    }

    @Test("UIDL and TOP in TRANSACTION")
    func uidlAndTop() {
        var s = Script(tls: true)
        s.login()
        let uidl = s.send("UIDL")
        #expect(uidl.reply?.lines == ["1 whqtswO00WBw418f9t5JxYwZ", "2 QhdPYR:00WBw1Ph7x7"])
        s.expect("UIDL 2", "+OK 2 QhdPYR:00WBw1Ph7x7")
        s.expect("LIST 1", "+OK 1 120")
        s.expect("TOP 1 10", "sendMessage 1 top 10 +OK Top of message follows")
        s.expect("none") { $0.messageSent() }
        s.expect("TOP 2 0", "sendMessage 2 top 0 +OK Top of message follows")
        s.expect("-ERR [SYS/TEMP] Message cannot be read now, try again later") { $0.messageUnavailable() }
        s.expect("NOOP", "+OK")
    }

    @Test("commands of the other state are refused")
    func wrongState() {
        var s = Script(SessionFixture.configuration(maxErrors: 20), tls: true)
        for line in ["STAT", "LIST", "RETR 1", "DELE 1", "RSET", "NOOP", "TOP 1 1", "UIDL"] {
            s.expect(line, "-ERR Not logged in: authenticate first")
        }
        s = Script(SessionFixture.configuration(maxErrors: 20), tls: true)
        s.login()
        for line in ["USER x", "PASS x", "AUTH PLAIN", "STLS", "APOP a b"] {
            s.expect(line, "-ERR Already logged in")
        }
        #expect(s.session.errorCount == 5)
    }
}
