// IMAP message commands end to end over loopback with Python's imaplib against the real server
// in-process: SELECT and EXAMINE (RFC 3501 §6.3.1–2, CONDSTORE's HIGHESTMODSEQ), APPEND with
// flags and an internal date (§6.3.11, APPENDUID of RFC 4315, TRYCREATE), FETCH of FLAGS,
// INTERNALDATE, RFC822.SIZE, BODY[], BODY.PEEK[HEADER] and BODYSTRUCTURE (§6.4.5, §7.4.2),
// STORE in its six forms (§6.4.6) with the flags checked in the Maildir file names too, SEARCH
// (§6.4.4) with CHARSET UTF-8 and a literal (Chinese in a subject, in an 8-bit body, and in a
// GBK body sent as base64, found by 发票), ESEARCH and SEARCHRES (RFC 4731, RFC 5182), COPY
// and MOVE with COPYUID (RFC 4315, RFC 6851) and EXPUNGE / UID EXPUNGE.

import Foundation
import Testing

@Suite(.serialized) struct IMAPMessageTests {
    static let hello = Array("From: Alice <a@example.net>\r\nTo: user@example.com\r\nSubject: hello\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\nBody line.\r\n".utf8)

    /// A multipart message: an 8-bit UTF-8 text part with Chinese in it, and a base64 attachment.
    static let multipart = Array(("From: a@example.net\r\nTo: user@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n这是中文测试 body\r\n"
        + "--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b1--\r\n").utf8)

    /// A subject in RFC 2047 UTF-8 ("中文测试").
    static let chineseSubject = Array("From: x@example.net\r\nTo: user@example.com\r\nSubject: =?UTF-8?B?5Lit5paH5rWL6K+V?=\r\n\r\nplain text\r\n".utf8)

