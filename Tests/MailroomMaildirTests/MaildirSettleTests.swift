// The stamps of cur/ under load: a session's own changes (flag renames, APPEND, EXPUNGE) do not
// make the next sync list cur/ again, a change another program makes in the same clock tick as
// ours (so cur/'s mtime cannot show it) is still found by the verifying listing once the settle
// window has passed, and `open(_:claimRecent:unlessAt:)` builds no listing when nothing changed.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

@Suite("Maildir stamps and own changes")
struct MaildirSettleTests {
    static let window: Int64 = 300_000_000   // 0.3 s, so the tests need not wait 2 s

    func folder(_ f: MaildirFixture) -> MaildirFolder {
        MaildirFolder(directory: f.root, options: MaildirOptions(hostName: "test.example", settleWindowNanoseconds: Self.window))
    }

    func message(_ n: Int) -> [UInt8] { Array("Subject: m\(n)\nMessage-ID: <m\(n)@example.com>\n\nbody \(n)\n".utf8) }

    /// A folder with `count` messages whose directories have settled and been verified.
    func settledFolder(_ f: MaildirFixture, count: Int) throws -> MaildirFolder {
        for n in 0..<count { try MaildirDelivery.deliver(message(n), into: f.root, host: "bulk") }
        let folder = folder(f)
        _ = try folder.snapshot()
        try waitOutWindow()
        _ = try folder.snapshot()   // the verifying listing
        return folder
    }

    func waitOutWindow() throws {
        Thread.sleep(forTimeInterval: Double(Self.window) / 1e9 + 0.1)
    }

    @Test("a session's own flag changes, appends and expunges need no listing of cur/ at the next sync")
    func ownChangesCarried() throws {
        let f = try MaildirFixture()
        let folder = try settledFolder(f, count: 200)
        let scans = folder.directoryScans
        _ = try folder.snapshot()
        #expect(folder.directoryScans == scans, "settled and verified: nothing listed")

        let uids = try folder.snapshot().messages.map(\.uid)
        for uid in uids.prefix(20) {
            _ = try folder.setFlags(uids: [uid], change: .add, flags: [.seen], keywords: [], unchangedSince: nil)
            let snap = try folder.snapshot()
            #expect(snap.messages.first { $0.uid == uid }?.flags.contains(.seen) == true)
        }
        #expect(folder.directoryScans == scans, "20 STOREs and 20 syncs: cur/ was not listed")

        let tmp = "append-\(UUID().uuidString)"
        try Data(message(999)).write(to: URL(fileURLWithPath: "\(f.root)/tmp/\(tmp)"))
        let appended = try folder.commitAppend(tmpName: tmp, finalBase: "1700000999.M1P1.test", flags: [], keywords: [])
        _ = try folder.expunge(uids: [uids[0]])
        let after = try folder.snapshot()
        #expect(after.messages.contains { $0.uid == appended.uid })
        #expect(!after.messages.contains { $0.uid == uids[0] })
        #expect(folder.directoryScans == scans, "APPEND and EXPUNGE: cur/ was not listed")

        // Once the window has passed, one verifying listing, then none.
        try waitOutWindow()
        _ = try folder.snapshot()
        #expect(folder.directoryScans == scans + 1)
        _ = try folder.snapshot()
        #expect(folder.directoryScans == scans + 1)
    }

