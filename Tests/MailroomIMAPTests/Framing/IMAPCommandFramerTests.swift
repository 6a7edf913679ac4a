// IMAPCommandFramerTests.swift — tests for Framing/IMAPCommandFramer.swift: commands with and
// without literals, synchronizing and non-synchronizing literals, input split anywhere
// (drip-fed byte by byte), each limit at its edge, refused commands skipped without their
// bytes being read as commands, line mode, and the exact stop after a command (STARTTLS).

@testable import MailroomIMAP
import Testing

@Suite("Framing: command framer")
struct IMAPCommandFramerTests {
    let limits = IMAPLimits(commandBytes: 8000, preAuthCommandBytes: 1024, appendLiteralBytes: 20_000,
                            literalsPerCommand: 3, saslLineBytes: 1024)

    func authenticated() -> IMAPCommandFramer {
        var framer = IMAPCommandFramer(limits: limits)
        framer.isAuthenticated = true
        return framer
    }

    @Test("CRLF and bare LF end commands; the final CRLF is not part of the frame")
    func plainCommands() {
        var framer = IMAPCommandFramer(limits: limits)
        let events = framer.events(in: bytes("a1 NOOP\r\na2 CAPABILITY\na3 LOGOUT\r\n"))
        #expect(events == [.command(bytes("a1 NOOP")), .command(bytes("a2 CAPABILITY")), .command(bytes("a3 LOGOUT"))])
        #expect(framer.isIdle)
    }

    @Test("a synchronizing literal asks for a continuation, then the command holds it in wire form")
    func synchronizingLiteral() {
        var framer = IMAPCommandFramer(limits: limits)
        #expect(framer.events(in: bytes("a1 LOGIN {4}\r\n")) == [.continuationRequest])
        #expect(framer.isInLiteral)
        #expect(framer.events(in: bytes("fr\r\n")) == [])
        #expect(framer.events(in: bytes(" {3}\r\n")) == [.continuationRequest])
        #expect(framer.events(in: bytes("p w\r\n")) == [.command(bytes("a1 LOGIN {4}\r\nfr\r\n {3}\r\np w"))])
    }

    @Test("LITERAL+ and literal8 are read without a continuation request")
    func nonSynchronizingLiteral() {
        var framer = authenticated()
        let events = framer.events(in: bytes("a1 APPEND INBOX {5+}\r\nhello\r\na2 APPEND INBOX ~{2}\r\n"))
        #expect(events == [.command(bytes("a1 APPEND INBOX {5+}\r\nhello")), .continuationRequest])
        #expect(framer.events(in: bytes("\r\n\r\n")) == [.command(bytes("a2 APPEND INBOX ~{2}\r\n\r\n"))])
    }

    @Test("a literal may hold anything, including what looks like commands and literal markers")
    func literalContentIsData() {
        var framer = authenticated()
        let events = framer.events(in: bytes("a1 APPEND INBOX {20+}\r\na2 LOGOUT\r\nx {9+}\r\n\r\n"))
        #expect(events == [.command(bytes("a1 APPEND INBOX {20+}\r\na2 LOGOUT\r\nx {9+}\r\n\r"))])
    }

    @Test("RFC 3501 §4.3: a literal's last octet is data even when it is the CR before the LF that ends the command")
    func literalEndingInCR() {
        // The literal is "abc\r" (4 octets); the LF after it ends the line (a bare LF).
        var framer = authenticated()
        #expect(framer.events(in: bytes("a1 APPEND INBOX {4+}\r\nabc\r\n")) == [.command(bytes("a1 APPEND INBOX {4+}\r\nabc\r"))])
        // Drip-fed the same, and a CRLF after a literal still ends the line without its CR.
        var drip = authenticated()
        var events: [IMAPCommandFramer.Event] = []
        for byte in bytes("a1 APPEND INBOX {4+}\r\nabc\r\na2 APPEND INBOX {3+}\r\nabc\r\n") {
            if let event = drip.next(in: [byte]).event { events.append(event) }
        }
        #expect(events == [.command(bytes("a1 APPEND INBOX {4+}\r\nabc\r")), .command(bytes("a2 APPEND INBOX {3+}\r\nabc"))])
        let parsed = try? IMAPCommandParser().parse(bytes("a1 APPEND INBOX {4+}\r\nabc\r"))
        #expect(parsed != nil)
    }

