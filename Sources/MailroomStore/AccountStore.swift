// AccountStore — the one interface every service and admin command uses for tenants,
// domains, users, aliases, relay networks, access lists and administrators.
//
// One implementation (SQLAccountStore) runs the same statements on two drivers: SQLite
// (embedded default) and PostgreSQL (production, several nodes). Lookups that services make
// on every connection (authenticate, resolveRecipient, isLocalDomain, isRelayAllowed) are
// cached for store.cache_ttl_seconds at most, so rows a control panel writes with plain SQL
// take effect within that time without a reload.
//
// Errors: every refusal is a StoreError whose description names the object and the reason;
// the CLI prints it as is. Mutations run in one transaction each: on error nothing is written.

import MailroomCore
import MailroomSASL

public enum Service: String, Sendable, CaseIterable, Codable {
    case smtp, pop3, imap, web
}

public struct Tenant: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var displayName: String
    public var maxDomains: Int64?
    public var maxUsers: Int64?
    public var maxQuotaBytes: Int64?
    public var active: Bool
    public var createdAt: Int64
}

public struct TenantLimits: Sendable, Equatable {
    public var maxDomains: Int64?
    public var maxUsers: Int64?
    public var maxQuotaBytes: Int64?
    public init(maxDomains: Int64? = nil, maxUsers: Int64? = nil, maxQuotaBytes: Int64? = nil) {
        self.maxDomains = maxDomains
        self.maxUsers = maxUsers
        self.maxQuotaBytes = maxQuotaBytes
    }
}

public struct TenantInfo: Sendable, Equatable, Codable {
    public var tenant: Tenant
    public var domains: [String]
    public var users: Int64
    /// Sum of the users' byte quotas (users without a byte limit are counted in unlimitedUsers).
    public var quotaBytes: Int64
    public var unlimitedUsers: Int64
}

public struct Volume: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// Empty for the default volume: storage.mail_root from the configuration.
    public var path: String
    /// The path in effect (the configured mail root for the default volume).
    public var effectivePath: String
}

public struct Domain: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String          // ASCII (punycode)
    public var unicodeName: String
    public var tenant: String?
    public var volume: String
    public var volumePath: String
    public var active: Bool
    public var maxUsers: Int64?
    public var maxAliases: Int64?
    public var defaultQuotaBytes: Int64?
    public var defaultQuotaMessages: Int64?
    public var catchAll: String?
    public var createdAt: Int64
    /// Largest message for the domain's users, in bytes (domains.max_message_bytes); nil = no
    /// limit of the domain's own (smtp.max_message_bytes applies).
    public var maxMessageBytes: Int64?
    /// Which MAIL FROM an authenticated user of this domain may use on submission: "aliases",
    /// "domain" or "off" (domains.sender_login_match); nil = the global smtp.sender_login_match.
    public var senderLoginMatch: String?

    /// The smallest per-domain or per-user message size limit: RFC 5321 §4.5.3.1.7 requires
    /// accepting messages of at least 64K octets. The schema's CHECK constraints use the same number.
    public static let minimumMaxMessageBytes: Int64 = 65_536
    /// The values of `senderLoginMatch` (and of smtp.sender_login_match).
    public static let senderLoginMatchValues = ["aliases", "domain", "off"]

    enum CodingKeys: String, CodingKey {
        case id, name, unicodeName, tenant, volume, volumePath, active, maxUsers, maxAliases
        case defaultQuotaBytes, defaultQuotaMessages, catchAll, createdAt, maxMessageBytes, senderLoginMatch
    }

    /// JSON for scripts: null (not absent) for unset fields, as `User` does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(unicodeName, forKey: .unicodeName)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(volume, forKey: .volume)
        try c.encode(volumePath, forKey: .volumePath)
        try c.encode(active, forKey: .active)
        try c.encode(maxUsers, forKey: .maxUsers)
        try c.encode(maxAliases, forKey: .maxAliases)
        try c.encode(defaultQuotaBytes, forKey: .defaultQuotaBytes)
        try c.encode(defaultQuotaMessages, forKey: .defaultQuotaMessages)
        try c.encode(catchAll, forKey: .catchAll)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(maxMessageBytes, forKey: .maxMessageBytes)
        try c.encode(senderLoginMatch, forKey: .senderLoginMatch)
    }
}

public struct NewDomain: Sendable {
    public var name: DomainName
    public var tenant: String?
    public var volume: String?
    public var maxUsers: Int64?
    public var maxAliases: Int64?
    public var defaultQuota: Quota
    public init(name: DomainName, tenant: String? = nil, volume: String? = nil, maxUsers: Int64? = nil,
                maxAliases: Int64? = nil, defaultQuota: Quota = .unlimited) {
        self.name = name
        self.tenant = tenant
        self.volume = volume
        self.maxUsers = maxUsers
        self.maxAliases = maxAliases
        self.defaultQuota = defaultQuota
    }
}

