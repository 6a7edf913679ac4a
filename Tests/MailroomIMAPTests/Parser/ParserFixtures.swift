// ParserFixtures.swift — helpers for the grammar tests: parse a frame given as text, and the
// small values the fixtures are written with. Kept in one namespace so they cannot clash with
// other test files of this target.

@testable import MailroomIMAP
import Testing

enum ParserFixtures {
    static let parser = IMAPCommandParser()

    static func parse(_ frame: String, limits: IMAPLimits = .default) -> Result<TaggedCommand, IMAPParseError> {
        parse(Array(frame.utf8), limits: limits)
    }

    static func parse(_ frame: [UInt8], limits: IMAPLimits = .default) -> Result<TaggedCommand, IMAPParseError> {
        Result { () throws(IMAPParseError) in try IMAPCommandParser(limits: limits).parse(frame) }
    }

    /// The command alone (tag "a").
    static func command(_ frame: String) -> IMAPCommand? {
        try? parse(frame).get().command
    }

    /// The error, or nil when the frame parsed.
    static func error(_ frame: String) -> IMAPParseError? {
        if case .failure(let error) = parse(frame) { return error }
        return nil
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Each frame parses to its command.
    static func expectParse(_ fixtures: [(String, IMAPCommand)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (frame, expected) in fixtures {
            #expect(command(frame) == expected, "\(frame): \(error(frame).map(\.reason) ?? "wrong value")", sourceLocation: sourceLocation)
        }
    }

    /// Each command, encoded with synchronizing and with non-synchronizing literals, parses
    /// back to itself.
    static func expectRoundTrips(_ fixtures: [(String, IMAPCommand)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (_, command) in fixtures {
            for sync in [false, true] {
                let frame = TaggedCommand(tag: "t", command: command).frame(options: IMAPEncodingOptions(nonSynchronizingLiterals: !sync))
                #expect((try? parse(frame).get().command) == command, "\(String(decoding: frame, as: UTF8.self))", sourceLocation: sourceLocation)
            }
        }
    }

    static func set(_ text: String) -> SequenceSet {
        guard case .success(let tagged) = parse("a FETCH \(text) UID"), case .fetch(_, let set, _, _) = tagged.command else {
            fatalError("bad fixture set \(text)")
        }
        return set
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) -> IMAPDate { IMAPDate(year: year, month: month, day: day)! }
}
