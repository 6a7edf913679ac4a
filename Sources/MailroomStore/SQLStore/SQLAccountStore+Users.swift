// Users: mailbox accounts with their password secrets, quota, message size limit and
// per-service switches.
//
// Quota columns: NULL = use the domain's default quota, 0 = unlimited, n = limit. A tenant with
// a total-quota limit only accepts users whose effective byte quota is set, and only while the
// sum stays within the limit. users.max_message_bytes: NULL = the domain's limit, n = the
// user's own (at least 64K octets, RFC 5321 §4.5.3.1.7).
// Security: passwords are hashed (yescrypt, slow on purpose) before the transaction starts, so
// the SQLite writer is never held during hashing.

import MailroomCore

extension SQLAccountStore {
    func requireUser(_ tx: any SQLExecutor, _ address: EmailAddress) async throws -> (Domain, UserRow) {
        let domain = try await requireDomain(tx, address.domain)
        guard let row = try await tx.execute(
            "\(Self.userColumns) WHERE u.domain_id = ? AND u.local_part = ?",
            .integer(domain.id), .text(address.localPart.value)).first else {
            throw StoreError.notFound("user \(address.unicode) does not exist")
        }
        return (domain, makeUserRow(row))
    }

    /// Checks the owning tenant's user and total-quota limits for a user whose effective byte
    /// quota changes from `oldBytes` to `newBytes` (`adding` counts a new user).
    func checkTenantLimits(_ tx: any SQLExecutor, _ domain: Domain, adding: Bool,
                           oldBytes: Int64?, newBytes: Int64?) async throws {
        guard let tenantName = domain.tenant, let tenant = try await tenantRow(tx, tenantName) else { return }
        let usage = try await tenantUsage(tx, tenant)
        if adding, let max = tenant.maxUsers, usage.users >= max {
            throw StoreError.limitExceeded("tenant \(tenant.name) already has \(usage.users) of at most \(max) users")
        }
        if let max = tenant.maxQuotaBytes {
            guard let newBytes else {
                throw StoreError.limitExceeded(
                    "tenant \(tenant.name) limits total quota to \(Quota(bytes: max, messages: nil)); the user needs a byte quota, not NOQUOTA")
            }
            let total = usage.quotaBytes - (oldBytes ?? 0) + newBytes
            if total > max {
                throw StoreError.limitExceeded(
                    "tenant \(tenant.name) would have \(Quota(bytes: total, messages: nil)) of quota, more than its limit of \(Quota(bytes: max, messages: nil))")
            }
        }
    }

    static func storedQuota(_ quota: Quota?) -> (SQLValue, SQLValue) {
        guard let quota else { return (.null, .null) }
        return (.integer(quota.bytes ?? 0), .integer(quota.messages ?? 0))
    }

    static func effectiveBytes(_ quota: Quota?, _ domain: Domain) -> Int64? {
        if let quota { return quota.bytes }
        if let d = domain.defaultQuotaBytes, d > 0 { return d }
        return nil
    }

    func secrets(for new: NewUser) async throws -> PasswordSecrets {
        if let hash = new.passwordHash {
            guard !hash.isEmpty, !hash.contains("\n"), !hash.contains("\u{0}") else {
                throw StoreError.invalid(field: "password hash", message: "must be one non-empty line")
            }
            return PasswordSecrets(hash: hash, scramSHA256: nil, cramMD5: nil)
        }
        guard let password = new.password else { return PasswordSecrets(hash: "", scramSHA256: nil, cramMD5: nil) }
        return try await makeSecrets(password)
    }

    func makeSecrets(_ password: String) async throws -> PasswordSecrets {
        do {
            try Passwords.validate(password)
        } catch {
            throw StoreError.invalid(field: "password", message: error.description)
        }
        let policy = options.passwordPolicy
        return try await Self.offloop { try Passwords.makeSecrets(password, policy: policy) }
    }

