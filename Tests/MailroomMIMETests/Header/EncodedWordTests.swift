// EncodedWordTests — tests for Header/EncodedWord.swift: RFC 2047 B and Q words, whitespace
// between adjacent words, malformed words, raw 8-bit fallbacks, CJK charsets.

@testable import MailroomMIME
import Testing

@Suite("RFC 2047 encoded words")
struct EncodedWordTests {
    func decode(_ s: String, _ defaultCharset: String? = nil) -> String {
        EncodedWord.decode(bytes(s), defaultCharset: defaultCharset)
    }

    @Test("B and Q, either case, with text around (RFC 2047 §4)")
    func basics() {
        #expect(decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(decode("=?utf-8?b?w6k=?=") == "é")
        #expect(decode("Re: =?UTF-8?Q?caf=C3=A9_au_lait?=!") == "Re: café au lait!")
        #expect(decode("=?iso-8859-1?q?this=20is=20some=20text?=") == "this is some text")
    }

    @Test("whitespace between adjacent encoded words is dropped, other whitespace kept (§6.2)")
    func adjacency() {
        #expect(decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)") == "(ab)")
        #expect(decode("=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=") == "ab")
        #expect(decode("=?ISO-8859-1?Q?a?= b") == "a b")
        #expect(decode("=?ISO-8859-1?Q?a_b?=") == "a b")
        #expect(decode("a =?ISO-8859-1?Q?b?=") == "a b")
    }

    @Test("a character split over two words (same charset) decodes")
    func splitCharacter() {
        // "发" in UTF-8 is E5 8F 91: split after the first octet.
        #expect(decode("=?UTF-8?Q?=E5?= =?UTF-8?Q?=8F=91?=") == "发")
    }

    @Test("malformed words stay as written")
    func malformed() {
        #expect(decode("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=")
        #expect(decode("=?no-such-charset?Q?abc?=") == "=?no-such-charset?Q?abc?=")
        #expect(decode("=?utf-8?Q?unterminated") == "=?utf-8?Q?unterminated")
        #expect(decode("=??Q?x?=") == "=??Q?x?=")
        #expect(decode("a=?b") == "a=?b")
        #expect(decode("=?=?=?=?") == "=?=?=?=?")
    }

    @Test("RFC 2231 §5 language in the charset")
    func language() {
        #expect(decode("=?US-ASCII*EN?Q?Keith_Moore?=") == "Keith Moore")
    }

    @Test("raw 8-bit: valid UTF-8 stays, else the default charset, else ISO-8859-1")
    func rawEightBit() {
        #expect(EncodedWord.decode(bytes("café")) == "café")
        let gbk: [UInt8] = [0xB7, 0xA2, 0xC6, 0xB1]
        #expect(EncodedWord.decode(gbk, defaultCharset: "gbk") == "发票")
        #expect(EncodedWord.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
    }

    @Test("CJK encoded words: GB2312, GBK, Big5, ISO-2022-JP, EUC-KR, Shift_JIS, KS C 5601")
    func cjk() {
        #expect(decode("=?gb2312?B?t6LGsc2o1qo=?=") == "发票通知")
        #expect(decode("=?GBK?B?t6LGsQ==?=") == "发票")
        #expect(decode("=?big5?B?tW+yvLNxqr4=?=") == "發票通知")
        #expect(decode("=?iso-2022-jp?B?GyRCQEE1YT1xGyhC?=") == "請求書")
        #expect(decode("=?euc-kr?B?vsiz58fPvLy/5A==?=") == "안녕하세요")
        #expect(decode("=?shift_jis?B?k/qWe4zq?=") == "日本語")
        #expect(decode("=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=") == "안녕하세요")
        #expect(decode("=?gb2312?Q?=B7=A2=C6=B1?=") == "发票")
    }

    @Test("hostile: many unterminated words stay linear")
    func hostile() {
        let s = String(repeating: "=?utf-8?q?", count: 20_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(decode(s) == s) }
        #expect(elapsed < .seconds(10))
    }

    @Test("displayText unfolds and decodes a field")
    func displayText() {
        let header = MIMEHeader.parse(bytes("Subject: =?utf-8?Q?a?=\n =?utf-8?Q?b?= c\n\n"))
        #expect(EncodedWord.displayText(of: header.fields[0]) == "ab c")
    }
}
