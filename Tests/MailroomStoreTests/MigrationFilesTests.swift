// The migrations in Migrations/ come in pairs (same numbers and names for SQLite and
// PostgreSQL) and the binary embeds exactly what is in the folder.

import Foundation
import Testing
@testable import MailroomStore

@Suite("Migration files")
struct MigrationFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Migrations")

    static func files(_ dialect: String) throws -> [(version: Int, name: String, text: String)] {
        let folder = root.appendingPathComponent(dialect)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted().map { file in
            let version = Int(file.prefix(4)) ?? -1
            let name = String(file.dropFirst(5).dropLast(4))
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return (version, name, text)
        }
    }

    @Test("every SQLite migration has a PostgreSQL twin with the same number and name, numbered 1, 2, 3 …")
    func paired() throws {
        let sqlite = try Self.files("sqlite"), postgres = try Self.files("postgres")
        #expect(!sqlite.isEmpty)
        #expect(sqlite.map(\.version) == postgres.map(\.version))
        #expect(sqlite.map(\.name) == postgres.map(\.name))
        #expect(sqlite.map(\.version) == Array(1...sqlite.count))
    }

    @Test("the embedded migrations are the files (run scripts/gen-migrations after editing)")
    func embedded() throws {
        for (dialect, embedded) in [("sqlite", Migrator.migrations(for: .sqlite)), ("postgres", Migrator.migrations(for: .postgres))] {
            let files = try Self.files(dialect)
            #expect(embedded.map(\.version) == files.map(\.version), "\(dialect)")
            for (m, f) in zip(embedded, files) {
                #expect(m.name == f.name)
                #expect(m.sql == f.text.trimmingTrailingNewlines(), "\(dialect) \(f.name) differs")
            }
        }
    }

    @Test("the statement splitter keeps statements whole and drops comments")
    func splitter() {
        let script = "-- comment\nCREATE TABLE a (\n    x INTEGER -- trailing\n);\n\nINSERT INTO a VALUES (1);\r\nSELECT 1"
        #expect(splitSQLScript(script) == ["CREATE TABLE a (\n    x INTEGER -- trailing\n)", "INSERT INTO a VALUES (1)", "SELECT 1"])
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
