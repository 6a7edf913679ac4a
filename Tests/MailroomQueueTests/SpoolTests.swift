// The durable queue on disk: commit order, the start-up scan, per-recipient results with torn
// lines, hold and release, damaged files, and many sessions committing at once sharing
// directory fsyncs without losing a message.

import Foundation
import Testing
@testable import MailroomQueue

final class SpoolFixture: @unchecked Sendable {
    let directory: String
    let spool: Spool

    init() throws {
        directory = NSTemporaryDirectory() + "mailroom-spool-\(UUID().uuidString)"
        spool = try Spool(directory: directory)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func envelope(_ n: Int = 1) -> Envelope {
        Envelope(sender: "bob@example.org",
                 recipients: [.init(address: "alice@example.com"),
                              .init(address: "用户@例子.中国", notify: [.success, .failure], originalRecipient: "utf-8;用户@例子.中国")],
                 returnContent: .headers, envelopeID: "env-\(n)", smtpUTF8: true, body: "8BITMIME",
                 clientAddress: "192.0.2.7", heloName: "client.example.org", protocolName: "UTF8SMTPS",
                 listener: "mx", arrival: 1_700_000_000)
    }

    func files(_ sub: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(sub)")) ?? []).sorted()
    }
}

func body(_ n: Int) -> [UInt8] {
    Array("Subject: message \(n)\r\nFrom: bob@example.org\r\n\r\n正文 \(n)\r\n".utf8)
}

@Suite("Queue spool")
struct SpoolTests {
    @Test("a committed message is in queue/ with its envelope and bytes; incoming/ is empty")
    func commit() throws {
        let f = try SpoolFixture()
        let writer = try f.spool.receive(f.envelope())
        try writer.append(body(1).prefix(10))
        try writer.append(body(1).dropFirst(10))
        #expect(f.files("incoming") == [writer.id.value])
        #expect(f.files("queue").isEmpty)
        try writer.commit()
        #expect(f.files("incoming").isEmpty)
        #expect(f.files("queue") == [writer.id.value])
        let queued = try f.spool.message(writer.id)
        #expect(queued.envelope == f.envelope())
        #expect(try f.spool.messageBytes(queued) == body(1))
        #expect(queued.messageSize == body(1).count)
        #expect(queued.pendingRecipients == [0, 1])
        let mode = try FileManager.default.attributesOfItem(atPath: "\(f.directory)/queue/\(writer.id)")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("an aborted or abandoned reception leaves nothing behind")
    func abort() throws {
        let f = try SpoolFixture()
        let writer = try f.spool.receive(f.envelope())
        try writer.append(body(1))
        writer.abort()
        #expect(f.files("incoming").isEmpty && f.files("queue").isEmpty)
        do {
            let dropped = try f.spool.receive(f.envelope())
            try dropped.append(body(2))
        }
        #expect(f.files("incoming").isEmpty)
    }

    @Test("the start-up scan removes unacknowledged receptions and lists the queue in arrival order")
    func scan() throws {
        let f = try SpoolFixture()
        var ids: [QueueID] = []
        for n in 1...3 {
            let w = try f.spool.receive(f.envelope(n))
            try w.append(body(n))
            try w.commit()
            ids.append(w.id)
        }
        // A crash during DATA leaves a partial file in incoming/ (never acknowledged).
        try Data("MAILROOM-QUEUE 1 5\n{\"se".utf8).write(to: URL(fileURLWithPath: "\(f.directory)/incoming/\(QueueID.make())"))
        try Data("junk".utf8).write(to: URL(fileURLWithPath: "\(f.directory)/queue/not-an-id"))
        try f.spool.setHeld(ids[1], true)
        let result = try Spool(directory: f.directory).scan()
        #expect(result.removedIncoming == 1)
        #expect(result.queued == [ids[0], ids[2]])
        #expect(result.held == [ids[1]])
        #expect(result.unreadable.count == 1)
        #expect(f.files("incoming").isEmpty)
        #expect(try f.spool.message(ids[1]).held)
        try f.spool.setHeld(ids[1], false)
        #expect(try f.spool.scan().queued == ids)
    }

    @Test("filesystem sync: committed messages are whole; one cut short by a power loss is refused and removed; version 1 files still read")
    func fileSystemSyncAndLength() throws {
        let directory = NSTemporaryDirectory() + "mailroom-spool-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = try Spool(directory: directory, syncMethod: .fileSystem)
        let f = try SpoolFixture()
        var ids: [QueueID] = []
        for n in 1...3 {
            let w = try spool.receive(f.envelope(n))
            try w.append(body(n))
            try w.commit()
            ids.append(w.id)
        }
        for (n, id) in ids.enumerated() {
            let message = try spool.message(id)
            #expect(try spool.messageBytes(message) == body(n + 1))
        }
        let header = try String(contentsOfFile: "\(directory)/queue/\(ids[0])", encoding: .utf8).prefix { $0 != "\n" }
        #expect(header.hasPrefix("MAILROOM-QUEUE 2 ") && header.hasSuffix(String(format: " %020d", body(1).count)), "\(header)")

        // What a power cut before the commit's syncfs can leave: the rename, not all the bytes.
        let cut = "\(directory)/queue/\(ids[1])"
        let whole = try Data(contentsOf: URL(fileURLWithPath: cut))
        try whole.prefix(whole.count - 5).write(to: URL(fileURLWithPath: cut))
        #expect(throws: QueueError.self) { try spool.message(ids[1]) }
        let result = try Spool(directory: directory, syncMethod: .fileSystem).scan()
        #expect(result.queued == [ids[0], ids[2]])
        #expect(result.removedIncoming == 1)

        // A version 1 file (message to the end of the file) is still read.
        let v1 = QueueID.make()
        let json = try JSONEncoder().encode(f.envelope(9))
        try (Data("MAILROOM-QUEUE 1 \(json.count)\n".utf8) + json + Data("\n".utf8) + Data(body(9)))
            .write(to: URL(fileURLWithPath: "\(directory)/queue/\(v1)"))
        #expect(try spool.messageBytes(try spool.message(v1)) == body(9))
        #expect(try spool.scan().queued.contains(v1))
    }

    @Test("a removed message's file is reused by the next reception: same inode, truncated; an administrator's delete unlinks")
    func recycling() throws {
        let f = try SpoolFixture()
        let first = try f.spool.receive(f.envelope(1))
        try first.append(Array(repeating: UInt8(ascii: "x"), count: 10_000))
        try first.commit()
        var st = stat()
        #expect(stat("\(f.directory)/queue/\(first.id)", &st) == 0)
        let inode = st.st_ino
        try f.spool.remove(first.id)
        #expect(f.files("queue").isEmpty)
        #expect(f.files("free").count == 1)
        let second = try f.spool.receive(f.envelope(2))
        try second.append(body(2))
        try second.commit()
        #expect(f.files("free").isEmpty)
        #expect(stat("\(f.directory)/queue/\(second.id)", &st) == 0 && st.st_ino == inode, "the same file, reused")
        #expect(try f.spool.messageBytes(try f.spool.message(second.id)) == body(2), "nothing of the old message is left")
        #expect(try f.spool.message(second.id).envelope == f.envelope(2))
        try f.spool.remove(second.id, recycle: false)
        #expect(f.files("free").isEmpty && f.files("queue").isEmpty)
        #expect(try f.spool.scan().queued.isEmpty, "free/ is never scanned")
    }

    @Test("the scan removes the log of a removed message and moves a held message's log beside it")
    func orphanLogs() throws {
        let f = try SpoolFixture()
        var ids: [QueueID] = []
        for n in 1...2 {
            let w = try f.spool.receive(f.envelope(n))
            try w.append(body(n))
            try w.commit()
            ids.append(w.id)
            try f.spool.record(RecipientResult(recipient: 0, status: .delivered, text: "ok"), for: w.id)
        }
        // A crash inside remove(): the message is gone, its log is not.
        unlink("\(f.directory)/queue/\(ids[0])")
        // A crash inside setHeld(): the message is in hold/, its log still in queue/.
        rename("\(f.directory)/queue/\(ids[1])", "\(f.directory)/hold/\(ids[1])")
        _ = try Spool(directory: f.directory).scan()
        #expect(f.files("queue").isEmpty)
        #expect(f.files("hold") == [ids[1].value, "\(ids[1]).log"])
        #expect(try f.spool.message(ids[1]).results.map(\.recipient) == [0])
    }

    @Test("recipient results are durable, a torn last line is ignored, pending recipients follow")
    func results() throws {
        let f = try SpoolFixture()
        let w = try f.spool.receive(f.envelope())
        try w.append(body(1))
        try w.commit()
        try f.spool.record(RecipientResult(recipient: 1, status: .deferred, text: "451 4.3.0 try\nlater"), for: w.id)
        #expect(try f.spool.message(w.id).pendingRecipients == [0, 1])
        try f.spool.record(RecipientResult(recipient: 0, status: .delivered, text: "250 2.0.0 ok"), for: w.id)
        // A crash in the middle of the next append.
        let log = "\(f.directory)/queue/\(w.id).log"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("1 deliv".utf8))
        try handle.close()
        let queued = try f.spool.message(w.id)
        #expect(queued.results.map(\.status) == [.deferred, .delivered])
        #expect(queued.results[0].text == "451 4.3.0 try later")
        #expect(queued.pendingRecipients == [1])
        try f.spool.remove(w.id)
        #expect(f.files("queue").isEmpty)
        #expect(throws: QueueError.notFound(w.id)) { try f.spool.message(w.id) }
    }

