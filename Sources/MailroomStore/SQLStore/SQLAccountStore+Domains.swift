// Domains, domain aliases (vaddaliasdomain), the per-domain catch-all, message size limit and
// submission sender rule.
//
// A name is hosted once: as a domain or as a domain alias, never both. Domain names are
// stored in their ASCII (punycode) form with the Unicode form beside them.
// Message size limits (domains.max_message_bytes, users.max_message_bytes) are at least 64K
// octets (RFC 5321 §4.5.3.1.7), checked here and by the schema. sender_login_match overrides
// smtp.sender_login_match for the domain's users (RFC 6409 §6.1).

import MailroomCore

extension SQLAccountStore {
    func domainRow(_ tx: any SQLExecutor, _ name: DomainName) async throws -> Domain? {
        try await tx.execute("\(Self.domainColumns) WHERE d.name = ?", .text(name.ascii)).first.map(makeDomain)
    }

    func requireDomain(_ tx: any SQLExecutor, _ name: DomainName) async throws -> Domain {
        guard let domain = try await domainRow(tx, name) else {
            if let alias = try await tx.execute(
                "SELECT d.name FROM domain_aliases a JOIN domains d ON d.id = a.domain_id WHERE a.name = ?",
                .text(name.ascii)).first?.string("name") {
                throw StoreError.notFound("\(name.unicode) is a domain alias of \(alias), not a domain")
            }
            throw StoreError.notFound("domain \(name.unicode) does not exist")
        }
        return domain
    }

    func isNameTaken(_ tx: any SQLExecutor, _ name: DomainName) async throws -> String? {
        if try await !tx.execute("SELECT id FROM domains WHERE name = ?", .text(name.ascii)).isEmpty {
            return "domain \(name.unicode) already exists"
        }
        if let target = try await tx.execute(
            "SELECT d.name FROM domain_aliases a JOIN domains d ON d.id = a.domain_id WHERE a.name = ?",
            .text(name.ascii)).first?.string("name") {
            return "\(name.unicode) already exists as a domain alias of \(target)"
        }
        return nil
    }