    @Test("input drip-fed one byte at a time gives the same events as whole reads")
    func dripFeed() {
        let input = bytes("a1 LOGIN {4}\r\nfr\r\n {3+}\r\np w\r\na2 SELECT \"INBOX\"\na3 FETCH 1:* (FLAGS)\r\n")
        var whole = IMAPCommandFramer(limits: limits)
        let expected = whole.events(in: input)
        var drip = IMAPCommandFramer(limits: limits)
        var events: [IMAPCommandFramer.Event] = []
        for byte in input {
            let step = drip.next(in: [byte])
            #expect(step.consumed == 1)
            if let event = step.event { events.append(event) }
        }
        #expect(events == expected)
        #expect(events.count == 4)
    }

    @Test("a step stops right after a command: what follows STARTTLS is not read")
    func stopsAfterCommand() {
        var framer = IMAPCommandFramer(limits: limits)
        let input = bytes("a1 STARTTLS\r\na2 LOGIN evil pass\r\n")
        let step = framer.next(in: input)
        #expect(step == IMAPCommandFramer.Step(consumed: 13, event: .command(bytes("a1 STARTTLS"))))
        #expect(framer.isIdle)
    }

    @Test("a line at the pre-authentication limit is refused with its tag; the next command is read")
    func preAuthLineLimit() {
        var framer = IMAPCommandFramer(limits: limits)
        let fits = "a1 LOGIN " + String(repeating: "x", count: 1024 - 9 - 1)   // 1023 octets before the CRLF
        #expect(framer.events(in: bytes(fits + "\r\n")) == [.command(bytes(fits))])
        let long = "a2 LOGIN " + String(repeating: "x", count: 1024 - 9)
        let events = framer.events(in: bytes(long + "\r\na3 NOOP\r\n"))
        #expect(events == [.refused(tag: bytes("a2"), .commandTooLong(limit: 1024)), .command(bytes("a3 NOOP"))])
    }

    @Test("an 80,000-octet line without LF holds no more than the limit and is refused once")
    func endlessLine() {
        var framer = IMAPCommandFramer(limits: limits)
        var refusals = 0
        for _ in 0..<80 {
            let step = framer.next(in: [UInt8](repeating: UInt8(ascii: "A"), count: 1000))
            if case .refused = step.event { refusals += 1 }
            #expect(framer.bufferedByteCount < 1024)
        }
        #expect(refusals == 1)
        #expect(framer.events(in: bytes("\r\nb1 NOOP\r\n")) == [.command(bytes("b1 NOOP"))])
    }

    @Test("after login the larger command limit applies")
    func authenticatedLimit() {
        var framer = authenticated()
        let line = "a1 UID FETCH " + String(repeating: "1,", count: 3000) + "2 FLAGS"
        #expect(framer.events(in: bytes(line + "\r\n")) == [.command(bytes(line))])
        var before = IMAPCommandFramer(limits: limits)
        #expect(before.events(in: bytes(line + "\r\n")) == [.refused(tag: bytes("a1"), .commandTooLong(limit: 1024))])
    }

