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

    @Test("header keys are answered from the field cache the first search filled: same answers, no message read")
    func fieldCacheServesRepeatedHeaderSearches() throws {
        var box = SearchMailbox()
        for i in 1...12 {
            let group = i % 3 == 0 ? "X-Group: g\(i % 4)\n" : ""
            box.add("Subject: =?UTF-8?B?5Y+R56Wo?= \(i)\n\(group)From: \"Ann \(i)\" <ann\(i)@example.org>\n"
                    + "Date: \(i) Jan 2024 10:00:00 +0000\nX-Group: extra\(i)\n\nbody \(i)\n")
        }
        final class Store: @unchecked Sendable { var values: [String: [UInt8]] = [:]; var stores = 0 }
        let store = Store()
        let cache = SearchFieldCache(lookup: { store.values["\($0) \($1)"] },
                                     store: { store.values["\($0) \($1)"] = $2; store.stores += 1 })
        for line in ["SEARCH HEADER X-Group g1", "SEARCH SUBJECT 发票 FROM ann1", "SEARCH SENTSINCE 5-Jan-2024 HEADER X-Group extra",
                     "SEARCH HEADER X-Group \"\"", "SEARCH OR SUBJECT \"发票 7\" FROM \"Ann 9\""] {
            let program = try SearchProgram(criteria: try SearchCommand(line).criteria, charset: "UTF-8")
            let (expected, _) = box.run(program)
            var loads = 0
            let first = program.search(box.messages, recent: [], timeZone: .utc, fieldCache: cache) { info in
                loads += 1
                return box.contents[info.uid] ?? []
            }
            #expect(first == expected, "\(line)")
            var again = 0
            let second = program.search(box.messages, recent: [], timeZone: .utc, fieldCache: cache) { info in
                again += 1
                return box.contents[info.uid] ?? []
            }
            #expect(second == expected, "\(line): from the cache")
            #expect(again == 0, "\(line): \(again) messages read again")
        }
        // Every occurrence of a field is kept, and a message without one is remembered as such.
        #expect(store.values["3 hdr.x-group"].map { String(decoding: $0, as: UTF8.self) } == "X-Group: g3\r\nX-Group: extra3\r\n")
        #expect(store.values["1 hdr.x-group"].map { String(decoding: $0, as: UTF8.self) } == "X-Group: extra1\r\n")
    }

    @Test("BODY keeps the text parts' ranges of ASCII mail in the field cache: same answers without parsing, other mail marked for parsing")
    func bodyPlanFromFieldCache() throws {
        var box = SearchMailbox()
        box.add("Subject: a\n\nThe Quick  brown\r\n fox\n")                                        // 1: plain ASCII
        box.add("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst QUICK part\n"
                + "--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\ncXVpY2s=\n"
                + "--b\nContent-Type: text/html; charset=windows-1252\n\n<b>second</b> fox\n--b--\n")      // 2: two ASCII parts
        box.add("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n5Y+R56WoIHF1aWNr\n") // 3: base64
        box.add("Content-Type: text/plain; charset=utf-8\n\n发票 quick fox\n")                        // 4: not ASCII
        box.add("Content-Type: text/plain; charset=iso-2022-jp\n\nquick\n")                           // 5: ASCII octets, other charset
        final class Store: @unchecked Sendable { var values: [String: [UInt8]] = [:] }
        let store = Store()
        let cache = SearchFieldCache(lookup: { store.values["\($0) \($1)"] }, store: { store.values["\($0) \($1)"] = $2 })
        for line in ["SEARCH BODY quick", "SEARCH BODY \"quick brown fox\"", "SEARCH BODY fox NOT BODY second", "SEARCH BODY 发票",
                     "SEARCH TEXT \"first quick\"", "SEARCH BODY \"<B>SECOND</B>\""] {
            let program = try SearchProgram(criteria: try SearchCommand(line).criteria, charset: "UTF-8")
            let (expected, _) = box.run(program)
            if line == "SEARCH BODY quick" { #expect(expected.map(\.uid) == [1, 2, 3, 4, 5]) }
            for pass in ["first", "cached"] {
                let found = program.search(box.messages, recent: [], timeZone: .utc, fieldCache: cache) { box.contents[$0.uid] ?? [] }
                #expect(found == expected, "\(line) (\(pass))")
            }
        }
        #expect(store.values["1 search.body"]?.first == 1)
        #expect(store.values["2 search.body"].map { BodyTextPlan.ranges($0, count: box.contents[2]!.count)?.count } == 2)
        for uid in 3...5 { #expect(store.values["\(uid) search.body"] == [0], "message \(uid) is parsed each time") }
        // A plan that does not fit the message is not used.
        #expect(BodyTextPlan.ranges(BodyTextPlan.encode([3..<50]), count: 20) == nil)
        #expect(BodyTextPlan.ranges(BodyTextPlan.encode([3..<5, 7..<9]), count: 20) == [3..<5, 7..<9])
        #expect(BodyTextPlan.ranges([1, 2, 3], count: 20) == nil)
    }
}