public struct DomainInfo: Sendable, Equatable, Codable {
    public var domain: Domain
    public var users: Int64
    public var aliases: Int64
    public var domainAliases: [String]
}

/// A mailbox account. Quota fields are the effective limits (nil = unlimited); quotaInherited
/// tells whether they come from the domain's default. maxMessageBytes is the effective message
/// size limit likewise (the user's own, else the domain's; nil = only smtp.max_message_bytes).
public struct User: Sendable, Equatable, Encodable {
    public var id: Int64
    public var localPart: String
    public var domain: String            // ASCII
    public var domainUnicode: String
    public var displayName: String
    public var quotaBytes: Int64?
    public var quotaMessages: Int64?
    public var quotaInherited: Bool
    public var disabledServices: [Service]
    public var createdAt: Int64
    public var lastLoginAt: Int64?
    public var lastLoginService: String?
    public var lastLoginIP: String?
    public var passwordScheme: String
    public var hasSCRAMSHA256: Bool
    public var hasCRAMMD5: Bool
    public var volumePath: String
    public var domainActive: Bool
    /// Largest message in bytes: users.max_message_bytes, else domains.max_message_bytes; nil = none.
    public var maxMessageBytes: Int64?
    /// True when maxMessageBytes is the domain's (the user has no limit of its own).
    public var maxMessageBytesInherited: Bool
    /// The user's domain's submission sender rule (Domain.senderLoginMatch); nil = the global
    /// smtp.sender_login_match.
    public var domainSenderLoginMatch: String?

    public var address: String { "\(localPart)@\(domain)" }
    public var unicodeAddress: String { "\(localPart)@\(domainUnicode)" }
    public var quota: Quota { Quota(bytes: quotaBytes, messages: quotaMessages) }

    enum CodingKeys: String, CodingKey {
        case id, address, unicodeAddress, localPart, domain, domainUnicode, displayName, quotaBytes, quotaMessages
        case quotaInherited, disabledServices, createdAt, lastLoginAt, lastLoginService, lastLoginIP
        case passwordScheme, hasSCRAMSHA256, hasCRAMMD5, volumePath, domainActive
        case maxMessageBytes, maxMessageBytesInherited, domainSenderLoginMatch
    }

    /// JSON for scripts: the full address in both forms, and null (not absent) for unset fields.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(address, forKey: .address)
        try c.encode(unicodeAddress, forKey: .unicodeAddress)
        try c.encode(localPart, forKey: .localPart)
        try c.encode(domain, forKey: .domain)
        try c.encode(domainUnicode, forKey: .domainUnicode)
        try c.encode(displayName, forKey: .displayName)
        try c.encode(quotaBytes, forKey: .quotaBytes)
        try c.encode(quotaMessages, forKey: .quotaMessages)
        try c.encode(quotaInherited, forKey: .quotaInherited)
        try c.encode(disabledServices, forKey: .disabledServices)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(lastLoginAt, forKey: .lastLoginAt)
        try c.encode(lastLoginService, forKey: .lastLoginService)
        try c.encode(lastLoginIP, forKey: .lastLoginIP)
        try c.encode(passwordScheme, forKey: .passwordScheme)
        try c.encode(hasSCRAMSHA256, forKey: .hasSCRAMSHA256)
        try c.encode(hasCRAMMD5, forKey: .hasCRAMMD5)
        try c.encode(volumePath, forKey: .volumePath)
        try c.encode(domainActive, forKey: .domainActive)
        try c.encode(maxMessageBytes, forKey: .maxMessageBytes)
        try c.encode(maxMessageBytesInherited, forKey: .maxMessageBytesInherited)
        try c.encode(domainSenderLoginMatch, forKey: .domainSenderLoginMatch)
    }
}

public struct NewUser: Sendable {
    public var address: EmailAddress
    public var password: String?
    /// A ready-made hash (crypt(3) or {SCHEME}) instead of a password, for imports.
    public var passwordHash: String?
    public var displayName: String
    /// nil: the domain's default quota.
    public var quota: Quota?
    public init(address: EmailAddress, password: String? = nil, passwordHash: String? = nil,
                displayName: String = "", quota: Quota? = nil) {
        self.address = address
        self.password = password
        self.passwordHash = passwordHash
        self.displayName = displayName
        self.quota = quota
    }
}

public struct AliasEntry: Sendable, Equatable, Codable {
    public var address: String      // local@ascii-domain
    public var targets: [String]
}

