// FramingDataReaderTests.swift — tests for Sources/MailroomSMTP/Framing/SMTPDataReader.swift
// (RFC 5321 §4.1.1.4 end of data, §4.5.2 dot-unstuffing, §4.5.3.1 limits).
//
// Every receive vector of shared/corpora/smtp-smuggling-cases/data_reader_vectors.jsonl (mox's
// TestDataReader), each read whole, byte by byte and in random splits; a comparison with a
// direct transcription of mox's DataReader on random input; the message and text line limits
// at and one past the bound; NUL; streaming (data comes out before the end); nothing handed
// out after the message is known to be refused.

import MailroomSMTP
import MailroomCore
import Testing

@Suite("SMTPDataReader")
struct FramingDataReaderTests {
    @Test("the corpus holds its 23 receive vectors")
    func corpusPresent() throws {
        let vectors = try FramingCorpus.receiveVectors()
        #expect(vectors.count == 23)
        #expect(vectors.map(\.id) == framingIDs("R", 1...23))
    }

    @Test("receive vector", arguments: try FramingCorpus.receiveVectors())
    func receiveVector(_ vector: DataVector) throws {
        let input = [UInt8](framing: try #require(vector.wireInput))
        for split in FramingSplit.all {
            let outcome = framingReadData(split.reads(input))
            switch vector.expectedError {
            case nil:
                let expected = [UInt8](framing: try #require(vector.expectedMessage))
                #expect(outcome.verdict == .accepted, "\(split)")
                #expect(outcome.message == expected,
                        "\(split): got \(framingEscaped(outcome.message)), want \(framingEscaped(expected))")
                #expect(outcome.consumed == input.count, "\(split)")
                #expect(outcome.closedError == nil, "\(split)")
            case "bad_line_ending":
                // Refused, but only at the real <CRLF>.<CRLF>, which ends every such vector.
                #expect(outcome.verdict == .rejected(.badLineEnding), "\(split)")
                #expect(outcome.consumed == input.count, "\(split)")
                #expect(outcome.closedError == nil, "\(split)")
            case "unexpected_eof":
                #expect(outcome.verdict == nil, "\(split)")
                #expect(outcome.consumed == input.count, "\(split)")
                #expect(outcome.closedError == .unexpectedEndOfInput, "\(split)")
            case let other:
                Issue.record("unknown expected_error \(other ?? "nil") in \(vector.id)")
            }
        }
    }

    /// mox's smtp.DataReader (commit 1c9587665b32), transcribed: lines are read up to and
    /// including each LF, the last two bytes written decide what a line start is.
    private static func moxDataReader(_ input: [UInt8]) -> (message: [UInt8], end: Int?, bad: Bool) {
        let cr: UInt8 = 0x0D, lf: UInt8 = 0x0A, dot: UInt8 = 0x2E
        var plast = cr, last = lf
        var bad = false
        var message: [UInt8] = []
        var position = 0
        while position < input.count {
            let lineEnd = input[position...].firstIndex(of: lf).map { $0 + 1 } ?? input.count
            var line = Array(input[position..<lineEnd])
            position = lineEnd
            for index in line.indices where line[index] == cr && (index + 1 == line.count || line[index + 1] != lf) {
                bad = true
            }
            if plast == cr && last == lf {
                if line == [dot, cr, lf] { return (message, position, bad) }
                if line.first == dot {
                    if line.count >= 2 && line[1] == lf { bad = true }
                    line.removeFirst()
                }
            } else if last == lf && (line.starts(with: [dot, lf]) || line.starts(with: [dot, cr, lf])) {
                bad = true
            }
            message += line
            if line.count == 1 {
                (plast, last) = (last, line[0])
            } else if line.count > 1 {
                (plast, last) = (line[line.count - 2], line[line.count - 1])
            }
        }
        return (message, nil, bad)
    }

    @Test("agrees with mox's DataReader on 4000 random inputs")
    func agreesWithMox() {
        let tokens: [[UInt8]] = ["a", "b.", ".", "\r", "\n", "\r\n", ".\r\n", "\r\n.", "..", "\r\n.\r\n", "\n.", "x\r\n"]
            .map { [UInt8](framing: $0) }
        var generator = SplitMix64(seed: 5321)
        for round in 0..<4000 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &generator) {
                input += tokens.randomElement(using: &generator)!
            }
            let mox = Self.moxDataReader(input)
            let split = FramingSplit.all.randomElement(using: &generator)!
            let ours = framingReadData(split.reads(input))
            let context = "round \(round), \(split), input \(framingEscaped(input))"
            let ourEnd: Int? = ours.verdict != nil ? ours.consumed : nil
            #expect(ourEnd == mox.end, "\(context)")
            guard mox.end != nil else {
                #expect(ours.closedError == .unexpectedEndOfInput, "\(context)")
                continue
            }
            #expect(ours.verdict == (mox.bad ? .rejected(.badLineEnding) : .accepted), "\(context)")
            if !mox.bad { #expect(ours.message == mox.message, "\(context)") }
        }
    }

