// The storage protocol's conformance suite: the same tests against MaildirStorage (on disk)
// and MemoryStorage, so other components can test against the in-memory one and trust that
// the real one behaves the same.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case maildir, memory
    var description: String { rawValue }
}

/// A storage under test and what to clean up.
final class StorageUnderTest: @unchecked Sendable {
    let storage: any MailStorage
    let root: String?

    init(_ backend: Backend, quota: QuotaLimits = .unlimited) throws {
        switch backend {
        case .maildir:
            let volume = NSTemporaryDirectory() + "mailroom-storage-\(UUID().uuidString)"
            let maildir = try MaildirLayout.createMailbox(volume: volume, address: try EmailAddress("用户@例子.中国"))
            root = volume
            storage = MaildirStorage(root: maildir, options: MaildirOptions(hostName: "test.example", quota: quota))
        case .memory:
            root = nil
            storage = MemoryStorage(quota: quota)
        }
    }

    deinit {
        if let root { try? FileManager.default.removeItem(atPath: root) }
    }

    /// A delivery as the SMTP server or `mailroom deliver` makes it.
    func deliver(_ text: String) throws {
        switch storage {
        case let s as MaildirStorage: try s.deliver(Array(text.utf8))
        case let s as MemoryStorage: try s.deliver(Array(text.utf8))
        default: Issue.record("unknown backend")
        }
    }
}

func message(_ n: Int, subject: String = "测试") -> String {
    "From: a@example.com\r\nTo: 用户@例子.中国\r\nSubject: \(subject) \(n)\r\nMessage-ID: <\(n)@example.com>\r\n\r\n正文 \(n)\r\n"
}

@Suite("Storage conformance")
struct StorageConformanceTests {
    @Test("deliveries get increasing UIDs and are \\Recent once", arguments: Backend.allCases)
    func deliverAndOpen(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        let first = try t.storage.open(.inbox)
        #expect(first.messages.map(\.uid) == [1, 2, 3])
        #expect(first.recent == [1, 2, 3])
        #expect(first.uidNext == 4)
        #expect(first.uidValidity > 0)
        let bytes = try #require(try t.storage.fetch(.inbox, uid: 2))
        #expect(String(decoding: bytes, as: UTF8.self) == message(2))
        #expect(first.messages[1].size == Int64(bytes.count))
        let second = try t.storage.open(.inbox)
        #expect(second.recent.isEmpty)
        #expect(second.messages == first.messages)
        try t.deliver(message(4))
        #expect(try t.storage.open(.inbox).messages.map(\.uid) == [1, 2, 3, 4])
    }

    @Test("append returns APPENDUID data with flags, keywords and internal date", arguments: Backend.allCases)
    func append(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        let date: Int64 = 1_700_000_000
        let result = try t.storage.append(FolderPath(["Sent"]), message: Array(message(1).utf8), flags: [.seen, .draft],
                                          keywords: ["$Forwarded", "Project"], internalDate: date)
        #expect(result.uid == 1)
        let snap = try t.storage.open(FolderPath(["Sent"]))
        #expect(snap.uidValidity == result.uidValidity)
        let info = try #require(snap.messages.first)
        #expect(info.flags == [.seen, .draft])
        #expect(info.keywords == ["$Forwarded", "Project"])
        #expect(info.internalDate == date)
        #expect(snap.recent == [1], "an APPENDed message is \\Recent for the next claiming open")
        let again = try t.storage.append(FolderPath(["Sent"]), message: Array(message(2).utf8), flags: [], keywords: [], internalDate: nil)
        #expect(again.uid == 2)
    }

    @Test("flags: add, remove, replace, MODSEQ and UNCHANGEDSINCE", arguments: Backend.allCases)
    func flags(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        let before = try t.storage.open(.inbox)
        let added = try t.storage.setFlags(.inbox, uids: [1, 2], .add, flags: [.seen, .flagged], keywords: ["urgent"], unchangedSince: nil)
        #expect(added.updated.map(\.uid) == [1, 2])
        #expect(added.updated.allSatisfy { $0.flags == [.seen, .flagged] && $0.keywords == ["urgent"] })
        #expect(added.updated.allSatisfy { $0.modSeq > before.highestModSeq })
        let removed = try t.storage.setFlags(.inbox, uids: [2], .remove, flags: [.flagged], keywords: ["URGENT"], unchangedSince: nil)
        #expect(removed.updated.first?.flags == [.seen])
        #expect(removed.updated.first?.keywords == [])
        let mid = try t.storage.open(.inbox)
        // UNCHANGEDSINCE below message 1's MODSEQ refuses it; message 3 is unchanged, so it is set.
        let conditional = try t.storage.setFlags(.inbox, uids: [1, 3], .replace, flags: [.answered], keywords: [],
                                                 unchangedSince: mid.messages[0].modSeq - 1)
        #expect(conditional.modifiedSince == [1])
        #expect(conditional.updated.map(\.uid) == [3])
        let after = try t.storage.open(.inbox)
        #expect(after.messages.map(\.flags) == [[.seen, .flagged], [.seen], [.answered]])
        #expect(after.highestModSeq >= after.messages.map(\.modSeq).max()!)
        // Setting what is already set changes nothing.
        let noop = try t.storage.setFlags(.inbox, uids: [3], .add, flags: [.answered], keywords: [], unchangedSince: nil)
        #expect(noop.updated.isEmpty)
        #expect(try t.storage.open(.inbox).highestModSeq == after.highestModSeq)
    }

