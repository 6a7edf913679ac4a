// FramingLineFramerTests.swift — tests for Sources/MailroomSMTP/Framing/SMTPLineFramer.swift
// (RFC 5321 §2.3.8 line ends, §4.5.3.1.4 command line length; RFC 4954 §4 AUTH lines).
//
// Line ends (CRLF; bare LF accepted or refused by policy; bare CR refused), NUL, the length
// limit exactly at and one past the bound, the AUTH limit, hostile input (80,000 bytes without
// a newline: the buffer never passes the limit), and drip-feeding of random input.

import MailroomSMTP
import MailroomCore
import Testing

@Suite("SMTPLineFramer")
struct FramingLineFramerTests {
    private static let limits512 = SMTPLimits(commandLineBytes: 512, textLineBytes: 1000, authLineBytes: 2048,
                                              messageBytes: 1 << 20, recipients: 100)

    /// All events for `reads`, and the most bytes held at any moment.
    private static func events(_ reads: [[UInt8]], limits: SMTPLimits = .default,
                               bareLineFeed: SMTPLineFramer.BareLineFeedPolicy = .accept,
                               kind: SMTPLineFramer.LineKind = .command) -> (events: [SMTPLineFramer.Event], maximumBuffered: Int) {
        var framer = SMTPLineFramer(limits: limits, bareLineFeed: bareLineFeed)
        framer.lineKind = kind
        var events: [SMTPLineFramer.Event] = []
        var maximumBuffered = 0
        for read in reads {
            var rest = read[...]
            while true {
                let step = framer.next(in: rest)
                rest = rest.dropFirst(step.consumed)
                maximumBuffered = max(maximumBuffered, framer.bufferedByteCount)
                guard let event = step.event else {
                    #expect(rest.isEmpty)
                    break
                }
                events.append(event)
            }
        }
        return (events, maximumBuffered)
    }

    private static func line(_ text: String) -> SMTPLineFramer.Event { .line([UInt8](framing: text)) }

    @Test("CRLF lines, several in one read, each step stops at its line end")
    func crlfLines() {
        var framer = SMTPLineFramer()
        let input = [UInt8](framing: "EHLO a.example\r\nMAIL FROM:<a@example.org>\r\nRC")
        let first = framer.next(in: input)
        #expect(first == SMTPFramingStep(consumed: 16, event: Self.line("EHLO a.example")))
        let second = framer.next(in: input.dropFirst(16))
        #expect(second == SMTPFramingStep(consumed: 27, event: Self.line("MAIL FROM:<a@example.org>")))
        let third = framer.next(in: input.dropFirst(43))
        #expect(third == SMTPFramingStep(consumed: 2, event: nil))
        #expect(framer.bufferedByteCount == 2 && !framer.isAtLineStart)
        #expect(framer.next(in: [UInt8](framing: "PT TO:<b@example.org>\r\n")).event == Self.line("RCPT TO:<b@example.org>"))
        #expect(framer.isAtLineStart)
    }

    @Test("a CR and its LF in different reads")
    func crlfSplit() {
        let result = Self.events([[UInt8](framing: "NOOP\r"), [UInt8](framing: "\nQUIT\r"), [0x0A]])
        #expect(result.events == [Self.line("NOOP"), Self.line("QUIT")])
    }

    @Test("a bare LF ends a command line by default, and is refused with .reject")
    func bareLineFeed() {
        let input = [UInt8](framing: "NOOP\nRSET\r\n")
        #expect(Self.events([input]).events == [Self.line("NOOP"), Self.line("RSET")])
        #expect(Self.events([input], bareLineFeed: .reject).events == [.invalidLine(.bareLineFeed), Self.line("RSET")])
    }

