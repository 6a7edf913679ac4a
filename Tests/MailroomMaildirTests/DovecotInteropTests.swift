// Interoperability with Dovecot (Debian's dovecot-imapd, started by the test on 127.0.0.1):
// a store written by Mailroom, served by Dovecot, shows the same messages, UIDs, flags and
// keywords; a store written through Dovecot is read by Mailroom the same; and both working on
// one Maildir at once never give one UID twice. This is what lets a provider move from Dovecot
// to Mailroom, or back, without clients downloading everything again.

import MailroomTestSupport
import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

/// The IMAP flag names of a Mailroom message, as Dovecot shows them.
func imapFlags(_ info: MessageInfo) -> Set<String> {
    var out = Set(info.keywords)
    let names: [(SystemFlags, String)] = [(.seen, "\\Seen"), (.answered, "\\Answered"), (.flagged, "\\Flagged"),
                                          (.deleted, "\\Deleted"), (.draft, "\\Draft")]
    for (flag, name) in names where info.flags.contains(flag) { out.insert(name) }
    return out
}

/// Runs `body` on a thread of its own whose file-system identity is `uid`/`gid` (Linux
/// setfsuid/setfsgid are per thread), so files Mailroom creates there belong to the same user
/// as Dovecot's mail processes — as they would in production, where both run as one mail user.
func asMailUser<T: Sendable>(uid: uid_t, gid: gid_t, _ body: @escaping @Sendable () throws -> T) throws -> T {
    typealias SetFS = @convention(c) (UInt32) -> Int32
    guard let handle = dlopen(nil, RTLD_NOW), let uidSymbol = dlsym(handle, "setfsuid"), let gidSymbol = dlsym(handle, "setfsgid") else {
        throw DovecotHarnessError("setfsuid not found")
    }
    let setfsuid = unsafeBitCast(uidSymbol, to: SetFS.self)
    let setfsgid = unsafeBitCast(gidSymbol, to: SetFS.self)
    let result = NIOLockedResult<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        _ = setfsgid(gid)
        _ = setfsuid(uid)
        result.set(Result { try body() })
        done.signal()
    }
    thread.start()
    done.wait()
    return try result.get()
}

final class NIOLockedResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<T, any Error>?
    func set(_ r: Result<T, any Error>) { lock.lock(); value = r; lock.unlock() }
    func get() throws -> T { lock.lock(); defer { lock.unlock() }; return try value!.get() }
}

@Suite("Dovecot interoperability", .enabled(if: IMAPProbe.shouldRun), .serialized)
struct DovecotInteropTests {
    /// Checks that Dovecot's view of `folder` equals Mailroom's, message by message.
    func expectSameView(_ dovecot: IMAPMailbox, _ ours: FolderSnapshot, bodies: (UInt32) throws -> ([UInt8], [UInt8]),
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(dovecot.uidValidity == ours.uidValidity, sourceLocation: sourceLocation)
        #expect(dovecot.messages.map(\.uid) == ours.messages.map(\.uid), sourceLocation: sourceLocation)
        for (theirs, mine) in zip(dovecot.messages, ours.messages) {
            #expect(theirs.flagSet == imapFlags(mine), "UID \(mine.uid)", sourceLocation: sourceLocation)
            #expect(Int64(theirs.size) == mine.size, "UID \(mine.uid)", sourceLocation: sourceLocation)
            #expect(Int64(theirs.internalDate) == mine.internalDate, "UID \(mine.uid)", sourceLocation: sourceLocation)
            let (a, b) = try bodies(mine.uid)
            #expect(a == b, "UID \(mine.uid) body", sourceLocation: sourceLocation)
        }
        if let next = dovecot.uidNext {
            #expect(next == ours.uidNext, sourceLocation: sourceLocation)
        }
    }

