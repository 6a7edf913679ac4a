// The Maildir engine on disk: UIDs stable across restarts and index rebuilds, changes made by
// other programs (plain file operations, as Dovecot, Courier or mutt make them), damaged and
// hostile files repaired or reported, tmp/ cleanup, and concurrent writers.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

final class MaildirFixture: @unchecked Sendable {
    let volume: String
    let root: String

    init() throws {
        volume = NSTemporaryDirectory() + "mailroom-engine-\(UUID().uuidString)"
        root = try MaildirLayout.createMailbox(volume: volume, address: try EmailAddress("user@example.com"))
    }

    deinit { try? FileManager.default.removeItem(atPath: volume) }

    func storage(quota: QuotaLimits = .unlimited, staleSeconds: Int = 120) -> MaildirStorage {
        MaildirStorage(root: root, options: MaildirOptions(hostName: "test.example", quota: quota, uidListLockStaleSeconds: staleSeconds))
    }

    /// A folder object of its own, as another process would have (no shared memory).
    func separateFolder(_ dir: String? = nil) -> MaildirFolder {
        MaildirFolder(directory: dir ?? root, options: MaildirOptions(hostName: "other.example"))
    }

    /// Forgets everything this process knows about the Maildir, as a restart does.
    func restart() { FolderRegistry.shared.forget(prefix: root) }

    func files(_ sub: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(sub)").sorted()
    }

    func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(root)/\(path)"))
    }

    func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(path)")), as: UTF8.self)
    }
}

@Suite("Maildir engine")
struct MaildirEngineTests {
    @Test("UIDs, UIDVALIDITY, flags and keywords survive a restart and a lost index")
    func stableAcrossRestarts() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...5 { try s.deliver(Array(message(n).utf8)) }
        let first = try s.open(.inbox)
        _ = try s.setFlags(.inbox, uids: [2, 4], .add, flags: [.seen], keywords: ["$Label1"], unchangedSince: nil)
        _ = try s.expunge(.inbox, uids: [3])
        let before = try s.open(.inbox)
        #expect(before.messages.map(\.uid) == [1, 2, 4, 5])

        f.restart()
        let afterRestart = try f.storage().open(.inbox)
        #expect(afterRestart.uidValidity == first.uidValidity)
        #expect(afterRestart.messages == before.messages)
        #expect(afterRestart.highestModSeq == before.highestModSeq)

