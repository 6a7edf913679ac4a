// SessionTransactionTests.swift — the TRANSACTION and UPDATE states: DELE/RSET marks, what
// marked messages refuse, STAT/LIST leaving them out, QUIT committing only then (and a failed
// commit), a dropped connection or timeout deleting nothing, the maildrop refused ([IN-USE],
// [SYS/TEMP], [SYS/PERM]), pipelined commands, and events out of turn.

@testable import MailroomPOP3
import Testing

@Suite("Session: transaction")
struct SessionTransactionTests {
    @Test("DELE marks; a marked message is refused by RETR, TOP, LIST n, UIDL n and DELE; STAT and LIST skip it")
    func markedMessages() {
        var s = Script(SessionFixture.configuration(maxErrors: 20), tls: true)
        s.login(messages: SessionFixture.messages(100, 200, 300))
        s.expect("DELE 2", "+OK Message 2 deleted")
        #expect(s.session.markedForDeletion == [2])
        for line in ["RETR 2", "TOP 2 1", "LIST 2", "UIDL 2", "DELE 2"] {
            s.expect(line, "-ERR Message 2 already deleted")
        }
        s.expect("STAT", "+OK 2 400")
        #expect(s.send("LIST").reply?.lines == ["1 100", "3 300"])
        #expect(s.send("UIDL").reply?.lines == ["1 uid1", "3 uid3"])
        s.expect("LIST", "+OK 2 messages (400 octets)")
        s.expect("RETR 4", "-ERR No such message")
        s.expect("DELE 9", "-ERR No such message")
    }

    @Test("RSET unmarks everything")
    func rset() {
        var s = Script(tls: true)
        s.login(messages: SessionFixture.messages(100, 200))
        s.expect("DELE 1", "+OK Message 1 deleted")
        s.expect("DELE 2", "+OK Message 2 deleted")
        s.expect("STAT", "+OK 0 0")
        s.expect("RSET", "+OK maildrop has 2 messages (300 octets)")
        #expect(s.session.markedForDeletion.isEmpty)
        s.expect("RETR 1", "sendMessage 1 +OK 100 octets")
        s.expect("none") { $0.messageSent() }
        s.expect("QUIT", "close +OK Logging out, 0 messages deleted")
    }

    @Test("QUIT commits only the marked messages; a failed commit is -ERR [SYS/TEMP]")
    func commit() {
        var s = Script(tls: true)
        s.login(messages: SessionFixture.messages(1, 2, 3, 4))
        s.expect("DELE 4", "+OK Message 4 deleted")
        s.expect("DELE 2", "+OK Message 2 deleted")
        s.expect("QUIT", "commitDeletions 2,4")
        s.expect("NOOP", "close -ERR [SYS/TEMP] Internal error, closing connection")
        var f = Script(tls: true)
        f.login(messages: SessionFixture.messages(1))
        f.expect("DELE 1", "+OK Message 1 deleted")
        f.expect("QUIT", "commitDeletions 1")
        f.expect("close -ERR [SYS/TEMP] Some deleted messages were not removed") { $0.deletionsCommitted(.failed) }
    }

    @Test("a dropped connection, a timeout or a shutdown deletes nothing")
    func noCommitWithoutQuit() {
        for event: (inout POP3Session) -> POP3Session.Action in [{ $0.connectionLost() }, { $0.timedOut() }, { $0.shuttingDown() }] {
            var s = Script(tls: true)
            s.login(messages: SessionFixture.messages(10, 20))
            s.expect("DELE 1", "+OK Message 1 deleted")
            let action = s.run(event)
            #expect(action == .none || action.summary.hasPrefix("close -ERR"))
            #expect(s.session.isClosed)
            s.expect("QUIT", "none")
            s.expect("none") { $0.deletionsCommitted(.committed) }
        }
        var t = Script()
        t.expect("close -ERR Disconnected for inactivity") { $0.timedOut() }
        t.expect("none") { $0.timedOut() }
    }

