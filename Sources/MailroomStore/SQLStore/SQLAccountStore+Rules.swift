// Aliases and forwards, relay networks (qmail's tcp.smtp RELAYCLIENT), access lists (bad MAIL
// FROM, bad HELO, bad RCPT TO; global or per domain; exact or `*` wildcard) and scoped
// administrators.
//
// An alias address maps to one or more targets, each a full address, local or external. A
// forward with "keep a copy" is an alias whose targets include the address itself, which is
// also a mailbox (the PostfixAdmin convention, so a control panel writes plain rows).

import MailroomCore

extension SQLAccountStore {
    public func addAlias(_ address: EmailAddress, targets: [String]) async throws -> AliasEntry {
        guard !targets.isEmpty else {
            throw StoreError.invalid(field: "alias targets", message: "give at least one target address")
        }
        var unique: [String] = []
        for target in targets {
            do {
                let parsed = try EmailAddress(target).ascii
                if !unique.contains(parsed) { unique.append(parsed) }
            } catch {
                throw StoreError.invalid(field: "alias target", message: "\(target): \(error)")
            }
        }
        let normalized = unique
        let own = address.ascii
        let now = self.now()
        return try await write("alias \(address.unicode)") { tx in
            let domain = try await self.requireDomain(tx, address.domain)
            let local = address.localPart.value
            if normalized.contains(own), try await tx.execute(
                "SELECT id FROM users WHERE domain_id = ? AND local_part = ?", .integer(domain.id), .text(local)).isEmpty {
                throw StoreError.invalid(
                    field: "alias target",
                    message: "\(address.unicode) points to itself but is not a mailbox (only a mailbox can keep a copy)")
            }
            let existing = try await tx.execute(
                "SELECT target FROM aliases WHERE domain_id = ? AND local_part = ?", .integer(domain.id), .text(local)
            ).compactMap { $0.string("target") }
            if existing.isEmpty, let max = domain.maxAliases {
                let count = try await tx.execute(
                    "SELECT COUNT(DISTINCT local_part) AS n FROM aliases WHERE domain_id = ?", .integer(domain.id)
                ).first?.int("n") ?? 0
                if count >= max {
                    throw StoreError.limitExceeded("domain \(domain.unicodeName) already has \(count) of at most \(max) aliases")
                }
            }
            let fresh = normalized.filter { !existing.contains($0) }
            if fresh.isEmpty {
                throw StoreError.duplicate("alias \(address.unicode) already has every one of these targets")
            }
            for target in fresh {
                try await tx.execute(
                    "INSERT INTO aliases (domain_id, local_part, target, created_at) VALUES (?, ?, ?, ?)",
                    .integer(domain.id), .text(local), .text(target), .integer(now))
            }
            return AliasEntry(address: own, targets: existing + fresh)
        }
    }

    public func removeAlias(_ address: EmailAddress, targets: [String]) async throws {
        let normalized = targets.map { (try? EmailAddress($0).ascii) ?? $0.lowercased() }
        try await write("alias \(address.unicode)") { tx in
            let domain = try await self.requireDomain(tx, address.domain)
            let local = address.localPart.value
            let existing = try await tx.execute(
                "SELECT target FROM aliases WHERE domain_id = ? AND local_part = ?", .integer(domain.id), .text(local)
            ).compactMap { $0.string("target") }
            guard !existing.isEmpty else { throw StoreError.notFound("alias \(address.unicode) does not exist") }
            if normalized.isEmpty {
                try await tx.execute("DELETE FROM aliases WHERE domain_id = ? AND local_part = ?",
                                     .integer(domain.id), .text(local))
                return
            }
            for target in normalized {
                guard existing.contains(target) else {
                    throw StoreError.notFound("alias \(address.unicode) has no target \(target)")
                }
                try await tx.execute("DELETE FROM aliases WHERE domain_id = ? AND local_part = ? AND target = ?",
                                     .integer(domain.id), .text(local), .text(target))
            }
        }
    }

