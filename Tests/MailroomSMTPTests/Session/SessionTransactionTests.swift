// SessionTransactionTests.swift — tests for Commands/MailCommand.swift, RcptCommand.swift,
// RsetCommand.swift, QuitCommand.swift, InformationCommands.swift and the sequence rules of
// SMTPCommandTable.swift: a full MX transaction, every 503/554 of RFC 5321 §4.1.4, SIZE (RFC
// 1870), SMTPUTF8 (RFC 6531), the recipient cap (RFC 5321 §4.5.3.1.10), DSN parameters (RFC
// 3461), policy verdicts, RSET, and the enhanced status code on every reply (RFC 2034).

import MailroomCore
@testable import MailroomSMTP
import Testing

@Suite("Session: mail transactions")
struct SessionTransactionTests {
    @Test("a whole MX transaction, action by action")
    func fullTransaction() {
        var s = Script()
        s.expect(.reply(.ready(serverName: "mx.example.com"))) { $0.greeting() }
        s.ehlo()
        s.expect("MAIL FROM:<alice@example.net> SIZE=500 BODY=8BITMIME", .checkSender(reverse("alice@example.net"),
                                                                                       MailParameters(size: 500, body: .eightBitMIME)))
        s.expect(.reply(.senderOK)) { $0.senderChecked(.accepted) }
        s.expect("RCPT TO:<bob@example.com>", .checkRecipient(forward("bob@example.com"), RcptParameters()))
        s.expect(.reply(.recipientOK)) { $0.recipientChecked(.accepted(.local, maxMessageBytes: nil)) }
        s.expect("RCPT TO:<Postmaster>", .checkRecipient(.postmaster, RcptParameters()))
        s.expect(.reply(.recipientOK)) { $0.recipientChecked(.accepted(.local, maxMessageBytes: nil)) }

        let expected = SMTPTransaction(
            reversePath: reverse("alice@example.net"), parameters: MailParameters(size: 500, body: .eightBitMIME),
            recipients: [SMTPRecipient(path: forward("bob@example.com"), parameters: RcptParameters(), route: .local),
                         SMTPRecipient(path: .postmaster, parameters: RcptParameters(), route: .local)],
            hello: .domain(try! DomainName("client.example.org")), esmtp: true, tls: false, authenticatedUser: nil, smtpUTF8: false,
            maxMessageBytes: 10_000)
        #expect(s.session.transaction == expected)
        s.expect("DATA", .receiveMessage(.startData, expected))
        s.expect(.storeMessage(expected)) { $0.messageEnded(.accepted, size: 400) }
        s.expect(.reply(.messageAccepted(queueID: "4Xz9"))) { $0.messageStored(.stored(queueID: "4Xz9")) }
        #expect(s.session.transaction == nil)
        // The next transaction on the same connection.
        s.mail("")
        s.rcpt("bob@example.com")
        s.expect("QUIT", .replyAndClose(.closing))
        #expect(s.session.isClosed)
        s.expect("NOOP", .none)
    }

    @Test("commands out of sequence get 503 5.5.1; DATA without an accepted recipient 554 5.5.1")
    func sequence() {
        var s = Script()
        s.expect("MAIL FROM:<a@example.net>", .reply(.helloRequired))
        s.expect("RCPT TO:<b@example.com>", "503 5.5.1")
        s.expect("DATA", .reply(.helloRequired))
        s.ehlo()
        s.expect("RCPT TO:<b@example.com>", .reply(.mailRequired))
        s.expect("DATA", .reply(.recipientRequired))
        s.mail("a@example.net")
        s.expect("MAIL FROM:<c@example.net>", .reply(.nestedMail))
        s.expect("DATA", .reply(.noValidRecipients))
        s.expect("RCPT TO:<nobody@example.com>", "checkRecipient <nobody@example.com>")
        s.expect("550 5.1.1") { $0.recipientChecked(.rejected(.unknownUser)) }
        s.expect("DATA", "554 5.5.1")
        s.expect("STARTTLS", .reply(.transactionInProgress))
        s.rcpt("b@example.com")
        s.expect("DATA", "receiveMessage 354")
    }

    @Test("a refused sender leaves no transaction; a refused recipient is not added")
    func verdicts() {
        var s = Script()
        s.ehlo()
        s.expect("MAIL FROM:<spammer@example.net>", "checkSender <spammer@example.net>")
        s.expect(.reply(.relayDenied)) { $0.senderChecked(.rejected(.relayDenied)) }
        #expect(s.session.transaction == nil)
        s.mail("a@example.net")
        s.expect("RCPT TO:<relaytest@example.org>", "checkRecipient <relaytest@example.org>")
        s.expect(.reply(.relayDenied)) { $0.recipientChecked(.rejected(.relayDenied)) }
        #expect(s.session.transaction?.recipients.isEmpty == true)
        s.rcpt("friend@example.org", route: .relay)
        #expect(s.session.transaction?.recipients.map(\.route) == [.relay])
    }

