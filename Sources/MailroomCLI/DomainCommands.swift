// `mailroom domain add|remove|list|info|alias|unalias|enable|disable|limits|catchall`.
//
// Removing a domain removes its rows in one transaction first; only then is its mail tree
// archived or deleted (storage.removed_mail), so a failed store change never loses mail.
// `domain limits` also sets the domain's message size limit (at least 64K, RFC 5321
// §4.5.3.1.7; overrides smtp.max_message_bytes downwards for the domain's users) and its
// submission sender rule (overrides smtp.sender_login_match).

import ArgumentParser
import MailroomCore
import MailroomMaildir
import MailroomStore

struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Hosted domains.",
        subcommands: [Add.self, Remove.self, List.self, Info.self, Alias.self, Unalias.self,
                      Enable.self, Disable.self, Limits.self, CatchAll.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a domain (Unicode names are stored as punycode).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Domain name, e.g. example.com or 例子.中国.") var domain: String
        @Option(name: .long, help: "Tenant that owns the domain.") var tenant: String?
        @Option(name: .long, help: "Storage volume (default: the default volume).") var volume: String?
        @Option(name: .long, help: "Most users in the domain.") var maxUsers: Int64?
        @Option(name: .long, help: "Most alias addresses in the domain.") var maxAliases: Int64?
        @Option(name: .long, help: "Default quota for new users: 100M, 2G, 100M,5000C or NOQUOTA.") var quota: String?

        func run() async throws {
            let name = try Parse.domain(domain)
            let quota = try quota.map { try Parse.quota($0, field: "default quota") } ?? .unlimited
            let added = try await StoreContext.with(options) { ctx in
                try await ctx.store.addDomain(NewDomain(name: name, tenant: tenant, volume: volume, maxUsers: maxUsers,
                                                        maxAliases: maxAliases, defaultQuota: quota))
            }
            if options.json { try Output.json(added) } else { print("added domain \(Output.domainName(added.name, added.unicodeName))") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", 
            abstract: "Remove a domain with its users and aliases, then archive or delete its mail.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String

        func run() async throws {
            let name = try Parse.domain(domain)
            let (info, archived) = try await StoreContext.with(options) { ctx in
                let info = try await ctx.store.removeDomain(name)
                let dir = MaildirLayout.domainDirectory(volume: info.domain.volumePath, domain: name)
                do {
                    let archived = try MaildirLayout.retire(
                        directory: dir, domain: name, name: "_domain", disposal: .init(rawValue: ctx.config.storage.removedMail) ?? .archive,
                        archiveDir: ctx.config.storage.archiveDir)
                    return (info, archived)
                } catch {
                    throw CLIError("domain \(name.unicode) was removed with \(info.users) users, but its mail in \(dir) could not be "
                                   + "\(ctx.config.storage.removedMail == "delete" ? "deleted" : "archived to \(ctx.config.storage.archiveDir)"): \(error)")
                }
            }
            if options.json { return try Output.json(RemovedReport(removed: info.domain.name, users: info.users, archivedTo: archived)) }
            print("removed domain \(Output.domainName(info.domain.name, info.domain.unicodeName)) with \(info.users) users"
                  + (archived.map { "; mail archived to \($0)" } ?? ""))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List domains.")
        @OptionGroup var options: StoreOptionsGroup
        @Option(name: .long, help: "Only this tenant's domains.") var tenant: String?

        func run() async throws {
            let domains = try await StoreContext.with(options) { ctx in try await ctx.store.listDomains(tenant: tenant) }
            if options.json { return try Output.json(domains) }
            Output.table(["DOMAIN", "UNICODE", "TENANT", "ACTIVE", "DEFAULT QUOTA"], domains.map { d in
                [d.name, d.unicodeName, d.tenant ?? "-", d.active ? "yes" : "no", Output.quota(d.defaultQuotaBytes, d.defaultQuotaMessages)]
            })
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a domain with its usage.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String

        func run() async throws {
            let name = try Parse.domain(domain)
            let info = try await StoreContext.with(options) { ctx in try await ctx.store.domainInfo(name) }
            if options.json { return try Output.json(info) }
            let d = info.domain
            print("domain:        \(d.name)")
            print("unicode:       \(d.unicodeName)")
            print("tenant:        \(d.tenant ?? "-")")
            print("active:        \(d.active ? "yes" : "no")")
            print("volume:        \(d.volume) (\(d.volumePath))")
            print("directory:     \(MaildirLayout.domainDirectory(volume: d.volumePath, domain: name))")
            print("users:         \(info.users) of \(d.maxUsers.map(String.init) ?? "unlimited")")
            print("aliases:       \(info.aliases) of \(d.maxAliases.map(String.init) ?? "unlimited")")
            print("default quota: \(Output.quota(d.defaultQuotaBytes, d.defaultQuotaMessages))")
            print("catch-all:     \(d.catchAll ?? "none")")
            print("message limit: \(messageLimitText(d.maxMessageBytes))")
            print("sender match:  \(d.senderLoginMatch ?? "default (smtp.sender_login_match)")")
            print("domain aliases: \(info.domainAliases.isEmpty ? "none" : info.domainAliases.joined(separator: ", "))")
            print("created:       \(Output.date(d.createdAt))")
        }
    }

    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "alias", 
            abstract: "Make ALIAS-DOMAIN another name for DOMAIN (mail to user@alias goes to user@domain).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "The new alias domain.") var aliasDomain: String
        @Argument(help: "The existing domain.") var domain: String

        func run() async throws {
            let alias = try Parse.domain(aliasDomain), target = try Parse.domain(domain)
            try await StoreContext.with(options) { ctx in try await ctx.store.addDomainAlias(alias, to: target) }
            if options.json { try Output.json(["alias": alias.ascii, "domain": target.ascii]) }
            else { print("\(Output.domainName(alias.ascii, alias.unicode)) is now an alias of \(target.unicode)") }
        }
    }

    struct Unalias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unalias", abstract: "Remove a domain alias.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var aliasDomain: String

        func run() async throws {
            let alias = try Parse.domain(aliasDomain)
            try await StoreContext.with(options) { ctx in try await ctx.store.removeDomainAlias(alias) }
            if options.json { try Output.json(["removed": alias.ascii]) } else { print("removed domain alias \(alias.unicode)") }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Accept mail and logins for a domain again.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String
        func run() async throws { try await setActive(options, domain, true) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Refuse mail and logins for a domain (keeps everything).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String
        func run() async throws { try await setActive(options, domain, false) }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "limits",
            abstract: "Change a domain's limits, default quota, message size limit and submission sender rule.",
            discussion: """
                --max-message-size caps the messages the domain's users send and receive over SMTP \
                (users may have their own: `mailroom user limits`); the global smtp.max_message_bytes \
                still applies. --sender-login-match sets which MAIL FROM an authenticated user of the \
                domain may use: aliases (their address, its +extensions and the aliases leading to \
                them), domain (any address of the domain) or off (anything); default returns to the \
                global smtp.sender_login_match.
                """)
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String
        @Option(name: .long, help: "Most users (a number or 'unlimited').") var maxUsers: String?
        @Option(name: .long, help: "Most alias addresses (a number or 'unlimited').") var maxAliases: String?
        @Option(name: .long, help: "Default quota for new users.") var quota: String?
        @Option(name: .long, help: "Largest message: 20M, 512K, 1G (at least 64K) or 'none'.") var maxMessageSize: String?
        @Option(name: .long, help: "Submission sender rule: aliases, domain, off, or 'default' (smtp.sender_login_match).")
        var senderLoginMatch: String?

        func run() async throws {
            let name = try Parse.domain(domain)
            func limit(_ text: String?, _ field: String) throws -> Int64?? {
                guard let text else { return nil }
                if text.lowercased() == "unlimited" { return .some(nil) }
                guard let n = Int64(text), n >= 0 else { throw CLIError("\(field): '\(text)' is not a number or 'unlimited'") }
                return .some(n)
            }
            let quota = try quota.map { try Parse.quota($0, field: "default quota") }
            let users = try limit(maxUsers, "max users"), aliases = try limit(maxAliases, "max aliases")
            let messageLimit: Int64?? = try maxMessageSize.map { try Parse.byteLimit($0, field: "max message size") }
            let senderRule: String?? = try senderLoginMatch.map { try parseSenderLoginMatch($0) }
            let d = try await StoreContext.with(options) { ctx in
                // Each setter is its own transaction. The message limit goes first: the store
                // checks its bounds before writing, and every other value was checked above.
                if let messageLimit { try await ctx.store.setDomainMessageLimit(name, bytes: messageLimit) }
                if let senderRule { try await ctx.store.setDomainSenderLoginMatch(name, senderRule) }
                return try await ctx.store.setDomainLimits(name, maxUsers: users, maxAliases: aliases, defaultQuota: quota)
            }
            if options.json { try Output.json(d) } else { print("updated domain \(d.unicodeName)") }
        }
    }

    struct CatchAll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catchall", abstract: "Set or clear the address that receives mail for unknown users.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String
        @Argument(help: "Target address; omit with --clear.") var target: String?
        @Flag(name: .long, help: "Remove the catch-all.") var clear = false

        func run() async throws {
            let name = try Parse.domain(domain)
            guard (target == nil) == clear else { throw CLIError("give a target address or --clear (one of them)") }
            try await StoreContext.with(options) { ctx in try await ctx.store.setCatchAll(name, target: target) }
            if options.json { try Output.json(["domain": name.ascii, "catchall": target ?? ""]) }
            else { print(target.map { "catch-all of \(name.unicode) is now \($0)" } ?? "removed the catch-all of \(name.unicode)") }
        }
    }
}

func setActive(_ options: StoreOptionsGroup, _ domain: String, _ active: Bool) async throws {
    let name = try Parse.domain(domain)
    try await StoreContext.with(options) { ctx in try await ctx.store.setDomainActive(name, active: active) }
    if options.json { try Output.json(DomainActiveReport(domain: name.ascii, active: active)) }
    else { print("\(active ? "enabled" : "disabled") domain \(name.unicode)") }
}

/// "aliases", "domain", "off", or "default" (nil: the global smtp.sender_login_match).
func parseSenderLoginMatch(_ text: String) throws -> String? {
    let value = text.lowercased()
    if value == "default" { return nil }
    guard Domain.senderLoginMatchValues.contains(value) else {
        throw CLIError("sender login match: '\(text)' is not one of \(Domain.senderLoginMatchValues.joined(separator: ", ")), default")
    }
    return value
}

/// A message size limit as `domain info` and `user info` print it: "20M", or "none".
func messageLimitText(_ bytes: Int64?) -> String {
    bytes.map { Quota(bytes: $0, messages: nil).description } ?? "none"
}

struct DomainActiveReport: Encodable {
    var domain: String
    var active: Bool
}

struct RemovedReport: Encodable {
    var removed: String
    var users: Int64?
    var archivedTo: String?
}
