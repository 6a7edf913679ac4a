// MessageStructureTests.swift — tests for Mailbox/MessageStructure.swift: ENVELOPE and
// BODY/BODYSTRUCTURE of the messages in Dovecot imaptest's fetch-envelope and
// fetch-bodystructure mailboxes, compared with the answers those scripts expect (IMAP atoms
// and strings compare case-insensitively there, as here), plus RFC 2231 parameters, a
// message/rfc822 part, a multipart without its boundary, and every mime-torture message
// encoded without a failure.

import Foundation
import MailroomIMAP
import MailroomMIME
import MailroomTestSupport
import Testing

@Suite("Mailbox: ENVELOPE and BODYSTRUCTURE")
struct MessageStructureTests {
    /// The messages of an imaptest mbox as the conformance runner APPENDs them.
    static func mbox(_ name: String) throws -> [[UInt8]] {
        try MboxSource.messages(at: Corpora.path("imaptest-scripts/tests/\(name)"))
    }

    static func encode(_ envelope: Envelope) -> String {
        var buffer = IMAPEncodeBuffer()
        envelope.write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    static func encode(_ body: BodyStructure, extensions: Bool) -> String {
        var buffer = IMAPEncodeBuffer()
        body.write(to: &buffer, extensions: extensions)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test("ENVELOPE of imaptest's fetch-envelope messages is what its script expects")
    func imaptestEnvelopes() throws {
        let messages = try Self.mbox("fetch-envelope.mbox")
        let expected = [
            #"("Thu, 15 Feb 2007 01:02:03 +0200" "subject header" (("From Real" NIL "fromuser" "fromdomain.org")) (("Sender Real" NIL "senderuser" "senderdomain.org")) (("ReplyTo Real" NIL "replytouser" "replytodomain.org")) (("To Real" NIL "touser" "todomain.org")) (("Cc Real" NIL "ccuser" "ccdomain.org")) (("Bcc Real" NIL "bccuser" "bccdomain.org")) "<reply@to.id>" "<msg@id>")"#,
            #"("Thu, 15 Feb 2007 01:02:03 +0200" NIL ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) NIL NIL NIL NIL NIL)"#,
            #"("Thu, 15 Feb 2007 01:02:03 +0200" NIL ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) ((NIL NIL "user" "domain")) NIL NIL NIL NIL NIL)"#,
            #"("Thu, 15 Feb 2007 01:02:03 +0200" NIL (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) ((NIL NIL "group" NIL)(NIL NIL "g1" "d1.org")(NIL NIL "g2" "d2.org")(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL "g3" "d3.org")(NIL NIL NIL NIL)) ((NIL NIL "group" NIL)(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)"#,
            #"("Thu, 15 Feb 2007 01:02:03 +0200" NIL (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) (("Real Name" NIL "user" "domain")) NIL NIL NIL NIL NIL)"#,
            #"("Thu, 15 Feb 2007 01:02:03 +0200" NIL ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) ((NIL "@route" "user" "domain")) NIL NIL NIL NIL NIL)"#,
        ]
        try #require(messages.count == expected.count)
        for (message, want) in zip(messages, expected) {
            let envelope = MessageStructure.envelope(MIMEMessage.parse(message))
            #expect(Self.encode(envelope).lowercased() == want.lowercased())
        }
    }

    @Test("BODY of imaptest's fetch-bodystructure message: a folded boundary, a type of one's own")
    func imaptestBody() throws {
        let messages = try Self.mbox("fetch-bodystructure.mbox")
        let body = MessageStructure.bodyStructure(MIMEMessage.parse(messages[0]), extensions: false)
        #expect(Self.encode(body, extensions: false).lowercased()
                == #"(("TEXT" "x-MYOWN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 7 1) "MIXED")"#.lowercased())
    }

    @Test("BODYSTRUCTURE: defaults, RFC 2231 parameters, disposition, and a message/rfc822 part")
    func extendedStructure() {
        let message = Array("""
        From: a@example.com\r
        Subject: outer\r
        Content-Type: multipart/mixed; boundary=b1\r
        \r
        --b1\r
        \r
        plain part\r
        --b1\r
        Content-Type: application/pdf; name*=utf-8''%E5%8F%91%E7%A5%A8.pdf\r
        Content-Disposition: attachment; filename="x.pdf"\r
        Content-Transfer-Encoding: base64\r
        Content-Language: zh-CN\r
        \r
        AAAA\r
        --b1\r
        Content-Type: message/rfc822\r
        \r
        From: b@example.org\r
        Subject: inner\r
        \r
        hi\r
        --b1--\r

        """.utf8)
        let parsed = MIMEMessage.parse(message)
        let text = Self.encode(MessageStructure.bodyStructure(parsed), extensions: true)
        // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1): "plain part" is
        // 10 octets on no complete line.
        #expect(text.hasPrefix(#"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)"#))
        #expect(text.contains(#"("name*" "utf-8''%E5%8F%91%E7%A5%A8.pdf")"#))
        #expect(text.contains(#"("attachment" ("filename" "x.pdf")) "zh-CN" NIL)"#))
        #expect(text.contains(#"("message" "rfc822" NIL NIL NIL "7bit" 41 (NIL "inner" ((NIL NIL "b" "example.org")) ((NIL NIL "b" "example.org")) ((NIL NIL "b" "example.org")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)"#))
        #expect(text.hasSuffix(#" "mixed" ("boundary" "b1") NIL NIL NIL)"#))
        let body = Self.encode(MessageStructure.bodyStructure(parsed, extensions: false), extensions: false)
        #expect(body.hasSuffix(#" "mixed")"#) && !body.contains("zh-CN"))
    }

    @Test("a multipart whose boundary never appears has one empty text/plain part")
    func missingBoundary() {
        let message = Array("Content-Type: multipart/mixed; boundary=nowhere\r\n\r\nno parts here\r\n".utf8)
        let text = Self.encode(MessageStructure.bodyStructure(MIMEMessage.parse(message), extensions: false), extensions: false)
        #expect(text == #"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed")"#)
    }

    @Test("addresses without a domain, and empty address headers")
    func oddAddresses() {
        let message = Array("From: undisclosed\r\nTo: \r\nCc: list:;\r\n\r\nx\r\n".utf8)
        let text = Self.encode(MessageStructure.envelope(MIMEMessage.parse(message)))
        #expect(text == #"(NIL NIL ((NIL NIL "undisclosed" "MISSING_DOMAIN")) ((NIL NIL "undisclosed" "MISSING_DOMAIN")) ((NIL NIL "undisclosed" "MISSING_DOMAIN")) NIL ((NIL NIL "list" NIL)(NIL NIL NIL NIL)) NIL NIL NIL)"#)
    }

    @Test("every mime-torture message gets an ENVELOPE and a BODYSTRUCTURE")
    func tortureCorpus() throws {
        let root = Corpora.path("mime-torture")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }
            .filter { !$0.hasDirectoryPath && !["README.md", "index.tsv"].contains($0.lastPathComponent) }
        #expect(files.count > 250)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            let parsed = MIMEMessage.parse(bytes)
            let body = Self.encode(MessageStructure.bodyStructure(parsed), extensions: true)
            let envelope = Self.encode(MessageStructure.envelope(parsed))
            #expect(body.first == "(" && body.last == ")", "\(file.lastPathComponent)")
            #expect(envelope.first == "(" && envelope.last == ")", "\(file.lastPathComponent)")
        }
    }
}
