// Test support: a real Mailroom server in-process (SQLite store in a temporary directory,
// spool, Maildirs, SMTP and POP3 listeners on 127.0.0.1 port 0), and a way to run Python's
// smtplib (Support/smtp_probe.py) and poplib (Support/pop3_probe.py) against it. The hosted
// domain is example.com (the relay corpus's "local domain"), with users and an alias a test
// can rely on.

import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomQueue
@testable import MailroomServer
import MailroomStore
import NIOCore

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class ServerHarness: @unchecked Sendable {
    let directory: String
    let configuration: MailroomConfig
    let store: SQLAccountStore
    let server: MailServer
    static let password = "Secret-pass-42"

    var mxPort: Int { server.smtpAddresses["mx"]?.port ?? 0 }
    var submissionPort: Int { server.smtpAddresses["submission"]?.port ?? 0 }
    var submissionsPort: Int { server.smtpAddresses["submissions"]?.port ?? 0 }
    var pop3Port: Int { server.pop3Addresses["pop3"]?.port ?? 0 }
    var pop3sPort: Int { server.pop3Addresses["pop3s"]?.port ?? 0 }
    var imapPort: Int { server.imapAddresses["imap"]?.port ?? 0 }
    var imapsPort: Int { server.imapAddresses["imaps"]?.port ?? 0 }

    private init(directory: String, configuration: MailroomConfig, store: SQLAccountStore, server: MailServer) {
        self.directory = directory
        self.configuration = configuration
        self.store = store
        self.server = server
    }

    /// Starts a server; `adjust` may change the configuration first.
    static func start(_ adjust: (inout MailroomConfig) -> Void = { _ in }) async throws -> ServerHarness {
        let directory = NSTemporaryDirectory() + "mailroom-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = MailroomConfig()
        config.storage.mailRoot = "\(directory)/mail"
        config.storage.spoolDir = "\(directory)/spool"
        config.storage.hostName = "mx.example.com"
        config.store.sqlite.path = "\(directory)/mailroom.sqlite"
        config.store.cacheTTLSeconds = 0
        config.smtp.mxListen = "127.0.0.1:0"
        config.smtp.submissionListen = "127.0.0.1:0"
        config.smtp.submissionsListen = "127.0.0.1:0"
        config.pop3.pop3Listen = "127.0.0.1:0"
        config.pop3.pop3sListen = "127.0.0.1:0"
        config.pop3.failedLoginDelaySeconds = 0
        config.imap.imapListen = "127.0.0.1:0"
        config.imap.imapsListen = "127.0.0.1:0"
        config.imap.failedLoginDelaySeconds = 0
        config.tls.selfSignedDir = "\(directory)/tls"
        config.passwords.yescryptCost = 1
        adjust(&config)
        try FileManager.default.createDirectory(atPath: config.storage.mailRoot, withIntermediateDirectories: true)
        let db = try SQLiteDatabase(path: config.store.sqlite.path)
        try await Migrator.migrate(db)
        let store = SQLAccountStore(database: db, options: StoreOptions(
            cacheTTL: 0, cacheMaxEntries: 1000, recipientDelimiter: "+",
            passwordPolicy: PasswordPolicy(yescryptCost: 1, scramIterations: 4096, storeCRAMMD5: true),
            upgradeHashesOnLogin: false, defaultMailRoot: config.storage.mailRoot))
        try await populate(store)
        var logger = Logger(label: "test.server")
        logger.logLevel = ProcessInfo.processInfo.environment["MAILROOM_TEST_LOG"] == nil ? .critical : .debug
        let server = try await MailServer.start(configuration: config, store: store, logger: logger)
        return ServerHarness(directory: directory, configuration: config, store: store, server: server)
    }

    static func populate(_ store: SQLAccountStore) async throws {
        _ = try await store.addDomain(NewDomain(name: try DomainName("example.com")))
        _ = try await store.addDomain(NewDomain(name: try DomainName("例子.中国")))
        for address in ["user@example.com", "alice@example.com", "bob@example.com", "postmaster@example.com", "用户@例子.中国"] {
            _ = try await store.addUser(NewUser(address: try EmailAddress(address), password: password))
        }
        _ = try await store.addAlias(try EmailAddress("team@example.com"), targets: ["alice@example.com", "bob@example.com"])
    }

    func stop() async {
        await server.stop()
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The messages in a user's INBOX (new/ and cur/), as raw bytes, oldest first.
    func inbox(_ address: String) throws -> [[UInt8]] {
        let maildir = MaildirLayout.maildir(volume: configuration.storage.mailRoot, address: try EmailAddress(address))
        var files: [String] = []
        for sub in ["new", "cur"] {
            let dir = "\(maildir)/\(sub)"
            files += ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { "\(dir)/\($0)" }
        }
        return try files.sorted().map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw HarnessError("cannot read \(path)") }
            return [UInt8](data)
        }
    }

    /// Waits until `address` has `count` messages (delivery runs after the 250), or fails.
    func waitForInbox(_ address: String, count: Int, seconds: Double = 10) async throws -> [[UInt8]] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let messages = try inbox(address)
            if messages.count >= count { return messages }
            if Date() > deadline {
                throw HarnessError("\(address) has \(messages.count) messages, expected \(count) within \(seconds) s")
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    /// Runs Support/smtp_probe.py (or `script`) with a JSON request; returns its JSON answer. The client runs
    /// on its own thread: blocking a thread of Swift's cooperative pool (two on these machines)
    /// would starve the server under test while another test does the same.
    func probe(_ request: [String: Any], script: String = "smtp_probe.py") async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: request)
        let out = try await offPool { try Self.runProbe(script, data) }
        guard let answer = try JSONSerialization.jsonObject(with: out) as? [String: Any] else {
            throw HarnessError("\(script) printed no JSON object: \(String(decoding: out, as: UTF8.self))")
        }
        return answer
    }

    private static func runProbe(_ name: String, _ request: Data) throws -> Data {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(request)
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError("\(name) failed (\(process.terminationStatus)): \(String(decoding: err, as: UTF8.self))\(String(decoding: out, as: UTF8.self))")
        }
        return out
    }
}

/// Runs blocking work (a client process) on a thread of its own, not on the cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
