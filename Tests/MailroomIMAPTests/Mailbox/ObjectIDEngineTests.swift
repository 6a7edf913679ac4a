// ObjectIDEngineTests.swift — SAVEDATE (RFC 8514), OBJECTID (RFC 8474) and REPLACE (RFC 8508)
// in the mailbox engine, against MemoryStorage: the save date is when the message was stored
// here, not its internal date; MAILBOXID in CREATE, SELECT and STATUS, kept by RENAME; EMAILID
// kept by COPY, found by SEARCH EMAILID; THREADID NIL; REPLACE's responses in RFC 8508 §3.4's
// order, and every failure leaving the old message.

import Foundation
@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: SAVEDATE, OBJECTID and REPLACE")
struct ObjectIDEngineTests {
    static func message(_ n: Int) -> [UInt8] { Array("Subject: m\(n)\r\n\r\nbody \(n)\r\n".utf8) }

    /// Runs a command; returns the untagged responses and the tagged reply, as wire text.
    static func run(_ engine: IMAPMailboxEngine, _ command: IMAPCommand) -> (untagged: [String], reply: String) {
        var untagged: [String] = []
        let reply = engine.execute(tag: "a", command) { untagged += $0.map(\.encodedText) }
        return (untagged, reply.encodedText)
    }

    static func engine() throws -> (IMAPMailboxEngine, MemoryStorage) {
        let storage = MemoryStorage()
        for n in 1...3 {
            _ = try storage.append(.inbox, message: message(n), flags: [], keywords: [], internalDate: 1_000_000_000)
        }
        return (IMAPMailboxEngine(storage: storage, options: IMAPMailboxEngine.Options()), storage)
    }

    static func select(_ engine: IMAPMailboxEngine, _ name: String = "INBOX") -> [String] {
        run(engine, .select(MailboxName(name), parameters: [])).untagged
    }

    @Test("MAILBOXID: CREATE's code, SELECT's untagged OK and STATUS agree; RENAME keeps it")
    func mailboxID() throws {
        let (engine, _) = try Self.engine()
        let created = Self.run(engine, .create(MailboxName("Projects"), specialUse: [])).reply
        let id = try #require(created.firstMatch(of: /MAILBOXID \((M[0-9a-f]{32})\)/)?.1).description
        #expect(created.hasPrefix("a OK [MAILBOXID ("))
        #expect(Self.run(engine, .status(MailboxName("Projects"), [.mailboxID])).untagged == ["* STATUS Projects (MAILBOXID (\(id)))"])
        #expect(Self.select(engine, "Projects").contains("* OK [MAILBOXID (\(id))] Ok"))
        _ = Self.run(engine, .unselect)
        #expect(Self.run(engine, .rename(from: MailboxName("Projects"), to: MailboxName("Old"))).reply.hasPrefix("a OK"))
        #expect(Self.run(engine, .status(MailboxName("Old"), [.messages, .mailboxID])).untagged == ["* STATUS Old (MESSAGES 0 MAILBOXID (\(id)))"])
        let inbox = Self.run(engine, .status(.inbox, [.mailboxID])).untagged
        #expect(inbox.count == 1 && !inbox[0].contains(id))
    }

    @Test("SAVEDATE is when the message was stored, not its internal date; SEARCH SAVED* use it")
    func saveDate() throws {
        let (engine, _) = try Self.engine()
        _ = Self.select(engine)
        let fetched = Self.run(engine, .fetch(uid: false, ParserFixtures.set("1"), [.internalDate, .saveDate], modifiers: [])).untagged
        #expect(fetched.count == 1 && fetched[0].contains("INTERNALDATE \" 9-Sep-2001"))
        let today = IMAPDateTime(secondsSince1970: Int64(Date().timeIntervalSince1970))
        var buffer = IMAPEncodeBuffer()
        today.write(to: &buffer)
        let day = String(decoding: buffer.bytes, as: UTF8.self).dropFirst().prefix(11)   // "dd-Mmm-yyyy"
        #expect(fetched[0].contains("SAVEDATE \"\(day)"), "\(fetched[0])")

        func search(_ keys: [SearchKey]) -> [String] {
            Self.run(engine, .search(uid: false, returnOptions: nil, charset: nil, criteria: keys)).untagged
        }
        let date = try #require(IMAPDate(year: 2001, month: 9, day: 9))
        #expect(search([.on(date)]) == ["* SEARCH 1 2 3"])
        #expect(search([.savedOn(date)]) == ["* SEARCH"])
        #expect(search([.savedSince(date)]) == ["* SEARCH 1 2 3"])
        #expect(search([.savedBefore(date)]) == ["* SEARCH"])
        #expect(search([.saveDateSupported]) == ["* SEARCH 1 2 3"])
    }

