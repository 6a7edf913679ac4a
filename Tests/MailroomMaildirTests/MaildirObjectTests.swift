// Save dates (RFC 8514) and GUIDs (RFC 8474's MAILBOXID and EMAILID) in the Maildir engine:
// the save date is recorded when a message gets its UID (APPEND, COPY, MOVE, a delivery found
// by a sync) and kept in mailroom-index (format version 4) and its log; a message's GUID is
// kept by COPY and MOVE (the `G` extension of its dovecot-uidlist record, so it survives a lost
// index); a folder's GUID is dovecot-uidlist's `G` header field and moves with RENAME; an
// index of version 3 with a version-1 log (an older Mailroom) is read, its save dates unknown.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

@Suite("Maildir save dates and GUIDs")
struct MaildirObjectTests {
    func message(_ n: Int) -> [UInt8] { Array("Subject: m\(n)\r\nMessage-ID: <m\(n)@example.com>\r\n\r\nbody \(n)\r\n".utf8) }
    func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    @Test("APPEND, COPY and MOVE record the save date; the internal date may be older; both survive a restart")
    func saveDates() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        try s.createFolder(FolderPath(["Archive"]))
        let before = now()
        let appended = try s.append(.inbox, message: message(1), flags: [], keywords: [], internalDate: 1_000_000_000)
        let info = try #require(try s.open(.inbox, claimRecent: false).messages.first { $0.uid == appended.uid })
        #expect(info.internalDate == 1_000_000_000)
        let saved = try #require(info.saveDate)
        #expect(saved >= before && saved <= now() + 1)

        let copied = try s.copy(.inbox, uids: [appended.uid], to: FolderPath(["Archive"]))
        let copy = try #require(try s.open(FolderPath(["Archive"]), claimRecent: false).messages.first)
        #expect(copy.uid == copied.mapping[0].destination)
        #expect(copy.internalDate == 1_000_000_000, "COPY keeps the internal date")
        #expect(copy.saveDate != nil && copy.saveDate! >= saved, "and has its own save date")
        #expect(copy.guid == info.guid, "COPY keeps the message GUID (RFC 8474 §5.1)")

