// SessionLimitsTests.swift — tests for SMTPSession+Limits.swift and the connection events of
// SMTPSession.swift: the error and unknown-command limits (421 4.7.0), HTTP clients cut off
// at once (521 5.7.0), what does not count as an error, lines too long or invalid, timeouts
// (421 4.4.2), shutdown (421 4.3.2), and the adapter contract (out-of-turn input and events).

@testable import MailroomSMTP
import Testing

@Suite("Session: limits, timeouts and misuse")
struct SessionLimitsTests {
    @Test("maxErrors client errors are answered; the next one is 421 4.7.0 and closes")
    func errorLimit() {
        var s = Script(SessionFixture.mx(maxErrors: 3))
        s.expect("MAIL FROM:<a@example.net>", "503 5.5.1")
        s.expect("RCPT TO:<a@example.net>", "503 5.5.1")
        s.expect("EXPN list", "502 5.5.1")
        s.expect("DATA", .replyAndClose(.tooManyErrors(serverName: "mx.example.com")))
        #expect(s.replies.last?.description == "421 4.7.0 mx.example.com Error: too many errors\r\n")
        #expect(s.session.isClosed)
        s.expect("NOOP", .none)
        s.expect(.none) { $0.timedOut() }
    }

    @Test("the default is 20 errors")
    func defaultErrorLimit() {
        var s = Script()
        s.ehlo()
        for _ in 1...20 { s.expect("RCPT TO:<a@example.net>", "503 5.5.1") }
        s.expect("RCPT TO:<a@example.net>", "close 421 4.7.0")
    }

    @Test("refused recipients count (address probing), 452 Too many recipients and server trouble do not")
    func whatCounts() {
        var s = Script(SessionFixture.mx(maxErrors: 2))
        s.ehlo()
        s.mail("a@example.net")
        s.send("RCPT TO:<x@example.com>")
        s.expect("451 4.3.0") { $0.recipientChecked(.rejected(.localError)) }
        s.send("RCPT TO:<x@example.com>")
        s.expect("450 4.4.3") { $0.recipientChecked(.rejected(SMTPReply(code: 450, .directoryServerFailure, "try later"))) }
        #expect(s.session.state.errorCount == 0)
        s.send("RCPT TO:<x@example.com>")
        s.expect("550 5.1.1") { $0.recipientChecked(.rejected(.unknownUser)) }
        s.send("RCPT TO:<y@example.com>")
        s.expect("450 4.7.1") { $0.recipientChecked(.rejected(SMTPReply(code: 450, .deliveryNotAuthorized.withClass(.persistentTransientFailure), "Greylisted"))) }
        s.send("RCPT TO:<z@example.com>")
        s.expect("close 421 4.7.0") { $0.recipientChecked(.rejected(.unknownUser)) }
        #expect(SMTPSession.isClientError(.tooManyRecipients) == false)
        #expect(SMTPSession.isClientError(.recipientOK) == false)
        #expect(SMTPSession.isClientError(.nonASCIIAddressNeedsSMTPUTF8))
    }

    @Test("unrecognized commands: maxUnknownCommands answered, then 421 4.7.0")
    func unknownCommandLimit() {
        var s = Script()
        for verb in ["XYZZY", "TURN", "ETRN example.com", "ATRN"] { s.expect(verb, "500 5.5.1") }
        s.expect("500 5.5.2") { $0.invalidLine(.nulByte) }
        s.expect("FOO", .replyAndClose(.tooManyUnrecognizedCommands(serverName: "mx.example.com")))
        #expect(s.replies.last?.description == "421 4.7.0 mx.example.com Error: too many unrecognized commands\r\n")
    }

    @Test("HTTP request and header lines close the connection at once with 521 5.7.0",
          arguments: ["GET / HTTP/1.1", "POST /cgi-bin/x HTTP/1.0", "CONNECT mx.example.com:25 HTTP/1.1", "Host: mx.example.com",
                      "get /index.html", "HEAD / HTTP/1.1", "User-Agent: curl/8.0", "OPTIONS * HTTP/1.1", "PUT /x HTTP/1.1"])
    func http(line: String) {
        var s = Script()
        s.expect(line, .replyAndClose(.forbiddenCommand(serverName: "mx.example.com")))
        #expect(s.replies.last?.code == 521)
        #expect(s.replies.last?.enhancedStatusCode == .securityPolicy)
        #expect(s.session.isClosed)
    }

