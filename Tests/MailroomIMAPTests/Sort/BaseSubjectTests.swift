// BaseSubjectTests.swift — Sort/BaseSubject.swift and Sort/SortCollation.swift: RFC 5256 §2.1's
// base subject (RFC 2047 decoding, white space, "Re:"/"Fw:"/"Fwd:" leaders with blobs,
// "(fwd)" trailers, "[fwd: …]" wrappers, blobs kept when nothing else is left), whether a
// subject is a reply or forward, with Chinese and Japanese encoded subjects; and the
// i;unicode-casemap keys the base subject is made of.

@testable import MailroomIMAP
import Testing

@Suite("Sort: base subject")
struct BaseSubjectTests {
    static func base(_ subject: String) -> (String, Bool) {
        let result = BaseSubject.extract(Array(subject.utf8))
        return (String(decoding: result.subject, as: UTF8.self), result.isReplyOrForward)
    }

    @Test("RFC 5256 §2.1 steps, as imaptest's sort-subject mailbox has them", arguments: [
        ("a", "A", false),
        ("C", "C", false),
        ("_", "_", false),
        ("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)", "B", true),
        ("b (a)", "B (A)", false),
        ("Re: [FWD: c]", "C", true),
        ("[xyz]", "[XYZ]", false),
        ("=?iso-8859-1?q?_?=", "", false),
        ("Re: =?utf-8?q?b?=", "B", true),
        ("=?iso-8859-1?q?RE:_C?=", "C", true),
        ("=?us-ascii?b?UmU6IGM=?=", "C", true),
        ("Ad: Re: Ad: Re: Ad: x", "AD: RE: AD: RE: AD: X", false),
        ("re: [fwd: [fwd: re: [fwd: babylon]]]", "BABYLON", true),
    ])
    func imaptestSubjects(subject: String, expected: String, reply: Bool) {
        let (text, isReply) = Self.base(subject)
        #expect(text == expected)
        #expect(isReply == reply)
    }

    @Test("leaders, blobs, trailers and white space", arguments: [
        ("Re: test", "TEST", true),
        ("RE: Re: re: test", "TEST", true),
        ("Fw: test", "TEST", true),
        ("FWD:test", "TEST", true),
        ("Fw : test", "TEST", true),          // subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
        ("Re[2]: test", "TEST", true),        // a blob inside the subj-refwd
        ("Re [2] : test", "TEST", true),
        ("[list] Re: test", "TEST", true),    // subj-leader = *subj-blob subj-refwd
        ("Re: [list] test", "TEST", true),    // step (4): a blob with text after it
        ("[a][b] test", "TEST", false),
        ("[list]", "[LIST]", false),          // step (4): not when nothing would be left
        ("Re: [list]", "[LIST]", true),
        ("test (fwd)", "TEST", true),
        ("test(fwd) (FWD)  ", "TEST", true),
        ("(fwd)", "", true),
        ("[fwd: test]", "TEST", true),
        ("[Fwd: Re: test] (fwd)", "TEST", true),
        ("[fwd: test", "[FWD: TEST", false),  // no subj-fwd-trl
        ("Rex: test", "REX: TEST", false),
        ("Re test", "RE TEST", false),
        ("Re:", "", true),
        ("  Re:\t test\r\n   more  ", "TEST MORE", true),
        ("[unclosed Re: test", "[UNCLOSED RE: TEST", false),
        ("", "", false),
    ])
    func steps(subject: String, expected: String, reply: Bool) {
        let (text, isReply) = Self.base(subject)
        #expect(text == expected)
        #expect(isReply == reply)
    }

    @Test("RFC 2047 subjects in Chinese and Japanese charsets", arguments: [
        // "Re: 会議の件" in ISO-2022-JP
        ("=?ISO-2022-JP?B?UmU6IBskQjJxNUQkTjdvGyhC?=", "会議の件", true),
        ("=?ISO-2022-JP?B?GyRCMnE1RCRON28bKEI=?=", "会議の件", false),
        // "回复: 发票" in GB2312: a Chinese "reply" prefix is not RFC 5256's, so it stays
        ("=?GB2312?B?u9i4tDogt6LGsQ==?=", "回复: 发票", false),
        ("Re: =?GB2312?B?t6LGsQ==?=", "发票", true),
        // "Fwd: 发票 (fwd)" in UTF-8
        ("=?UTF-8?B?RndkOiDlj5HnpaggKGZ3ZCk=?=", "发票", true),
        // "【重要】お知らせ" in Shift_JIS: "【】" are not blob brackets
        ("=?SHIFT_JIS?B?gXmPZJd2gXqCqJJtgueCuQ==?=", "【重要】お知らせ", false),
        ("[ML:123] =?UTF-8?B?5Lya6K2w?=", "会議", false),
    ])
    func cjk(subject: String, expected: String, reply: Bool) {
        let (text, isReply) = Self.base(subject)
        #expect(text == expected)
        #expect(isReply == reply)
    }

    @Test("keys: titlecase and compatibility decomposition (RFC 5051), compared as octets")
    func collation() {
        func key(_ text: String) -> [UInt8] { SortCollation.key(text) }
        #expect(key("abc") == Array("ABC".utf8))
        #expect(key("é") == Array("E\u{301}".utf8))               // titlecase, then NFKD
        #expect(key("É") == key("e\u{301}"))
        #expect(key("ｈｅｌｌｏ") == Array("HELLO".utf8))           // full-width forms
        #expect(key("ǆ") == Array("Dz\u{30C}".utf8))              // U+01C6 titlecases to U+01C5 (not U+01C4)
        #expect(key("ß") == Array("ß".utf8))                      // no simple titlecase: "Ss" is a full mapping
        #expect(key("한") == Array("\u{1112}\u{1161}\u{11AB}".utf8))  // Hangul syllable, decomposed
        #expect(key("发票") == Array("发票".utf8))
        #expect(key("[xyz]").lexicographicallyPrecedes(key("_")))  // "[" < "_" once letters are upper case
        #expect(key("Zeta").lexicographicallyPrecedes(key("alpha")) == false)
    }
}