    @Test("damaged queue files are reported, never a crash", arguments: [
        "", "MAILROOM-QUEUE 1 999\n{}", "NOT A QUEUE FILE\n", "MAILROOM-QUEUE 1 2\n{}\n", "MAILROOM-QUEUE 1 x\n",
    ])
    func damaged(_ text: String) throws {
        let f = try SpoolFixture()
        let id = QueueID.make()
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(f.directory)/queue/\(id)"))
        #expect(throws: QueueError.self) { try f.spool.message(id) }
    }

    @Test("queue IDs sort by arrival and refuse anything that could be a path")
    func queueIDs() throws {
        let a = QueueID.make(now: 1_700_000_000_000_000)
        let b = QueueID.make(now: 1_700_000_000_000_001)
        #expect(a < b)
        #expect(a.arrivalMicroseconds == 1_700_000_000_000_000)
        #expect(QueueID(a.value) == a)
        for bad in ["", "../etc/passwd", "1hkq8v0a3p4P2v5", "1hkq8v0a3p4P2v5Q1/x", "1HKQ8V0A3P4P2V5Q1", "short P1Q1"] {
            #expect(QueueID(bad) == nil, "\(bad)")
        }
        let ids = (0..<1000).map { _ in QueueID.make() }
        #expect(Set(ids).count == 1000)
    }

