// DomainName and LocalPart take a fast path for plain ASCII input; these tests hold it to the
// general path: for random strings over the characters that matter (letters of both cases,
// digits, '-', '.', atext symbols, '/', non-ASCII) both give the same value or both refuse.

import Testing
@testable import MailroomCore

@Suite("Name fast paths")
struct NameFastPathTests {
    static func strings(_ alphabet: [String], count: Int, maxLength: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...maxLength, using: &random)
            return (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }.joined()
        }
    }

    @Test func domainNameFastPathAgreesWithTheGeneralPath() {
        let alphabet = ["a", "b", "x", "n", "Z", "Q", "0", "1", "9", "-", "-", ".", ".", ".", "_", "é", "。"]
        var fast = 0
        var inputs = Self.strings(alphabet, count: 20000, maxLength: 12, seed: 7)
        inputs += ["example.com", "EXAMPLE.COM.", "a.b", "1.2.3.4", "a.1b", "xn--abc.com", "ab--c.com", "-a.com", "a-.com",
                   "a..com", ".a.com", "a.com..", "localhost", String(repeating: "a", count: 63) + ".com",
                   String(repeating: "a", count: 64) + ".com", Array(repeating: "abcdefghi", count: 26).joined(separator: "."),
                   "mx.example.com", "a.b-", "a.-b", "a.b1", "a.12"]
        for input in inputs {
            let quick = DomainName.plainASCII(input)
            let general = try? DomainName(validating: input)
            if let quick {
                fast += 1
                #expect(general?.ascii == quick && general?.unicode == quick, "\(input): fast \(quick), general \(String(describing: general))")
            }
            #expect((try? DomainName(input)) == general, "\(input)")
        }
        #expect(fast > 300, "the fast path took only \(fast) inputs")
    }

    @Test func localPartFastPathAgreesWithTheGeneralPath() {
        let alphabet = ["a", "Z", "0", ".", ".", "+", "-", "_", "!", "/", "~", "\"", " ", "ü", "用", "@", "\u{0}"]
        var fast = 0
        var inputs = Self.strings(alphabet, count: 20000, maxLength: 10, seed: 11)
        inputs += ["user", "User.Name", ".user", "user.", "a..b", "a+tag", String(repeating: "a", count: 64),
                   String(repeating: "a", count: 65), "a/b", "Zoë"]
        for input in inputs {
            let quick = LocalPart.plainASCII(input)
            let general = try? LocalPart(validating: input)
            if let quick {
                fast += 1
                #expect(general?.value == quick, "\(input): fast \(quick), general \(String(describing: general))")
            }
            #expect((try? LocalPart(input)) == general, "\(input)")
        }
        #expect(fast > 1000, "the fast path took only \(fast) inputs")
    }
}
