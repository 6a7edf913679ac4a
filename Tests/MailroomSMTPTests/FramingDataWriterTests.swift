// FramingDataWriterTests.swift — tests for Sources/MailroomSMTP/Framing/SMTPDataWriter.swift
// (RFC 5321 §4.5.2 dot-stuffing, §4.1.1.4 end of data).
//
// Every send vector of shared/corpora/smtp-smuggling-cases/data_reader_vectors.jsonl (mox's
// TestDataWrite) with the `.reject` policy, whole and byte by byte; the `.normalize` policy;
// writer → reader round trips.

import MailroomSMTP
import MailroomCore
import Testing

@Suite("SMTPDataWriter")
struct FramingDataWriterTests {
    @Test("the corpus holds its 13 send vectors")
    func corpusPresent() throws {
        #expect(try FramingCorpus.sendVectors().map(\.id) == framingIDs("W", 1...13))
    }

    /// Encodes `pieces` one after the other.
    private static func write(_ pieces: [[UInt8]], _ policy: SMTPDataWriter.LineEndingPolicy) -> Result<[UInt8], SMTPDataWriteError> {
        var writer = SMTPDataWriter(lineEndings: policy)
        var output: [UInt8] = []
        do {
            for piece in pieces { try writer.encode(piece, into: &output) }
            try writer.finish(into: &output)
            return .success(output)
        } catch {
            return .failure(error)
        }
    }

    @Test("send vector (.reject policy)", arguments: try FramingCorpus.sendVectors())
    func sendVector(_ vector: DataVector) throws {
        let input = [UInt8](framing: try #require(vector.messageInput))
        let expected: Result<[UInt8], SMTPDataWriteError> = switch vector.expectedError {
        case nil: .success([UInt8](framing: try #require(vector.expectedWire)))
        case "missing_crlf": .failure(.missingFinalCRLF)
        case "bad_line_ending": .failure(.badLineEnding)
        case let other: throw FramingCorpus.Missing(path: "unknown expected_error \(other ?? "")")
        }
        for split in [FramingSplit.whole, .oneByte, .random(seed: 3)] {
            #expect(Self.write(split.reads(input), .reject) == expected, "\(split)")
        }
    }

    @Test("normalize: bare CR and LF become CRLF, dots are stuffed, a last line end is added")
    func normalize() throws {
        let cases: [(String, String)] = [
            ("", ".\r\n"),
            ("a\r\n", "a\r\n.\r\n"),
            ("a\nb\rc\r\r\nd", "a\r\nb\r\nc\r\n\r\nd\r\n.\r\n"),
            (".a\n.b\r.\r\n.", "..a\r\n..b\r\n..\r\n..\r\n.\r\n"),
            ("x\n.\ny\r\n", "x\r\n..\r\ny\r\n.\r\n"),
            ("trailing CR\r", "trailing CR\r\n.\r\n"),
        ]
        for (message, wire) in cases {
            for split in FramingSplit.all {
                #expect(Self.write(split.reads([UInt8](framing: message)), .normalize) == .success([UInt8](framing: wire)),
                        "\(framingEscaped(message.utf8)), \(split)")
            }
        }
    }

    @Test("an error sticks")
    func errorSticks() {
        var writer = SMTPDataWriter(lineEndings: .reject)
        var output: [UInt8] = []
        #expect(throws: SMTPDataWriteError.badLineEnding) { try writer.encode([UInt8](framing: "a\nb"), into: &output) }
        #expect(throws: SMTPDataWriteError.badLineEnding) { try writer.encode([UInt8](framing: "c\r\n"), into: &output) }
        #expect(throws: SMTPDataWriteError.badLineEnding) { try writer.finish(into: &output) }
    }

    @Test("writer → reader gives the message back (CRLF-clean messages) or its normalized form")
    func roundTrip() throws {
        let tokens = ["a", ".", "..", "\r\n", "\r", "\n", "Subject: x", " ", ".\r\n", "\r\n.\r\n"].map { [UInt8](framing: $0) }
        var generator = SplitMix64(seed: 1870)
        for round in 0..<1000 {
            var message: [UInt8] = []
            for _ in 0..<Int.random(in: 0...30, using: &generator) { message += tokens.randomElement(using: &generator)! }
            let wire = try SMTPDataWriter.encode(message)
            let read = framingReadData(FramingSplit.random(seed: UInt64(round)).reads(wire))
            #expect(read.verdict == .accepted, "round \(round): \(framingEscaped(message))")
            #expect(read.consumed == wire.count, "round \(round)")
            // The reader returns the normalized message: CRLF everywhere, a last CRLF.
            var normalized = Array(wire.dropLast(3)).framingReplacing([UInt8](framing: "\r\n."), with: [UInt8](framing: "\r\n"))
            if normalized.first == 0x2E { normalized.removeFirst() }
            #expect(read.message == normalized, "round \(round): \(framingEscaped(message))")
            if (try? SMTPDataWriter.encode(message, lineEndings: .reject)) != nil {
                #expect(read.message == message, "round \(round): a clean message comes back unchanged")
            }
        }
    }
}