    @Test("20 sessions committing at once: every message queued once, directory fsyncs shared")
    func groupCommit() async throws {
        let f = try SpoolFixture()
        let sessions = 20
        let perSession = 10
        let spool = f.spool
        try await withThrowingTaskGroup(of: [QueueID].self) { group in
            for s in 0..<sessions {
                group.addTask {
                    var mine: [QueueID] = []
                    for n in 0..<perSession {
                        let w = try spool.receive(f.envelope(s * 100 + n))
                        try w.append(body(s * 100 + n))
                        try w.commit()
                        mine.append(w.id)
                    }
                    return mine
                }
            }
            var all: [QueueID] = []
            for try await ids in group { all += ids }
            #expect(Set(all).count == sessions * perSession)
        }
        let scan = try f.spool.scan()
        #expect(scan.queued.count == sessions * perSession)
        #expect(f.spool.commitSyncs <= sessions * perSession)
        #expect(f.spool.commitSyncs >= 1)
        for id in scan.queued {
            let m = try f.spool.message(id)
            let n = Int(m.envelope.envelopeID!.dropFirst(4))!
            #expect(try f.spool.messageBytes(m) == body(n))
        }
    }
    @Test("derived queue IDs: deterministic, sorted after the parent, parsed back, and still path-safe")
    func derivedIDs() throws {
        let parent = QueueID.make(now: 1_700_000_000_000_000)
        let report = parent.derived(.report, 0)
        let forward = parent.derived(.forward, 33)
        #expect(report == parent.derived(.report, 0))
        #expect(report.value == parent.value + "N0")
        #expect(forward.value == parent.value + "R11")
        #expect(QueueID(report.value) == report && QueueID(forward.value) == forward)
        #expect(parent < report && report < forward)
        #expect(report.parent?.id == parent && report.parent?.kind == .report && report.parent?.number == 0)
        #expect(forward.parent?.number == 33 && forward.parent?.kind == .forward)
        #expect(parent.parent == nil)
        let chain = report.derived(.forward, 1)
        #expect(chain.parent?.id == report && QueueID(chain.value) == chain)
        #expect(chain.arrivalMicroseconds == parent.arrivalMicroseconds)
        for bad in [parent.value + "N", parent.value + "X1", parent.value + "N/1", parent.value + "N12345678",
                    parent.value + "N1N1N1N1N1", parent.value + "NR1"] {
            #expect(QueueID(bad) == nil, "\(bad)")
        }
    }

