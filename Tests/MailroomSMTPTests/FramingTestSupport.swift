// FramingTestSupport.swift — shared helpers of the Framing*Tests: the SMTP smuggling corpus
// (shared/corpora/smtp-smuggling-cases, see its README), ways to split input into reads, a
// seeded random generator, and a minimal session that drives SMTPInputFramer the way the
// server's session will (DATA → message data, BDAT → chunk, AUTH → one response line) and
// records what comes out.
//
// The corpus is found as Corpora (MailroomTestSupport) describes (../shared/corpora beside the
// repository), the same layout as in CI. A missing corpus is a failure, never a skip.

import Foundation
import MailroomSMTP
import MailroomTestSupport
import MailroomCore
import Testing

// MARK: - Bytes

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a string literal (test inputs are ASCII plus escapes).
    init(framing text: String) { self = Array(text.utf8) }

    /// Whether `needle` occurs in the bytes.
    func framingContains(_ needle: [UInt8]) -> Bool { framingFirstRange(of: needle) != nil }

    func framingFirstRange(of needle: [UInt8]) -> Range<Int>? {
        guard !needle.isEmpty, needle.count <= count else { return nil }
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }

    /// Every occurrence of `needle` replaced (left to right, not overlapping).
    func framingReplacing(_ needle: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < count {
            if index + needle.count <= count && self[index..<(index + needle.count)].elementsEqual(needle) {
                result += replacement
                index += needle.count
            } else {
                result.append(self[index])
                index += 1
            }
        }
        return result
    }
}

/// Corpus identifiers: "R01" … for prefix "R" and 1...23.
func framingIDs(_ prefix: String, _ numbers: ClosedRange<Int>) -> [String] {
    numbers.map { number -> String in
        let digits = String(number)
        return prefix + (digits.count < 2 ? "0" : "") + digits
    }
}

/// Shows bytes with CR, LF and NUL escaped, for failure messages.
func framingEscaped(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte -> String in
        switch byte {
        case 0x0D: "\\r"
        case 0x0A: "\\n"
        case 0x00: "\\0"
        case 0x20...0x7E: String(UnicodeScalar(byte))
        default: "\\x" + String(byte, radix: 16)
        }
    }.joined()
}

// MARK: - Reads

// Random numbers: `SplitMix64` (SplitMix64) of GrammarTestSupport.swift, shared by the
// target, so that a failing seed replays.

/// Ways of cutting one input into reads, as a socket might.
enum FramingSplit: CustomStringConvertible, Sendable {
    case whole
    case oneByte
    case random(seed: UInt64)

    /// Whole, byte by byte, and a few random cuttings.
    static let all: [FramingSplit] = [.whole, .oneByte] + (1...6).map { .random(seed: $0) }

    var description: String {
        switch self {
        case .whole: "whole"
        case .oneByte: "one byte at a time"
        case .random(let seed): "random splits (seed \(seed))"
        }
    }

    func reads(_ input: [UInt8]) -> [[UInt8]] {
        switch self {
        case .whole:
            return [input]
        case .oneByte:
            return input.map { [$0] }
        case .random(let seed):
            var generator = SplitMix64(seed: seed)
            var reads: [[UInt8]] = []
            var index = 0
            while index < input.count {
                // Mostly short reads, some empty, some long.
                let length = Int.random(in: 0...(Bool.random(using: &generator) ? 7 : 300), using: &generator)
                let end = Swift.min(index + length, input.count)
                reads.append(Array(input[index..<end]))
                index = end
            }
            return reads
        }
    }
}

// MARK: - Driving a DATA reader alone

/// What an SMTPDataReader made of some reads.
struct FramingDataOutcome: Equatable {
    /// The data events, concatenated.
    var message: [UInt8] = []
    /// The verdict, if the end came.
    var verdict: SMTPMessageVerdict?
    /// Bytes used up to and including the end (all of them if no end).
    var consumed = 0
    /// The bytes after the end, untouched.
    var leftover: [UInt8] = []
    /// `inputClosed()` after the last read.
    var closedError: SMTPDataError?
}

/// Feeds `reads` to a fresh SMTPDataReader; `dataEvent` sees each data event with the reader's
/// error at that moment.
func framingReadData(_ reads: [[UInt8]], limits: SMTPLimits = .default,
                     dataEvent: ([UInt8], SMTPDataError?) -> Void = { _, _ in }) -> FramingDataOutcome {
    var reader = SMTPDataReader(limits: limits)
    var outcome = FramingDataOutcome()
    for read in reads {
        var rest = read[...]
        reading: while outcome.verdict == nil {
            let step = reader.next(in: rest)
            #expect(step.consumed <= rest.count)
            rest = rest.dropFirst(step.consumed)
            outcome.consumed += step.consumed
            switch step.event {
            case nil:
                #expect(rest.isEmpty, "a step without an event must use all of its input")
                break reading
            case .data(let bytes)?:
                #expect(!bytes.isEmpty, "data events are never empty")
                dataEvent(bytes, reader.error)
                outcome.message += bytes
            case .end(let verdict)?:
                outcome.verdict = verdict
            }
        }
        if outcome.verdict != nil { outcome.leftover += rest }
    }
    outcome.closedError = reader.inputClosed()
    return outcome
}

// MARK: - A minimal session over SMTPInputFramer

/// What a session saw, with message data and chunk data joined (so that it does not depend on
/// how the input was cut into reads).
struct FramingTranscript: Equatable {
    enum Entry: Equatable {
        case line([UInt8])
        case lineTooLong
        case invalidLine(SMTPLineError)
        case message([UInt8], SMTPMessageVerdict)
        case chunk([UInt8], isLast: Bool, messageByteCount: Int, error: SMTPDataError?)
    }

