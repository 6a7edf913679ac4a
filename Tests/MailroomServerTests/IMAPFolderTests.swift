// IMAP folder commands end to end over loopback with Python's imaplib against the real server
// in-process: LIST with "*" and "%" (RFC 3501 §6.3.8), CHILDREN (RFC 3348) and SPECIAL-USE
// (RFC 6154) attributes on INBOX and the Sent/Drafts/Junk/Trash folders, LIST-EXTENDED and
// LIST-STATUS return options (RFC 5258, RFC 5819), CREATE of a nested name and of a modified
// UTF-7 one (§5.1.3), RENAME (§6.3.5) with a folder's messages, DELETE (§6.3.4), SUBSCRIBE /
// UNSUBSCRIBE / LSUB (§6.3.6–9), STATUS (§6.3.10, STATUS=SIZE of RFC 8438), NAMESPACE
// (RFC 2342), and what INBOX may not do. The hierarchy delimiter is "." and folders are
// Maildir++ directories ".A.B", checked on disk.

import Foundation
import Testing

@Suite(.serialized) struct IMAPFolderTests {
    static let message = Array("From: a@example.net\r\nSubject: folder test\r\n\r\nbody\r\n".utf8)

    @Test func defaultFoldersListed() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["cmd", "LIST", "\"\"", "\"*\""], ["cmd", "LSUB", "\"\"", "\"*\""],
                                       ["cmd", "NAMESPACE"], ["cmd", "LIST", "\"\"", "\"\""],
                                       ["cmd", "LIST", "(SPECIAL-USE)", "\"\"", "\"*\""]])
        #expect(t[1].untagged("LIST") == ["(\\HasNoChildren) \".\" INBOX", "(\\HasNoChildren \\Drafts) \".\" Drafts",
                                          "(\\HasNoChildren \\Junk) \".\" Junk", "(\\HasNoChildren \\Sent) \".\" Sent",
                                          "(\\HasNoChildren \\Trash) \".\" Trash"], "\(t)")
        #expect(Set(t[2].untagged("LSUB").map { $0.split(separator: " ").last.map(String.init) ?? "" }) == ["INBOX", "Drafts", "Junk", "Sent", "Trash"], "\(t)")
        #expect(t[3].untagged("NAMESPACE") == ["((\"\" \".\")) NIL NIL"], "\(t)")
        #expect(t[4].untagged("LIST") == ["(\\Noselect) \".\" \"\""], "the delimiter query (RFC 3501 §6.3.8): \(t)")
        #expect(t[5].untagged("LIST").count == 4 && !t[5].untagged("LIST").contains { $0.hasSuffix(" INBOX") }, "\(t)")
    }

    @Test func createRenameDelete() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let none = NSNull()
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["cmd", "CREATE", "Work.Projects"],                       // 1
                                       ["cmd", "CREATE", "Entw&APw-rfe"],                        // 2 "Entwürfe"
                                       ["cmd", "LIST", "\"\"", "\"*\""],                         // 3
                                       ["cmd", "LIST", "\"\"", "\"%\""],                         // 4
                                       ["cmd", "LIST", "\"\"", "\"Work.%\""],                    // 5
                                       ["append", "Work.Projects", "(\\Flagged)", none, base64(Self.message)],  // 6
                                       ["cmd", "RENAME", "Work.Projects", "Work.Archive"],       // 7
                                       ["cmd", "STATUS", "Work.Archive", "(MESSAGES UNSEEN SIZE)"],  // 8
                                       ["cmd", "STATUS", "Work.Projects", "(MESSAGES)"],         // 9
                                       ["cmd", "CREATE", "Work.Archive"],                        // 10
                                       ["cmd", "DELETE", "Work.Archive"],                        // 11
                                       ["cmd", "DELETE", "Entw&APw-rfe"],                        // 12
                                       ["cmd", "LIST", "\"\"", "\"*\""],                         // 13
                                       ["cmd", "CREATE", "INBOX"], ["cmd", "DELETE", "INBOX"],   // 14, 15
                                       ["cmd", "DELETE", "Nope"], ["select", "Nope"],            // 16, 17
                                       ["cmd", "CREATE", "Bad&Name"]])                           // 18
        for i in [1, 2, 7, 11, 12] { #expect(t[i].ok, "step \(i): \(t)") }
        let list = t[3].untagged("LIST")
        #expect(list.contains("(\\HasNoChildren) \".\" Work.Projects") && list.contains("(\\HasNoChildren) \".\" Entw&APw-rfe"), "\(list)")
        #expect(list.contains { $0.hasSuffix("\".\" Work") && $0.contains("\\HasChildren") }, "the parent is listed: \(list)")
        #expect(!t[4].untagged("LIST").contains { $0.hasSuffix("Work.Projects") } && t[4].untagged("LIST").contains { $0.hasSuffix(" Work") }, "\(t)")
        #expect(t[5].untagged("LIST") == ["(\\HasNoChildren) \".\" Work.Projects"], "\(t)")
        #expect(t[8].untagged("STATUS") == ["Work.Archive (MESSAGES 1 UNSEEN 1 SIZE \(Self.message.count))"], "\(t)")
        #expect(t[9].typ == "NO", "the old name is gone: \(t)")
        #expect(t[10].typ == "NO" && t[10].resp.contains("[ALREADYEXISTS]"), "\(t)")
        #expect(t[13].untagged("LIST").count == 5, "only the default folders are left: \(t)")
        #expect(t[14].typ == "NO" && t[15].typ == "NO", "\(t)")
        #expect(t[16].typ == "NO" && t[16].resp.contains("[NONEXISTENT]") && t[17].typ == "NO", "\(t)")
        #expect(!t[18].ok, "not modified UTF-7: \(t)")

        // On disk: Maildir++ directories; the renamed folder kept its message and its flag.
        let root = try server.maildir("user@example.com")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        #expect(!entries.contains(".Work.Projects") && !entries.contains(".Work.Archive") && !entries.contains(".Entwürfe"), "\(entries)")
    }

    @Test func renameKeepsMessagesOnDisk() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["cmd", "CREATE", "Old"],
                                       ["append", "Old", "(\\Flagged)", NSNull(), base64(Self.message)],
                                       ["cmd", "RENAME", "Old", "New.Sub"], ["select", "New.Sub"], ["cmd", "FETCH", "1", "(FLAGS BODY.PEEK[])"]])
        #expect(t[3].ok && t[4].untagged("EXISTS") == ["1"], "\(t)")
        #expect(t[5].literals("FETCH") == [Self.message] && t[5].untagged("FETCH").first?.contains("\\Flagged") == true, "\(t)")
        #expect(try server.folderMessages("user@example.com", "New.Sub") == [Self.message])
        #expect(try server.folderFileNames("user@example.com", "New.Sub").map(maildirFlagLetters) == ["F"])
        #expect(try server.folderFileNames("user@example.com", "Old").isEmpty)
    }

    @Test func subscriptions() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["cmd", "CREATE", "Lists.Swift"],
                                       ["cmd", "SUBSCRIBE", "Lists.Swift"], ["cmd", "LSUB", "\"\"", "\"Lists*\""],
                                       ["cmd", "LIST", "(SUBSCRIBED)", "\"\"", "\"Lists*\""],
                                       ["cmd", "LSUB", "\"\"", "\"%\""],
                                       ["cmd", "LIST", "(SUBSCRIBED RECURSIVEMATCH)", "\"\"", "\"%\""],
                                       ["cmd", "UNSUBSCRIBE", "Lists.Swift"], ["cmd", "LSUB", "\"\"", "\"Lists*\""],
                                       ["cmd", "UNSUBSCRIBE", "Trash"], ["cmd", "LSUB", "\"\"", "\"*\""]])
        #expect(t[2].ok && t[3].untagged("LSUB").contains("() \".\" Lists.Swift"), "\(t)")
        #expect(t[4].untagged("LIST") == ["(\\HasNoChildren \\Subscribed) \".\" Lists.Swift"], "\(t)")
        // "%" stops at the unsubscribed parent, which is listed \Noselect (RFC 3501 §6.3.9).
        #expect(t[5].untagged("LSUB").contains("(\\Noselect) \".\" Lists"), "\(t)")
        let recursive = t[6].untagged("LIST")
        #expect(recursive.contains { $0.hasPrefix("(\\Noselect \\HasChildren) \".\" Lists") && $0.hasSuffix("(\"CHILDINFO\" (\"SUBSCRIBED\"))") }, "\(t)")
        // RFC 3501 §6.3.9: an unsubscribed parent is listed \Noselect only for a "%" pattern.
        #expect(t[3].untagged("LSUB") == ["() \".\" Lists.Swift"], "\(t)")
        // RFC 5258 §3.5: CHILDINFO only for a folder with subscribed children (INBOX has none).
        #expect(recursive.contains("(\\HasNoChildren \\Subscribed) \".\" INBOX"), "\(t)")
        #expect(t[7].ok && t[8].untagged("LSUB").isEmpty, "\(t)")
        #expect(t[9].ok && !t[10].untagged("LSUB").contains { $0.hasSuffix(" Trash") }, "\(t)")
    }

    @Test func statusAndListStatus() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let none = NSNull()
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append", "INBOX", "(\\Seen)", none, base64(Self.message)],
                                       ["append", "INBOX", none, none, base64(Self.message)],
                                       ["append", "Sent", "(\\Seen)", none, base64(Self.message)],
                                       ["cmd", "STATUS", "INBOX", "(MESSAGES UIDNEXT UNSEEN SIZE)"],
                                       ["cmd", "LIST", "\"\"", "\"*\"", "RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))"]])
        #expect(t[4].untagged("STATUS") == ["INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 1 SIZE \(2 * Self.message.count))"], "\(t)")
        let status = t[5].untagged("STATUS")
        #expect(status.contains("INBOX (MESSAGES 2 UNSEEN 1)") && status.contains("Sent (MESSAGES 1 UNSEEN 0)")
                && status.contains("Trash (MESSAGES 0 UNSEEN 0)"), "\(t)")
        #expect(t[5].untagged("LIST").contains("(\\HasNoChildren \\Sent) \".\" Sent"), "\(t)")
    }
}
