// FramingSmugglingTests.swift — SMTP smuggling (CVE-2023-51764/51765/51766) against the DATA
// reader and the whole inbound framer, with shared/corpora/smtp-smuggling-cases (README there).
//
// Policy asserted: the strict one. Every fake end-of-data case (S01–S11) is refused with a
// 5xx at the real <CRLF>.<CRLF> (verdict REJECT, no message delivered); the control S00 is
// delivered as one message with "..leading dot" arriving as ".leading dot". In no case does
// the smuggled "MAIL FROM:<smuggled@example.org>" come back as a command. Each payload is
// pipelined with the commands before and after it in one read, and also fed byte by byte and
// in random splits. Outbound: the normalizing SMTPDataWriter turns each payload into wire
// data in which the only end of data is the real one.

import MailroomSMTP
import Testing

@Suite("SMTP smuggling")
struct FramingSmugglingTests {
    private static let smuggledMailFrom = [UInt8](framing: "MAIL FROM:<smuggled@example.org>")
    private static let terminator = [UInt8](framing: "\r\n.\r\n")

    @Test("the corpus holds S00–S11 with payloads of the declared sizes")
    func corpusPresent() throws {
        let cases = try FramingCorpus.smugglingCases()
        #expect(cases.map(\.id) == framingIDs("S", 0...11))
        for smuggling in cases {
            let payload = try smuggling.payload()
            #expect(payload.count == smuggling.payloadBytes, "\(smuggling.id)")
            #expect(payload.suffix(5).elementsEqual(Self.terminator), "\(smuggling.id)")
        }
    }

    /// The verdict the strict policy gives a case: ACCEPT for S00, REJECT for the others.
    private static func expectStrictVerdict(_ verdict: SMTPMessageVerdict?, _ smuggling: SmugglingCase, _ context: String) {
        switch smuggling.expected.strictVerdict {
        case "ACCEPT":
            #expect(verdict == .accepted, "\(context)")
        case "REJECT":
            guard case .rejected(let error)? = verdict else {
                Issue.record("\(context): want REJECT, got \(String(describing: verdict))")
                return
            }
            // S07 hides its fake end behind a NUL ("<CRLF>NUL.<CRLF>"); all others are CR/LF.
            #expect(error == (smuggling.fakeEndOfData.contains(0) ? .nulByte : .badLineEnding), "\(context)")
        case let other:
            Issue.record("\(context): unknown strict verdict \(other)")
        }
    }

    @Test("the DATA reader ends only at the real <CRLF>.<CRLF>", arguments: try FramingCorpus.smugglingCases())
    func reader(_ smuggling: SmugglingCase) throws {
        let payload = try smuggling.payload()
        let fake = smuggling.fakeEndOfData
        if smuggling.expected.mustNotEndDataAtFakeSequence {
            #expect(payload.framingFirstRange(of: fake) != nil, "the fake sequence is in the payload")
        }
        for split in FramingSplit.all {
            let context = "\(smuggling.id), \(split)"
            let outcome = framingReadData(split.reads(payload))
            // The end is the last byte of the payload: the real terminator, nothing earlier.
            #expect(outcome.consumed == payload.count, "\(context)")
            #expect(outcome.leftover.isEmpty, "\(context)")
            Self.expectStrictVerdict(outcome.verdict, smuggling, context)
            if outcome.verdict == .accepted {
                #expect(!outcome.message.framingContains(Self.smuggledMailFrom), "\(context)")
            }
        }
    }

    @Test("a pipelined session: one transaction, the smuggled commands never become commands",
          arguments: try FramingCorpus.smugglingCases())
    func session(_ smuggling: SmugglingCase) throws {
        let payload = try smuggling.payload()
        let before = [UInt8](framing: "EHLO client.example.net\r\nMAIL FROM:<sender@example.net>\r\nRCPT TO:<postmaster@example.com>\r\nDATA\r\n")
        let after = [UInt8](framing: "QUIT\r\n")
        let input = before + payload + after
        var transcripts: [FramingTranscript] = []
        for split in FramingSplit.all {
            let context = "\(smuggling.id), \(split)"
            let transcript = framingRunSession(split.reads(input))
            transcripts.append(transcript)

            #expect(transcript.lines.map { String(decoding: $0, as: UTF8.self) }
                        == ["EHLO client.example.net", "MAIL FROM:<sender@example.net>",
                            "RCPT TO:<postmaster@example.com>", "DATA", "QUIT"], "\(context)")
            #expect(!transcript.lines.contains { $0.framingContains(Self.smuggledMailFrom) }, "\(context)")
            #expect(transcript.messages.count == 1, "\(context): one end of data")
            let delivered = transcript.messages.filter { $0.1 == .accepted }
            #expect(delivered.count <= smuggling.expected.maxMessagesDelivered, "\(context)")
            Self.expectStrictVerdict(transcript.messages.first?.1, smuggling, context)
            #expect(transcript.closedError == nil, "\(context)")
        }
        // Drip-feeding changes nothing.
        #expect(transcripts.allSatisfy { $0 == transcripts[0] }, "\(smuggling.id)")
    }

    @Test("S00: one message, dot-unstuffed")
    func control() throws {
        let cases = try FramingCorpus.smugglingCases()
        let control = try #require(cases.first { $0.id == "S00" })
        let payload = try control.payload()
        #expect(payload.framingContains([UInt8](framing: "\r\n..leading dot")))
        let expected = Array(payload.dropLast(3)).framingReplacing([UInt8](framing: "\r\n..leading dot"),
                                                                   with: [UInt8](framing: "\r\n.leading dot"))
        for split in FramingSplit.all {
            let transcript = framingRunSession(split.reads([UInt8](framing: "DATA\r\n") + payload))
            #expect(transcript.messages.count == 1, "\(split)")
            guard let (message, verdict) = transcript.messages.first else { continue }
            #expect(verdict == .accepted, "\(split)")
            #expect(message == expected, "\(split)")
            #expect(message.framingContains([UInt8](framing: "\r\n.leading dot (dot-stuffed")), "\(split)")
            #expect(!message.framingContains([UInt8](framing: "..leading dot")), "\(split)")
        }
    }

    @Test("outbound: a normalized payload has no end of data but the real one", arguments: try FramingCorpus.smugglingCases())
    func outbound(_ smuggling: SmugglingCase) throws {
        // The stored message: the payload without its ".<CRLF>".
        let stored = Array(try smuggling.payload().dropLast(3))
        let wire = try SMTPDataWriter.encode(stored)
        // No CR or LF outside CRLF is left, and "<CRLF>.<CRLF>" stands only at the end.
        #expect(wire.framingFirstRange(of: Self.terminator)?.upperBound == wire.count)
        #expect(wire.suffix(3).elementsEqual([UInt8](framing: ".\r\n")))
        var previous: UInt8 = 0
        for (index, byte) in wire.enumerated() {
            if byte == 0x0D { #expect(index + 1 < wire.count && wire[index + 1] == 0x0A, "bare CR at \(index)") }
            if byte == 0x0A { #expect(previous == 0x0D, "bare LF at \(index)") }
            previous = byte
        }
        // Our own reader takes it as one message, ending exactly at the end.
        let outcome = framingReadData([wire])
        #expect(outcome.consumed == wire.count)
        if stored.contains(0) {
            #expect(outcome.verdict == .rejected(.nulByte))   // S07: NUL goes only over BDAT BINARYMIME
        } else {
            #expect(outcome.verdict == .accepted)
            #expect(outcome.message.framingContains(Self.smuggledMailFrom) == stored.framingContains(Self.smuggledMailFrom))
        }
    }
}
