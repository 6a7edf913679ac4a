// FuzzTests.swift — a seeded fuzz target for Parser/ (style.md §14): random octets, and random
// mutations (flips, insertions, deletions, truncations, duplicated spans) of valid commands.
// Every input must give a command or a typed IMAPParseError, never a crash or a hang; a
// command that parses must encode to a frame that parses back to itself. The seeds are fixed
// (SplitMix64), so a failure repeats; set MAILROOM_FUZZ_ITERATIONS for a longer run.

import Foundation
import MailroomCore
@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: fuzz")
struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["MAILROOM_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000

    static let seeds: [String] = CommandParserTests.fixtures.map(\.0) + URLAuthCommandTests.fixtures.map(\.0) + [
        "a APPEND INBOX (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {5+}\r\nhello {3}\r\nabc",
        "a UID SEARCH RETURN (MIN MAX) CHARSET UTF-8 OR (FROM x SINCE 1-Jan-2020) NOT MODSEQ \"/flags/\\\\seen\" all 5",
        "a UID FETCH 1:*,$ (UID BODY.PEEK[1.2.HEADER.FIELDS (A B)]<0.10> BINARY[1] BINARY.SIZE[] MODSEQ) (CHANGEDSINCE 1)",
        "a STORE 1:3 (UNCHANGEDSINCE 9) -FLAGS.SILENT (\\Seen $x)",
        "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"%\" {1}\r\n*) RETURN (CHILDREN STATUS (MESSAGES))",
        "a UID SORT RETURN (MIN PARTIAL 2:9 SAVE) (REVERSE DATE DISPLAYFROM) \"UTF-8\" SUBJECT {2+}\r\nhi 1:*",
        "a THREAD REFERENCES US-ASCII OR SEEN (UID 3:5 NOT TO x)",
    ]

    /// Parses; when it succeeds, the re-encoded command must parse to the same value.
    static func check(_ frame: [UInt8]) {
        switch F.parse(frame) {
        case .success(let tagged):
            let again = F.parse(tagged.frame())
            #expect(again == .success(tagged), "re-encoding changed \(String(decoding: frame, as: UTF8.self).debugDescription)")
        case .failure(let error):
            #expect(!error.reason.isEmpty)
            #expect(error.reason.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "reasons are printable ASCII")
        }
    }

    @Test("random octets never crash the parser")
    func randomBytes() {
        var random = SplitMix64(seed: 0x1A2B_3C4D)
        let alphabet = Array("a ()[]<>{}~+-*%$:,.\\\"\r\n0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8) + [0, 0x80, 0xC3, 0xFF]
        for _ in 0..<Self.iterations / 2 {
            let length = Int(random.next() % 64)
            var frame: [UInt8] = []
            for _ in 0..<length {
                frame.append(random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))])
            }
            Self.check(frame)
        }
    }

    @Test("mutations of valid commands never crash the parser")
    func mutations() {
        var random = SplitMix64(seed: 0x5EED)
        let seeds = Self.seeds.map { Array($0.utf8) }
        let interesting = Array("()[]{}<>\" \\*%$:,.+-~0".utf8) + [0, 0x0D, 0x0A, 0x80, 0xFF]
        for _ in 0..<Self.iterations {
            var frame = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(random.next() % 4)) where !frame.isEmpty {
                let position = Int(random.next() % UInt64(frame.count))
                switch random.next() % 6 {
                case 0: frame[position] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: frame.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 2: frame.remove(at: position)
                case 3: frame.removeSubrange(position...)
                case 4: frame[position] ^= UInt8(1 << (random.next() % 8))
                default:
                    let end = min(frame.count, position + Int(random.next() % 16))
                    frame.insert(contentsOf: frame[position..<end], at: position)
                }
            }
            Self.check(frame)
        }
    }
}