    @Test("another program's rename in the same clock tick as our change is found by the verifying listing")
    func sameTickChangeVerified() throws {
        let f = try MaildirFixture()
        let folder = try settledFolder(f, count: 10)
        let snap = try folder.snapshot()
        let (ours, theirs) = (snap.messages[0].uid, snap.messages[1].uid)
        _ = try folder.setFlags(uids: [ours], change: .add, flags: [.flagged], keywords: [], unchangedSince: nil)

        // Another program marks `theirs` \Seen; cur/'s mtime is put back to what it was, as if
        // the rename had happened in the same tick as ours.
        let cur = "\(f.root)/cur"
        var before = stat()
        #expect(stat(cur, &before) == 0)
        let name = try #require(try f.files("cur").first { try folder.messagePath(uid: theirs)?.hasSuffix("/" + $0) == true })
        let renamed = name.hasSuffix(":2,") ? name + "S" : name
        #expect(rename("\(cur)/\(name)", "\(cur)/\(renamed)") == 0)
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, cur, &times, 0) == 0)

        let hidden = try folder.snapshot()
        #expect(hidden.messages.first { $0.uid == theirs }?.flags.contains(.seen) == false,
                "inside the window the unchanged stamp is trusted")
        try waitOutWindow()
        let verified = try folder.snapshot()
        #expect(verified.messages.first { $0.uid == theirs }?.flags.contains(.seen) == true,
                "after the window the verifying listing finds it")
        #expect(verified.messages.first { $0.uid == ours }?.flags.contains(.flagged) == true)
    }

    @Test("a change by another program before ours is listed at once, not carried")
    func earlierForeignChangeListed() throws {
        let f = try MaildirFixture()
        let folder = try settledFolder(f, count: 10)
        let snap = try folder.snapshot()
        let theirs = snap.messages[1].uid
        let path = try #require(try folder.messagePath(uid: theirs))
        try waitOutWindow()   // a later tick than the verifying listing
        #expect(rename(path, path.hasSuffix(":2,") ? path + "S" : path) == 0)
        _ = try folder.setFlags(uids: [snap.messages[0].uid], change: .add, flags: [.flagged], keywords: [], unchangedSince: nil)
        let after = try folder.snapshot()
        #expect(after.messages.first { $0.uid == theirs }?.flags.contains(.seen) == true)
    }

    @Test("open unlessAt: nil while nothing changed, a snapshot after a change, a delivery or a claim")
    func openUnlessAt() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 0..<5 { try s.deliver(message(n)) }
        let first = try s.open(.inbox, claimRecent: true)
        #expect(try s.open(.inbox, claimRecent: true, unlessAt: first.version) == nil)
        #expect(try s.open(.inbox, claimRecent: false, unlessAt: first.version) == nil)

        _ = try s.setFlags(.inbox, uids: [first.messages[2].uid], .add, flags: [.seen], keywords: [], unchangedSince: nil)
        let flagged = try #require(try s.open(.inbox, claimRecent: true, unlessAt: first.version))
        #expect(flagged.messages[2].flags.contains(.seen))
        #expect(try s.open(.inbox, claimRecent: true, unlessAt: flagged.version) == nil)

        try s.deliver(message(9))
        let delivered = try #require(try s.open(.inbox, claimRecent: true, unlessAt: flagged.version))
        #expect(delivered.messages.count == 6)
        #expect(delivered.recent.count == 1)

        _ = try s.expunge(.inbox, uids: [delivered.messages[0].uid])
        let expunged = try #require(try s.open(.inbox, claimRecent: false, unlessAt: delivered.version))
        #expect(expunged.messages.count == 5)

        // A flag change says which version it started from and which it left: a session at the
        // first that takes in `updated` is at the second, which the next open confirms.
        let now = try #require(try s.open(.inbox, claimRecent: false, unlessAt: expunged.version) ?? expunged)
        let change = try s.setFlags(.inbox, uids: [now.messages[0].uid], .add, flags: [.flagged], keywords: [], unchangedSince: nil)
        #expect(change.versionBefore == now.version)
        let after = try #require(change.versionAfter)
        #expect(after != now.version)
        #expect(try s.open(.inbox, claimRecent: false, unlessAt: after) == nil)

        // The memory backend's default implementation answers the same way.
        let memory = MemoryStorage()
        _ = try memory.append(.inbox, message: message(1), flags: [], keywords: [], internalDate: nil)
        let m = try memory.open(.inbox, claimRecent: true)
        #expect(try memory.open(.inbox, claimRecent: true, unlessAt: m.version) == nil)
        _ = try memory.append(.inbox, message: message(2), flags: [], keywords: [], internalDate: nil)
        #expect(try memory.open(.inbox, claimRecent: true, unlessAt: m.version)?.messages.count == 2)
    }
}
