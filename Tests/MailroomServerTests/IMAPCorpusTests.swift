// Every message of the mime-torture corpus (../shared/corpora/mime-torture, 307 files, read at
// test time through MailroomTestSupport's Corpora) APPENDed with Python's imaplib to the real
// server in-process and FETCHed back.
//
// The documented behaviour this checks:
// - APPEND stores exactly the octets it was given (the Maildir files are compared with the
//   corpus files): LF-only files stay LF-only on disk, a bare CR stays.
// - FETCH BODY[] sends the stored message with every bare LF made CRLF (RFC 3501 §6.4.5:
//   message data goes out with CRLF; FetchOctets), a bare CR as it is, and a NUL as 0x80
//   (a literal may not hold NUL, RFC 3501 §4.3; FetchContent, as Dovecot does).
// - RFC822.SIZE is the length of that BODY[].
// The three files that hold NUL go up as literal8 ("~{n}", RFC 3516, BINARY is announced): a
// plain literal with NUL is refused (RFC 3501 §4.3 CHAR8), which is checked too.

import Foundation
import MailroomCore
import MailroomTestSupport
import Testing

@Suite(.serialized) struct IMAPCorpusTests {
    static func corpus() throws -> (files: [String], messages: [[UInt8]]) {
        let directory = Corpora.path("mime-torture")
        let index = try String(contentsOf: directory.appendingPathComponent("index.tsv"), encoding: .utf8)
        let files = index.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
        let messages = try files.map { [UInt8](try Data(contentsOf: directory.appendingPathComponent($0))) }
        return (files, messages)
    }

    /// What FETCH BODY[] sends for a stored message: bare LF made CRLF, NUL made 0x80.
    static func asFetched(_ stored: [UInt8]) -> [UInt8] {
        CRLF.normalized(stored).map { $0 == 0 ? 0x80 : $0 }
    }

    @Test func mimeTortureAppendedAndFetchedByteExact() async throws {
        let (files, messages) = try Self.corpus()
        #expect(files.count == 307, "the corpus's README says 307 cases")
        #expect(messages.contains { !$0.contains(0x0D) }, "the corpus has LF-only files")
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["append_all", "INBOX", messages.map(base64)],
                                       ["select", "INBOX"], ["fetch_all", "1:*"], ["logout"]])
        let appends = t[1].appends
        try #require(appends.count == messages.count, "\(t)")
        var refused: [String] = []
        for (i, reply) in appends.enumerated() where reply.typ != "OK" || !reply.resp.contains("[APPENDUID ") {
            refused.append("\(files[i]): \(reply.resp)")
        }
        #expect(refused.isEmpty, "APPEND refused: \(refused)")
        #expect(t[2].untagged("EXISTS") == ["\(messages.count)"], "\(t)")

        // In UID order, which is the order of the APPENDs.
        let fetched = t[3].messages
        try #require(fetched.count == messages.count, "\(t)")
        var wrongBody: [String] = [], wrongSize: [String] = []
        for (i, message) in fetched.enumerated() {
            #expect(message.uid == i + 1 && message.seq == i + 1, "\(files[i]): UID \(message.uid)")
            if message.body != Self.asFetched(messages[i]) { wrongBody.append("\(files[i]) (\(message.body.count) octets)") }
            if message.size != message.body.count { wrongSize.append("\(files[i]): RFC822.SIZE \(message.size), BODY[] \(message.body.count)") }
        }
        #expect(wrongBody.isEmpty, "BODY[] differs from the appended message (CRLF form): \(wrongBody)")
        #expect(wrongSize.isEmpty, "RFC822.SIZE is not the length of BODY[]: \(wrongSize)")

        // On disk: exactly the octets appended, one file each.
        let stored = try server.folderMessages("user@example.com", "INBOX")
        let order: ([UInt8], [UInt8]) -> Bool = { $0.lexicographicallyPrecedes($1) }
        #expect(stored.count == messages.count)
        #expect(stored.sorted(by: order) == messages.sorted(by: order), "the Maildir files are not the appended octets")
    }

    @Test func lineEndsAndNULs() async throws {
        let lfOnly = Array("From: a@example.net\nSubject: lf\n\nline 1\nline 2\n".utf8)
        let mixed = Array("From: a@example.net\r\nSubject: mixed\n\r\nline 1\nline 2\r\nbare\rCR\r\nno end".utf8)
        let nul = Array("From: a@example.net\r\nSubject: nul\r\n\r\na\u{0}b\r\n".utf8)
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append_all", "INBOX", [base64(lfOnly), base64(mixed), base64(nul)]],
                                       ["cmd", "APPEND", "INBOX", ["literal64": base64(nul)]],
                                       ["select", "INBOX"], ["fetch_all", "1:*"],
                                       ["cmd", "FETCH", "3", "(BINARY.PEEK[] BINARY.SIZE[])"]])
        #expect(t[1].appends.map(\.typ) == ["OK", "OK", "OK"], "\(t)")
        #expect(t[2].typ == "BAD" || t[2].typ == "NO", "NUL in a plain literal: \(t)")
        let fetched = t[4].messages
        try #require(fetched.count == 3, "\(t)")
        #expect(fetched[0].body == Array("From: a@example.net\r\nSubject: lf\r\n\r\nline 1\r\nline 2\r\n".utf8), "\(fetched[0].body.text)")
        #expect(fetched[1].body == Array("From: a@example.net\r\nSubject: mixed\r\n\r\nline 1\r\nline 2\r\nbare\rCR\r\nno end".utf8),
                "\(fetched[1].body.text)")
        #expect(fetched[2].body == Self.asFetched(nul) && fetched[2].body.contains(0x80), "NUL sent as 0x80: \(fetched[2].body)")
        for m in fetched { #expect(m.size == m.body.count, "\(m.uid): \(m.size) vs \(m.body.count)") }
        #expect(try server.folderMessages("user@example.com", "INBOX").sorted { $0.lexicographicallyPrecedes($1) }
                == [lfOnly, mixed, nul].sorted { $0.lexicographicallyPrecedes($1) }, "stored exactly as appended")
        // BINARY keeps the NUL and sends it as a literal8 (RFC 3516 §4.3).
        #expect(t[5].literals("FETCH").first == nul, "\(t[5].wire)")
        #expect(t[5].wire.first?.contains("BINARY[] ~{\(nul.count)}") == true, "\(t[5].wire)")
    }
}
