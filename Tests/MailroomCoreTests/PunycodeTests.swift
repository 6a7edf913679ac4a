// Tests for Punycode (RFC 3492): the §7.1 sample strings, round trips and malformed input.

import Testing
@testable import MailroomCore

@Suite("Punycode (RFC 3492)")
struct PunycodeTests {
    /// RFC 3492 §7.1 sample strings: (name, Unicode, Punycode). Mixed-case annotations are
    /// ignored, so the expected encodings keep the case of the basic code points only.
    static let samples: [(String, String, String)] = [
        ("A Arabic (Egyptian)", "\u{0644}\u{064A}\u{0647}\u{0645}\u{0627}\u{0628}\u{062A}\u{0643}\u{0644}\u{0645}\u{0648}\u{0634}\u{0639}\u{0631}\u{0628}\u{064A}\u{061F}", "egbpdaj6bu4bxfgehfvwxn"),
        ("B Chinese (simplified)", "\u{4ED6}\u{4EEC}\u{4E3A}\u{4EC0}\u{4E48}\u{4E0D}\u{8BF4}\u{4E2D}\u{6587}", "ihqwcrb4cv8a8dqg056pqjye"),
        ("C Chinese (traditional)", "\u{4ED6}\u{5011}\u{7232}\u{4EC0}\u{9EBD}\u{4E0D}\u{8AAA}\u{4E2D}\u{6587}", "ihqwctvzc91f659drss3x8bo0yb"),
        ("D Czech", "Pro\u{010D}prost\u{011B}nemluv\u{00ED}\u{010D}esky", "Proprostnemluvesky-uyb24dma41a"),
        ("E Hebrew", "\u{05DC}\u{05DE}\u{05D4}\u{05D4}\u{05DD}\u{05E4}\u{05E9}\u{05D5}\u{05D8}\u{05DC}\u{05D0}\u{05DE}\u{05D3}\u{05D1}\u{05E8}\u{05D9}\u{05DD}\u{05E2}\u{05D1}\u{05E8}\u{05D9}\u{05EA}", "4dbcagdahymbxekheh6e0a7fei0b"),
        ("F Hindi (Devanagari)", "\u{092F}\u{0939}\u{0932}\u{094B}\u{0917}\u{0939}\u{093F}\u{0928}\u{094D}\u{0926}\u{0940}\u{0915}\u{094D}\u{092F}\u{094B}\u{0902}\u{0928}\u{0939}\u{0940}\u{0902}\u{092C}\u{094B}\u{0932}\u{0938}\u{0915}\u{0924}\u{0947}\u{0939}\u{0948}\u{0902}", "i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd"),
        ("G Japanese (kanji and hiragana)", "\u{306A}\u{305C}\u{307F}\u{3093}\u{306A}\u{65E5}\u{672C}\u{8A9E}\u{3092}\u{8A71}\u{3057}\u{3066}\u{304F}\u{308C}\u{306A}\u{3044}\u{306E}\u{304B}", "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"),
        ("H Korean (Hangul syllables)", "\u{C138}\u{ACC4}\u{C758}\u{BAA8}\u{B4E0}\u{C0AC}\u{B78C}\u{B4E4}\u{C774}\u{D55C}\u{AD6D}\u{C5B4}\u{B97C}\u{C774}\u{D574}\u{D55C}\u{B2E4}\u{BA74}\u{C5BC}\u{B9C8}\u{B098}\u{C88B}\u{C744}\u{AE4C}", "989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c"),
        ("I Russian (Cyrillic)", "\u{043F}\u{043E}\u{0447}\u{0435}\u{043C}\u{0443}\u{0436}\u{0435}\u{043E}\u{043D}\u{0438}\u{043D}\u{0435}\u{0433}\u{043E}\u{0432}\u{043E}\u{0440}\u{044F}\u{0442}\u{043F}\u{043E}\u{0440}\u{0443}\u{0441}\u{0441}\u{043A}\u{0438}", "b1abfaaepdrnnbgefbadotcwatmq2g4l"),
        ("J Spanish", "Porqu\u{00E9}nopuedensimplementehablarenEspa\u{00F1}ol", "PorqunopuedensimplementehablarenEspaol-fmd56a"),
        ("K Vietnamese", "T\u{1EA1}isaoh\u{1ECD}kh\u{00F4}ngth\u{1EC3}ch\u{1EC9}n\u{00F3}iti\u{1EBF}ngVi\u{1EC7}t", "TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g"),
        ("L 3年B組金八先生", "3\u{5E74}B\u{7D44}\u{91D1}\u{516B}\u{5148}\u{751F}", "3B-ww4c5e180e575a65lsy2b"),
        ("M 安室奈美恵-with-SUPER-MONKEYS", "\u{5B89}\u{5BA4}\u{5948}\u{7F8E}\u{6075}-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"),
        ("N Hello-Another-Way-それぞれの場所", "Hello-Another-Way-\u{305D}\u{308C}\u{305E}\u{308C}\u{306E}\u{5834}\u{6240}", "Hello-Another-Way--fc4qua05auwb3674vfr0b"),
        ("O ひとつ屋根の下2", "\u{3072}\u{3068}\u{3064}\u{5C4B}\u{6839}\u{306E}\u{4E0B}2", "2-u9tlzr9756bt3uc0v"),
        ("P MajiでKoiする5秒前", "Maji\u{3067}Koi\u{3059}\u{308B}5\u{79D2}\u{524D}", "MajiKoi5-783gue6qz075azm5e"),
        ("Q パフィーdeルンバ", "\u{30D1}\u{30D5}\u{30A3}\u{30FC}de\u{30EB}\u{30F3}\u{30D0}", "de-jg4avhby1noc0d"),
        ("R そのスピードで", "\u{305D}\u{306E}\u{30B9}\u{30D4}\u{30FC}\u{30C9}\u{3067}", "d9juau41awczczp"),
        ("S -> $1.00 <-", "-> $1.00 <-", "-> $1.00 <--"),
    ]

