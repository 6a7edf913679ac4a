// ReplyTests.swift — tests for Reply/: the encoder (status lines, response codes, listings
// with byte-stuffing and the terminator, challenges, control characters, the 512-octet line
// limit) and the capability lines.

@testable import MailroomPOP3
import MailroomSASL
import Testing

@Suite("Replies")
struct ReplyTests {
    @Test("status lines, with and without response codes")
    func statusLines() {
        #expect(text(POP3Reply.ok("2 320").encoded) == "+OK 2 320\r\n")
        #expect(text(POP3Reply.ok.encoded) == "+OK\r\n")
        #expect(text(POP3Reply.maildropInUse.encoded) == "-ERR [IN-USE] Maildrop is locked by another session\r\n")
        #expect(text(POP3Reply.error(.systemTemporary, "x").encoded) == "-ERR [SYS/TEMP] x\r\n")
        #expect(POP3Reply.authenticationFailed.statusLine == "-ERR [AUTH] Authentication failed")
        #expect(POP3Reply.accountUnavailable.code == .systemPermanent)
        #expect(POP3Reply.loginTooSoon.code == .loginDelay)
    }

    @Test("a listing: lines, stuffed dots, the terminator")
    func listing() {
        let reply = POP3Reply.ok("2 messages (320 octets)", lines: ["1 120", "2 200", ".hidden"])
        #expect(text(reply.encoded) == "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n..hidden\r\n.\r\n")
        #expect(text(POP3Reply.ok("", lines: []).encoded) == "+OK\r\n.\r\n")
    }

    @Test("SASL challenges are '+ ' and base64, '+ ' alone when empty")
    func challenges() {
        #expect(text(POP3Reply.challenge(bytes("Username:")).encoded) == "+ VXNlcm5hbWU6\r\n")
        #expect(text(POP3Reply.challenge([]).encoded) == "+ \r\n")
    }

    @Test("hostile: CR, LF and other controls in text cannot inject a line")
    func injection() {
        #expect(text(POP3Reply.ok("a\r\n+OK b\0").encoded) == "+OK a??+OK b?\r\n")
        #expect(text(POP3Reply.ok("x", lines: ["1 a\r\n.\r\n"]).encoded) == "+OK x\r\n1 a??.??\r\n.\r\n")
    }

    @Test("a status line is cut to 512 octets, at a UTF-8 boundary")
    func lineLimit() {
        let long = POP3Reply.error(String(repeating: "é", count: 400)).encoded
        #expect(long.count <= POP3Reply.maximumLineLength)
        #expect(Array(long.suffix(2)) == bytes("\r\n"))
        #expect(String(validating: long, as: UTF8.self) != nil)
    }

    @Test("capability lines (RFC 2449 §6, RFC 3206 §6)")
    func capabilities() {
        let lines: [POP3Capability] = [.top, .uidl, .user, .sasl([.plain, .scramSHA256]), .responseCodes, .authResponseCode,
                                       .pipelining, .stls, .expire(.never, perUser: false), .expire(.days(30), perUser: true),
                                       .loginDelay(seconds: 900, perUser: false), .implementation("Mailroom")]
        #expect(lines.map(\.description) == ["TOP", "UIDL", "USER", "SASL PLAIN SCRAM-SHA-256", "RESP-CODES", "AUTH-RESP-CODE",
                                             "PIPELINING", "STLS", "EXPIRE NEVER", "EXPIRE 30 USER", "LOGIN-DELAY 900",
                                             "IMPLEMENTATION Mailroom"])
    }

    @Test("limits are raised to the RFC minimum; SASL lines are never shorter than commands")
    func limits() {
        #expect(POP3Limits(commandLineBytes: 10, saslLineBytes: 5) == POP3Limits(commandLineBytes: 255, saslLineBytes: 255))
        #expect(POP3Limits.default.commandLineBytes == 2048)
        #expect(POP3Limits(commandLineBytes: 4000, saslLineBytes: 100).saslLineBytes == 4000)
    }
}
