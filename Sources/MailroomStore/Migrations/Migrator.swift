// Migrator — applies the numbered, forward-only schema migrations of Migrations/ (embedded in
// EmbeddedMigrations.swift) and records each in `schema_version`.
//
// Each migration runs in its own transaction together with its schema_version row, so a crash
// leaves the database at the previous version, never half-migrated. On PostgreSQL an advisory
// transaction lock serialises nodes that start at the same moment.
// A database whose schema_version is newer than this binary knows is refused: an old binary
// must not write to a schema it does not understand.

import Glibc

public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
}

public struct MigrationReport: Sendable, Equatable {
    public var applied: [Migration]
    public var currentVersion: Int
}

public enum Migrator {
    /// Lock key for pg_advisory_xact_lock ("mailroom" as a number).
    static let advisoryLockKey: Int64 = 0x6D61_696C_726F_6F6D

    public static func migrations(for dialect: SQLDialect) -> [Migration] {
        switch dialect {
        case .sqlite: EmbeddedMigrations.sqlite
        case .postgres: EmbeddedMigrations.postgres
        }
    }

    public static var latestVersion: Int {
        EmbeddedMigrations.sqlite.map(\.version).max() ?? 0
    }

    /// The highest applied version (0 for an empty database).
    public static func currentVersion(of db: any SQLDatabase) async throws -> Int {
        try await bootstrap(db)
        return try await recordedVersion(db)
    }

    static func recordedVersion(_ db: any SQLDatabase) async throws -> Int {
        let rows = try await db.read("SELECT COALESCE(MAX(version), 0) AS v FROM schema_version", [])
        return Int(rows.first?.int("v") ?? 0)
    }

    @discardableResult
    public static func migrate(_ db: any SQLDatabase) async throws -> MigrationReport {
        try await bootstrap(db)
        var applied: [Migration] = []
        let dialect = db.dialect
        let before = try await recordedVersion(db)
        // Every start migrates: when nothing is pending this is one read, no transaction.
        for migration in migrations(for: dialect) where migration.version > before {
            let done = try await db.transaction { tx -> Bool in
                if dialect == .postgres {
                    try await tx.execute("SELECT pg_advisory_xact_lock(?)", .integer(advisoryLockKey))
                }
                let rows = try await tx.execute(
                    "SELECT version FROM schema_version WHERE version = ?", .integer(Int64(migration.version)))
                if !rows.isEmpty { return false }
                for statement in splitSQLScript(migration.sql) {
                    try await tx.execute(statement)
                }
                try await tx.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    .integer(Int64(migration.version)), .text(migration.name), .integer(StoreClock.epochSeconds()))
                return true
            }
            if done { applied.append(migration) }
        }
        let current = applied.isEmpty ? before : try await recordedVersion(db)
        if current > latestVersion {
            throw StoreError.schemaTooNew(database: current, binary: latestVersion)
        }
        return MigrationReport(applied: applied, currentVersion: current)
    }

    /// Refuses to run against a database that is older or newer than this binary.
    public static func requireCurrent(_ db: any SQLDatabase) async throws {
        let current = try await currentVersion(of: db)
        if current > latestVersion { throw StoreError.schemaTooNew(database: current, binary: latestVersion) }
        if current < latestVersion { throw StoreError.schemaTooOld(database: current, binary: latestVersion) }
    }

    static func bootstrap(_ db: any SQLDatabase) async throws {
        let exists = db.dialect == .sqlite
            ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            : "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_version'"
        if try await !db.read(exists, []).isEmpty { return }
        let sql = switch db.dialect {
        case .sqlite:
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
        case .postgres:
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        }
        _ = try await db.transaction { tx in
            if db.dialect == .postgres {
                try await tx.execute("SELECT pg_advisory_xact_lock(?)", .integer(advisoryLockKey))
            }
            try await tx.execute(sql)
        }
    }
}

public enum StoreClock {
    /// Seconds since the Unix epoch (the unit of every *_at column).
    public static func epochSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}