    @Test("words that merely start like HTTP are ordinary unknown commands")
    func notHTTP() {
        var s = Script()
        s.expect("GETX /", "500 5.5.1")
        s.expect("HOSTNAME x", "500 5.5.1")
        s.expect("POST", "500 5.5.1")
    }

    @Test("a line too long is 500 5.5.2; invalid lines name their problem")
    func badLines() {
        var s = Script()
        s.expect(.reply(.commandLineTooLong)) { $0.lineTooLong() }
        s.expect(.reply(.invalidCommandLine("Error: bare <CR> received in a command line"))) { $0.invalidLine(.bareCarriageReturn) }
        s.expect(.reply(.invalidCommandLine("Error: bare <LF> received in a command line"))) { $0.invalidLine(.bareLineFeed) }
        s.expect(.reply(.invalidCommandLine("Error: NUL octet received in a command line"))) { $0.invalidLine(.nulByte) }
        #expect(s.session.state.errorCount == 4)
        #expect(s.session.state.unknownCommandCount == 3)
    }

    @Test("a timeout is 421 4.4.2 and closes, whatever the phase")
    func timeout() {
        var s = Script()
        s.expect(.replyAndClose(.timeout(serverName: "mx.example.com"))) { $0.timedOut() }
        #expect(s.replies.last?.description == "421 4.4.2 mx.example.com Error: timeout exceeded\r\n")

        var data = Script()
        data.ehlo()
        data.mail("a@example.net")
        data.rcpt("b@example.com")
        data.send("DATA")
        data.expect("close 421 4.4.2") { $0.timedOut() }
        // A policy answer that comes after the close changes nothing.
        var late = Script()
        late.ehlo()
        late.send("MAIL FROM:<a@example.net>")
        late.expect("close 421 4.4.2") { $0.timedOut() }
        late.expect(.none) { $0.senderChecked(.accepted) }
        #expect(late.session.transaction == nil)
    }

    @Test("shutting down is 421 4.3.2 and closes")
    func shutdown() {
        var s = Script()
        s.ehlo()
        s.expect(.replyAndClose(.shuttingDown(serverName: "mx.example.com"))) { $0.shuttingDown() }
        #expect(s.replies.last?.description == "421 4.3.2 mx.example.com Service shutting down, closing transmission channel\r\n")
        s.expect(.none) { $0.shuttingDown() }
    }

    @Test("a line while a check is outstanding is answered 451 4.3.0 and not executed")
    func outOfTurnInput() {
        var s = Script()
        s.ehlo()
        s.send("MAIL FROM:<a@example.net>")
        let before = s.session.state
        s.expect("RCPT TO:<b@example.com>", .reply(.localError))
        s.expect("QUIT", "451 4.3.0")
        #expect(s.session.state == before)
        s.expect("250 2.1.0") { $0.senderChecked(.accepted) }
    }

    @Test("an answer to a question never asked closes with 421 4.3.0")
    func outOfTurnEvents() {
        let events: [(String, (inout SMTPSession) -> SMTPSession.Action)] = [
            ("senderChecked", { $0.senderChecked(.accepted) }),
            ("recipientChecked", { $0.recipientChecked(.accepted(.local, maxMessageBytes: nil)) }),
            ("messageEnded", { $0.messageEnded(.accepted, size: 1) }),
            ("messageStored", { $0.messageStored(.stored(queueID: "Q")) }),
            ("authCompleted", { $0.authCompleted(.success(username: "x")) }),
        ]
        for (name, event) in events {
            var s = Script()
            s.ehlo()
            let action = s.run(event)
            #expect(action.summary == "close 421 4.3.0", "\(name)")
            #expect(s.replies.last?.description == "421 4.3.0 mx.example.com Service not available, closing transmission channel\r\n")
        }
    }
}
