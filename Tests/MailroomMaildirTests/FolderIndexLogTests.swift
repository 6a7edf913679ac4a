// The index's change log (Index/FolderIndexLog.swift): a flag change appends a transaction
// instead of rewriting the index, another process (a separate MaildirFolder) reads base + log
// to the same state, a torn transaction is ignored and cut off by the next writer, a log left
// from an older base is ignored, and the log is folded into the base once it grows.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

@Suite("Maildir index log")
struct FolderIndexLogTests {
    func message(_ n: Int) -> [UInt8] { Array("Subject: m\(n)\nMessage-ID: <m\(n)@example.com>\n\nbody \(n)\n".utf8) }

    func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    /// A folder with `count` messages, indexed (base written, no log yet).
    func folder(_ f: MaildirFixture, count: Int) throws -> MaildirFolder {
        for n in 0..<count { try MaildirDelivery.deliver(message(n), into: f.root, host: "bulk") }
        let folder = f.separateFolder()
        _ = try folder.snapshot()
        return folder
    }

    @Test("a flag change appends a transaction; another process reads base + log to the same state")
    func flagChangesGoToTheLog() throws {
        let f = try MaildirFixture()
        let folder = try folder(f, count: 500)
        let base = try Data(contentsOf: URL(fileURLWithPath: "\(f.root)/mailroom-index"))
        let uids = try folder.snapshot().messages.map(\.uid)
        for (i, uid) in uids.prefix(30).enumerated() {
            _ = try folder.setFlags(uids: [uid], change: .add, flags: i % 2 == 0 ? [.seen] : [.flagged], keywords: i % 3 == 0 ? ["$Label1"] : [],
                                    unchangedSince: nil)
        }
        _ = try folder.expunge(uids: [uids[100], uids[200]])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(f.root)/mailroom-index")) == base, "the base file was not rewritten")
        let logSize = size("\(f.root)/mailroom-index.log")
        #expect(logSize > 0 && logSize < base.count / 4, "the log holds the changes: \(logSize) octets")

        let other = f.separateFolder()
        let seen = try other.snapshot()
        #expect(seen == (try folder.snapshot()), "MODSEQs too: read from the index, not rebuilt from the names")

        // And the other way: the second process changes, the first reads its transaction.
        _ = try other.setFlags(uids: [uids[400]], change: .add, flags: [.answered], keywords: [], unchangedSince: nil)
        #expect(try folder.snapshot().messages.first { $0.uid == uids[400] }?.flags.contains(.answered) == true)
    }

    @Test("a torn transaction at the end is ignored, and the next writer cuts it off before appending")
    func tornTail() throws {
        let f = try MaildirFixture()
        let folder = try folder(f, count: 20)
        let uids = try folder.snapshot().messages.map(\.uid)
        _ = try folder.setFlags(uids: [uids[0]], change: .add, flags: [.seen], keywords: [], unchangedSince: nil)
        let logPath = "\(f.root)/mailroom-index.log"
        let whole = size(logPath)
        // A crash in the middle of the next transaction: half of one written.
        _ = try folder.setFlags(uids: [uids[1]], change: .add, flags: [.seen], keywords: [], unchangedSince: nil)
        let after = size(logPath)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try handle.truncate(atOffset: UInt64(whole + (after - whole) / 2))
        try handle.close()

        let reader = f.separateFolder()
        let state = try reader.snapshot()
        // uids[1]'s file was renamed (flags are in the name), but the transaction saying so is
        // torn: the index says unseen and its stamp of cur/ is the older one, so the folder is
        // listed and the file name wins.
        #expect(state.messages.first { $0.uid == uids[0] }?.flags.contains(.seen) == true)
        #expect(state.messages.first { $0.uid == uids[1] }?.flags.contains(.seen) == true)
        // The reader writes next: the torn part goes, its transaction follows the whole one.
        _ = try reader.setFlags(uids: [uids[2]], change: .add, flags: [.flagged], keywords: [], unchangedSince: nil)
        let third = f.separateFolder()
        #expect(try third.snapshot() == (try reader.snapshot()))
        #expect(third.problems.isEmpty)
    }

    @Test("a log written for another base (a crash between rewriting the base and removing the log) is ignored")
    func staleLog() throws {
        let f = try MaildirFixture()
        let folder = try folder(f, count: 10)
        let uids = try folder.snapshot().messages.map(\.uid)
        let logPath = "\(f.root)/mailroom-index.log"
        _ = try folder.setFlags(uids: [uids[0]], change: .add, flags: [.seen], keywords: [], unchangedSince: nil)
        let oldLog = try Data(contentsOf: URL(fileURLWithPath: logPath))
        // Many changes: the log is folded into a new base and removed.
        for _ in 0..<400 {
            _ = try folder.setFlags(uids: [uids[3]], change: .add, flags: [.flagged], keywords: [], unchangedSince: nil)
            _ = try folder.setFlags(uids: [uids[3]], change: .remove, flags: [.flagged], keywords: [], unchangedSince: nil)
        }
        #expect(size(logPath) < FolderIndexLog.compactionBytes + 4096, "compacted into the base")
        let expected = try folder.snapshot()
        // Put the old log back, as if its removal had not happened: it names the old base. (It
        // also takes the place of the transactions written since the compaction, so the reader
        // finds those changes in the file names: flags are compared, not MODSEQs.)
        try oldLog.write(to: URL(fileURLWithPath: logPath))
        let reader = f.separateFolder()
        #expect(try reader.snapshot().messages.map { [$0.uid, UInt32($0.flags.rawValue)] }
                == expected.messages.map { [$0.uid, UInt32($0.flags.rawValue)] })
        #expect(reader.problems.isEmpty)
        let base = try #require(FolderIndexFile.decode(Array(try Data(contentsOf: URL(fileURLWithPath: "\(f.root)/mailroom-index")))))
        #expect(try reader.snapshot().highestModSeq >= base.highestModSeq, "the old log's header was not applied")
        _ = try reader.setFlags(uids: [uids[5]], change: .add, flags: [.draft], keywords: [], unchangedSince: nil)
        let header = Array(try Data(contentsOf: URL(fileURLWithPath: logPath)).prefix(FolderIndexLog.headerBytes))
        #expect(header != Array(oldLog.prefix(FolderIndexLog.headerBytes)), "replaced by a log for the current base")
        #expect(try f.separateFolder().snapshot().messages.first { $0.uid == uids[5] }?.flags.contains(.draft) == true)
    }

    @Test("appends and deliveries are logged too, and the log is folded into the base once it is big")
    func appendsAndCompaction() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 0..<50 { try s.deliver(message(n)) }
        _ = try s.open(.inbox)
        let logPath = "\(f.root)/mailroom-index.log"
        var sawLog = false
        var sawCompaction = false
        for n in 0..<600 {
            _ = try s.append(.inbox, message: message(1000 + n), flags: [.seen], keywords: [], internalDate: nil)
            let now = size(logPath)
            if now > 0 { sawLog = true }
            if sawLog && now <= 0 { sawCompaction = true }
        }
        try s.deliver(message(9999))
        let mine = try s.open(.inbox)
        #expect(mine.messages.count == 651)
        #expect(sawLog && sawCompaction)
        f.restart()
        #expect(try f.storage().open(.inbox, claimRecent: false).messages == mine.messages)
    }
}
