// SearchLoadingTests.swift — Search/SearchMatcher.swift and SearchProgram.swift: message content
// is loaded only when a key needs it, at most once per message, and after the cheap keys of an
// AND have had their say; a flag-only search over 100,000 messages loads nothing.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Search: lazy loading")
struct SearchLoadingTests {
    static func bigMailbox(_ count: Int) -> [MessageInfo] {
        (0..<count).map { i in
            var flags: SystemFlags = []
            if i % 2 == 0 { flags.insert(.seen) }
            if i % 7 == 0 { flags.insert(.flagged) }
            return MessageInfo(uid: UInt32(i + 1), flags: flags, keywords: i % 10 == 0 ? ["$Label1"] : [],
                               size: Int64(1000 + i % 5000), internalDate: 1_700_000_000 + Int64(i) * 60,
                               modSeq: UInt64(i + 1))
        }
    }

    @Test("a flag, keyword, size, date, set and MODSEQ search over 100,000 messages loads no content")
    func flagOnlySearchLoadsNothing() throws {
        let messages = Self.bigMailbox(100_000)
        let command = try SearchCommand(
            "SEARCH OR (UNSEEN FLAGGED) KEYWORD $label1 NOT DELETED LARGER 1500 SINCE 1-Jan-2020 UID 1:* NOT MODSEQ 99999999 1:*")
        let program = try SearchProgram(criteria: command.criteria, charset: command.charset)
        #expect(!program.needsContent)
        var loads = 0
        let start = ContinuousClock.now
        let matches = program.search(messages, recent: [], timeZone: .utc) { _ in
            loads += 1
            return []
        }
        let elapsed = ContinuousClock.now - start
        #expect(loads == 0)
        let expected = messages.filter {
            ($0.flags.contains(.flagged) && !$0.flags.contains(.seen) || $0.keywords == ["$Label1"]) && $0.size > 1500
        }.count
        #expect(matches.count == expected)
        #expect(elapsed < .seconds(10), "100,000 messages took \(elapsed)")
    }

    @Test("content keys load each message at most once, whatever the number of keys")
    func loadOnce() throws {
        var box = SearchMailbox()
        for i in 1...5 { box.add("Subject: s\(i)\nFrom: a\(i)@example.org\nDate: 1 Jan 2024 00:00 +0000\n\nbody \(i)\n") }
        let command = try SearchCommand("SEARCH SUBJECT s FROM example BODY body TEXT body SENTON 1-Jan-2024 HEADER Date 2024")
        let (matches, loads) = box.run(try SearchProgram(criteria: command.criteria))
        #expect(matches.count == 5)
        #expect(loads == 5)
    }

    @Test("cheap keys of an AND run first, so content is loaded only for messages they let through")
    func cheapFirst() throws {
        var box = SearchMailbox()
        for i in 1...10 { box.add("Subject: s\(i)\n\nbody\n", flags: i <= 3 ? [.seen] : []) }
        // The client wrote BODY first; only the 3 \Seen messages should be read.
        let command = try SearchCommand("SEARCH BODY body SEEN")
        let (matches, loads) = box.run(try SearchProgram(criteria: command.criteria))
        #expect(matches.map(\.sequence) == [1, 2, 3])
        #expect(loads == 3)
        // OR: when the cheap operand matches, the content operand is not evaluated.
        let or = try SearchCommand("SEARCH OR BODY nothing SEEN")
        let (orMatches, orLoads) = box.run(try SearchProgram(criteria: or.criteria))
        #expect(orMatches.map(\.sequence) == [1, 2, 3])
        #expect(orLoads == 7)
        // A set that names two messages limits loads to those two.
        let set = try SearchCommand("SEARCH TEXT body 4:5")
        #expect(box.run(try SearchProgram(criteria: set.criteria)).loads == 2)
    }

    @Test("a loader error ends the search with that error")
    func loaderErrors() throws {
        struct Gone: Error {}
        var box = SearchMailbox()
        box.add("Subject: a\n\nx\n")
        let program = try SearchProgram(criteria: [.body(Array("x".utf8))])
        #expect(throws: Gone.self) {
            _ = try program.search(box.messages, recent: [], timeZone: .utc) { (_: MessageInfo) throws(Gone) -> [UInt8] in throw Gone() }
        }
        // A message whose content is gone ([]) matches no content key but still its flags.
        let matcher = program.matcher(highestSequence: 1, highestUID: 1, timeZone: .utc)
        #expect(!matcher.matches(box.messages[0], sequence: 1, isRecent: false) { [] })
        let all = try SearchProgram(criteria: [.not(.body(Array("x".utf8)))]).matcher(highestSequence: 1, highestUID: 1, timeZone: .utc)
        #expect(all.matches(box.messages[0], sequence: 1, isRecent: false) { [] })
    }
}