    @Test("copy and move keep flags and return COPYUID mappings", arguments: Backend.allCases)
    func copyMove(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        _ = try t.storage.open(.inbox)
        _ = try t.storage.setFlags(.inbox, uids: [2], .add, flags: [.flagged], keywords: ["work"], unchangedSince: nil)
        let archive = FolderPath(["Archive", "2024"])
        try t.storage.createFolder(archive)
        let copied = try t.storage.copy(.inbox, uids: [2, 3, 99], to: archive)
        #expect(copied.mapping.map(\.source) == [2, 3])
        #expect(copied.mapping.map(\.destination) == [1, 2])
        let dest = try t.storage.open(archive)
        #expect(dest.uidValidity == copied.uidValidity)
        #expect(dest.messages.first?.flags == [.flagged])
        #expect(dest.messages.first?.keywords == ["work"])
        #expect(try t.storage.fetch(archive, uid: 1) == Array(message(2).utf8))
        let moved = try t.storage.move(.inbox, uids: [1], to: FolderPath(["Trash"]))
        #expect(moved.mapping.count == 1)
        #expect(try t.storage.open(.inbox).messages.map(\.uid) == [2, 3])
        #expect(try t.storage.fetch(FolderPath(["Trash"]), uid: moved.mapping[0].destination) == Array(message(1).utf8))
    }

    @Test("expunged UIDs are never reused", arguments: Backend.allCases)
    func expunge(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        _ = try t.storage.open(.inbox)
        #expect(try t.storage.expunge(.inbox, uids: [3, 2, 42]).sorted() == [2, 3])
        #expect(try t.storage.fetch(.inbox, uid: 3) == nil)
        try t.deliver(message(4))
        let snap = try t.storage.open(.inbox)
        #expect(snap.messages.map(\.uid) == [1, 4])
        #expect(snap.uidNext == 5)
    }

    @Test("folders: create, list, rename with children, delete, subscribe, Unicode names", arguments: Backend.allCases)
    func folders(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        let chinese = FolderPath(["已发送", "2024"])
        try t.storage.createFolder(chinese)
        try t.storage.createFolder(FolderPath(["Projects"]))
        try t.storage.createFolder(FolderPath(["Projects", "Mailroom"]))
        #expect(throws: StorageError.folderExists(FolderPath(["Projects"]))) { try t.storage.createFolder(FolderPath(["Projects"])) }
        #expect(throws: StorageError.self) { try t.storage.createFolder(FolderPath(["a.b"])) }
        #expect(throws: StorageError.self) { try t.storage.createFolder(FolderPath(["INBOX"])) }
        var list = try t.storage.listFolders()
        let names = Set(list.map(\.path))
        #expect(names.isSuperset(of: [.inbox, FolderPath(["Sent"]), chinese, FolderPath(["已发送"]), FolderPath(["Projects", "Mailroom"])]))
        #expect(list.first { $0.path == FolderPath(["已发送"]) }?.exists == false)
        #expect(list.first { $0.path == FolderPath(["Projects"]) }?.hasChildren == true)
        #expect(list.first { $0.path == FolderPath(["Sent"]) }?.specialUse == .sent)
        #expect(list.first { $0.path == FolderPath(["Sent"]) }?.subscribed == true)

        _ = try t.storage.append(FolderPath(["Projects", "Mailroom"]), message: Array(message(1).utf8), flags: [], keywords: [], internalDate: nil)
        try t.storage.setSubscribed(FolderPath(["Projects", "Mailroom"]), true)
        try t.storage.renameFolder(FolderPath(["Projects"]), to: FolderPath(["Work"]))
        list = try t.storage.listFolders()
        #expect(list.contains { $0.path == FolderPath(["Work", "Mailroom"]) && $0.subscribed })
        #expect(!list.contains { $0.path == FolderPath(["Projects"]) })
        #expect(try t.storage.open(FolderPath(["Work", "Mailroom"])).messages.count == 1)
        // A read of a message that is not there is nil; of a folder that is gone, folderNotFound
        // (also once the folder was open: the per-message read skips the folder check).
        #expect(try t.storage.fetch(FolderPath(["Work", "Mailroom"]), uid: 1) != nil)
        #expect(try t.storage.fetch(FolderPath(["Work", "Mailroom"]), uid: 99) == nil)

        try t.storage.deleteFolder(FolderPath(["Work", "Mailroom"]))
        #expect(throws: StorageError.folderNotFound(FolderPath(["Work", "Mailroom"]))) { try t.storage.fetch(FolderPath(["Work", "Mailroom"]), uid: 1) }
        #expect(throws: StorageError.folderNotFound(FolderPath(["Work", "Mailroom"]))) { try t.storage.fetch(FolderPath(["Work", "Mailroom"]), uid: 99) }
        #expect(throws: StorageError.folderNotFound(FolderPath(["Work", "Mailroom"]))) { try t.storage.open(FolderPath(["Work", "Mailroom"])) }
        #expect(throws: StorageError.cannotDeleteInbox) { try t.storage.deleteFolder(.inbox) }
        try t.storage.setSubscribed(FolderPath(["Sent"]), false)
        #expect(try t.storage.listFolders().first { $0.path == FolderPath(["Sent"]) }?.subscribed == false)
    }

