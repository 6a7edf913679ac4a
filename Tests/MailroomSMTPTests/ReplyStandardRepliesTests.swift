// The standard replies: each has the code and enhanced status code its RFC names, encodes
// within the line limit and parses back to itself.

@testable import MailroomSMTP
import Testing

@Suite("Reply: standard replies")
struct ReplyStandardRepliesTests {
    static let all: [(String, SMTPReply, String)] = [
        ("ready", .ready(serverName: "mx.example.com"), "220 mx.example.com ESMTP\r\n"),
        ("helo", .helo(serverName: "mx.example.com"), "250 mx.example.com\r\n"),
        ("closing", .closing, "221 2.0.0 Bye\r\n"),
        ("serviceNotAvailable", .serviceNotAvailable(serverName: "mx"), "421 4.3.0 mx Service not available, closing transmission channel\r\n"),
        ("timeout", .timeout(serverName: "mx"), "421 4.4.2 mx Error: timeout exceeded\r\n"),
        ("tooManyConnections", .tooManyConnections(serverName: "mx"), "421 4.7.0 mx Error: too many connections\r\n"),
        ("ok", .ok(), "250 2.0.0 Ok\r\n"),
        ("senderOK", .senderOK, "250 2.1.0 Ok\r\n"),
        ("recipientOK", .recipientOK, "250 2.1.5 Ok\r\n"),
        ("startData", .startData, "354 End data with <CR><LF>.<CR><LF>\r\n"),
        ("messageAccepted", .messageAccepted(queueID: "4Xz9"), "250 2.6.0 Ok: queued as 4Xz9\r\n"),
        ("help", .help(), "214 2.0.0 See RFC 5321\r\n"),
        ("cannotVerify", .cannotVerify, "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery\r\n"),
        ("commandNotImplemented", .commandNotImplemented, "502 5.5.1 Command not implemented\r\n"),
        ("badSequence", .badSequence(), "503 5.5.1 Bad sequence of commands\r\n"),
        ("readyToStartTLS", .readyToStartTLS, "220 2.0.0 Ready to start TLS\r\n"),
        ("tlsNotAvailable", .tlsNotAvailable, "454 4.7.0 TLS not available due to temporary reason\r\n"),
        ("startTLSRequired", .startTLSRequired, "530 5.7.0 Must issue a STARTTLS command first\r\n"),
        ("authenticationRequired", .authenticationRequired, "530 5.7.0 Authentication required\r\n"),
        ("authenticationChallenge", .authenticationChallenge(Array("<1896.697170952@postoffice.example.net>".utf8)),
         "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n"),
        ("emptyChallenge", .authenticationChallenge([]), "334 \r\n"),
        ("authenticationSucceeded", .authenticationSucceeded, "235 2.7.0 Authentication successful\r\n"),
        ("authenticationFailed", .authenticationFailed, "535 5.7.8 Authentication credentials invalid\r\n"),
        ("authenticationMechanismTooWeak", .authenticationMechanismTooWeak, "534 5.7.9 Authentication mechanism is too weak\r\n"),
        ("encryptionRequiredForAuthentication", .encryptionRequiredForAuthentication,
         "538 5.7.11 Encryption required for requested authentication mechanism\r\n"),
        ("authenticationLineTooLong", .authenticationLineTooLong, "500 5.5.6 Authentication Exchange line is too long\r\n"),
        ("authenticationCancelled", .authenticationCancelled, "501 5.7.0 Authentication aborted\r\n"),
        ("unknownUser", .unknownUser, "550 5.1.1 Recipient address rejected: User unknown\r\n"),
        ("relayDenied", .relayDenied, "550 5.7.1 Relay access denied\r\n"),
        ("nonASCIIAddressNeedsSMTPUTF8", .nonASCIIAddressNeedsSMTPUTF8, "553 5.6.7 Must declare SMTPUTF8 to send a non-ASCII address\r\n"),
        ("tooManyRecipients", .tooManyRecipients, "452 4.5.3 Error: too many recipients\r\n"),
        ("messageTooBig", .messageTooBig, "552 5.3.4 Message size exceeds fixed limit\r\n"),
        ("mailboxFull", .mailboxFull, "552 5.2.2 Mailbox full\r\n"),
        ("mailboxFullTemporary", .mailboxFullTemporary, "452 4.2.2 Mailbox full, try again later\r\n"),
        ("localError", .localError, "451 4.3.0 Error: local error in processing\r\n"),
        ("insufficientStorage", .insufficientStorage, "452 4.3.1 Error: insufficient system storage\r\n"),
        ("routingLoop", .routingLoop, "554 5.4.6 Error: too many hops\r\n"),
        ("contentRejected", .contentRejected("Bare LF is not allowed"), "550 5.6.0 Bare LF is not allowed\r\n"),
    ]

    @Test("each standard reply on the wire", arguments: all)
    func wire(name: String, reply: SMTPReply, expected: String) throws {
        #expect(reply.description == expected, "\(name)")
        #expect(try SMTPReply.parse(reply.encoded()) == reply, "\(name)")
    }

    @Test("the EHLO reply lists what is offered, without enhanced codes")
    func ehlo() {
        let everything = ServiceExtensions(pipelining: true, size: 52_428_800, startTLS: true, authMechanisms: [.plain, .login],
                                           enhancedStatusCodes: true, eightBitMIME: true, binaryMIME: true, dsn: true, smtpUTF8: true,
                                           chunking: true)
        #expect(SMTPReply.ehlo(serverName: "mx.example.com", extensions: everything).description == """
            250-mx.example.com\r
            250-PIPELINING\r
            250-SIZE 52428800\r
            250-STARTTLS\r
            250-AUTH PLAIN LOGIN\r
            250-ENHANCEDSTATUSCODES\r
            250-8BITMIME\r
            250-BINARYMIME\r
            250-DSN\r
            250-SMTPUTF8\r
            250 CHUNKING\r

            """)
        #expect(SMTPReply.ehlo(serverName: "mx.example.com", greeting: "Hello client.example.org", extensions: ServiceExtensions()).description
            == "250 mx.example.com Hello client.example.org\r\n")
        let afterTLS = ServiceExtensions(pipelining: true, size: 0, authMechanisms: [.scramSHA256, .plain])
        #expect(SMTPReply.ehlo(serverName: "mx", extensions: afterTLS).lines == ["mx", "PIPELINING", "SIZE 0", "AUTH SCRAM-SHA-256 PLAIN"])
    }

    @Test("syntax errors become their replies")
    func syntaxErrorReplies() {
        let cases: [(String, String)] = [
            ("XYZZY", "500 5.5.1 Command unrecognized\r\n"),
            ("MAIL FROM:<a@b@example.com>", "553 5.1.7 The address contains more than one '@' outside quotes\r\n"),
            ("RCPT TO:<user@example.net.>", "553 5.1.3 The domain ends with '.'\r\n"),
            ("RCPT TO:<x> FOO", "553 5.1.3 The address has no domain\r\n"),
            ("MAIL FROM:<> BAR=1", "555 5.5.4 Unsupported parameter BAR\r\n"),
            ("MAIL FROM:<> BODY=7BIT BODY=7BIT", "555 5.5.4 Duplicate BODY parameter\r\n"),
            ("MAIL FROM:<> SIZE=x", "501 5.5.4 Syntax: SIZE=<number of octets>\r\n"),
            ("EHLO", "501 5.5.2 Syntax: EHLO hostname\r\n"),
        ]
        for (line, expected) in cases {
            #expect(refusal(line)?.reply.description == expected, "\(line)")
        }
    }
}
