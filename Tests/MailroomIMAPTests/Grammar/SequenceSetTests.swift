// SequenceSetTests.swift — Grammar/SequenceSet.swift: "*" resolution, normalisation,
// containment, iteration against a maximum, "$", and the compact encoding.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Grammar: sequence sets")
struct SequenceSetTests {
    @Test("normalisation resolves *, orders ranges, merges overlaps and neighbours, clips to max")
    func normalise() {
        #expect(F.set("1:*").normalised(max: 10) == [1...10])
        #expect(F.set("*").normalised(max: 7) == [7...7])
        #expect(F.set("5:2,9,3:4,10:12").normalised(max: 11) == [2...5, 9...11])
        #expect(F.set("3,1,2").normalised(max: 9) == [1...3])
        #expect(F.set("20:30").normalised(max: 10) == [])
        #expect(F.set("1:*").normalised(max: 0) == [])
        #expect(F.set("4294967295").normalised(max: .max) == [4_294_967_295...4_294_967_295])
        #expect(SequenceSet.savedResult.normalised(max: 5) == [])
    }

    @Test("n:* with n past the end names the last number (RFC 9051 §6.4.8)")
    func starPastEnd() {
        #expect(F.set("3291:*").normalised(max: 3290) == [3290...3290])
        #expect(F.set("3291:*").contains(3290, max: 3290))
    }

    @Test("containment and iteration")
    func containment() {
        let set = F.set("2:4,*,7")
        #expect(set.contains(3, max: 10))
        #expect(set.contains(10, max: 10))
        #expect(!set.contains(5, max: 10))
        #expect(Array(set.numbers(max: 10)) == [2, 3, 4, 7, 10])
        #expect(set.count(max: 10) == 5)
        #expect(Array(F.set("1:4294967295").numbers(max: 3)) == [1, 2, 3], "iteration is bounded by max")
    }

    @Test("exceeds(max:) flags message numbers that do not exist; * never does")
    func exceeds() {
        #expect(F.set("1:5").exceeds(max: 4))
        #expect(!F.set("1:*").exceeds(max: 4))
        #expect(!F.set("4").exceeds(max: 4))
    }

    @Test("$ is the saved result and is resolved by the session")
    func savedResult() {
        #expect(SequenceSet.savedResult.description == "$")
        #expect(SequenceSet.savedResult.resolvingSavedResult(SequenceSet(3)) == SequenceSet(3))
        #expect(SequenceSet.savedResult.resolvingSavedResult(nil) == nil)
        #expect(F.set("1").resolvingSavedResult(nil) == F.set("1"))
    }

    @Test("compact encoding of UID lists")
    func compact() {
        #expect(SequenceSet.compact([1, 2, 3, 7, 9, 10, 11, 12])?.description == "1:3,7,9:12")
        #expect(SequenceSet.compact([5, 3, 4, 4, 1])?.description == "1,3:5")
        #expect(SequenceSet.compact([UInt32.max, UInt32.max - 1])?.description == "4294967294:4294967295")
        #expect(SequenceSet.compact([]) == nil)
        #expect(SequenceSet.compact([0, 1]) == nil)
        #expect(F.set("1:3,5:*").description == "1:3,5:*")
    }
}
