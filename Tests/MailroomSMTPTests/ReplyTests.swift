// SMTPReply: the wire encoder (multi-line form, the enhanced code on every line, CRLF, line
// length limit, neutralized line breaks), the client-side parser, and round trips.

@testable import MailroomSMTP
import Testing

private func text(_ reply: SMTPReply, maximumLineLength: Int = SMTPReply.maximumLineLength) -> String {
    String(decoding: reply.encoded(maximumLineLength: maximumLineLength), as: UTF8.self)
}

private func lines(of bytes: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var current: [UInt8] = []
    for byte in bytes {
        current.append(byte)
        if current.suffix(2) == [0x0D, 0x0A] {
            out.append(current)
            current = []
        }
    }
    #expect(current.isEmpty, "the reply must end in CRLF")
    return out
}

private func parse(_ text: String) throws(SMTPReplySyntaxError) -> SMTPReply {
    try SMTPReply.parse(Array(text.utf8))
}

@Suite("Reply: encoding and parsing")
struct ReplyTests {
    @Test("one line, with and without an enhanced status code")
    func singleLine() {
        #expect(text(SMTPReply(code: 250, .success, "Ok")) == "250 2.0.0 Ok\r\n")
        #expect(text(SMTPReply(code: 220, "mx.example.com ESMTP")) == "220 mx.example.com ESMTP\r\n")
        #expect(text(SMTPReply(code: 250, .success, "")) == "250 2.0.0\r\n")
        #expect(text(SMTPReply(code: 334, "")) == "334 \r\n")
        #expect(SMTPReply(code: 250, lines: []).lines == [""])
    }

    @Test("multi-line: '-' on all lines but the last, the enhanced code on every line (RFC 2034 §3)")
    func multiLine() {
        let reply = SMTPReply(code: 550, .badDestinationMailbox, lines: ["first", "second", "third"])
        #expect(text(reply) == "550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n")
        #expect(text(SMTPReply(code: 250, lines: ["mx.example.com", "PIPELINING"])) == "250-mx.example.com\r\n250 PIPELINING\r\n")
    }

    @Test("long text is split into lines within the limit, each with code and enhanced code",
          arguments: [SMTPReply.maximumLineLength, 100, 64, 10])
    func wrapping(limit: Int) throws {
        let words = (1...300).map { "word\($0)" }
        let reply = SMTPReply(code: 451, .mailSystemTemporaryFailure, words.joined(separator: " "))
        let encoded = lines(of: reply.encoded(maximumLineLength: limit))
        #expect(encoded.count > 1)
        for (index, line) in encoded.enumerated() {
            #expect(line.count <= max(limit, 64))
            let prefix = index == encoded.count - 1 ? "451 4.3.0 " : "451-4.3.0 "
            #expect(line.starts(with: Array(prefix.utf8)))
        }
        // Nothing lost: the words come back in order.
        let parsed = try SMTPReply.parse(reply.encoded(maximumLineLength: limit))
        #expect(parsed.lines.joined(separator: " ") == words.joined(separator: " "))
        #expect(parsed.enhancedStatusCode == .mailSystemTemporaryFailure)
    }

    @Test("a word longer than a line is cut at UTF-8 character boundaries")
    func hardCuts() throws {
        for word in [String(repeating: "x", count: 1_500), String(repeating: "用", count: 600), String(repeating: "é", count: 700)] {
            let reply = SMTPReply(code: 250, .success, word)
            let encoded = lines(of: reply.encoded())
            #expect(encoded.count > 2)
            for line in encoded {
                #expect(line.count <= SMTPReply.maximumLineLength)
                #expect(String(validating: line, as: UTF8.self) != nil)
            }
            #expect(try SMTPReply.parse(reply.encoded()).lines.joined() == word)
        }
    }

    @Test("CR, LF and CRLF in text become line breaks of the reply; other controls become '?'")
    func sanitizing() {
        #expect(text(SMTPReply(code: 250, .success, "a\r\nb")) == "250-2.0.0 a\r\n250 2.0.0 b\r\n")
        #expect(text(SMTPReply(code: 250, .success, "a\rb\nc")) == "250-2.0.0 a\r\n250-2.0.0 b\r\n250 2.0.0 c\r\n")
        #expect(text(SMTPReply(code: 250, "x\0y\u{1B}z\tw\u{7F}")) == "250 x?y?z\tw?\r\n")
        // An injected reply line can only ever be text of this reply.
        let injected = SMTPReply(code: 550, .deliveryNotAuthorized, "no\r\n250 2.0.0 Ok")
        for line in lines(of: injected.encoded()) {
            #expect(line.starts(with: Array("550".utf8)))
        }
    }

