// ConfigKeys — every configuration key: its documentation, default, type and bounds.
//
// This table is the single source of truth: loading, `mailroom config defaults`,
// `mailroom config check` and Config/mailroom.example.toml all come from it. Add a key here,
// with a doc line, when a component reads a new setting; the example file is then regenerated
// with `mailroom config defaults > Config/mailroom.example.toml`.

import MailroomCore

struct ConfigKey {
    let path: String
    let doc: String
    /// Applies a TOML value; returns a message naming the problem, or nil.
    let apply: (inout MailroomConfig, TOMLValue) -> String?
    let current: (MailroomConfig) -> TOMLValue

    var table: String {
        guard let dot = path.lastIndex(of: ".") else { return "" }
        return String(path[..<dot])
    }

    var name: String {
        guard let dot = path.lastIndex(of: ".") else { return path }
        return String(path[path.index(after: dot)...])
    }

    /// `check` returns a message naming what is wrong with a value, or nil.
    static func string(_ path: String, _ doc: String, _ kp: WritableKeyPath<MailroomConfig, String>,
                       oneOf allowed: [String]? = nil, nonEmpty: Bool = false, maxLength: Int = 4096,
                       check: (@Sendable (String) -> String?)? = nil) -> ConfigKey {
        ConfigKey(path: path, doc: doc, apply: { config, value in
            guard case .string(let s) = value else { return "expected a string, found \(value.typeName)" }
            if let allowed, !allowed.contains(s) {
                return "'\(s)' is not one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
            }
            if nonEmpty, s.isEmpty { return "must not be empty" }
            if s.utf8.count > maxLength { return "longer than \(maxLength) bytes" }
            if s.contains("\u{0}") { return "contains a NUL character" }
            if let problem = check?(s) { return problem }
            config[keyPath: kp] = s
            return nil
        }, current: { .string($0[keyPath: kp]) })
    }

    static func int(_ path: String, _ doc: String, _ kp: WritableKeyPath<MailroomConfig, Int>,
                    _ range: ClosedRange<Int>) -> ConfigKey {
        ConfigKey(path: path, doc: doc, apply: { config, value in
            guard case .integer(let v) = value else { return "expected an integer, found \(value.typeName)" }
            guard v >= Int64(range.lowerBound), v <= Int64(range.upperBound) else {
                return "\(v) is out of range: must be between \(range.lowerBound) and \(range.upperBound)"
            }
            config[keyPath: kp] = Int(v)
            return nil
        }, current: { .integer(Int64($0[keyPath: kp])) })
    }

    static func double(_ path: String, _ doc: String, _ kp: WritableKeyPath<MailroomConfig, Double>,
                       _ range: ClosedRange<Double>) -> ConfigKey {
        ConfigKey(path: path, doc: doc, apply: { config, value in
            let v: Double
            switch value {
            case .float(let f): v = f
            case .integer(let i): v = Double(i)
            default: return "expected a number, found \(value.typeName)"
            }
            guard v.isFinite, range.contains(v) else {
                return "\(v) is out of range: must be between \(range.lowerBound) and \(range.upperBound)"
            }
            config[keyPath: kp] = v
            return nil
        }, current: { .float($0[keyPath: kp]) })
    }

    static func bool(_ path: String, _ doc: String, _ kp: WritableKeyPath<MailroomConfig, Bool>) -> ConfigKey {
        ConfigKey(path: path, doc: doc, apply: { config, value in
            guard case .boolean(let b) = value else { return "expected true or false, found \(value.typeName)" }
            config[keyPath: kp] = b
            return nil
        }, current: { .boolean($0[keyPath: kp]) })
    }
}

enum ConfigKeys {
    /// Upper bound of store.cache_ttl_seconds: plain-SQL changes must show within a minute.
    static let maximumCacheTTLSeconds = 60.0

