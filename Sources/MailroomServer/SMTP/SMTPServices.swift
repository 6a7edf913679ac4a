// SMTPServices — what every SMTP connection of one server shares: configuration, the account
// store and its policy, the spool, the queue runner, the TLS context, the blocking thread
// pool and the logger. It also turns a finished session transaction into a queue Envelope
// and writes the one log line per accepted message.

import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomQueue
import MailroomSASL
import MailroomSMTP
import MailroomStore
import NIOCore
import NIOPosix
import NIOSSL

final class SMTPServices: Sendable {
    let configuration: MailroomConfig
    let hostName: String
    let store: any AccountStore
    let policy: SMTPPolicy
    let spool: Spool
    let runner: QueueRunner?
    let tls: NIOSSLContext?
    let blockingPool: NIOThreadPool
    let logger: Logger
    let limits: SMTPLimits
    let mechanisms: [SASLMechanism]
    /// queue.direct_delivery_max_bytes: messages up to this size are kept in memory and offered
    /// to a delivery at reception (0 without a runner in this process).
    let directDeliveryLimit: Int

    init(configuration: MailroomConfig, store: any AccountStore, spool: Spool, runner: QueueRunner?,
         tls: NIOSSLContext?, blockingPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        hostName = configuration.smtpHostName
        self.store = store
        policy = SMTPPolicy(store: store, configuration: configuration, logger: logger)
        self.spool = spool
        self.runner = runner
        self.tls = tls
        self.blockingPool = blockingPool
        self.logger = logger
        limits = configuration.smtpLimits
        mechanisms = configuration.smtpAuthMechanisms
        directDeliveryLimit = runner == nil ? 0 : configuration.queue.directDeliveryMaxBytes
    }

    func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    func sessionConfiguration(role: SMTPSessionConfiguration.Role, loopback: Bool) -> SMTPSessionConfiguration {
        SMTPSessionConfiguration(
            role: role, hostName: hostName, limits: limits,
            maxErrors: configuration.smtp.maxErrors, maxUnknownCommands: configuration.smtp.maxUnknownCommands,
            authMechanisms: mechanisms, startTLSAvailable: tls != nil,
            authRequiresTLS: !(loopback && configuration.smtp.plaintextAuthOnLoopback),
            mailRequiresAuth: role != .mx)
    }

    // MARK: Authentication

    func verifyPassword(username: String, password: String, client: IPAddress?) async -> User? {
        do {
            switch try await store.authenticate(username: username, password: password, service: .smtp) {
            case .success(let user): return user
            case .failure(let failure):
                logger.notice("AUTH refused", metadata: ["user": "\(username)", "reason": "\(failure)",
                                                         "client": "\(client?.description ?? "unknown")"])
                return nil
            }
        } catch {
            logger.warning("AUTH lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func saslAccount(username: String) async -> SASLAccount? {
        do {
            switch try await store.saslAccount(username: username, service: .smtp) {
            case .success(let account): return account
            case .failure(let failure):
                logger.notice("AUTH refused", metadata: ["user": "\(username)", "reason": "\(failure)"])
                return nil
            }
        } catch {
            logger.warning("AUTH lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    func recordLogin(_ user: User, client: IPAddress?) {
        store.recordLoginInBackground(user, service: .smtp, client: client)
    }

    // MARK: Messages

    func envelope(for transaction: SMTPTransaction, role: SMTPSessionConfiguration.Role, client: IPAddress?, now: Int64) -> Envelope {
        let recipients = transaction.recipients.map { recipient -> Envelope.Recipient in
            let address = recipient.path.mailbox.map { Self.envelopeAddress($0) } ?? "postmaster@\(hostName)"
            var notify: [Envelope.Recipient.Notify]?
            if let conditions = recipient.parameters.notify {
                notify = []
                if conditions.contains(.success) { notify?.append(.success) }
                if conditions.contains(.failure) { notify?.append(.failure) }
                if conditions.contains(.delay) { notify?.append(.delay) }
            }
            let original = recipient.parameters.originalRecipient.map { "\($0.addressType);\($0.address)" }
            return Envelope.Recipient(address: address, notify: notify, originalRecipient: original)
        }
        let protocolName = ReceivedHeader.protocolName(extended: transaction.esmtp, tls: transaction.tls,
                                                       authenticated: transaction.authenticatedUser != nil,
                                                       smtpUTF8: transaction.smtpUTF8)
        return Envelope(
            sender: transaction.reversePath.mailbox.map { Self.envelopeAddress($0) } ?? "",
            recipients: recipients,
            returnContent: transaction.parameters.returnContent.map { $0 == .full ? .full : .headers },
            envelopeID: transaction.parameters.envelopeID,
            smtpUTF8: transaction.smtpUTF8,
            body: transaction.parameters.body?.rawValue,
            clientAddress: client?.description, heloName: transaction.hello.description,
            authenticatedUser: transaction.authenticatedUser, protocolName: protocolName,
            listener: role.rawValue, arrival: now)
    }

    /// Hosted domains are kept in A-labels in the queue (the store's form); local parts as sent.
    static func envelopeAddress(_ mailbox: Mailbox) -> String {
        switch mailbox.domain {
        case .domain(let name): return "\(mailbox.localPart.description)@\(name.ascii)"
        case .addressLiteral(let literal): return "\(mailbox.localPart.description)@\(literal)"
        }
    }

    /// A message was accepted: log it, and hand it to the runner when it was `queued` rather
    /// than delivered at reception.
    func accepted(_ id: QueueID, transaction: SMTPTransaction, size: Int, queued: Bool, logger: Logger) {
        logger.info(queued ? "queued" : "delivered at reception", metadata: [
            "queue_id": "\(id)", "from": "<\(transaction.reversePath.mailbox?.description ?? "")>",
            "nrcpt": "\(transaction.recipients.count)", "size": "\(size)",
            "user": "\(transaction.authenticatedUser ?? "")",
        ])
        if queued { runner?.enqueued(id) }
    }
}
