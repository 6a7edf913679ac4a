// vpopmail-compatible commands: the same `mailroom` binary, invoked through a link named
// vadddomain, vdeldomain, vadduser, vdeluser, vpasswd, vsetuserquota, valias, vuserinfo,
// vdominfo, vaddaliasdomain or vmoduser, takes vpopmail's argument order for the common uses
// (docs/vpopmail.md lists what is supported). `mailroom install-links DIR` creates the links.
// They read the configuration from $MAILROOM_CONFIG when it is set.

import ArgumentParser
import Foundation
import MailroomCore
import MailroomStore

func vpopmailOptions(json: Bool = false) -> StoreOptionsGroup {
    var options = StoreOptionsGroup()
    options.config = ProcessInfo.processInfo.environment["MAILROOM_CONFIG"]
    options.json = json
    return options
}

public enum Vpopmail {
    public static let commands: [String: any AsyncParsableCommand.Type] = [
        "vadddomain": VAddDomain.self, "vdeldomain": VDelDomain.self, "vadduser": VAddUser.self,
        "vdeluser": VDelUser.self, "vpasswd": VPasswd.self, "vsetuserquota": VSetUserQuota.self,
        "valias": VAlias.self, "vuserinfo": VUserInfo.self, "vdominfo": VDomInfo.self,
        "vaddaliasdomain": VAddAliasDomain.self, "vmoduser": VModUser.self,
    ]
}

struct VAddDomain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vadddomain", abstract: "Add a domain, and its postmaster account when a password is given.")
    @Option(name: .customShort("q"), help: "Default quota for the domain's users.") var quota: String?
    @Argument var domain: String
    @Argument(help: "Password of postmaster@DOMAIN.") var postmasterPassword: String?

    func run() async throws {
        let options = vpopmailOptions()
        let name = try Parse.domain(domain)
        let q = try quota.map { try Parse.quota($0, field: "default quota") } ?? .unlimited
        // Refuse a bad postmaster password before the domain exists, so a refusal leaves nothing
        // half-written (a domain without its postmaster, which a retry would call a duplicate).
        if let postmasterPassword {
            do { try Passwords.validate(postmasterPassword) } catch { throw CLIError("password: \(error)") }
        }
        try await StoreContext.with(options) { ctx in
            _ = try await ctx.store.addDomain(NewDomain(name: name, defaultQuota: q))
        }
        print("added domain \(Output.domainName(name.ascii, name.unicode))")
        if let postmasterPassword {
            let user = try await addUser(options, address: "postmaster@\(name.ascii)", password: postmasterPassword,
                                         passwordStdin: false, passwordHash: nil, name: "Postmaster", quota: nil)
            print("added user \(user.unicodeAddress)")
        }
    }
}

struct VDelDomain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vdeldomain", abstract: "Remove a domain.")
    @Argument var domain: String
    func run() async throws { try await DomainCommand.Remove.parse([domain] + configArgs()).run() }
}

struct VAddUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vadduser", abstract: "Add a user.")
    @Option(name: .customShort("q"), help: "Quota (bytes, 100M, NOQUOTA).") var quota: String?
    @Option(name: .customShort("c"), help: "Comment (display name).") var comment: String = ""
    @Argument var address: String
    @Argument var password: String?

    func run() async throws {
        let user = try await addUser(vpopmailOptions(), address: address, password: password,
                                     passwordStdin: password == nil, passwordHash: nil, name: comment, quota: quota)
        print("added user \(user.unicodeAddress)")
    }
}

struct VDelUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vdeluser", abstract: "Remove a user.")
    @Argument var address: String
    func run() async throws {
        let (user, archived) = try await removeUser(vpopmailOptions(), address: address)
        print("removed user \(user.unicodeAddress)" + (archived.map { "; mail archived to \($0)" } ?? ""))
    }
}

struct VPasswd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vpasswd", abstract: "Change a user's password.")
    @Argument var address: String
    @Argument var password: String?
    func run() async throws {
        try await setPassword(vpopmailOptions(), address: address, password: password, passwordStdin: password == nil, hash: nil)
        print("changed password of \(address)")
    }
}

struct VSetUserQuota: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vsetuserquota", abstract: "Set a user's quota.")
    @Argument var address: String
    @Argument(help: "Bytes, 100M, 2G, NOQUOTA or a Maildir++ quota like 1000000S,1000C.") var quota: String
    func run() async throws {
        let user = try await setQuota(vpopmailOptions(), address: address, quota: quota)
        print("quota of \(user.unicodeAddress) is now \(user.quota)")
    }
}

