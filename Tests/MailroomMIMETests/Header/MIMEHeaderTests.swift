// MIMEHeaderTests — tests for Header/MIMEHeader.swift and Header/HeaderField.swift: where a
// header ends, field splitting with folding, obsolete and broken syntax, lookup.

@testable import MailroomMIME
import Testing

@Suite("Header fields")
struct MIMEHeaderTests {
    @Test("fields, folding kept in the raw value and removed in the unfolded one (RFC 5322 §2.2.3)")
    func folding() {
        let data = crlf("Subject: Hello\n  world\nFrom: a@b\n\nbody\n")
        let header = MIMEHeader.parse(data)
        #expect(header.hasEmptyLine)
        #expect(header.fields.map(\.name) == ["Subject", "From"])
        #expect(text(header.fields[0].rawValue) == " Hello\r\n  world")
        #expect(text(header.fields[0].unfoldedValue) == "Hello  world")
        #expect(header.range == 0..<(data.count - 6))
        #expect(text(data[header.bodyStart...]) == "body\r\n")
        #expect(text(data[header.fields[1].range]) == "From: a@b\r\n")
    }

    @Test("LF line ends, case-insensitive lookup of first and all")
    func lookup() {
        let header = MIMEHeader.parse(bytes("Received: one\nreceived: two\nTO: x@y\n\n"))
        #expect(header.all("RECEIVED").map { text($0.unfoldedValue) } == ["one", "two"])
        #expect(header.first("received").map { text($0.unfoldedValue) } == "one")
        #expect(header.first("to")?.name == "TO")
        #expect(header.first("Cc") == nil)
    }

    @Test("no empty line: everything is header")
    func allHeader() {
        let data = bytes("A: 1\nB: 2")
        let header = MIMEHeader.parse(data)
        #expect(!header.hasEmptyLine)
        #expect(header.range == 0..<data.count)
        #expect(header.fields.map { text($0.unfoldedValue) } == ["1", "2"])
    }

    @Test("obs syntax: WSP before the colon; lines without a colon and mbox From lines are skipped")
    func obsoleteAndBroken() {
        let data = bytes("From sender Mon Jan  1 00:00:00 2001\nSubject : hi\nthis is not a field\n  folded junk\n: no name\nX-A:b\n\n")
        let header = MIMEHeader.parse(data)
        #expect(header.fields.map(\.name) == ["Subject", "X-A"])
        #expect(text(header.fields[0].unfoldedValue) == "hi")
        #expect(text(header.fields[1].unfoldedValue) == "b")
    }

    @Test("a continuation before any field is skipped; bare CR and 8-bit octets are kept")
    func bareCRAndEightBit() {
        let data: [UInt8] = bytes("  stray\nSubject: a\rb ") + [0xE9, 0xFF] + bytes("\n\n")
        let header = MIMEHeader.parse(data)
        #expect(header.fields.count == 1)
        #expect(header.fields[0].unfoldedValue == bytes("a\rb ") + [0xE9, 0xFF])
    }

    @Test("an empty header: the message starts with the empty line")
    func emptyHeader() {
        let header = MIMEHeader.parse(bytes("\r\nbody"))
        #expect(header.fields.isEmpty)
        #expect(header.range == 0..<2)
        #expect(header.hasEmptyLine)
    }

    @Test("the field limit keeps the first fields and still finds the end")
    func fieldLimit() {
        var s = ""
        for i in 0..<50 { s += "X-\(i): v\n" }
        let data = bytes(s + "\nbody")
        let header = MIMEHeader.parse(data, maxFields: 10)
        #expect(header.fields.count == 10)
        #expect(header.fields.last?.name == "X-9")
        #expect(text(data[header.bodyStart...]) == "body")
    }

    @Test("parsing a slice keeps indices of the whole buffer")
    func slice() {
        let data = bytes("junk\nA: 1\n\nrest")
        let header = MIMEHeader.parse(data[5...])
        #expect(header.range == 5..<11)
        #expect(header.fields[0].range == 5..<10)
        #expect(header.fields[0].rawValue.startIndex == 7)
    }
}