    public func addDomain(_ new: NewDomain) async throws -> Domain {
        try Self.checkLimit(new.maxUsers, field: "max users")
        try Self.checkLimit(new.maxAliases, field: "max aliases")
        let now = self.now()
        return try await write("domain \(new.name.unicode)") { tx in
            if let taken = try await self.isNameTaken(tx, new.name) { throw StoreError.duplicate(taken) }
            var tenantID: Int64? = nil
            if let tenantName = new.tenant {
                guard let tenant = try await self.tenantRow(tx, tenantName.lowercased()) else {
                    throw StoreError.notFound("tenant \(tenantName) does not exist")
                }
                let info = try await self.tenantUsage(tx, tenant)
                if let max = tenant.maxDomains, Int64(info.domains.count) >= max {
                    throw StoreError.limitExceeded(
                        "tenant \(tenant.name) already has \(info.domains.count) of at most \(max) domains")
                }
                tenantID = tenant.id
            }
            var volumeID: Int64 = 1
            if let volume = new.volume {
                guard let id = try await tx.execute("SELECT id FROM volumes WHERE name = ?", .text(volume.lowercased()))
                    .first?.int("id") else {
                    throw StoreError.notFound("volume \(volume) does not exist")
                }
                volumeID = id
            }
            try await tx.execute("""
                INSERT INTO domains (name, unicode_name, tenant_id, volume_id, max_users, max_aliases,
                                     default_quota_bytes, default_quota_messages, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                .text(new.name.ascii), .text(new.name.unicode), .optional(tenantID), .integer(volumeID),
                .optional(new.maxUsers), .optional(new.maxAliases), .optional(new.defaultQuota.bytes),
                .optional(new.defaultQuota.messages), .integer(now))
            return try await self.domainRow(tx, new.name)!
        }
    }

    public func removeDomain(_ name: DomainName) async throws -> DomainInfo {
        try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            let info = try await self.domainUsage(tx, domain)
            // Explicit deletes (not only ON DELETE CASCADE): a control panel's SQLite session
            // may run without PRAGMA foreign_keys.
            for table in ["users", "aliases", "domain_aliases", "access_rules", "admins"] {
                try await tx.execute("DELETE FROM \(table) WHERE domain_id = ?", .integer(domain.id))
            }
            try await tx.execute("DELETE FROM domains WHERE id = ?", .integer(domain.id))
            return info
        }
    }

    public func listDomains(tenant: String?) async throws -> [Domain] {
        if let tenant {
            let rows = try await read(
                "\(Self.domainColumns) WHERE t.name = ? ORDER BY d.name", .text(tenant.lowercased()))
            if rows.isEmpty, try await read("SELECT id FROM tenants WHERE name = ?", .text(tenant.lowercased())).isEmpty {
                throw StoreError.notFound("tenant \(tenant) does not exist")
            }
            return rows.map(makeDomain)
        }
        return try await read("\(Self.domainColumns) ORDER BY d.name").map(makeDomain)
    }

    public func domainInfo(_ name: DomainName) async throws -> DomainInfo {
        try await write("domain \(name.unicode)", invalidating: false) { tx in
            try await self.domainUsage(tx, try await self.requireDomain(tx, name))
        }
    }

    func domainUsage(_ tx: any SQLExecutor, _ domain: Domain) async throws -> DomainInfo {
        let users = try await tx.execute(
            "SELECT COUNT(*) AS n FROM users WHERE domain_id = ?", .integer(domain.id)).first?.int("n") ?? 0
        let aliases = try await tx.execute(
            "SELECT COUNT(DISTINCT local_part) AS n FROM aliases WHERE domain_id = ?", .integer(domain.id)
        ).first?.int("n") ?? 0
        let domainAliases = try await tx.execute(
            "SELECT name FROM domain_aliases WHERE domain_id = ? ORDER BY name", .integer(domain.id)
        ).compactMap { $0.string("name") }
        return DomainInfo(domain: domain, users: users, aliases: aliases, domainAliases: domainAliases)
    }

    public func setDomainActive(_ name: DomainName, active: Bool) async throws {
        try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            try await tx.execute("UPDATE domains SET active = ? WHERE id = ?", .bool(active), .integer(domain.id))
        }
    }

    public func setDomainLimits(_ name: DomainName, maxUsers: Int64??, maxAliases: Int64??,
                                defaultQuota: Quota?) async throws -> Domain {
        if let maxUsers { try Self.checkLimit(maxUsers, field: "max users") }
        if let maxAliases { try Self.checkLimit(maxAliases, field: "max aliases") }
        return try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            if let maxUsers {
                try await tx.execute("UPDATE domains SET max_users = ? WHERE id = ?", .optional(maxUsers), .integer(domain.id))
            }
            if let maxAliases {
                try await tx.execute("UPDATE domains SET max_aliases = ? WHERE id = ?", .optional(maxAliases), .integer(domain.id))
            }
            if let defaultQuota {
                try await tx.execute(
                    "UPDATE domains SET default_quota_bytes = ?, default_quota_messages = ? WHERE id = ?",
                    .optional(defaultQuota.bytes), .optional(defaultQuota.messages), .integer(domain.id))
            }
            return try await self.domainRow(tx, name)!
        }
    }

    public func setCatchAll(_ name: DomainName, target: String?) async throws {
        var parsed: String? = nil
        if let target {
            do {
                parsed = try EmailAddress(target).ascii
            } catch {
                throw StoreError.invalid(field: "catch-all target", message: "\(target): \(error)")
            }
        }
        let stored = parsed
        try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            try await tx.execute("UPDATE domains SET catchall = ? WHERE id = ?", .optional(stored), .integer(domain.id))
        }
    }

    @discardableResult
    public func setDomainMessageLimit(_ name: DomainName, bytes: Int64?) async throws -> Domain {
        try Self.checkMessageLimit(bytes)
        return try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            try await tx.execute("UPDATE domains SET max_message_bytes = ? WHERE id = ?", .optional(bytes), .integer(domain.id))
            return try await self.domainRow(tx, name)!
        }
    }

    @discardableResult
    public func setDomainSenderLoginMatch(_ name: DomainName, _ value: String?) async throws -> Domain {
        if let value, !Domain.senderLoginMatchValues.contains(value) {
            throw StoreError.invalid(
                field: "sender login match",
                message: "'\(value)' is not one of \(Domain.senderLoginMatchValues.joined(separator: ", "))")
        }
        return try await write("domain \(name.unicode)") { tx in
            let domain = try await self.requireDomain(tx, name)
            try await tx.execute("UPDATE domains SET sender_login_match = ? WHERE id = ?", .optional(value), .integer(domain.id))
            return try await self.domainRow(tx, name)!
        }
    }

    /// A message size limit is nil (none of its own) or at least 64K octets (RFC 5321 §4.5.3.1.7).
    static func checkMessageLimit(_ bytes: Int64?) throws {
        guard let bytes else { return }
        guard bytes >= Domain.minimumMaxMessageBytes else {
            throw StoreError.invalid(
                field: "max message size",
                message: "\(bytes) bytes is less than \(Domain.minimumMaxMessageBytes) (64K, RFC 5321 section 4.5.3.1.7)")
        }
    }

    public func addDomainAlias(_ alias: DomainName, to target: DomainName) async throws {
        guard alias != target else {
            throw StoreError.invalid(field: "domain alias", message: "\(alias.unicode) cannot be an alias of itself")
        }
        try await write("domain alias \(alias.unicode)") { tx in
            let domain = try await self.requireDomain(tx, target)
            if let taken = try await self.isNameTaken(tx, alias) { throw StoreError.duplicate(taken) }
            try await tx.execute(
                "INSERT INTO domain_aliases (name, unicode_name, domain_id, created_at) VALUES (?, ?, ?, ?)",
                .text(alias.ascii), .text(alias.unicode), .integer(domain.id), .integer(self.now()))
        }
    }

    public func removeDomainAlias(_ alias: DomainName) async throws {
        try await write("domain alias \(alias.unicode)") { tx in
            let rows = try await tx.execute("SELECT name FROM domain_aliases WHERE name = ?", .text(alias.ascii))
            guard !rows.isEmpty else { throw StoreError.notFound("domain alias \(alias.unicode) does not exist") }
            try await tx.execute("DELETE FROM domain_aliases WHERE name = ?", .text(alias.ascii))
        }
    }
}