    @Test("a synchronizing literal over the limit is refused before it is sent; the client sends nothing more")
    func synchronizingLiteralTooLarge() {
        var framer = authenticated()
        let events = framer.events(in: bytes("a1 APPEND INBOX {20001}\r\na2 NOOP\r\n"))
        #expect(events == [.refused(tag: bytes("a1"), .literalTooLarge(size: 20001, limit: 20_000, isAppend: true)),
                           .command(bytes("a2 NOOP"))])
        var exact = authenticated()
        #expect(exact.events(in: bytes("a1 APPEND INBOX {20000}\r\n")) == [.continuationRequest])
    }

    @Test("a non-synchronizing literal over the limit is skipped with the rest of its command, unread")
    func nonSynchronizingLiteralSkipped() {
        var framer = authenticated()
        let hidden = "a9 DELETE INBOX\r\n" + String(repeating: "z", count: 20001 - 17)
        let input = "a1 APPEND INBOX {20001+}\r\n" + hidden + " {6+}\r\nb9 X\r\n\r\na2 NOOP\r\n"
        let events = framer.events(in: bytes(input))
        #expect(events == [.refused(tag: bytes("a1"), .literalTooLarge(size: 20001, limit: 20_000, isAppend: true)),
                           .command(bytes("a2 NOOP"))])
        #expect(framer.isIdle)
    }

    @Test("literals outside APPEND count against the command limit, and before login against the smaller one")
    func otherLiteralLimits() {
        var framer = authenticated()
        #expect(framer.events(in: bytes("a1 SEARCH TEXT {8001}\r\n"))
                == [.refused(tag: bytes("a1"), .literalTooLarge(size: 8001, limit: 8000, isAppend: false))])
        var pre = IMAPCommandFramer(limits: limits)
        #expect(pre.events(in: bytes("a1 LOGIN {1025}\r\n"))
                == [.refused(tag: bytes("a1"), .literalTooLarge(size: 1025, limit: 1024, isAppend: false))])
        var sum = IMAPCommandFramer(limits: limits)
        #expect(sum.events(in: bytes("a1 LOGIN {600+}\r\n" + String(repeating: "u", count: 600) + " {600}\r\n"))
                == [.refused(tag: bytes("a1"), .commandTooLong(limit: 1024))])
    }

    @Test("more literals than allowed refuse the command")
    func tooManyLiterals() {
        var framer = authenticated()
        let input = "a1 SEARCH TEXT {1+}\r\nx TEXT {1+}\r\ny TEXT {1+}\r\nz TEXT {1+}\r\nw\r\na2 NOOP\r\n"
        #expect(framer.events(in: bytes(input)) == [.refused(tag: bytes("a1"), .tooManyLiterals(limit: 3)), .command(bytes("a2 NOOP"))])
    }

    @Test("huge announced sizes read as too large, not as a wrapped number")
    func hugeAnnouncement() {
        var framer = authenticated()
        let events = framer.events(in: bytes("a1 APPEND INBOX {99999999999999999999}\r\na2 NOOP\r\n"))
        // 20 digits is not a literal announcement at all: the line is a command for the grammar to refuse.
        #expect(events == [.command(bytes("a1 APPEND INBOX {99999999999999999999}")), .command(bytes("a2 NOOP"))])
        var big = authenticated()
        #expect(big.events(in: bytes("a1 APPEND INBOX {4294967296}\r\n"))
                == [.refused(tag: bytes("a1"), .literalTooLarge(size: Int(Int32.max), limit: 20_000, isAppend: true))])
    }

    @Test("a tag that cannot be echoed safely is not reported")
    func untaggableRefusal() {
        var framer = IMAPCommandFramer(limits: limits)
        let events = framer.events(in: bytes("* LOGIN {5000}\r\n"))
        #expect(events == [.refused(tag: nil, .literalTooLarge(size: 5000, limit: 1024, isAppend: false))])
    }

    @Test("line mode returns lines and ignores literal markers")
    func lineMode() {
        var framer = IMAPCommandFramer(limits: limits)
        framer.mode = .line
        #expect(framer.events(in: bytes("dGVzdA==\r\nDONE {5}\r\n")) == [.line(bytes("dGVzdA==")), .line(bytes("DONE {5}"))])
        let long = String(repeating: "Q", count: 1024)
        #expect(framer.events(in: bytes(long + "\r\n")) == [.refused(tag: nil, .commandTooLong(limit: 1024))])
    }
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
