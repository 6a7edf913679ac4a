// `mailroom tenant add|remove|list|info|limits` and `mailroom volume add|list`.

import ArgumentParser
import MailroomCore
import MailroomStore

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Hosting customers or resellers that own domains.",
        subcommands: [Add.self, Remove.self, List.self, Info.self, Limits.self])

    struct LimitOptions: ParsableArguments {
        @Option(name: .long, help: "Most domains the tenant may own.") var maxDomains: Int64?
        @Option(name: .long, help: "Most users over all its domains.") var maxUsers: Int64?
        @Option(name: .long, help: "Most total quota over all its users (e.g. 50G).") var maxQuota: String?

        func limits() throws -> TenantLimits {
            TenantLimits(maxDomains: maxDomains, maxUsers: maxUsers,
                         maxQuotaBytes: try Parse.byteLimit(maxQuota, field: "max quota"))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a tenant.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Tenant name (letters, digits, '-', '_', '.').") var name: String
        @Option(name: .long, help: "Human-readable name.") var displayName: String = ""
        @OptionGroup var limits: LimitOptions

        func run() async throws {
            let tenant = try await StoreContext.with(options) { ctx in
                try await ctx.store.addTenant(name: name, displayName: displayName, limits: try limits.limits())
            }
            if options.json { try Output.json(tenant) } else { print("added tenant \(tenant.name)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a tenant that owns no domains.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String

        func run() async throws {
            try await StoreContext.with(options) { ctx in try await ctx.store.removeTenant(name: name) }
            if options.json { try Output.json(["removed": name.lowercased()]) } else { print("removed tenant \(name.lowercased())") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List tenants.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let tenants = try await StoreContext.with(options) { ctx in try await ctx.store.listTenants() }
            if options.json { return try Output.json(tenants) }
            Output.table(["TENANT", "MAX DOMAINS", "MAX USERS", "MAX QUOTA", "NAME"], tenants.map { t in
                [t.name, t.maxDomains.map(String.init) ?? "-", t.maxUsers.map(String.init) ?? "-",
                 t.maxQuotaBytes.map { Output.quota($0, nil) } ?? "-", t.displayName]
            })
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a tenant with its usage.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String

        func run() async throws {
            let info = try await StoreContext.with(options) { ctx in try await ctx.store.tenantInfo(name: name) }
            if options.json { return try Output.json(info) }
            let t = info.tenant
            print("tenant:      \(t.name)\(t.displayName.isEmpty ? "" : " (\(t.displayName))")")
            print("domains:     \(info.domains.count) of \(t.maxDomains.map(String.init) ?? "unlimited")")
            for d in info.domains { print("  \(d)") }
            print("users:       \(info.users) of \(t.maxUsers.map(String.init) ?? "unlimited")")
            print("quota:       \(Output.quota(info.quotaBytes, nil)) of \(t.maxQuotaBytes.map { Output.quota($0, nil) } ?? "unlimited")"
                  + (info.unlimitedUsers > 0 ? " (+\(info.unlimitedUsers) users without a byte limit)" : ""))
            print("created:     \(Output.date(t.createdAt))")
        }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "limits", abstract: "Set a tenant's limits (omitted limits become unlimited).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String
        @OptionGroup var limits: LimitOptions

        func run() async throws {
            let tenant = try await StoreContext.with(options) { ctx in
                try await ctx.store.setTenantLimits(name: name, limits: try limits.limits())
            }
            if options.json { try Output.json(tenant) } else { print("updated tenant \(tenant.name)") }
        }
    }
}

struct VolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Storage volumes that hold domains' mail.",
        subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a storage volume (an absolute path).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String
        @Argument var path: String

        func run() async throws {
            let volume = try await StoreContext.with(options) { ctx in try await ctx.store.addVolume(name: name, path: path) }
            if options.json { try Output.json(volume) } else { print("added volume \(volume.name) at \(volume.path)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List storage volumes.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let volumes = try await StoreContext.with(options) { ctx in try await ctx.store.listVolumes() }
            if options.json { return try Output.json(volumes) }
            Output.table(["VOLUME", "PATH"], volumes.map { [$0.name, $0.path.isEmpty ? "\($0.effectivePath) (storage.mail_root)" : $0.path] })
        }
    }
}