    @Test("renaming INBOX moves its messages and leaves it empty", arguments: Backend.allCases)
    func renameInbox(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...2 { try t.deliver(message(n)) }
        try t.storage.renameFolder(.inbox, to: FolderPath(["Old"]))
        #expect(try t.storage.open(.inbox).messages.isEmpty)
        #expect(try t.storage.open(FolderPath(["Old"])).messages.count == 2)
    }

    @Test("status counts messages, unseen and size", arguments: Backend.allCases)
    func status(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        _ = try t.storage.open(.inbox)
        _ = try t.storage.setFlags(.inbox, uids: [1], .add, flags: [.seen], keywords: [], unchangedSince: nil)
        let status = try t.storage.status(.inbox)
        #expect(status.messages == 3)
        #expect(status.unseen == 2)
        #expect(status.uidNext == 4)
        #expect(status.size == (1...3).reduce(Int64(0)) { $0 + Int64(message($1).utf8.count) })
    }

    @Test("quota: over-quota deliveries are refused with the use", arguments: Backend.allCases)
    func quota(_ backend: Backend) throws {
        let size = Int64(message(1).utf8.count)
        let t = try StorageUnderTest(backend, quota: QuotaLimits(bytes: size * 2 + 5, messages: 10))
        try t.deliver(message(1))
        try t.deliver(message(2))
        #expect(throws: StorageError.self) { try t.deliver(message(3)) }
        do {
            try t.deliver(message(3))
        } catch let error as StorageError {
            guard case .overQuota(let use) = error else { Issue.record("wrong error \(error)"); return }
            #expect(use.bytes == size * 2)
            #expect(use.messages == 2)
            #expect(!error.isTemporary)
        }
        #expect(try t.storage.quota().bytes == size * 2)
        _ = try t.storage.open(.inbox)
        _ = try t.storage.expunge(.inbox, uids: [1])
        #expect(try t.storage.quota().messages == 1)
        try t.deliver(message(3))
    }