public struct RelayNetwork: Sendable, Equatable, Codable {
    public var cidr: String
    public var note: String
    public var createdAt: Int64
}

public enum AccessKind: String, Sendable, CaseIterable, Codable {
    case mailFrom = "mail_from"
    case helo
    case rcptTo = "rcpt_to"
}

public struct AccessRule: Sendable, Equatable, Codable {
    public var kind: AccessKind
    /// nil: global; otherwise the hosted domain the rule applies to.
    public var domain: String?
    public var pattern: String
    public var note: String
    public var createdAt: Int64

    /// Exact or `*`-wildcard match, case-insensitive.
    public func matches(_ value: String) -> Bool {
        WildcardPattern(pattern).matches(value)
    }
}

public enum AdminScope: Sendable, Equatable, Codable, CustomStringConvertible {
    case global
    case tenant(String)
    case domain(String)

    public var description: String {
        switch self {
        case .global: "global"
        case .tenant(let t): "tenant:\(t)"
        case .domain(let d): "domain:\(d)"
        }
    }

    // Encoded as its description ("global", "tenant:acme", "domain:example.com"), the form the
    // CLI takes and prints, rather than the synthesized {"tenant":{"_0":"acme"}}.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text == "global" { self = .global }
        else if text.hasPrefix("tenant:") { self = .tenant(String(text.dropFirst(7))) }
        else if text.hasPrefix("domain:") { self = .domain(String(text.dropFirst(7))) }
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "scope '\(text)' is not global, tenant:NAME or domain:DOMAIN"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public struct Administrator: Sendable, Equatable, Codable {
    public var name: String
    public var scope: AdminScope
    public var active: Bool
    public var createdAt: Int64
    public var lastLoginAt: Int64?
}

/// Where mail for one recipient goes, as far as the account store knows.
public enum RecipientResolution: Sendable, Equatable {
    /// Deliver into this user's mailbox.
    case mailbox(User)
    /// Expand to these addresses (local or external); `keepCopy` is the mailbox that also keeps
    /// a copy (the address itself listed among its own targets).
    case alias(address: String, targets: [String], keepCopy: User?)
    /// No such user or alias; the domain's catch-all address takes it.
    case catchAll(address: String, target: String)
    /// The domain is hosted here but has no such recipient.
    case unknownUser
    /// The domain is hosted here but inactive.
    case domainInactive
    /// Not a domain (or domain alias) hosted here.
    case notLocal
}

/// A user with the stored secrets of the challenge-response SASL mechanisms (CRAM-MD5,
/// SCRAM-SHA-256), for a MailroomSASL exchange's `credentialsFound`.
public struct SASLAccount: Sendable, Equatable {
    public var user: User
    /// Members are nil when the user has no such secret (see AccountStore.saslAccount).
    public var credentials: SASLCredentials

    public init(user: User, credentials: SASLCredentials) {
        self.user = user
        self.credentials = credentials
    }
}

public enum AuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidUsername(String)
    case unknownUser
    case wrongPassword
    case noPassword
    case disabled(Service)
    case domainInactive
    case tenantInactive

    public var description: String {
        switch self {
        case .invalidUsername(let why): "invalid user name: \(why)"
        case .unknownUser: "unknown user"
        case .wrongPassword: "password mismatch"
        case .noPassword: "account has no password (locked)"
        case .disabled(let service): "\(service.rawValue) access is disabled for this user"
        case .domainInactive: "domain is inactive"
        case .tenantInactive: "tenant is inactive"
        }
    }
}

public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case duplicate(String)
    case limitExceeded(String)
    case invalid(field: String, message: String)
    case conflict(String)
    case schemaTooNew(database: Int, binary: Int)
    case schemaTooOld(database: Int, binary: Int)
    case backend(String)

    public var description: String {
        switch self {
        case .notFound(let m), .duplicate(let m), .limitExceeded(let m), .conflict(let m): m
        case .invalid(let field, let message): "\(field): \(message)"
        case .schemaTooNew(let db, let bin):
            "the database schema is version \(db), newer than this binary knows (\(bin)); upgrade mailroom"
        case .schemaTooOld(let db, let bin):
            "the database schema is version \(db), this binary needs \(bin); run `mailroom db migrate`"
        case .backend(let m): "account store error: \(m)"
        }
    }
}

public protocol AccountStore: Sendable {
    // Tenants
    func addTenant(name: String, displayName: String, limits: TenantLimits) async throws -> Tenant
    func removeTenant(name: String) async throws
    func listTenants() async throws -> [Tenant]
    func tenantInfo(name: String) async throws -> TenantInfo
    func setTenantLimits(name: String, limits: TenantLimits) async throws -> Tenant

    // Volumes
    func addVolume(name: String, path: String) async throws -> Volume
    func listVolumes() async throws -> [Volume]

