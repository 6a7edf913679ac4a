// Shared plumbing of the admin commands: options every store command takes, opening the
// account store from the configuration (migrating it first), parsing names with errors that
// name the field, and printing text or JSON.

import ArgumentParser
import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomStore

/// A refusal to show the administrator: printed as "error: <message>", exit status 1.
public struct CLIError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct StoreOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: embedded defaults).")
    public var config: String?

    @Flag(name: .long, help: "Print machine-readable JSON.")
    public var json = false

    public init() {}
}

/// An open account store with the configuration it came from.
public struct StoreContext: Sendable {
    public let config: MailroomConfig
    public let store: SQLAccountStore

    public static func loadConfig(_ path: String?) throws -> MailroomConfig {
        do {
            return try MailroomConfig.load(path: path)
        } catch {
            throw CLIError("configuration is invalid:\n\(error)")
        }
    }

    /// Opens the configured store and applies pending migrations.
    public static func open(configPath: String?, migrate: Bool = true, logger: Logger? = nil) async throws -> StoreContext {
        let config = try loadConfig(configPath)
        return try await open(config: config, migrate: migrate, logger: logger)
    }

    public static func open(config: MailroomConfig, migrate: Bool = true, logger: Logger? = nil) async throws -> StoreContext {
        let db = try await openDatabase(config, logger: logger)
        do {
            if migrate {
                let report = try await Migrator.migrate(db)
                for m in report.applied {
                    logger?.info("applied migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
                }
            } else {
                try await Migrator.requireCurrent(db)
            }
        } catch {
            await db.close()
            throw error
        }
        let options = StoreOptions(
            cacheTTL: config.store.cacheTTLSeconds, cacheMaxEntries: config.store.cacheMaxEntries,
            recipientDelimiter: config.store.recipientDelimiter,
            passwordPolicy: PasswordPolicy(
                yescryptCost: config.passwords.yescryptCost, scramIterations: config.passwords.scramIterations,
                storeCRAMMD5: config.passwords.storeCRAMMD5),
            upgradeHashesOnLogin: config.passwords.upgradeOnLogin,
            defaultMailRoot: config.storage.mailRoot)
        return StoreContext(config: config, store: SQLAccountStore(database: db, options: options))
    }

    public static func openDatabase(_ config: MailroomConfig, logger: Logger? = nil) async throws -> any SQLDatabase {
        switch config.store.backend {
        case "postgres":
            let pg = config.store.postgres
            let settings = PostgresDatabase.Settings(
                host: pg.host, port: pg.port, user: pg.user, password: try config.postgresPassword(),
                database: pg.database, tls: PostgresDatabase.Settings.TLSMode(rawValue: pg.tls) ?? .disable,
                maxConnections: pg.maxConnections)
            return PostgresDatabase(settings: settings, logger: logger ?? Logger(label: "mailroom.store"))
        default:
            let path = config.store.sqlite.path
            let parent = (path as NSString).deletingLastPathComponent
            if !parent.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            return try SQLiteDatabase(path: path, busyTimeoutMilliseconds: config.store.sqlite.busyTimeoutMilliseconds,
                                      readConnections: config.store.sqlite.readConnections)
        }
    }

    /// Runs `body` with an open store and closes it afterwards, whatever happens.
    public static func with<T>(_ options: StoreOptionsGroup, _ body: (StoreContext) async throws -> T) async throws -> T {
        let context = try await open(configPath: options.config)
        do {
            let value = try await body(context)
            await context.store.close()
            return value
        } catch {
            await context.store.close()
            throw error
        }
    }
}

// MARK: - Parsing with field names

enum Parse {
    static func domain(_ text: String) throws -> DomainName {
        do { return try DomainName(text) } catch { throw CLIError("\(error) (domain: '\(text)')") }
    }

    static func address(_ text: String, field: String = "address") throws -> EmailAddress {
        do { return try EmailAddress(text) } catch { throw CLIError("\(field) '\(text)': \(error)") }
    }

    static func quota(_ text: String, field: String = "quota") throws -> Quota {
        do { return try Quota.parse(text) } catch { throw CLIError("\(field): \(error)") }
    }

    static func byteLimit(_ text: String?, field: String) throws -> Int64? {
        guard let text else { return nil }
        let q = try quota(text, field: field)
        if q.messages != nil { throw CLIError("\(field): '\(text)' must be a size, not a message count") }
        return q.bytes
    }

    static func cidr(_ text: String) throws -> CIDR {
        do { return try CIDR(text) } catch { throw CLIError("network '\(text)': \(error)") }
    }

    static func service(_ text: String) throws -> Service {
        guard let s = Service(rawValue: text.lowercased()) else {
            throw CLIError("service '\(text)' is not one of smtp, pop3, imap, web")
        }
        return s
    }

    static func accessKind(_ text: String) throws -> AccessKind {
        let normalized = text.lowercased().replacingOccurrences(of: "-", with: "_")
        guard let kind = AccessKind(rawValue: normalized) else {
            throw CLIError("access list '\(text)' is not one of mail_from, helo, rcpt_to")
        }
        return kind
    }
}

// MARK: - Output

enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map { $0.count }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c + String(repeating: " ", count: max(0, widths[i] - displayWidth(c)))
            }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
    }

    /// Terminal columns: CJK characters take two.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { n, u in
            let v = u.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            return n + (wide ? 2 : 1)
        }
    }

    static func quota(_ bytes: Int64?, _ messages: Int64?) -> String {
        Quota(bytes: bytes, messages: messages).description
    }

    static func date(_ epoch: Int64?) -> String {
        guard let epoch else { return "never" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }

    static func domainName(_ ascii: String, _ unicode: String) -> String {
        ascii == unicode || unicode.isEmpty ? ascii : "\(unicode) (\(ascii))"
    }
}

/// Reads a password from standard input (first line), for --password-stdin.
func readPasswordFromStdin() throws -> String {
    guard let line = readLine(strippingNewline: true) else {
        throw CLIError("password: nothing on standard input")
    }
    return line.hasSuffix("\r") ? String(line.dropLast()) : line
}

func resolvePassword(_ positional: String?, stdin: Bool, field: String = "password") throws -> String {
    if let positional {
        if stdin { throw CLIError("\(field): give it as an argument or with --password-stdin, not both") }
        return positional
    }
    if stdin { return try readPasswordFromStdin() }
    throw CLIError("\(field) missing: give it as an argument or with --password-stdin")
}