    @Test("message data comes out in pieces before the end")
    func streams() {
        let line = [UInt8](repeating: UInt8(ascii: "m"), count: 78) + [0x0D, 0x0A]
        let body = Array([[UInt8]](repeating: line, count: 2500).joined())   // 200,000 bytes
        let input = body + [UInt8](framing: ".\r\n")
        var reader = SMTPDataReader()
        var pieces = 0
        var received: [UInt8] = []
        var index = 0
        var verdict: SMTPMessageVerdict?
        while index < input.count && verdict == nil {
            let read = input[index..<min(index + 4096, input.count)]
            var rest = read
            while true {
                let step = reader.next(in: rest)
                rest = rest.dropFirst(step.consumed)
                guard let event = step.event else { break }
                if case .data(let bytes) = event {
                    #expect(bytes.count <= 4096)
                    pieces += 1
                    received += bytes
                } else if case .end(let v) = event {
                    verdict = v
                    break
                }
            }
            index += read.count
        }
        #expect(verdict == .accepted)
        #expect(received == body)
        #expect(pieces >= 49)
    }

    @Test("dot-unstuffing applies to every line start after CRLF, not after a bare LF")
    func unstuffing() {
        let input = [UInt8](framing: "..a\r\n...\r\nx\n..b\r\n.c\r\n.\r\n")
        let outcome = framingReadData([input])
        #expect(outcome.verdict == .accepted)
        #expect(outcome.message == [UInt8](framing: ".a\r\n..\r\nx\n..b\r\nc\r\n"))
    }

