// SQLAccountStore — AccountStore over an SQLDatabase (SQLite or PostgreSQL): the lookups the
// services make, with their short cache. Admin operations live in the SQLAccountStore+*.swift
// files beside this one.
//
// Configuration: store.cache_ttl_seconds, store.cache_max_entries, store.recipient_delimiter,
// passwords.* (PasswordPolicy), storage.mail_root (path of the default volume).
// Security: authentication answers unknown users after the same password-hashing work as
// known ones, and tells "disabled" or "inactive" only after the password was right.

import MailroomCore
import NIOPosix

public struct StoreOptions: Sendable {
    /// Seconds a lookup answer may be reused (0 disables caching).
    public var cacheTTL: Double
    public var cacheMaxEntries: Int
    /// Separator of address extensions (user+tag@domain); empty turns extensions off.
    public var recipientDelimiter: String
    public var passwordPolicy: PasswordPolicy
    /// Replace an outdated hash (anything but yescrypt) at the next successful login, and add
    /// missing SCRAM/CRAM secrets.
    public var upgradeHashesOnLogin: Bool
    /// Path of the default volume (storage.mail_root).
    public var defaultMailRoot: String

    public static let defaultCacheTTL = 3.0
    public static let defaultCacheMaxEntries = 100_000

    public init(cacheTTL: Double = defaultCacheTTL, cacheMaxEntries: Int = defaultCacheMaxEntries,
                recipientDelimiter: String = "+", passwordPolicy: PasswordPolicy = PasswordPolicy(),
                upgradeHashesOnLogin: Bool = true, defaultMailRoot: String = "./data/mail") {
        self.cacheTTL = cacheTTL
        self.cacheMaxEntries = cacheMaxEntries
        self.recipientDelimiter = recipientDelimiter
        self.passwordPolicy = passwordPolicy
        self.upgradeHashesOnLogin = upgradeHashesOnLogin
        self.defaultMailRoot = defaultMailRoot
    }
}

/// What routing needs to know about a hosted domain (reached by its name or a domain alias).
struct DomainRoute: Sendable, Equatable {
    var id: Int64
    var name: String
    var active: Bool
    var tenantActive: Bool
    var catchAll: String?
}

/// A user row with its secrets, as authentication needs it.
struct UserRow: Sendable {
    var user: User
    var passwordHash: String
    var scramSHA256: String?
    var cramMD5: String?
    var tenantActive: Bool
}

public final class SQLAccountStore: AccountStore {
    let db: any SQLDatabase
    let options: StoreOptions
    let now: @Sendable () -> Int64

    let domainCache: LookupCache<DomainRoute?>
    let userCache: LookupCache<UserRow?>
    let userByNameCache: LookupCache<UserRow?>
    let recipientCache: LookupCache<RecipientResolution?>
    let aliasCache: LookupCache<[String]>
    let relayCache: LookupCache<[CIDR]>
    let accessCache: LookupCache<[AccessRule]>

    public init(database: any SQLDatabase, options: StoreOptions = StoreOptions(),
                now: @escaping @Sendable () -> Int64 = { StoreClock.epochSeconds() }) {
        self.db = database
        self.options = options
        self.now = now
        domainCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
        userCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
        userByNameCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
        recipientCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
        aliasCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
        relayCache = LookupCache(ttl: options.cacheTTL, maxEntries: 4)
        accessCache = LookupCache(ttl: options.cacheTTL, maxEntries: options.cacheMaxEntries)
    }

    public var dialect: SQLDialect { db.dialect }

    public func close() async {
        await db.close()
    }

    /// Forgets every cached answer (after this process changed something itself).
    func invalidateCaches() {
        domainCache.removeAll()
        userCache.removeAll()
        userByNameCache.removeAll()
        recipientCache.removeAll()
        aliasCache.removeAll()
        relayCache.removeAll()
        accessCache.removeAll()
    }