    @Test("encodes the RFC 3492 §7.1 samples", arguments: samples)
    func encodesSample(name: String, unicode: String, punycode: String) {
        #expect(Punycode.encode(unicode) == punycode, "\(name)")
    }

    @Test("decodes the RFC 3492 §7.1 samples", arguments: samples)
    func decodesSample(name: String, unicode: String, punycode: String) {
        #expect(Punycode.decode(punycode) == unicode, "\(name)")
    }

    @Test func chineseJapaneseArabicRussianByName() {
        #expect(Punycode.encode("他们为什么不说中文") == "ihqwcrb4cv8a8dqg056pqjye")
        #expect(Punycode.encode("なぜみんな日本語を話してくれないのか") == "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa")
        #expect(Punycode.encode("ليهمابتكلموشعربي؟") == "egbpdaj6bu4bxfgehfvwxn")
        #expect(Punycode.encode("почемужеонинеговорятпорусски") == "b1abfaaepdrnnbgefbadotcwatmq2g4l")
    }

    @Test func decodesUpperCaseDigits() {
        // The RFC prints the Russian sample with a mixed-case annotation ("D"); digits are case-insensitive.
        #expect(Punycode.decode("b1abfaaepdrnnbgefbaDotcwatmq2g4l") == "почемужеонинеговорятпорусски")
        #expect(Punycode.decode("FSQU00A") == "例子")
    }

    @Test func domainLabels() {
        #expect(Punycode.encode("例子") == "fsqu00a")
        #expect(Punycode.encode("中国") == "fiqs8s")
        #expect(Punycode.encode("bücher") == "bcher-kva")
        #expect(Punycode.decode("bcher-kva") == "bücher")
    }

    @Test func basicOnlyAndEmpty() {
        #expect(Punycode.encode("abc") == "abc-")
        #expect(Punycode.decode("abc-") == "abc")
        #expect(Punycode.encode("") == "")
        #expect(Punycode.decode("") == "")
    }

    @Test("round trips", arguments: [
        "用户", "例子", "中国", "テスト", "ㅎㅏㄴ글", "한국어", "ελληνικά", "עברית", "العربية", "हिन्दी",
        "𠀀𠀁𪚥", "😀mixed😀ascii", "a-b-c-ü", "ß", "\u{10FFFF}", "ﬁ", String(repeating: "漢", count: 200),
    ])
    func roundTrip(_ text: String) {
        let encoded = Punycode.encode(text)
        #expect(encoded != nil)
        #expect(encoded.flatMap(Punycode.decode) == text)
        #expect(encoded?.utf8.allSatisfy { $0 < 0x80 } == true)
    }

    @Test("refuses malformed input", arguments: [
        "abc!",                                  // "!" is not a base-36 digit
        "zz",                                    // number cut short
        "ihqwcrb4cv8a8dqg056pqjy",               // sample (B) with its last digit missing
        "例子",                                   // not ASCII
        "abc-例",                                // not ASCII after the delimiter
        "ib9b",                                  // decodes to U+D800, a surrogate
        "en32g",                                 // decodes to U+110000, beyond Unicode
        String(repeating: "9", count: 40),       // overflows maxint
    ])
    func refusesMalformed(_ text: String) {
        #expect(Punycode.decode(text) == nil)
    }

    @Test func encodeOverflowGivesNil() {
        // (0x10FFFF - 128) × 2101 exceeds maxint = 2^31 - 1 (RFC 3492 §6.4).
        #expect(Punycode.encode(String(repeating: "a", count: 2100) + "\u{10FFFF}") == nil)
        #expect(Punycode.encode(String(repeating: "a", count: 1000) + "\u{10FFFF}") != nil)
    }

    @Test func largestScalarDecodes() {
        #expect(Punycode.decode("dn32g") == "\u{10FFFF}")
    }
}
