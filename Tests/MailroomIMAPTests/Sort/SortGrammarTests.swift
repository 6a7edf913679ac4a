// SortGrammarTests.swift — the SORT and THREAD grammar (Parser/IMAPCommandParser+Sort.swift,
// Grammar/SortCriterion.swift, SortReturnOption.swift, ThreadAlgorithm.swift): fixtures that
// parse, ones that are refused (BAD), encode → parse round trips; and the responses
// (Response/ThreadForest.swift, the SORT response, ESEARCH with PARTIAL) with ESORT's results
// (Sort/SortResult.swift).

@testable import MailroomIMAP
import MailroomMaildir
import Testing

private typealias F = ParserFixtures

@Suite("Sort: grammar and responses")
struct SortGrammarTests {
    @Test("commands that parse", arguments: [
        ("a SORT (SUBJECT) UTF-8 ALL",
         IMAPCommand.sort(uid: false, returnOptions: nil, criteria: [SortCriterion(.subject)], charset: "UTF-8", search: [.all])),
        ("a uid sort (reverse date FROM displayfrom) us-ascii SINCE 1-Feb-2024 FROM \"x y\"",
         .sort(uid: true, returnOptions: nil,
               criteria: [SortCriterion(.date, reversed: true), SortCriterion(.from), SortCriterion(.displayFrom)],
               charset: "US-ASCII", search: [.since(F.date(2024, 2, 1)), .from(F.bytes("x y"))])),
        ("a SORT (ARRIVAL CC SIZE TO DISPLAYTO) \"utf-8\" 1:5 UNSEEN",
         .sort(uid: false, returnOptions: nil,
               criteria: [SortCriterion(.arrival), SortCriterion(.cc), SortCriterion(.size), SortCriterion(.to), SortCriterion(.displayTo)],
               charset: "UTF-8", search: [.sequenceSet(F.set("1:5")), .unseen])),
        ("a SORT RETURN (MIN MAX COUNT ALL SAVE) (ARRIVAL) UTF-8 ALL",
         .sort(uid: false, returnOptions: [.min, .max, .count, .all, .save], criteria: [SortCriterion(.arrival)],
               charset: "UTF-8", search: [.all])),
        ("a SORT RETURN () (ARRIVAL) UTF-8 ALL",
         .sort(uid: false, returnOptions: [], criteria: [SortCriterion(.arrival)], charset: "UTF-8", search: [.all])),
        ("a SORT RETURN (PARTIAL 4:2) (ARRIVAL) UTF-8 ALL",
         .sort(uid: false, returnOptions: [.partial(2...4)], criteria: [SortCriterion(.arrival)], charset: "UTF-8", search: [.all])),
        ("a SORT ( SUBJECT  REVERSE  SIZE ) GB2312 SUBJECT {4+}\r\nab c",
         .sort(uid: false, returnOptions: nil, criteria: [SortCriterion(.subject), SortCriterion(.size, reversed: true)],
               charset: "GB2312", search: [.subject(F.bytes("ab c"))])),
        ("a THREAD REFERENCES UTF-8 ALL", .thread(uid: false, .references, charset: "UTF-8", search: [.all])),
        ("a UID THREAD orderedsubject \"us-ascii\" OR SEEN 2:*",
         .thread(uid: true, .orderedSubject, charset: "US-ASCII", search: [.or(.seen, .sequenceSet(F.set("2:*")))])),
    ])
    func parses(frame: String, expected: IMAPCommand) throws {
        #expect(try F.parse(frame).get().command == expected)
    }

