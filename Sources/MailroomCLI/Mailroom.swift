// The `mailroom` command tree, and dispatch on the invoked name for the vpopmail-compatible
// commands (vadddomain, vadduser, …).

import ArgumentParser
import Foundation
import MailroomStore

public struct MailroomCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mailroom",
        abstract: "Mailroom — multi-tenant virtual-domain mail server.",
        subcommands: [ServeCommand.self, ConfigCommand.self, DBCommand.self, AuthCommand.self,
                      TenantCommand.self, DomainCommand.self, UserCommand.self, AliasCommand.self,
                      RelayCommand.self, AccessCommand.self, AdminCommand.self, VolumeCommand.self,
                      InstallLinks.self, BenchCommand.self, DeliverCommand.self, MaildirCommand.self, QueueCommand.self])

    public init() {}
}

public enum Entry {
    /// Runs the command named by argv[0] (a vpopmail name) or the `mailroom` tree.
    public static func main(_ arguments: [String] = CommandLine.arguments) async {
        let invoked = URL(fileURLWithPath: arguments.first ?? "mailroom").lastPathComponent
        let rest = Array(arguments.dropFirst())
        // `serve` sets up logging from its configuration; admin commands log warnings and
        // errors to standard error only, so their standard output stays clean for --json.
        if rest.first != "serve" { LogSetup.bootstrap(format: "text", level: "warning") }
        if let command = Vpopmail.commands[invoked] {
            await run(command, rest)
        } else {
            await run(MailroomCommand.self, rest)
        }
    }

    static func run(_ type: any AsyncParsableCommand.Type, _ arguments: [String]) async {
        do {
            var command = try type.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(1)
        } catch let error as any StoreErrorLike {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        } catch {
            type.exit(withError: error)
        }
    }
}

/// Store errors are printed as they are (they already name the object and the reason).
protocol StoreErrorLike: Error, CustomStringConvertible {}

extension StoreError: StoreErrorLike {}
