// SMTPCommand.parse fixtures: every verb with the arguments it accepts, and the refusals with
// the reply code and enhanced status code each one must produce.

import MailroomCore
@testable import MailroomSMTP
import Testing

/// A validated domain for fixture tables (the names are known to be valid).
private func d(_ name: String) -> DomainName { try! DomainName(name) }
private func box(_ local: String, _ domain: String) -> Mailbox {
    Mailbox(localPart: Mailbox.LocalPart(local)!, domain: .domain(d(domain)))
}

@Suite("Grammar: command fixtures")
struct GrammarCommandTests {
    @Test("accepted lines", arguments: [
        ("HELO mx.example.com", SMTPCommand.helo(.domain(d("mx.example.com")))),
        ("helo localhost", .helo(.unqualified("localhost"))),
        ("HELO [192.0.2.1]", .helo(.addressLiteral(AddressLiteral(IPAddress("192.0.2.1")!)))),
        ("EHLO Client.Example.ORG", .ehlo(.domain(d("client.example.org")))),
        ("EHLO DESKTOP-7F3K", .ehlo(.unqualified("DESKTOP-7F3K"))),
        ("EHLO 192.0.2.1", .ehlo(.unqualified("192.0.2.1"))),
        ("EHLO [192.0.2.1]", .ehlo(.addressLiteral(AddressLiteral(IPAddress("192.0.2.1")!)))),
        ("EHLO [IPv6:2001:db8::1]", .ehlo(.addressLiteral(AddressLiteral(IPAddress("2001:db8::1")!)))),
        ("ehlo [ipv6:2001:DB8:0:0:0:0:0:1]", .ehlo(.addressLiteral(AddressLiteral(IPAddress("2001:db8::1")!)))),
        ("EHLO 例子.中国", .ehlo(.domain(d("例子.中国")))),
        ("EHLO   mx.example.com", .ehlo(.domain(d("mx.example.com")))),
        ("MAIL FROM:<user@example.com>", .mail(.mailbox(box("user", "example.com")), MailParameters())),
        ("mail from:<user@example.com>", .mail(.mailbox(box("user", "example.com")), MailParameters())),
        ("MAIL FROM: <user@example.com>", .mail(.mailbox(box("user", "example.com")), MailParameters())),
        ("MAIL FROM:<>", .mail(.null, MailParameters())),
        ("MAIL FROM:<> SIZE=1000", .mail(.null, MailParameters(size: 1000))),
        ("MAIL FROM:<user@example.com> BODY=8BITMIME SIZE=42", .mail(.mailbox(box("user", "example.com")), MailParameters(size: 42, body: .eightBitMIME))),
        ("RCPT TO:<user@example.com>", .rcpt(.mailbox(box("user", "example.com")), RcptParameters())),
        ("rcpt to: <user@example.com>", .rcpt(.mailbox(box("user", "example.com")), RcptParameters())),
        ("RCPT TO:<Postmaster>", .rcpt(.postmaster, RcptParameters())),
        ("RCPT TO:<postMASTER>", .rcpt(.postmaster, RcptParameters())),
        ("RCPT TO:<postmaster@example.com>", .rcpt(.mailbox(box("postmaster", "example.com")), RcptParameters())),
        ("RCPT TO:<user@example.com> NOTIFY=NEVER", .rcpt(.mailbox(box("user", "example.com")), RcptParameters(notify: .never))),
        ("DATA", .data),
        ("data", .data),
        ("DATA ", .data),
        ("BDAT 1000", .bdat(size: 1000, last: false)),
        ("BDAT 0 LAST", .bdat(size: 0, last: true)),
        ("bdat 007 last", .bdat(size: 7, last: true)),
        ("BDAT 18446744073709551615", .bdat(size: .max, last: false)),
        ("RSET", .rset),
        ("NOOP", .noop(nil)),
        ("NOOP hello there", .noop("hello there")),
        ("QUIT", .quit),
        ("Quit  ", .quit),
        ("VRFY postmaster", .vrfy("postmaster")),
        ("VRFY <user@example.com>", .vrfy("<user@example.com>")),
        ("VRFY John Smith", .vrfy("John Smith")),
        ("EXPN staff", .expn("staff")),
        ("HELP", .help(nil)),
        ("HELP MAIL", .help("MAIL")),
        ("STARTTLS", .startTLS),
        ("StartTLS", .startTLS),
        ("AUTH PLAIN", .auth(.plain, initialResponse: nil)),
        ("auth login", .auth(.login, initialResponse: nil)),
        ("AUTH PLAIN =", .auth(.plain, initialResponse: [])),
        ("AUTH PLAIN AGFsaWNlAHNlY3JldA==", .auth(.plain, initialResponse: Array("\0alice\0secret".utf8))),
        ("AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9cm9zZQ==", .auth(.scramSHA256, initialResponse: Array("n,,n=user,r=rose".utf8))),
        ("AUTH X_VENDOR-1", .auth(SASLMechanism("X_VENDOR-1")!, initialResponse: nil)),
    ])
    func accepted(line: String, expected: SMTPCommand) throws {
        #expect(try command(line) == expected)
    }