    @Test("log records: results, targets and reports round-trip; one load reads envelope, log and bytes")
    func logRecords() throws {
        let f = try SpoolFixture()
        let w = try f.spool.receive(f.envelope())
        try w.append(body(1))
        try w.commit()
        try f.spool.record([.result(RecipientResult(recipient: 0, status: .deferred, text: "451 4.3.5 alias target ghost")),
                            .target(TargetResult(recipient: 0, key: "u42", text: "alice@example.com")),
                            .target(TargetResult(recipient: 0, key: "remote", text: "x"))], for: w.id, durable: false)
        try f.spool.record([.result(RecipientResult(recipient: 1, status: .bounced, text: "550 5.1.1 no\r\nsuch")),
                            .report(ReportRecord(number: 0, entries: [.init(recipient: 1, action: "failed")]))],
                           for: w.id, durable: true)
        let (m, bytes) = try f.spool.load(w.id)
        #expect(bytes == body(1))
        #expect(m.envelope == f.envelope())
        #expect(m.results.map(\.status) == [.deferred, .bounced])
        #expect(m.results[1].text == "550 5.1.1 no  such")
        #expect(m.targets.map(\.key) == ["u42", "remote"])
        #expect(m.reports == [ReportRecord(number: 0, entries: [.init(recipient: 1, action: "failed")])])
        #expect(m.finalResult(1)?.status == .bounced && m.finalResult(0) == nil)
        #expect(m.lastResult(0)?.text == "451 4.3.5 alias target ghost")
        #expect(m.pendingRecipients == [0])
        #expect(f.spool.records(of: w.id).count == 5)
        // A log line of a later version is skipped, not fatal.
        let log = "\(f.directory)/queue/\(w.id).log"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("future 1 2 3\n0 delivered 250 2.0.0 ok\n".utf8))
        try handle.close()
        #expect(try f.spool.message(w.id).pendingRecipients.isEmpty)
        // A removed message gets no log.
        try f.spool.remove(w.id)
        #expect(throws: QueueError.notFound(w.id)) {
            try f.spool.record([.result(RecipientResult(recipient: 0, status: .delivered, text: ""))], for: w.id, durable: false)
        }
        #expect(f.files("queue").isEmpty && f.files("hold").isEmpty)
    }

    @Test("the next attempt is the queue file's mtime; the scan reports it; holding keeps it")
    func nextAttempt() throws {
        let f = try SpoolFixture()
        let w = try f.spool.receive(f.envelope())
        try w.commit()
        try f.spool.setNextAttempt(w.id, at: 1_900_000_000)
        #expect(try f.spool.message(w.id).nextAttempt == 1_900_000_000)
        #expect(try f.spool.scan().nextAttempt == [w.id: 1_900_000_000])
        #expect(f.spool.queuedDueTimes() == [w.id: 1_900_000_000])
        try f.spool.setHeld(w.id, true)
        #expect(f.spool.queuedDueTimes().isEmpty)
        try f.spool.setNextAttempt(w.id, at: 1_800_000_000)
        #expect(try f.spool.message(w.id).nextAttempt == 1_800_000_000)
        #expect(f.spool.list().held == [w.id] && f.spool.exists(w.id))
        let missing = QueueID.make()
        #expect(throws: QueueError.notFound(missing)) { try f.spool.setNextAttempt(missing, at: 0) }
    }

    @Test("flush requests are taken once; the runner lock is exclusive and released")
    func flushAndLock() throws {
        let f = try SpoolFixture()
        #expect(!f.spool.takeRunRequest())
        try f.spool.requestRun()
        try f.spool.requestRun()
        #expect(f.spool.takeRunRequest())
        #expect(!f.spool.takeRunRequest())
        let lock = try #require(try f.spool.lockRunner())
        #expect(try f.spool.lockRunner() == nil)
        lock.release()
        let again = try f.spool.lockRunner()
        #expect(again != nil)
        again?.release()
    }
}
