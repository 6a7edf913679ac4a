// HeaderFieldFilterTests.swift — tests for Fetch/HeaderFieldFilter.swift through
// BODY[HEADER.FIELDS (...)] and BODY[HEADER.FIELDS.NOT (...)]: names compared ASCII-case-
// insensitively, fields in their stored order with their folded lines, repeated fields, no
// match, a header without its empty line, a last field without a line end, lines that are not
// fields, WSP before the colon, and more fields than MIMELimits keeps.

@testable import MailroomIMAP
import MailroomMIME
import Testing

@Suite("Fetch: HEADER.FIELDS and HEADER.FIELDS.NOT")
struct HeaderFieldFilterTests {
    typealias F = FetchFixtures

    static let message = MIMEMessage.parse(F.bytes("""
    Received: from a
    \tby b
    Subject: hello
    received: from c
    X-Empty:
    Subject : spaced
    From: x@example.org

    body

    """))

    static func fields(_ names: [String], not: Bool = false, _ message: MIMEMessage = message) -> String {
        let spec = SectionSpecifier(kind: not ? .headerFieldsNot(names) : .headerFields(names))
        return String(decoding: FetchContent.section(message, spec)!, as: UTF8.self)
    }

    @Test("fields in stored order, folded lines kept, names matched case-insensitively")
    func selected() {
        #expect(Self.fields(["RECEIVED"]) == "Received: from a\r\n\tby b\r\nreceived: from c\r\n\r\n")
        #expect(Self.fields(["from", "Received"]) == "Received: from a\r\n\tby b\r\nreceived: from c\r\nFrom: x@example.org\r\n\r\n")
        #expect(Self.fields(["SUBJECT", "SUBJECT"]) == "Subject: hello\r\nSubject : spaced\r\n\r\n")
        #expect(Self.fields(["X-EMPTY"]) == "X-Empty:\r\n\r\n")
    }

    @Test("HEADER.FIELDS.NOT keeps the rest in order")
    func notSelected() {
        #expect(Self.fields(["RECEIVED", "SUBJECT"], not: true) == "X-Empty:\r\nFrom: x@example.org\r\n\r\n")
        #expect(Self.fields(["NOTHERE"], not: true) == "Received: from a\r\n\tby b\r\nSubject: hello\r\nreceived: from c\r\nX-Empty:\r\nSubject : spaced\r\nFrom: x@example.org\r\n\r\n")
    }

    @Test("no matching field gives the empty line alone")
    func noMatch() {
        #expect(Self.fields(["XYZ"]) == "\r\n")
        #expect(Self.fields(["RECEIVED", "SUBJECT", "X-EMPTY", "FROM"], not: true) == "\r\n")
    }

    @Test("a header without an empty line, and a last field without a line end, still end in CRLF CRLF")
    func unterminated() {
        let message = MIMEMessage.parse(F.bytes("A: 1\nB: 2"))
        #expect(Self.fields(["B"], message) == "B: 2\r\n\r\n")
        #expect(Self.fields(["B"], not: true, message) == "A: 1\r\n\r\n")
    }

    @Test("lines that are not fields: HEADER.FIELDS.NOT keeps them, HEADER.FIELDS drops them")
    func notFields() {
        let message = MIMEMessage.parse(F.bytes(" leading continuation\nno colon here\nBad Name: x\nA: 1\n\nbody\n"))
        #expect(Self.fields(["A", "BAD NAME"], message) == "A: 1\r\n\r\n")
        #expect(Self.fields(["A"], not: true, message) == " leading continuation\r\nno colon here\r\nBad Name: x\r\n\r\n")
    }

    @Test("fields past MIMELimits.maxHeaderFields are still looked at")
    func pastFieldLimit() {
        let bytes = F.bytes("A: 1\nB: 2\nC: 3\nD: 4\n\nbody\n")
        let message = MIMEMessage.parse(bytes, limits: MIMELimits(maxHeaderFields: 2))
        #expect(Self.fields(["D"], message) == "D: 4\r\n\r\n")
        #expect(Self.fields(["D", "A"], not: true, message) == "B: 2\r\nC: 3\r\n\r\n")
    }

    @Test("the filter returns pieces of the stored message, consecutive fields merged")
    func pieces() {
        let bytes = F.bytes("A: 1\nB: 2\nC: 3\n\n")
        let octets = HeaderFieldFilter.select(bytes, header: 0..<bytes.count, names: ["A", "B"], exclude: false)
        #expect(octets.pieces == [.stored(0..<10), .octets([0x0D, 0x0A])])
        #expect(octets.count(in: bytes) == 14)
        let noEmpty = HeaderFieldFilter.select(bytes, header: 0..<bytes.count, names: ["B"], exclude: true, emptyLine: false)
        #expect(noEmpty.pieces == [.stored(0..<5), .stored(10..<15)])
    }
}