    /// Runs a mutation in one transaction, turning driver errors into StoreErrors.
    func write<T: Sendable>(_ what: String, invalidating: Bool = true,
                            _ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        defer { if invalidating { invalidateCaches() } }
        do {
            return try await db.transaction(body)
        } catch let error as SQLError {
            switch error {
            case .uniqueViolation(let m): throw StoreError.duplicate("\(what): already exists (\(m))")
            case .foreignKeyViolation(let m): throw StoreError.conflict("\(what): still referenced (\(m))")
            case .checkViolation(let m): throw StoreError.invalid(field: what, message: m)
            default: throw StoreError.backend("\(what): \(error)")
            }
        }
    }

    /// The lookups made for every recipient and login, kept prepared by the PostgreSQL driver.
    enum Hot {
        /// A hosted domain by its name, or by a domain alias (the direct name wins).
        enum DomainRoute: HotStatement {
            static let sql = """
                SELECT d.id, d.name, d.active, d.catchall, COALESCE(t.active, TRUE) AS tenant_active, 0 AS via
                FROM domains d LEFT JOIN tenants t ON t.id = d.tenant_id WHERE d.name = ?
                UNION ALL
                SELECT d.id, d.name, d.active, d.catchall, COALESCE(t.active, TRUE) AS tenant_active, 1 AS via
                FROM domain_aliases a JOIN domains d ON d.id = a.domain_id LEFT JOIN tenants t ON t.id = d.tenant_id
                WHERE a.name = ?
                ORDER BY via LIMIT 1
                """
        }

        enum UserByDomain: HotStatement {
            static let sql = "\(SQLAccountStore.userColumns) WHERE u.domain_id = ? AND u.local_part = ?"
        }

        /// The user and the alias targets of one address of a domain, by the domain's own name:
        /// kind 0 is the user row, kind 1 an alias target (in the order they were added). The
        /// alias branch pads the user columns with NULL but carries the domain's state.
        enum Recipient: HotStatement {
            static let sql = """
                SELECT 0 AS kind, NULL AS target, 0 AS alias_id, \(SQLAccountStore.userSelectList)
                \(SQLAccountStore.userFrom)
                WHERE d.name = ? AND u.local_part = ?
                UNION ALL
                SELECT 1 AS kind, a.target, a.id AS alias_id,
                       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                       d.name, COALESCE(d.unicode_name, d.name), d.active, NULL, NULL, NULL, COALESCE(t.active, TRUE),
                       NULL, d.max_message_bytes, d.sender_login_match
                FROM aliases a JOIN domains d ON d.id = a.domain_id LEFT JOIN tenants t ON t.id = d.tenant_id
                WHERE d.name = ? AND a.local_part = ?
                ORDER BY kind, alias_id
                """
        }

        enum UserByDomainName: HotStatement {
            static let sql = "\(SQLAccountStore.userColumns) WHERE d.name = ? AND u.local_part = ?"
        }

        enum AliasTargets: HotStatement {
            static let sql = "SELECT target FROM aliases WHERE domain_id = ? AND local_part = ? ORDER BY id"
        }

        enum RelayNetworks: HotStatement {
            static let sql = "SELECT cidr FROM relay_networks"
        }
    }

    func hot<Statement: HotStatement>(_ statement: Statement.Type, _ binds: SQLValue...) async throws -> [SQLRow] {
        do {
            return try await db.read(statement, binds)
        } catch let error as SQLError {
            throw StoreError.backend(error.description)
        }
    }

    func read(_ sql: String, _ binds: SQLValue...) async throws -> [SQLRow] {
        do {
            return try await db.read(sql, binds)
        } catch let error as SQLError {
            throw StoreError.backend(error.description)
        }
    }

    // MARK: - Shared SQL

    static let userColumns = "SELECT \(userSelectList)\n\(userFrom)"

    static let userSelectList = """
        u.id, u.local_part, u.password_hash, u.scram_sha256, u.cram_md5, u.display_name,
               u.quota_bytes, u.quota_messages, u.disable_smtp, u.disable_pop3, u.disable_imap,
               u.disable_web, u.created_at, u.last_login_at, u.last_login_service, u.last_login_ip,
               d.name AS domain, COALESCE(d.unicode_name, d.name) AS domain_unicode,
               d.active AS domain_active, d.default_quota_bytes, d.default_quota_messages,
               v.path AS volume_path, COALESCE(t.active, TRUE) AS tenant_active,
               u.max_message_bytes, d.max_message_bytes AS domain_max_message_bytes,
               d.sender_login_match AS domain_sender_login_match
        """

