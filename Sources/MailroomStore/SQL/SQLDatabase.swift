// SQLDatabase — the small SQL surface the account store needs, with two drivers behind it
// (SQLiteDatabase over Debian's libsqlite3, PostgresDatabase over postgres-nio).
//
// Statements are written once, with `?` placeholders; the PostgreSQL driver rewrites them to
// `$1…$n`. Values travel as `SQLValue`, so booleans become 0/1 in SQLite and BOOLEAN in
// PostgreSQL without two copies of every statement.
//
// Security: every value is a bound parameter; no statement is built by pasting user input.

public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bool(Bool)

    public static func optional(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }
    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let v): "'\(v)'"
        case .bool(let v): v ? "TRUE" : "FALSE"
        }
    }
}

/// One result row; columns are looked up by the name the statement gave them.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    public func int(_ name: String) -> Int64? {
        switch self[name] {
        case .integer(let v): v
        case .bool(let v): v ? 1 : 0
        case .real(let v): Int64(v)
        case .text(let s): Int64(s)
        case .null: nil
        }
    }

    public func string(_ name: String) -> String? {
        switch self[name] {
        case .text(let s): s
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .bool(let v): v ? "1" : "0"
        case .null: nil
        }
    }

    public func bool(_ name: String) -> Bool {
        switch self[name] {
        case .bool(let v): v
        case .integer(let v): v != 0
        case .text(let s): s == "1" || s == "t" || s == "true"
        case .real(let v): v != 0
        case .null: false
        }
    }
}

/// A driver-level failure, classified so the store can turn constraint violations into
/// precise messages.
public enum SQLError: Error, Sendable, CustomStringConvertible {
    case uniqueViolation(String)
    case foreignKeyViolation(String)
    case checkViolation(String)
    case busy(String)
    case connection(String)
    case other(String)

    public var description: String {
        switch self {
        case .uniqueViolation(let m): "unique constraint violated: \(m)"
        case .foreignKeyViolation(let m): "foreign key constraint violated: \(m)"
        case .checkViolation(let m): "check constraint violated: \(m)"
        case .busy(let m): "database busy: \(m)"
        case .connection(let m): "database connection failed: \(m)"
        case .other(let m): m
        }
    }
}

public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// Runs statements inside an open transaction.
public protocol SQLExecutor: Sendable {
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLExecutor {
    @discardableResult
    public func execute(_ sql: String, _ binds: SQLValue...) async throws -> [SQLRow] {
        try await query(sql, binds)
    }
}

public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// A read-only statement outside any transaction (lookups).
    func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// A hot lookup, named by a type so a driver may keep it prepared on the server
    /// (PostgreSQL); the default runs `Statement.sql` like any other read.
    func read<Statement: HotStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    func close() async
}

/// A statement the services run on every connection (recipient and login lookups). Naming it
/// by a type lets the PostgreSQL driver prepare it once per connection instead of having the
/// server parse and plan it on every call.
public protocol HotStatement: Sendable {
    static var sql: String { get }
}

extension SQLDatabase {
    public func read<Statement: HotStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await read(Statement.sql, binds)
    }

    public func read(_ sql: String, _ binds: SQLValue...) async throws -> [SQLRow] {
        try await read(sql, binds)
    }
}

/// Splits a migration script into statements: each statement ends with `;` at the end of a
/// line; whole-line `--` comments are dropped. (Migrations/README.md states this rule.)
public func splitSQLScript(_ script: String) -> [String] {
    var statements: [String] = []
    var current: [Substring] = []
    // "\r\n" is one Character in Swift, so carriage returns go first, then lines split on "\n".
    let text = String(String.UnicodeScalarView(script.unicodeScalars.filter { $0 != "\r" }))
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.hasPrefix("--") || (trimmed.isEmpty && current.isEmpty) { continue }
        current.append(line)
        var end = trimmed
        while let last = end.last, last == " " || last == "\t" { end = end.dropLast() }
        if end.hasSuffix(";") {
            let statement = current.joined(separator: "\n")
            let body = statement.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == ";" })
            statements.append(String(body.reversed()))
            current.removeAll()
        }
    }
    let rest = current.joined(separator: "\n").trimmingWhitespace()
    if !rest.isEmpty { statements.append(rest) }
    return statements
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