struct VAlias: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "valias", abstract: "Show, insert (-i) or delete (-d) aliases; a bare domain shows all of its aliases.")
    @Option(name: .customShort("i"), help: "Insert this target (an address, or &address as in .qmail files).") var insert: String?
    @Flag(name: .customShort("d"), help: "Delete the alias.") var delete = false
    @Flag(name: .customShort("s"), help: "Show (the default).") var show = false
    @Flag(name: .customShort("n"), help: "Show alias names only.") var namesOnly = false
    @Argument var target: String

    func run() async throws {
        let options = vpopmailOptions()
        if let insert {
            let addr = try Parse.address(target)
            var line = insert
            if line.hasPrefix("&") { line.removeFirst() }
            let entry = try await StoreContext.with(options) { ctx in try await ctx.store.addAlias(addr, targets: [line]) }
            print("\(entry.address) -> \(entry.targets.joined(separator: ", "))")
        } else if delete {
            let addr = try Parse.address(target)
            try await StoreContext.with(options) { ctx in try await ctx.store.removeAlias(addr, targets: []) }
            print("removed alias \(addr.unicode)")
        } else {
            let (domain, only) = target.contains("@")
                ? (try Parse.address(target).domain, try Parse.address(target).ascii) : (try Parse.domain(target), nil)
            let entries = try await StoreContext.with(options) { ctx in try await ctx.store.listAliases(domain: domain) }
                .filter { only == nil || $0.address == only }
            if let only, entries.isEmpty { throw CLIError("alias \(only) does not exist") }
            for entry in entries {
                if namesOnly { print(entry.address); continue }
                for t in entry.targets { print("\(entry.address) -> \(t)") }
            }
        }
    }
}

struct VUserInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vuserinfo", abstract: "Show a user.")
    @Argument var address: String
    func run() async throws { try await showUser(vpopmailOptions(), address: address) }
}

struct VDomInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vdominfo", abstract: "Show one domain, or all.")
    @Argument var domain: String?
    func run() async throws {
        if let domain {
            try await DomainCommand.Info.parse([domain] + configArgs()).run()
        } else {
            try await DomainCommand.List.parse(configArgs()).run()
        }
    }
}

struct VAddAliasDomain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vaddaliasdomain",
        abstract: "Add an alias domain. Either order works (vpopmail versions differ): the argument that is already a hosted domain is the real one.")
    @Argument var first: String
    @Argument var second: String

    func run() async throws {
        let a = try Parse.domain(first), b = try Parse.domain(second)
        try await StoreContext.with(vpopmailOptions()) { ctx in
            let aHosted = try await ctx.store.listDomains(tenant: nil).contains { $0.name == a.ascii }
            let bHosted = try await ctx.store.listDomains(tenant: nil).contains { $0.name == b.ascii }
            switch (aHosted, bHosted) {
            case (true, false): try await ctx.store.addDomainAlias(b, to: a); print("\(b.unicode) is now an alias of \(a.unicode)")
            case (false, true): try await ctx.store.addDomainAlias(a, to: b); print("\(a.unicode) is now an alias of \(b.unicode)")
            case (true, true): throw CLIError("both \(a.unicode) and \(b.unicode) are hosted domains; the alias must be a new name")
            case (false, false): throw CLIError("neither \(a.unicode) nor \(b.unicode) is a hosted domain")
            }
        }
    }
}

struct VModUser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmoduser", abstract: "Modify a user: -c comment, -q quota, -p/-s/-i/-w disable POP3/SMTP/IMAP/web, -x clear flags.")
    @Option(name: .customShort("c")) var comment: String?
    @Option(name: .customShort("q")) var quota: String?
    @Flag(name: .customShort("p"), help: "Disable POP3.") var noPOP = false
    @Flag(name: .customShort("s"), help: "Disable SMTP AUTH.") var noSMTP = false
    @Flag(name: .customShort("i"), help: "Disable IMAP.") var noIMAP = false
    @Flag(name: .customShort("w"), help: "Disable webmail.") var noWeb = false
    @Flag(name: .customShort("x"), help: "Clear all disable flags.") var clear = false
    @Argument var address: String

    func run() async throws {
        let options = vpopmailOptions()
        let addr = try Parse.address(address)
        let q = try quota.map { try Parse.quota($0) }
        var disable: [Service] = []
        if noPOP { disable.append(.pop3) }
        if noSMTP { disable.append(.smtp) }
        if noIMAP { disable.append(.imap) }
        if noWeb { disable.append(.web) }
        try await StoreContext.with(options) { ctx in
            if let comment { try await ctx.store.setDisplayName(addr, displayName: comment) }
            if let q { _ = try await ctx.store.setQuota(addr, quota: q) }
            if clear { _ = try await ctx.store.setServiceDisabled(addr, services: Service.allCases, disabled: false) }
            if !disable.isEmpty { _ = try await ctx.store.setServiceDisabled(addr, services: disable, disabled: true) }
        }
        print("modified user \(addr.unicode)")
    }
}

func configArgs() -> [String] {
    ProcessInfo.processInfo.environment["MAILROOM_CONFIG"].map { ["--config", $0] } ?? []
}

struct InstallLinks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-links", abstract: "Create the vpopmail-compatible command links (vadddomain, …) in DIR.")
    @Argument var directory: String
    @Flag(name: .long, help: "Replace existing files of the same names.") var force = false

    func run() async throws {
        let fm = FileManager.default
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let target = fm.isExecutableFile(atPath: binary) ? binary : (ProcessInfo.processInfo.arguments.first ?? binary)
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in Vpopmail.commands.keys.sorted() {
            let link = "\(directory)/\(name)"
            if (try? fm.destinationOfSymbolicLink(atPath: link)) != nil || fm.fileExists(atPath: link) {
                guard force else { throw CLIError("\(link) already exists (use --force to replace it)") }
                try fm.removeItem(atPath: link)
            }
            try fm.createSymbolicLink(atPath: link, withDestinationPath: target)
            print("\(link) -> \(target)")
        }
    }
}
