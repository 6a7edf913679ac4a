// PostgresDatabase — the production account-store driver, over postgres-nio's connection pool.
//
// Statements arrive with `?` placeholders (shared with SQLite) and are rewritten to `$n`.
// A transaction leases one pooled connection for BEGIN … COMMIT; lookups use any connection.
//
// Security: values are always bound parameters. TLS to the server follows store.postgres.tls.
// Configuration: store.postgres.host, .port, .user, .password, .database, .tls, .max_connections.

import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    public let dialect: SQLDialect = .postgres
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String
        public var database: String
        public var tls: TLSMode
        public var maxConnections: Int

        public enum TLSMode: String, Sendable, CaseIterable {
            case disable, prefer, require
        }

        public init(host: String, port: Int, user: String, password: String, database: String,
                    tls: TLSMode = .disable, maxConnections: Int = 20) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
            self.tls = tls
            self.maxConnections = maxConnections
        }
    }

    public init(settings: Settings, logger: Logger = Logger(label: "mailroom.store.postgres")) {
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(.makeClientConfiguration())
        case .require: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user,
            password: settings.password.isEmpty ? nil : settings.password,
            database: settings.database, tls: tls)
        configuration.options.maximumConnections = max(1, settings.maxConnections)
        configuration.options.connectTimeout = .seconds(10)
        // The pool's own chatter (e.g. a lease racing the pool's start) stays below error level;
        // failures reach callers as thrown errors.
        var background = logger
        background.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    public func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            let rows = try await client.query(Self.makeQuery(sql, binds), logger: logger)
            return try await Self.collect(rows)
        } catch {
            throw Self.classify(error)
        }
    }

    public func read<Statement: HotStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            var rows: [SQLRow] = []
            for try await row in try await client.execute(Prepared<Statement>(binds: binds), logger: logger) {
                rows.append(row)
            }
            return rows
        } catch {
            throw Self.classify(error)
        }
    }

    /// A hot statement prepared once per pooled connection (postgres-nio keeps the cache).
    struct Prepared<Statement: HotStatement>: PostgresPreparedStatement {
        static var name: String { "mailroom_\(String(describing: Statement.self))" }
        static var sql: String { PostgresDatabase.numberPlaceholders(Statement.sql) }
        typealias Row = SQLRow
        let binds: [SQLValue]

        func makeBindings() throws -> PostgresBindings { PostgresDatabase.bindings(binds) }

        func decodeRow(_ row: PostgresRow) throws -> SQLRow { try PostgresDatabase.makeRow(row) }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                let logger = self.logger
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(PostgresExecutor(connection: connection, logger: logger))
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch let error as PSQLError {
            throw Self.classify(error)
        }
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    static func makeQuery(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        PostgresQuery(unsafeSQL: numberedCache(sql), binds: bindings(binds))
    }

    /// Rewritten statements, so the `?` → `$n` scan runs once per distinct statement.
    private static let rewritten = NIOLockedValueBox<[String: String]>([:])
    /// Distinct statements remembered; beyond this they are rewritten each time.
    static let rewriteCacheLimit = 512

    static func numberedCache(_ sql: String) -> String {
        if let done = rewritten.withLockedValue({ $0[sql] }) { return done }
        let numbered = numberPlaceholders(sql)
        rewritten.withLockedValue { cache in
            if cache.count < rewriteCacheLimit { cache[sql] = numbered }
        }
        return numbered
    }

    static func bindings(_ binds: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let v): bindings.append(v)
            case .real(let v): bindings.append(v)
            case .text(let v): bindings.append(v)
            case .bool(let v): bindings.append(v)
            }
        }
        return bindings
    }

    /// `?` → `$1`, `$2`, … outside quoted literals and identifiers.
    static func numberPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character? = nil
        for ch in sql {
            if let q = quote {
                out.append(ch)
                if ch == q { quote = nil }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                out.append(ch)
            } else if ch == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [SQLRow] {
        var result: [SQLRow] = []
        for try await row in rows { result.append(try makeRow(row)) }
        return result
    }

    static func makeRow(_ row: PostgresRow) throws -> SQLRow {
        var names: [String] = []
        var values: [SQLValue] = []
        for cell in row {
            names.append(cell.columnName)
            values.append(try decode(cell))
        }
        return SQLRow(columns: names, values: values)
    }

    static func decode(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .integer(try cell.decode(Int64.self))
        case .bool: return .bool(try cell.decode(Bool.self))
        case .float8, .float4: return .real(try cell.decode(Double.self))
        case .numeric:
            // Aggregates such as SUM(bigint) are numeric; statements CAST them, this is the fallback.
            let value = try cell.decode(Decimal.self)
            let double = NSDecimalNumber(decimal: value).doubleValue
            if let exact = Int64(exactly: double) { return .integer(exact) }
            return .real(double)
        default: return .text(try cell.decode(String.self))
        }
    }

    static func classify(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = [error.serverInfo?[.message], error.serverInfo?[.detail]]
            .compactMap { $0 }.joined(separator: ": ")
        switch state {
        case "23505": return SQLError.uniqueViolation(message)
        case "23503": return SQLError.foreignKeyViolation(message)
        case "23514", "23502": return SQLError.checkViolation(message)
        case "40001", "40P01", "55P03": return SQLError.busy(message)
        case "": return SQLError.connection("PostgreSQL: \(String(reflecting: error))")
        default: return SQLError.other("PostgreSQL error \(state): \(message)")
        }
    }
}

private struct PostgresExecutor: SQLExecutor, @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        do {
            let rows = try await connection.query(PostgresDatabase.makeQuery(sql, binds), logger: logger)
            return try await PostgresDatabase.collect(rows)
        } catch {
            throw PostgresDatabase.classify(error)
        }
    }
}
