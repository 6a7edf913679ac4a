// `mailroom serve` — starts Mailroom with a configuration file or the embedded defaults.
//
// It opens and migrates the account store, checks the storage volumes, starts the mail server
// (spool scan and queue runner, TLS, the SMTP listeners of the smtp.* keys, the POP3 and
// POP3S listeners of the pop3.* keys), warms nothing (start-up cost does not grow with the
// number of accounts), logs "ready" with the start-up time and waits for SIGTERM or SIGINT,
// then stops listeners, sessions and the runner in that order. IMAP and HTTP join here as
// their issues land.
// Security: the embedded defaults listen on loopback high ports only. Started as root with
// server.user set, the process becomes that user before it starts a thread or opens anything,
// keeping only the right to bind ports below 1024 (Privileges.adopt, called first thing by
// the executable); started as root without it, it warns and stays root.

import ArgumentParser
import Dispatch
import Foundation
import Logging
import MailroomConfig
import MailroomServer
import MailroomStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run Mailroom (embedded defaults without --config).")

    @Option(name: .long, help: "Configuration file (default: embedded defaults).")
    var config: String?

    @Option(name: .long, help: "Override log.format: text or json.")
    var logFormat: String?

    func run() async throws {
        let start = DispatchTime.now()
        var configuration = try StoreContext.loadConfig(config)
        if let logFormat {
            guard logFormat == "text" || logFormat == "json" else {
                throw ValidationError("--log-format must be text or json, not '\(logFormat)'")
            }
            configuration.log.format = logFormat
        }
        LogSetup.bootstrap(format: configuration.log.format, level: configuration.log.level)
        let logger = Logger(label: "mailroom")
        logger.info("starting", metadata: ["config": "\(config ?? "embedded defaults")",
                                           "store": "\(configuration.store.backend)"])
        if geteuid() == 0 {
            logger.warning("running as root: set server.user to the mail owner so sessions do not run with root's rights")
        } else if !configuration.server.user.isEmpty {
            logger.info("running as \(configuration.server.user)", metadata: ["uid": "\(getuid())", "gid": "\(getgid())"])
        }
        let context = try await StoreContext.open(config: configuration, logger: logger)
        for dir in [configuration.storage.mailRoot, configuration.storage.spoolDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        for volume in try await context.store.listVolumes() where !FileManager.default.fileExists(atPath: volume.effectivePath) {
            logger.warning("storage volume path does not exist", metadata: ["volume": "\(volume.name)", "path": "\(volume.effectivePath)"])
        }
        let server: MailServer
        do {
            server = try await MailServer.start(configuration: configuration, store: context.store, logger: logger)
        } catch {
            await context.store.close()
            throw CLIError("cannot start: \(error)")
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        logger.info("ready", metadata: ["startup_ms": "\(String(format: "%.1f", elapsed))",
                                        "schema_version": "\(Migrator.latestVersion)"])
        let signal = await waitForTerminationSignal()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await server.stop()
        await context.store.close()
    }
}

/// Suspends until SIGTERM or SIGINT arrives; returns the signal's name.
func waitForTerminationSignal() async -> String {
    await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
        let queue = DispatchQueue(label: "mailroom.signals")
        let once = SignalOnce(continuation)
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { once.fire(name) }
            source.resume()
            once.keep(source)
        }
    }
}

final class SignalOnce: @unchecked Sendable {
    private var continuation: CheckedContinuation<String, Never>?
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()

    init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) {
        lock.lock(); sources.append(source); lock.unlock()
    }

    func fire(_ name: String) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: name)
    }
}