    @Test("the maildrop is locked elsewhere: -ERR [IN-USE], still in AUTHORIZATION; other failures")
    func maildropRefused() {
        var s = Script(tls: true)
        let cases: [(POP3MaildropResult, String)] = [
            (.inUse, "-ERR [IN-USE] Maildrop is locked by another session"),
            (.temporaryFailure, "-ERR [SYS/TEMP] Cannot open the maildrop, try again later"),
            (.permanentFailure, "-ERR [SYS/PERM] Cannot open the maildrop"),
        ]
        for (result, expected) in cases {
            s.userPass("a@example.com", "pw")
            s.expect("openMaildrop a@example.com") { $0.passwordChecked(.success(user: "a@example.com")) }
            s.expect(expected) { $0.maildropOpened(result) }
            #expect(s.session.protocolState == .authorization)
            #expect(s.session.user == nil)
            s.expect("STAT", "-ERR Not logged in: authenticate first")
        }
        #expect(s.session.failedLogins == 0)
        s.login("a@example.com", messages: [])
        s.expect("STAT", "+OK 0 0")
        s.expect("LIST", "+OK 0 messages (0 octets)")
    }

    @Test("pipelining: the adapter feeds lines one by one; the session waits only for outcomes")
    func pipelining() {
        var s = Script(tls: true)
        // One read: "USER a\r\nPASS b\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n".
        var framer = POP3LineFramer()
        var queue = framer.events(in: bytes("USER a\r\nPASS b\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n"))
        var log: [String] = []
        func feed() {
            while !s.session.isAwaitingOutcome && !queue.isEmpty {
                guard case .line(let line) = queue.removeFirst() else { return }
                log.append(s.run { $0.lineReceived(line) }.summary)
            }
        }
        feed()
        #expect(log == ["+OK Send PASS", "verifyPassword a b"])
        log.append(s.run { $0.passwordChecked(.success(user: "a")) }.summary)
        feed()
        log.append(s.run { $0.maildropOpened(.opened(SessionFixture.messages(5))) }.summary)
        feed()
        log.append(s.run { $0.messageSent() }.summary)
        feed()
        log.append(s.run { $0.deletionsCommitted(.committed) }.summary)
        #expect(log == ["+OK Send PASS", "verifyPassword a b", "openMaildrop a", "+OK maildrop has 1 message (5 octets)",
                        "+OK 1 5", "+OK 1 message (5 octets)", "sendMessage 1 +OK 5 octets", "none", "+OK Message 1 deleted",
                        "commitDeletions 1", "close +OK Logging out, 1 message deleted"])
        #expect(queue.isEmpty)
    }

    @Test("a line while an outcome is outstanding, or an answer to nothing, closes the connection")
    func outOfTurn() {
        var s = Script(tls: true)
        s.userPass("a", "b")
        s.expect("STAT", "close -ERR [SYS/TEMP] Internal error, closing connection")
        var t = Script(tls: true)
        t.expect("close -ERR [SYS/TEMP] Internal error, closing connection") { $0.maildropOpened(.inUse) }
        var u = Script(tls: true)
        u.login()
        u.expect("close -ERR [SYS/TEMP] Internal error, closing connection") { $0.messageSent() }
    }

    @Test("a test-only initializer starts the session in TRANSACTION with marks")
    func anyState() {
        var maildrop = POP3Maildrop(SessionFixture.messages(10, 20, 30))
        maildrop.mark(3)
        let state = POP3Session.State(phase: .transaction, user: "u", maildrop: maildrop)
        var s = POP3Session(configuration: SessionFixture.configuration(), tls: true, state: state)
        #expect(s.lineReceived(bytes("STAT")).summary == "+OK 2 30")
        #expect(s.lineReceived(bytes("QUIT")).summary == "commitDeletions 3")
    }
}