    @Test("refused lines, with their reply", arguments: [
        // 500 5.5.1: not a command.
        ("", "500 5.5.1"),
        ("FOO", "500 5.5.1"),
        ("MAILFROM:<user@example.com>", "500 5.5.1"),
        ("HELOX mx.example.com", "500 5.5.1"),
        ("\0DATA", "500 5.5.1"),
        (" DATA", "500 5.5.1"),
        ("DATA\0", "500 5.5.1"),
        ("ÉHLO x.example", "500 5.5.1"),
        ("TURN", "500 5.5.1"),
        // 501 5.5.2: the arguments do not parse.
        ("HELO", "501 5.5.2"),
        ("EHLO", "501 5.5.2"),
        ("EHLO ", "501 5.5.2"),
        ("EHLO mx.example.com extra", "501 5.5.2"),
        ("EHLO my_host.example.com", "501 5.5.2"),
        ("EHLO mx.example.com.", "501 5.5.2"),
        ("EHLO -mx.example.com", "501 5.5.2"),
        ("EHLO mx..example.com", "501 5.5.2"),
        ("EHLO [192.0.2]", "501 5.5.2"),
        ("EHLO [192.0.2.256]", "501 5.5.2"),
        ("EHLO [IPv6:192.0.2.1]", "501 5.5.2"),
        ("EHLO [x-tag:content]", "501 5.5.2"),
        ("EHLO [192.0.2.1", "501 5.5.2"),
        ("EHLO xn--zz.example", "501 5.5.2"),
        ("EHLO 例子", "501 5.5.2"),
        ("MAIL", "501 5.5.2"),
        ("MAIL FROM", "501 5.5.2"),
        ("MAIL TO:<user@example.com>", "501 5.5.2"),
        ("MAIL FROM:", "501 5.5.2"),
        ("RCPT", "501 5.5.2"),
        ("RCPT FROM:<user@example.com>", "501 5.5.2"),
        ("RCPT TO:", "501 5.5.2"),
        ("BDAT", "501 5.5.2"),
        ("VRFY", "501 5.5.2"),
        ("EXPN", "501 5.5.2"),
        ("AUTH", "501 5.5.2"),
        ("AUTH PLAIN !!!!", "501 5.5.2"),
        ("AUTH PLAIN abc", "501 5.5.2"),
        ("AUTH PLAIN Zg=", "501 5.5.2"),
        ("AUTH PLAIN a b", "501 5.5.2"),
        ("NOOP \tx", "501 5.5.2"),
        ("NOOP\tx", "500 5.5.1"),
        ("HELP \u{7F}", "501 5.5.2"),
        // 501 5.5.4: an argument where none is taken, or out of range.
        ("DATA now", "501 5.5.4"),
        ("RSET all", "501 5.5.4"),
        ("QUIT please", "501 5.5.4"),
        ("STARTTLS now", "501 5.5.4"),
        ("BDAT x", "501 5.5.4"),
        ("BDAT -1", "501 5.5.4"),
        ("BDAT 10 FIRST", "501 5.5.4"),
        ("BDAT 10 LAST now", "501 5.5.4"),
        ("BDAT 18446744073709551616", "501 5.5.4"),
        ("AUTH PL@IN", "501 5.5.4"),
        ("AUTH ABCDEFGHIJKLMNOPQRSTU", "501 5.5.4"),
        // 501 5.1.7 / 5.1.3: the path around the address.
        ("MAIL FROM:user@example.com", "501 5.1.7"),
        ("MAIL FROM:<user@example.com", "501 5.1.7"),
        ("MAIL FROM:<user@example.com>SIZE=10", "501 5.1.7"),
        ("RCPT TO:user@example.com", "501 5.1.3"),
        ("RCPT TO:<>", "501 5.1.3"),
        ("RCPT TO:<user@example.com>>", "501 5.1.3"),
        // 553 5.1.7 / 5.1.3: the mailbox inside.
        ("MAIL FROM:<user>", "553 5.1.7"),
        ("MAIL FROM:<postmaster>", "553 5.1.7"),
        ("MAIL FROM:<user@localhost>", "553 5.1.7"),
        ("RCPT TO:<user>", "553 5.1.3"),
        ("RCPT TO:<user@>", "553 5.1.3"),
        ("RCPT TO:<@example.com>", "553 5.1.3"),
        ("RCPT TO:<us er@example.com>", "553 5.1.3"),
        ("RCPT TO:<user@exa mple.com>", "553 5.1.3"),
        ("RCPT TO:<\"postmaster\">", "553 5.1.3"),
        // 555 5.5.4 and 501 5.5.4: parameters.
        ("MAIL FROM:<> FOO=BAR", "555 5.5.4"),
        ("MAIL FROM:<> SIZE=1 SIZE=2", "555 5.5.4"),
        ("MAIL FROM:<> SIZE=big", "501 5.5.4"),
        ("RCPT TO:<user@example.com> SIZE=1", "555 5.5.4"),
    ])
    func refused(line: String, reply: String) {
        #expect(refusalCode(line) == reply, "\(line)")
    }

