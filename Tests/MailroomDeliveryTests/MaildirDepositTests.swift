// The queue's Maildir writes: deterministic names that MaildirFileName and the sync engine
// accept like any other, a copy found again in new/ or cur/ (after a client set flags) instead
// of being written twice, a tmp/ leftover replaced, and the header scan for loops.

import Foundation
import MailroomCore
import MailroomMaildir
import MailroomQueue
import Testing
@testable import MailroomDelivery

@Suite("Maildir deposit and headers")
final class MaildirDepositTests {
    /// Directories made by this test, removed when it ends (a new instance runs each test).
    private var created: [String] = []

    deinit {
        for directory in created { try? FileManager.default.removeItem(atPath: directory) }
    }

    func makeMaildir() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-deposit-\(UUID().uuidString)").path
        created.append(base)
        let address = try EmailAddress("alice@example.com")
        return try MaildirLayout.createMailbox(volume: base, address: address)
    }

    let id = QueueID.make(now: 1_700_000_000_123_456)
    let header = Array("Return-Path: <bob@example.org>\r\nDelivered-To: alice@example.com\r\n".utf8)
    let body = Array("Subject: hi\r\n\r\nline one\nline two\r\n".utf8)

    @Test("the name: arrival time, queue ID, recipient, user, host; parsed like any Maildir name")
    func names() throws {
        let name = DepositName(queueID: id, recipient: 2, userID: 42, host: "mx/1:a")
        #expect(name.key == "1700000000.M123456Q\(id)I2U42.")
        #expect(name.base == "1700000000.M123456Q\(id)I2U42.mx\\0571\\072a")
        let file = name.fileName(size: 100, virtualSize: 103)
        let parsed = try MaildirFileName.parse(file)
        #expect(parsed.base == name.base)
        #expect(parsed.size == 100 && parsed.virtualSize == 103)
        let withFlags = try MaildirFileName.parse(file + ":2,FS")
        #expect(withFlags.base == name.base && withFlags.flags == [.flagged, .seen])
        // Derived queue IDs (notifications, forwards) make valid names too.
        let derived = DepositName(queueID: id.derived(.report, 0).derived(.forward, 3), recipient: 0, userID: 1, host: "h")
        #expect(try MaildirFileName.parse(derived.fileName(size: 1, virtualSize: 1)).base == derived.base)
    }

    @Test("written durably into new/; the sync engine gives it a UID; found again in new/ and in cur/ after flags")
    func idempotent() throws {
        let maildir = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: (maildir as NSString).deletingLastPathComponent) }
        let syncs = DirectorySyncsHandle()
        let name = DepositName(queueID: id, recipient: 0, userID: 7, host: "test.example")
        let lf = MaildirDeposit.bareLineFeeds(body)
        let first = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: lf, into: maildir, name: name,
                                               verify: true, syncs: syncs)
        guard case .written(let fileName) = first else { Issue.record("not written: \(first)"); return }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new") == [fileName])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(fileName)")) == Data(header + body))
        #expect(MaildirFileName(base: "x", fields: []).base == "x")
        let parsed = try MaildirFileName.parse(fileName)
        #expect(parsed.size == Int64(header.count + body.count))
        #expect(parsed.virtualSize == MaildirDelivery.rfc822Size(header + body), "W= as the engine computes it")
        #expect(syncs.syncCount == 1)

        // Found again in new/.
        let again = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: lf, into: maildir, name: name,
                                               verify: true, syncs: syncs)
        #expect(again == .alreadyThere(fileName: fileName))

        // The engine moves it to cur/ with a UID; a client sets \Seen and \Flagged.
        let storage = MaildirStorage(root: maildir, options: MaildirOptions(hostName: "test.example"))
        let snapshot = try storage.open(.inbox)
        #expect(snapshot.messages.map(\.uid) == [1])
        _ = try storage.setFlags(.inbox, uids: [1], .add, flags: [.seen, .flagged], keywords: [], unchangedSince: nil)
        let cur = try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/cur")
        #expect(cur.count == 1 && cur[0].hasPrefix(name.base) && cur[0].hasSuffix(":2,FS"), "\(cur)")
        let third = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: lf, into: maildir, name: name,
                                               verify: true, syncs: syncs)
        #expect(third == .alreadyThere(fileName: cur[0]))
        #expect(try storage.open(.inbox).messages.map(\.uid) == [1], "still one message")
    }

    @Test("a tmp/ file left by a crash before the rename is replaced, never shown")
    func tmpLeftover() throws {
        let maildir = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: (maildir as NSString).deletingLastPathComponent) }
        let name = DepositName(queueID: id, recipient: 0, userID: 7, host: "test.example")
        try Data("partial".utf8).write(to: URL(fileURLWithPath: "\(maildir)/tmp/\(name.base)"))
        let outcome = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: MaildirDeposit.bareLineFeeds(body),
                                                 into: maildir, name: name, verify: true, syncs: DirectorySyncsHandle())
        guard case .written(let fileName) = outcome else { Issue.record("\(outcome)"); return }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/tmp").isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(fileName)")) == Data(header + body))
        // A missing Maildir is reported as such (the runner creates it and tries again).
        #expect(throws: MaildirDeliveryError.self) {
            try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: 0, into: "\(maildir)/nonexistent",
                                       name: name, verify: false, syncs: DirectorySyncsHandle())
        }
    }

    @Test("concurrent deposits into one directory share its fsyncs")
    func sharedSyncs() async throws {
        let maildir = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: (maildir as NSString).deletingLastPathComponent) }
        let syncs = DirectorySyncsHandle()
        let header = self.header, body = self.body, id = self.id
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask {
                    let name = DepositName(queueID: id, recipient: n, userID: 7, host: "h")
                    _ = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: 1, into: maildir, name: name,
                                                   verify: false, syncs: syncs)
                }
            }
            try await group.waitForAll()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new").count == 40)
        #expect(syncs.syncCount >= 1 && syncs.syncCount <= 40)
    }

    @Test("filesystem sync: concurrent deposits share syncfs calls; a file cut short by a power loss is written again")
    func fileSystemSync() async throws {
        let maildir = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: (maildir as NSString).deletingLastPathComponent) }
        let syncs = DirectorySyncsHandle()
        let header = self.header, body = self.body, id = self.id
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask {
                    let name = DepositName(queueID: id, recipient: n, userID: 7, host: "h")
                    _ = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: 1, into: maildir, name: name,
                                                   verify: false, syncs: syncs, method: .fileSystem)
                }
            }
            try await group.waitForAll()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new").count == 20)
        #expect(syncs.syncCount >= 1, "the batch was made durable by syncfs")

        // What a power cut between the rename and the syncfs can leave: the name, not all bytes.
        let name = DepositName(queueID: id, recipient: 0, userID: 7, host: "h")
        let written = try #require(MaildirDeposit.find(name.key, in: maildir))
        let path = "\(maildir)/new/\(written)"
        try Data((header + body).prefix(10)).write(to: URL(fileURLWithPath: path))
        #expect(MaildirDeposit.find(name.key, in: maildir) == nil, "a short file is not a delivered copy")
        #expect(!FileManager.default.fileExists(atPath: path), "and it is removed")
        let again = try MaildirDeposit.deposit(header: header, body: body, bodyBareLineFeeds: MaildirDeposit.bareLineFeeds(body),
                                               into: maildir, name: name, verify: true, syncs: syncs, method: .fileSystem)
        guard case .written(let fileName) = again else { Issue.record("\(again)"); return }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(fileName)")) == Data(header + body))
    }

    @Test("header scan: Received: count and unfolded Delivered-To: of the header section only")
    func headerScan() throws {
        let text = "Received: from a\r\nreceived:\r\n\tfolded\r\nDelivered-To:\r\n <Alice@EXAMPLE.com>\r\nSubject: x\r\n\r\nReceived: body\r\nDelivered-To: bob@example.com\r\n"
        let scan = HeaderScan(Array(text.utf8)[...])
        #expect(scan.receivedCount == 2)
        #expect(scan.crlf)
        #expect(scan.wasDelivered(to: try EmailAddress("alice@example.com")))
        #expect(!scan.wasDelivered(to: try EmailAddress("bob@example.com")))
        let many = String(repeating: "Received: x\n", count: 101) + "\nbody\n"
        let loop = MessageHeaders.loop(HeaderScan(Array(many.utf8)[...]), recipient: try EmailAddress("a@b.example"), maximumReceived: 100)
        #expect(loop?.status.description == "5.4.6")
        #expect(MessageHeaders.loop(HeaderScan(Array(many.utf8)[...]), recipient: try EmailAddress("a@b.example"), maximumReceived: 101) == nil)
        #expect(!HeaderScan(Array("a: b\nc: d\n".utf8)[...]).crlf)
    }

    @Test("failures become replies with the code SMTP would give")
    func replies() {
        #expect(DeliveryFailure(.unknownRecipient, .badDestinationMailbox, "no").reply == "550 5.1.1 no")
        #expect(DeliveryFailure(.mailboxFull, .mailboxFull, "full").reply == "552 5.2.2 full")
        #expect(DeliveryFailure.temporary(.mailboxFullTemporary, "full").reply == "452 4.2.2 full")
        #expect(DeliveryFailure.temporary(.mailSystemFull, "disk").reply == "452 4.3.1 disk")
        #expect(DeliveryFailure.temporary(.systemIncorrectlyConfigured, "a\nb").reply == "451 4.3.5 a b")
    }
}
