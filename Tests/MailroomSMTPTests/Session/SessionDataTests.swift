// SessionDataTests.swift — tests for Commands/DataCommand.swift, SMTPSession+Store.swift and
// SMTPDataError+Reply.swift: the 354, every framing verdict mapped to its reply (RFC 5321
// §4.1.1.4, RFC 1870 §6, RFC 2045 §2.7–2.8; SMTP smuggling), the transaction's size limit at
// the end of data, the queue's answer, and DATA refused after BODY=BINARYMIME (RFC 3030 §3).

@testable import MailroomSMTP
import Testing

@Suite("Session: DATA")
struct SessionDataTests {
    /// A session with an open transaction and one accepted recipient.
    private static func ready(_ mailParameters: String = "") -> Script {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net", mailParameters)
        s.rcpt("b@example.com")
        return s
    }

    static let verdicts: [(SMTPDataError, String, Bool)] = [
        (.badLineEnding, "554 5.6.0", true),
        (.nulByte, "554 5.6.0", true),
        (.messageTooLarge, "552 5.3.4", true),
        (.textLineTooLong, "554 5.6.0", true),
        (.unexpectedEndOfInput, "451 4.4.2", false),
    ]

    @Test("each framing verdict: the message is discarded with its own reply", arguments: verdicts)
    func rejectedVerdicts(error: SMTPDataError, expected: String, countsAsError: Bool) {
        var s = Self.ready()
        s.expect("DATA", "receiveMessage 354")
        s.expect("discardMessage " + expected) { $0.messageEnded(.rejected(error), size: 123) }
        #expect(s.session.transaction == nil, "the transaction is over")
        #expect(s.session.state.phase == .command)
        #expect(s.session.state.errorCount == (countsAsError ? 1 : 0))
        s.mail("c@example.net")
    }

    @Test("the replies name the problem")
    func replyTexts() {
        #expect(SMTPDataError.badLineEnding.reply.description
                == "554 5.6.0 Error: bare <CR> or <LF> in message data (SMTP smuggling protection)\r\n")
        #expect(SMTPDataError.nulByte.reply.description == "554 5.6.0 Error: NUL octet in message data\r\n")
        #expect(SMTPDataError.messageTooLarge.reply == .messageTooBig)
        #expect(SMTPDataError.textLineTooLong.reply.description == "554 5.6.0 Error: message data line too long\r\n")
    }

    @Test("an accepted message is stored; the queue's answer ends the transaction")
    func stored() {
        var s = Self.ready()
        let transaction = s.session.transaction!
        s.expect("DATA", .receiveMessage(.startData, transaction))
        s.expect("NOOP", .reply(.localError))
        #expect(s.session.state.phase == .receivingData, "a line during DATA is not executed")
        s.expect(.storeMessage(transaction)) { $0.messageEnded(.accepted, size: 10_000) }
        s.expect("RSET", "451 4.3.0")
        s.expect("250 2.6.0") { $0.messageStored(.stored(queueID: "Q1")) }
        #expect(s.session.transaction == nil)

        var failed = Self.ready()
        failed.expect("DATA", "receiveMessage 354")
        failed.expect("storeMessage") { $0.messageEnded(.accepted, size: 5) }
        failed.expect(.reply(.insufficientStorage)) { $0.messageStored(.failed(.insufficientStorage)) }
        #expect(failed.session.transaction == nil)
        #expect(failed.session.state.errorCount == 0, "the server's trouble is not the client's error")
    }

    @Test("over the transaction's limit at the end of data: 552 5.3.4")
    func tooLarge() {
        var s = Self.ready()
        s.expect("DATA", "receiveMessage 354")
        s.expect(.discardMessage(.messageTooBig)) { $0.messageEnded(.accepted, size: 10_001) }
        #expect(s.session.transaction == nil)
    }

    @Test("DATA after BODY=BINARYMIME is 503 5.5.1; BDAT takes it")
    func binaryMIME() {
        var s = Self.ready("BODY=BINARYMIME")
        s.expect("DATA", .reply(.binaryMIMERequiresBDAT))
        s.expect("BDAT 5 LAST", "receiveChunk 5 LAST open")
        s.expect("storeMessage") { $0.chunkEnded(chunkEnd(last: true, total: 5)) }
    }

    @Test("DATA after BDAT in the same transaction is 503 5.5.1")
    func dataAfterBDAT() {
        var s = Self.ready()
        s.expect("BDAT 5", "receiveChunk 5 open")
        s.expect("250 2.0.0") { $0.chunkEnded(chunkEnd(last: false, total: 5)) }
        s.expect("DATA", .reply(.commandAfterBDAT))
        s.expect("RCPT TO:<c@example.com>", "503 5.5.1")
    }

    @Test("a stored message starts the error count again")
    func storedResetsErrors() {
        var s = Self.ready()
        s.send("XYZZY")
        s.send("VRFY")
        #expect(s.session.state.errorCount == 2)
        s.send("DATA")
        s.run { $0.messageEnded(.accepted, size: 1) }
        s.run { $0.messageStored(.stored(queueID: "Q1")) }
        #expect(s.session.state.errorCount == 0)
    }
}
