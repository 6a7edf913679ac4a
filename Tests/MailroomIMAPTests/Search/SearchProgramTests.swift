// SearchProgramTests.swift — Search/SearchProgram.swift: CHARSET conversion of search strings
// (UTF-8, US-ASCII, CJK and other iconv charsets), the typed errors for an unknown charset and
// for undecodable strings, the BADCHARSET list, and CJK bodies and subjects found through
// their transfer encodings and charsets.

@testable import MailroomIMAP
import MailroomMaildir
import MailroomMIME
import Testing

@Suite("Search: program and charsets")
struct SearchProgramTests {
    static let faPiaoUTF8 = Array("发票".utf8)
    /// 发票 in GB2312/GBK.
    static let faPiaoGBK: [UInt8] = [0xB7, 0xA2, 0xC6, 0xB1]

    static func cjkMailbox() -> SearchMailbox {
        var box = SearchMailbox()
        // 1: GBK text, base64 ("您好，请查收本月的发票，谢谢。").
        box.add("""
            From: =?GBK?B?1cXI/Q==?= <zhang@example.cn>
            Subject: =?GB2312?B?sb7UwrXEt6LGsQ==?=
            MIME-Version: 1.0
            Content-Type: text/plain; charset=GBK
            Content-Transfer-Encoding: base64

            xPq6w6Osx+uy6crVsb7UwrXEt6LGsaOs0LvQu6GjCg==
            """)
        // 2: Big5 text, quoted-printable ("附件是發票號碼，請查收。").
        box.add("""
            Subject: invoice
            MIME-Version: 1.0
            Content-Type: text/plain; charset=big5
            Content-Transfer-Encoding: quoted-printable

            =AA=FE=A5=F3=ACO=B5o=B2=BC=B8=B9=BDX=A1A=BD=D0=ACd=A6=AC=A1C
            """)
        // 3: an ISO-2022-JP Subject ("会議の議事録について"), ASCII body.
        box.add("""
            Subject: =?ISO-2022-JP?B?GyRCMnE1RCRONUQ7dk8/JEskRCQkJEYbKEI=?=
            Content-Type: text/plain; charset=us-ascii

            minutes attached
            """)
        // 4: EUC-KR body, base64 ("회의 안건").
        box.add("""
            Subject: agenda
            Content-Type: text/plain; charset=euc-kr
            Content-Transfer-Encoding: base64

            yLjAxyC+yLDH
            """)
        return box
    }

    @Test("发票 in a GBK base64 body, searched as UTF-8 and as GB2312 octets")
    func gbkBody() throws {
        let box = Self.cjkMailbox()
        #expect(try box.search([.body(Self.faPiaoUTF8)], charset: "UTF-8") == [1])
        #expect(try box.search([.body(Self.faPiaoUTF8)], charset: nil) == [1])
        #expect(try box.search([.body(Self.faPiaoGBK)], charset: "GB2312") == [1])
        #expect(try box.search([.body(Self.faPiaoGBK)], charset: "gbk") == [1])
        #expect(try box.search([.text(Self.faPiaoGBK)], charset: "GB18030") == [1])
        #expect(try box.search([.body(Array("请查收".utf8))]) == [1])
        #expect(try box.search([.subject(Array("本月的发票".utf8))]) == [1], "GB2312 encoded word")
        #expect(try box.search([.from(Array("张三".utf8))]) == [1], "GBK encoded display name")
    }

    @Test("發票 in a Big5 quoted-printable body, searched as UTF-8 and as Big5 octets")
    func big5Body() throws {
        let box = Self.cjkMailbox()
        #expect(try box.search([.body(Array("發票號碼".utf8))]) == [2])
        #expect(try box.search([.body([0xB5, 0x6F, 0xB2, 0xBC])], charset: "BIG5") == [2])
        #expect(try box.search([.body(Self.faPiaoUTF8)]) == [1], "simplified 发票 is not traditional 發票")
    }

    @Test("an ISO-2022-JP encoded-word Subject found by its Japanese text, in UTF-8, ISO-2022-JP and Shift_JIS")
    func iso2022jpSubject() throws {
        let box = Self.cjkMailbox()
        #expect(try box.search([.subject(Array("議事録".utf8))]) == [3])
        #expect(try box.search([.subject(Array("会議の議事録について".utf8))]) == [3])
        let jis: [UInt8] = [0x1B, 0x24, 0x42, 0x35, 0x44, 0x3B, 0x76, 0x4F, 0x3F, 0x1B, 0x28, 0x42]
        #expect(try box.search([.subject(jis)], charset: "ISO-2022-JP") == [3])
        #expect(try box.search([.subject([0x8B, 0x63, 0x8E, 0x96, 0x98, 0x5E])], charset: "SHIFT_JIS") == [3])
        #expect(try box.search([.text(Array("議事録".utf8))]) == [3])
    }

