// IMAP4rev2 (RFC 9051) end to end over loopback with Python's imaplib against the real server
// in-process: IMAP4rev2 announced beside IMAP4rev1, `ENABLE IMAP4rev2` answered `* ENABLED
// IMAP4rev2`, then SELECT with the mailbox's LIST and without RECENT, SEARCH answered with
// ESEARCH and the command's tag, no \Recent in FETCH, STATUS RECENT refused and STATUS DELETED
// and SIZE answered — while a second connection that did not enable it on the same mailbox
// keeps IMAP4rev1's answers (RECENT, UNSEEN, SEARCH) and is refused ENABLE IMAP4rev2 once a
// mailbox is selected. Both get BAD for an unknown system flag in STORE and APPEND.

import Foundation
import Testing

@Suite(.serialized) struct IMAP4rev2Tests {
    static func stored(_ n: Int) -> [UInt8] {
        Array("From: a@example.net\r\nSubject: message \(n)\r\n\r\nbody \(n)\r\n".utf8)
    }

    @Test func rev2AndRev1SessionsSideBySide() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", (1...3).map(Self.stored))
        let t = try await server.imap([["capability"], ServerHarness.imapLogin(),
                                       ["cmd", "ENABLE", "IMAP4rev2"],                               // 2
                                       ["cmd", "SELECT", "INBOX"],                                   // 3
                                       ["cmd", "SEARCH", "ALL"],                                     // 4
                                       ["cmd", "UID", "SEARCH", "2:*"],                              // 5
                                       ["cmd", "FETCH", "1:*", "(UID FLAGS)"],                       // 6
                                       ["cmd", "STATUS", "INBOX", "(RECENT)"],                       // 7
                                       ["cmd", "STORE", "1", "+FLAGS", "(\\Deleted)"],              // 8
                                       ["cmd", "STATUS", "Sent", "(MESSAGES DELETED SIZE)"],         // 9
                                       ["cmd", "STORE", "2", "+FLAGS", "(\\Bogus)"],                 // 10
                                       ["@1", "connect", server.imapPort, "none"],                   // 11
                                       ["@1", "login", "user@example.com", ServerHarness.password],
                                       ["@1", "cmd", "SELECT", "INBOX"],                             // 13
                                       ["@1", "cmd", "SEARCH", "ALL"],                               // 14
                                       ["@1", "cmd", "ENABLE", "IMAP4rev2"],                         // 15
                                       ["@1", "cmd", "STATUS", "INBOX", "(MESSAGES RECENT DELETED)"],  // 16
                                       ["@1", "append", "INBOX", "(\\Bogus)", NSNull(), base64(Self.stored(4))],  // 17
                                       ["cmd", "NOOP"]])                                             // 18
        #expect(Array(t[0].caps.prefix(2)) == ["IMAP4rev1", "IMAP4rev2"], "\(t)")
        #expect(t[1].ok && t[1].resp.hasPrefix("[CAPABILITY IMAP4rev1 IMAP4rev2 "), "\(t)")
        #expect(t[2].ok && t[2].untagged("ENABLED") == ["IMAP4rev2"], "\(t)")

        // IMAP4rev2: LIST instead of RECENT and UNSEEN; ESEARCH with the tag; no \Recent.
        let select = t[3].untaggedLines
        #expect(t[3].ok && select.contains("LIST (\\HasNoChildren) \".\" INBOX") && select.contains("3 EXISTS"), "\(t)")
        #expect(!select.contains { $0.contains("RECENT") || $0.contains("UNSEEN") }, "\(t)")
        let search = t[4].untaggedLines
        #expect(search.count == 1 && search[0].hasPrefix("ESEARCH (TAG \"") && search[0].hasSuffix("\") ALL 1:3"), "\(t)")
        #expect(t[4].wire.last.map { search[0].contains("\"\($0.split(separator: " ")[0])\"") } == true, "the tag is the SEARCH's: \(t)")
        #expect(t[5].untaggedLines.first?.hasSuffix(") UID ALL 2:3") == true, "\(t)")
        #expect(t[6].untagged("FETCH") == ["1 (UID 1 FLAGS ())", "2 (UID 2 FLAGS ())", "3 (UID 3 FLAGS ())"], "\(t)")
        #expect(t[7].typ == "BAD" && t[7].resp.contains("RECENT is not an IMAP4rev2 STATUS item"), "\(t)")
        #expect(t[8].ok && t[8].untagged("FETCH") == ["1 (FLAGS (\\Deleted))"], "\(t)")
        #expect(t[9].untagged("STATUS") == ["Sent (MESSAGES 0 DELETED 0 SIZE 0)"], "\(t)")
        #expect(t[10].typ == "BAD" && t[10].resp.contains("Invalid system flag") && t[10].resp.contains("Bogus"), "\(t)")

        // IMAP4rev1 on the same mailbox: RECENT, UNSEEN and SEARCH as before.
        let rev1 = t[13].untaggedLines
        #expect(t[13].ok && rev1.contains("3 EXISTS") && rev1.contains("3 RECENT") && !rev1.contains { $0.hasPrefix("LIST") },
                "the IMAP4rev2 session claimed no \\Recent: \(t)")
        #expect(rev1.contains { $0.hasPrefix("OK [UNSEEN 1]") }, "\(t)")
        #expect(t[14].untaggedLines == ["SEARCH 1 2 3"], "\(t)")
        #expect(t[15].typ == "BAD" && t[15].resp.contains("only allowed before a mailbox is selected"), "\(t)")
        #expect(t[16].untagged("STATUS") == ["INBOX (MESSAGES 3 RECENT 0 DELETED 1)"], "claimed by the rev1 SELECT: \(t)")
        #expect(t[17].typ == "BAD" && t[17].resp.contains("Invalid system flag") && t[17].resp.contains("Bogus"), "\(t)")
        #expect(try server.folderFileNames("user@example.com", "INBOX").count == 3, "the APPEND stored nothing")
        #expect(t[18].ok && !t[18].untaggedLines.contains { $0.contains("RECENT") }, "\(t)")
    }
}