    /// A GBK text body in base64: "您好，这是发票编号 2024-001 的通知。" ("发票" is GBK B7 A2 C6 B1).
    static let gbkInvoice = Array(("From: x@example.net\r\nTo: user@example.com\r\nSubject: invoice\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + "xPq6w6Os1eLKx7eixrGx4LrFIDIwMjQtMDAxILXEzajWqqGj\r\n").utf8)

    static func header(of message: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = [13, 10, 13, 10]
        for i in 0..<(message.count - 3) where Array(message[i..<(i + 4)]) == separator { return Array(message[..<(i + 4)]) }
        return message
    }

    /// "17-Jul-1996 09:44:25 +0000" → the instant.
    static func internalDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "d-MMM-yyyy HH:mm:ss Z"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }

    @Test func appendWithFlagsAndDateThenFetch() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append", "INBOX", "(\\Seen $Label1)", "\"17-Jul-1996 02:44:25 -0700\"", base64(Self.hello)],
                                       ["append", "INBOX", NSNull(), NSNull(), base64(Self.multipart)],
                                       ["select", "INBOX"],
                                       ["cmd", "FETCH", "1", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER] BODYSTRUCTURE)"],
                                       ["cmd", "FETCH", "2", "(BODYSTRUCTURE BODY.PEEK[1] BODY.PEEK[2.MIME])"],
                                       ["cmd", "FETCH", "2", "(FLAGS)"],
                                       ["cmd", "FETCH", "2", "(BODY[])"],
                                       ["cmd", "UID", "FETCH", "1:*", "(FLAGS)"]])
        // APPENDUID: the UID validity of the INBOX and UIDs 1 and 2.
        #expect(t[1].ok && t[1].resp.hasPrefix("[APPENDUID ") && t[1].resp.contains(" 1] "), "\(t)")
        #expect(t[2].ok && t[2].resp.contains(" 2] "), "\(t)")
        let validity = t[1].resp.split(separator: " ")[1]
        #expect(t[3].untagged("UIDVALIDITY") == [String(validity)], "\(t)")
        #expect(t[3].untagged("EXISTS") == ["2"] && t[3].untagged("UIDNEXT") == ["3"], "\(t)")
        #expect(t[3].untagged("UNSEEN") == ["2"], "the second message is the first unseen: \(t)")
        #expect(t[3].untagged("FLAGS").first?.contains("$Label1") == true, "the keyword is a defined flag now: \(t)")
        #expect(t[3].untagged("PERMANENTFLAGS").first?.contains("\\*") == true, "\(t)")
        #expect(!t[3].untagged("HIGHESTMODSEQ").isEmpty, "CONDSTORE: \(t)")
        #expect(t[3].untagged("READ-WRITE") == [""], "\(t)")

        let first = withoutRecent(t[4].untagged("FETCH").joined())
        #expect(first.contains("FLAGS (\\Seen $Label1)"), "\(t)")
        #expect(first.contains("RFC822.SIZE \(Self.hello.count) "), "\(t)")
        let date = first.range(of: "INTERNALDATE \"").map { first[$0.upperBound...].prefix { $0 != "\"" } }.map(String.init) ?? ""
        #expect(Self.internalDate(date) == Self.internalDate("17-Jul-1996 02:44:25 -0700"), "the same instant: \(date)")
        #expect(t[4].literals("FETCH") == [Self.header(of: Self.hello)], "\(t)")
        #expect(first.contains("BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL NIL NIL)"), "\(t)")

        // The multipart message: its structure, a part's content, a part's MIME header.
        let second = t[5].untagged("FETCH").joined()
        // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1): 23 octets, 0 lines.
        let textPart = "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" \(Array("这是中文测试 body".utf8).count) 0 NIL NIL NIL NIL)"
        let attachment = "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") NIL NIL \"base64\" 8 NIL (\"attachment\" (\"filename\" \"a.bin\")) NIL NIL)"
        #expect(second.contains("BODYSTRUCTURE (\(textPart)\(attachment) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL)"), "\(second)")
        #expect(t[5].literals("FETCH") == [Array("这是中文测试 body".utf8),
                                           Array("Content-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)],
                "\(t[5].literals("FETCH").map(\.text))")
        #expect(t[6].untagged("FETCH").map(withoutRecent) == ["2 (FLAGS ())"], "BODY.PEEK does not set \\Seen: \(t)")
        #expect(t[7].literals("FETCH") == [Self.multipart], "\(t)")
        #expect(withoutRecent(t[7].wire.joined()).contains("FLAGS (\\Seen)"), "BODY[] sets \\Seen and says so: \(t)")
        #expect(t[8].untagged("FETCH").map(withoutRecent) == ["1 (UID 1 FLAGS (\\Seen $Label1))", "2 (UID 2 FLAGS (\\Seen))"], "\(t)")
    }

    @Test func appendToMissingMailboxSaysTryCreate() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(), ["append", "Nope", NSNull(), NSNull(), base64(Self.hello)],
                                       ["append", "INBOX", "(\\Bogus)", NSNull(), base64(Self.hello)],
                                       ["select", "INBOX"], ["cmd", "FETCH", "1:*", "(FLAGS)"]])
        #expect(t[1].typ == "NO" && t[1].resp.hasPrefix("[TRYCREATE]"), "\(t)")
        // An unknown system flag is BAD, as Dovecot answers, and nothing is stored (RFC 3501 §9
        // flag-extension: none is defined, so none can be kept).
        #expect(t[2].typ == "BAD" && t[2].resp.contains("Invalid system flag"), "\(t)")
        #expect(try server.folderFileNames("user@example.com", "INBOX").isEmpty, "neither APPEND stored")
        #expect(!t[4].wire.joined().contains("Bogus"), "\(t)")
    }

    @Test func storeFormsAndMaildirFlags() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append", "INBOX", NSNull(), NSNull(), base64(Self.hello)],
                                       ["append", "INBOX", "(\\Seen)", NSNull(), base64(Self.hello)],
                                       ["select", "INBOX"],
                                       ["cmd", "STORE", "1:2", "+FLAGS", "(\\Flagged)"],
                                       ["cmd", "STORE", "2", "-FLAGS", "(\\Seen)"],
                                       ["cmd", "STORE", "1", "FLAGS", "(\\Answered \\Seen $Forwarded)"],
                                       ["cmd", "STORE", "2", "+FLAGS.SILENT", "(\\Draft)"],
                                       ["cmd", "UID", "STORE", "2", "-FLAGS.SILENT", "(\\Flagged)"],
                                       ["cmd", "FETCH", "1:2", "(FLAGS)"],
                                       ["cmd", "SEARCH", "FLAGGED"], ["cmd", "SEARCH", "UNSEEN"], ["cmd", "SEARCH", "KEYWORD", "$Forwarded"]])
        #expect(t[4].untagged("FETCH").map(withoutRecent) == ["1 (FLAGS (\\Flagged))", "2 (FLAGS (\\Flagged \\Seen))"], "\(t)")
        #expect(t[5].untagged("FETCH").map(withoutRecent) == ["2 (FLAGS (\\Flagged))"], "\(t)")
        #expect(t[6].untagged("FETCH").count == 1 && t[6].untagged("FETCH")[0].hasPrefix("1 (FLAGS ("), "\(t)")
        #expect(t[7].ok && t[7].untagged("FETCH").isEmpty, ".SILENT sends no FETCH: \(t)")
        #expect(t[8].ok && t[8].untagged("FETCH").isEmpty, "\(t)")
        let flags = t[9].untagged("FETCH").map(withoutRecent)
        #expect(flags.count == 2, "\(t)")
        for flag in ["\\Answered", "\\Seen", "$Forwarded"] { #expect(flags.first?.contains(flag) == true, "\(flags)") }
        #expect(flags.first?.contains("\\Flagged") == false, "\(flags)")
        #expect(flags.last == "2 (FLAGS (\\Draft))", "\(flags)")
        #expect(t[10].untagged("SEARCH") == [""], "nothing flagged any more: \(t)")
        #expect(t[11].untagged("SEARCH") == ["2"] && t[12].untagged("SEARCH") == ["1"], "\(t)")

        // The Maildir file names carry the flags (maildir(5): D, F, R, S, T; keywords as letters).
        let names = try server.folderFileNames("user@example.com", "INBOX")
        let letters = names.map(maildirFlagLetters)
        #expect(names.count == 2, "\(names)")
        #expect(letters.contains { $0.contains("R") && $0.contains("S") && !$0.contains("F") }, "\(names)")
        #expect(letters.contains { $0.hasPrefix("D") && !$0.contains("S") && !$0.contains("F") }, "\(names)")
    }

    @Test func examineIsReadOnly() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append", "INBOX", NSNull(), NSNull(), base64(Self.hello)],
                                       ["examine", "INBOX"], ["cmd", "FETCH", "1", "(BODY[])"], ["cmd", "STORE", "1", "+FLAGS", "(\\Seen)"],
                                       ["cmd", "EXPUNGE"], ["select", "INBOX"], ["cmd", "FETCH", "1", "(FLAGS)"]])
        #expect(t[2].ok && t[2].untagged("READ-ONLY") == [""], "\(t)")
        #expect(t[3].literals("FETCH") == [Self.hello], "\(t)")
        #expect(!t[3].wire.joined().contains("\\Seen"), "BODY[] in EXAMINE sets no flag: \(t)")
        #expect(!t[4].ok && !t[5].ok, "\(t)")
        #expect(t[7].untagged("FETCH").map(withoutRecent) == ["1 (FLAGS ())"], "\(t)")
    }

    @Test func searchCharsetsAndReturnOptions() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let none = NSNull()
        let t = try await server.imap([ServerHarness.imapLogin(),
                                       ["append", "INBOX", "(\\Flagged)", none, base64(Self.hello)],
                                       ["append", "INBOX", none, none, base64(Self.multipart)],
                                       ["append", "INBOX", none, none, base64(Self.chineseSubject)],
                                       ["append", "INBOX", none, none, base64(Self.gbkInvoice)],
                                       ["select", "INBOX"],
                                       ["cmd", "SEARCH", "CHARSET", "UTF-8", "TEXT", ["literal": "中文"]],
                                       ["cmd", "SEARCH", "CHARSET", "UTF-8", "SUBJECT", ["literal": "中文测试"]],
                                       ["cmd", "SEARCH", "CHARSET", "UTF-8", "BODY", ["literal": "中文测试"]],
                                       ["cmd", "SEARCH", "CHARSET", "UTF-8", "BODY", ["literal": "发票"]],
                                       ["cmd", "UID", "SEARCH", "CHARSET", "UTF-8", "TEXT", ["literal": "发票编号"]],
                                       ["cmd", "SEARCH", "CHARSET", "UTF-8", "TEXT", ["literal": "不存在"]],
                                       ["cmd", "SEARCH", "FROM", "alice", "SUBJECT", "hello"],
                                       ["cmd", "SEARCH", "OR", "FLAGGED", "SUBJECT", "invoice"],
                                       ["cmd", "SEARCH", "CHARSET", "X-NO-SUCH-CHARSET", "TEXT", "x"],
                                       ["cmd", "SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "NOT", "FLAGGED"],
                                       ["cmd", "SEARCH", "RETURN", "(SAVE)", "SUBJECT", "invoice"],
                                       ["cmd", "FETCH", "$", "(UID)"]])
        #expect(t[6].untagged("SEARCH") == ["2 3"], "TEXT 中文: the 8-bit body and the encoded subject: \(t)")
        #expect(t[7].untagged("SEARCH") == ["3"], "\(t)")
        #expect(t[8].untagged("SEARCH") == ["2"], "\(t)")
        #expect(t[9].untagged("SEARCH") == ["4"], "发票 in the GBK body, base64-encoded: \(t)")
        #expect(t[10].untagged("SEARCH") == ["4"], "\(t)")
        #expect(t[11].ok && t[11].untagged("SEARCH") == [""], "\(t)")
        #expect(t[12].untagged("SEARCH") == ["1"], "\(t)")
        #expect(t[13].untagged("SEARCH") == ["1 4"], "\(t)")
        #expect(t[14].typ == "NO" && t[14].resp.contains("[BADCHARSET"), "an unknown charset: \(t)")
        let esearch = t[15].untaggedLines.first { $0.hasPrefix("ESEARCH") } ?? ""
        for part in ["MIN 2", "MAX 4", "COUNT 3", "ALL 2:4"] { #expect(esearch.contains(part), "\(part): \(esearch)") }
        #expect(t[16].ok && t[16].untaggedLines.isEmpty, "SAVE alone returns nothing: \(t)")
        #expect(t[17].untagged("FETCH") == ["4 (UID 4)"], "\(t)")
    }

    @Test func copyMoveExpunge() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let none = NSNull()
        let messages = (1...4).map { Array("From: a@example.net\r\nSubject: message \($0)\r\n\r\nbody \($0)\r\n".utf8) }
        let t = try await server.imap([ServerHarness.imapLogin()] + messages.map { ["append", "INBOX", none, none, base64($0)] } + [
            ["select", "INBOX"],
            ["cmd", "UID", "COPY", "1:2", "Trash"],             // 6
            ["cmd", "COPY", "1", "Nope"],                       // 7
            ["cmd", "UID", "MOVE", "3", "Junk"],                // 8
            ["cmd", "STORE", "1", "+FLAGS.SILENT", "(\\Deleted)"],
            ["cmd", "EXPUNGE"],                                 // 10
            ["cmd", "STORE", "1:2", "+FLAGS.SILENT", "(\\Deleted)"],
            ["cmd", "UID", "EXPUNGE", "4"],                     // 12
            ["cmd", "STATUS", "Trash", "(MESSAGES UIDNEXT)"],   // 13
            ["select", "Junk"],                                 // 14
            ["cmd", "FETCH", "1", "(UID BODY.PEEK[])"],         // 15
            ["select", "INBOX"],                                // 16
            ["cmd", "UID", "FETCH", "1:*", "(FLAGS)"],          // 17
        ])
        let copyuid = t[6].untagged("COPYUID").first ?? ""
        #expect(t[6].ok && copyuid.hasSuffix(" 1:2 1:2"), "\(t)")
        #expect(t[7].typ == "NO" && t[7].resp.hasPrefix("[TRYCREATE]"), "\(t)")
        // MOVE: COPYUID in an untagged OK before the EXPUNGE (RFC 6851 §4.3).
        let move = t[8].untaggedLines
        #expect(move.count == 2 && move[0].hasPrefix("OK [COPYUID ") && move[0].contains(" 3 1]") && move[1] == "3 EXPUNGE", "\(t)")
        #expect(t[10].untaggedLines == ["1 EXPUNGE"], "\(t)")
        // UID EXPUNGE 4 removes only UID 4 (now message 2), not UID 2 though it is \Deleted too.
        #expect(t[12].untaggedLines == ["2 EXPUNGE"], "\(t)")
        #expect(t[13].untagged("STATUS") == ["Trash (MESSAGES 2 UIDNEXT 3)"], "\(t)")
        #expect(t[14].untagged("EXISTS") == ["1"], "\(t)")
        #expect(t[15].literals("FETCH") == [messages[2]], "\(t)")
        #expect(t[17].untagged("FETCH").map(withoutRecent) == ["1 (UID 2 FLAGS (\\Deleted))"], "\(t)")

        #expect(try server.folderMessages("user@example.com", "INBOX") == [messages[1]])
        #expect(try server.folderMessages("user@example.com", "Trash").sorted { $0.lexicographicallyPrecedes($1) } == [messages[0], messages[1]])
        #expect(try server.folderMessages("user@example.com", "Junk") == [messages[2]])
    }
}
