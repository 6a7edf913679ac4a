// TransferDecodingTests — tests for Transfer/TransferDecoding.swift: tolerant base64,
// quoted-printable with soft breaks and broken escapes, the Q encoding, CTE names.

@testable import MailroomMIME
import Testing

@Suite("Transfer decodings")
struct TransferDecodingTests {
    @Test("base64: line breaks, whitespace and garbage ignored (RFC 2045 §6.8)")
    func base64Tolerant() {
        #expect(text(TransferDecoding.base64(bytes("SGVs\r\nbG8g\n  d29y bGQ=\r\n"))) == "Hello world")
        #expect(text(TransferDecoding.base64(bytes("SGVs*bG8!"))) == "Hello")
        #expect(TransferDecoding.base64(bytes("")) == [])
    }

    @Test("base64: missing padding, glued padded chunks, a lone last character")
    func base64Padding() {
        #expect(text(TransferDecoding.base64(bytes("SGk"))) == "Hi")
        #expect(text(TransferDecoding.base64(bytes("SA"))) == "H")
        #expect(text(TransferDecoding.base64(bytes("SA==SA=="))) == "HH")
        #expect(text(TransferDecoding.base64(bytes("SGVsbG8gd"))) == "Hello ")
        #expect(TransferDecoding.base64(bytes("AA==")) == [0])
    }

    @Test("quoted-printable: escapes in either case, soft breaks, transport padding (RFC 2045 §6.7)")
    func quotedPrintable() {
        #expect(text(TransferDecoding.quotedPrintable(bytes("caf=C3=a9"))) == "café")
        #expect(text(TransferDecoding.quotedPrintable(bytes("long=\r\nline=\nend"))) == "longlineend")
        #expect(text(TransferDecoding.quotedPrintable(bytes("soft= \t\r\nbreak"))) == "softbreak")
        #expect(text(TransferDecoding.quotedPrintable(bytes("pad   \r\nnext\t\n"))) == "pad\r\nnext\n")
        #expect(text(TransferDecoding.quotedPrintable(bytes("a b"))) == "a b")
        #expect(text(TransferDecoding.quotedPrintable(bytes("end="))) == "end")
    }

    @Test("quoted-printable: broken escapes are kept as written")
    func quotedPrintableBroken() {
        #expect(text(TransferDecoding.quotedPrintable(bytes("1=2 and =ZZ and =4"))) == "1=2 and =ZZ and =4")
        #expect(text(TransferDecoding.quotedPrintable(bytes("=E9t=E"))) == "\u{FFFD}t=E")
        #expect(TransferDecoding.quotedPrintable(bytes("=E9")) == [0xE9])
    }

    @Test("Q encoding: underscore is space (RFC 2047 §4.2)")
    func qEncoding() {
        #expect(text(TransferDecoding.qEncoding(bytes("a_b=3Dc=3d"))) == "a b=c=")
        #expect(text(TransferDecoding.qEncoding(bytes("x=4"))) == "x=4")
    }

    @Test("Content-Transfer-Encoding values, case and comments ignored")
    func names() {
        #expect(ContentTransferEncoding(headerValue: bytes(" BASE64 ")) == .base64)
        #expect(ContentTransferEncoding(headerValue: bytes("Quoted-Printable (comment)")) == .quotedPrintable)
        #expect(ContentTransferEncoding(headerValue: bytes("")) == .sevenBit)
        #expect(ContentTransferEncoding(headerValue: bytes("8Bit")) == .eightBit)
        #expect(ContentTransferEncoding(headerValue: bytes("x-uuencode")) == .other("x-uuencode"))
        #expect(ContentTransferEncoding.quotedPrintable.name == "quoted-printable")
        #expect(TransferDecoding.decode(bytes("=41"), encoding: .eightBit) == bytes("=41"))
    }
}