    public func listAliases(domain: DomainName) async throws -> [AliasEntry] {
        let rows = try await read("""
            SELECT a.local_part, a.target, d.name FROM aliases a JOIN domains d ON d.id = a.domain_id
            WHERE d.name = ? ORDER BY a.local_part, a.id
            """, .text(domain.ascii))
        if rows.isEmpty, try await read("SELECT id FROM domains WHERE name = ?", .text(domain.ascii)).isEmpty {
            throw StoreError.notFound("domain \(domain.unicode) does not exist")
        }
        var entries: [AliasEntry] = []
        for row in rows {
            let address = "\(row.string("local_part") ?? "")@\(row.string("name") ?? "")"
            let target = row.string("target") ?? ""
            if entries.last?.address == address {
                entries[entries.count - 1].targets.append(target)
            } else {
                entries.append(AliasEntry(address: address, targets: [target]))
            }
        }
        return entries
    }

    // MARK: - Relay networks

    public func addRelayNetwork(_ cidr: CIDR, note: String) async throws -> RelayNetwork {
        let now = self.now()
        return try await write("relay network \(cidr)") { tx in
            if try await !tx.execute("SELECT id FROM relay_networks WHERE cidr = ?", .text(cidr.description)).isEmpty {
                throw StoreError.duplicate("relay network \(cidr) already exists")
            }
            try await tx.execute("INSERT INTO relay_networks (cidr, note, created_at) VALUES (?, ?, ?)",
                                 .text(cidr.description), .text(note), .integer(now))
            return RelayNetwork(cidr: cidr.description, note: note, createdAt: now)
        }
    }

    public func removeRelayNetwork(_ cidr: CIDR) async throws {
        try await write("relay network \(cidr)") { tx in
            if try await tx.execute("SELECT id FROM relay_networks WHERE cidr = ?", .text(cidr.description)).isEmpty {
                throw StoreError.notFound("relay network \(cidr) does not exist")
            }
            try await tx.execute("DELETE FROM relay_networks WHERE cidr = ?", .text(cidr.description))
        }
    }

    public func listRelayNetworks() async throws -> [RelayNetwork] {
        try await read("SELECT cidr, note, created_at FROM relay_networks ORDER BY id").map { row in
            RelayNetwork(cidr: row.string("cidr") ?? "", note: row.string("note") ?? "", createdAt: row.int("created_at") ?? 0)
        }
    }

    // MARK: - Access lists

