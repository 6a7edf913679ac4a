// SessionBDATTests.swift — tests for Commands/BDATCommand.swift (RFC 3030 CHUNKING): chunks
// that add up to one message, the spool opened on the first, refused BDATs whose chunks are
// still read, the size limit across chunks, a failed transaction refusing the rest until the
// LAST chunk or RSET, and a BDAT line whose size is readable but whose rest is not.

@testable import MailroomSMTP
import Testing

@Suite("Session: BDAT")
struct SessionBDATTests {
    private static func ready() -> Script {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        return s
    }

    @Test("several chunks, then LAST: one message, the spool opened once")
    func multiChunk() {
        var s = Self.ready()
        let transaction = s.session.transaction!
        s.expect("BDAT 4000", .receiveChunk(size: 4000, last: false, open: transaction))
        s.expect("NOOP", "451 4.3.0")
        s.expect(.reply(.chunkReceived(octets: 4000))) { $0.chunkEnded(chunkEnd(last: false, total: 4000)) }
        #expect(s.replies.last?.description == "250 2.0.0 4000 octets received\r\n")
        s.expect("BDAT 3000", .receiveChunk(size: 3000, last: false, open: nil))
        s.expect("250 2.0.0") { $0.chunkEnded(chunkEnd(last: false, total: 7000)) }
        s.expect("BDAT 3000 LAST", .receiveChunk(size: 3000, last: true, open: nil))
        s.expect(.storeMessage(transaction)) { $0.chunkEnded(chunkEnd(last: true, total: 10_000)) }
        s.expect("250 2.6.0") { $0.messageStored(.stored(queueID: "Q2")) }
        #expect(s.session.transaction == nil)
        s.mail("c@example.net")
    }

    @Test("BDAT 0 LAST ends the message")
    func zeroLast() {
        var s = Self.ready()
        s.expect("BDAT 10", "receiveChunk 10 open")
        s.expect("250 2.0.0") { $0.chunkEnded(chunkEnd(last: false, total: 10)) }
        s.expect("BDAT 0 LAST", .receiveChunk(size: 0, last: true, open: nil))
        s.expect("storeMessage") { $0.chunkEnded(chunkEnd(last: true, total: 10)) }
    }

    @Test("BDAT without a usable transaction still reads its chunk, then answers the error")
    func refusedWithoutTransaction() {
        var s = Script()
        s.expect("BDAT 100", .discardChunk(size: 100, last: false))
        s.expect("discardMessage 503 5.5.1") { $0.chunkEnded(chunkEnd(last: false, total: 100)) }
        s.ehlo()
        s.expect("BDAT 100 LAST", "discardChunk 100 LAST")
        s.expect(.discardMessage(.recipientRequired)) { $0.chunkEnded(chunkEnd(last: true, total: 100)) }
        s.mail("a@example.net")
        s.expect("BDAT 7", "discardChunk 7")
        s.expect(.discardMessage(.noValidRecipients)) { $0.chunkEnded(chunkEnd(last: false, total: 7)) }
        s.expect("BDAT 7 LAST", "discardChunk 7 LAST")
        s.expect(.discardMessage(.noValidRecipients)) { $0.chunkEnded(chunkEnd(last: true, total: 14)) }
        #expect(s.session.transaction == nil, "LAST ended the failed transaction")
        #expect(s.session.state.errorCount == 3, "the repeated refusal of one transaction counts once")
    }

