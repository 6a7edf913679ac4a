// FramingBDATTests.swift — tests for Sources/MailroomSMTP/Framing/BDATReader.swift (RFC 3030
// CHUNKING): exact chunk sizes, binary safety, size 0 with LAST, chunks split across reads,
// the message size limit across chunks, the end of input inside a chunk.

import MailroomSMTP
import Testing

@Suite("BDATReader")
struct FramingBDATTests {
    private static func limits(messageBytes: Int) -> SMTPLimits {
        SMTPLimits(commandLineBytes: 512, textLineBytes: 1000, authLineBytes: 2048, messageBytes: messageBytes, recipients: 100)
    }

    private static func chunk(_ bytes: [UInt8], last: Bool, total: Int, error: SMTPDataError? = nil) -> FramingTranscript.Entry {
        .chunk(bytes, isLast: last, messageByteCount: total, error: error)
    }

    @Test("BDAT 0 LAST ends the message at once, without input")
    func zeroLast() {
        var reader = BDATReader()
        #expect(reader.startChunk(size: 7, last: false) == nil)
        #expect(reader.next(in: [UInt8](framing: "1234567RSET\r\n")).event
                == .chunkEnd(.init(data: [UInt8](framing: "1234567"), isLast: false, messageByteCount: 7, error: nil)))
        let end = reader.startChunk(size: 0, last: true)
        #expect(end == .init(data: [], isLast: true, messageByteCount: 7, error: nil))
        #expect(!reader.isInChunk)
        #expect(reader.messageByteCount == 0, "the next message starts from zero")
        #expect(reader.next(in: [UInt8](framing: "QUIT\r\n")) == SMTPFramingStep(consumed: 0, event: nil))

