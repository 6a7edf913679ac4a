// `mailroom alias add|remove|list`, `mailroom relay add|remove|list`,
// `mailroom access add|remove|list` and `mailroom admin add|remove|list`.

import ArgumentParser
import MailroomCore
import MailroomStore

struct AliasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Aliases and forwards (an address to one or more targets).",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", 
            abstract: "Add targets to an alias. To forward a mailbox and keep a copy, use --keep-copy.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Argument(help: "Target addresses, local or external.") var targets: [String]
        @Flag(name: .long, help: "The address is a mailbox that keeps a copy of forwarded mail.") var keepCopy = false

        func run() async throws {
            let addr = try Parse.address(address)
            let all = keepCopy ? targets + [addr.ascii] : targets
            let entry = try await StoreContext.with(options) { ctx in try await ctx.store.addAlias(addr, targets: all) }
            if options.json { try Output.json(entry) } else { print("\(addr.unicode) → \(entry.targets.joined(separator: ", "))") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove some targets, or the whole alias when none are given.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Argument var targets: [String] = []

        func run() async throws {
            let addr = try Parse.address(address)
            try await StoreContext.with(options) { ctx in try await ctx.store.removeAlias(addr, targets: targets) }
            if options.json { try Output.json(["removed": addr.ascii]) }
            else { print(targets.isEmpty ? "removed alias \(addr.unicode)" : "removed \(targets.count) target(s) of \(addr.unicode)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a domain's aliases.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String

        func run() async throws {
            let name = try Parse.domain(domain)
            let entries = try await StoreContext.with(options) { ctx in try await ctx.store.listAliases(domain: name) }
            if options.json { return try Output.json(entries) }
            Output.table(["ALIAS", "TARGETS"], entries.map { [$0.address, $0.targets.joined(separator: ", ")] })
        }
    }
}

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay", abstract: "Client networks allowed to relay without AUTH.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Allow a network (CIDR, e.g. 192.0.2.0/24) to relay.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var network: String
        @Option(name: .long, help: "Why this network may relay.") var note: String = ""

        func run() async throws {
            let cidr = try Parse.cidr(network)
            let added = try await StoreContext.with(options) { ctx in try await ctx.store.addRelayNetwork(cidr, note: note) }
            if options.json { try Output.json(added) } else { print("relay allowed from \(added.cidr)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop a network from relaying.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var network: String

        func run() async throws {
            let cidr = try Parse.cidr(network)
            try await StoreContext.with(options) { ctx in try await ctx.store.removeRelayNetwork(cidr) }
            if options.json { try Output.json(["removed": cidr.description]) } else { print("removed relay network \(cidr)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List relay networks.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let nets = try await StoreContext.with(options) { ctx in try await ctx.store.listRelayNetworks() }
            if options.json { return try Output.json(nets) }
            Output.table(["NETWORK", "NOTE"], nets.map { [$0.cidr, $0.note] })
        }
    }
}

struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access", abstract: "Access lists: bad MAIL FROM, bad HELO, bad RCPT TO (exact or * wildcard).",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a pattern to a list: mail_from, helo or rcpt_to.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "mail_from, helo or rcpt_to") var list: String
        @Argument(help: "Exact value or pattern with *, e.g. *@spam.example") var pattern: String
        @Option(name: .long, help: "Only for mail to this hosted domain (default: global).") var domain: String?
        @Option(name: .long) var note: String = ""

        func run() async throws {
            let kind = try Parse.accessKind(list)
            let dom = try domain.map(Parse.domain)
            let rule = try await StoreContext.with(options) { ctx in
                try await ctx.store.addAccessRule(kind: kind, pattern: pattern, domain: dom, note: note)
            }
            if options.json { try Output.json(rule) } else { print("added \(rule.kind.rawValue) \(rule.pattern)\(rule.domain.map { " for \($0)" } ?? "")") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a pattern from a list.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var list: String
        @Argument var pattern: String
        @Option(name: .long) var domain: String?

        func run() async throws {
            let kind = try Parse.accessKind(list)
            let dom = try domain.map(Parse.domain)
            try await StoreContext.with(options) { ctx in try await ctx.store.removeAccessRule(kind: kind, pattern: pattern, domain: dom) }
            if options.json { try Output.json(["removed": pattern]) } else { print("removed \(kind.rawValue) \(pattern.lowercased())") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List access rules.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Only this list.") var list: String?

        func run() async throws {
            let kind = try list.map(Parse.accessKind)
            let rules = try await StoreContext.with(options) { ctx in try await ctx.store.listAccessRules(kind: kind) }
            if options.json { return try Output.json(rules) }
            Output.table(["LIST", "PATTERN", "DOMAIN", "NOTE"], rules.map { [$0.kind.rawValue, $0.pattern, $0.domain ?? "(global)", $0.note] })
        }
    }
}

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administrators of the web console and HTTP API, scoped to everything, a tenant or a domain.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an administrator.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String
        @Argument var password: String?
        @Flag(name: .long) var passwordStdin = false
        @Option(name: .long, help: "global, tenant:NAME or domain:DOMAIN") var scope: String

        func run() async throws {
            let parsed: AdminScope
            if scope == "global" { parsed = .global }
            else if scope.hasPrefix("tenant:") { parsed = .tenant(String(scope.dropFirst(7))) }
            else if scope.hasPrefix("domain:") { parsed = .domain(String(scope.dropFirst(7))) }
            else { throw CLIError("scope '\(scope)' is not global, tenant:NAME or domain:DOMAIN") }
            let secret = try resolvePassword(password, stdin: passwordStdin)
            let admin = try await StoreContext.with(options) { ctx in
                try await ctx.store.addAdministrator(name: name, password: secret, scope: parsed)
            }
            if options.json { try Output.json(admin) } else { print("added administrator \(admin.name) (\(admin.scope))") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an administrator.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var name: String

        func run() async throws {
            try await StoreContext.with(options) { ctx in try await ctx.store.removeAdministrator(name: name) }
            if options.json { try Output.json(["removed": name.lowercased()]) } else { print("removed administrator \(name.lowercased())") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List administrators.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let admins = try await StoreContext.with(options) { ctx in try await ctx.store.listAdministrators() }
            if options.json { return try Output.json(admins) }
            Output.table(["ADMIN", "SCOPE", "ACTIVE"], admins.map { [$0.name, $0.scope.description, $0.active ? "yes" : "no"] })
        }
    }
}