    @Test("EMAILID is kept by COPY and found by SEARCH EMAILID; THREADID is NIL and matches nothing")
    func emailID() throws {
        let (engine, _) = try Self.engine()
        _ = Self.run(engine, .create(MailboxName("Archive"), specialUse: []))
        _ = Self.select(engine)
        let fetched = Self.run(engine, .fetch(uid: false, ParserFixtures.set("1:2"), [.emailID, .threadID], modifiers: [])).untagged
        let ids = fetched.compactMap { $0.firstMatch(of: /EMAILID \((E[0-9a-f]+)\) THREADID NIL/)?.1 }.map(String.init)
        #expect(ids.count == 2 && ids[0] != ids[1], "\(fetched)")
        #expect(Self.run(engine, .copy(uid: false, ParserFixtures.set("1"), MailboxName("Archive"))).reply.hasPrefix("a OK [COPYUID"))
        #expect(Self.run(engine, .search(uid: false, returnOptions: nil, charset: nil, criteria: [.emailID(ids[1])])).untagged
                == ["* SEARCH 2"])
        #expect(Self.run(engine, .search(uid: false, returnOptions: nil, charset: nil, criteria: [.threadID("T1")])).untagged
                == ["* SEARCH"])
        _ = Self.select(engine, "Archive")
        let copy = Self.run(engine, .fetch(uid: false, ParserFixtures.set("1"), [.emailID], modifiers: [])).untagged
        #expect(copy == ["* 1 FETCH (EMAILID (\(ids[0])))"], "RFC 8474 §5.1: the copy has its source's EMAILID")
    }

    @Test("REPLACE into the selected mailbox: APPENDUID, EXISTS, then EXPUNGE; UID REPLACE too")
    func replaceInPlace() throws {
        let (engine, storage) = try Self.engine()
        _ = Self.select(engine)
        let new = AppendMessage(flags: [.seen], data: Self.message(4))
        let (untagged, reply) = Self.run(engine, .replace(uid: false, ParserFixtures.set("1"), .inbox, new))
        #expect(reply == "a OK REPLACE completed")
        let appendUID = try #require(untagged.firstIndex { $0.hasPrefix("* OK [APPENDUID ") && $0.hasSuffix(" 4] Replacement Message ready") })
        let exists = try #require(untagged.firstIndex(of: "* 4 EXISTS"))
        let expunge = try #require(untagged.firstIndex(of: "* 1 EXPUNGE"))
        #expect(appendUID < exists && exists < expunge, "\(untagged)")
        #expect(try storage.uids(.inbox) == [2, 3, 4])
        #expect(try storage.open(.inbox, claimRecent: false).messages.last?.flags == [.seen])

        let (uidUntagged, uidReply) = Self.run(engine, .replace(uid: true, ParserFixtures.set("3"), .inbox, AppendMessage(data: Self.message(5))))
        #expect(uidReply == "a OK UID REPLACE completed")
        #expect(uidUntagged.contains("* 2 EXPUNGE") && uidUntagged.contains("* 4 EXISTS"), "\(uidUntagged)")
        #expect(try storage.uids(.inbox) == [2, 4, 5])
    }

    @Test("REPLACE into another mailbox: the old message goes, the new one is there")
    func replaceElsewhere() throws {
        let (engine, storage) = try Self.engine()
        _ = Self.run(engine, .create(MailboxName("Drafts2"), specialUse: []))
        _ = Self.select(engine)
        let (untagged, reply) = Self.run(engine, .replace(uid: false, ParserFixtures.set("2"), MailboxName("Drafts2"),
                                                          AppendMessage(data: Self.message(9))))
        #expect(reply == "a OK REPLACE completed")
        #expect(untagged.first?.hasPrefix("* OK [APPENDUID ") == true && untagged.contains("* 2 EXPUNGE") && !untagged.contains { $0.hasSuffix("EXISTS") })
        #expect(try storage.uids(.inbox) == [1, 3])
        #expect(try storage.fetch(FolderPath(["Drafts2"]), uid: 1) == Self.message(9))
    }

    @Test("a failed REPLACE leaves the old message: no such mailbox, no such UID, too big, empty, read-only")
    func replaceFailures() throws {
        let (engine, storage) = try Self.engine()
        _ = Self.select(engine)
        let new = AppendMessage(data: Self.message(4))
        #expect(Self.run(engine, .replace(uid: false, ParserFixtures.set("1"), MailboxName("Missing"), new)).reply.hasPrefix("a NO [TRYCREATE]"))
        #expect(Self.run(engine, .replace(uid: true, ParserFixtures.set("99"), .inbox, new)).reply.hasPrefix("a NO [NONEXISTENT]"))
        #expect(Self.run(engine, .replace(uid: false, ParserFixtures.set("9"), .inbox, new)).reply.hasPrefix("a BAD"))
        #expect(Self.run(engine, .replace(uid: false, ParserFixtures.set("1"), .inbox, AppendMessage(data: []))).reply.hasPrefix("a NO"))
        var small = IMAPMailboxEngine.Options()
        small.maxAppendBytes = 4
        let limited = IMAPMailboxEngine(storage: storage, options: small)
        _ = Self.select(limited)
        #expect(Self.run(limited, .replace(uid: false, ParserFixtures.set("1"), .inbox, new)).reply.hasPrefix("a NO [TOOBIG]"))
        _ = Self.run(engine, .examine(.inbox, parameters: []))
        #expect(Self.run(engine, .replace(uid: false, ParserFixtures.set("1"), .inbox, new)).reply.hasPrefix("a NO"))
        #expect(try storage.uids(.inbox) == [1, 2, 3], "nothing appended, nothing expunged")
        let unselected = IMAPMailboxEngine(storage: storage, options: IMAPMailboxEngine.Options())
        #expect(Self.run(unselected, .replace(uid: false, ParserFixtures.set("1"), .inbox, new)).reply.hasPrefix("a BAD"))
    }
}
