// Test support: a fresh account store on each backend for every test.
//
// SQLite: a new file in a temporary directory. PostgreSQL: a new database on the server that
// scripts/test starts on 127.0.0.1 and describes in MAILROOM_TEST_PG_HOST/PORT/USER/PASSWORD.
// When those are absent the PostgreSQL cases are left out, unless MAILROOM_REQUIRE_POSTGRES=1
// (set by scripts/test and CI), in which case PostgresAvailabilityTests fails.

import Foundation
import Logging
import MailroomCore
@testable import MailroomStore

enum Backend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite, postgres
    var description: String { rawValue }

    static var available: [Backend] { PGTestServer.settings == nil ? [.sqlite] : [.sqlite, .postgres] }
}

enum PGTestServer {
    static var settings: PostgresDatabase.Settings? {
        let env = ProcessInfo.processInfo.environment
        guard let host = env["MAILROOM_TEST_PG_HOST"], let port = env["MAILROOM_TEST_PG_PORT"].flatMap(Int.init) else {
            return nil
        }
        return PostgresDatabase.Settings(host: host, port: port, user: env["MAILROOM_TEST_PG_USER"] ?? "postgres",
                                         password: env["MAILROOM_TEST_PG_PASSWORD"] ?? "", database: "postgres")
    }

    static var required: Bool { ProcessInfo.processInfo.environment["MAILROOM_REQUIRE_POSTGRES"] == "1" }
}

/// A fresh, migrated database on one backend, with what a test needs to reach it from outside.
struct TestDatabase {
    let backend: Backend
    let db: any SQLDatabase
    /// SQLite file path, or PostgreSQL database name.
    let location: String
    let directory: String
    private let cleanup: @Sendable () async -> Void

    static func make(_ backend: Backend) async throws -> TestDatabase {
        let directory = try makeTemporaryDirectory()
        switch backend {
        case .sqlite:
            let path = "\(directory)/mailroom.sqlite"
            let db = try SQLiteDatabase(path: path)
            try await Migrator.migrate(db)
            return TestDatabase(backend: backend, db: db, location: path, directory: directory, cleanup: {
                await db.close()
                try? FileManager.default.removeItem(atPath: directory)
            })
        case .postgres:
            guard var settings = PGTestServer.settings else { throw TestSetupError("PostgreSQL test server not configured") }
            let name = "mailroom_test_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
            let admin = PostgresDatabase(settings: settings, logger: Logger(label: "test.pg.admin"))
            _ = try await admin.read("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0", [])
            settings.database = name
            let db = PostgresDatabase(settings: settings, logger: Logger(label: "test.pg"))
            try await Migrator.migrate(db)
            return TestDatabase(backend: backend, db: db, location: name, directory: directory, cleanup: {
                await db.close()
                _ = try? await admin.read("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", [])
                await admin.close()
                try? FileManager.default.removeItem(atPath: directory)
            })
        }
    }

    func store(_ options: StoreOptions? = nil) -> SQLAccountStore {
        var o = options ?? StoreOptions(cacheTTL: 0, passwordPolicy: PasswordPolicy(yescryptCost: 1))
        o.defaultMailRoot = "\(directory)/mail"
        return SQLAccountStore(database: db, options: o)
    }

    func close() async { await cleanup() }

    /// Runs SQL with the backend's own command-line client (sqlite3 or psql), the way a
    /// control panel or an administrator would, outside Mailroom.
    func externalSQL(_ sql: String) throws -> String {
        switch backend {
        case .sqlite:
            return try runTool("/usr/bin/sqlite3", ["-bail", "-cmd", ".timeout 5000", location, sql])
        case .postgres:
            let s = PGTestServer.settings!
            return try runTool("/usr/bin/psql", ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", s.host, "-p", "\(s.port)",
                                                 "-U", s.user, "-d", location, "-c", sql],
                               environment: ["PGPASSWORD": s.password])
        }
    }
}

/// Runs a test body against a fresh database and always cleans up.
func withDatabase(_ backend: Backend, _ body: (TestDatabase) async throws -> Void) async throws {
    let database = try await TestDatabase.make(backend)
    do {
        try await body(database)
        await database.close()
    } catch {
        await database.close()
        throw error
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mailroom-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@discardableResult
func runTool(_ path: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestSetupError("\(path) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func addr(_ s: String) -> EmailAddress { try! EmailAddress(s) }
func dom(_ s: String) -> DomainName { try! DomainName(s) }
