// `mailroom user add|remove|passwd|quota|limits|info|list|enable|disable|name`.
//
// `user add` creates the Maildir (with Sent, Drafts, Junk, Trash) after the store row is
// committed; `user remove` deletes the row first and only then archives or deletes the mail.

import ArgumentParser
import MailroomCore
import MailroomMaildir
import MailroomStore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Mailbox accounts.",
        subcommands: [Add.self, Remove.self, Passwd.self, QuotaCmd.self, Limits.self, Info.self, List.self,
                      Enable.self, Disable.self, Name.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user and create its Maildir.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "Address, e.g. alice@example.com or 用户@例子.中国.") var address: String
        @Argument(help: "Password (or --password-stdin / --password-hash).") var password: String?
        @Flag(name: .long, help: "Read the password from standard input.") var passwordStdin = false
        @Option(name: .long, help: "Store this ready-made hash (crypt(3) or {SCHEME}) instead of a password.") var passwordHash: String?
        @Option(name: .long, help: "Display name.") var name: String = ""
        @Option(name: .long, help: "Quota: 100M, 2G, 100M,5000C or NOQUOTA (default: the domain's).") var quota: String?

        func run() async throws {
            let user = try await addUser(options, address: address, password: password, passwordStdin: passwordStdin,
                                         passwordHash: passwordHash, name: name, quota: quota)
            if options.json { try Output.json(user) } else { print("added user \(user.unicodeAddress)") }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user, then archive or delete its mail.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String

        func run() async throws {
            let (user, archived) = try await removeUser(options, address: address)
            if options.json { return try Output.json(RemovedReport(removed: user.address, users: nil, archivedTo: archived)) }
            print("removed user \(user.unicodeAddress)" + (archived.map { "; mail archived to \($0)" } ?? ""))
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a user's password.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Argument var password: String?
        @Flag(name: .long, help: "Read the password from standard input.") var passwordStdin = false
        @Option(name: .long, help: "Store this ready-made hash instead.") var passwordHash: String?

        func run() async throws {
            try await setPassword(options, address: address, password: password, passwordStdin: passwordStdin, hash: passwordHash)
            if options.json { try Output.json(["updated": address]) } else { print("changed password of \(address)") }
        }
    }

    struct QuotaCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quota", abstract: "Set a user's quota: 100M, 2G, 100M,5000C, NOQUOTA, or DEFAULT (the domain's).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Argument var quota: String

        func run() async throws {
            let user = try await setQuota(options, address: address, quota: quota)
            if options.json { try Output.json(user) } else { print("quota of \(user.unicodeAddress) is now \(user.quota)") }
        }
    }

    struct Limits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "limits", abstract: "Set a user's message size limit.",
            discussion: """
                --max-message-size caps the messages the user sends and receives over SMTP (at least \
                64K, RFC 5321 section 4.5.3.1.7). 'none' or 'default' removes the user's own limit: \
                the domain's (`mailroom domain limits --max-message-size`) applies again, and the \
                global smtp.max_message_bytes always does.
                """)
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Option(name: .long, help: "Largest message: 10M, 512K, 1G (at least 64K), or 'none'/'default' for the domain's.")
        var maxMessageSize: String

        func run() async throws {
            let addr = try Parse.address(address)
            let bytes: Int64? = maxMessageSize.lowercased() == "default"
                ? nil : try Parse.byteLimit(maxMessageSize, field: "max message size")
            let user = try await StoreContext.with(options) { ctx in
                try await ctx.store.setUserMessageLimit(addr, bytes: bytes)
            }
            if options.json { return try Output.json(user) }
            print("message limit of \(user.unicodeAddress) is now \(userMessageLimitText(user))")
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "info", abstract: "Show a user.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String

        func run() async throws { try await showUser(options, address: address) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users of a domain.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var domain: String

        func run() async throws {
            let name = try Parse.domain(domain)
            let users = try await StoreContext.with(options) { ctx in try await ctx.store.listUsers(domain: name) }
            if options.json { return try Output.json(users) }
            Output.table(["USER", "NAME", "QUOTA", "DISABLED", "LAST LOGIN"], users.map { u in
                [u.unicodeAddress, u.displayName, u.quota.description,
                 u.disabledServices.isEmpty ? "-" : u.disabledServices.map(\.rawValue).joined(separator: ","),
                 Output.date(u.lastLoginAt)]
            })
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Allow services again (all when none named).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Option(name: .long, parsing: .upToNextOption, help: "smtp, pop3, imap, web") var service: [String] = []
        func run() async throws { try await toggle(options, address, service, disabled: false) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Refuse logins to services (all when none named).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Option(name: .long, parsing: .upToNextOption, help: "smtp, pop3, imap, web") var service: [String] = []
        func run() async throws { try await toggle(options, address, service, disabled: true) }
    }

    struct Name: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "name", abstract: "Set a user's display name.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument var address: String
        @Argument var displayName: String

        func run() async throws {
            let addr = try Parse.address(address)
            try await StoreContext.with(options) { ctx in try await ctx.store.setDisplayName(addr, displayName: displayName) }
            if options.json { try Output.json(["updated": addr.ascii]) } else { print("display name of \(addr.unicode) set") }
        }
    }
}

// Shared with the vpopmail-compatible commands.

func addUser(_ options: StoreOptionsGroup, address: String, password: String?, passwordStdin: Bool,
             passwordHash: String?, name: String, quota: String?) async throws -> User {
    let addr = try Parse.address(address)
    let quota = try quota.map { try Parse.quota($0) }
    var secret: String? = nil
    if passwordHash == nil {
        secret = try resolvePassword(password, stdin: passwordStdin)
    } else if password != nil || passwordStdin {
        throw CLIError("password: give a password or --password-hash, not both")
    }
    return try await StoreContext.with(options) { ctx in
        let user = try await ctx.store.addUser(NewUser(address: addr, password: secret, passwordHash: passwordHash,
                                                       displayName: name, quota: quota))
        do {
            try MaildirLayout.createMailbox(volume: user.volumePath, address: addr)
        } catch {
            throw CLIError("user \(addr.unicode) was added, but its Maildir could not be created: \(error)")
        }
        return user
    }
}

func removeUser(_ options: StoreOptionsGroup, address: String) async throws -> (User, String?) {
    let addr = try Parse.address(address)
    return try await StoreContext.with(options) { ctx in
        let user = try await ctx.store.removeUser(addr)
        let dir = MaildirLayout.userDirectory(volume: user.volumePath, address: addr)
        do {
            let archived = try MaildirLayout.retire(
                directory: dir, domain: addr.domain, name: addr.localPart.value,
                disposal: .init(rawValue: ctx.config.storage.removedMail) ?? .archive, archiveDir: ctx.config.storage.archiveDir)
            return (user, archived)
        } catch {
            throw CLIError("user \(addr.unicode) was removed, but its mail in \(dir) could not be "
                           + "\(ctx.config.storage.removedMail == "delete" ? "deleted" : "archived to \(ctx.config.storage.archiveDir)"): \(error)")
        }
    }
}

func setPassword(_ options: StoreOptionsGroup, address: String, password: String?, passwordStdin: Bool, hash: String?) async throws {
    let addr = try Parse.address(address)
    if let hash {
        if password != nil || passwordStdin { throw CLIError("password: give a password or --password-hash, not both") }
        try await StoreContext.with(options) { ctx in try await ctx.store.setPasswordHash(addr, hash: hash) }
        return
    }
    let secret = try resolvePassword(password, stdin: passwordStdin)
    try await StoreContext.with(options) { ctx in try await ctx.store.setPassword(addr, password: secret) }
}

func setQuota(_ options: StoreOptionsGroup, address: String, quota: String) async throws -> User {
    let addr = try Parse.address(address)
    let q: Quota? = quota.uppercased() == "DEFAULT" ? nil : try Parse.quota(quota)
    return try await StoreContext.with(options) { ctx in try await ctx.store.setQuota(addr, quota: q) }
}

func showUser(_ options: StoreOptionsGroup, address: String) async throws {
    let addr = try Parse.address(address)
    guard let u = try await StoreContext.with(options, { ctx in try await ctx.store.user(addr) }) else {
        throw CLIError("user \(addr.unicode) does not exist")
    }
    if options.json { return try Output.json(u) }
    print("name:          \(u.unicodeAddress)")
    if u.unicodeAddress != u.address { print("ascii:         \(u.address)") }
    print("display name:  \(u.displayName)")
    print("maildir:       \(MaildirLayout.maildir(volume: u.volumePath, address: addr))")
    print("quota:         \(u.quota)\(u.quotaInherited ? " (domain default)" : "")")
    print("message limit: \(userMessageLimitText(u))")
    print("disabled:      \(u.disabledServices.isEmpty ? "none" : u.disabledServices.map(\.rawValue).joined(separator: ", "))")
    print("password:      \(u.passwordScheme)\(u.hasSCRAMSHA256 ? ", SCRAM-SHA-256" : "")\(u.hasCRAMMD5 ? ", CRAM-MD5" : "")")
    print("domain active: \(u.domainActive ? "yes" : "no")")
    print("created:       \(Output.date(u.createdAt))")
    print("last login:    \(Output.date(u.lastLoginAt))\(u.lastLoginService.map { " (\($0)\(u.lastLoginIP.map { " from \($0)" } ?? ""))" } ?? "")")
}

/// "10M", "20M (domain's)" or "none".
func userMessageLimitText(_ u: User) -> String {
    guard let bytes = u.maxMessageBytes else { return "none" }
    return messageLimitText(bytes) + (u.maxMessageBytesInherited ? " (domain's)" : "")
}

func toggle(_ options: StoreOptionsGroup, _ address: String, _ services: [String], disabled: Bool) async throws {
    let addr = try Parse.address(address)
    let list = services.isEmpty ? Service.allCases : try services.map(Parse.service)
    let user = try await StoreContext.with(options) { ctx in
        try await ctx.store.setServiceDisabled(addr, services: list, disabled: disabled)
    }
    if options.json { return try Output.json(user) }
    print("\(disabled ? "disabled" : "enabled") \(list.map(\.rawValue).joined(separator: ", ")) for \(user.unicodeAddress)")
}
