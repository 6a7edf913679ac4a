// SessionRepliesTests.swift — the replies added to Reply/SMTPReply+StandardReplies.swift and
// Reply/EnhancedStatusCode.swift for the session: each on the wire (code, RFC 3463 code on the
// line, text) and parsed back to itself.

@testable import MailroomSMTP
import Testing

@Suite("Session: replies")
struct SessionRepliesTests {
    static let all: [(String, SMTPReply, String)] = [
        ("shuttingDown", .shuttingDown(serverName: "mx"), "421 4.3.2 mx Service shutting down, closing transmission channel\r\n"),
        ("tooManyErrors", .tooManyErrors(serverName: "mx"), "421 4.7.0 mx Error: too many errors\r\n"),
        ("tooManyUnrecognizedCommands", .tooManyUnrecognizedCommands(serverName: "mx"),
         "421 4.7.0 mx Error: too many unrecognized commands\r\n"),
        ("forbiddenCommand", .forbiddenCommand(serverName: "mx"), "521 5.7.0 mx Error: this is an SMTP server, not a web server or proxy\r\n"),
        ("commandLineTooLong", .commandLineTooLong, "500 5.5.2 Error: line too long\r\n"),
        ("invalidCommandLine", .invalidCommandLine("Error: NUL"), "500 5.5.2 Error: NUL\r\n"),
        ("parametersNeedEHLO", .parametersNeedEHLO, "555 5.5.4 Error: ESMTP parameters need EHLO\r\n"),
        ("chunkReceived", .chunkReceived(octets: 42), "250 2.0.0 42 octets received\r\n"),
        ("helloRequired", .helloRequired, "503 5.5.1 Error: send HELO/EHLO first\r\n"),
        ("ehloRequired", .ehloRequired, "503 5.5.1 Error: send EHLO first\r\n"),
        ("nestedMail", .nestedMail, "503 5.5.1 Error: nested MAIL command\r\n"),
        ("mailRequired", .mailRequired, "503 5.5.1 Error: need MAIL command\r\n"),
        ("recipientRequired", .recipientRequired, "503 5.5.1 Error: need RCPT command\r\n"),
        ("noValidRecipients", .noValidRecipients, "554 5.5.1 Error: no valid recipients\r\n"),
        ("transactionInProgress", .transactionInProgress, "503 5.5.1 Error: MAIL transaction in progress\r\n"),
        ("binaryMIMERequiresBDAT", .binaryMIMERequiresBDAT, "503 5.5.1 Error: BODY=BINARYMIME requires BDAT\r\n"),
        ("commandAfterBDAT", .commandAfterBDAT, "503 5.5.1 Error: command not allowed after BDAT in this transaction\r\n"),
        ("authenticationResponseNotBase64", .authenticationResponseNotBase64, "501 5.5.2 Cannot decode response (base64)\r\n"),
        ("unsupportedAuthenticationMechanism", .unsupportedAuthenticationMechanism, "504 5.5.4 Unrecognized authentication type\r\n"),
        ("alreadyAuthenticated", .alreadyAuthenticated, "503 5.5.1 Error: already authenticated\r\n"),
        ("authenticationNotEnabled", .authenticationNotEnabled, "503 5.5.1 Error: authentication not enabled\r\n"),
        ("tlsAlreadyActive", .tlsAlreadyActive, "503 5.5.1 Error: TLS already active\r\n"),
    ]

    @Test("each reply on the wire, and back", arguments: all)
    func wire(name: String, reply: SMTPReply, expected: String) throws {
        #expect(reply.description == expected, "\(name)")
        #expect(try SMTPReply.parse(reply.encoded()) == reply, "\(name)")
    }

    @Test("4.3.2 is \"System not accepting network messages\" (RFC 3463 §3.4)")
    func statusCode() {
        #expect(EnhancedStatusCode.systemNotAcceptingMessages.description == "4.3.2")
    }
}
