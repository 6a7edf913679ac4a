// EncodeBufferTests.swift — Grammar/IMAPEncodeBuffer.swift: when a string is an atom, quoted or
// a literal; NUL, CR and LF never reach the wire unframed; UTF-8 only when enabled.

@testable import MailroomIMAP
import Testing

@Suite("Grammar: string encoding")
struct EncodeBufferTests {
    func encoded(_ options: IMAPEncodingOptions = IMAPEncodingOptions(), _ write: (inout IMAPEncodeBuffer) -> Void) -> String {
        var buffer = IMAPEncodeBuffer(options: options)
        write(&buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test("strings: quoted with escapes, literal for line breaks, 8-bit and long text")
    func strings() {
        #expect(encoded { $0.writeString(Array("hello".utf8)) } == "\"hello\"")
        #expect(encoded { $0.writeString(Array("a\"b\\c".utf8)) } == "\"a\\\"b\\\\c\"")
        #expect(encoded { $0.writeString(Array("a\r\nb".utf8)) } == "{4}\r\na\r\nb")
        #expect(encoded { $0.writeString(Array("grüße".utf8)) } == "{7}\r\ngrüße")
        #expect(encoded(IMAPEncodingOptions(allowUTF8Quoted: true)) { $0.writeString(Array("grüße".utf8)) } == "\"grüße\"")
        #expect(encoded(IMAPEncodingOptions(allowUTF8Quoted: true)) { $0.writeString([0x61, 0xFF]) } == "{2}\r\na\u{FFFD}",
                "invalid UTF-8 is a literal even when UTF-8 is on")
        #expect(encoded { $0.writeString(Array(String(repeating: "x", count: 1025).utf8)) }.hasPrefix("{1025}\r\n"))
        #expect(encoded { $0.writeString([0x61, 0x00, 0x62]) } == "\"ab\"", "NUL is dropped from strings")
        #expect(encoded { $0.writeString([]) } == "\"\"")
    }

    @Test("astrings: atoms when possible, NIL quoted")
    func astrings() {
        #expect(encoded { $0.writeAString(Array("INBOX".utf8)) } == "INBOX")
        #expect(encoded { $0.writeAString(Array("a]b".utf8)) } == "a]b")
        #expect(encoded { $0.writeAString(Array("nil".utf8)) } == "\"nil\"")
        #expect(encoded { $0.writeAString(Array("a b".utf8)) } == "\"a b\"")
        #expect(encoded { $0.writeAString(Array("50%".utf8)) } == "\"50%\"")
        #expect(encoded { $0.writeNString(nil) } == "NIL")
    }

    @Test("literal headers: synchronizing, LITERAL+ and literal8")
    func literals() {
        #expect(encoded { $0.writeLiteral(Array("abc".utf8)) } == "{3}\r\nabc")
        #expect(encoded(IMAPEncodingOptions(nonSynchronizingLiterals: true)) { $0.writeLiteral(Array("abc".utf8)) } == "{3+}\r\nabc")
        #expect(encoded { $0.writeLiteralHeader(count: 10, binary: true) } == "~{10}\r\n")
    }

    @Test("text: line breaks and NUL become spaces, 8-bit becomes '?' unless UTF-8 is on")
    func text() {
        #expect(encoded { $0.writeText("a\r\n* OK b\u{0}c") } == "a  * OK b c")
        #expect(encoded { $0.writeText("é") } == "??")
        #expect(encoded(IMAPEncodingOptions(allowUTF8Quoted: true)) { $0.writeText("é") } == "é")
    }
}
