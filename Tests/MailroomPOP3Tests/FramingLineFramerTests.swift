// FramingLineFramerTests.swift — tests for Framing/POP3LineFramer.swift: CRLF and bare LF,
// pipelined lines in one read, lines split anywhere (drip-fed byte by byte), the length
// limit at its exact edge for commands and SASL responses, and over-long lines dropped with
// bounded memory and reported at their end.

@testable import MailroomPOP3
import Testing

@Suite("Framing: line framer")
struct FramingLineFramerTests {
    let limits = POP3Limits(commandLineBytes: 255, saslLineBytes: 1024)

    @Test("CRLF and bare LF end lines; the CR of CRLF is removed, a lone CR kept")
    func lineEnds() {
        var framer = POP3LineFramer(limits: limits)
        let events = framer.events(in: bytes("STAT\r\nLIST\nNO\rOP\r\n\r\n"))
        #expect(events == [.line(bytes("STAT")), .line(bytes("LIST")), .line(bytes("NO\rOP")), .line([])])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test("a step stops after each line, leaving the rest unused")
    func stepsStopAtLineEnd() {
        var framer = POP3LineFramer(limits: limits)
        let input = bytes("STLS\r\nUSER evil\r\n")
        let step = framer.next(in: input)
        #expect(step == POP3LineFramer.Step(consumed: 6, event: .line(bytes("STLS"))))
        let partial = framer.next(in: bytes("USER ev"))
        #expect(partial == POP3LineFramer.Step(consumed: 7, event: nil))
        #expect(framer.next(in: bytes("il\r\n")).event == .line(bytes("USER evil")))
    }

    @Test("drip-fed one byte at a time gives the same events")
    func dripFeed() {
        let input = bytes("USER a@example.com\r\nPASS  two  spaces \r\nRETR 1\n")
        var whole = POP3LineFramer(limits: limits)
        let expected = whole.events(in: input)
        var drip = POP3LineFramer(limits: limits)
        var events: [POP3LineFramer.Event] = []
        for byte in input { events += drip.events(in: [byte]) }
        #expect(events == expected)
        #expect(events.count == 3)
    }

    @Test("the limit counts the terminator: 255 octets with CRLF pass, 256 do not")
    func limitEdge() {
        var framer = POP3LineFramer(limits: limits)
        let ok = [UInt8](repeating: 0x41, count: 253)
        #expect(framer.events(in: ok + [0x0D, 0x0A]) == [.line(ok)])
        #expect(framer.events(in: ok + [0x41, 0x0A]) == [.line(ok + [0x41])], "254 + LF is 255")
        #expect(framer.events(in: ok + [0x41, 0x0D, 0x0A]) == [.lineTooLong])
        #expect(framer.events(in: bytes("NOOP\r\n")) == [.line(bytes("NOOP"))], "in step again")
    }

    @Test("SASL responses have their own, larger limit")
    func saslLimit() {
        var framer = POP3LineFramer(limits: limits)
        framer.lineKind = .saslResponse
        #expect(framer.maximumLineBytes == 1024)
        let long = [UInt8](repeating: 0x41, count: 1000)
        #expect(framer.events(in: long + [0x0D, 0x0A]) == [.line(long)])
        framer.lineKind = .command
        #expect(framer.events(in: long + [0x0D, 0x0A]) == [.lineTooLong])
    }

    @Test("hostile: 80,000 octets without a newline hold no more than a line; the error comes at the LF")
    func hugeLine() {
        var framer = POP3LineFramer(limits: limits)
        for _ in 0..<80 {
            #expect(framer.events(in: [UInt8](repeating: 0x58, count: 1000)).isEmpty)
            #expect(framer.bufferedByteCount < 255)
            #expect(framer.isDiscarding)
        }
        #expect(framer.events(in: bytes("XX\r\nQUIT\r\n")) == [.lineTooLong, .line(bytes("QUIT"))])
    }

    @Test("a split CRLF and a split long line")
    func splits() {
        var framer = POP3LineFramer(limits: limits)
        #expect(framer.events(in: bytes("NOOP\r")).isEmpty)
        #expect(framer.events(in: bytes("\n")) == [.line(bytes("NOOP"))])
        #expect(framer.events(in: [UInt8](repeating: 0x41, count: 200)).isEmpty)
        #expect(framer.events(in: [UInt8](repeating: 0x41, count: 200)).isEmpty)
        #expect(framer.events(in: bytes("\r\nSTAT\r\n")) == [.lineTooLong, .line(bytes("STAT"))])
    }
}
