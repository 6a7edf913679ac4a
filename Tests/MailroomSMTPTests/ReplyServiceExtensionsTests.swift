// ServiceExtensions: the EHLO capability list, built for the server side and read back on the
// client side.

@testable import MailroomSMTP
import Testing

@Suite("Reply: EHLO service extensions")
struct ReplyServiceExtensionsTests {
    @Test("build → encode → parse → read gives the same extensions", arguments: [
        ServiceExtensions(),
        ServiceExtensions(pipelining: true, size: 1_000_000, startTLS: true, enhancedStatusCodes: true, eightBitMIME: true),
        ServiceExtensions(pipelining: true, size: 0, authMechanisms: [.plain, .login, .scramSHA256Plus], enhancedStatusCodes: true,
                          eightBitMIME: true, binaryMIME: true, dsn: true, smtpUTF8: true, chunking: true),
        ServiceExtensions(authMechanisms: [.external], additional: ["ETRN", "X-VENDOR thing"]),
    ])
    func roundTrip(extensions: ServiceExtensions) throws {
        let reply = SMTPReply.ehlo(serverName: "mx.example.com", greeting: "Hi", extensions: extensions)
        let parsed = try SMTPReply.parse(reply.encoded())
        #expect(parsed.lines.first == "mx.example.com Hi")
        #expect(ServiceExtensions(ehloReply: parsed) == extensions)
    }

    @Test("reading a real server's EHLO reply")
    func readPostfix() throws {
        let reply = try SMTPReply.parse(Array("""
            250-smtp.example.net\r
            250-pipelining\r
            250-SIZE\r
            250-VRFY\r
            250-ETRN\r
            250-AUTH PLAIN LOGIN XOAUTH2 NOT/VALID\r
            250-AUTH=PLAIN LOGIN\r
            250-ENHANCEDSTATUSCODES\r
            250-8BITMIME\r
            250-DSN\r
            250-SIZE lots\r
            250 CHUNKING\r

            """.utf8))
        let extensions = ServiceExtensions(ehloReply: reply)
        #expect(extensions.pipelining)
        #expect(extensions.size == 0)
        #expect(extensions.authMechanisms == [.plain, .login, SASLMechanism("XOAUTH2")!])
        #expect(extensions.enhancedStatusCodes && extensions.eightBitMIME && extensions.dsn && extensions.chunking)
        #expect(!extensions.startTLS && !extensions.smtpUTF8 && !extensions.binaryMIME)
        #expect(extensions.additional == ["VRFY", "ETRN", "AUTH=PLAIN LOGIN", "SIZE lots"])
    }

    @Test("SASL mechanism names (RFC 4422 §3.1)")
    func mechanisms() {
        #expect(SASLMechanism("plain") == .plain)
        #expect(SASLMechanism("SCRAM-SHA-256-PLUS") == .scramSHA256Plus)
        #expect(SASLMechanism("X_Y-1")?.name == "X_Y-1")
        #expect(SASLMechanism(String(repeating: "A", count: 20)) != nil)
        for bad in ["", String(repeating: "A", count: 21), "PL AIN", "PLAIN=", "PLÄIN", "A/B"] {
            #expect(SASLMechanism(bad) == nil, "\(bad)")
        }
    }
}