    @Test("SIZE above the limit is refused at MAIL with 552 5.3.4")
    func declaredSize() {
        var s = Script()
        s.ehlo()
        s.expect("MAIL FROM:<a@example.net> SIZE=10001", .reply(.messageTooBig))
        s.expect("MAIL FROM:<a@example.net> SIZE=99999999999999999999", "552 5.3.4")
        s.expect("MAIL FROM:<a@example.net> SIZE=10000", "checkSender <a@example.net>")
    }

    @Test("a recipient's own smaller limit lowers the transaction's, and refuses it if SIZE says so")
    func perRecipientLimit() {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net")
        s.rcpt("big@example.com", limit: 50_000)
        #expect(s.session.transaction?.maxMessageBytes == 10_000, "the global limit is smaller")
        s.rcpt("small@example.com", limit: 2_000)
        s.rcpt("any@example.com")
        #expect(s.session.transaction?.maxMessageBytes == 2_000)
        s.expect("DATA", "receiveMessage 354")
        s.expect("discardMessage 552 5.3.4") { $0.messageEnded(.accepted, size: 2_001) }
        #expect(s.session.transaction == nil)

        var declared = Script()
        declared.ehlo()
        declared.mail("a@example.net", "SIZE=3000")
        declared.expect("RCPT TO:<small@example.com>", "checkRecipient <small@example.com>")
        declared.expect(.reply(.messageTooBig)) { $0.recipientChecked(.accepted(.local, maxMessageBytes: 2_000)) }
        declared.rcpt("large@example.com", limit: 5_000)
        #expect(declared.session.transaction?.recipients.count == 1)
        #expect(declared.session.transaction?.maxMessageBytes == 5_000)
    }

    @Test("a UTF-8 path needs SMTPUTF8 on MAIL (553 5.6.7); with it, 用户@例子.中国 is taken")
    func smtpUTF8() {
        var s = Script()
        s.ehlo()
        s.expect("MAIL FROM:<用户@例子.中国>", .reply(.nonASCIIAddressNeedsSMTPUTF8))
        s.mail("sender@example.net")
        s.expect("RCPT TO:<用户@例子.中国>", "553 5.6.7")
        s.expect("RCPT TO:<user@例子.中国>", "553 5.6.7")
        s.expect("RSET", "resetTransaction 250 2.0.0")

        s.expect("MAIL FROM:<用户@例子.中国> SMTPUTF8", "checkSender <用户@例子.中国>")
        s.expect("250 2.1.0") { $0.senderChecked(.accepted) }
        #expect(s.session.transaction?.smtpUTF8 == true)
        s.expect("RCPT TO:<收件人@例子.中国>", "checkRecipient <收件人@例子.中国>")
        s.expect("250 2.1.5") { $0.recipientChecked(.accepted(.local, maxMessageBytes: nil)) }
        #expect(s.session.transaction?.recipients.first?.path.requiresSMTPUTF8 == true)
    }

    @Test("beyond limits.recipients: 452 4.5.3, not counted as an error")
    func tooManyRecipients() {
        let full = SMTPSession.OpenTransaction(transaction: SMTPTransaction(
            reversePath: reverse("a@example.net"), parameters: MailParameters(),
            recipients: (1...100).map { SMTPRecipient(path: forward("user\($0)@example.com"), parameters: RcptParameters(), route: .local) },
            hello: .unqualified("client"), esmtp: true, tls: false, authenticatedUser: nil, smtpUTF8: false, maxMessageBytes: 10_000))
        var s = Script(SessionFixture.mx(maxErrors: 0),
                       state: SMTPSession.State(hello: .init(domain: .unqualified("client"), esmtp: true), transaction: full))
        s.expect("RCPT TO:<user101@example.com>", .reply(.tooManyRecipients))
        s.expect("RCPT TO:<user102@example.com>", "452 4.5.3")
        #expect(!s.session.isClosed, "with maxErrors 0 any counted error would have closed")
        s.expect("DATA", "receiveMessage 354")
    }

    @Test("the 100th recipient is still taken (RFC 5321 §4.5.3.1.8)")
    func hundredRecipients() {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net")
        for number in 1...100 { s.rcpt("user\(number)@example.com") }
        s.expect("RCPT TO:<user101@example.com>", "452 4.5.3")
        #expect(s.session.transaction?.recipients.count == 100)
    }