    @Test("commands that are refused with BAD", arguments: [
        ("a SORT (FOO) UTF-8 ALL", "unknown sort key"),
        ("a SORT (REVERSE) UTF-8 ALL", "missing sort key after REVERSE"),
        ("a SORT (REVERSE REVERSE DATE) UTF-8 ALL", "unknown sort key"),
        ("a SORT () UTF-8 ALL", "empty sort criteria"),
        ("a SORT SUBJECT UTF-8 ALL", "expected '(' to open sort criteria"),
        ("a SORT (SUBJECT) ALL", "missing search criteria"),
        ("a SORT (SUBJECT)", "missing charset"),
        ("a SORT (SUBJECT) UTF-8 FOO", "unknown search key"),
        ("a SORT RETURN (FOO) (SUBJECT) UTF-8 ALL", "unknown SORT return option"),
        ("a SORT RETURN (PARTIAL 1) (ARRIVAL) UTF-8 ALL", "invalid PARTIAL range"),
        ("a SORT RETURN (PARTIAL 1:*) (ARRIVAL) UTF-8 ALL", "expected PARTIAL range"),
        ("a SORT RETURN (PARTIAL *:1) (ARRIVAL) UTF-8 ALL", "expected PARTIAL range"),
        ("a SORT RETURN (PARTIAL 0:4) (ARRIVAL) UTF-8 ALL", "PARTIAL range must not be 0"),
        ("a THREAD FOO UTF-8 ALL", "unknown THREAD algorithm"),
        ("a THREAD REFERENCES", "missing charset"),
        ("a THREAD REFERENCES UTF-8", "missing search criteria"),
        ("a UID THREAD (REFERENCES) UTF-8 ALL", "expected thread algorithm"),
    ])
    func refused(frame: String, reason: String) {
        let error = F.error(frame)
        #expect(error?.reason == reason, "\(String(describing: error))")
        #expect(error?.tag == "a")
    }

    static let commands: [IMAPCommand] = [
        .sort(uid: false, returnOptions: nil, criteria: SortKey.allCases.map { SortCriterion($0) }, charset: "UTF-8", search: [.all]),
        .sort(uid: true, returnOptions: [], criteria: SortKey.allCases.map { SortCriterion($0, reversed: true) },
              charset: "ISO-8859-1", search: [.subject(F.bytes("Grüße \"x\"")), .not(.deleted)]),
        .sort(uid: false, returnOptions: [.min, .max, .all, .count, .save, .partial(1...10)], criteria: [SortCriterion(.date)],
              charset: "US-ASCII", search: [.uid(.savedResult)]),
        .thread(uid: false, .references, charset: "UTF-8", search: [.all]),
        .thread(uid: true, .orderedSubject, charset: "GB2312", search: [.body(F.bytes("发票")), .since(F.date(2024, 1, 1))]),
    ]

    @Test("encode → parse round trips", arguments: commands)
    func roundTrip(command: IMAPCommand) throws {
        for options in [IMAPEncodingOptions(nonSynchronizingLiterals: true),
                        IMAPEncodingOptions(nonSynchronizingLiterals: false, maximumQuotedLength: 4)] {
            let tagged = TaggedCommand(tag: "A1", command: command)
            let frame = tagged.frame(options: options)
            #expect(try F.parse(frame).get() == tagged, "\(String(decoding: frame, as: UTF8.self).debugDescription)")
        }
    }

