// BinaryConversionTests.swift — tests for Fetch/BinaryConversion.swift through FetchContent's
// BINARY, BINARY.PEEK and BINARY.SIZE: base64, quoted-printable and 8bit leaves; containers
// with their decoded leaves' headers rewritten (as Dovecot); BINARY[] of the whole message;
// literal8 for NUL; partials of decoded data; an unknown transfer encoding (NO [UNKNOWN-CTE]);
// parts that do not exist.

import MailroomIMAP
import MailroomMIME
import Testing

@Suite("Fetch: BINARY[part] content")
struct BinaryConversionTests {
    typealias F = FetchFixtures

    static let nested = MIMEMessage.parse(F.nestedLF)
    static let cafe: [UInt8] = [0x63, 0x61, 0x66, 0xC3, 0xA9, 0x20, 0x6F, 0x6B]   // "café ok"

    @Test("a quoted-printable leaf is decoded (soft line break, =XX octets)")
    func quotedPrintable() throws {
        let content = try FetchContent.binary(Self.nested, part: [1, 1])
        #expect(content == BinaryContent(data: Self.cafe, needsLiteral8: false))
        #expect(try FetchContent.binarySize(Self.nested, part: [1, 1]) == 8)
    }

    @Test("a base64 leaf is decoded; NUL in it asks for literal8")
    func base64() throws {
        let content = try FetchContent.binary(Self.nested, part: [2, 2])
        #expect(content == BinaryContent(data: [0x00, 0x01, 0x02, 0xFF], needsLiteral8: true))
        #expect(try FetchContent.binarySize(Self.nested, part: [2, 2]) == 4)
        var buffer = IMAPEncodeBuffer()
        FetchResponseItem.binary(part: [2, 2], origin: nil, data: content.data).write(to: &buffer)
        #expect(buffer.bytes == F.bytes("BINARY[2.2] ~{4}\r\n") + [0x00, 0x01, 0x02, 0xFF])
    }

    @Test("7bit and 8bit leaves are sent as stored, bare LF made CRLF")
    func identity() throws {
        #expect(try FetchContent.binary(Self.nested, part: [1, 2]).data == F.bytes("<p>hi</p>"))
        let eight = MIMEMessage.parse(F.bytes("Content-Transfer-Encoding: 8bit\n\ncaf\u{E9}\nline\n"))
        #expect(try FetchContent.binary(eight, part: [1]).data == F.bytes("caf\u{E9}\r\nline\r\n"))
        #expect(try FetchContent.binarySize(eight, part: [1]) == UInt64(F.bytes("caf\u{E9}\r\nline\r\n").count))
        let binary = MIMEMessage.parse(F.bytes("Content-Transfer-Encoding: binary\n\nab\n"))
        #expect(try FetchContent.binary(binary, part: [1]).data == F.bytes("ab\r\n"))
    }

    @Test("quoted-printable hard line breaks come out as CRLF from LF and from CRLF storage")
    func quotedPrintableLineEnds() throws {
        let lf = F.bytes("Content-Transfer-Encoding: quoted-printable\n\na=3Db  \nc=\nd\n")
        for stored in [lf, F.crlf(lf)] {
            let message = MIMEMessage.parse(stored)
            #expect(try FetchContent.binary(message, part: [1]).data == F.bytes("a=b\r\ncd\r\n"))
        }
    }

