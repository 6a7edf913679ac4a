// Tests for WildcardPattern: exact and "*" matching, case and Unicode folding, hostile patterns.

import Testing
@testable import MailroomCore

@Suite("WildcardPattern")
struct WildcardPatternTests {
    @Test("matches", arguments: [
        ("example.com", "example.com", true),
        ("example.com", "EXAMPLE.COM", true),
        ("Example.COM", "example.com", true),
        ("example.com", "example.co", false),
        ("example.com", "xexample.com", false),
        ("example.com", "example.comx", false),
        ("*@example.com", "user@example.com", true),
        ("*@example.com", "@example.com", true),
        ("*@example.com", "user@example.org", false),
        ("*@example.com", "user@sub.example.com", false),
        ("*.example.com", "mail.example.com", true),
        ("*.example.com", "example.com", false),
        ("spam*", "spammer@example.com", true),
        ("spam*", "spa", false),
        ("*bad*", "a-bad-thing", true),
        ("*bad*", "bad", true),
        ("*bad*", "bda", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "a-b-c", true),
        ("a*b*c", "acb", false),
        ("a*b*c", "a-b-c-d", false),
        ("192.0.2.*", "192.0.2.77", true),
        ("192.0.2.*", "192.0.20.1", false),
        ("*", "", true),
        ("*", "anything at all", true),
        ("**", "x", true),
        ("a**b", "ab", true),
        ("", "", true),
        ("", "a", false),
        // Prefix, suffix and middle pieces must not overlap.
        ("a*a", "a", false),
        ("a*a", "aa", true),
        ("ab*ba", "aba", false),
        ("ab*ba", "abba", true),
        ("*aa*aa", "aaaa", true),
        ("*aa*aa", "aaa", false),
        ("*ab*ab*", "xabyab", true),
        ("*ab*ab*", "xaby", false),
        // No other metacharacters.
        ("a?c", "abc", false),
        ("a?c", "a?c", true),
        ("[ab]", "a", false),
        ("[ab]", "[AB]", true),
        ("a.c", "abc", false),
        // Chinese and other multibyte text; case folding by Unicode lower-case mapping.
        ("*@例子.中国", "用户@例子.中国", true),
        ("*@例子.中国", "用户@例子.中國", false),
        ("用*", "用户@例子.中国", true),
        ("*户@*", "用户@例子.中国", true),
        ("ÜSER*", "üser@example.com", true),
        ("*@ПРИМЕР.РФ", "почта@пример.рф", true),
        ("zoë*", "ZOE\u{0308}@example.com", true),  // NFC: decomposed value, composed pattern
        ("zoe\u{0308}*", "zoë@example.com", true),
        ("e*", "é", false),                            // "é" is not "e"
    ])
    func matches(pattern: String, value: String, expected: Bool) {
        #expect(WildcardPattern(pattern).matches(value) == expected)
    }

    @Test func patternIsLowercased() {
        let pattern = WildcardPattern("*@EXAMPLE.COM")
        #expect(pattern.pattern == "*@example.com")
        #expect(pattern.description == "*@example.com")
        #expect(WildcardPattern("ÜSER@例子.中国").pattern == "üser@例子.中国")
        #expect(WildcardPattern("ABC") == WildcardPattern("abc"))
        #expect(Set([WildcardPattern("ABC"), WildcardPattern("abc")]).count == 1)
    }

    @Test func hasWildcard() {
        #expect(WildcardPattern("*@example.com").hasWildcard)
        #expect(WildcardPattern("spam*").hasWildcard)
        #expect(WildcardPattern("*").hasWildcard)
        #expect(!WildcardPattern("user@example.com").hasWildcard)
        #expect(!WildcardPattern("").hasWildcard)
    }

    /// A backtracking matcher takes exponential time here; this one must answer at once.
    @Test func pathologicalPatternsAreFast() {
        let clock = ContinuousClock()
        let longA = String(repeating: "a", count: 10_000)
        let elapsed = clock.measure {
            #expect(!WildcardPattern("*a*a*a*a*b").matches(longA))
            #expect(WildcardPattern("*a*a*a*a*b").matches(longA + "b"))
            #expect(!WildcardPattern("*a*a*a*a*b*").matches(longA))
            #expect(!WildcardPattern(String(repeating: "*a", count: 30) + "*b*").matches(longA))
            #expect(!WildcardPattern("*" + String(repeating: "a", count: 50) + "b*").matches(longA))
            #expect(WildcardPattern(String(repeating: "*a", count: 30) + "*").matches(longA))
            #expect(!WildcardPattern("*用*用*用*用*户").matches(String(repeating: "用", count: 10_000)))
        }
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }
}
