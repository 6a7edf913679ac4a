// Received: trace fields: shape, protocol names (RFC 3848, RFC 6531), privacy of `for`, and
// hostile HELO names that must not break the header.

import Testing
@testable import MailroomSMTP

@Suite("Received header")
struct ReceivedHeaderTests {
    @Test("one recipient, TLS and AUTH: the Postfix-like shape")
    func shape() {
        let header = ReceivedHeader(heloName: "client.example.org", clientName: "client.example.org", clientAddress: "192.0.2.7",
                                    hostName: "mx.example.com",
                                    protocolName: ReceivedHeader.protocolName(extended: true, tls: true, authenticated: true, smtpUTF8: false),
                                    queueID: "1hkq8v0a3p4P2v5Q1", recipients: ["alice@example.com"],
                                    tls: ("TLSv1.3", "TLS_AES_256_GCM_SHA384"), date: 1_700_000_000)
        #expect(header.encoded == """
            Received: from client.example.org (client.example.org [192.0.2.7])\r
            \t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r
            \tby mx.example.com (Mailroom) with ESMTPSA id 1hkq8v0a3p4P2v5Q1\r
            \tfor <alice@example.com>; Tue, 14 Nov 2023 22:13:20 +0000\r

            """)
    }

    @Test("several recipients are never listed")
    func privacy() {
        let header = ReceivedHeader(heloName: "h", clientName: nil, clientAddress: "2001:db8::1", hostName: "mx.example.com",
                                    protocolName: "ESMTP", queueID: "q", recipients: ["a@example.com", "b@example.com"], date: 0)
        #expect(!header.encoded.contains("a@example.com"))
        #expect(header.encoded.contains("(unknown [2001:db8::1])"))
        #expect(header.encoded.hasSuffix(";\r\n\tThu, 1 Jan 1970 00:00:00 +0000\r\n"))
    }

    @Test("protocol names", arguments: [
        (false, false, false, false, "SMTP"), (true, false, false, false, "ESMTP"), (true, true, false, false, "ESMTPS"),
        (true, false, true, false, "ESMTPA"), (true, true, true, false, "ESMTPSA"), (true, false, false, true, "UTF8SMTP"),
        (true, true, false, true, "UTF8SMTPS"), (true, false, true, true, "UTF8SMTPA"), (true, true, true, true, "UTF8SMTPSA"),
    ])
    func protocols(_ extended: Bool, _ tls: Bool, _ auth: Bool, _ utf8: Bool, _ expected: String) {
        #expect(ReceivedHeader.protocolName(extended: extended, tls: tls, authenticated: auth, smtpUTF8: utf8) == expected)
    }

    @Test("hostile HELO names cannot add header lines or break the comment")
    func hostile() {
        let evil = "x\r\nBcc: victim@example.com (fake) [1.2.3.4]; " + String(repeating: "a", count: 1000)
        let header = ReceivedHeader(heloName: evil, clientName: "用户.例子.中国", clientAddress: "192.0.2.7", hostName: "mx",
                                    protocolName: "ESMTP", queueID: "q", recipients: [], date: 0)
        let text = header.encoded
        #expect(text.components(separatedBy: "\r\n").filter { !$0.isEmpty && !$0.hasPrefix("\t") && !$0.hasPrefix("Received:") }.isEmpty)
        #expect(!text.contains("\r\nBcc:"))
        #expect(text.contains("(用户.例子.中国 [192.0.2.7])"))
        // The HELO name is cut to 255 bytes; every line stays far below RFC 5322's 998.
        let first = String(text.split(separator: "\r\n").first!)
        let helo = first.dropFirst("Received: from ".count).prefix { $0 != " " }
        #expect(helo.utf8.count <= ReceivedHeader.maximumNameBytes)
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count < 998 })
    }
}
