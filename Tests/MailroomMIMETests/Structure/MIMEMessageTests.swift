// MIMEMessageTests — tests for Structure/MIMEMessage.swift and MIMEPart.swift: the part tree,
// byte ranges, defaults, boundaries (RFC 2046 §5.1.1), message/rfc822, CRLF-form sizes, and
// decodedText and asciiText for SEARCH.

@testable import MailroomMIME
import Testing

@Suite("Part tree")
struct MIMEMessageTests {
    static let multipart = """
        From: a@b
        Subject: test
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="XYZ"

        preamble
        --XYZ
        Content-Type: text/plain; charset=utf-8
        Content-ID: <p1@x>
        Content-Description: first

        part one
        --XYZ \t
        Content-Type: message/rfc822
        Content-Disposition: attachment; filename=inner.eml

        Subject: inner
        Content-Type: multipart/alternative; boundary=in

        --in
        Content-Type: text/plain

        inner text
        --in
        Content-Type: text/html
        Content-Transfer-Encoding: base64

        PGI+aGk8L2I+
        --in--
        --XYZ--
        epilogue

        """

    @Test("a simple message: one text/plain part with defaults (RFC 2045 §5.2)")
    func simple() {
        let data = bytes("Subject: x\n\nhello\nworld\n")
        let m = MIMEMessage.parse(data)
        #expect(m.parts.count == 1)
        #expect(m.root.contentType == .textPlainDefault)
        #expect(m.root.contentType.charset == "us-ascii")
        #expect(m.root.declaredContentType == nil)
        #expect(m.root.headerRange == 0..<12)
        #expect(m.root.bodyRange == 12..<data.count)
        #expect(m.root.bodyLines == 2)
        #expect(m.root.bodyOctets == 14)      // "hello\r\nworld\r\n"
        #expect(m.root.headerOctets == 14)    // "Subject: x\r\n\r\n"
        #expect(m.decodedText(of: m.root) == "hello\nworld\n")
    }

    @Test("asciiText: a text part's octets when decoding keeps them, nil when it would not")
    func asciiText() throws {
        func first(_ message: String) -> (MIMEMessage, MIMEPart) {
            let m = MIMEMessage.parse(bytes(message))
            return (m, m.parts.first { $0.contentType.isText && $0.structure == .single } ?? m.root)
        }
        var (m, part) = first("Subject: x\n\nHello World\n")
        #expect(m.asciiText(of: part).map { text($0) } == "Hello World\n")
        (m, part) = first("Content-Type: text/plain; charset=\"ISO-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\na=3Db\n")
        #expect(m.asciiText(of: part).map { text($0) } == "a=b\n", "transfer decoding first")
        (m, part) = first("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n5Y+R56Wo\n")
        #expect(m.asciiText(of: part) == nil, "UTF-8 that is not ASCII needs decoding")
        #expect(m.decodedText(of: part) == "发票")
        (m, part) = first("Content-Type: text/plain; charset=ISO-2022-JP\n\n\u{1B}$B$3\u{1B}(B\n")
        #expect(m.asciiText(of: part) == nil, "ISO-2022-JP spells other characters in ASCII octets")
        (m, part) = first("Content-Type: text/plain; charset=utf-7\n\n+ZeVnLGqe-\n")
        #expect(m.asciiText(of: part) == nil)
        (m, part) = first("Content-Type: application/octet-stream\n\nabc\n")
        #expect(m.asciiText(of: part) == nil, "not text")
        #expect(Charset.keepsASCII(nil) && Charset.keepsASCII(" \"US-ASCII\" ") && Charset.keepsASCII("windows-1252") && Charset.keepsASCII("GB18030"))
        #expect(!Charset.keepsASCII("shift_jis") && !Charset.keepsASCII("hz-gb-2312") && !Charset.keepsASCII("x-unknown"))
    }

    @Test("the same message with CRLF has the same sizes")
    func crlfSizes() {
        let lf = MIMEMessage.parse(bytes(Self.multipart))
        let cr = MIMEMessage.parse(crlf(Self.multipart))
        #expect(lf.parts.count == cr.parts.count)
        for (a, b) in zip(lf.parts, cr.parts) {
            #expect(a.bodyOctets == b.bodyOctets)
            #expect(a.headerOctets == b.headerOctets)
            #expect(a.bodyLines == b.bodyLines)
            #expect(b.bodyOctets == b.bodyRange.count)
        }
        #expect(lf.consistencyProblems().isEmpty)
        #expect(cr.consistencyProblems().isEmpty)
    }