    @Test("over the size limit: 552 5.3.4, the spool is dropped, the rest refused until RSET")
    func sizeLimit() {
        var s = Self.ready()
        s.expect("BDAT 6000", "receiveChunk 6000 open")
        s.expect("250 2.0.0") { $0.chunkEnded(chunkEnd(last: false, total: 6000)) }
        s.expect("BDAT 5000", .discardChunk(size: 5000, last: false))
        s.expect(.discardMessage(.messageTooBig)) { $0.chunkEnded(chunkEnd(last: false, total: 11_000)) }
        s.expect("BDAT 1", "discardChunk 1")
        s.expect("discardMessage 552 5.3.4") { $0.chunkEnded(chunkEnd(last: false, total: 1)) }
        s.expect("DATA", "503 5.5.1")
        s.expect("MAIL FROM:<a@example.net>", "503 5.5.1")
        #expect(s.session.state.errorCount == 3, "552 once, then DATA and MAIL")
        s.expect("RSET", "resetTransaction 250 2.0.0")
        s.mail("a@example.net")
        s.rcpt("b@example.com")
        s.expect("BDAT 10 LAST", "receiveChunk 10 LAST open")
    }

    @Test("the LAST chunk of a failed transaction ends it")
    func failedLast() {
        var s = Self.ready()
        s.expect("BDAT 10001 LAST", "discardChunk 10001 LAST")
        s.expect("discardMessage 552 5.3.4") { $0.chunkEnded(chunkEnd(last: true, total: 10_001)) }
        #expect(s.session.transaction == nil)
        s.mail("a@example.net")
    }

    @Test("a per-recipient limit applies to the sum of the chunks")
    func perRecipientLimit() {
        var s = Script()
        s.ehlo()
        s.mail("a@example.net")
        s.rcpt("small@example.com", limit: 100)
        s.expect("BDAT 60", "receiveChunk 60 open")
        s.expect("250 2.0.0") { $0.chunkEnded(chunkEnd(last: false, total: 60)) }
        s.expect("BDAT 41 LAST", "discardChunk 41 LAST")
        s.expect("discardMessage 552 5.3.4") { $0.chunkEnded(chunkEnd(last: true, total: 101)) }
    }

    @Test("the framer's own verdict on a chunk discards the message")
    func framerVerdict() {
        var s = Self.ready()
        s.expect("BDAT 100", "receiveChunk 100 open")
        s.expect(.discardMessage(.messageTooBig)) { $0.chunkEnded(chunkEnd(last: false, total: 100, error: .messageTooLarge)) }
        s.expect("BDAT 5 LAST", "discardChunk 5 LAST")
        s.expect("discardMessage 552 5.3.4") { $0.chunkEnded(chunkEnd(last: true, total: 5)) }
        #expect(s.session.transaction == nil)
    }

    @Test("a malformed BDAT with a readable size still has its chunk read as data")
    func malformedBDAT() {
        var s = Self.ready()
        s.expect("BDAT 12 LATS", .discardChunk(size: 12, last: false))
        s.expect("discardMessage 501 5.5.4") { $0.chunkEnded(chunkEnd(last: false, total: 12)) }
        s.expect("BDAT 12 LAST", "discardChunk 12 LAST")
        s.expect("discardMessage 501 5.5.4") { $0.chunkEnded(chunkEnd(last: true, total: 12)) }
        // Without a size there is nothing to read.
        s.expect("BDAT LAST", "501 5.5.4")
        s.expect("BDAT", "501 5.5.2")
        #expect(SMTPSession.chunkAnnouncement(in: bytes("bdat 99999999999999999999 x"))?.size == Int.max)
        #expect(SMTPSession.chunkAnnouncement(in: bytes("BDATX 10")) == nil)
    }

    @Test("BDAT after HELO (CHUNKING not offered) is refused, its chunk read")
    func afterHELO() {
        var s = Script()
        s.expect("HELO client.example.org", "250")
        s.expect("BDAT 3", "discardChunk 3")
        s.expect(.discardMessage(.ehloRequired)) { $0.chunkEnded(chunkEnd(last: false, total: 3)) }
    }

    @Test("chunkEnded when no chunk was announced closes the connection")
    func outOfTurn() {
        var s = Self.ready()
        s.expect("close 421 4.3.0") { $0.chunkEnded(chunkEnd(last: true, total: 0)) }
        #expect(s.session.isClosed)
    }
}