    // Domains
    func addDomain(_ domain: NewDomain) async throws -> Domain
    /// Removes the domain with its users, aliases and domain aliases; returns what was removed
    /// so the caller can remove or archive the mail afterwards.
    func removeDomain(_ name: DomainName) async throws -> DomainInfo
    func listDomains(tenant: String?) async throws -> [Domain]
    func domainInfo(_ name: DomainName) async throws -> DomainInfo
    func setDomainActive(_ name: DomainName, active: Bool) async throws
    func setDomainLimits(_ name: DomainName, maxUsers: Int64??, maxAliases: Int64??, defaultQuota: Quota?) async throws -> Domain
    func setCatchAll(_ name: DomainName, target: String?) async throws
    /// Sets (or, with nil, clears) the domain's message size limit; at least
    /// Domain.minimumMaxMessageBytes.
    @discardableResult
    func setDomainMessageLimit(_ name: DomainName, bytes: Int64?) async throws -> Domain
    /// Sets the domain's submission sender rule (one of Domain.senderLoginMatchValues), or with
    /// nil returns the domain to the global smtp.sender_login_match.
    @discardableResult
    func setDomainSenderLoginMatch(_ name: DomainName, _ value: String?) async throws -> Domain
    func addDomainAlias(_ alias: DomainName, to target: DomainName) async throws
    func removeDomainAlias(_ alias: DomainName) async throws

    // Users
    func addUser(_ user: NewUser) async throws -> User
    /// Removes the user and returns the record as it was, so the caller can remove the mail.
    func removeUser(_ address: EmailAddress) async throws -> User
    func user(_ address: EmailAddress) async throws -> User?
    func listUsers(domain: DomainName) async throws -> [User]
    func setPassword(_ address: EmailAddress, password: String) async throws
    func setPasswordHash(_ address: EmailAddress, hash: String) async throws
    func setQuota(_ address: EmailAddress, quota: Quota?) async throws -> User
    func setDisplayName(_ address: EmailAddress, displayName: String) async throws
    /// Sets the user's own message size limit (at least Domain.minimumMaxMessageBytes), or with
    /// nil makes the user inherit the domain's. Returns the user with the effective limit.
    @discardableResult
    func setUserMessageLimit(_ address: EmailAddress, bytes: Int64?) async throws -> User
    func setServiceDisabled(_ address: EmailAddress, services: [Service], disabled: Bool) async throws -> User
    func recordLogin(_ address: EmailAddress, service: Service, ip: String?) async throws

    // Aliases and forwards
    func addAlias(_ address: EmailAddress, targets: [String]) async throws -> AliasEntry
    /// Removes the given targets, or every target when `targets` is empty.
    func removeAlias(_ address: EmailAddress, targets: [String]) async throws
    func listAliases(domain: DomainName) async throws -> [AliasEntry]

    // Relay networks and access lists
    func addRelayNetwork(_ cidr: CIDR, note: String) async throws -> RelayNetwork
    func removeRelayNetwork(_ cidr: CIDR) async throws
    func listRelayNetworks() async throws -> [RelayNetwork]
    func addAccessRule(kind: AccessKind, pattern: String, domain: DomainName?, note: String) async throws -> AccessRule
    func removeAccessRule(kind: AccessKind, pattern: String, domain: DomainName?) async throws
    func listAccessRules(kind: AccessKind?) async throws -> [AccessRule]

    // Administrators
    func addAdministrator(name: String, password: String, scope: AdminScope) async throws -> Administrator
    func removeAdministrator(name: String) async throws
    func listAdministrators() async throws -> [Administrator]

    // Lookups for the services (cached for store.cache_ttl_seconds at most)
    func authenticate(username: String, password: String, service: Service) async throws -> Result<User, AuthFailure>
    /// The account checks of `authenticate` without a password (invalid user name, unknown
    /// user, locked account, inactive domain or tenant, disabled service), and the user's
    /// SCRAM-SHA-256 verifier and CRAM-MD5 secret. Security: a caller must not tell the client
    /// which check failed before the exchange ends — pass nil to
    /// SASLServerExchange.credentialsFound for every failure, so SCRAM fails only after the proof.
    func saslAccount(username: String, service: Service) async throws -> Result<SASLAccount, AuthFailure>
    func resolveRecipient(_ address: EmailAddress) async throws -> RecipientResolution
    func isLocalDomain(_ name: DomainName) async throws -> Bool
    func isRelayAllowed(_ address: IPAddress) async throws -> Bool
    /// The access rules of one kind that apply to mail for `domain` (global ones included).
    func accessRules(kind: AccessKind, forDomain domain: DomainName?) async throws -> [AccessRule]

    func close() async
}
