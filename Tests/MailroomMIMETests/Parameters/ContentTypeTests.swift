// ContentTypeTests — tests for Parameters/ContentType.swift and Parameters/MIMEParameter.swift:
// type/subtype, parameters, RFC 2231 continuations and charsets, dispositions.

@testable import MailroomMIME
import Testing

@Suite("Content-Type and parameters")
struct ContentTypeTests {
    @Test("type and subtype lowercased, parameter names lowercased, quoted values unescaped")
    func basics() throws {
        let ct = try #require(ContentType.parse(bytes("Text/HTML; Charset=\"UTF-8\"; name=\"a \\\"b\\\".html\"")))
        #expect(ct.type == "text")
        #expect(ct.subtype == "html")
        #expect(ct.mediaType == "text/html")
        #expect(ct.charset == "UTF-8")
        #expect(ct.parameters.value(of: "NAME") == "a \"b\".html")
    }

    @Test("comments and whitespace around tokens (RFC 2045 §5.1, RFC 5322 §3.2.2)")
    func comments() throws {
        let ct = try #require(ContentType.parse(bytes("(c) multipart (x) / mixed (y); boundary=abc (the boundary); x=1")))
        #expect(ct.mediaType == "multipart/mixed")
        #expect(ct.boundary == bytes("abc"))
        #expect(ct.parameters.value(of: "x") == "1")
    }

    @Test("invalid types give nil, so RFC 2045 §5.2's default applies")
    func invalid() {
        #expect(ContentType.parse(bytes("text")) == nil)
        #expect(ContentType.parse(bytes("")) == nil)
        #expect(ContentType.parse(bytes("/plain")) == nil)
        #expect(ContentType.parse(bytes("text/")) == nil)
    }

    @Test("unquoted values with tspecials, double semicolons, missing values, duplicates")
    func tolerant() throws {
        let ct = try #require(ContentType.parse(bytes("multipart/alternative;; boundary=----=_Part_1_2.3;charset; name=first; NAME=second")))
        #expect(ct.boundary == bytes("----=_Part_1_2.3"))
        #expect(ct.parameters.value(of: "charset") == "")
        #expect(ct.parameters.value(of: "name") == "first")
    }

    @Test("RFC 2231 §3 continuations, §4 charset and language, mixed sections")
    func rfc2231() throws {
        let ct = try #require(ContentType.parse(bytes(
            "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"")))
        let title = try #require(ct.parameters.parameter("title"))
        #expect(title.value == "This is even more ***fun*** isn't it!")
        #expect(title.charset == "us-ascii")
        #expect(title.language == "en")

        let d = try #require(ContentDisposition.parse(bytes("attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf; filename=\"fallback.pdf\"")))
        #expect(d.type == "attachment")
        #expect(d.filename == "发票.pdf")

        let gbk = try #require(ContentDisposition.parse(bytes("inline; filename*=gbk''%B7%A2%C6%B1.txt")))
        #expect(gbk.filename == "发票.txt")

        // Sections out of order, plain continuation.
        let out = try #require(ContentType.parse(bytes("text/plain; name*1=\"world\"; name*0=\"hello \"")))
        #expect(out.parameters.value(of: "name") == "hello world")
    }

    @Test("8-bit in a plain value: UTF-8 kept, otherwise ISO-8859-1")
    func eightBit() throws {
        let ct = try #require(ContentType.parse(bytes("text/plain; name=\"café.txt\"") ))
        #expect(ct.parameters.value(of: "name") == "café.txt")
        let latin = try #require(ContentType.parse([0x61, 0x2F, 0x62, 0x3B, 0x6E, 0x3D, 0xE9]))
        #expect(latin.parameters.value(of: "n") == "é")
    }

    @Test("hostile: thousands of parameters and sections stay bounded")
    func hostile() throws {
        var s = "text/plain"
        for i in 0..<5000 { s += "; p\(i)*\(i)=x" }
        let ct = try #require(ContentType.parse(bytes(s)))
        #expect(ct.parameters.count <= MIMEParameter.maximumParameters)
        var t = "text/plain"
        for i in (0..<3000).reversed() { t += "; n*\(i)=a" }
        let joined = try #require(ContentType.parse(bytes(t)))
        #expect((joined.parameters.value(of: "n")?.count ?? 0) <= MIMEParameter.maximumSections)
    }
}