    @Test("multipart with nested message/rfc822 and alternative: tree, fields, ranges")
    func nested() throws {
        let data = crlf(Self.multipart)
        let m = MIMEMessage.parse(data)
        #expect(m.outline() == [" multipart/mixed(2)", "1 text/plain", "2 message/rfc822", "2/ multipart/alternative(2)",
                                "2/.1 text/plain", "2/.2 text/html"])
        let one = try #require(m.part(at: [1]))
        #expect(text(m.body(of: one)) == "part one")         // the CRLF before the delimiter is not in it
        #expect(one.contentID == bytes("<p1@x>"))
        #expect(one.contentDescription == bytes("first"))
        #expect(one.contentType.charset == "utf-8")
        #expect(one.role == .bodyPart)
        let two = try #require(m.part(at: [2]))
        #expect(two.contentDisposition?.type == "attachment")
        #expect(two.contentDisposition?.filename == "inner.eml")
        let inner = try #require(m.message(at: [2]))
        #expect(inner.role == .message)
        #expect(inner.header.first("Subject").map { text($0.unfoldedValue) } == "inner")
        let html = try #require(m.part(at: [2, 2]))
        #expect(html.contentTransferEncoding == .base64)
        #expect(m.decodedText(of: html) == "<b>hi</b>")
        #expect(text(m.body(of: try #require(m.part(at: [2, 1])))) == "inner text")
        // Preamble and epilogue belong to no part but are in the multipart's body.
        #expect(text(m.body(of: m.root)).hasPrefix("preamble\r\n--XYZ\r\n"))
        #expect(text(m.body(of: m.root)).hasSuffix("--XYZ--\r\nepilogue\r\n"))
        #expect(m.consistencyProblems().isEmpty)
    }

    @Test("boundary lines: trailing whitespace and text, first line of the body, longest match wins")
    func boundaries() {
        let data = bytes("Content-Type: multipart/mixed; boundary=b\n\n--b  \nX: 1\n\none\n--b trailing junk\n\ntwo\n--b--")
        let m = MIMEMessage.parse(data)
        #expect(m.root.children.count == 2)
        #expect(text(m.body(of: m.parts[1])) == "one")
        #expect(text(m.body(of: m.parts[2])) == "two")
        // Inner boundary "b-inner" starts with the outer "b": the longer one is meant.
        let nested = bytes("""
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: multipart/alternative; boundary=b-inner

            --b-inner

            x
            --b-inner

            y
            --b-inner--
            --b

            z
            --b--
            """)
        let n = MIMEMessage.parse(nested)
        #expect(n.outline() == [" multipart/mixed(2)", "1 multipart/alternative(2)", "1.1 text/plain", "1.2 text/plain", "2 text/plain"])
        #expect(n.consistencyProblems().isEmpty)
    }

    @Test("an outer delimiter ends unterminated inner parts; missing close delimiter ends at the end")
    func unterminated() {
        let data = bytes("""
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/mixed; boundary=inner

            --inner

            never closed
            --outer

            last
            """)
        let m = MIMEMessage.parse(data)
        #expect(m.outline() == [" multipart/mixed(2)", "1 multipart/mixed(1)", "1.1 text/plain", "2 text/plain"])
        #expect(text(m.body(of: m.part(at: [1, 1])!)) == "never closed")
        #expect(text(m.body(of: m.part(at: [2])!)) == "last")
        #expect(m.consistencyProblems().isEmpty)
    }

    @Test("multipart without boundary is one text part; boundary that never appears gives no children (Dovecot)")
    func missingBoundary() {
        let none = MIMEMessage.parse(bytes("Content-Type: multipart/mixed\n\n--x\n\nbody\n"))
        #expect(none.parts.count == 1)
        #expect(none.root.structure == .single)
        #expect(none.root.contentType.mediaType == "text/plain")
        #expect(none.root.declaredContentType?.mediaType == "multipart/mixed")
        #expect(none.decodedText(of: none.root) == "--x\n\nbody\n")

        let never = MIMEMessage.parse(bytes("Content-Type: multipart/mixed; boundary=nope\n\n--x\n\nbody\n"))
        #expect(never.root.isMultipart)
        #expect(never.root.children.isEmpty)
        #expect(never.part(at: [1]) == nil)
        #expect(never.root.bodyRange.count == 10)   // "--x\n\nbody\n"
    }

    @Test("multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5)")
    func digest() throws {
        let data = bytes("""
            Content-Type: multipart/digest; boundary=d

            --d

            Subject: first

            one
            --d
            Content-Type: text/plain

            not a message
            --d--
            """)
        let m = MIMEMessage.parse(data)
        #expect(m.outline() == [" multipart/digest(2)", "1 message/rfc822", "1/ text/plain", "2 text/plain"])
        let first = try #require(m.message(at: [1]))
        #expect(first.header.first("subject") != nil)
        #expect(text(m.body(of: first)) == "one")
    }

    @Test("a boundary inside a part header ends the header; the line end before it is the delimiter's")
    func boundaryInHeader() throws {
        let data = bytes("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b\n\nsecond\n--b--\n")
        let m = MIMEMessage.parse(data)
        #expect(m.root.children.count == 2)
        let first = try #require(m.part(at: [1]))
        #expect(text(m.slice(first.headerRange)) == "Content-Type: text/html")
        #expect(first.contentType.mediaType == "text/html")
        #expect(first.bodyRange.isEmpty)
        #expect(!first.header.hasEmptyLine)
        #expect(m.consistencyProblems().isEmpty)
    }

    @Test("a message/rfc822 part whose body is empty still has its (empty) message")
    func emptyRFC822() throws {
        let m = MIMEMessage.parse(bytes("Content-Type: message/rfc822\n\n"))
        let inner = try #require(m.message(at: [1]))
        #expect(inner.headerRange.isEmpty)
        #expect(inner.bodyRange.isEmpty)
        #expect(m.consistencyProblems().isEmpty)
    }

    @Test("decodedText: quoted-printable latin-1, base64 GBK with 发票, us-ascii label over UTF-8, non-text nil")
    func decodedText() throws {
        let qp = MIMEMessage.parse(bytes("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nau lait"))
        #expect(qp.decodedText(of: qp.root) == "café au lait")

        let gbk = MIMEMessage.parse(bytes("Content-Type: text/plain; charset=\"gbk\"\nContent-Transfer-Encoding: base64\n\nxPq6w6OsuL28/srHt6LGsaGjDQo=\n"))
        let t = try #require(gbk.decodedText(of: gbk.root))
        #expect(t == "您好，附件是发票。\r\n")
        #expect(t.contains("发票"))

        let mislabelled = MIMEMessage.parse(bytes("Content-Type: text/plain\n\nnaïve"))
        #expect(mislabelled.decodedText(of: mislabelled.root) == "naïve")

        let jis = MIMEMessage.parse(bytes("Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: base64\n\nGyRCQEE1YT1xGyhC\n"))
        #expect(jis.decodedText(of: jis.root) == "請求書")

        let bin = MIMEMessage.parse(bytes("Content-Type: application/pdf\n\n%PDF"))
        #expect(bin.decodedText(of: bin.root) == nil)
        #expect(bin.decodedBody(of: bin.root) == bytes("%PDF"))
    }

    /// Bodies made with Python's codecs: (charset label, base64 of the encoded text, text).
    static let cjkBodies: [(String, String, String)] = [
        ("gbk", "xPq6w6OsuL28/srHt6LGsaGj", "您好，附件是发票。"),
        ("gb18030", "t6LGsZUygjY=", "发票𠀀"),
        ("big5", "sXqmbqFBqv6l86xPtW+yvKFD", "您好，附件是發票。"),
        ("iso-2022-jp", "GyRCQEE1YT1xJHIkKkF3JGokNyReJDkhIxsoQg==", "請求書をお送りします。"),
        ("euc-kr", "w7uxuLytuKYgurizu7XluLO0z7TZLg==", "청구서를 보내드립니다."),
        ("shift_jis", "kL+LgY+RgvCCqJGXguiCtYLcgreBQg==", "請求書をお送りします。"),
        ("ks_c_5601-1987", "w7uxuLyt", "청구서"),
        ("gb2312", "1PbWtcuwt6LGsQ==", "增值税发票"),
    ]

    @Test("CJK base64 bodies decode to the expected text", arguments: cjkBodies.indices)
    func cjkBody(_ i: Int) {
        let (charset, encoded, expected) = Self.cjkBodies[i]
        // As a body part of a multipart, with the base64 split over lines.
        let split = encoded.enumerated().map { $0.offset > 0 && $0.offset % 8 == 0 ? "\n\($0.element)" : "\($0.element)" }.joined()
        let data = crlf("""
            Content-Type: multipart/mixed; boundary=cjk

            --cjk
            Content-Type: text/plain; charset="\(charset)"
            Content-Transfer-Encoding: base64

            \(split)
            --cjk--
            """)
        let m = MIMEMessage.parse(data)
        guard let part = m.part(at: [1]) else { Issue.record("no part 1"); return }
        #expect(m.decodedText(of: part) == expected, "\(charset)")
    }

    @Test("Content-Language, Content-Location, Content-MD5 and RFC 2231 parameters on parts")
    func moreFields() {
        let m = MIMEMessage.parse(bytes("Content-Type: text/plain; name*=utf-8''%E5%8F%91\nContent-Language: en, (comment) de-CH\nContent-Location: http://x/y\nContent-MD5: Q2hlY2s=\n\n"))
        #expect(m.root.contentLanguage == ["en", "de-CH"])
        #expect(m.root.contentLocation == bytes("http://x/y"))
        #expect(m.root.contentMD5 == bytes("Q2hlY2s="))
        #expect(m.root.contentType.parameters.value(of: "name") == "发")
    }

    @Test("empty input and header-only input")
    func degenerate() {
        let empty = MIMEMessage.parse([])
        #expect(empty.parts.count == 1)
        #expect(empty.root.range == 0..<0)
        let headerOnly = MIMEMessage.parse(bytes("Subject: no body"))
        #expect(headerOnly.root.headerRange == 0..<16)
        #expect(headerOnly.root.bodyRange == 16..<16)
        #expect(headerOnly.root.header.fields.count == 1)
    }
}