    @Test("a message/rfc822 part: the enclosed message, its base64 leaf decoded and relabelled binary")
    func messagePart() throws {
        let want = F.bytes(FetchContentTests.innerHeader
                           + "--in\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--in\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
            + [0x00, 0x01, 0x02, 0xFF] + F.bytes("\r\n--in--")
        let content = try FetchContent.binary(Self.nested, part: [2])
        #expect(content == BinaryContent(data: want, needsLiteral8: true))
        #expect(try FetchContent.binarySize(Self.nested, part: [2]) == UInt64(want.count))
    }

    @Test("a multipart part: its leaves decoded, the Content-Transfer-Encoding field replaced at the header's end")
    func multipartPart() throws {
        let want = F.bytes("--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: binary\r\n\r\n")
            + Self.cafe + F.bytes("\r\n--alt\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--alt--")
        #expect(try FetchContent.binary(Self.nested, part: [1]).data == want)
        #expect(try FetchContent.binarySize(Self.nested, part: [1]) == UInt64(want.count))
    }

    @Test("BINARY[] is the whole message with every encoded leaf decoded")
    func wholeMessage() throws {
        let whole = F.nestedCRLF
        let content = try FetchContent.binary(Self.nested, part: [])
        var want = String(decoding: whole, as: UTF8.self)
        want = want.replacingOccurrences(
            of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nok",
            with: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: binary\r\n\r\ncafé ok")
        let parts = want.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\nAAEC/w==")
        try #require(parts.count == 2)
        let wantBytes = F.bytes(parts[0]) + F.bytes("Content-Transfer-Encoding: binary\r\n\r\n") + [0x00, 0x01, 0x02, 0xFF] + F.bytes(parts[1])
        #expect(content.data == wantBytes)
        #expect(content.needsLiteral8)
        #expect(try FetchContent.binarySize(Self.nested, part: []) == UInt64(wantBytes.count))
    }

    @Test("BINARY[] of a single-part base64 message rewrites the message header")
    func singlePartBase64Message() throws {
        let message = MIMEMessage.parse(F.bytes("Subject: s\nContent-Transfer-Encoding: BASE64\nX-After: a\n\naGk=\n"))
        #expect(try FetchContent.binary(message, part: []).data
                == F.bytes("Subject: s\r\nX-After: a\r\nContent-Transfer-Encoding: binary\r\n\r\nhi"))
        #expect(try FetchContent.binary(message, part: [1]).data == F.bytes("hi"))
    }

    @Test("partials slice the decoded data")
    func partials() throws {
        func fetch(_ origin: UInt32, _ length: UInt32) throws -> [UInt8] {
            try FetchContent.binary(Self.nested, part: [1, 1], partial: Partial(origin: origin, length: length)).data
        }
        #expect(try fetch(0, 3) == Array(Self.cafe[0..<3]))
        #expect(try fetch(3, 2) == [0xC3, 0xA9])
        #expect(try fetch(7, 10) == [0x6B])
        #expect(try fetch(8, 1) == [])
        #expect(try fetch(.max, .max) == [])
        let nul = try FetchContent.binary(Self.nested, part: [2, 2], partial: Partial(origin: 1, length: 3))
        #expect(nul == BinaryContent(data: [0x01, 0x02, 0xFF], needsLiteral8: false))
    }

    @Test("an unknown transfer encoding is UNKNOWN-CTE, also inside a container")
    func unknownEncoding() throws {
        let message = MIMEMessage.parse(F.bytes("""
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Transfer-Encoding: x-uuencode

        begin 644 x
        --b
        Content-Type: text/plain

        fine
        --b--

        """))
        #expect(throws: FetchContentError.unknownTransferEncoding("x-uuencode")) {
            try FetchContent.binary(message, part: [1])
        }
        #expect(throws: FetchContentError.unknownTransferEncoding("x-uuencode")) {
            try FetchContent.binarySize(message, part: [])
        }
        #expect(FetchContentError.unknownTransferEncoding("x").responseCode == .unknownCTE)
        #expect(try FetchContent.binary(message, part: [2]).data == F.bytes("fine"))
        #expect(throws: FetchContentError.unknownTransferEncoding("x-uuencode")) {
            try FetchContent.responseItem(for: .binary(part: [1], partial: nil, peek: true), of: message)
        }
    }

    @Test("a part that does not exist is empty, size 0")
    func missingPart() throws {
        for part: [UInt32] in [[3], [2, 3], [1, 1, 1], [0]] {
            #expect(try FetchContent.binary(Self.nested, part: part) == BinaryContent(data: [], needsLiteral8: false), "\(part)")
            #expect(try FetchContent.binarySize(Self.nested, part: part) == 0, "\(part)")
        }
    }

    @Test("response items for BINARY and BINARY.SIZE")
    func responseItems() throws {
        let partial = FetchAttribute.binary(part: [1, 1], partial: Partial(origin: 5, length: 3), peek: true)
        #expect(try FetchContent.responseItem(for: partial, of: Self.nested)
                == .binary(part: [1, 1], origin: 5, data: [0x20, 0x6F, 0x6B]))
        #expect(try FetchContent.responseItem(for: .binarySize(part: [2, 2]), of: Self.nested) == .binarySize(part: [2, 2], 4))
    }
}
