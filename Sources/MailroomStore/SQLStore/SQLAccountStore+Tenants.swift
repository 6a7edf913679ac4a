// Tenants (hosting customers or resellers owning several domains, with limits on domains,
// users and total quota) and storage volumes.

import MailroomCore

extension SQLAccountStore {
    static func validateName(_ name: String, field: String) throws -> String {
        let lowered = name.lowercased()
        guard !lowered.isEmpty, lowered.utf8.count <= 64,
              lowered.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw StoreError.invalid(
                field: field, message: "'\(name)' must be 1–64 letters, digits, '-', '_' or '.'")
        }
        return lowered
    }

    static func checkLimit(_ value: Int64?, field: String) throws {
        if let value, value < 0 { throw StoreError.invalid(field: field, message: "must not be negative") }
    }

    func tenantRow(_ tx: any SQLExecutor, _ name: String) async throws -> Tenant? {
        try await tx.execute(
            "SELECT id, name, display_name, max_domains, max_users, max_quota_bytes, active, created_at FROM tenants WHERE name = ?",
            .text(name)
        ).first.map(Self.makeTenant)
    }

    static func makeTenant(_ row: SQLRow) -> Tenant {
        Tenant(id: row.int("id") ?? 0, name: row.string("name") ?? "", displayName: row.string("display_name") ?? "",
               maxDomains: row.int("max_domains"), maxUsers: row.int("max_users"),
               maxQuotaBytes: row.int("max_quota_bytes"), active: row.bool("active"),
               createdAt: row.int("created_at") ?? 0)
    }

    public func addTenant(name: String, displayName: String, limits: TenantLimits) async throws -> Tenant {
        let name = try Self.validateName(name, field: "tenant")
        try Self.checkLimit(limits.maxDomains, field: "max domains")
        try Self.checkLimit(limits.maxUsers, field: "max users")
        try Self.checkLimit(limits.maxQuotaBytes, field: "max quota")
        let now = self.now()
        return try await write("tenant \(name)") { tx in
            if try await self.tenantRow(tx, name) != nil {
                throw StoreError.duplicate("tenant \(name) already exists")
            }
            try await tx.execute(
                "INSERT INTO tenants (name, display_name, max_domains, max_users, max_quota_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                .text(name), .text(displayName), .optional(limits.maxDomains), .optional(limits.maxUsers),
                .optional(limits.maxQuotaBytes), .integer(now))
            return try await self.tenantRow(tx, name)!
        }
    }

    public func setTenantLimits(name: String, limits: TenantLimits) async throws -> Tenant {
        let name = name.lowercased()
        try Self.checkLimit(limits.maxDomains, field: "max domains")
        try Self.checkLimit(limits.maxUsers, field: "max users")
        try Self.checkLimit(limits.maxQuotaBytes, field: "max quota")
        return try await write("tenant \(name)") { tx in
            guard let tenant = try await self.tenantRow(tx, name) else {
                throw StoreError.notFound("tenant \(name) does not exist")
            }
            try await tx.execute(
                "UPDATE tenants SET max_domains = ?, max_users = ?, max_quota_bytes = ? WHERE id = ?",
                .optional(limits.maxDomains), .optional(limits.maxUsers), .optional(limits.maxQuotaBytes),
                .integer(tenant.id))
            return try await self.tenantRow(tx, name)!
        }
    }

    public func removeTenant(name: String) async throws {
        let name = name.lowercased()
        try await write("tenant \(name)") { tx in
            guard let tenant = try await self.tenantRow(tx, name) else {
                throw StoreError.notFound("tenant \(name) does not exist")
            }
            let domains = try await tx.execute(
                "SELECT name FROM domains WHERE tenant_id = ? ORDER BY name", .integer(tenant.id))
            if !domains.isEmpty {
                let names = domains.compactMap { $0.string("name") }.joined(separator: ", ")
                throw StoreError.conflict("tenant \(name) still owns domains (\(names)); remove or move them first")
            }
            try await tx.execute("DELETE FROM tenants WHERE id = ?", .integer(tenant.id))
        }
    }

    public func listTenants() async throws -> [Tenant] {
        try await read(
            "SELECT id, name, display_name, max_domains, max_users, max_quota_bytes, active, created_at FROM tenants ORDER BY name"
        ).map(Self.makeTenant)
    }

    public func tenantInfo(name: String) async throws -> TenantInfo {
        let name = name.lowercased()
        // One transaction for a consistent snapshot; it changes nothing, so caches stay.
        return try await write("tenant \(name)", invalidating: false) { tx in
            guard let tenant = try await self.tenantRow(tx, name) else {
                throw StoreError.notFound("tenant \(name) does not exist")
            }
            return try await self.tenantUsage(tx, tenant)
        }
    }

    func tenantUsage(_ tx: any SQLExecutor, _ tenant: Tenant) async throws -> TenantInfo {
        let domains = try await tx.execute(
            "SELECT name FROM domains WHERE tenant_id = ? ORDER BY name", .integer(tenant.id)
        ).compactMap { $0.string("name") }
        // Effective byte quota per user: own value, else the domain default; 0/NULL = unlimited.
        let usage = try await tx.execute("""
            SELECT COUNT(*) AS users,
                   CAST(COALESCE(SUM(CASE WHEN COALESCE(u.quota_bytes, d.default_quota_bytes, 0) > 0
                                     THEN COALESCE(u.quota_bytes, d.default_quota_bytes) ELSE 0 END), 0) AS BIGINT) AS bytes,
                   CAST(COALESCE(SUM(CASE WHEN COALESCE(u.quota_bytes, d.default_quota_bytes, 0) > 0
                                     THEN 0 ELSE 1 END), 0) AS BIGINT) AS unlimited
            FROM users u JOIN domains d ON d.id = u.domain_id WHERE d.tenant_id = ?
            """, .integer(tenant.id)).first
        return TenantInfo(tenant: tenant, domains: domains, users: usage?.int("users") ?? 0,
                          quotaBytes: usage?.int("bytes") ?? 0, unlimitedUsers: usage?.int("unlimited") ?? 0)
    }

    // MARK: - Volumes

    public func addVolume(name: String, path: String) async throws -> Volume {
        let name = try Self.validateName(name, field: "volume")
        guard path.hasPrefix("/") else {
            throw StoreError.invalid(field: "volume path", message: "'\(path)' must be an absolute path")
        }
        return try await write("volume \(name)") { tx in
            if try await !tx.execute("SELECT id FROM volumes WHERE name = ?", .text(name)).isEmpty {
                throw StoreError.duplicate("volume \(name) already exists")
            }
            try await tx.execute("INSERT INTO volumes (name, path, created_at) VALUES (?, ?, ?)",
                                 .text(name), .text(path), .integer(self.now()))
            let row = try await tx.execute("SELECT id, name, path FROM volumes WHERE name = ?", .text(name)).first!
            return self.makeVolume(row)
        }
    }

    public func listVolumes() async throws -> [Volume] {
        try await read("SELECT id, name, path FROM volumes ORDER BY id").map(makeVolume)
    }

    func makeVolume(_ row: SQLRow) -> Volume {
        let path = row.string("path") ?? ""
        return Volume(id: row.int("id") ?? 0, name: row.string("name") ?? "", path: path,
                      effectivePath: volumePath(path))
    }
}