    @Test("a run crossing both limits fails with the one a byte-by-byte count reaches first",
          arguments: [(1050, 1000, SMTPDataError.textLineTooLong), (900, 1000, .messageTooLarge), (1000, 1000, .messageTooLarge),
                      (5000, 2000, nil), (1102, 1102, nil)])
    func limitOrderInARun(messageBytes: Int, textLineBytes: Int, expected: SMTPDataError?) {
        // One line of 1,100 letters (1,102 bytes with its CRLF; text lines are at least 1,000).
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1100) + [UInt8](framing: "\r\n.\r\n")
        for split in [1, 7, 512, input.count] {
            let pieces = stride(from: 0, to: input.count, by: split).map { Array(input[$0..<min($0 + split, input.count)]) }
            let outcome = framingReadData(pieces, limits: Self.limits(messageBytes: messageBytes, textLineBytes: textLineBytes))
            #expect(outcome.verdict == (expected.map { .rejected($0) } ?? .accepted), "split \(split)")
        }
    }

    private static func limits(messageBytes: Int = 1 << 20, textLineBytes: Int = 1000) -> SMTPLimits {
        SMTPLimits(commandLineBytes: 512, textLineBytes: textLineBytes, authLineBytes: 12288,
                   messageBytes: messageBytes, recipients: 100)
    }

    /// A message of `lines` lines of 98 letters and CRLF.
    private static func message(lines: Int) -> [UInt8] {
        let line = [UInt8](repeating: UInt8(ascii: "q"), count: 98) + [0x0D, 0x0A]
        return Array([[UInt8]](repeating: line, count: lines).joined())
    }

    @Test("a message of exactly messageBytes is accepted; one byte more is refused", arguments: FramingSplit.all)
    func messageSizeLimit(_ split: FramingSplit) {
        let limit = 10_000
        let exact = Self.message(lines: limit / 100)
        #expect(exact.count == limit && exact.suffix(2) == [0x0D, 0x0A])
        let pipelined = [UInt8](framing: "QUIT\r\n")
        let terminator = [UInt8](framing: ".\r\n")

        let atLimit = framingReadData(split.reads(exact + terminator + pipelined),
                                      limits: Self.limits(messageBytes: limit))
        #expect(atLimit.verdict == .accepted)
        #expect(atLimit.message == exact)
        #expect(atLimit.leftover == pipelined)

        let over = [UInt8](framing: "x") + exact
        var handedOut = 0
        let tooLarge = framingReadData(split.reads(over + terminator + pipelined),
                                       limits: Self.limits(messageBytes: limit)) { bytes, _ in handedOut += bytes.count }
        #expect(tooLarge.verdict == .rejected(.messageTooLarge))
        // Still read to the real end, the rest is command input again.
        #expect(tooLarge.consumed == over.count + terminator.count)
        #expect(tooLarge.leftover == pipelined)
        // The spool never gets more than the limit.
        #expect(handedOut <= limit)
    }

    @Test("a text line of exactly textLineBytes is accepted; one byte more is refused")
    func textLineLimit() {
        let limits = Self.limits(textLineBytes: 1000)
        let letters = { (n: Int) in [UInt8](repeating: UInt8(ascii: "t"), count: n) }
        let crlf = [UInt8](framing: "\r\n"), end = [UInt8](framing: ".\r\n")

        // 998 + CRLF = 1000 octets.
        #expect(framingReadData([letters(998) + crlf + end], limits: limits).verdict == .accepted)
        // 999 + CRLF = 1001.
        #expect(framingReadData([letters(999) + crlf + end], limits: limits).verdict == .rejected(.textLineTooLong))
        // The stuffed dot does not count (§4.5.3.1.6): "." + "." + 997 + CRLF is a 1000-octet line.
        #expect(framingReadData([[0x2E, 0x2E] + letters(997) + crlf + end], limits: limits).verdict == .accepted)
        // A bare LF ends a line for this count: two lines of 999 + LF are fine.
        #expect(framingReadData([letters(999) + [0x0A] + letters(997) + crlf + end], limits: limits).verdict == .accepted)
        // The last line counts as well, the refusal waits for the real end.
        let refused = framingReadData([crlf + letters(5000) + crlf + end + [UInt8](framing: "NOOP\r\n")], limits: limits)
        #expect(refused.verdict == .rejected(.textLineTooLong))
        #expect(refused.leftover == [UInt8](framing: "NOOP\r\n"))
    }

    @Test("NUL in message data is refused at the real end", arguments: FramingSplit.all)
    func nulByte(_ split: FramingSplit) {
        let input = [UInt8](framing: "Subject: x\r\n\r\nnul \0 here\r\nmore\r\n.\r\nRSET\r\n")
        let outcome = framingReadData(split.reads(input))
        #expect(outcome.verdict == .rejected(.nulByte))
        #expect(outcome.leftover == [UInt8](framing: "RSET\r\n"))
    }

    @Test("the first problem is the verdict")
    func firstProblemWins() {
        let limits = Self.limits(messageBytes: 20)
        #expect(framingReadData([[UInt8](framing: "a\rb\0\r\n.\r\n")], limits: limits).verdict == .rejected(.badLineEnding))
        #expect(framingReadData([[UInt8](framing: "a\0b\rc\r\n.\r\n")], limits: limits).verdict == .rejected(.nulByte))
        #expect(framingReadData([[UInt8](framing: "0123456789012345678901\rx\r\n.\r\n")], limits: limits).verdict
                == .rejected(.messageTooLarge))
    }

    @Test("no data is handed out once the message is known to be refused", arguments: FramingSplit.all)
    func noDataAfterRefusal(_ split: FramingSplit) {
        let input = [UInt8](framing: "first line\r\nbare\rCR\r\nmany more lines\r\n..stuffed\r\nend\r\n.\r\n")
        var afterError = 0
        let outcome = framingReadData(split.reads(input)) { bytes, error in
            if error != nil { afterError += bytes.count }
        }
        #expect(outcome.verdict == .rejected(.badLineEnding))
        #expect(afterError == 0)
        #expect(outcome.message.count <= "first line\r\nbare\r".utf8.count)
    }

    @Test("after the end the reader uses nothing")
    func finished() {
        var reader = SMTPDataReader()
        let step = reader.next(in: [UInt8](framing: ".\r\nMAIL FROM:<a@example.org>\r\n"))
        #expect(step == SMTPFramingStep(consumed: 3, event: .end(.accepted)))
        #expect(reader.isFinished)
        #expect(reader.next(in: [UInt8](framing: "MAIL")) == SMTPFramingStep(consumed: 0, event: nil))
        #expect(reader.inputClosed() == nil)
    }
}