        // Through the session: the commands around it stay commands.
        for split in FramingSplit.all {
            let transcript = framingRunSession(split.reads([UInt8](framing: "BDAT 0 LAST\r\nQUIT\r\n")))
            #expect(transcript.entries == [.line([UInt8](framing: "BDAT 0 LAST")), Self.chunk([], last: true, total: 0),
                                           .line([UInt8](framing: "QUIT"))], "\(split)")
        }
    }

    @Test("a chunk is exactly n bytes, binary-safe, whatever the reads", arguments: FramingSplit.all)
    func exactAndBinary(_ split: FramingSplit) {
        // Dots, bare CR/LF, NUL, a fake end of data and a command inside the chunk are data.
        let first = [UInt8](framing: "\r\n.\r\nMAIL FROM:<smuggled@example.org>\r\n\0\r.\n") + (0...255).map { UInt8($0) }
        let second = [UInt8](framing: "tail")
        let input = [UInt8](framing: "BDAT \(first.count)\r\n") + first
            + [UInt8](framing: "BDAT \(second.count) LAST\r\n") + second + [UInt8](framing: "MAIL FROM:<next@example.org>\r\n")
        let transcript = framingRunSession(split.reads(input))
        #expect(transcript.entries == [
            .line([UInt8](framing: "BDAT \(first.count)")),
            Self.chunk(first, last: false, total: first.count),
            .line([UInt8](framing: "BDAT 4 LAST")),
            Self.chunk(second, last: true, total: first.count + 4),
            .line([UInt8](framing: "MAIL FROM:<next@example.org>")),
        ])
        #expect(transcript.closedError == nil)
    }

    @Test("a chunk split across reads: data pieces, then the end with the last piece")
    func splitAcrossReads() {
        var reader = BDATReader()
        #expect(reader.startChunk(size: 10, last: true) == nil)
        #expect(reader.next(in: [UInt8](framing: "0123")) == SMTPFramingStep(consumed: 4, event: .data([UInt8](framing: "0123"))))
        #expect(reader.next(in: []) == SMTPFramingStep(consumed: 0, event: nil))
        #expect(reader.remainingChunkBytes == 6)
        #expect(reader.inputClosed() == .unexpectedEndOfInput)
        #expect(reader.next(in: [UInt8](framing: "456789NOOP\r\n"))
                == SMTPFramingStep(consumed: 6, event: .chunkEnd(.init(data: [UInt8](framing: "456789"), isLast: true,
                                                                       messageByteCount: 10, error: nil))))
        #expect(reader.inputClosed() == nil)
    }

    @Test("messageBytes across chunks: at the limit accepted, past it refused but consumed", arguments: FramingSplit.all)
    func sizeLimit(_ split: FramingSplit) {
        let limits = Self.limits(messageBytes: 100)
        let sixty = [UInt8](repeating: 0x41, count: 60), forty = [UInt8](repeating: 0x42, count: 40)
        let atLimit = framingRunSession(split.reads([UInt8](framing: "BDAT 60\r\n") + sixty + [UInt8](framing: "BDAT 40 LAST\r\n") + forty),
                                        limits: limits)
        #expect(atLimit.entries == [.line([UInt8](framing: "BDAT 60")), Self.chunk(sixty, last: false, total: 60),
                                    .line([UInt8](framing: "BDAT 40 LAST")), Self.chunk(forty, last: true, total: 100)])

        let fortyOne = forty + [0x43]
        let input = [UInt8](framing: "BDAT 60\r\n") + sixty + [UInt8](framing: "BDAT 41\r\n") + fortyOne
            + [UInt8](framing: "BDAT 3 LAST\r\n") + [UInt8](framing: "xyz") + [UInt8](framing: "BDAT 2 LAST\r\nok")
        let over = framingRunSession(split.reads(input), limits: limits)
        #expect(over.entries == [
            .line([UInt8](framing: "BDAT 60")), Self.chunk(sixty, last: false, total: 60),
            // Known from the size: nothing of this chunk is handed out, all of it is read.
            .line([UInt8](framing: "BDAT 41")), Self.chunk([], last: false, total: 101, error: .messageTooLarge),
            .line([UInt8](framing: "BDAT 3 LAST")), Self.chunk([], last: true, total: 104, error: .messageTooLarge),
            // A new message starts clean.
            .line([UInt8](framing: "BDAT 2 LAST")), Self.chunk([UInt8](framing: "ok"), last: true, total: 2),
        ], "\(split)")
    }

    @Test("RSET forgets the size; absurd sizes saturate")
    func resetAndSaturation() {
        var reader = BDATReader(limits: Self.limits(messageBytes: 10))
        #expect(reader.startChunk(size: Int.max, last: false) == nil)
        #expect(reader.error == .messageTooLarge)
        #expect(reader.next(in: [0x00, 0x01]) == SMTPFramingStep(consumed: 2, event: nil), "refused data is not handed out")
        #expect(reader.next(in: []) == SMTPFramingStep(consumed: 0, event: nil))
        #expect(reader.remainingChunkBytes == Int.max - 2)

        var saturating = BDATReader(limits: Self.limits(messageBytes: 10))
        #expect(saturating.startChunk(size: 11, last: false) == nil)
        #expect(saturating.next(in: [UInt8](repeating: 1, count: 11)).event
                == .chunkEnd(.init(data: [], isLast: false, messageByteCount: 11, error: .messageTooLarge)))
        #expect(saturating.startChunk(size: Int.max, last: false) == nil)
        #expect(saturating.messageByteCount == Int.max)

        var reset = BDATReader(limits: Self.limits(messageBytes: 10))
        #expect(reset.startChunk(size: 11, last: false) == nil)
        _ = reset.next(in: [UInt8](repeating: 1, count: 11))
        reset.resetMessage()
        #expect(reset.messageByteCount == 0 && reset.error == nil)
        #expect(reset.startChunk(size: 10, last: false) == nil)
        #expect(reset.next(in: [UInt8](repeating: 2, count: 10)).event
                == .chunkEnd(.init(data: [UInt8](repeating: 2, count: 10), isLast: false, messageByteCount: 10, error: nil)))
    }
}