    @Test("a bare CR makes the line invalid up to its LF, the next line is read normally")
    func bareCarriageReturn() {
        let input = [UInt8](framing: "MAIL FROM:<a@example.org>\rRCPT TO:<b@example.org>\r\nNOOP\r\nX\r\r\nY\r\n")
        for split in FramingSplit.all {
            #expect(Self.events(split.reads(input)).events
                    == [.invalidLine(.bareCarriageReturn), Self.line("NOOP"), .invalidLine(.bareCarriageReturn), Self.line("Y")],
                    "\(split)")
        }
    }

    @Test("NUL makes the line invalid")
    func nulByte() {
        let input = [UInt8](framing: "HELO a\0b\r\nHELO c\r\n")
        #expect(Self.events([input]).events == [.invalidLine(.nulByte), Self.line("HELO c")])
    }

    @Test("a line of exactly commandLineBytes is accepted; one byte more is too long", arguments: FramingSplit.all)
    func lengthLimit(_ split: FramingSplit) {
        let word = { (n: Int) in [UInt8](repeating: UInt8(ascii: "w"), count: n) }
        let crlf = [UInt8](framing: "\r\n")
        // 510 + CRLF = 512: fine. 511 + CRLF = 513: too long. 511 + LF = 512: fine.
        let input = word(510) + crlf + word(511) + crlf + word(511) + [0x0A] + [UInt8](framing: "NOOP\r\n")
        let result = Self.events(split.reads(input), limits: Self.limits512)
        #expect(result.events == [.line(word(510)), .lineTooLong, .line(word(511)), Self.line("NOOP")], "\(split)")
        #expect(result.maximumBuffered <= 511, "\(split)")
    }

    @Test("AUTH response lines use authLineBytes")
    func authLimit() {
        let response = [UInt8](repeating: UInt8(ascii: "Q"), count: 2000) + [0x0D, 0x0A]
        #expect(Self.events([response], limits: Self.limits512, kind: .authResponse).events == [.line(Array(response.dropLast(2)))])
        #expect(Self.events([response], limits: Self.limits512, kind: .command).events == [.lineTooLong])
        let tooLong = [UInt8](repeating: UInt8(ascii: "Q"), count: 2047) + [0x0D, 0x0A]
        #expect(Self.events([tooLong], limits: Self.limits512, kind: .authResponse).events == [.lineTooLong])
    }

    @Test("80,000 bytes without a newline: one lineTooLong, memory bounded, in sync afterwards", arguments: FramingSplit.all)
    func hugeLine(_ split: FramingSplit) {
        let garbage = (0..<80_000).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let limit = SMTPLimits.default.commandLineBytes
        let withoutNewline = Self.events(split.reads(garbage))
        #expect(withoutNewline.events == [.lineTooLong], "\(split)")
        #expect(withoutNewline.maximumBuffered < limit, "\(split)")

        let thenCommands = Self.events(split.reads(garbage + [UInt8](framing: "\r\nNOOP\r\n")))
        #expect(thenCommands.events == [.lineTooLong, Self.line("NOOP")], "\(split)")
        #expect(thenCommands.maximumBuffered < limit, "\(split)")
    }

    @Test("the same events however the input is cut, on random input")
    func dripFeeding() {
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: " "), 0x0D, 0x0A, 0x00, UInt8(ascii: ".")]
        var generator = SplitMix64(seed: 821)
        for round in 0..<300 {
            let count = Int.random(in: 0...1500, using: &generator)
            let input = (0..<count).map { _ in
                Int.random(in: 0..<10, using: &generator) < 7 ? alphabet[0] : alphabet.randomElement(using: &generator)!
            }
            let whole = Self.events([input], limits: Self.limits512)
            #expect(whole.maximumBuffered < 512)
            for split in [FramingSplit.oneByte, .random(seed: UInt64(round))] {
                let cut = Self.events(split.reads(input), limits: Self.limits512)
                #expect(cut.events == whole.events, "round \(round), \(split)")
                #expect(cut.maximumBuffered < 512, "round \(round), \(split)")
            }
        }
    }
}
