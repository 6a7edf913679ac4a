// SQLiteDatabase — the embedded account-store driver, straight on Debian's libsqlite3.
//
// Why not sqlite-nio: lookups are the hot path of every SMTP RCPT and every login, and the C
// API lets us keep prepared statements per connection (a point lookup costs a few µs instead of
// re-preparing each time), with no extra package to build in CI. See docs/design.md.
//
// Concurrency: WAL journal; one writer connection serialised by an async gate (a transaction
// may await between statements), and `store.sqlite.read_connections` reader connections, each
// guarded by a lock and used for one statement at a time. Reads are short point lookups and run
// on the calling thread; writes run on NIO's blocking thread pool, because they may wait for a
// lock held by another writer and fsync at COMMIT.
//
// Durability: synchronous=FULL, so a committed change survives power loss.
// Security: the database file holds password hashes; it is created with mode 0600.
// Configuration: store.sqlite.path, store.sqlite.busy_timeout_ms, store.sqlite.read_connections.

import CSQLite
import NIOConcurrencyHelpers
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

public final class SQLiteDatabase: SQLDatabase, @unchecked Sendable {
    public let dialect: SQLDialect = .sqlite
    public let path: String
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let gate = AsyncGate()
    private let nextReader = NIOLockedValueBox(0)

    public init(path: String, busyTimeoutMilliseconds: Int = 5000, readConnections: Int = 4) throws {
        self.path = path
        Self.createPrivateFile(path)
        writer = try SQLiteConnection(path: path, readOnly: false, busyTimeout: busyTimeoutMilliseconds)
        try writer.run("PRAGMA journal_mode=WAL", [])
        try writer.run("PRAGMA synchronous=FULL", [])
        try writer.run("PRAGMA foreign_keys=ON", [])
        var readers: [SQLiteConnection] = []
        for _ in 0..<max(1, readConnections) {
            let reader = try SQLiteConnection(path: path, readOnly: true, busyTimeout: busyTimeoutMilliseconds)
            readers.append(reader)
        }
        self.readers = readers
    }

    private static func createPrivateFile(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { Glibc.close(fd) }
    }

    public func read(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let start = nextReader.withLockedValue { value -> Int in
            value = (value &+ 1) % readers.count
            return value
        }
        // Prefer a reader nobody is using; otherwise wait for the one we were dealt.
        for offset in 0..<readers.count {
            let reader = readers[(start + offset) % readers.count]
            if let rows = try reader.tryRun(sql, binds) { return rows }
        }
        return try readers[start].lockedRun(sql, binds)
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        await gate.acquire()
        let writer = self.writer
        do {
            _ = try await Self.offloop { try writer.lockedRun("BEGIN IMMEDIATE", []) }
            let value: T
            do {
                value = try await body(SQLiteExecutor(connection: writer))
            } catch {
                _ = try? await Self.offloop { try writer.lockedRun("ROLLBACK", []) }
                throw error
            }
            _ = try await Self.offloop { try writer.lockedRun("COMMIT", []) }
            await gate.release()
            return value
        } catch {
            await gate.release()
            throw error
        }
    }

    public func close() async {
        await gate.acquire()
        writer.close()
        for reader in readers { reader.close() }
        await gate.release()
    }


    /// Writes (which may wait for another writer's lock, and fsync at COMMIT) run on NIO's
    /// blocking thread pool, never on an event loop.
    static func offloop<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}

private struct SQLiteExecutor: SQLExecutor {
    let connection: SQLiteConnection
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let connection = self.connection
        return try await SQLiteDatabase.offloop { try connection.lockedRun(sql, binds) }
    }
}

/// One sqlite3 handle with its prepared-statement cache. Not thread-safe by itself: callers
/// hold `lock` (lockedRun / tryRun do).
final class SQLiteConnection: @unchecked Sendable {
    /// Prepared statements kept per connection; beyond this, statements are finalized after use.
    static let statementCacheLimit = 128

    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private let lock = TryLock()

    init(path: String, readOnly: Bool, busyTimeout: Int) throws {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLError.connection("cannot open SQLite database \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(busyTimeout))
    }

    deinit { close() }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        for (_, statement) in statements { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    func lockedRun(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        lock.lock()
        defer { lock.unlock() }
        return try run(sql, binds)
    }

    /// Runs the statement if the connection is free right now; nil when it is busy.
    func tryRun(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow]? {
        guard lock.tryLock() else { return nil }
        defer { lock.unlock() }
        return try run(sql, binds)
    }

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        guard let db = handle else { throw SQLError.connection("SQLite connection is closed") }
        var cached = true
        var statement = statements[sql]
        if statement == nil {
            var prepared: OpaquePointer?
            let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard rc == SQLITE_OK, let prepared else { throw error(db, rc) }
            statement = prepared
            if statements.count < Self.statementCacheLimit {
                statements[sql] = prepared
            } else {
                cached = false
            }
        }
        let stmt = statement!
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
            if !cached { sqlite3_finalize(stmt) }
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, index)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .bool(let v): rc = sqlite3_bind_int64(stmt, index, v ? 1 : 0)
            case .text(let v): rc = sqlite3_bind_text(stmt, index, v, -1, sqliteTransient)
            }
            guard rc == SQLITE_OK else { throw error(db, rc) }
        }
        let columnCount = Int(sqlite3_column_count(stmt))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for i in 0..<columnCount {
            columns.append(String(cString: sqlite3_column_name(stmt, Int32(i))))
        }
        var rows: [SQLRow] = []
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(db, rc) }
            var values: [SQLValue] = []
            values.reserveCapacity(columnCount)
            for i in 0..<Int32(columnCount) {
                switch sqlite3_column_type(stmt, i) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(stmt, i)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(stmt, i)))
                case SQLITE_NULL: values.append(.null)
                default:
                    if let text = sqlite3_column_text(stmt, i) {
                        let count = Int(sqlite3_column_bytes(stmt, i))
                        let buffer = UnsafeBufferPointer(start: text, count: count)
                        values.append(.text(String(decoding: buffer, as: UTF8.self)))
                    } else {
                        values.append(.null)
                    }
                }
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    private func error(_ db: OpaquePointer, _ rc: Int32) -> SQLError {
        let message = String(cString: sqlite3_errmsg(db))
        // Extended result codes (sqlite3.h defines them as expressions Swift does not import).
        switch rc {
        case 2067, 1555: return .uniqueViolation(message)      // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
        case 787: return .foreignKeyViolation(message)         // SQLITE_CONSTRAINT_FOREIGNKEY
        case 275, 1299: return .checkViolation(message)        // SQLITE_CONSTRAINT_CHECK, _NOTNULL
        default:
            let primary = rc & 0xff
            if primary == SQLITE_BUSY || primary == SQLITE_LOCKED { return .busy(message) }
            return .other("SQLite error \(rc): \(message)")
        }
    }
}

private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A FIFO mutual-exclusion gate that may be held across `await`.
actor AsyncGate {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// A pthread mutex that can also be tried without waiting.
final class TryLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }
}