    @Test("exact client bytes, names and sequence-number use")
    func exactBytes() {
        func wire(_ command: IMAPCommand) -> String { String(decoding: TaggedCommand(tag: "a1", command: command).wireBytes(), as: UTF8.self) }
        #expect(wire(.sort(uid: true, returnOptions: [.partial(1...5), .count], criteria: [SortCriterion(.subject, reversed: true)],
                           charset: "UTF-8", search: [.all]))
            == "a1 UID SORT RETURN (PARTIAL 1:5 COUNT) (REVERSE SUBJECT) UTF-8 ALL\r\n")
        #expect(wire(.thread(uid: false, .references, charset: "US-ASCII", search: [.unseen])) == "a1 THREAD REFERENCES US-ASCII UNSEEN\r\n")
        let sort = IMAPCommand.sort(uid: false, returnOptions: nil, criteria: [SortCriterion(.size)], charset: "UTF-8", search: [.all])
        #expect(sort.name == "SORT" && sort.usesSequenceNumbers)
        let uidThread = IMAPCommand.thread(uid: true, .references, charset: "UTF-8", search: [.all])
        #expect(uidThread.name == "UID THREAD" && !uidThread.usesSequenceNumbers)
        #expect(IMAPCommandTable.states(of: sort) == .selected && IMAPCommandTable.states(of: uidThread) == .selected)
    }

    static func untagged(_ response: UntaggedResponse) -> String {
        String(decoding: IMAPResponse.untagged(response).encoded(), as: UTF8.self)
    }

    @Test("SORT and THREAD responses (RFC 5256 §4)")
    func responses() {
        #expect(Self.untagged(.sort([3, 1, 2], modSeq: nil)) == "* SORT 3 1 2\r\n")
        #expect(Self.untagged(.sort([], modSeq: nil)) == "* SORT\r\n")
        #expect(Self.untagged(.sort([5], modSeq: 917162500)) == "* SORT 5 (MODSEQ 917162500)\r\n")
        #expect(Self.untagged(.thread(ThreadForest())) == "* THREAD\r\n")
        // RFC 5256 §4's example: (2)(3 6 (4 23)(44 7 96))
        var forest = ThreadForest()
        let n96 = forest.add(96), n7 = forest.add(7, children: [n96]), n44 = forest.add(44, children: [n7])
        let n23 = forest.add(23), n4 = forest.add(4, children: [n23])
        let n6 = forest.add(6, children: [n4, n44]), n3 = forest.add(3, children: [n6])
        forest.roots = [forest.add(2), n3]
        #expect(Self.untagged(.thread(forest)) == "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n")
        // A dummy root: its children's lists.
        var dummy = ThreadForest()
        let a = dummy.add(1), b = dummy.add(2, children: [dummy.add(3)])
        dummy.roots = [dummy.add(nil, children: [a, b])]
        #expect(dummy.description == "((1)(2 3))")
    }

    @Test("ESEARCH for ESORT: MIN and MAX in sort order, ALL as an ordered set, COUNT, PARTIAL (RFC 5267)")
    func esort() throws {
        // Sorted: sequences 5 3 4 2 1 with UIDs ten times as large.
        let sorted = [5, 3, 4, 2, 1].map { n in
            SortMessage(sequence: UInt32(n), info: MessageInfo(uid: UInt32(n * 10), flags: [], keywords: [], size: 1,
                                                                internalDate: 0, modSeq: UInt64(n)))
        }
        func esearch(_ options: [SortReturnOption], uid: Bool = false, modSeq: Bool = false) -> String {
            guard let response = SortResult.eSearch(sorted, options: options, uid: uid, tag: "t1", includeModSeq: modSeq) else {
                return "none"
            }
            return Self.untagged(.esearch(response))
        }
        #expect(esearch([.min, .max, .count]) == "* ESEARCH (TAG \"t1\") MIN 5 MAX 1 COUNT 5\r\n")
        #expect(esearch([]) == "* ESEARCH (TAG \"t1\") ALL 5,3:4,2,1\r\n")
        #expect(esearch([.all], uid: true) == "* ESEARCH (TAG \"t1\") UID ALL 50,30,40,20,10\r\n")
        #expect(esearch([.partial(2...4)]) == "* ESEARCH (TAG \"t1\") PARTIAL (2:4 3:4,2)\r\n")
        #expect(esearch([.partial(6...9)]) == "* ESEARCH (TAG \"t1\") PARTIAL (6:9 NIL)\r\n")
        #expect(esearch([.min], modSeq: true) == "* ESEARCH (TAG \"t1\") MIN 5 MODSEQ 5\r\n")
        #expect(esearch([.save]) == "none")
        let nothing = SortResult.eSearch([], options: [.min, .max, .all, .count], uid: false, tag: "t2")
        #expect(nothing.map { Self.untagged(.esearch($0)) } == "* ESEARCH (TAG \"t2\") COUNT 0\r\n")
        // SAVE keeps UIDs: all of them, or what MIN/MAX/PARTIAL return.
        #expect(SortResult.saved(sorted, options: [.save])?.description == "10,20,30,40,50")
        #expect(SortResult.saved(sorted, options: [.save, .min, .max])?.description == "10,50")
        #expect(SortResult.saved(sorted, options: [.save, .partial(1...2)])?.description == "30,50")
        #expect(SortResult.saved([], options: [.save]) == nil)
        #expect(SequenceSet.runs([7, 8, 9, 1, 2, 4])?.description == "7:9,1:2,4")
        #expect(SequenceSet.runs([UInt32.max, 1])?.description == "4294967295,1")
    }
}
