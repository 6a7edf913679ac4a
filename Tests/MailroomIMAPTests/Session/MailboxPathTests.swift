// MailboxPathTests.swift — tests for Mailbox/MailboxPath.swift: modified UTF-7 and UTF-8 names
// to folder paths and back, INBOX in any case, strict refusal of bad encodings, and LIST
// pattern matching ("*", "%", INBOX case) including a hostile pattern.

import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: names and patterns")
struct MailboxPathTests {
    @Test("names map to folder paths and back, in modified UTF-7 or UTF-8")
    func roundTrip() throws {
        let path = try MailboxPath.folder(Array("Archive.Entw&APw-rfe".utf8), utf8Enabled: false)
        #expect(path == FolderPath(["Archive", "Entwürfe"]))
        #expect(MailboxPath.name(of: path, utf8Enabled: false) == Array("Archive.Entw&APw-rfe".utf8))
        #expect(MailboxPath.name(of: path, utf8Enabled: true) == Array("Archive.Entwürfe".utf8))
        let chinese = try MailboxPath.folder(Array("已发送".utf8), utf8Enabled: true)
        #expect(chinese == FolderPath(["已发送"]))
        #expect(String(decoding: MailboxPath.name(of: chinese, utf8Enabled: false), as: UTF8.self) == "&XfJT0ZAB-")
        #expect(try MailboxPath.folder(Array("&XfJT0ZAB-".utf8), utf8Enabled: true) == chinese)
    }

    @Test("INBOX is case-insensitive; a trailing delimiter names the folder itself")
    func inboxAndTrailingDelimiter() throws {
        #expect(try MailboxPath.folder(Array("inBox".utf8), utf8Enabled: false) == .inbox)
        #expect(MailboxPath.name(of: .inbox, utf8Enabled: true) == Array("INBOX".utf8))
        #expect(try MailboxPath.folder(Array("a.b.".utf8), utf8Enabled: false) == FolderPath(["a", "b"]))
    }

    @Test("bad encodings and empty levels are refused with the reason")
    func refusals() {
        #expect(throws: MailboxPath.NameError.self) { try MailboxPath.folder(Array("Entwürfe".utf8), utf8Enabled: false) }
        #expect(throws: MailboxPath.NameError.notUTF8) { try MailboxPath.folder([0xC3, 0x28], utf8Enabled: true) }
        #expect(throws: MailboxPath.NameError.emptyComponent) { try MailboxPath.folder(Array("a..b".utf8), utf8Enabled: false) }
        #expect(throws: MailboxPath.NameError.self) { try MailboxPath.folder(Array("&Jjo".utf8), utf8Enabled: false) }
    }

    @Test("LIST patterns: * crosses levels, % does not, INBOX in any case")
    func patterns() {
        let star = MailboxPath.Pattern("*")
        #expect(star.matches("INBOX") && star.matches("a.b.c"))
        let percent = MailboxPath.Pattern("%")
        #expect(percent.matches("Sent") && !percent.matches("a.b"))
        #expect(MailboxPath.Pattern("a.%").matches("a.b") && !MailboxPath.Pattern("a.%").matches("a.b.c"))
        #expect(MailboxPath.Pattern("a*c").matches("abc.xc") && !MailboxPath.Pattern("a*c").matches("abd"))
        #expect(MailboxPath.Pattern("inbox").matches("INBOX"))
        #expect(MailboxPath.Pattern("InBox%").matches("INBOX"))
        #expect(!MailboxPath.Pattern("inboxes").matches("INBOX"))
        #expect(MailboxPath.Pattern("").matches("") && !MailboxPath.Pattern("").matches("a"))
    }

    @Test("a hostile pattern against a long name answers at once")
    func hostilePattern() {
        let pattern = MailboxPath.Pattern(String(repeating: "*a", count: 200) + "b")
        let name = String(repeating: "a", count: 2000)
        #expect(!pattern.matches(name))
    }
}