    public func addUser(_ new: NewUser) async throws -> User {
        let secrets = try await secrets(for: new)
        let address = new.address
        let now = self.now()
        return try await write("user \(address.unicode)") { tx in
            let domain = try await self.requireDomain(tx, address.domain)
            if try await !tx.execute("SELECT id FROM users WHERE domain_id = ? AND local_part = ?",
                                     .integer(domain.id), .text(address.localPart.value)).isEmpty {
                throw StoreError.duplicate("user \(address.unicode) already exists")
            }
            let count = try await tx.execute(
                "SELECT COUNT(*) AS n FROM users WHERE domain_id = ?", .integer(domain.id)).first?.int("n") ?? 0
            if let max = domain.maxUsers, count >= max {
                throw StoreError.limitExceeded("domain \(domain.unicodeName) already has \(count) of at most \(max) users")
            }
            try await self.checkTenantLimits(tx, domain, adding: true, oldBytes: nil,
                                             newBytes: Self.effectiveBytes(new.quota, domain))
            let (bytes, messages) = Self.storedQuota(new.quota)
            try await tx.execute("""
                INSERT INTO users (domain_id, local_part, password_hash, scram_sha256, cram_md5, display_name,
                                   quota_bytes, quota_messages, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .integer(domain.id), .text(address.localPart.value), .text(secrets.hash),
                .optional(secrets.scramSHA256), .optional(secrets.cramMD5), .text(new.displayName),
                bytes, messages, .integer(now))
            return try await self.requireUser(tx, address).1.user
        }
    }

    public func removeUser(_ address: EmailAddress) async throws -> User {
        try await write("user \(address.unicode)") { tx in
            let (_, row) = try await self.requireUser(tx, address)
            try await tx.execute("DELETE FROM users WHERE id = ?", .integer(row.user.id))
            return row.user
        }
    }

    public func user(_ address: EmailAddress) async throws -> User? {
        let rows = try await read(
            "\(Self.userColumns) WHERE d.name = ? AND u.local_part = ?",
            .text(address.domain.ascii), .text(address.localPart.value))
        return rows.first.map { makeUserRow($0).user }
    }

    public func listUsers(domain: DomainName) async throws -> [User] {
        let rows = try await read(
            "\(Self.userColumns) WHERE d.name = ? ORDER BY u.local_part", .text(domain.ascii))
        if rows.isEmpty, try await read("SELECT id FROM domains WHERE name = ?", .text(domain.ascii)).isEmpty {
            throw StoreError.notFound("domain \(domain.unicode) does not exist")
        }
        return rows.map { makeUserRow($0).user }
    }

    public func setPassword(_ address: EmailAddress, password: String) async throws {
        let secrets = try await makeSecrets(password)
        try await storeSecrets(address, secrets)
    }

    public func setPasswordHash(_ address: EmailAddress, hash: String) async throws {
        let secrets = try await secrets(for: NewUser(address: address, passwordHash: hash))
        try await storeSecrets(address, secrets)
    }

    func storeSecrets(_ address: EmailAddress, _ secrets: PasswordSecrets) async throws {
        try await write("user \(address.unicode)") { tx in
            let (_, row) = try await self.requireUser(tx, address)
            try await tx.execute(
                "UPDATE users SET password_hash = ?, scram_sha256 = ?, cram_md5 = ? WHERE id = ?",
                .text(secrets.hash), .optional(secrets.scramSHA256), .optional(secrets.cramMD5),
                .integer(row.user.id))
        }
    }

    public func setQuota(_ address: EmailAddress, quota: Quota?) async throws -> User {
        try await write("user \(address.unicode)") { tx in
            let (domain, row) = try await self.requireUser(tx, address)
            try await self.checkTenantLimits(tx, domain, adding: false, oldBytes: row.user.quotaBytes,
                                             newBytes: Self.effectiveBytes(quota, domain))
            let (bytes, messages) = Self.storedQuota(quota)
            try await tx.execute("UPDATE users SET quota_bytes = ?, quota_messages = ? WHERE id = ?",
                                 bytes, messages, .integer(row.user.id))
            return try await self.requireUser(tx, address).1.user
        }
    }

    public func setDisplayName(_ address: EmailAddress, displayName: String) async throws {
        guard !displayName.contains("\n"), !displayName.contains("\r"), displayName.utf8.count <= 256 else {
            throw StoreError.invalid(field: "display name", message: "must be one line of at most 256 bytes")
        }
        try await write("user \(address.unicode)") { tx in
            let (_, row) = try await self.requireUser(tx, address)
            try await tx.execute("UPDATE users SET display_name = ? WHERE id = ?", .text(displayName), .integer(row.user.id))
        }
    }

    @discardableResult
    public func setUserMessageLimit(_ address: EmailAddress, bytes: Int64?) async throws -> User {
        try Self.checkMessageLimit(bytes)
        return try await write("user \(address.unicode)") { tx in
            let (_, row) = try await self.requireUser(tx, address)
            try await tx.execute("UPDATE users SET max_message_bytes = ? WHERE id = ?", .optional(bytes), .integer(row.user.id))
            return try await self.requireUser(tx, address).1.user
        }
    }

    public func setServiceDisabled(_ address: EmailAddress, services: [Service], disabled: Bool) async throws -> User {
        try await write("user \(address.unicode)") { tx in
            let (_, row) = try await self.requireUser(tx, address)
            for service in services {
                // Column names come from the Service enum, never from input.
                try await tx.execute("UPDATE users SET disable_\(service.rawValue) = ? WHERE id = ?",
                                     .bool(disabled), .integer(row.user.id))
            }
            return try await self.requireUser(tx, address).1.user
        }
    }

    public func recordLogin(_ address: EmailAddress, service: Service, ip: String?) async throws {
        let now = self.now()
        _ = try await db.transaction { tx in
            try await tx.execute("""
                UPDATE users SET last_login_at = ?, last_login_service = ?, last_login_ip = ?
                WHERE local_part = ? AND domain_id = (SELECT id FROM domains WHERE name = ?)
                """, .integer(now), .text(service.rawValue), .optional(ip),
                .text(address.localPart.value), .text(address.domain.ascii))
        }
    }
}
