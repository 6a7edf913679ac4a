// MailroomConfig — the typed configuration tree, loaded from one TOML file.
//
// Every key is declared once in ConfigKeys.swift with its documentation, default and bounds;
// `mailroom config defaults` prints that table as a TOML file, Config/mailroom.example.toml is
// that output (a test fails when they drift or a key lacks documentation), and
// `mailroom config check` reports every unknown key, wrong type and out-of-range value with
// its line. Relative paths are relative to the working directory of `mailroom`.

import MailroomCore
#if canImport(Glibc)
import Glibc
#endif

public struct MailroomConfig: Sendable, Equatable {
    public var server = ServerConfig()
    public var log = LogConfig()
    public var store = StoreConfig()
    public var storage = StorageConfig()
    public var passwords = PasswordsConfig()
    public var smtp = SMTPConfig()
    public var pop3 = POP3Config()
    public var imap = IMAPConfig()
    public var queue = QueueConfig()
    public var tls = TLSConfig()

    public init() {}

    /// The process itself (keys server.*).
    public struct ServerConfig: Sendable, Equatable {
        public var user = ""
        public var group = ""
    }

    public struct LogConfig: Sendable, Equatable {
        public var format = "text"
        public var level = "info"
    }

    public struct StoreConfig: Sendable, Equatable {
        public var backend = "sqlite"
        public var cacheTTLSeconds = 3.0
        public var cacheMaxEntries = 100_000
        public var recipientDelimiter = "+"
        public var sqlite = SQLiteConfig()
        public var postgres = PostgresConfig()
    }

    public struct SQLiteConfig: Sendable, Equatable {
        public var path = "./data/mailroom.sqlite"
        public var busyTimeoutMilliseconds = 5000
        public var readConnections = 4
    }

    public struct PostgresConfig: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 5432
        public var user = "mailroom"
        public var password = ""
        public var passwordFile = ""
        public var database = "mailroom"
        public var tls = "disable"
        public var maxConnections = 20
    }

    public struct StorageConfig: Sendable, Equatable {
        public var mailRoot = "./data/mail"
        public var spoolDir = "./data/spool"
        public var removedMail = "archive"
        public var archiveDir = "./data/archive"
        /// Host name in new Maildir file names; empty means the machine's (gethostname).
        public var hostName = ""
        /// A dovecot-uidlist.lock older than this is taken as left by a crashed process
        /// (Dovecot's MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT).
        public var uidListLockStaleSeconds = 120
        /// Files in tmp/ older than this are removed (maildir(5): 36 hours).
        public var tmpCleanupHours = 36
        /// Over-quota delivery is temporary (4.2.2, the sender retries) instead of permanent (5.2.2).
        public var quotaFullTempfail = false
        /// Largest message `mailroom deliver` accepts.
        public var maxMessageBytes = defaultMaxMessageBytes

        /// 64 MiB: above common MTA limits (Postfix's message_size_limit is 10 MB by default).
        public static let defaultMaxMessageBytes = 64 << 20
        /// RFC 5321 §4.5.3.1.7: a server must accept messages of at least 64K octets.
        public static let minimumMaxMessageBytes = 64 << 10
        /// Messages are read into memory whole; 1 GiB keeps one delivery's memory bounded.
        public static let maximumMaxMessageBytes = 1 << 30
    }

    /// The SMTP listeners and their limits (keys smtp.*; see docs/configuration.md).
    public struct SMTPConfig: Sendable, Equatable {
        /// "address:port" of each listener; empty turns it off.
        public var mxListen = "127.0.0.1:2525"
        public var submissionListen = "127.0.0.1:2587"
        public var submissionsListen = "127.0.0.1:2465"
        /// Name in the greeting, EHLO reply and Received: fields; empty: storage.host_name, then the machine's.
        public var hostName = ""
        public var maxCommandLineBytes = 4096
        public var maxAuthLineBytes = 12288
        public var maxTextLineBytes = 65536
        public var maxMessageBytes = 50 << 20
        public var maxRecipients = 1000
        public var maxErrors = 20
        public var maxUnknownCommands = 5
        public var commandTimeoutSeconds = 300
        public var dataTimeoutSeconds = 600
        public var maxConnections = 1000
        public var maxConnectionsPerClient = 50
        public var authMechanisms = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"
        public var plaintextAuthOnLoopback = true
        public var senderLoginMatch = "aliases"
    }

    /// The POP3 listeners, their limits and login policy (keys pop3.*; see docs/configuration.md).
    public struct POP3Config: Sendable, Equatable {
        /// "address:port" of each listener; empty turns it off.
        public var pop3Listen = "127.0.0.1:2110"
        public var pop3sListen = "127.0.0.1:2995"
        public var maxCommandLineBytes = 2048
        /// RFC 1939 §3: the autologout timer is at least 10 minutes.
        public var commandTimeoutSeconds = 600
        public var maxErrors = 20
        public var maxConnections = 1000
        public var maxConnectionsPerClient = 100
        public var authMechanisms = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"
        public var plaintextAuthOnLoopback = true
        public var failedLoginDelaySeconds = 2
        public var maxFailedLogins = 3
        public var clientFailureLimit = 10
        public var clientFailureWindowSeconds = 300
        /// "NEVER", a number of days, or empty (not advertised).
        public var expirePolicy = "NEVER"
        public var loginDelaySeconds = 0

        /// RFC 1939 §3: "the timer MUST be of at least 10 minutes' duration".
        public static let minimumCommandTimeoutSeconds = 600
    }

    /// The IMAP listeners, their limits and login policy (keys imap.*; see docs/configuration.md).
    public struct IMAPConfig: Sendable, Equatable {
        /// "address:port" of each listener; empty turns it off.
        public var imapListen = "127.0.0.1:2143"
        public var imapsListen = "127.0.0.1:2993"
        /// IMAPLimits.defaultCommandBytes; RFC 2683 §3.2.1.5: at least 8000.
        public var maxCommandBytes = 1 << 20
        public var maxPreauthCommandBytes = 64 * 1024
        public var maxAppendBytes = 64 << 20
        /// RFC 3501 §5.4: the autologout timer of an authenticated session is at least 30 minutes.
        public var idleTimeoutSeconds = 1800
        public var preauthTimeoutSeconds = 120
        public var idleKeepaliveSeconds = 120
        public var maxOutputBytes = 1 << 20
        public var outputStallSeconds = 600
        /// IMAPLimits.defaultSearchUpdateContexts.
        public var maxSearchContexts = 10
        /// MetadataLimits.defaultMaxValueBytes and defaultMaxEntriesPerMailbox.
        public var metadataMaxValueBytes = 1024
        public var metadataMaxEntries = 10
        public var maxBadCommands = 20
        public var maxConnections = 20_000
        public var maxConnectionsPerClient = 500
        public var maxConnectionsPerUser = 50
        public var authMechanisms = "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"
        public var plaintextAuthOnLoopback = true
        public var failedLoginDelaySeconds = 2
        public var maxFailedLogins = 3
        public var clientFailureLimit = 10
        public var clientFailureWindowSeconds = 300

        /// RFC 3501 §5.4: "the duration of the inactivity timer MUST be at least 30 minutes".
        public static let minimumIdleTimeoutSeconds = 1800
    }

    /// The queue runner: local delivery, retries and bounces (keys queue.*).
    public struct QueueConfig: Sendable, Equatable {
        public var deliveryConcurrency = 16
        public var maxReceivedHeaders = 100
        public var maxAliasNesting = 10
        public var minimalBackoffSeconds = 300
        public var maximalBackoffSeconds = 4 * 3600
        public var maximalLifetimeSeconds = 5 * 86400
        public var delayWarningSeconds = 4 * 3600
        public var scanIntervalSeconds = 60
        public var syncMethod = "file"
        public var directDeliveryMaxBytes = 256 * 1024
    }

    /// TLS certificate for every listener (keys tls.*).
    public struct TLSConfig: Sendable, Equatable {
        public var certificateFile = ""
        public var keyFile = ""
        public var selfSignedDir = "./data/tls"
    }

    public struct PasswordsConfig: Sendable, Equatable {
        public var yescryptCost = 5
        public var scramIterations = 4096
        public var storeCRAMMD5 = true
        public var upgradeOnLogin = true
    }
}

