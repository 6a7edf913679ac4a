// FramingInputFramerTests.swift — tests for Sources/MailroomSMTP/Framing/SMTPInputFramer.swift:
// mode switches at the exact byte (RFC 2920 PIPELINING), commands pipelined after
// <CRLF>.<CRLF> coming back byte for byte, AUTH lines falling back to the command limit, and a
// fuzz-style run of random streams (same transcript however cut, bounded buffer).

import MailroomSMTP
import MailroomCore
import Testing

@Suite("SMTPInputFramer")
struct FramingInputFramerTests {
    @Test("commands pipelined after <CRLF>.<CRLF> in the same read come back byte-exact", arguments: FramingSplit.all)
    func pipelinedAfterData(_ split: FramingSplit) {
        let after = ["RSET", "MAIL FROM:<b@example.org> SIZE=10 BODY=8BITMIME", "RCPT TO:<\"odd  \\\"quoted\"@example.com>",
                     "DATA"]
        let input = [UInt8](framing: "MAIL FROM:<a@example.org>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n")
            + [UInt8](framing: "Subject: one\r\n\r\n..dot\r\nbody\r\n.\r\n")
            + [UInt8](framing: after.map { $0 + "\r\n" }.joined())
            + [UInt8](framing: "Subject: two\r\n\r\nx\r\n.\r\nQUIT\r\n")
        let transcript = framingRunSession(split.reads(input))
        #expect(transcript.entries == [
            .line([UInt8](framing: "MAIL FROM:<a@example.org>")), .line([UInt8](framing: "RCPT TO:<c@example.com>")),
            .line([UInt8](framing: "DATA")),
            .message([UInt8](framing: "Subject: one\r\n\r\n.dot\r\nbody\r\n"), .accepted),
        ] + after.map { .line([UInt8](framing: $0)) } + [
            .message([UInt8](framing: "Subject: two\r\n\r\nx\r\n"), .accepted),
            .line([UInt8](framing: "QUIT")),
        ], "\(split)")
        #expect(transcript.closedError == nil)
    }

    @Test("the step that ends the data leaves the next command untouched")
    func exactByte() {
        var framer = SMTPInputFramer()
        let input = [UInt8](framing: "DATA\r\nhi\r\n.\r\nQUIT\r\n")
        #expect(framer.next(in: input) == SMTPFramingStep(consumed: 6, event: .line([UInt8](framing: "DATA"))))
        framer.expectMessageData()
        #expect(framer.mode == .messageData)
        // The run of data ends at the dot, which is used with it (removed: stuffing or the end).
        #expect(framer.next(in: input.dropFirst(6)) == SMTPFramingStep(consumed: 5, event: .messageData([UInt8](framing: "hi\r\n"))))
        #expect(framer.next(in: input.dropFirst(11)) == SMTPFramingStep(consumed: 2, event: .messageEnd(.accepted)))
        #expect(framer.mode == .command)
        #expect(framer.messageData.messageByteCount == 4)
        #expect(framer.next(in: input.dropFirst(13)) == SMTPFramingStep(consumed: 6, event: .line([UInt8](framing: "QUIT"))))
    }

    @Test("a refused message: the session answers, then reads commands again")
    func refusedThenCommands() {
        let input = [UInt8](framing: "DATA\r\nbad\n.\nMAIL FROM:<smuggled@example.org>\r\n.\r\nRSET\r\n")
        for split in FramingSplit.all {
            let transcript = framingRunSession(split.reads(input))
            #expect(transcript.entries == [.line([UInt8](framing: "DATA")), .message([], .rejected(.badLineEnding)),
                                           .line([UInt8](framing: "RSET"))], "\(split)")
        }
    }

    @Test("a closed connection inside DATA or a chunk is reported")
    func closedInside() {
        #expect(framingRunSession([[UInt8](framing: "DATA\r\nhalf a mess")]).closedError == .unexpectedEndOfInput)
        #expect(framingRunSession([[UInt8](framing: "BDAT 10\r\nhalf")]).closedError == .unexpectedEndOfInput)
        #expect(framingRunSession([[UInt8](framing: "NOOP\r\nhalf a comm")]).closedError == nil)
    }

    @Test("an AUTH response line may be longer than a command, for one line only")
    func authResponse() {
        let limits = SMTPLimits(commandLineBytes: 512, textLineBytes: 1000, authLineBytes: 4096, messageBytes: 1 << 20, recipients: 100)
        let response = [UInt8](repeating: UInt8(ascii: "Z"), count: 3000)
        let input = [UInt8](framing: "AUTH PLAIN\r\n") + response + [UInt8](framing: "\r\n") + response + [UInt8](framing: "\r\nNOOP\r\n")
        for split in FramingSplit.all {
            let transcript = framingRunSession(split.reads(input), limits: limits)
            #expect(transcript.entries == [.line([UInt8](framing: "AUTH PLAIN")), .line(response), .lineTooLong,
                                           .line([UInt8](framing: "NOOP"))], "\(split)")
            #expect(transcript.maximumBuffered < 4096)
        }
    }

    @Test("fuzz: random streams give the same transcript however they are cut, with a bounded buffer")
    func fuzz() {
        let tokens = ["DATA\r\n", "BDAT 3\r\n", "BDAT 0 LAST\r\n", "BDAT 2 LAST\r\n", "AUTH X\r\n", "NOOP\r\n", ".", "\r", "\n",
                      "\r\n", "\r\n.\r\n", "\0", "x", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"].map { [UInt8](framing: $0) }
        let limits = SMTPLimits(commandLineBytes: 512, textLineBytes: 1000, authLineBytes: 600, messageBytes: 700, recipients: 100)
        var generator = SplitMix64(seed: 3030)
        for round in 0..<400 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...80, using: &generator) { input += tokens.randomElement(using: &generator)! }
            let whole = framingRunSession([input], limits: limits)
            #expect(whole.maximumBuffered < 600, "round \(round)")
            for split in [FramingSplit.oneByte, .random(seed: UInt64(round))] {
                let cut = framingRunSession(split.reads(input), limits: limits)
                #expect(cut == whole, "round \(round), \(split): \(framingEscaped(input))")
            }
        }
    }
}