    @Test("parse: a multi-line EHLO reply has no enhanced code")
    func parseEHLO() throws {
        let reply = try parse("250-mx.example.com Hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n")
        #expect(reply.code == 250)
        #expect(reply.enhancedStatusCode == nil)
        #expect(reply.lines == ["mx.example.com Hello", "PIPELINING", "SIZE 1000", "8BITMIME"])
    }

    @Test("parse: enhanced codes are taken off every line that has them")
    func parseEnhanced() throws {
        #expect(try parse("550 5.1.1 User unknown\r\n") == SMTPReply(code: 550, .badDestinationMailbox, "User unknown"))
        #expect(try parse("250 2.0.0\r\n") == SMTPReply(code: 250, .success, ""))
        #expect(try parse("250\r\n") == SMTPReply(code: 250, ""))
        #expect(try parse("250 \r\n") == SMTPReply(code: 250, ""))
        #expect(try parse("451-4.3.0 a\r\n451 4.3.0 b\r\n") == SMTPReply(code: 451, .mailSystemTemporaryFailure, lines: ["a", "b"]))
        // A server that forgot the code on a later line keeps that line's text whole.
        #expect(try parse("451-4.3.0 a\r\n451 b\r\n") == SMTPReply(code: 451, .mailSystemTemporaryFailure, lines: ["a", "b"]))
        // The class must match the reply code; otherwise it is just text.
        #expect(try parse("250 5.1.1 odd\r\n") == SMTPReply(code: 250, "5.1.1 odd"))
        #expect(try parse("354 End data with <CR><LF>.<CR><LF>\r\n") == .startData)
        #expect(try parse("334 \r\n") == SMTPReply(code: 334, ""))
        // Latin-1 text is read, not refused.
        #expect(try SMTPReply.parse(Array("550 5.1.1 M".utf8) + [0xFC] + Array("ller\r\n".utf8)).lines == ["M\u{FFFD}ller"])
    }

    @Test("parse: malformed replies", arguments: [
        "250 Ok", "250 Ok\n", "250 Ok\r", "250 O\nk\r\n", "25 Ok\r\n", "2500 Ok\r\n", "600 Ok\r\n", "199 Ok\r\n", "260 Ok\r\n",
        "abc Ok\r\n", "250-Ok\r\n", "250-a\r\n251 b\r\n", "250 a\r\n250 b\r\n", "250xOk\r\n", "\r\n", "",
    ])
    func parseErrors(reply: String) {
        #expect(throws: SMTPReplySyntaxError.self) { try parse(reply) }
    }

    @Test("encode → parse gives the reply back", arguments: [
        SMTPReply(code: 250, .success, "Ok"),
        SMTPReply(code: 220, "mx.example.com ESMTP Mailroom"),
        SMTPReply(code: 550, .deliveryNotAuthorized, lines: ["Relay access denied", "See https://example.com/relay"]),
        SMTPReply(code: 334, "PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4="),
        SMTPReply(code: 250, .success, ""),
        SMTPReply(code: 452, .tooManyRecipients, "Error: too many recipients"),
        SMTPReply(code: 250, .success, "你好"),
        .ehlo(serverName: "mx.example.com", extensions: ServiceExtensions(pipelining: true, size: 10, authMechanisms: [.plain])),
    ])
    func roundTrip(reply: SMTPReply) throws {
        #expect(try SMTPReply.parse(reply.encoded()) == reply)
    }

    @Test("reply classes")
    func classes() {
        #expect(SMTPReply.ok().isPositiveCompletion)
        #expect(SMTPReply.startData.isPositiveIntermediate)
        #expect(SMTPReply.localError.isTransientNegative)
        #expect(SMTPReply.relayDenied.isPermanentNegative)
        #expect(!SMTPReply.relayDenied.isTransientNegative)
    }

    @Test("description is the wire text")
    func description() {
        #expect(SMTPReply.ok().description == "250 2.0.0 Ok\r\n")
    }
}
