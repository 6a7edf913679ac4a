// NameAndFlagTests.swift — Grammar/MailboxName.swift, MailboxAttribute.swift and Flag.swift:
// INBOX normalisation, case-insensitive attributes, system flags and keywords.

@testable import MailroomIMAP
import Testing

@Suite("Grammar: mailbox names, attributes and flags")
struct NameAndFlagTests {
    @Test("INBOX in any case is INBOX (RFC 3501 §5.1); other names keep their case and octets")
    func inbox() {
        for name in ["INBOX", "inbox", "InBoX"] {
            #expect(MailboxName(name) == .inbox)
            #expect(MailboxName(name).isInbox)
        }
        #expect(MailboxName("Inbox2").bytes == Array("Inbox2".utf8))
        #expect(MailboxName("inbox/Sub").bytes == Array("inbox/Sub".utf8), "only the whole name is normalised")
        #expect(MailboxName([0xFF, 0x00]).bytes == [0xFF, 0x00])
    }

    @Test("mailbox attributes compare without case and keep their RFC spelling")
    func attributes() {
        #expect(MailboxAttribute("haschildren") == .hasChildren)
        #expect(MailboxAttribute("haschildren").description == "\\HasChildren")
        #expect(MailboxAttribute("X-Mine").description == "\\X-Mine")
        #expect(Set([MailboxAttribute("SENT"), .sent]).count == 1)
        #expect(MailboxAttribute.specialUse.contains(MailboxAttribute("trash")))
    }

    @Test("flags: system flags in any case, keywords as sent, \\* and invalid ones")
    func flags() {
        #expect(Flag("\\seen") == .seen)
        #expect(Flag("\\RECENT") == .recent)
        #expect(Flag("\\*") == .wildcard)
        #expect(Flag("$Forwarded") == .keyword("$Forwarded"))
        #expect(Flag("\\Custom") == .extension("Custom"))
        #expect(Flag("two words") == nil)
        #expect(Flag("\\") == nil)
        #expect(Flag("") == nil)
        #expect(Flag("k(") == nil)
        #expect(!Flag.keyword("bad word").isWritable)
        var buffer = IMAPEncodeBuffer()
        Flag.writeList([.seen, .keyword("bad word"), .keyword("$ok"), .wildcard], to: &buffer)
        #expect(String(decoding: buffer.bytes, as: UTF8.self) == "(\\Seen $ok \\*)")
    }
}