    var entries: [Entry] = []
    /// `inputClosed()` after the last read.
    var closedError: SMTPDataError?
    /// The most command-line bytes the framer held at any moment (depends on how the input
    /// was cut, so it is left out of `==`).
    var maximumBuffered = 0

    /// Equal when the session saw the same things.
    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries == rhs.entries && lhs.closedError == rhs.closedError
    }

    var lines: [[UInt8]] {
        entries.compactMap { if case .line(let bytes) = $0 { bytes } else { nil } }
    }

    var messages: [([UInt8], SMTPMessageVerdict)] {
        entries.compactMap { if case .message(let bytes, let verdict) = $0 { (bytes, verdict) } else { nil } }
    }
}

/// Runs `reads` through an SMTPInputFramer, switching modes as a server session would: after
/// a line "DATA" to message data (as if 354 had been sent), after "BDAT n [LAST]" to a chunk,
/// after a line starting with "AUTH" to one SASL response line.
func framingRunSession(_ reads: [[UInt8]], limits: SMTPLimits = .default,
                       bareLineFeed: SMTPLineFramer.BareLineFeedPolicy = .accept) -> FramingTranscript {
    var framer = SMTPInputFramer(limits: limits, bareLineFeed: bareLineFeed)
    var transcript = FramingTranscript()
    var message: [UInt8] = []
    var chunk: [UInt8] = []

    func record(_ end: BDATReader.ChunkEnd) {
        transcript.entries.append(.chunk(chunk + end.data, isLast: end.isLast,
                                         messageByteCount: end.messageByteCount, error: end.error))
        chunk = []
    }

    for read in reads {
        var rest = read[...]
        while true {
            let step = framer.next(in: rest)
            #expect(step.consumed <= rest.count)
            rest = rest.dropFirst(step.consumed)
            transcript.maximumBuffered = max(transcript.maximumBuffered, framer.lines.bufferedByteCount)
            guard let frame = step.event else {
                #expect(rest.isEmpty, "a step without an event must use all of its input")
                break
            }
            switch frame {
            case .line(let bytes):
                transcript.entries.append(.line(bytes))
                let text = String(decoding: bytes, as: UTF8.self).uppercased()
                let words = text.split(separator: " ")
                if text == "DATA" {
                    framer.expectMessageData()
                } else if words.first == "BDAT", words.count >= 2, let size = Int(words[1]) {
                    if let end = framer.expectChunk(size: size, last: words.count > 2 && words[2] == "LAST") {
                        record(end)
                    }
                } else if words.first == "AUTH" {
                    framer.expectAuthResponse()
                }
            case .lineTooLong:
                transcript.entries.append(.lineTooLong)
            case .invalidLine(let error):
                transcript.entries.append(.invalidLine(error))
            case .messageData(let bytes):
                #expect(!bytes.isEmpty)
                message += bytes
            case .messageEnd(let verdict):
                // A refused message is thrown away; how much of it came out before the problem
                // was found depends on the reads, so it is not recorded.
                transcript.entries.append(.message(verdict == .accepted ? message : [], verdict))
                message = []
            case .chunkData(let bytes):
                #expect(!bytes.isEmpty)
                chunk += bytes
            case .chunkEnd(let end):
                record(end)
            }
        }
    }
    transcript.closedError = framer.inputClosed()
    return transcript
}

// MARK: - The smuggling corpus

enum FramingCorpus {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String { "corpus file missing or unreadable: \(path)" }
    }

    /// shared/corpora/smtp-smuggling-cases, found as MailroomTestSupport's Corpora says.
    static var directory: URL { Corpora.path("smtp-smuggling-cases") }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        let path = directory.appendingPathComponent(relativePath).path
        guard let data = FileManager.default.contents(atPath: path) else { throw Missing(path: path) }
        return [UInt8](data)
    }

    static func jsonLines<T: Decodable>(_ name: String, as type: T.Type) throws -> [T] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try bytes(name)
            .split(separator: 0x0A)
            .filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D } }
            .map { try decoder.decode(T.self, from: Data($0)) }
    }

    static func dataVectors() throws -> [DataVector] {
        try jsonLines("data_reader_vectors.jsonl", as: DataVector.self)
    }

    static func receiveVectors() throws -> [DataVector] {
        try dataVectors().filter { $0.direction == "receive" }
    }

    static func sendVectors() throws -> [DataVector] {
        try dataVectors().filter { $0.direction == "send" }
    }

    static func smugglingCases() throws -> [SmugglingCase] {
        try jsonLines("smuggling_cases.jsonl", as: SmugglingCase.self)
    }
}

/// One line of data_reader_vectors.jsonl.
struct DataVector: Decodable, Sendable, CustomTestStringConvertible {
    var id: String
    var direction: String
    var wireInput: String?
    var expectedMessage: String?
    var messageInput: String?
    var expectedWire: String?
    var expectedError: String?

    var testDescription: String { id }
}

/// One line of smuggling_cases.jsonl.
struct SmugglingCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        var mustNotEndDataAtFakeSequence: Bool
        var maxMessagesDelivered: Int
        var strictVerdict: String
        var acceptableLenientVerdict: String
    }

    var id: String
    var fakeEndOfDataHex: String
    var payloadFile: String
    var payloadBytes: Int
    var expected: Expected
    var origin: String

    var testDescription: String { id }

    /// The fake end-of-data sequence as bytes.
    var fakeEndOfData: [UInt8] {
        var bytes: [UInt8] = []
        var hex = Substring(fakeEndOfDataHex)
        while hex.count >= 2 {
            bytes.append(UInt8(hex.prefix(2), radix: 16)!)
            hex = hex.dropFirst(2)
        }
        return bytes
    }

    func payload() throws -> [UInt8] { try FramingCorpus.bytes(payloadFile) }
}