/// One problem found in a configuration file.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let key { parts.append("key '\(key)'") }
        return parts.isEmpty ? message : "\(parts.joined(separator: ", ")): \(message)"
    }
}

public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var problems: [ConfigProblem]

    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        return problems.map { prefix + $0.description }.joined(separator: "\n")
    }
}

extension MailroomConfig {
    /// Parses TOML text; every problem is collected, none is skipped silently.
    public static func parse(_ text: String, file: String? = nil) throws(ConfigError) -> MailroomConfig {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(file: file, problems: [ConfigProblem(line: error.line, key: nil, message: error.message)])
        }
        var config = MailroomConfig()
        var problems: [ConfigProblem] = []
        let keys = ConfigKeys.all
        for (path, value, line) in table.flattened() {
            guard let key = keys.first(where: { $0.path == path }) else {
                problems.append(ConfigProblem(line: line, key: path, message: "unknown key\(ConfigKeys.suggestion(for: path))"))
                continue
            }
            if let message = key.apply(&config, value) {
                problems.append(ConfigProblem(line: line, key: path, message: message))
            }
        }
        problems += config.crossCheck()
        if !problems.isEmpty { throw ConfigError(file: file, problems: problems) }
        return config
    }

    /// Loads a file; nil path means the embedded defaults.
    public static func load(path: String?) throws(ConfigError) -> MailroomConfig {
        guard let path else { return MailroomConfig() }
        let text: String
        do {
            text = try readTextFile(path)
        } catch {
            throw ConfigError(file: path, problems: [ConfigProblem(line: nil, key: nil, message: "\(error)")])
        }
        return try parse(text, file: path)
    }

    /// Rules that involve more than one key.
    func crossCheck() -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        if store.backend == "postgres", !store.postgres.password.isEmpty, !store.postgres.passwordFile.isEmpty {
            problems.append(ConfigProblem(line: nil, key: "store.postgres.password_file",
                                          message: "set either store.postgres.password or store.postgres.password_file, not both"))
        }
        return problems
    }

    /// The PostgreSQL password, read from store.postgres.password_file when that is set.
    public func postgresPassword() throws -> String {
        let file = store.postgres.passwordFile
        guard !file.isEmpty else { return store.postgres.password }
        let text = try readTextFile(file)
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }
}

struct FileReadError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "cannot read \(path): \(reason)" }
}

/// Reads a whole UTF-8 file without Foundation.
func readTextFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else {
        throw FileReadError(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count { break }
    }
    if ferror(file) != 0 { throw FileReadError(path: path, reason: "read error") }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw FileReadError(path: path, reason: "not valid UTF-8")
    }
    return text
}