        // The index is a cache: delete it, and everything but MODSEQ values comes back.
        try FileManager.default.removeItem(atPath: "\(f.root)/mailroom-index")
        f.restart()
        let rebuilt = try f.storage().open(.inbox)
        #expect(rebuilt.uidValidity == first.uidValidity)
        #expect(rebuilt.messages.map(\.uid) == [1, 2, 4, 5])
        #expect(rebuilt.messages.map(\.flags) == before.messages.map(\.flags))
        #expect(rebuilt.messages.map(\.keywords) == before.messages.map(\.keywords))
        #expect(rebuilt.uidNext == 6)
        try s.deliver(Array(message(6).utf8))
        #expect(try f.storage().open(.inbox).messages.map(\.uid) == [1, 2, 4, 5, 6])
    }

    @Test("a folder deleted and created again gets a new UIDVALIDITY at once, counted in Dovecot's files")
    func uidValidityCounter() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        let path = FolderPath(["Reborn"])
        var seen: [UInt32] = [try s.open(.inbox).uidValidity]
        for _ in 0..<3 {
            try s.createFolder(path)
            seen.append(try s.open(path).uidValidity)
            try s.deleteFolder(path)
        }
        #expect(Set(seen).count == seen.count, "\(seen)")
        #expect(seen == seen.sorted())
        let last = try #require(seen.last)
        #expect(try f.read("dovecot-uidvalidity") == UIDValidityCounter.hex8(last))
        #expect(FileManager.default.fileExists(atPath: "\(f.root)/dovecot-uidvalidity.\(UIDValidityCounter.hex8(last))"))
        // A damaged counter file is recovered from the marker.
        try f.write("dovecot-uidvalidity", "garbage")
        try s.createFolder(path)
        #expect(try s.open(path).uidValidity == last + 1)
    }

    @Test("the files are what Dovecot expects: uidlist v3, keywords file, letters in names, cur/ with :2,")
    func onDiskFormat() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        try s.deliver(Array(message(1).utf8))
        _ = try s.open(.inbox)
        _ = try s.setFlags(.inbox, uids: [1], .add, flags: [.seen, .answered], keywords: ["$Forwarded", "work"], unchangedSince: nil)
        let list = try DovecotUIDList.parse(f.read("dovecot-uidlist"))
        #expect(list.problems.isEmpty)
        #expect(list.list.nextUID == 2)
        #expect(list.list.records.map(\.uid) == [1])
        let keywords = DovecotKeywords.parse(try f.read("dovecot-keywords"))
        #expect(keywords.keywords.letter(for: "$Forwarded") == "a")
        #expect(keywords.keywords.letter(for: "work") == "b")
        let cur = try f.files("cur")
        #expect(cur.count == 1)
        #expect(cur[0].hasSuffix(":2,RSab"))
        #expect(list.list.records[0].fileName == String(cur[0].prefix { $0 != ":" }))
        #expect(try f.files("new").isEmpty)
    }

    @Test("after an expunge, new UIDs are still appended to dovecot-uidlist until a quarter of its records are stale")
    func uidListKeepsStaleRecordsForAWhile() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for i in 1...8 { _ = try s.append(.inbox, message: Array(message(i).utf8), flags: [], keywords: [], internalDate: nil) }
        func inode() throws -> UInt64 {
            var st = stat()
            #expect(stat("\(f.root)/dovecot-uidlist", &st) == 0)
            return UInt64(st.st_ino)
        }
        func listed() throws -> [UInt32] { try DovecotUIDList.parse(f.read("dovecot-uidlist")).list.records.map(\.uid) }
        let first = try inode()
        // One of eight gone (1 of 9 records stale once the next is added): appended, record kept.
        _ = try s.expunge(.inbox, uids: [2])
        _ = try s.append(.inbox, message: Array(message(9).utf8), flags: [], keywords: [], internalDate: nil)
        #expect(try inode() == first, "appended in place, as Dovecot does")
        #expect(try listed() == Array(1...9))
        #expect(try s.open(.inbox).messages.map(\.uid) == [1] + Array(3...9))
        // Three of nine stale (over 25 %): the list is replaced without them.
        _ = try s.expunge(.inbox, uids: [3, 4])
        _ = try s.append(.inbox, message: Array(message(10).utf8), flags: [], keywords: [], internalDate: nil)
        #expect(try inode() != first, "rewritten")
        #expect(try listed() == [1] + Array(5...10))
        #expect(try s.open(.inbox).messages.map(\.uid) == [1] + Array(5...10))
        // A new process reading the list with its stale records agrees too.
        _ = try s.expunge(.inbox, uids: [5])
        _ = try s.append(.inbox, message: Array(message(11).utf8), flags: [], keywords: [], internalDate: nil)
        #expect(try listed() == [1] + Array(5...11))
        try FileManager.default.removeItem(atPath: "\(f.root)/mailroom-index")
        FolderRegistry.shared.forget(prefix: f.root)
        #expect(try f.storage().open(.inbox).messages.map(\.uid) == [1] + Array(6...11))
    }

    @Test("changes by other programs: a file dropped in new/, a flag rename, a deletion")
    func externalChanges() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        try s.deliver(Array(message(1).utf8))
        try s.deliver(Array(message(2).utf8))
        let start = try s.open(.inbox)
        // Another MDA (maildrop, qmail-local) delivers with a plain name, no S=/W=.
        try f.write("new/1700000000.M1P1.other", "Subject: from elsewhere\n\nbody\n")
        // A client (mutt) marks message 1 seen by renaming the file.
        let name1 = try #require(try f.files("cur").first)
        try FileManager.default.moveItem(atPath: "\(f.root)/cur/\(name1)", toPath: "\(f.root)/cur/\(name1)S")
        // And deletes message 2.
        let name2 = try #require(try f.files("cur").first { $0 != name1 + "S" })
        try FileManager.default.removeItem(atPath: "\(f.root)/cur/\(name2)")

        let after = try s.open(.inbox)
        #expect(after.messages.map(\.uid) == [1, 3])
        #expect(after.messages[0].flags == [.seen])
        #expect(after.messages[0].modSeq > start.highestModSeq)
        #expect(after.messages[1].size == Int64("Subject: from elsewhere\n\nbody\n".utf8.count) + 3)   // bare LFs count as CRLF
        #expect(after.recent == [3])
        #expect(try s.fetch(.inbox, uid: 3) == Array("Subject: from elsewhere\n\nbody\n".utf8))
    }

    @Test("a damaged dovecot-uidlist is repaired keeping every UID the index knows")
    func damagedUIDList() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...4 { try s.deliver(Array(message(n).utf8)) }
        let before = try s.open(.inbox)
        // Truncated in the middle of a record, garbage appended, or not a uidlist at all.
        let text = try f.read("dovecot-uidlist")
        for damaged in [String(text.prefix(text.count - 20)), text + "garbage line\n7 :\n", "\u{0}\u{1}binary junk", ""] {
            try f.write("dovecot-uidlist", damaged)
            f.restart()
            let after = try f.storage().open(.inbox)
            #expect(after.uidValidity == before.uidValidity)
            #expect(after.messages.map(\.uid) == before.messages.map(\.uid))
            let repaired = try DovecotUIDList.parse(f.read("dovecot-uidlist"))
            #expect(repaired.list.records.map(\.uid) == [1, 2, 3, 4])
            #expect(repaired.list.nextUID == 5)
        }
        // Both the list and the index gone: the files get UIDs anew under a new UIDVALIDITY
        // only if the old one cannot be known — here the index is gone too, so UIDs restart.
        try FileManager.default.removeItem(atPath: "\(f.root)/dovecot-uidlist")
        try f.write("mailroom-index", "not an index")
        f.restart()
        let fresh = try f.storage().open(.inbox)
        #expect(fresh.messages.count == 4)
        #expect(Set(fresh.messages.map(\.uid)).count == 4)
        #expect(!f.storage().problems(.inbox).isEmpty)
    }

    @Test("a uidlist N below a used UID never makes a UID be reused")
    func uidListNextTooLow() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...3 { try s.deliver(Array(message(n).utf8)) }
        let before = try s.open(.inbox)
        let text = try f.read("dovecot-uidlist")
        try f.write("dovecot-uidlist", text.replacingOccurrences(of: " N4", with: " N2"))
        f.restart()
        try s.deliver(Array(message(4).utf8))
        let after = try f.storage().open(.inbox)
        #expect(after.uidValidity == before.uidValidity)
        #expect(after.messages.map(\.uid) == [1, 2, 3, 4])
    }

    @Test("hostile and odd names in the Maildir are skipped or reported, never fatal")
    func oddNames() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        try s.deliver(Array(message(1).utf8))
        try f.write("cur/.hidden", "x")
        try f.write("new/:2,S", "no unique part")
        try f.write("cur/weird,,name:2,S", "Subject: odd\n\n")
        try FileManager.default.createDirectory(atPath: "\(f.root)/.bad&unterminated/cur", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(f.root)/.ok/cur", withIntermediateDirectories: true)
        // A folder name that is not UTF-8 at all (Latin-1 "Entwürfe" written by an old tool).
        var raw = Array(f.root.utf8) + Array("/.Entw".utf8) + [0xFC] + Array("rfe".utf8) + [0]
        let made = raw.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { mkdir($0, 0o700) }
        }
        #expect(made == 0)
        let snap = try s.open(.inbox)
        #expect(snap.messages.count == 2)   // the delivery and the odd-but-valid name
        let folders = try s.listFolders()
        #expect(folders.contains { $0.path == FolderPath(["ok"]) })
        #expect(!folders.contains { $0.path.components.first?.contains("\u{FFFD}") == true })
        #expect(s.existingFolders().problems.count == 2)
    }

    @Test("files left in tmp/ are removed once old (36 h by default), recent ones kept, an APPEND's old date is not old")
    func tmpCleanup() throws {
        #expect(MaildirOptions.defaultTmpCleanupAgeSeconds == 36 * 3600)
        let f = try MaildirFixture()
        try f.write("tmp/old", "x")
        // The age counts from the last change of any timestamp (ctime cannot be set back, so
        // the test waits instead of faking a date).
        sleep(2)
        try f.write("tmp/fresh", "y")
        var times = [timespec(tv_sec: time(nil) - 37 * 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 37 * 3600, tv_nsec: 0)]
        try f.write("tmp/appending", "z")
        #expect(utimensat(AT_FDCWD, "\(f.root)/tmp/appending", &times, 0) == 0)
        let s = MaildirStorage(root: f.root, options: MaildirOptions(hostName: "t", tmpCleanupAgeSeconds: 1))
        _ = try s.open(.inbox)
        #expect(try f.files("tmp") == ["appending", "fresh"])
        // At most once per interval: a second old file waits for the next round.
        try f.write("new/1.M1P1.x", "Subject: x\n\n")
        sleep(2)
        _ = try s.open(.inbox)
        #expect(try f.files("tmp") == ["appending", "fresh"])
    }

    @Test("two writers with separate state (two processes) never give one UID twice")
    func concurrentWriters() async throws {
        let f = try MaildirFixture()
        let writers = 6
        let perWriter = 25
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    let folder = f.separateFolder()
                    for n in 0..<perWriter {
                        let bytes = Array(message(w * 1000 + n).utf8)
                        let written = try MaildirDelivery.writeTemporary(bytes, into: f.root, host: "w\(w)")
                        if n % 2 == 0 {
                            _ = try folder.commitAppend(tmpName: written.tmpName, finalBase: written.name.baseWithFields, flags: [], keywords: [])
                        } else {
                            try FileManager.default.moveItem(atPath: "\(f.root)/tmp/\(written.tmpName)",
                                                             toPath: "\(f.root)/new/\(written.name.description)")
                            _ = try folder.snapshot()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let views = try (0..<3).map { _ in try f.separateFolder().snapshot() }
        for view in views {
            #expect(view.messages.count == writers * perWriter)
            #expect(view.messages.map(\.uid) == Array(1...UInt32(writers * perWriter)))
        }
        let list = try DovecotUIDList.parse(f.read("dovecot-uidlist"))
        #expect(list.list.records.count == writers * perWriter)
        #expect(Set(list.list.records.map(\.fileName)).count == writers * perWriter)
        // Every message's content is there exactly once.
        var seen = Set<String>()
        let s = f.storage()
        for info in try s.open(.inbox).messages {
            let text = String(decoding: try #require(try s.fetch(.inbox, uid: info.uid)), as: UTF8.self)
            #expect(seen.insert(text).inserted)
        }
    }

    @Test("a stale dovecot-uidlist.lock left by a crash is taken over after the stale timeout")
    func staleLock() throws {
        let f = try MaildirFixture()
        try f.write("dovecot-uidlist.lock", "left by a crashed process")
        let old = Date(timeIntervalSinceNow: -10)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: "\(f.root)/dovecot-uidlist.lock")
        let s = f.storage(staleSeconds: 5)
        try s.deliver(Array(message(1).utf8))
        #expect(try s.open(.inbox).messages.map(\.uid) == [1])
        #expect(!FileManager.default.fileExists(atPath: "\(f.root)/dovecot-uidlist.lock"))
    }

    @Test("a fresh lock held too long gives a temporary lock-timeout error")
    func heldLock() throws {
        let f = try MaildirFixture()
        try f.write("dovecot-uidlist.lock", "held")
        let s = MaildirStorage(root: f.root, options: MaildirOptions(hostName: "t", uidListLockStaleSeconds: 1))
        try s.deliver(Array(message(1).utf8))
        // Keep touching the lock so it never goes stale.
        let stop = Counter()
        let toucher = Thread {
            while stop.value == 0 {
                try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: "\(f.root)/dovecot-uidlist.lock")
                usleep(100_000)
            }
        }
        toucher.start()
        defer { stop.increment() }
        do {
            _ = try s.open(.inbox)
            Issue.record("open succeeded while the lock was held")
        } catch {
            guard case .lockTimeout = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.isTemporary)
        }
    }

    @Test("a missing or damaged maildirsize is recalculated from the folders")
    func quotaRecalculation() throws {
        let f = try MaildirFixture()
        let s = f.storage(quota: QuotaLimits(bytes: 1_000_000, messages: 100))
        for n in 1...3 { try s.deliver(Array(message(n).utf8)) }
        _ = try s.append(FolderPath(["Sent"]), message: Array(message(9).utf8), flags: [.seen], keywords: [], internalDate: nil)
        let expected = Int64([1, 2, 3, 9].reduce(0) { $0 + message($1).utf8.count })
        #expect(try s.quota().bytes == expected)
        #expect(try s.quota().messages == 4)
        try FileManager.default.removeItem(atPath: "\(f.root)/maildirsize")
        #expect(try s.quota() == QuotaUsage(limits: QuotaLimits(bytes: 1_000_000, messages: 100), bytes: expected, messages: 4))
        try f.write("maildirsize", "1000000S,100C\nthis is not a number\n")
        #expect(try s.quota().bytes == expected)
        #expect(try f.read("maildirsize").hasPrefix("1000000S,100C\n"))
        // Limits changed in the account store: the first line follows.
        let bigger = f.storage(quota: QuotaLimits(bytes: 2_000_000, messages: nil))
        #expect(try bigger.quota().messages == 4)
        #expect(try f.read("maildirsize").hasPrefix("2000000S\n"))
    }

    @Test("observers hear about a delivery by another program within a second (inotify)")
    func externalNotification() async throws {
        let f = try MaildirFixture()
        let s = f.storage()
        _ = try s.open(.inbox)
        let count = Counter()
        let observation = try s.observe(.inbox) { count.increment() }
        defer { observation.cancel() }
        // Not through this process's storage: a plain rename, as another MDA would do it.
        try f.write("tmp/1700000000.M5P5.mda", "Subject: hi\n\nbody\n")
        try FileManager.default.moveItem(atPath: "\(f.root)/tmp/1700000000.M5P5.mda", toPath: "\(f.root)/new/1700000000.M5P5.mda")
        for _ in 0..<100 where count.value == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(count.value >= 1)
        #expect(try s.open(.inbox).messages.count == 1)
        // After cancel, nothing more arrives.
        observation.cancel()
        let before = count.value
        try f.write("new/1700000001.M6P6.mda", "Subject: again\n\n")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(count.value == before)
    }

    @Test("a 2,000-message folder opens from the index without reading a directory")
    func warmOpen() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 0..<2000 { try MaildirDelivery.deliver(Array(message(n).utf8), into: f.root, host: "bulk") }
        let cold = try s.open(.inbox)
        #expect(cold.messages.count == 2000)
        // Make the directories look settled, as they are a few seconds later.
        let past = Date(timeIntervalSinceNow: -60)
        for sub in ["cur", "new"] {
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: "\(f.root)/\(sub)")
        }
        _ = try s.open(.inbox)   // records the settled stamps
        f.restart()
        let folder = f.separateFolder()
        let warm = try folder.snapshot()
        #expect(warm.messages == cold.messages)
        #expect(folder.problems.isEmpty)
        #expect(folder.directoryScans == 0)
        // A new delivery changes new/ only: one listing of new/, none of cur/.
        try MaildirDelivery.deliver(Array(message(9999).utf8), into: f.root, host: "bulk")
        #expect(try folder.snapshot().messages.count == 2001)
        #expect(folder.directoryScans == 1)
    }
}
