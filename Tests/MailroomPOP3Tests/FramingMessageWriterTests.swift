// FramingMessageWriterTests.swift — tests for Framing/POP3MessageWriter.swift: dot-stuffing,
// line ends (CRLF kept byte-exact, bare LF made CRLF, bare CR kept), the terminator, messages
// without a body or a final newline, TOP with 0 lines and with more lines than the body, and
// the same output whatever the chunk split (byte by byte, every two-way split, random splits).
// The mime-torture corpus (read from ../shared/corpora at test time) goes through the writer
// and back through an un-stuffer, byte for byte.

import Foundation
import MailroomCore
@testable import MailroomPOP3
import MailroomTestSupport
import Testing

/// What a client does with a multi-line response: checks the terminator, that every LF has its
/// CR and that no line is a premature ".", then removes the stuffed dots.
func unstuff(_ wire: [UInt8]) -> [UInt8]? {
    guard wire.count >= 3, Array(wire.suffix(3)) == bytes(".\r\n") else { return nil }
    let body = wire.dropLast(3)
    var out: [UInt8] = []
    var atLineStart = true
    var previous: UInt8 = 0
    var index = body.startIndex
    while index < body.endIndex {
        let byte = body[index]
        if atLineStart && byte == 0x2E {
            // A stuffed dot must be followed by another dot, never by CRLF (that would end the response).
            let next = body.index(after: index)
            guard next < body.endIndex, body[next] == 0x2E else { return nil }
            index = next
            atLineStart = false
            continue
        }
        if byte == 0x0A && previous != 0x0D { return nil }
        out.append(byte)
        atLineStart = byte == 0x0A
        previous = byte
        index = body.index(after: index)
    }
    return atLineStart || body.isEmpty ? out : nil
}

/// The octets RETR must deliver after un-stuffing: the CRLF-normalised message, ending in a
/// line end.
func expectedDelivery(_ message: [UInt8]) -> [UInt8] {
    let normalized = CRLF.normalized(message)
    switch normalized.last {
    case nil, 0x0A: return normalized
    case 0x0D: return normalized + [0x0A]
    default: return normalized + [0x0D, 0x0A]
    }
}

/// The writer fed `message` in pieces cut at `cuts`.
func encode(_ message: [UInt8], cuts: [Int], bodyLines: Int? = nil) -> [UInt8] {
    var writer = POP3MessageWriter(bodyLines: bodyLines)
    var output: [UInt8] = []
    var start = 0
    for cut in cuts.sorted() + [message.count] where cut >= start {
        writer.write(message[start..<cut], into: &output)
        start = cut
    }
    writer.finish(into: &output)
    return output
}

@Suite("Framing: message writer")
struct FramingMessageWriterTests {
    @Test("a CRLF message goes out byte-exact, with the terminator")
    func crlfExact() {
        let message = bytes("Subject: hi\r\n\r\nline one\r\nline two\r\n")
        #expect(POP3MessageWriter.encode(message) == message + bytes(".\r\n"))
    }

    @Test("dot-stuffing: every line starting with a dot gets one more, the first line too")
    func dotStuffing() {
        let message = bytes(".first\r\nmid.dle\r\n.\r\n..two\r\n. \r\n")
        #expect(text(POP3MessageWriter.encode(message)) == "..first\r\nmid.dle\r\n..\r\n...two\r\n.. \r\n.\r\n")
        #expect(unstuff(POP3MessageWriter.encode(message)) == message)
    }

    @Test("bare LF becomes CRLF; a bare CR stays and starts no line")
    func lineEnds() {
        #expect(text(POP3MessageWriter.encode(bytes("a\nb\n.c\n"))) == "a\r\nb\r\n..c\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("a\r.b\r\n"))) == "a\r.b\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("a\r\r\nb"))) == "a\r\r\nb\r\n.\r\n")
    }

    @Test("no final newline, a final bare CR, an empty message, a lone dot")
    func edges() {
        #expect(text(POP3MessageWriter.encode(bytes("Subject: x"))) == "Subject: x\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("x\r"))) == "x\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode([UInt8]())) == ".\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("."))) == "..\r\n.\r\n")
    }

    @Test("hostile: a stored end-of-data sequence cannot end the response early")
    func smuggledTerminator() {
        let message = bytes("Subject: x\r\n\r\nbody\r\n.\r\n+OK fake\r\n.\n-ERR\n")
        let wire = POP3MessageWriter.encode(message)
        #expect(unstuff(wire) == expectedDelivery(message))
        #expect(text(wire).components(separatedBy: "\r\n.\r\n").count == 2, "one terminator, at the end")
    }