    @Test("keywords: at most 26 per folder, invalid names refused", arguments: Backend.allCases)
    func keywords(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        try t.deliver(message(1))
        _ = try t.storage.open(.inbox)
        #expect(throws: StorageError.invalidKeyword("bad word")) {
            try t.storage.setFlags(.inbox, uids: [1], .add, flags: [], keywords: ["bad word"], unchangedSince: nil)
        }
        let many = (0..<26).map { "k\($0)" }
        _ = try t.storage.setFlags(.inbox, uids: [1], .add, flags: [], keywords: many, unchangedSince: nil)
        #expect(try t.storage.open(.inbox).messages[0].keywords.count == 26)
        #expect(throws: StorageError.tooManyKeywords) {
            try t.storage.setFlags(.inbox, uids: [1], .add, flags: [], keywords: ["one-more"], unchangedSince: nil)
        }
    }

    @Test("observers hear about deliveries and flag changes", arguments: Backend.allCases)
    func observe(_ backend: Backend) async throws {
        let t = try StorageUnderTest(backend)
        try t.deliver(message(1))
        _ = try t.storage.open(.inbox)
        let count = Counter()
        let observation = try t.storage.observe(.inbox) { count.increment() }
        try t.deliver(message(2))
        _ = try t.storage.open(.inbox)
        _ = try t.storage.setFlags(.inbox, uids: [2], .add, flags: [.seen], keywords: [], unchangedSince: nil)
        for _ in 0..<100 where count.value < 2 { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(count.value >= 2)
        observation.cancel()
    }

    // MARK: \Recent (RFC 3501 §2.3.2, with Dovecot's semantics)

    @Test("APPEND, COPY and MOVE arrivals are \\Recent for exactly one claiming open", arguments: Backend.allCases)
    func recentArrivals(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...3 { try t.deliver(message(n)) }
        #expect(try t.storage.open(.inbox).recent == [1, 2, 3])
        let trash = FolderPath(["Trash"])
        let archive = FolderPath(["Archive"])
        try t.storage.createFolder(archive)
        #expect(try t.storage.open(archive).recent.isEmpty)
        #expect(try t.storage.open(trash).recent.isEmpty)

        // APPEND into the folder a session has open: its next (claiming) sync gets it.
        let appended = try t.storage.append(.inbox, message: Array(message(4).utf8), flags: [.seen], keywords: [], internalDate: nil)
        let afterAppend = try t.storage.open(.inbox)
        #expect(afterAppend.recent == [appended.uid])
        #expect(try t.storage.open(.inbox).recent.isEmpty, "claimed once")

        let copied = try t.storage.copy(.inbox, uids: [1, 2], to: archive)
        let moved = try t.storage.move(.inbox, uids: [3], to: trash)
        #expect(try t.storage.open(.inbox).recent.isEmpty, "the source gains nothing")
        #expect(try t.storage.open(archive).recent == Set(copied.mapping.map(\.destination)))
        #expect(try t.storage.open(trash).recent == Set(moved.mapping.map(\.destination)))
        #expect(try t.storage.open(archive).recent.isEmpty)
        #expect(try t.storage.open(trash).recent.isEmpty)

        // RENAME INBOX moves its messages: they arrive in the new folder.
        try t.storage.renameFolder(.inbox, to: FolderPath(["Old"]))
        let old = try t.storage.open(FolderPath(["Old"]))
        #expect(old.messages.count == 3)
        #expect(old.recent == Set(old.messages.map(\.uid)))
        #expect(try t.storage.open(.inbox).recent.isEmpty)
    }

    @Test("a selected session's later syncs claim what arrived since", arguments: Backend.allCases)
    func recentWhileSelected(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        try t.deliver(message(1))
        #expect(try t.storage.open(.inbox, claimRecent: true).recent == [1])   // SELECT
        try t.deliver(message(2))
        try t.deliver(message(3))
        #expect(try t.storage.open(.inbox, claimRecent: true).recent == [2, 3])   // NOOP/IDLE sync
        _ = try t.storage.expunge(.inbox, uids: [3])
        #expect(try t.storage.open(.inbox, claimRecent: true).recent.isEmpty)
        try t.deliver(message(4))
        #expect(try t.storage.open(.inbox, claimRecent: true).recent == [4], "UIDs only grow: an expunge costs nothing")
    }

    @Test("EXAMINE-style opens and STATUS report \\Recent without claiming it", arguments: Backend.allCases)
    func recentNotClaimed(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        for n in 1...2 { try t.deliver(message(n)) }
        #expect(try t.storage.status(.inbox).recent == 2)
        #expect(try t.storage.open(.inbox, claimRecent: false).recent == [1, 2])   // EXAMINE
        #expect(try t.storage.open(.inbox, claimRecent: false).recent == [1, 2])   // another EXAMINE
        #expect(try t.storage.uids(.inbox) == [1, 2])                               // a tool
        #expect(try t.storage.status(.inbox).recent == 2)
        _ = try t.storage.setFlags(.inbox, uids: [1], .add, flags: [.seen], keywords: [], unchangedSince: nil)
        #expect(try t.storage.fetch(.inbox, uid: 2) != nil)
        #expect(try t.storage.status(.inbox).recent == 2, "internal syncs claim nothing")

        #expect(try t.storage.open(.inbox, claimRecent: true).recent == [1, 2])    // SELECT
        #expect(try t.storage.status(.inbox).recent == 0)
        #expect(try t.storage.open(.inbox, claimRecent: false).recent.isEmpty)
        try t.deliver(message(3))
        #expect(try t.storage.status(.inbox).recent == 1)
        #expect(try t.storage.open(.inbox, claimRecent: false).recent == [3])
        #expect(try t.storage.open(.inbox).recent == [3], "open(_:) claims")
        #expect(try t.storage.status(.inbox).recent == 0)
    }

    @Test("cached fields survive until the message is expunged", arguments: Backend.allCases)
    func cache(_ backend: Backend) throws {
        let t = try StorageUnderTest(backend)
        try t.deliver(message(1))
        _ = try t.storage.open(.inbox)
        t.storage.setCachedField(.inbox, uid: 1, field: "envelope", value: Array("(\"x\")".utf8))
        #expect(t.storage.cachedField(.inbox, uid: 1, field: "envelope") == Array("(\"x\")".utf8))
        _ = try t.storage.expunge(.inbox, uids: [1])
        #expect(t.storage.cachedField(.inbox, uid: 1, field: "envelope") == nil)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
