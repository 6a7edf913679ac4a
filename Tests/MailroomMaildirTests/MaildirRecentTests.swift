// IMAP \Recent on disk (RFC 3501 §2.3.2, Dovecot's semantics): the claim is kept in
// mailroom-index (`first recent uid`), so it holds across sessions, restarts and processes;
// an index of version 1 (before the field) is upgraded without making old mail recent; an index
// rebuilt from the files counts cur/ as claimed and new/ as not. The backend-neutral rules are
// in StorageConformanceTests.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

@Suite("Maildir \\Recent")
struct MaildirRecentTests {
    @Test("two processes on one Maildir: each arrival is claimed by exactly one of them")
    func twoProcesses() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        let other = f.separateFolder()   // another Mailroom process: its own memory, the same files
        for n in 1...3 { try s.deliver(Array(message(n).utf8)) }
        #expect(try other.status().recent == 3)
        #expect(try other.snapshot(claimRecent: true).recent == [1, 2, 3])
        #expect(try s.open(.inbox).recent.isEmpty, "claimed by the other process")
        #expect(try s.status(.inbox).recent == 0)

        try s.deliver(Array(message(4).utf8))
        _ = try s.append(.inbox, message: Array(message(5).utf8), flags: [.seen], keywords: [], internalDate: nil)
        // A Dovecot delivery with flags (sieve addflag) goes straight to cur/.
        try f.write("cur/1700000000.M1P1.dovecot:2,F", "Subject: flagged on arrival\n\nbody\n")
        #expect(try other.status().recent == 3)
        #expect(try s.open(.inbox).recent == [4, 5, 6])
        #expect(try other.snapshot(claimRecent: true).recent.isEmpty)
        #expect(try other.snapshot().recent.isEmpty)
    }

    @Test("concurrent claiming opens in two processes never share or lose a message")
    func concurrentClaims() async throws {
        let f = try MaildirFixture()
        let s = f.storage()
        let folders = [f.separateFolder(), f.separateFolder()]
        let total = 60
        let claimed = try await withThrowingTaskGroup(of: [UInt32].self) { group in
            group.addTask {
                for n in 1...total { try s.deliver(Array(message(n).utf8)) }
                return []
            }
            for worker in 0..<4 {
                group.addTask {
                    var mine: [UInt32] = []
                    for _ in 0..<40 {
                        if worker < 2 {
                            mine += try folders[worker].snapshot(claimRecent: true).recent
                        } else {
                            mine += try s.open(.inbox, claimRecent: true).recent
                        }
                    }
                    return mine
                }
            }
            var all: [UInt32] = []
            for try await part in group { all += part }
            return all
        }
        let rest = try s.open(.inbox, claimRecent: true).recent
        let all = claimed + rest
        #expect(all.count == total, "no UID claimed twice")
        #expect(Set(all) == Set(1...UInt32(total)), "every UID claimed once")
    }

    @Test("the claim survives a restart; a lost index write only makes mail recent again, never loses it")
    func restartAndLostWrite() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...2 { try s.deliver(Array(message(n).utf8)) }
        _ = try s.open(.inbox, claimRecent: false)   // UIDs assigned, nothing claimed
        let beforeClaim = try Data(contentsOf: URL(fileURLWithPath: "\(f.root)/mailroom-index"))
        #expect(try s.open(.inbox).recent == [1, 2])
        f.restart()
        #expect(try f.storage().open(.inbox).recent.isEmpty, "the claim was written with the index")

        // A crash (or power loss: the index is not fsynced) before the claim reached the disk
        // leaves the index as it was (the claim went to the index's log, which did not exist
        // before): the messages are recent once more.
        #expect(FileManager.default.fileExists(atPath: "\(f.root)/mailroom-index.log"), "the claim is a log transaction")
        try beforeClaim.write(to: URL(fileURLWithPath: "\(f.root)/mailroom-index"))
        try FileManager.default.removeItem(atPath: "\(f.root)/mailroom-index.log")
        f.restart()
        #expect(try f.storage().open(.inbox).recent == [1, 2])
        #expect(try f.storage().open(.inbox).recent.isEmpty)
    }

    @Test("an index rebuilt from the files counts cur/ as claimed and new/ as not")
    func rebuiltIndex() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...3 { try s.deliver(Array(message(n).utf8)) }
        #expect(try s.open(.inbox).recent == [1, 2, 3])
        try s.deliver(Array(message(4).utf8))       // in new/, no UID yet
        try FileManager.default.removeItem(atPath: "\(f.root)/mailroom-index")
        f.restart()
        #expect(try f.storage().open(.inbox).recent == [4])

        // Torn or damaged: the same.
        try s.deliver(Array(message(5).utf8))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(f.root)/mailroom-index"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: "\(f.root)/mailroom-index"))
        f.restart()
        #expect(try f.storage().open(.inbox).recent == [5])
        #expect(try f.storage().open(.inbox).messages.map(\.uid) == [1, 2, 3, 4, 5])
    }

    @Test("a Maildir without our index (Dovecot's, Courier's): mail in cur/ is old, mail in new/ is recent")
    func foreignMaildir() throws {
        let f = try MaildirFixture()
        // Files in an order that interleaves new/ and cur/ by name; none has a UID yet.
        try f.write("cur/1700000001.M1P1.host:2,S", "Subject: a\n\n1\n")
        try f.write("new/1700000002.M1P1.host", "Subject: b\n\n2\n")
        try f.write("cur/1700000003.M1P1.host:2,", "Subject: c\n\n3\n")
        let s = f.storage()
        let snap = try s.open(.inbox)
        #expect(snap.messages.count == 3)
        let newUID = try #require(try snap.messages.first { try s.fetch(.inbox, uid: $0.uid) == Array("Subject: b\n\n2\n".utf8) }?.uid)
        #expect(snap.recent == [newUID])
        #expect(newUID == 3, "files from cur/ are numbered first when the index is built from nothing")
    }

    @Test("a version-1 index is read as all claimed, then written as the current version")
    func upgradeFromVersion1() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...3 { try s.deliver(Array(message(n).utf8)) }
        _ = try s.open(.inbox, claimRecent: false)   // indexed, never claimed (as no v1 ever did)
        let path = "\(f.root)/mailroom-index"
        let current = try #require(FolderIndexFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        #expect(current.firstRecentUID == 1)
        try Data(Self.versionOne(current)).write(to: URL(fileURLWithPath: path))
        try s.deliver(Array(message(4).utf8))        // arrived after the upgrade: recent
        f.restart()

        let s2 = f.storage()
        #expect(try s2.status(.inbox).recent == 1, "old mail is not recent after an upgrade; the new arrival is")
        let snap = try s2.open(.inbox)
        #expect(snap.messages.map(\.uid) == [1, 2, 3, 4])
        #expect(snap.messages.map(\.modSeq) == (current.records.map(\.modSeq) + [snap.messages[3].modSeq]),
                "MODSEQs kept: the old index was read, not rebuilt")
        #expect(snap.recent == [4])
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written[4..<8] == [4, 0, 0, 0][...])
        #expect(Self.onDisk(f.root)?.firstRecentUID == 5, "the base file and its log")
        f.restart()
        #expect(try f.storage().open(.inbox).recent.isEmpty)
    }

    @Test("index format: version 4 round-trips the first recent UID, cur/'s listing time, save dates and GUIDs; older versions are read; unknown ones are damage")
    func indexFormat() throws {
        var index = FolderIndexFile()
        index.uidValidity = 1_700_000_000
        index.nextUID = 10
        index.highestModSeq = 42
        index.firstRecentUID = 7
        index.curListedAt = 1_700_000_123_456_789_000
        index.records = [IndexRecord(uid: 3, flags: [.seen], keywordBits: 0b101, inCur: true, modSeq: 40, size: 100,
                                     internalDate: 1_700_000_000, fileName: "1700000000.M1P1.host,S=98,W=100:2,Sac",
                                     saveDate: 1_700_000_100, storedGUID: "1690000000.M9P9.other"),
                         IndexRecord(uid: 4, flags: [], keywordBits: 0, inCur: true, modSeq: 41, size: 10,
                                     internalDate: 1_700_000_000, fileName: "1700000001.M1P1.host,S=10,W=10:2,")]
        let bytes = index.encoded()
        #expect(Array(bytes[0..<8]) == Array("MRIX".utf8) + [4, 0, 0, 0])
        #expect(FolderIndexFile.decode(bytes) == index)
        #expect(index.records[0].guid == "1690000000.M9P9.other" && index.records[1].guid == "1700000001.M1P1.host,S=10,W=10")

        // Version 3: no save dates (unknown: 0) and every GUID the base name.
        var v3 = index
        for i in v3.records.indices {
            v3.records[i].saveDate = 0
            v3.records[i].storedGUID = ""
        }
        #expect(FolderIndexFile.decode(index.encoded(version: 3)) == v3)

        var v2 = v3
        v2.curListedAt = 0
        #expect(FolderIndexFile.decode(Self.versionTwo(index)) == v2, "version 2: cur/ never listed")
        var v1 = v2
        v1.firstRecentUID = index.nextUID
        #expect(FolderIndexFile.decode(Self.versionOne(index)) == v1, "version 1: everything below next UID claimed")

        for version: UInt8 in [0, 5, 255] {
            var other = bytes
            other[4] = version
            #expect(FolderIndexFile.decode(Self.resealed(other)) == nil, "version \(version)")
        }
    }

    // MARK: Helpers

    /// The index as the files hold it: the base file with its log's transactions applied.
    static func onDisk(_ root: String) -> FolderIndexFile? {
        guard let base = FileManager.default.contents(atPath: "\(root)/mailroom-index"),
              var index = FolderIndexFile.decode(Array(base)) else { return nil }
        if let log = FileManager.default.contents(atPath: "\(root)/mailroom-index.log"), log.count >= FolderIndexLog.headerBytes {
            _ = FolderIndexLog.apply(Array(log)[FolderIndexLog.headerBytes...], to: &index)
        }
        return index
    }

    /// `index` as Mailroom wrote it before cur/'s listing time was kept: version 2.
    static func versionTwo(_ index: FolderIndexFile) -> [UInt8] {
        var bytes = Array(index.encoded(version: 3).dropLast(8))
        bytes[4..<8] = [2, 0, 0, 0]
        bytes.removeSubrange(156..<164)   // after the header (28 bytes) and the four stamps (128)
        return resealed(bytes + [0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// `index` as Mailroom wrote it before \Recent was kept: version 1, no first recent UID.
    static func versionOne(_ index: FolderIndexFile) -> [UInt8] {
        var bytes = Array(versionTwo(index).dropLast(8))
        bytes[4..<8] = [1, 0, 0, 0]
        bytes.removeSubrange(24..<28)   // after magic, version, uidvalidity, next uid, highest modseq
        return resealed(bytes + [0, 0, 0, 0, 0, 0, 0, 0])
    }

    /// Replaces the trailing checksum so only the edited content is judged.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(8))
        body.appendLE(fnv1a(body[...]))
        return body
    }
}