    @Test func errorKindsAreSpecific() {
        #expect(refusal("FOO")?.kind == .unrecognizedCommand)
        #expect(refusal("HELO")?.kind == .syntax)
        #expect(refusal("DATA x")?.kind == .invalidArgument)
        #expect(refusal("MAIL FROM:a@example.com")?.kind == .invalidPath(.sender))
        #expect(refusal("RCPT TO:<a@b@example.com>")?.kind == .invalidMailbox(.recipient))
        #expect(refusal("MAIL FROM:<> XYZ")?.kind == .unrecognizedParameter("XYZ"))
        #expect(refusal("MAIL FROM:<> BODY=7BIT body=8bitmime")?.kind == .duplicateParameter("BODY"))
        #expect(refusal("MAIL FROM:<> RET=NONE")?.kind == .invalidParameterValue("RET"))
    }

    @Test("the error carries the reply the session sends")
    func errorReply() throws {
        let error = try #require(refusal("FROB"))
        #expect(error.reply == SMTPReply(code: 500, .invalidCommand, "Command unrecognized"))
        #expect(error.reply.encoded() == Array("500 5.5.1 Command unrecognized\r\n".utf8))
        #expect(error.description == "500 5.5.1 Command unrecognized")
        #expect(refusal("MAIL FROM:user@example.com")?.detail == "The address must be in angle brackets: <user@example.com>")
        #expect(refusal("MAIL FROM:<> SIZE=1 SIZE=2")?.detail == "Duplicate SIZE parameter")
        #expect(refusal("MAIL FROM:<> NOTIFY=NEVER")?.detail == "NOTIFY is not a MAIL FROM parameter")
        #expect(refusal("DATA x")?.detail == "Syntax: DATA")
    }

    @Test("verbs, and which commands need SMTPUTF8")
    func verbsAndSMTPUTF8() throws {
        #expect(try command("starttls").verb == "STARTTLS")
        #expect(try command("MAIL FROM:<>").verb == "MAIL")
        #expect(try command("MAIL FROM:<用户@例子.中国>").requiresSMTPUTF8)
        #expect(try command("RCPT TO:<user@例子.中国>").requiresSMTPUTF8)
        #expect(try !command("RCPT TO:<user@xn--fsqu00a.xn--fiqs8s>").requiresSMTPUTF8)
        #expect(try !command("MAIL FROM:<>").requiresSMTPUTF8)
        #expect(try !command("RCPT TO:<postmaster>").requiresSMTPUTF8)
        #expect(try !command("NOOP 用户").requiresSMTPUTF8)
    }

    @Test("free text keeps UTF-8 but refuses invisible and control code points")
    func freeText() throws {
        #expect(try command("NOOP 你好") == .noop("你好"))
        #expect(refusalCode("NOOP a\u{202E}b") == "501 5.5.2")
        #expect(refusalCode("VRFY a\u{85}b") == "501 5.5.2")
        #expect(refusal(bytes: Array("VRFY ".utf8) + [0xFF, 0xFE]).map { "\($0.replyCode) \($0.enhancedStatusCode)" } == "501 5.5.2")
    }
}