    static let userFrom = """
        FROM users u
        JOIN domains d ON d.id = u.domain_id
        JOIN volumes v ON v.id = d.volume_id
        LEFT JOIN tenants t ON t.id = d.tenant_id
        """

    static let domainColumns = """
        SELECT d.id, d.name, COALESCE(d.unicode_name, d.name) AS unicode_name, t.name AS tenant,
               v.name AS volume, v.path AS volume_path, d.active, d.max_users, d.max_aliases,
               d.default_quota_bytes, d.default_quota_messages, d.catchall, d.created_at,
               d.max_message_bytes, d.sender_login_match
        FROM domains d
        JOIN volumes v ON v.id = d.volume_id
        LEFT JOIN tenants t ON t.id = d.tenant_id
        """

    func volumePath(_ stored: String?) -> String {
        guard let stored, !stored.isEmpty else { return options.defaultMailRoot }
        return stored
    }

    /// Effective quota: the user's own column, else the domain default; 0 means unlimited.
    static func effective(_ own: Int64?, _ domainDefault: Int64?) -> (Int64?, Bool) {
        if let own { return (own == 0 ? nil : own, false) }
        if let d = domainDefault, d > 0 { return (d, true) }
        return (nil, true)
    }

    func makeUserRow(_ row: SQLRow) -> UserRow {
        let (bytes, bytesInherited) = Self.effective(row.int("quota_bytes"), row.int("default_quota_bytes"))
        let (messages, messagesInherited) = Self.effective(row.int("quota_messages"), row.int("default_quota_messages"))
        var disabled: [Service] = []
        if row.bool("disable_smtp") { disabled.append(.smtp) }
        if row.bool("disable_pop3") { disabled.append(.pop3) }
        if row.bool("disable_imap") { disabled.append(.imap) }
        if row.bool("disable_web") { disabled.append(.web) }
        let hash = row.string("password_hash") ?? ""
        let scram = row.string("scram_sha256").flatMap { $0.isEmpty ? nil : $0 }
        let cram = row.string("cram_md5").flatMap { $0.isEmpty ? nil : $0 }
        let ownMessageLimit = row.int("max_message_bytes")
        let user = User(
            id: row.int("id") ?? 0,
            localPart: row.string("local_part") ?? "",
            domain: row.string("domain") ?? "",
            domainUnicode: row.string("domain_unicode") ?? "",
            displayName: row.string("display_name") ?? "",
            quotaBytes: bytes, quotaMessages: messages,
            quotaInherited: bytesInherited && messagesInherited,
            disabledServices: disabled,
            createdAt: row.int("created_at") ?? 0,
            lastLoginAt: row.int("last_login_at"),
            lastLoginService: row.string("last_login_service"),
            lastLoginIP: row.string("last_login_ip"),
            passwordScheme: Passwords.schemeName(of: hash),
            hasSCRAMSHA256: scram != nil, hasCRAMMD5: cram != nil,
            volumePath: volumePath(row.string("volume_path")),
            domainActive: row.bool("domain_active"),
            maxMessageBytes: ownMessageLimit ?? row.int("domain_max_message_bytes"),
            maxMessageBytesInherited: ownMessageLimit == nil,
            domainSenderLoginMatch: row.string("domain_sender_login_match"))
        return UserRow(user: user, passwordHash: hash, scramSHA256: scram, cramMD5: cram,
                       tenantActive: row.bool("tenant_active"))
    }