    @Test("an EUC-KR body and a KOI8-R search string")
    func koreanAndCyrillic() throws {
        var box = Self.cjkMailbox()
        #expect(try box.search([.body([0xBE, 0xC8, 0xB0, 0xC7])], charset: "EUC-KR") == [4])
        #expect(try box.search([.body(Array("안건".utf8))]) == [4])
        box.add("Subject: =?KOI8-R?B?8NLJ18XU?=\n\nbody\n")
        #expect(try box.search([.subject([0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4])], charset: "KOI8-R") == [5])
        #expect(try box.search([.subject(Array("ПРИВЕТ".utf8))]) == [5], "Cyrillic is case-folded")
    }

    @Test("an unknown CHARSET is a typed error; the BADCHARSET list holds only charsets that work")
    func unknownCharset() throws {
        #expect(throws: SearchError.unknownCharset("X-NO-SUCH-CHARSET")) {
            try SearchProgram(criteria: [.body(Array("x".utf8))], charset: "X-NO-SUCH-CHARSET")
        }
        #expect(throws: SearchError.unknownCharset("UTF-8//TRANSLIT")) {
            try SearchProgram(criteria: [.all], charset: "UTF-8//TRANSLIT")
        }
        #expect(SearchProgram.supportedCharsets.prefix(2) == ["UTF-8", "US-ASCII"])
        for name in SearchProgram.supportedCharsets {
            #expect(Charset.isKnown(name), "\(name) is advertised")
            _ = try SearchProgram(criteria: [.body(Array("abc".utf8))], charset: name)
        }
    }

    @Test("search strings that do not decode in their charset are a typed error")
    func invalidStrings() {
        #expect(throws: SearchError.invalidString(charset: "UTF-8")) {
            try SearchProgram(criteria: [.body([0xFF, 0xFE])], charset: "UTF-8")
        }
        #expect(throws: SearchError.invalidString(charset: "US-ASCII")) {
            try SearchProgram(criteria: [.not(.subject([0xC3]))], charset: "US-ASCII")
        }
        #expect(throws: SearchError.invalidString(charset: "GB2312")) {
            try SearchProgram(criteria: [.or(.seen, .header(Array("X".utf8), [0xB7]))], charset: "GB2312")
        }
    }

    @Test("needsContent: only header and body keys need the message")
    func needsContent() throws {
        #expect(!(try SearchProgram(criteria: [.seen, .not(.flagged), .larger(10), .on(IMAPDate(year: 2024, month: 1, day: 1)!),
                                             .uid(SequenceSet(1...5)), .modSeq(nil, 3), .or(.new, .keyword(.keyword("x")))])).needsContent)
        #expect(try SearchProgram(criteria: [.seen, .subject(Array("x".utf8))]).needsContent)
        #expect(try SearchProgram(criteria: [.or(.seen, .body(Array("x".utf8)))]).needsContent)
        #expect(try SearchProgram(criteria: [.sentOn(IMAPDate(year: 2024, month: 1, day: 1)!)]).needsContent)
    }

    @Test("AND operands run cheapest first: flags, then header, then body")
    func ordering() throws {
        let program = try SearchProgram(criteria: [.body(Array("b".utf8)), .subject(Array("s".utf8)), .seen,
                                                   .and([.text(Array("t".utf8)), .larger(5)])])
        guard case .and(let nodes) = program.root else { Issue.record("not an AND"); return }
        #expect(nodes.map(\.cost) == [.metadata, .metadata, .header, .body, .body])
        if case .flag = nodes[0] {} else { Issue.record("SEEN first: \(nodes[0])") }
        if case .larger = nodes[1] {} else { Issue.record("LARGER second: \(nodes[1])") }
        let or = try SearchProgram(criteria: [.or(.body(Array("b".utf8)), .draft)])
        if case .or(let first, _) = or.root, case .flag = first {} else { Issue.record("OR evaluates DRAFT first: \(or.root)") }
    }
}