    @Test("a Maildir written by Mailroom is served by Dovecot with the same UIDs, flags, keywords and folders")
    func mailroomToDovecot() throws {
        let f = try MaildirFixture()
        let s = f.storage()
        for n in 1...5 { try s.deliver(Array(message(n).utf8)) }
        try s.deliver(Array("Subject: bare LF line ends\n\nbody\n".utf8))
        _ = try s.open(.inbox)
        _ = try s.setFlags(.inbox, uids: [1, 2], .add, flags: [.seen], keywords: ["$Forwarded", "Project-X"], unchangedSince: nil)
        _ = try s.setFlags(.inbox, uids: [3], .add, flags: [.flagged, .answered, .draft], keywords: ["$Junk"], unchangedSince: nil)
        _ = try s.expunge(.inbox, uids: [4])
        let sent = FolderPath(["已发送", "2024"])
        try s.createFolder(sent)
        try s.setSubscribed(sent, true)
        _ = try s.append(sent, message: Array(message(7, subject: "发票").utf8), flags: [.seen], keywords: ["Invoice"],
                         internalDate: 1_600_000_000)
        _ = try s.append(sent, message: Array(message(8).utf8), flags: [.deleted], keywords: [], internalDate: 1_600_000_100)
        let inbox = try s.open(.inbox)
        let sentView = try s.open(sent)

        let dovecot = try DovecotServer.start(maildirRoot: f.root)
        defer { dovecot.stop() }
        let theirInbox = try dovecot.imap.select("INBOX")
        try expectSameView(theirInbox, inbox) { uid in
            (try dovecot.imap.body("INBOX", uid: uid), CRLF.normalized(try #require(try s.fetch(.inbox, uid: uid))))
        }
        let theirSent = try dovecot.imap.select("已发送.2024")
        try expectSameView(theirSent, sentView) { uid in
            (try dovecot.imap.body("已发送.2024", uid: uid), CRLF.normalized(try #require(try s.fetch(sent, uid: uid))))
        }
        let folders = try dovecot.imap.listFolders()
        let names = Set(folders.map(\.name))
        #expect(names.isSuperset(of: ["INBOX", "Sent", "Drafts", "Junk", "Trash", "已发送.2024"]))
        #expect(folders.first { $0.name == "已发送.2024" }?.subscribed == true)
        #expect(folders.first { $0.name == "已发送.2024" }?.raw == "&XfJT0ZAB-.2024")

        // Dovecot writes to the same store (read-write SELECT, STORE, APPEND); Mailroom sees it.
        _ = try dovecot.imap.store("INBOX", uids: "5", .add, flags: ["\\Seen", "Project-X"])
        let appended = try dovecot.imap.append(Array(message(9).utf8), to: "INBOX", flags: ["\\Flagged", "Dovecot-Added"])
        #expect(appended.uid == 7)
        // Dovecot counts UIDVALIDITY for new folders in the same files: never one of ours.
        try dovecot.imap.createFolder("Fresh")
        let fresh = try #require(try dovecot.imap.select("Fresh").uidValidity)
        #expect(fresh > max(inbox.uidValidity, sentView.uidValidity))
        #expect(dovecot.logErrors.isEmpty, "\(dovecot.logErrors)")
        dovecot.stop()
        let after = try s.open(.inbox)
        #expect(after.messages.map(\.uid) == [1, 2, 3, 5, 6, 7])
        #expect(after.messages.first { $0.uid == 5 }.map(imapFlags) == ["\\Seen", "Project-X"])
        #expect(after.messages.first { $0.uid == 7 }.map(imapFlags) == ["\\Flagged", "Dovecot-Added"])
        #expect(try s.fetch(.inbox, uid: 7).map(CRLF.normalized) == CRLF.normalized(Array(message(9).utf8)))
    }

    @Test("a Maildir written by Dovecot is read by Mailroom with every UID, flag and keyword")
    func dovecotToMailroom() throws {
        let f = try MaildirFixture()
        let dovecot = try DovecotServer.start(maildirRoot: f.root, indexInMemory: false)
        defer { dovecot.stop() }
        for n in 1...6 {
            let flags: [String] = n % 2 == 0 ? ["\\Seen"] : (n == 3 ? ["\\Answered", "\\Flagged", "Work", "$MDNSent"] : [])
            _ = try dovecot.imap.append(Array(message(n).utf8), to: "INBOX", flags: flags,
                                        internalDate: Date(timeIntervalSince1970: 1_650_000_000 + Double(n)))
        }
        _ = try dovecot.imap.append(Array(message(20, subject: "Entwürfe").utf8), to: "Entwürfe", flags: ["\\Draft"])
        _ = try dovecot.imap.store("INBOX", uids: "1", .add, flags: ["\\Deleted"])
        _ = try dovecot.imap.expunge("INBOX", uids: "1")
        _ = try dovecot.imap.store("INBOX", uids: "4", .remove, flags: ["\\Seen"])
        let theirInbox = try dovecot.imap.select("INBOX")
        let theirDrafts = try dovecot.imap.select("Entwürfe")
        #expect(dovecot.logErrors.isEmpty, "\(dovecot.logErrors)")
        dovecot.stop()

        f.restart()
        let s = f.storage()
        let inbox = try s.open(.inbox)
        try expectSameView(theirInbox, inbox) { uid in
            (CRLF.normalized(try #require(try s.fetch(.inbox, uid: uid))), CRLF.normalized(Array(message(Int(uid)).utf8)))
        }
        #expect(inbox.messages.first { $0.uid == 3 }?.keywords.sorted() == ["$MDNSent", "Work"])
        let drafts = try s.open(FolderPath(["Entwürfe"]))
        #expect(drafts.uidValidity == theirDrafts.uidValidity)
        #expect(drafts.messages.map(\.uid) == theirDrafts.messages.map(\.uid))
        #expect(drafts.messages.first?.flags == [.draft])
        #expect(try s.listFolders().contains { $0.path == FolderPath(["Entwürfe"]) })
        // Mailroom goes on from there: new UIDs continue after Dovecot's.
        try s.deliver(Array(message(30).utf8))
        #expect(try s.open(.inbox).messages.last?.uid == 7)
        #expect(s.problems(.inbox).isEmpty, "\(s.problems(.inbox))")
    }

    @Test("Mailroom and Dovecot assigning UIDs in one Maildir at once never collide")
    func concurrentWithDovecot() async throws {
        let f = try MaildirFixture()
        let dovecot = try DovecotServer.start(maildirRoot: f.root, indexInMemory: false)
        defer { dovecot.stop() }
        let s = f.storage()
        let rounds = 8
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 0..<rounds {
                    _ = try dovecot.imap.append(Array(message(100 + n, subject: "via Dovecot").utf8), to: "INBOX")
                }
            }
            group.addTask {
                try asMailUser(uid: dovecot.mailUID, gid: dovecot.mailGID) {
                    for n in 0..<rounds {
                        try s.deliver(Array(message(200 + n, subject: "via Mailroom").utf8))
                        _ = try s.open(.inbox)
                    }
                }
            }
            try await group.waitForAll()
        }
        let theirs = try dovecot.imap.select("INBOX", readWrite: true)
        let ours = try s.open(.inbox)
        #expect(ours.messages.count == 2 * rounds)
        #expect(Set(ours.messages.map(\.uid)).count == 2 * rounds)
        #expect(theirs.messages.map(\.uid) == ours.messages.map(\.uid))
        #expect(theirs.uidValidity == ours.uidValidity)
        for info in ours.messages {
            let theirBody = try dovecot.imap.body("INBOX", uid: info.uid)
            #expect(theirBody == CRLF.normalized(try #require(try s.fetch(.inbox, uid: info.uid))))
        }
        #expect(dovecot.logErrors.isEmpty, "\(dovecot.logErrors)")
    }
}