    static let sample = bytes("From: a@example.com\nSubject: .dots\r\n\r\n.line 1\nline 2\r\n\r\n..line 4\rstill 4\nline 5")

    @Test("every split into two pieces, and byte by byte, equals the whole message at once")
    func everySplit() {
        for bodyLines in [nil, 0, 2, 99] as [Int?] {
            let whole = POP3MessageWriter.encode(Self.sample, bodyLines: bodyLines)
            for cut in 0...Self.sample.count {
                #expect(encode(Self.sample, cuts: [cut], bodyLines: bodyLines) == whole, "cut at \(cut)")
            }
            #expect(encode(Self.sample, cuts: Array(0...Self.sample.count), bodyLines: bodyLines) == whole)
        }
    }

    @Test("random splits of random messages equal the whole; un-stuffing gives the CRLF-normalised message")
    func randomSplits() {
        var random = SplitMix64(seed: 0x504F_5033)
        let alphabet = bytes(".\r\n\nab. ")
        for _ in 0..<300 {
            let message = (0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            let whole = POP3MessageWriter.encode(message)
            #expect(unstuff(whole) == expectedDelivery(message))
            let cuts = (0..<Int.random(in: 1...8, using: &random)).map { _ in Int.random(in: 0...message.count, using: &random) }
            #expect(encode(message, cuts: cuts) == whole)
            let top = Int.random(in: 0...5, using: &random)
            #expect(encode(message, cuts: cuts, bodyLines: top) == POP3MessageWriter.encode(message, bodyLines: top))
        }
    }

    @Test("TOP: header, blank line, then n body lines")
    func top() {
        let message = bytes("A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n")
        #expect(text(POP3MessageWriter.encode(message, bodyLines: 0)) == "A: 1\r\nB: 2\r\n\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(message, bodyLines: 2)) == "A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n.\r\n")
        #expect(POP3MessageWriter.encode(message, bodyLines: 100) == POP3MessageWriter.encode(message), "more lines than the body")
        #expect(text(POP3MessageWriter.encode(bytes("A: 1\n\nx\ny"), bodyLines: 1)) == "A: 1\r\n\r\nx\r\n.\r\n", "LF line ends")
        #expect(text(POP3MessageWriter.encode(bytes("A: 1\n\nx\ny"), bodyLines: 2)) == "A: 1\r\n\r\nx\r\ny\r\n.\r\n", "a last line without LF")
    }

    @Test("TOP of a message without a body, or without a blank line, sends the header whole")
    func topWithoutBody() {
        #expect(text(POP3MessageWriter.encode(bytes("A: 1\r\nB: 2\r\n"), bodyLines: 0)) == "A: 1\r\nB: 2\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("A: 1\r\nB: 2"), bodyLines: 3)) == "A: 1\r\nB: 2\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("A: 1\r\n\r\n"), bodyLines: 3)) == "A: 1\r\n\r\n.\r\n")
        #expect(text(POP3MessageWriter.encode(bytes("\r\nbody\r\n"), bodyLines: 0)) == "\r\n.\r\n", "empty header")
    }

    @Test("TOP is complete once its lines are out; later input is ignored")
    func topCompletes() {
        var writer = POP3MessageWriter(bodyLines: 1)
        var output: [UInt8] = []
        writer.write(bytes("A: 1\r\n\r\nl1\r"), into: &output)
        #expect(!writer.isComplete)
        writer.write(bytes("\nl2\r\n"), into: &output)
        #expect(writer.isComplete)
        writer.write(bytes("l3\r\n"), into: &output)
        writer.finish(into: &output)
        #expect(text(output) == "A: 1\r\n\r\nl1\r\n.\r\n")
    }

    @Test("mime-torture corpus: every message, whole and in 7-octet chunks, un-stuffs to the CRLF-normalised message")
    func mimeTortureCorpus() throws {
        let directory = Corpora.path("mime-torture")
        let index = try String(contentsOf: directory.appendingPathComponent("index.tsv"), encoding: .utf8)
        let names = index.split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t").first.map(String.init) }
        #expect(names.count > 250)
        for name in names {
            let message = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            let whole = POP3MessageWriter.encode(message)
            #expect(unstuff(whole) == expectedDelivery(message), "\(name)")
            let cuts = Array(stride(from: 7, to: message.count, by: 7))
            #expect(encode(message, cuts: cuts) == whole, "\(name)")
            #expect(encode(message, cuts: cuts, bodyLines: 5) == POP3MessageWriter.encode(message, bodyLines: 5), "\(name)")
        }
    }
}
