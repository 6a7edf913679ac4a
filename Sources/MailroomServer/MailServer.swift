// MailServer — one running Mailroom node: the spool and its queue runner, the TLS context, the
// event loops and the protocol listeners (SMTP, POP3, IMAP), built from the configuration and an open
// account store. `mailroom serve` starts it; integration tests start it in-process on port 0.
//
// Start-up order: spool (its scan resumes queued mail through the runner) → TLS (configured
// PEM files, or a self-signed certificate made on first start) → SMTP listeners → POP3
// listeners → IMAP listeners. Stop: listeners first, then sessions, then the runner finishes the deliveries it
// started. The blocking pool serves the spool's fsyncs, POP3's Maildir reads and IMAP's
// mailbox commands.

import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomQueue
import MailroomStore
import MailroomTLS
import NIOCore
import NIOPosix
import NIOSSL

public final class MailServer: Sendable {
    public let configuration: MailroomConfig
    public let spool: Spool
    public let runner: QueueRunner
    let smtp: SMTPServer
    let pop3: POP3Server
    let imap: IMAPServer
    private let group: MultiThreadedEventLoopGroup
    private let blockingPool: NIOThreadPool
    private let logger: Logger

    /// Blocking threads for disk work (spool commits, POP3 message reads), so event loops never wait on disk.
    public static let blockingThreads = 16

    private init(configuration: MailroomConfig, spool: Spool, runner: QueueRunner, smtp: SMTPServer, pop3: POP3Server,
                 imap: IMAPServer, group: MultiThreadedEventLoopGroup, blockingPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        self.spool = spool
        self.runner = runner
        self.smtp = smtp
        self.pop3 = pop3
        self.imap = imap
        self.group = group
        self.blockingPool = blockingPool
        self.logger = logger
    }

    public static func start(configuration: MailroomConfig, store: any AccountStore, logger: Logger) async throws -> MailServer {
        let spool = try Spool(directory: configuration.storage.spoolDir,
                              syncMethod: SyncMethod(rawValue: configuration.queue.syncMethod) ?? .file)
        let runner = QueueRunner(spool: spool, store: store, options: DeliveryOptions(configuration: configuration), logger: logger)
        let tls = try TLSSetup.context(configuration: configuration, logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let blockingPool = NIOThreadPool(numberOfThreads: blockingThreads)
        blockingPool.start()
        let services = SMTPServices(configuration: configuration, store: store, spool: spool, runner: runner, tls: tls,
                                    blockingPool: blockingPool, logger: logger)
        let smtp = SMTPServer(services: services, group: group)
        let pop3 = POP3Server(services: POP3Services(configuration: configuration, store: store, tls: tls,
                                                     blockingPool: blockingPool, logger: logger), group: group)
        let imap = IMAPServer(services: IMAPServices(configuration: configuration, store: store, tls: tls,
                                                     blockingPool: blockingPool, logger: logger), group: group)
        let server = MailServer(configuration: configuration, spool: spool, runner: runner, smtp: smtp, pop3: pop3,
                                imap: imap, group: group, blockingPool: blockingPool, logger: logger)
        runner.start()
        do {
            try await smtp.start()
            try await pop3.start()
            try await imap.start()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Where each SMTP listener is bound ("mx", "submission", "submissions").
    public var smtpAddresses: [String: SocketAddress] { smtp.boundAddresses }

    /// Where each POP3 listener is bound ("pop3", "pop3s").
    public var pop3Addresses: [String: SocketAddress] { pop3.boundAddresses }

    /// Where each IMAP listener is bound ("imap", "imaps").
    public var imapAddresses: [String: SocketAddress] { imap.boundAddresses }

    public func stop() async {
        await smtp.stop()
        await pop3.stop()
        await imap.stop()
        await runner.stop()
        try? await blockingPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }
}
