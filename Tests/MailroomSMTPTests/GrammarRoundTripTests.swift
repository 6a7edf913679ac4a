// encode ↔ parse: SMTPCommand.encoded (the client side) writes what SMTPCommand.parse reads
// back as the same value, and canonical lines come out of parse-then-encode unchanged.

import MailroomCore
@testable import MailroomSMTP
import Testing

private func d(_ name: String) -> DomainName { try! DomainName(name) }
private func box(_ local: String, _ domain: String) -> Mailbox {
    Mailbox(localPart: Mailbox.LocalPart(local)!, domain: .domain(d(domain)))
}

/// The encoded line without its CRLF, which must be there.
private func line(_ command: SMTPCommand) throws -> [UInt8] {
    let bytes = command.encoded
    try #require(bytes.suffix(2) == [0x0D, 0x0A])
    return Array(bytes.dropLast(2))
}

@Suite("Grammar: encode and parse round trips")
struct GrammarRoundTripTests {
    @Test("values survive encode → parse", arguments: [
        SMTPCommand.helo(.domain(d("mx.example.com"))),
        .helo(.unqualified("localhost")),
        .ehlo(.domain(d("例子.中国"))),
        .ehlo(.addressLiteral(AddressLiteral(IPAddress("2001:db8::1")!))),
        .ehlo(.addressLiteral(AddressLiteral(IPAddress("192.0.2.1")!))),
        .mail(.null, MailParameters()),
        .mail(.mailbox(box("user", "example.com")), MailParameters(size: 1, body: .binaryMIME, smtpUTF8: true, returnContent: .full,
                                                                    envelopeID: "id+1=2 3", authSubmitter: .address("a+b@example.com"))),
        .mail(.mailbox(box("用户", "例子.中国")), MailParameters(smtpUTF8: true)),
        .mail(.mailbox(box("john smith", "example.com")), MailParameters(authSubmitter: .unknown)),
        .mail(.mailbox(Mailbox(localPart: Mailbox.LocalPart("a\"b\\c")!, domain: .addressLiteral(AddressLiteral(IPAddress("192.0.2.9")!)))), MailParameters()),
        .rcpt(.postmaster, RcptParameters()),
        .rcpt(.mailbox(box("User%Remote", "example.com")), RcptParameters(notify: [.failure, .delay],
                                                                          originalRecipient: OriginalRecipient(addressType: "rfc822", address: "x+y@example.org"))),
        .rcpt(.mailbox(box("relaytest@example.net", "example.com")), RcptParameters(notify: .never)),
        .data, .bdat(size: 0, last: true), .bdat(size: 123_456, last: false), .rset, .noop(nil), .noop("x y"), .quit,
        .vrfy("postmaster"), .expn("list"), .help(nil), .help("MAIL"), .startTLS,
        .auth(.plain, initialResponse: nil), .auth(.plain, initialResponse: []),
        .auth(.scramSHA256Plus, initialResponse: Array("p=tls-exporter,,n=user,r=abc".utf8)),
    ])
    func valueRoundTrip(value: SMTPCommand) throws {
        #expect(try SMTPCommand.parse(line: line(value)) == value)
    }

    @Test("canonical lines survive parse → encode", arguments: [
        "HELO mx.example.com", "EHLO [IPv6:2001:db8::1]", "EHLO xn--fsqu00a.xn--fiqs8s",
        "MAIL FROM:<>", "MAIL FROM:<user@example.com> SIZE=10 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x+2By AUTH=<>",
        "MAIL FROM:<用户@例子.中国> SMTPUTF8", "MAIL FROM:<\"john smith\"@[192.0.2.1]>",
        "RCPT TO:<Postmaster>", "RCPT TO:<user@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;user@example.com",
        "DATA", "BDAT 100 LAST", "RSET", "NOOP", "QUIT", "VRFY John Smith", "EXPN list", "HELP", "STARTTLS",
        "AUTH PLAIN", "AUTH PLAIN =", "AUTH PLAIN AGFsaWNlAHNlY3JldA==",
    ])
    func lineRoundTrip(text: String) throws {
        #expect(try command(text).encoded == Array((text + "\r\n").utf8))
    }

    @Test("loose lines become canonical, and stay so", arguments: [
        ("mail from: <User@Example.COM>  size=10", "MAIL FROM:<User@example.com> SIZE=10"),
        ("rcpt to:<@a.example,@b.example:u@c.example>", "RCPT TO:<u@c.example>"),
        ("RCPT TO:<\"user\"@example.com>", "RCPT TO:<user@example.com>"),
        ("RCPT TO:<postmaster>", "RCPT TO:<Postmaster>"),
        ("RCPT TO:<user@例子.中国>", "RCPT TO:<user@例子.中国>"),
        ("EHLO 例子.中国", "EHLO xn--fsqu00a.xn--fiqs8s"),
        ("EHLO [192.0.2.010]", "EHLO [192.0.2.10]"),
        ("bdat 007 last", "BDAT 7 LAST"),
        ("auth plain", "AUTH PLAIN"),
        ("RCPT TO:<u@example.com> NOTIFY=delay,success", "RCPT TO:<u@example.com> NOTIFY=SUCCESS,DELAY"),
        ("MAIL FROM:<> ENVID=a+2bb", "MAIL FROM:<> ENVID=a+2Bb"),
    ])
    func normalization(loose: String, canonical: String) throws {
        let parsed = try command(loose)
        #expect(String(decoding: parsed.encoded, as: UTF8.self) == canonical + "\r\n")
        #expect(try command(canonical) == parsed)
    }

    @Test("encoded never carries a second line, whatever a caller put in a value")
    func noInjection() {
        let hostile: [SMTPCommand] = [
            .noop("x\r\nRSET"), .help("a\nb"), .vrfy("a\rb"), .expn("\0"), .helo(.unqualified("host\r\nMAIL FROM:<a@b.example>")),
        ]
        for value in hostile {
            let bytes = value.encoded
            #expect(bytes.suffix(2) == [0x0D, 0x0A])
            #expect(!bytes.dropLast(2).contains(where: { $0 < 0x20 }), "\(value.verb)")
        }
        #expect(SMTPCommand.noop("x\r\nRSET").encoded == Array("NOOP x??RSET\r\n".utf8))
    }

    @Test("log descriptions hide AUTH credentials")
    func redaction() throws {
        let auth = try command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")
        #expect(auth.description == "AUTH PLAIN <redacted>")
        #expect(!auth.description.contains("AGFs"))
        #expect(try command("AUTH LOGIN").description == "AUTH LOGIN")
        #expect(try command("MAIL FROM:<a@example.com> SIZE=5").description == "MAIL FROM:<a@example.com> SIZE=5")
    }

    @Test("random mailboxes round-trip", arguments: 0..<4)
    func randomMailboxes(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed))
        let alphabet = Array("abcXYZ019!#$%&'*+-/=?^_`{|}~. \"\\@<>,:;[]()用é")
        var checked = 0
        for _ in 0..<500 {
            let length = Int.random(in: 1...20, using: &random)
            let local = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            guard let localPart = Mailbox.LocalPart(local), localPart.description.utf8.count <= 64 else { continue }
            let value = Mailbox(localPart: localPart, domain: .domain(d("example.com")))
            #expect(try SMTPCommand.parse(line: line(.rcpt(.mailbox(value), RcptParameters()))) == .rcpt(.mailbox(value), RcptParameters()), "\(local)")
            checked += 1
        }
        #expect(checked > 400)
    }
}