    static var all: [ConfigKey] {
        [
            .string("server.user",
                    "Started as root, `mailroom serve` and the admin commands become this user before they open anything (serve keeps only the right to bind ports below 1024, CAP_NET_BIND_SERVICE); the mail, spool and data directories must be this user's. Empty: keep running as the user that started it.",
                    \.server.user, check: accountNameProblem),
            .string("server.group", "Group for server.user; empty: that user's primary group.",
                    \.server.group, check: accountNameProblem),
            .string("log.format", "Log line format: \"text\" for people, \"json\" (one object per line) for collectors.",
                    \.log.format, oneOf: ["text", "json"]),
            .string("log.level", "Lowest level logged: trace, debug, info, notice, warning, error or critical.",
                    \.log.level, oneOf: ["trace", "debug", "info", "notice", "warning", "error", "critical"]),

            .string("store.backend", "Account store: \"sqlite\" (embedded, one node) or \"postgres\" (production, several nodes).",
                    \.store.backend, oneOf: ["sqlite", "postgres"]),
            .double("store.cache_ttl_seconds",
                    "Seconds a lookup answer (user, alias, domain, relay network) may be reused; rows written with plain SQL take effect within this time. 0 turns the cache off.",
                    \.store.cacheTTLSeconds, 0...maximumCacheTTLSeconds),
            .int("store.cache_max_entries", "Most cached lookup answers kept in memory; the cache is emptied when full.",
                 \.store.cacheMaxEntries, 16...10_000_000),
            .string("store.recipient_delimiter",
                    "Separator of address extensions: mail to user+tag@example.com goes to user@example.com when user+tag does not exist. Empty turns extensions off.",
                    \.store.recipientDelimiter, oneOf: ["", "+", "-", "_", "="]),

            .string("store.sqlite.path", "SQLite database file (created with mode 0600 on first start).",
                    \.store.sqlite.path, nonEmpty: true),
            .int("store.sqlite.busy_timeout_ms", "Milliseconds to wait for a lock held by another writer (e.g. a control panel) before failing.",
                 \.store.sqlite.busyTimeoutMilliseconds, 0...600_000),
            .int("store.sqlite.read_connections", "Connections kept open for concurrent lookups (WAL readers).",
                 \.store.sqlite.readConnections, 1...64),

            .string("store.postgres.host", "PostgreSQL server host name or address.", \.store.postgres.host, nonEmpty: true),
            .int("store.postgres.port", "PostgreSQL server port.", \.store.postgres.port, 1...65535),
            .string("store.postgres.user", "PostgreSQL role.", \.store.postgres.user, nonEmpty: true),
            .string("store.postgres.password", "PostgreSQL password (prefer password_file).", \.store.postgres.password),
            .string("store.postgres.password_file", "File whose first line is the PostgreSQL password; empty = use password.",
                    \.store.postgres.passwordFile),
            .string("store.postgres.database", "PostgreSQL database name.", \.store.postgres.database, nonEmpty: true),
            .string("store.postgres.tls", "TLS to PostgreSQL: \"disable\", \"prefer\" or \"require\" (use require across a network).",
                    \.store.postgres.tls, oneOf: ["disable", "prefer", "require"]),
            .int("store.postgres.max_connections", "Most pooled connections to PostgreSQL per process.",
                 \.store.postgres.maxConnections, 1...1000),

            .string("storage.mail_root", "Path of the default storage volume: mail lives in <mail_root>/<shard>/<domain>/<user>/Maildir.",
                    \.storage.mailRoot, nonEmpty: true),
            .string("storage.spool_dir", "Directory of the durable mail queue.", \.storage.spoolDir, nonEmpty: true),
            .string("storage.removed_mail", "What happens to the mail of a removed user or domain: \"archive\" (moved to archive_dir) or \"delete\".",
                    \.storage.removedMail, oneOf: ["archive", "delete"]),
            .string("storage.archive_dir", "Where removed mailboxes are moved when removed_mail = \"archive\".",
                    \.storage.archiveDir, nonEmpty: true),
            .string("storage.host_name",
                    "Host name written into new Maildir file names (maildir(5) unique names); empty = this machine's host name. Give each node of a cluster sharing one mail volume its own name. At most 255 bytes; no '/', ':', ',', space or control character.",
                    \.storage.hostName, maxLength: 255, check: maildirHostNameProblem),
            .int("storage.uidlist_lock_stale_seconds",
                 "Seconds after which a dovecot-uidlist.lock is taken as left by a crashed process and removed (Dovecot uses 120). 5 to 3600.",
                 \.storage.uidListLockStaleSeconds, 5...3600),
            .int("storage.tmp_cleanup_hours",
                 "Hours after which an unfinished file in a folder's tmp/ is deleted (maildir(5) advises 36). 1 to 720.",
                 \.storage.tmpCleanupHours, 1...720),
            .bool("storage.quota_full_tempfail",
                  "Treat delivery to a full mailbox as a temporary failure (4.2.2: the sending MTA keeps retrying) instead of a permanent one (5.2.2: bounced at once, Dovecot's default).",
                  \.storage.quotaFullTempfail),
            .int("storage.max_message_bytes",
                 "Largest message in bytes that `mailroom deliver` accepts; larger ones are refused permanently (5.3.4). 65536 (RFC 5321 §4.5.3.1.7) to 1073741824; default 64 MiB.",
                 \.storage.maxMessageBytes,
                 MailroomConfig.StorageConfig.minimumMaxMessageBytes...MailroomConfig.StorageConfig.maximumMaxMessageBytes),

            .string("smtp.mx_listen",
                    "Address and port of the MX listener (mail from other servers, RFC 5321; port 25 in production). Empty turns it off.",
                    \.smtp.mxListen, check: listenProblem),
            .string("smtp.submission_listen",
                    "Address and port of the submission listener (RFC 6409: STARTTLS, then AUTH required; port 587 in production). Empty turns it off.",
                    \.smtp.submissionListen, check: listenProblem),
            .string("smtp.submissions_listen",
                    "Address and port of the implicit-TLS submission listener (RFC 8314; port 465 in production). Empty turns it off.",
                    \.smtp.submissionsListen, check: listenProblem),
            .string("smtp.host_name",
                    "Host name in the SMTP greeting, EHLO reply and Received: fields. Empty: storage.host_name, else the machine's name.",
                    \.smtp.hostName, maxLength: 255),
            .int("smtp.max_command_line_bytes",
                 "Longest SMTP command line, CRLF included (RFC 5321 §4.5.3.1.4: at least 512); longer lines get 500 5.5.2.",
                 \.smtp.maxCommandLineBytes, 512...65536),
            .int("smtp.max_auth_line_bytes", "Longest SASL response line in AUTH (RFC 4954 §4).",
                 \.smtp.maxAuthLineBytes, 512...65536),
            .int("smtp.max_text_line_bytes",
                 "Longest line of message text in DATA, CRLF included (RFC 5321 §4.5.3.1.6: at least 1000); a longer line refuses the message.",
                 \.smtp.maxTextLineBytes, 1000...1_048_576),
            .int("smtp.max_message_bytes",
                 "Largest message accepted over SMTP, announced as SIZE (RFC 1870); larger ones get 552 5.3.4. At least 65536 (RFC 5321 §4.5.3.1.7).",
                 \.smtp.maxMessageBytes, MailroomConfig.StorageConfig.minimumMaxMessageBytes...MailroomConfig.StorageConfig.maximumMaxMessageBytes),
            .int("smtp.max_recipients",
                 "Recipients accepted in one transaction; more get 452 4.5.3 (RFC 5321 §4.5.3.1.8: at least 100).",
                 \.smtp.maxRecipients, 100...100_000),
            .int("smtp.max_errors", "Client errors in one session before it is closed with 421 4.7.0.",
                 \.smtp.maxErrors, 1...1000),
            .int("smtp.max_unknown_commands", "Unrecognised commands in one session before it is closed with 421 4.7.0.",
                 \.smtp.maxUnknownCommands, 1...1000),
            .int("smtp.command_timeout_seconds",
                 "Seconds to wait for the next command (RFC 5321 §4.5.3.2.7: at least 5 minutes); then 421 4.4.2 and close.",
                 \.smtp.commandTimeoutSeconds, 10...3600),
            .int("smtp.data_timeout_seconds",
                 "Seconds to wait for more message data inside DATA or BDAT (RFC 5321 §4.5.3.2.6 gives 10 minutes after the final dot).",
                 \.smtp.dataTimeoutSeconds, 10...3600),
            .int("smtp.max_connections", "SMTP connections open at once over all listeners; more get 421 4.7.0 and are closed.",
                 \.smtp.maxConnections, 1...100_000),
            .int("smtp.max_connections_per_client", "SMTP connections open at once from one client address; more get 421 4.7.0.",
                 \.smtp.maxConnectionsPerClient, 1...100_000),
            .string("smtp.auth_mechanisms",
                    "SASL mechanisms offered, separated by spaces: any of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. Empty turns AUTH off.",
                    \.smtp.authMechanisms, check: mechanismsProblem),
            .bool("smtp.plaintext_auth_on_loopback",
                  "Allow AUTH without TLS from 127.0.0.0/8 and ::1 (local scripts and webmail). Elsewhere AUTH needs TLS (538 5.7.11).",
                  \.smtp.plaintextAuthOnLoopback),
            .string("smtp.sender_login_match",
                    "Which MAIL FROM an authenticated user may use: \"aliases\" (their address, their +extensions and aliases that lead to them), \"domain\" (any address of their domain) or \"off\".",
                    \.smtp.senderLoginMatch, oneOf: ["aliases", "domain", "off"]),

            .string("pop3.pop3_listen",
                    "Address and port of the POP3 listener (RFC 1939; STLS per RFC 2595; port 110 in production). Empty turns it off.",
                    \.pop3.pop3Listen, check: listenProblem),
            .string("pop3.pop3s_listen",
                    "Address and port of the implicit-TLS POP3 listener (RFC 8314 §3.3; port 995 in production). Empty turns it off.",
                    \.pop3.pop3sListen, check: listenProblem),
            .int("pop3.max_command_line_bytes",
                 "Longest POP3 command line, CRLF included (RFC 2449 §4: at least 255); longer lines get -ERR. SASL responses may be up to 12288 bytes.",
                 \.pop3.maxCommandLineBytes, 255...65536),
            .int("pop3.command_timeout_seconds",
                 "Seconds of inactivity before a POP3 session is closed without deleting anything (RFC 1939 §3: at least 10 minutes).",
                 \.pop3.commandTimeoutSeconds, MailroomConfig.POP3Config.minimumCommandTimeoutSeconds...86400),
            .int("pop3.max_errors", "Client errors in one POP3 session before it is closed with -ERR.",
                 \.pop3.maxErrors, 1...1000),
            .int("pop3.max_connections", "POP3 connections open at once over both listeners; more get -ERR [SYS/TEMP] and are closed.",
                 \.pop3.maxConnections, 1...100_000),
            .int("pop3.max_connections_per_client", "POP3 connections open at once from one client address; more get -ERR [SYS/TEMP].",
                 \.pop3.maxConnectionsPerClient, 1...100_000),
            .string("pop3.auth_mechanisms",
                    "SASL mechanisms offered by AUTH (RFC 5034), separated by spaces: any of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. Empty leaves only USER/PASS.",
                    \.pop3.authMechanisms, check: mechanismsProblem),
            .bool("pop3.plaintext_auth_on_loopback",
                  "Allow USER/PASS and AUTH PLAIN/LOGIN without TLS from 127.0.0.0/8 and ::1. Elsewhere they need STLS or the pop3s listener (RFC 2595 §2.2).",
                  \.pop3.plaintextAuthOnLoopback),
            .int("pop3.failed_login_delay_seconds",
                 "Seconds before a failed login is answered, times the failures so far on the connection (Dovecot waits 2 s). 0 answers at once.",
                 \.pop3.failedLoginDelaySeconds, 0...60),
            .int("pop3.max_failed_logins", "Failed logins in one POP3 connection; the one that reaches this number closes it.",
                 \.pop3.maxFailedLogins, 1...100),
            .int("pop3.client_failure_limit",
                 "Failed POP3 logins from one client address within client_failure_window_seconds after which further logins from it are refused with -ERR [SYS/TEMP] without checking the password.",
                 \.pop3.clientFailureLimit, 1...100_000),
            .int("pop3.client_failure_window_seconds", "The window over which client_failure_limit counts failed logins.",
                 \.pop3.clientFailureWindowSeconds, 1...86400),
            .string("pop3.expire_policy",
                    "The EXPIRE capability (RFC 2449 §6.7) advertised: \"NEVER\" (mail is kept until the client deletes it), a number of days after retrieval a client should expect mail to be removed, or empty to advertise nothing. Mailroom itself removes nothing.",
                    \.pop3.expirePolicy, check: expirePolicyProblem),
            .int("pop3.login_delay_seconds",
                 "The LOGIN-DELAY capability (RFC 2449 §6.8): the least number of seconds between two POP3 logins of one user; a login sooner gets -ERR [LOGIN-DELAY]. 0 advertises and enforces nothing.",
                 \.pop3.loginDelaySeconds, 0...86400),

            .string("imap.imap_listen",
                    "Address and port of the IMAP listener (RFC 3501/9051; STARTTLS per RFC 3501 §6.2.1; port 143 in production). Empty turns it off.",
                    \.imap.imapListen, check: listenProblem),
            .string("imap.imaps_listen",
                    "Address and port of the implicit-TLS IMAP listener (RFC 8314 §3.3; port 993 in production). Empty turns it off.",
                    \.imap.imapsListen, check: listenProblem),
            .int("imap.max_command_bytes",
                 "Longest IMAP command after login, its lines and literals together, APPEND messages excluded (RFC 2683 §3.2.1.5: at least 8000). Longer commands get BAD and are skipped.",
                 \.imap.maxCommandBytes, 8000...(64 << 20)),
            .int("imap.max_preauth_command_bytes",
                 "Longest IMAP command before login (LOGIN with its literals, AUTHENTICATE's initial response).",
                 \.imap.maxPreauthCommandBytes, 1024...(1 << 20)),
            .int("imap.max_append_bytes",
                 "Largest message APPEND accepts; a user's own message size limit lowers it. Larger gets NO [TOOBIG] before the client sends it.",
                 \.imap.maxAppendBytes, 65536...(2 << 30)),
            .int("imap.idle_timeout_seconds",
                 "Seconds without a command (IDLE included) before a logged-in IMAP session is closed with BYE (RFC 3501 §5.4: at least 30 minutes).",
                 \.imap.idleTimeoutSeconds, MailroomConfig.IMAPConfig.minimumIdleTimeoutSeconds...86400),
            .int("imap.preauth_timeout_seconds", "Seconds an IMAP connection may stay without logging in.",
                 \.imap.preauthTimeoutSeconds, 10...3600),
            .int("imap.idle_keepalive_seconds",
                 "Seconds between \"* OK Still here\" lines sent to an IDLE client, so NAT devices keep the connection. 0 sends none.",
                 \.imap.idleKeepaliveSeconds, 0...3600),
            .int("imap.max_output_bytes",
                 "Response octets a command may have on their way to a slow IMAP client before the command waits for the client to read (a FETCH of a large mailbox is never buffered whole).",
                 \.imap.maxOutputBytes, 65536...(64 << 20)),
            .int("imap.output_stall_seconds",
                 "Seconds a command may wait for an IMAP client that does not read its responses before the connection is closed.",
                 \.imap.outputStallSeconds, 10...86400),
            .int("imap.metadata_max_value_bytes",
                 "Largest value one METADATA entry (RFC 5464) may hold; larger is NO [METADATA MAXSIZE].",
                 \.imap.metadataMaxValueBytes, 1...(1 << 20)),
            .int("imap.metadata_max_entries",
                 "METADATA entries one mailbox (and the server part of one user) may hold; one more is NO [METADATA TOOMANY].",
                 \.imap.metadataMaxEntries, 1...10_000),
            .int("imap.max_search_contexts",
                 "Searches and sorts one IMAP session may keep up to date at once (RFC 5267 CONTEXT=SEARCH/SORT, RETURN (UPDATE)); one more is NO [NOUPDATE] (Dovecot's limit is 10).",
                 \.imap.maxSearchContexts, 1...1000),
            .int("imap.max_bad_commands", "IMAP commands answered BAD in a row after which the session is closed with BYE.",
                 \.imap.maxBadCommands, 1...1000),
            .int("imap.max_connections", "IMAP connections open at once over both listeners; more get BYE and are closed.",
                 \.imap.maxConnections, 1...1_000_000),
            .int("imap.max_connections_per_client", "IMAP connections open at once from one client address; more get BYE.",
                 \.imap.maxConnectionsPerClient, 1...1_000_000),
            .int("imap.max_connections_per_user", "IMAP sessions one user may have logged in at once; the login that would go over gets NO [LIMIT].",
                 \.imap.maxConnectionsPerUser, 1...100_000),
            .string("imap.auth_mechanisms",
                    "SASL mechanisms offered by AUTHENTICATE (RFC 3501 §6.2.2, SASL-IR per RFC 4959), separated by spaces: any of PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256. Empty leaves only LOGIN.",
                    \.imap.authMechanisms, check: mechanismsProblem),
            .bool("imap.plaintext_auth_on_loopback",
                  "Allow LOGIN and AUTHENTICATE PLAIN/LOGIN without TLS from 127.0.0.0/8 and ::1. Elsewhere they need STARTTLS or the imaps listener (LOGINDISABLED, RFC 3501 §6.2.3).",
                  \.imap.plaintextAuthOnLoopback),
            .int("imap.failed_login_delay_seconds",
                 "Seconds before a failed IMAP login is answered, times the failures so far on the connection. 0 answers at once.",
                 \.imap.failedLoginDelaySeconds, 0...60),
            .int("imap.max_failed_logins", "Failed logins in one IMAP connection; the one that reaches this number closes it with BYE.",
                 \.imap.maxFailedLogins, 1...100),
            .int("imap.client_failure_limit",
                 "Failed IMAP logins from one client address within client_failure_window_seconds after which further logins from it are refused with NO [UNAVAILABLE] without checking the password.",
                 \.imap.clientFailureLimit, 1...100_000),
            .int("imap.client_failure_window_seconds", "The window over which imap.client_failure_limit counts failed logins.",
                 \.imap.clientFailureWindowSeconds, 1...86400),

            .int("queue.delivery_concurrency", "Queued messages delivered at the same time.",
                 \.queue.deliveryConcurrency, 1...256),
            .int("queue.max_received_headers",
                 "A message with more Received: fields than this is a mail loop and bounces (RFC 5321 §6.3; Postfix's hopcount_limit is 50).",
                 \.queue.maxReceivedHeaders, 10...1000),
            .int("queue.max_alias_nesting", "Aliases followed through other aliases before the expansion is refused as a loop.",
                 \.queue.maxAliasNesting, 1...100),
            .int("queue.minimal_backoff_seconds", "First retry delay of a deferred message; it doubles on each attempt.",
                 \.queue.minimalBackoffSeconds, 1...86400),
            .int("queue.maximal_backoff_seconds", "Longest delay between two attempts.",
                 \.queue.maximalBackoffSeconds, 1...7 * 86400),
            .int("queue.maximal_lifetime_seconds",
                 "How long a message may stay deferred before it bounces (RFC 5321 §4.5.4.1: 4–5 days).",
                 \.queue.maximalLifetimeSeconds, 60...30 * 86400),
            .int("queue.delay_warning_seconds",
                 "After this long, a sender who asked for NOTIFY=DELAY gets a delay notice (RFC 3461). 0 turns it off.",
                 \.queue.delayWarningSeconds, 0...30 * 86400),
            .string("queue.sync_method",
                    "How the queue makes a write durable (an accepted message before its 250, a delivery before the queue forgets it): \"filesystem\" (write and rename without a sync, then one syncfs(2) shared by every session and delivery of the moment) or \"file\" (fsync each file, then its directory).",
                    \.queue.syncMethod, oneOf: ["filesystem", "file"]),
            .int("queue.direct_delivery_max_bytes",
                 "A received message up to this size whose recipients are all local mailboxes is written into them before the 250 (one durable write, no queue file); larger ones and anything else go through the queue. The SMTP server holds up to this much per session in memory. 0 queues everything.",
                 \.queue.directDeliveryMaxBytes, 0...(64 << 20)),
            .int("queue.scan_interval_seconds", "How often the queue is scanned for messages due for another attempt.",
                 \.queue.scanIntervalSeconds, 1...3600),

            .string("tls.certificate_file",
                    "PEM certificate chain for STARTTLS and implicit TLS. Empty (with key_file empty): a self-signed certificate is made in self_signed_dir on first start.",
                    \.tls.certificateFile),
            .string("tls.key_file", "PEM private key of certificate_file (keep it mode 0600).", \.tls.keyFile),
            .string("tls.self_signed_dir", "Where the self-signed certificate and key are kept when no certificate is configured.",
                    \.tls.selfSignedDir, nonEmpty: true),

            .int("passwords.yescrypt_cost", "yescrypt cost for new password hashes (libxcrypt: 1–11; each step doubles the work).",
                 \.passwords.yescryptCost, 1...11),
            .int("passwords.scram_iterations", "PBKDF2 iterations of the stored SCRAM-SHA-256 verifier (RFC 7677: at least 4096).",
                 \.passwords.scramIterations, 4096...1_000_000),
            .bool("passwords.store_cram_md5", "Store the CRAM-MD5 secret (password-equivalent for CRAM-MD5) when a password is set.",
                  \.passwords.storeCRAMMD5),
            .bool("passwords.upgrade_on_login", "After a successful login, replace an older hash scheme with yescrypt and add missing SCRAM/CRAM secrets.",
                  \.passwords.upgradeOnLogin),
        ]
    }