    func makeDomain(_ row: SQLRow) -> Domain {
        Domain(
            id: row.int("id") ?? 0, name: row.string("name") ?? "",
            unicodeName: row.string("unicode_name") ?? "", tenant: row.string("tenant"),
            volume: row.string("volume") ?? "", volumePath: volumePath(row.string("volume_path")),
            active: row.bool("active"), maxUsers: row.int("max_users"), maxAliases: row.int("max_aliases"),
            defaultQuotaBytes: row.int("default_quota_bytes"),
            defaultQuotaMessages: row.int("default_quota_messages"),
            catchAll: row.string("catchall").flatMap { $0.isEmpty ? nil : $0 },
            createdAt: row.int("created_at") ?? 0,
            maxMessageBytes: row.int("max_message_bytes"),
            senderLoginMatch: row.string("sender_login_match"))
    }

    // MARK: - Lookups

    /// The hosted domain reached by `name` (a domain or a domain alias), cached.
    func domainRoute(_ name: String) async throws -> DomainRoute? {
        try await domainCache.value(for: name) {
            let rows = try await hot(Hot.DomainRoute.self, .text(name), .text(name))
            guard let row = rows.first else { return nil }
            return DomainRoute(
                id: row.int("id") ?? 0, name: row.string("name") ?? name, active: row.bool("active"),
                tenantActive: row.bool("tenant_active"),
                catchAll: row.string("catchall").flatMap { $0.isEmpty ? nil : $0 })
        }
    }

    /// The user `local` of the hosted domain `domainID`, with secrets, cached.
    func userRow(domainID: Int64, local: String) async throws -> UserRow? {
        try await userCache.value(for: "\(domainID)\u{0}\(local)") {
            let rows = try await hot(Hot.UserByDomain.self, .integer(domainID), .text(local))
            return rows.first.map(makeUserRow)
        }
    }

    /// The user at `address`, following domain aliases, with secrets. The common case (the
    /// domain's own name) is one statement; a domain alias costs a routing lookup more.
    func userRow(_ address: EmailAddress) async throws -> UserRow? {
        let domain = address.domain.ascii, local = address.localPart.value
        return try await userByNameCache.value(for: "\(domain)\u{0}\(local)") {
            if let row = try await hot(Hot.UserByDomainName.self, .text(domain), .text(local)).first {
                return makeUserRow(row)
            }
            guard let route = try await domainRoute(domain), route.name != domain else { return nil }
            return try await userRow(domainID: route.id, local: local)
        }
    }

    func aliasTargets(domainID: Int64, local: String) async throws -> [String] {
        try await aliasCache.value(for: "\(domainID)\u{0}\(local)") {
            try await hot(Hot.AliasTargets.self, .integer(domainID), .text(local)).compactMap { $0.string("target") }
        }
    }

    public func isLocalDomain(_ name: DomainName) async throws -> Bool {
        try await domainRoute(name.ascii) != nil
    }

    public func resolveRecipient(_ address: EmailAddress) async throws -> RecipientResolution {
        let key = "\(address.domain.ascii)\u{0}\(address.localPart.value)"
        if let quick = try await recipientCache.value(for: key, compute: {
            try await resolveInOneStatement(domain: address.domain.ascii, local: address.localPart.value)
        }) {
            return quick
        }
        // Not a user or alias of the domain's own name: extensions, domain aliases, catch-all,
        // unknown users and unhosted domains take the step-by-step path.
        guard let route = try await domainRoute(address.domain.ascii) else { return .notLocal }
        guard route.active, route.tenantActive else { return .domainInactive }
        let local = address.localPart.value
        var candidates = [local]
        let delimiter = options.recipientDelimiter
        if !delimiter.isEmpty, let range = local.range(of: delimiter), range.lowerBound != local.startIndex {
            candidates.append(String(local[..<range.lowerBound]))
        }
        for candidate in candidates {
            let own = "\(candidate)@\(route.name)"
            let targets = try await aliasTargets(domainID: route.id, local: candidate)
            if !targets.isEmpty {
                let others = targets.filter { $0 != own }
                let keep = others.count < targets.count
                    ? try await userRow(domainID: route.id, local: candidate)?.user : nil
                if others.isEmpty, let keep { return .mailbox(keep) }
                return .alias(address: own, targets: others, keepCopy: keep)
            }
            if let row = try await userRow(domainID: route.id, local: candidate) {
                return .mailbox(row.user)
            }
        }
        if let target = route.catchAll {
            return .catchAll(address: "\(local)@\(route.name)", target: target)
        }
        return .unknownUser
    }

