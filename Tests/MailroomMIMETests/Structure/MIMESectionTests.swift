// MIMESectionTests — tests for Structure/MIMEMessage+Section.swift: IMAP section numbers
// (RFC 3501 §6.4.5) resolved to parts and byte ranges, with the RFC's own example.

@testable import MailroomMIME
import Testing

@Suite("IMAP sections")
struct MIMESectionTests {
    /// The structure of RFC 3501 §6.4.5's example message.
    static let example = """
        Subject: example
        Content-Type: MULTIPART/MIXED; boundary=top

        --top
        Content-Type: TEXT/PLAIN

        one
        --top
        Content-Type: APPLICATION/OCTET-STREAM

        two
        --top
        Content-Type: MESSAGE/RFC822

        Subject: three
        Content-Type: MULTIPART/MIXED; boundary=m3

        --m3
        Content-Type: TEXT/PLAIN

        3.1
        --m3
        Content-Type: APPLICATION/OCTET-STREAM

        3.2
        --m3--
        --top
        Content-Type: MULTIPART/MIXED; boundary=m4

        --m4
        Content-Type: IMAGE/GIF

        4.1
        --m4
        Content-Type: MESSAGE/RFC822

        Subject: four-two
        Content-Type: MULTIPART/MIXED; boundary=m42

        --m42
        Content-Type: TEXT/PLAIN

        4.2.1
        --m42
        Content-Type: MULTIPART/ALTERNATIVE; boundary=m422

        --m422
        Content-Type: TEXT/PLAIN

        4.2.2.1
        --m422
        Content-Type: TEXT/RICHTEXT

        4.2.2.2
        --m422--
        --m42--
        --m4--
        --top--

        """

    @Test("RFC 3501 §6.4.5 example: every section number reaches its part")
    func example() throws {
        let m = MIMEMessage.parse(crlf(Self.example))
        #expect(m.consistencyProblems().isEmpty)
        func body(_ s: [Int]) -> String? { m.range(of: s).map { text(m.slice($0)) } }
        #expect(body([1]) == "one")
        #expect(body([2]) == "two")
        #expect(body([3, 1]) == "3.1")
        #expect(body([3, 2]) == "3.2")
        #expect(body([4, 1]) == "4.1")
        #expect(body([4, 2, 1]) == "4.2.1")
        #expect(body([4, 2, 2, 1]) == "4.2.2.1")
        #expect(body([4, 2, 2, 2]) == "4.2.2.2")
        #expect(m.part(at: [4, 2, 2])?.contentType.mediaType == "multipart/alternative")
        #expect(m.part(at: [5]) == nil)
        #expect(m.part(at: [1, 1]) == nil)
        #expect(m.part(at: [0]) == nil)
        #expect(m.part(at: [4, 2, 3]) == nil)
    }

    @Test("HEADER, TEXT and MIME specifiers")
    func specifiers() throws {
        let data = crlf(Self.example)
        let m = MIMEMessage.parse(data)
        func slice(_ s: [Int], _ t: SectionText?) -> String? { m.range(of: s, t).map { text(m.slice($0)) } }
        #expect(m.range(of: []) == 0..<data.count)
        #expect(slice([], .header)?.hasPrefix("Subject: example\r\n") == true)
        #expect(slice([], .header)?.hasSuffix("boundary=top\r\n\r\n") == true)
        #expect(slice([3], .header) == "Subject: three\r\nContent-Type: MULTIPART/MIXED; boundary=m3\r\n\r\n")
        #expect(slice([3], .text)?.hasPrefix("--m3\r\n") == true)
        #expect(slice([4, 2], .header)?.hasPrefix("Subject: four-two") == true)
        #expect(slice([1], .mime) == "Content-Type: TEXT/PLAIN\r\n\r\n")
        #expect(slice([4, 2, 2, 1], .mime) == "Content-Type: TEXT/PLAIN\r\n\r\n")
        #expect(m.range(of: [1], .header) == nil)      // not a message/rfc822 part
        #expect(m.range(of: [], .mime) == nil)
        // BODY[3] of a message/rfc822 part is the whole encapsulated message.
        #expect(slice([3], nil)?.hasPrefix("Subject: three") == true)
    }

    @Test("a single-part message has only part 1, which is its body; 1.MIME is its header")
    func singlePart() {
        let data = bytes("Subject: s\n\nbody")
        let m = MIMEMessage.parse(data)
        #expect(m.range(of: [1]).map { text(m.slice($0)) } == "body")
        #expect(m.range(of: [1], .mime).map { text(m.slice($0)) } == "Subject: s\n\n")
        #expect(m.part(at: [2]) == nil)
        #expect(m.part(at: [1, 1]) == nil)
    }

    @Test("a message whose own type is message/rfc822: 1 is the encapsulated message, 1.1 its body")
    func topLevelRFC822() {
        let m = MIMEMessage.parse(bytes("Content-Type: message/rfc822\n\nSubject: inner\n\ninner body"))
        #expect(m.range(of: [1], .header).map { text(m.slice($0)) } == "Subject: inner\n\n")
        #expect(m.range(of: [1, 1]).map { text(m.slice($0)) } == "inner body")
        #expect(m.crlfOctets(in: m.range(of: [1])!) == 28)   // 26 octets, 2 bare LF
    }
}
