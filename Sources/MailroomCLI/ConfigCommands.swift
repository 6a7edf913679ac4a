// `mailroom config check [FILE]`, `mailroom config defaults`, `mailroom db migrate|status`
// and `mailroom auth test`.

import ArgumentParser
import Foundation
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomStore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a configuration file or print the defaults.",
        subcommands: [Check.self, Defaults.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", 
            abstract: "Validate a configuration file; names every bad key and why.")
        @Argument(help: "Configuration file (default: the embedded defaults, which are always valid).")
        var file: String?

        func run() async throws {
            do {
                _ = try MailroomConfig.load(path: file)
                print("\(file ?? "embedded defaults"): configuration is valid")
            } catch {
                throw CLIError("\(error)")
            }
        }
    }

    struct Defaults: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "defaults", 
            abstract: "Print the full default configuration, every key documented.")
        func run() async throws {
            print(MailroomConfig.renderDefaults(), terminator: "")
        }
    }
}

struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Account-store schema.", subcommands: [Migrate.self, Status.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending schema migrations.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let config = try StoreContext.loadConfig(options.config)
            let db = try await StoreContext.openDatabase(config)
            do {
                let report = try await Migrator.migrate(db)
                await db.close()
                if options.json {
                    try Output.json(MigrateReport(applied: report.applied.map(\.version), version: report.currentVersion))
                } else {
                    for m in report.applied { print("applied \(String(format: "%04d", m.version))_\(m.name)") }
                    print("schema version \(report.currentVersion) (\(config.store.backend))")
                }
            } catch {
                await db.close()
                throw error
            }
        }
    }

    struct MigrateReport: Encodable {
        var applied: [Int]
        var version: Int
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the schema version of the database.")
        @OptionGroup var options: StoreOptionsGroup

        func run() async throws {
            let config = try StoreContext.loadConfig(options.config)
            let db = try await StoreContext.openDatabase(config)
            let current = try await Migrator.currentVersion(of: db)
            await db.close()
            let latest = Migrator.latestVersion
            if options.json {
                try Output.json(["version": current, "latest": latest])
            } else {
                print("schema version \(current) of \(latest) (\(config.store.backend))"
                      + (current < latest ? "; run `mailroom db migrate`" : ""))
            }
        }
    }
}

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Test authentication.", subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", 
            abstract: "Check whether USER could log in with PASSWORD, and why not (exit 0 or 1).")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "User address (user@example.com).") var user: String
        @Argument(help: "Password (or use --password-stdin).") var password: String?
        @Flag(name: .long, help: "Read the password from standard input.") var passwordStdin = false
        @Option(name: .long, help: "Service to test: imap, pop3, smtp or web.") var service: String = "imap"

        func run() async throws {
            let service = try Parse.service(self.service)
            let password = try resolvePassword(password, stdin: passwordStdin)
            let result = try await StoreContext.with(options) { ctx in
                try await ctx.store.authenticate(username: user, password: password, service: service)
            }
            switch result {
            case .success(let u):
                if options.json {
                    try Output.json(AuthReport(user: u.address, service: service.rawValue, result: "ok", reason: nil,
                                               maildir: try maildir(u), quota: u.quota.description))
                } else {
                    print("passdb: \(user) auth succeeded (\(service.rawValue))")
                    print("  user: \(u.unicodeAddress)")
                    print("  maildir: \(try maildir(u))")
                    print("  quota: \(u.quota)")
                }
            case .failure(let why):
                if options.json {
                    try Output.json(AuthReport(user: user, service: service.rawValue, result: "failed",
                                               reason: why.description, maildir: nil, quota: nil))
                } else {
                    print("passdb: \(user) auth failed (\(service.rawValue)): \(why)")
                }
                throw ExitCode(1)
            }
        }

        func maildir(_ u: User) throws -> String {
            MaildirLayout.maildir(volume: u.volumePath, address: try EmailAddress(u.address))
        }
    }

    struct AuthReport: Encodable {
        var user: String
        var service: String
        var result: String
        var reason: String?
        var maildir: String?
        var quota: String?
    }
}
