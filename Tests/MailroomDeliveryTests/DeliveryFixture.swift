// Test support for the delivery tests: a fresh temporary directory with a real SQLite account
// store (migrated), a mail root and a spool; messages are queued through the real Spool and
// delivered by a real QueueRunner with a clock the test moves. Mailboxes are read back from
// disk, not through the code under test.

import Foundation
import MailroomCore
import MailroomMaildir
import MailroomQueue
import MailroomStore
import Testing
@testable import MailroomDelivery

/// Seconds since 1970 that only move when the test says so. It starts a minute ahead of the
/// real clock, so queue files committed during the test (mtime = real time) are due.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64

    init(_ start: Int64 = Int64(Date().timeIntervalSince1970) + 60) { value = start }

    var now: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func advance(_ seconds: Int64) {
        lock.lock()
        value += seconds
        lock.unlock()
    }
}

final class DeliveryFixture: @unchecked Sendable {
    let root: String
    let mailRoot: String
    let spool: Spool
    let store: SQLAccountStore
    let clock = ManualClock()
    var options: DeliveryOptions

    private init(root: String, spool: Spool, store: SQLAccountStore, options: DeliveryOptions) {
        self.root = root
        self.mailRoot = "\(root)/mail"
        self.spool = spool
        self.store = store
        self.options = options
    }

    static func make(_ configure: (inout DeliveryOptions) -> Void = { _ in }) async throws -> DeliveryFixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-delivery-\(UUID().uuidString)")
            .resolvingSymlinksInPath().path
        try FileManager.default.createDirectory(atPath: "\(root)/mail", withIntermediateDirectories: true)
        let db = try SQLiteDatabase(path: "\(root)/mailroom.sqlite")
        try await Migrator.migrate(db)
        let store = SQLAccountStore(database: db, options: StoreOptions(
            passwordPolicy: PasswordPolicy(yescryptCost: 1, scramIterations: 4096, storeCRAMMD5: false),
            defaultMailRoot: "\(root)/mail"))
        var options = DeliveryOptions(maildir: MaildirOptions(hostName: "test.example"), reportingMTA: "mx.example.com")
        configure(&options)
        return DeliveryFixture(root: root, spool: try Spool(directory: "\(root)/spool"), store: store, options: options)
    }

    func close() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: root)
    }

    // MARK: Accounts

    func domain(_ name: String) async throws {
        _ = try await store.addDomain(NewDomain(name: try DomainName(name)))
    }

    func user(_ address: String, quota: String? = nil) async throws {
        _ = try await store.addUser(NewUser(address: try EmailAddress(address), password: "pw",
                                            quota: try quota.map { try Quota.parse($0) }))
    }

    func alias(_ address: String, _ targets: String...) async throws {
        _ = try await store.addAlias(try EmailAddress(address), targets: targets)
    }

    /// example.com with alice and bob: the usual start.
    func standardAccounts(aliceQuota: String? = nil) async throws {
        try await domain("example.com")
        try await user("alice@example.com", quota: aliceQuota)
        try await user("bob@example.com")
    }

    // MARK: Queue

    /// Queues `message` (LF becomes CRLF, as SMTP delivers it) and returns its ID.
    @discardableResult
    func queue(from sender: String, to recipients: [Envelope.Recipient], message: String = testMessage(),
               returnContent: Envelope.Return? = nil) throws -> QueueID {
        let envelope = Envelope(sender: sender, recipients: recipients, returnContent: returnContent, envelopeID: "ENV-1",
                                protocolName: "ESMTP", listener: "mx", arrival: clock.now)
        let writer = try spool.receive(envelope)
        try writer.append(Array(crlf(message).utf8))
        try writer.commit()
        return writer.id
    }

    @discardableResult
    func queue(from sender: String, to recipients: String..., message: String = testMessage()) throws -> QueueID {
        try queue(from: sender, to: recipients.map { Envelope.Recipient(address: $0) }, message: message)
    }

    func runner() -> QueueRunner {
        let clock = self.clock
        return QueueRunner(spool: spool, store: store, options: options, clock: { clock.now })
    }

    /// What a start-up does: resume everything due, deliver, stop.
    @discardableResult
    func runOnce() async throws -> QueueRunner.Statistics {
        try await runner().runOnce()
    }

    /// Queue IDs still queued (not held).
    var queued: [QueueID] { spool.list().queued }

    // MARK: Mailboxes

    func maildir(_ address: String) throws -> String {
        MaildirLayout.maildir(volume: mailRoot, address: try EmailAddress(address))
    }

    func files(_ address: String, _ sub: String) throws -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(try maildir(address))/\(sub)")) ?? []).sorted()
    }

    /// The messages in a Maildir's new/ and cur/, read from disk (CRLF shown as LF).
    func messages(_ address: String) throws -> [String] {
        let dir = try maildir(address)
        return try ["new", "cur"].flatMap { sub in
            try files(address, sub).map { name in
                try String(contentsOfFile: "\(dir)/\(sub)/\(name)", encoding: .utf8).replacingOccurrences(of: "\r\n", with: "\n")
            }
        }
    }

    /// Messages that are delivery status notifications, and the others.
    func reports(_ address: String) throws -> [String] {
        try messages(address).filter { $0.contains("Content-Type: multipart/report") }
    }

    func plain(_ address: String) throws -> [String] {
        try messages(address).filter { !$0.contains("Content-Type: multipart/report") }
    }
}

/// Runs `body` with a fresh fixture and cleans up whatever happens.
func withFixture(_ configure: (inout DeliveryOptions) -> Void = { _ in },
                 _ body: (DeliveryFixture) async throws -> Void) async throws {
    let fixture = try await DeliveryFixture.make(configure)
    do {
        try await body(fixture)
    } catch {
        await fixture.close()
        throw error
    }
    await fixture.close()
}

func testMessage(subject: String = "hello", extraHeaders: String = "", body: String = "Hello there.\n") -> String {
    "From: Bob <bob@else.example>\nTo: alice@example.com\n\(extraHeaders)Subject: \(subject)\nMessage-ID: <m1@else.example>\n\n\(body)"
}

func crlf(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
}
