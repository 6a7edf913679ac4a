// CharsetTests — tests for Charset/Charset.swift: iconv conversions of octets produced with
// Python's codecs, the aliases mail needs, stateful encodings, refusal of bad names.

@testable import MailroomMIME
import Testing

@Suite("Charsets")
struct CharsetTests {
    @Test("Chinese: GB2312/GBK/GB18030 (4-octet astral), Big5")
    func chinese() {
        let gbk: [UInt8] = [0xB7, 0xA2, 0xC6, 0xB1]
        #expect(Charset.decode(gbk, charset: "GB2312") == "发票")
        #expect(Charset.decode(gbk, charset: "gbk") == "发票")
        #expect(Charset.decode(gbk, charset: "x-gbk") == "发票")
        #expect(Charset.decode(gbk, charset: "EUC-CN") == "发票")
        #expect(Charset.decode([0x95, 0x32, 0x82, 0x36, 0xB7, 0xA2], charset: "GB18030") == "𠀀发")
        #expect(Charset.decode([0xB5, 0x6F, 0xB2, 0xBC], charset: "big5") == "發票")
        #expect(Charset.canonicalName("GB2312") == "GB18030")
        #expect(Charset.canonicalName("Big5") == "BIG5-HKSCS")
    }

    @Test("Japanese: ISO-2022-JP (shift state flushed), Shift_JIS as CP932, EUC-JP")
    func japanese() {
        let jis: [UInt8] = [0x1B, 0x24, 0x42, 0x40, 0x41, 0x35, 0x61, 0x3D, 0x71, 0x24, 0x47, 0x24, 0x39, 0x1B, 0x28, 0x42]
        #expect(Charset.decode(jis, charset: "ISO-2022-JP") == "請求書です")
        // Without the final ESC ( B the text still ends cleanly.
        #expect(Charset.decode(Array(jis.dropLast(3)), charset: "iso-2022-jp") == "請求書です")
        let sjis: [UInt8] = [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA, 0x83, 0x65, 0x83, 0x4C, 0x83, 0x58, 0x83, 0x67]
        #expect(Charset.decode(sjis, charset: "Shift_JIS") == "日本語テキスト")
        #expect(Charset.canonicalName("shift_jis") == "CP932")
        #expect(Charset.decode([0xC6, 0xFC, 0xCB, 0xDC], charset: "euc-jp") == "日本")
    }

    @Test("Korean: EUC-KR and ks_c_5601-1987 (unknown to glibc) as CP949")
    func korean() {
        let euckr: [UInt8] = [0xBE, 0xC8, 0xB3, 0xE7, 0xC7, 0xCF, 0xBC, 0xBC, 0xBF, 0xE4]
        #expect(Charset.decode(euckr, charset: "EUC-KR") == "안녕하세요")
        #expect(Charset.decode(euckr, charset: "ks_c_5601-1987") == "안녕하세요")
        // 똠 is only in CP949 (UHC), not in EUC-KR proper.
        #expect(Charset.decode([0x8C, 0x63, 0xB9, 0xE6, 0xB0, 0xA2, 0xC7, 0xCF], charset: "euc-kr") == "똠방각하")
    }

    @Test("UTF-7, KOI8-R, windows-1252, ISO-8859-1, US-ASCII, UTF-8")
    func others() {
        #expect(Charset.decode(bytes("+ZeVnLA-"), charset: "utf-7") == "日本")
        #expect(Charset.decode([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], charset: "koi8-r") == "Привет")
        #expect(Charset.decode([0x80, 0x93, 0x94], charset: "windows-1252") == "€“”")
        #expect(Charset.decode([0x63, 0x61, 0x66, 0xE9], charset: "iso-8859-1") == "café")
        #expect(Charset.decode(bytes("plain"), charset: "us-ascii") == "plain")
        #expect(Charset.decode([0x41, 0xE9], charset: "us-ascii") == nil)
        #expect(Charset.decode(bytes("café"), charset: "UTF-8") == "café")
        #expect(Charset.decode([], charset: "gbk") == "")
    }

    @Test("unknown and hostile names give nil; quotes and case are ignored")
    func names() {
        #expect(Charset.decode(bytes("x"), charset: "no-such-charset") == nil)
        #expect(Charset.decode(bytes("x"), charset: "UTF-8//TRANSLIT") == nil)
        #expect(Charset.decode(bytes("x"), charset: "../../etc/passwd") == nil)
        #expect(Charset.decode(bytes("x"), charset: String(repeating: "A", count: 200)) == nil)
        #expect(Charset.decode(bytes("x"), charset: "") == nil)
        #expect(Charset.decode(bytes("ok"), charset: "\"ISO-8859-1\"") == "ok")
        #expect(Charset.decode([0xB7, 0xA2], charset: "gb2312*zh") == "发")
    }

    @Test("strict refuses invalid input; lenient replaces it; decodeText always answers")
    func invalidInput() {
        let broken: [UInt8] = [0xB7, 0xA2, 0xFF, 0xC6, 0xB1]
        #expect(Charset.decode([0xB7], charset: "gbk") == nil)          // truncated
        #expect(Charset.decode(broken, charset: "shift_jis") == nil)
        let lenient = Charset.decode(broken, charset: "gbk", replacingInvalid: true)
        #expect(lenient?.hasPrefix("发") == true)
        #expect(lenient?.hasSuffix("票") == true)
        #expect(lenient?.contains("\u{FFFD}") == true)
        #expect(Charset.decodeText([0xE9], charset: "no-such") == "é")
        #expect(Charset.decodeText([0xB7, 0xA2, 0xC6, 0xB1], charset: nil, defaultCharset: "gbk") == "发票")
    }

    @Test("many threads decode at once")
    func concurrency() async {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    (0..<50).allSatisfy { _ in Charset.decode([0xB7, 0xA2, 0xC6, 0xB1], charset: "gbk") == "发票" }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