    static func validatePattern(_ pattern: String) throws -> String {
        let lowered = pattern.lowercased()
        guard !lowered.isEmpty, lowered.utf8.count <= 320,
              !lowered.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7f } == true }) else {
            throw StoreError.invalid(field: "access pattern",
                                     message: "'\(pattern)' must be 1–320 bytes without spaces or control characters")
        }
        return lowered
    }

    public func addAccessRule(kind: AccessKind, pattern: String, domain: DomainName?, note: String) async throws -> AccessRule {
        let pattern = try Self.validatePattern(pattern)
        let now = self.now()
        return try await write("access rule \(kind.rawValue) \(pattern)") { tx in
            var domainID: Int64? = nil
            if let domain { domainID = try await self.requireDomain(tx, domain).id }
            if try await !tx.execute(
                "SELECT id FROM access_rules WHERE kind = ? AND COALESCE(domain_id, 0) = ? AND pattern = ?",
                .text(kind.rawValue), .integer(domainID ?? 0), .text(pattern)).isEmpty {
                throw StoreError.duplicate("access rule \(kind.rawValue) \(pattern) already exists")
            }
            try await tx.execute(
                "INSERT INTO access_rules (kind, domain_id, pattern, note, created_at) VALUES (?, ?, ?, ?, ?)",
                .text(kind.rawValue), .optional(domainID), .text(pattern), .text(note), .integer(now))
            return AccessRule(kind: kind, domain: domain?.ascii, pattern: pattern, note: note, createdAt: now)
        }
    }

    public func removeAccessRule(kind: AccessKind, pattern: String, domain: DomainName?) async throws {
        let pattern = pattern.lowercased()
        try await write("access rule \(kind.rawValue) \(pattern)") { tx in
            var domainID: Int64 = 0
            if let domain { domainID = try await self.requireDomain(tx, domain).id }
            if try await tx.execute(
                "SELECT id FROM access_rules WHERE kind = ? AND COALESCE(domain_id, 0) = ? AND pattern = ?",
                .text(kind.rawValue), .integer(domainID), .text(pattern)).isEmpty {
                throw StoreError.notFound("access rule \(kind.rawValue) \(pattern) does not exist")
            }
            try await tx.execute(
                "DELETE FROM access_rules WHERE kind = ? AND COALESCE(domain_id, 0) = ? AND pattern = ?",
                .text(kind.rawValue), .integer(domainID), .text(pattern))
        }
    }

    public func listAccessRules(kind: AccessKind?) async throws -> [AccessRule] {
        let sql = """
            SELECT r.kind, d.name AS domain, r.pattern, r.note, r.created_at
            FROM access_rules r LEFT JOIN domains d ON d.id = r.domain_id
            """
        let rows = if let kind {
            try await read("\(sql) WHERE r.kind = ? ORDER BY r.id", .text(kind.rawValue))
        } else {
            try await read("\(sql) ORDER BY r.kind, r.id")
        }
        return rows.compactMap { row in
            guard let kind = row.string("kind").flatMap(AccessKind.init(rawValue:)) else { return nil }
            return AccessRule(kind: kind, domain: row.string("domain"), pattern: row.string("pattern") ?? "",
                              note: row.string("note") ?? "", createdAt: row.int("created_at") ?? 0)
        }
    }

    // MARK: - Administrators

    public func addAdministrator(name: String, password: String, scope: AdminScope) async throws -> Administrator {
        let name = try Self.validateAdminName(name)
        let secrets = try await makeSecrets(password)
        let now = self.now()
        return try await write("administrator \(name)") { tx in
            if try await !tx.execute("SELECT id FROM admins WHERE name = ?", .text(name)).isEmpty {
                throw StoreError.duplicate("administrator \(name) already exists")
            }
            var tenantID: Int64? = nil
            var domainID: Int64? = nil
            var scopeName = "global"
            switch scope {
            case .global: break
            case .tenant(let tenant):
                guard let row = try await self.tenantRow(tx, tenant.lowercased()) else {
                    throw StoreError.notFound("tenant \(tenant) does not exist")
                }
                tenantID = row.id
                scopeName = "tenant"
            case .domain(let domain):
                let parsed: DomainName
                do { parsed = try DomainName(domain) } catch { throw StoreError.invalid(field: "domain", message: "\(error)") }
                domainID = try await self.requireDomain(tx, parsed).id
                scopeName = "domain"
            }
            try await tx.execute(
                "INSERT INTO admins (name, password_hash, scope, tenant_id, domain_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                .text(name), .text(secrets.hash), .text(scopeName), .optional(tenantID), .optional(domainID), .integer(now))
            return Administrator(name: name, scope: scope, active: true, createdAt: now, lastLoginAt: nil)
        }
    }

    static func validateAdminName(_ name: String) throws -> String {
        let lowered = name.lowercased()
        guard !lowered.isEmpty, lowered.utf8.count <= 128,
              lowered.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw StoreError.invalid(field: "administrator", message: "'\(name)' must be 1–128 letters, digits, '-', '_', '.' or '@'")
        }
        return lowered
    }

    public func removeAdministrator(name: String) async throws {
        let name = name.lowercased()
        try await write("administrator \(name)") { tx in
            if try await tx.execute("SELECT id FROM admins WHERE name = ?", .text(name)).isEmpty {
                throw StoreError.notFound("administrator \(name) does not exist")
            }
            try await tx.execute("DELETE FROM admins WHERE name = ?", .text(name))
        }
    }

    public func listAdministrators() async throws -> [Administrator] {
        try await read("""
            SELECT a.name, a.scope, a.active, a.created_at, a.last_login_at, t.name AS tenant, d.name AS domain
            FROM admins a LEFT JOIN tenants t ON t.id = a.tenant_id LEFT JOIN domains d ON d.id = a.domain_id
            ORDER BY a.name
            """).map { row in
            let scope: AdminScope = switch row.string("scope") {
            case "tenant": .tenant(row.string("tenant") ?? "")
            case "domain": .domain(row.string("domain") ?? "")
            default: .global
            }
            return Administrator(name: row.string("name") ?? "", scope: scope, active: row.bool("active"),
                                 createdAt: row.int("created_at") ?? 0, lastLoginAt: row.int("last_login_at"))
        }
    }
}
