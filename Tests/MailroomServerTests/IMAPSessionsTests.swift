// IMAP sessions that see each other's changes, end to end over loopback with Python's imaplib
// against the real server in-process: IDLE (RFC 2177) announcing a message delivered over
// SMTP (the harness's MX listener) as EXISTS within a second or two, and announcing another
// session's flag change and expunge; two selected sessions on one mailbox hearing of each
// other's STORE and EXPUNGE at NOOP (RFC 3501 §6.1.2, §7.4.1, §7.4.2: an EXPUNGE is never
// announced during FETCH, STORE or SEARCH, but is at NOOP).

import Foundation
import Testing

@Suite(.serialized) struct IMAPSessionsTests {
    static let message = Array("From: sender@example.net\r\nTo: user@example.com\r\nSubject: idle test\r\n\r\nwake up\r\n".utf8)

    static func stored(_ n: Int) -> [UInt8] {
        Array("From: a@example.net\r\nSubject: message \(n)\r\n\r\nbody \(n)\r\n".utf8)
    }

    @Test func idleSeesSMTPDelivery() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["select", "INBOX"], ["idle_start"],
                                       ["smtp", server.mxPort, "sender@example.net", "user@example.com", base64(Self.message)],
                                       ["idle_wait", 5.0, "EXISTS"], ["idle_done"],
                                       ["cmd", "FETCH", "1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"]])
        #expect(t[1].untagged("EXISTS") == ["0"], "\(t)")
        #expect(t[2].ok && t[2].resp.hasPrefix("+"), "the IDLE continuation: \(t)")
        #expect(t[3].ok, "\(t)")
        #expect(t[4].matched && t[4].lines.last == "* 1 EXISTS", "\(t)")
        #expect(t[4].elapsed < 2, "EXISTS within 2 s of the SMTP delivery's end: \(t[4].elapsed) s")
        #expect(t[5].ok && t[5].lines.last?.hasSuffix("OK IDLE terminated") == true, "\(t)")
        #expect(t[6].literals("FETCH") == [Array("Subject: idle test\r\n\r\n".utf8)], "\(t)")
    }

    @Test func idleSeesAnotherSessionsFlagsAndExpunge() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", (1...3).map(Self.stored))
        let t = try await server.imap([ServerHarness.imapLogin(), ["select", "INBOX"],
                                       ["@1", "connect", server.imapPort, "none"], ["@1", "login", "user@example.com", ServerHarness.password],
                                       ["@1", "select", "INBOX"],
                                       ["idle_start"],
                                       ["@1", "cmd", "STORE", "2", "+FLAGS", "(\\Flagged)"],   // 6
                                       ["idle_wait", 5.0, "FETCH"],                             // 7
                                       ["@1", "cmd", "STORE", "3", "+FLAGS.SILENT", "(\\Deleted)"],
                                       ["@1", "cmd", "EXPUNGE"],                                // 9
                                       ["idle_wait", 5.0, "EXPUNGE"],                           // 10
                                       ["idle_done"], ["cmd", "FETCH", "1:*", "(UID FLAGS)"]])
        #expect(t[1].untagged("EXISTS") == ["3"] && t[4].untagged("EXISTS") == ["3"], "\(t)")
        #expect(t[6].ok && t[9].ok, "\(t)")
        #expect(t[7].matched, "the flag change reaches the IDLE session: \(t)")
        let fetch = t[7].lines.last ?? ""
        #expect(fetch.hasPrefix("* 2 FETCH (") && fetch.contains("\\Flagged"), "\(t)")
        #expect(t[7].elapsed < 2, "within 2 s: \(t[7].elapsed) s")
        #expect(t[10].matched && t[10].lines.last == "* 3 EXPUNGE", "\(t)")
        #expect(t[10].elapsed < 2, "within 2 s: \(t[10].elapsed) s")
        let flags = t[12].untagged("FETCH")
        #expect(flags.count == 2 && flags[1].contains("\\Flagged") && !flags[0].contains("\\Flagged"), "\(t)")
    }

    @Test func twoSessionsSeeEachOthersChangesAtNoop() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", (1...4).map(Self.stored))
        let t = try await server.imap([ServerHarness.imapLogin(), ["select", "INBOX"],
                                       ["@1", "connect", server.imapPort, "none"], ["@1", "login", "user@example.com", ServerHarness.password],
                                       ["@1", "select", "INBOX"],
                                       ["cmd", "STORE", "1", "+FLAGS", "(\\Seen \\Answered)"],       // 5
                                       ["@1", "cmd", "NOOP"],                                       // 6
                                       ["@1", "cmd", "STORE", "4", "+FLAGS.SILENT", "(\\Deleted)"],
                                       ["@1", "cmd", "STORE", "2", "+FLAGS", "(\\Flagged)"],        // 8
                                       ["cmd", "FETCH", "1", "(FLAGS)"],                            // 9
                                       ["@1", "cmd", "EXPUNGE"],                                    // 10
                                       ["cmd", "FETCH", "3", "(UID)"],                              // 11: no EXPUNGE during FETCH
                                       ["cmd", "NOOP"],                                             // 12
                                       ["cmd", "UID", "FETCH", "1:*", "(FLAGS)"],                   // 13
                                       ["append", "INBOX", NSNull(), NSNull(), base64(Self.stored(5))],  // 14
                                       ["@1", "cmd", "NOOP"],                                       // 15
                                       ["@1", "cmd", "UID", "FETCH", "5", "(UID BODY.PEEK[])"]])    // 16
        #expect(t[5].ok, "\(t)")
        let noop = t[6].untaggedLines
        #expect(noop.contains { $0.hasPrefix("1 FETCH (") && $0.contains("\\Seen") && $0.contains("\\Answered") }, "\(t)")
        #expect(t[8].ok, "\(t)")
        #expect(!t[9].untaggedLines.contains { $0.contains("EXPUNGE") }, "\(t)")
        #expect(t[10].untaggedLines == ["4 EXPUNGE"], "\(t)")
        #expect(!t[11].untaggedLines.contains { $0.contains("EXPUNGE") }, "no EXPUNGE during FETCH (RFC 3501 §7.4.1): \(t)")
        let seen = t[9].untaggedLines + t[11].untaggedLines + t[12].untaggedLines
        #expect(seen.contains { $0.hasPrefix("2 FETCH (") && $0.contains("\\Flagged") }, "the other session's flag: \(t)")
        #expect(t[12].untaggedLines.contains("4 EXPUNGE"), "the other session's expunge at NOOP: \(t)")
        #expect(t[13].untagged("FETCH").count == 3, "\(t)")
        #expect(t[14].ok && t[14].resp.contains(" 5] "), "\(t)")
        #expect(t[15].untaggedLines.contains("4 EXISTS"), "the appended message at NOOP: \(t)")
        #expect(t[16].literals("FETCH") == [Self.stored(5)], "\(t)")
    }
}