    /// maildir(5) unique names are "time.delivery.host[,field…][:2,info]": the host must not
    /// contain '/' (a path), ':' (starts the info), ',' (starts a Dovecot field) or white space.
    static let maildirHostNameProblem: @Sendable (String) -> String? = { name in
        if let bad = name.unicodeScalars.first(where: { "/:,".unicodeScalars.contains($0) || $0.properties.isWhitespace
                                                     || $0.value < 0x20 || $0.value == 0x7F }) {
            return "'\(name)' contains \(bad.value < 0x20 || bad.value == 0x7F ? "a control character" : "'\(bad)'"), which cannot be part of a Maildir file name"
        }
        return nil
    }

    /// "host:port", "[v6]:port" or empty.
    static let listenProblem: @Sendable (String) -> String? = { text in
        if text.isEmpty { return nil }
        guard ListenAddress(text) != nil else {
            return "'\(text)' is not an address and port such as 127.0.0.1:25 or [::1]:25"
        }
        return nil
    }

    /// A user or group name as useradd(8) accepts it (or empty).
    static let accountNameProblem: @Sendable (String) -> String? = { name in
        guard !name.isEmpty else { return nil }
        guard name.utf8.count <= 32 else { return "longer than 32 bytes" }
        let allowed = name.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D || b == 0x2E
        }
        guard allowed, name.utf8.first != 0x2D else { return "'\(name)' is not a user or group name (letters, digits, '_', '-', '.')" }
        return nil
    }

    static let mechanismsProblem: @Sendable (String) -> String? = { text in
        let known = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"]
        for name in text.split(separator: " ") where !known.contains(name.uppercased()) {
            return "'\(name)' is not one of \(known.joined(separator: ", "))"
        }
        return nil
    }

    /// "NEVER", a number of days (0 to 9999), or empty.
    static let expirePolicyProblem: @Sendable (String) -> String? = { text in
        if text.isEmpty || text == "NEVER" { return nil }
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return "'\(text)' is not NEVER, a number of days (0 to 9999) or empty"
        }
        return nil
    }

    static func suggestion(for path: String) -> String {
        // Same key name under the same top-level table: most likely put in the wrong sub-table.
        let name = path.split(separator: ".").last.map(String.init) ?? path
        let top = path.split(separator: ".").first.map(String.init) ?? path
        let near = all.filter { $0.name == name && $0.path.hasPrefix(top + ".") }.map(\.path)
        if !near.isEmpty { return " (did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?)" }
        return ""
    }

    /// The full default configuration as a documented TOML file.
    static func renderDefaults() -> String {
        let defaults = MailroomConfig()
        var out = """
            # Mailroom configuration — every key with its default value.
            # Generated by `mailroom config defaults`; `mailroom config check FILE` validates a file.
            # Relative paths are relative to the directory mailroom is started in.

            """
        var currentTable: String? = nil
        for key in all {
            if key.table != currentTable {
                currentTable = key.table
                out += "\n[\(key.table)]\n"
            }
            for line in wrap(key.doc, width: 96) { out += "# \(line)\n" }
            out += "\(key.name) = \(key.current(defaults).tomlLiteral)\n"
        }
        return out
    }

    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty, current.count + 1 + word.count > width {
                lines.append(current)
                current = ""
            }
            current += current.isEmpty ? String(word) : " \(word)"
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

extension MailroomConfig {
    public static func renderDefaults() -> String { ConfigKeys.renderDefaults() }
    public static var documentedKeys: [(path: String, doc: String)] { ConfigKeys.all.map { ($0.path, $0.doc) } }
}