    /// The common case in one statement: `local` is a user or an alias of the hosted domain
    /// `domain` (by its own name). nil when neither exists there.
    func resolveInOneStatement(domain: String, local: String) async throws -> RecipientResolution? {
        let rows = try await hot(Hot.Recipient.self, .text(domain), .text(local), .text(domain), .text(local))
        guard let first = rows.first else { return nil }
        guard first.bool("domain_active"), first.bool("tenant_active") else { return .domainInactive }
        let user = rows.first { $0.int("kind") == 0 }.map { makeUserRow($0).user }
        let targets = rows.filter { $0.int("kind") == 1 }.compactMap { $0.string("target") }
        if targets.isEmpty, let user { return .mailbox(user) }
        let own = "\(local)@\(domain)"
        let others = targets.filter { $0 != own }
        let keep = others.count < targets.count ? user : nil
        if others.isEmpty, let keep { return .mailbox(keep) }
        return .alias(address: own, targets: others, keepCopy: keep)
    }

    public func isRelayAllowed(_ address: IPAddress) async throws -> Bool {
        let networks = try await relayCache.value(for: "relay") {
            try await hot(Hot.RelayNetworks.self).compactMap { row in
                row.string("cidr").flatMap { try? CIDR($0) }
            }
        }
        return networks.contains { $0.contains(address) }
    }

    public func accessRules(kind: AccessKind, forDomain domain: DomainName?) async throws -> [AccessRule] {
        let all = try await accessCache.value(for: "access\u{0}\(kind.rawValue)") {
            try await listAccessRules(kind: kind)
        }
        return all.filter { $0.domain == nil || $0.domain == domain?.ascii }
    }

    public func authenticate(username: String, password: String, service: Service) async throws -> Result<User, AuthFailure> {
        let address: EmailAddress
        switch Self.loginAddress(username) {
        case .success(let parsed): address = parsed
        case .failure(let failure): return .failure(failure)
        }
        guard let row = try await userRow(address) else {
            // Same work as a real check, so response time does not reveal which users exist.
            _ = try await Self.offloop { Passwords.verify(password, against: Self.timingDummyHash) }
            return .failure(.unknownUser)
        }
        if row.passwordHash.isEmpty || row.passwordHash.hasPrefix("!") || row.passwordHash.hasPrefix("*") {
            return .failure(.noPassword)
        }
        let hash = row.passwordHash
        let ok = try await Self.offloop { Passwords.verify(password, against: hash) }
        guard ok else { return .failure(.wrongPassword) }
        guard row.user.domainActive else { return .failure(.domainInactive) }
        guard row.tenantActive else { return .failure(.tenantInactive) }
        if row.user.disabledServices.contains(service) { return .failure(.disabled(service)) }
        if options.upgradeHashesOnLogin,
           Passwords.isOutdated(hash) || row.scramSHA256 == nil
            || (options.passwordPolicy.storeCRAMMD5 && row.cramMD5 == nil) {
            // Best effort: a failed upgrade must not fail the login.
            try? await setPassword(EmailAddress(localPart: address.localPart, domain: try DomainName(row.user.domain)),
                                   password: password)
        }
        return .success(row.user)
    }

    /// The address a login name stands for: `user@domain`, or `user%domain` for clients that
    /// cannot send "@" (the first "%" becomes "@").
    static func loginAddress(_ username: String) -> Result<EmailAddress, AuthFailure> {
        let name = username.contains("@") ? username : username.replacingFirst("%", with: "@")
        do {
            return .success(try EmailAddress(name))
        } catch {
            return .failure(.invalidUsername(error.description))
        }
    }

    /// A yescrypt hash of a random string: verifying against it costs what a real check costs.
    static let timingDummyHash = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"

    /// Runs CPU-heavy work (password hashing) on NIO's blocking thread pool.
    static func offloop<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}

extension String {
    func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