        f.restart()
        let again = try f.storage().open(FolderPath(["Archive"]), claimRecent: false).messages
        #expect(again.map(\.saveDate) == [copy.saveDate] && again.map(\.guid) == [copy.guid], "kept in the index")
        let other = f.separateFolder("\(f.root)/.Archive")
        #expect(try other.snapshot().messages.map(\.saveDate) == [copy.saveDate], "another process reads base and log")
    }

    @Test("a delivered message's save date is when it arrived; unknown save dates (a rebuilt index) are nil")
    func deliveredAndRebuilt() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        let before = now()
        _ = try s.deliver(message(1))
        let delivered = try #require(try s.open(.inbox, claimRecent: false).messages.first)
        #expect(delivered.saveDate != nil && delivered.saveDate! >= before - 1)
        let guid = delivered.guid
        #expect(!guid.isEmpty && !guid.contains(":"), "the base name")

        // Index lost: the UID comes from dovecot-uidlist, the save date is not known any more.
        unlink("\(f.root)/mailroom-index")
        unlink("\(f.root)/mailroom-index.log")
        f.restart()
        let rebuilt = try #require(try f.storage().open(.inbox, claimRecent: false).messages.first)
        #expect(rebuilt.uid == delivered.uid && rebuilt.saveDate == nil && rebuilt.guid == guid)
    }

    @Test("MOVE keeps the GUID, written as the uidlist record's G, so a lost index keeps it too")
    func moveKeepsGUID() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        try s.createFolder(FolderPath(["Archive"]))
        let a = try s.append(.inbox, message: message(1), flags: [.seen], keywords: [], internalDate: nil)
        let guid = try #require(try s.open(.inbox, claimRecent: false).messages.first).guid
        let moved = try s.move(.inbox, uids: [a.uid], to: FolderPath(["Archive"]))
        #expect(try s.uids(.inbox).isEmpty)
        let list = try f.read(".Archive/dovecot-uidlist")
        #expect(list.contains("\(moved.mapping[0].destination) G\(guid) :"), "Dovecot's G extension: \(list)")

        unlink("\(f.root)/.Archive/mailroom-index")
        unlink("\(f.root)/.Archive/mailroom-index.log")
        f.restart()
        let rebuilt = try #require(try f.storage().open(FolderPath(["Archive"]), claimRecent: false).messages.first)
        #expect(rebuilt.guid == guid)
        // A second copy of the same content APPENDed is another message with another GUID.
        let b = try s.append(.inbox, message: message(1), flags: [], keywords: [], internalDate: nil)
        #expect(try s.open(.inbox, claimRecent: false).messages.first { $0.uid == b.uid }?.guid != guid)
    }

    @Test("the mailbox GUID is dovecot-uidlist's G: 32 hex digits, kept by RENAME, new after DELETE and CREATE")
    func mailboxGUID() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        let inbox = try s.mailboxGUID(.inbox)
        #expect(inbox.count == 32 && inbox.allSatisfy(\.isHexDigit))
        #expect(try f.read("dovecot-uidlist").hasPrefix("3 V") && (try f.read("dovecot-uidlist")).contains(" G\(inbox)"))
        #expect(try s.mailboxGUID(.inbox) == inbox)

        try s.createFolder(FolderPath(["Projects"]))
        let projects = try s.mailboxGUID(FolderPath(["Projects"]))
        #expect(projects != inbox)
        _ = try s.append(FolderPath(["Projects"]), message: message(1), flags: [], keywords: [], internalDate: nil)
        try s.renameFolder(FolderPath(["Projects"]), to: FolderPath(["Old"]))
        #expect(try s.mailboxGUID(FolderPath(["Old"])) == projects, "RENAME keeps it")
        f.restart()
        #expect(try f.storage().mailboxGUID(FolderPath(["Old"])) == projects, "it is in the folder's files")
        try s.deleteFolder(FolderPath(["Old"]))
        try s.createFolder(FolderPath(["Old"]))
        #expect(try s.mailboxGUID(FolderPath(["Old"])) != projects, "a new folder of the same name is another mailbox")
    }

    @Test("a uidlist without G (an older Mailroom) gets one, written under its lock, keeping every record")
    func mailboxGUIDAdded() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        _ = try s.append(.inbox, message: message(1), flags: [], keywords: [], internalDate: nil)
        var list = try DovecotUIDList.parse(f.read("dovecot-uidlist")).list
        list.mailboxGUID = nil
        try f.write("dovecot-uidlist", list.serialized)
        f.restart()
        let s2 = f.storage()
        let guid = try s2.mailboxGUID(.inbox)
        let written = try DovecotUIDList.parse(f.read("dovecot-uidlist")).list
        #expect(written.mailboxGUID == guid && written.records == list.records)
        #expect(try s2.uids(.inbox) == [1])
        #expect(!FileManager.default.fileExists(atPath: "\(f.root)/dovecot-uidlist.lock"))
    }

    @Test("a version-3 index with a version-1 log is read (save dates unknown), then rewritten as version 4")
    func upgradeWithLog() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...3 { _ = try s.append(.inbox, message: message(n), flags: [], keywords: [], internalDate: nil) }
        _ = try s.open(.inbox, claimRecent: false)
        let path = "\(f.root)/mailroom-index"
        let current = try #require(MaildirRecentTests.onDisk(f.root))
        #expect(current.records.count == 3)
        // The base as an older Mailroom wrote it, and one transaction of its log (version 1,
        // records in the version-3 layout) that sets \Seen on UID 2 with a new MODSEQ.
        let base = current.encoded(version: 3)
        try Data(base).write(to: URL(fileURLWithPath: path))
        var changed = current
        changed.highestModSeq += 1
        changed.records[1].flags = [.seen]
        changed.records[1].modSeq = changed.highestModSeq
        var payload: [UInt8] = []
        changed.encodeHeader(into: &payload)
        payload.appendLE(UInt32(0))
        payload.appendLE(UInt32(1))
        changed.records[1].encode(into: &payload, version: 3)
        var log = FolderIndexLog.header(baseChecksum: FolderIndexFile.checksum(of: base)!, version: 1)
        log.appendLE(UInt32(payload.count))
        log += payload
        log.appendLE(fnv1a(payload[...]))
        try Data(log).write(to: URL(fileURLWithPath: "\(path).log"))
        f.restart()

        let snap = try f.storage().open(.inbox, claimRecent: false)
        #expect(snap.messages.map(\.uid) == [1, 2, 3])
        #expect(snap.messages[1].modSeq == changed.highestModSeq, "the old log was applied, not ignored")
        #expect(snap.messages.allSatisfy { $0.saveDate == nil }, "save dates of version-3 records are unknown")
        // The next change rewrites the base in version 4 and drops the old log.
        _ = try f.storage().setFlags(.inbox, uids: [3], .add, flags: [.flagged], keywords: [], unchangedSince: nil)
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written[4..<8] == [4, 0, 0, 0][...])
        if let newLog = FileManager.default.contents(atPath: "\(path).log") {
            #expect(Array(newLog.prefix(16)) == FolderIndexLog.header(baseChecksum: FolderIndexFile.checksum(of: written)!),
                    "the old log is gone; a new one (version 2) belongs to the new base")
        }
        f.restart()
        let after = try f.storage().open(.inbox, claimRecent: false)
        #expect(after.messages.map(\.flags) == [[], [.seen], [.flagged]])
    }
}