    @Test("DSN parameters (RET, ENVID, NOTIFY, ORCPT) and AUTH= are kept in the transaction")
    func dsnParameters() {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net", "RET=HDRS ENVID=QQ314159 AUTH=<>")
        s.rcpt("b@example.com", "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com")
        s.rcpt("c@example.com", "NOTIFY=NEVER")
        let transaction = s.session.transaction
        #expect(transaction?.parameters == MailParameters(returnContent: .headers, envelopeID: "QQ314159", authSubmitter: .unknown))
        #expect(transaction?.recipients.map(\.parameters) == [
            RcptParameters(notify: [.success, .failure], originalRecipient: OriginalRecipient(addressType: "rfc822", address: "b@example.com")),
            RcptParameters(notify: .never),
        ])
    }

    @Test("RSET in the middle of a transaction ends it and keeps the greeting")
    func rset() {
        var s = Script()
        s.expect("RSET", .resetTransaction(.ok()))
        s.ehlo()
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        s.expect("RSET", .resetTransaction(.ok()))
        #expect(s.session.transaction == nil)
        s.expect("RCPT TO:<b@example.com>", "503 5.5.1")
        s.mail("c@example.net")
        #expect(s.session.transaction?.reversePath == reverse("c@example.net"))
    }

    @Test("NOOP, HELP, VRFY (252 whatever the address), EXPN (502 whatever the list)")
    func informationCommands() {
        var s = Script()
        s.expect("NOOP", .reply(.ok()))
        s.expect("NOOP anything", "250 2.0.0")
        s.expect("HELP", .reply(.help()))
        s.expect("HELP MAIL", "214 2.0.0")
        s.expect("VRFY postmaster", .reply(.cannotVerify))
        s.expect("VRFY <nobody@example.com>", "252 2.0.0")
        s.expect("EXPN staff", .reply(.commandNotImplemented))
        s.expect("EXPN <list@example.com>", "502 5.5.1")
    }

    @Test("syntax errors get the grammar's replies and change nothing")
    func syntaxErrors() {
        var s = Script()
        s.ehlo()
        s.expect("MAIL FROM:a@example.net", "501 5.1.7")
        s.expect("MAIL FROM:<a@b@example.net>", "553 5.1.7")
        s.expect("MAIL FROM:<a@example.net> FOO=1", "555 5.5.4")
        s.mail("a@example.net")
        s.expect("RCPT TO:<relaytest@example.net@example.com>", "553 5.1.3")
        s.expect("RCPT TO:<b@example.com> RET=FULL", "555 5.5.4")
        s.expect("DATA now", "501 5.5.4")
        s.expect("XYZZY", "500 5.5.1")
        #expect(s.session.transaction?.recipients.isEmpty == true)
        #expect(s.session.state.errorCount == 7)
        #expect(s.session.state.unknownCommandCount == 1)
    }

    @Test("every reply carries an enhanced status code, except 220, EHLO/HELO's 250 and 354")
    func enhancedCodesEverywhere() {
        var s = Script(SessionFixture.submission(authRequiresTLS: false))
        s.run { $0.greeting() }
        for line in ["MAIL FROM:<a@example.net>", "EHLO client.example.org", "MAIL FROM:<a@example.net>", "AUTH FOO", "NOOP", "HELP",
                     "VRFY x", "EXPN x", "RSET", "STARTTLS"] {
            s.send(line)
        }
        s.run { $0.tlsEstablished() }
        s.send("EHLO client.example.org")
        s.authenticate()
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        s.send("DATA")
        s.run { $0.messageEnded(.rejected(.nulByte), size: 10) }
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        s.send("BDAT 10")
        s.run { $0.chunkEnded(chunkEnd(last: false, total: 10)) }
        s.send("BDAT 0 LAST")
        s.run { $0.chunkEnded(chunkEnd(last: true, total: 10)) }
        s.run { $0.messageStored(.stored(queueID: "Q1")) }
        s.send("XYZZY")
        s.run { $0.lineTooLong() }
        s.send("QUIT")
        #expect(s.replies.count > 20)
        for reply in s.replies {
            let exempt = reply.code == 220 && reply.lines.first?.hasSuffix("ESMTP") == true
                || reply.code == 250 && reply.lines.first == "mx.example.com" || reply.code == 354 || reply.code == 334
            #expect(exempt || reply.enhancedStatusCode != nil, "\(reply)")
        }
    }
}
