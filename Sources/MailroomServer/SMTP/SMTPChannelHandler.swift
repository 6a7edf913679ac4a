// SMTPChannelHandler — the NIO adapter of one SMTP connection (style rules 2 and 3): bytes go
// through the framer (SMTPInputFramer), complete frames become events of the pure
// SMTPSession, and the session's actions are carried out in one `switch` in `perform`: this is
// the only place that writes, closes, starts TLS, asks the account store or touches the spool.
//
// PIPELINING (RFC 2920): input is kept in `pending` and handled frame by frame; replies are
// written without flushing and flushed once the input holds no further complete frame, or
// before waiting for the store or the disk. While such an action is outstanding (`waiting`), no
// further input is handled, so replies keep the order of the commands.
// STARTTLS (RFC 3207 §4.2): the 220 goes out in clear, every byte the client sent after the
// command is thrown away, and the TLS handler is put first in the pipeline before anything else
// is read.
// Message text goes from the framer to SMTPMessageSink: memory up to
// queue.direct_delivery_max_bytes, the spool writer beyond. At the end a message in memory is
// offered to the runner's delivery at reception (every recipient a local mailbox: the Maildir
// copies are durable before the 250, and no queue file is written); anything else is committed
// to the spool (fsync, rename, directory fsync) on the blocking thread pool and the 250 is
// written only after it returns (style rule 10). Then the queue runner is told.
// Timeouts (RFC 5321 §4.5.3.2): smtp.command_timeout_seconds between commands,
// smtp.data_timeout_seconds while message text is expected; both end with 421 4.4.2.
// Security: AUTH secrets never reach the log; after a failed AUTH the connection stays usable
// but failures count as errors (smtp.max_errors).

import Logging
import MailroomCore
import MailroomDelivery
import MailroomQueue
import MailroomSASL
import MailroomSMTP
import MailroomStore
import NIOCore
import NIOSSL

final class SMTPChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let services: SMTPServices
    private let role: SMTPSessionConfiguration.Role
    private let client: IPAddress?
    private var session: SMTPSession
    private var framer: SMTPInputFramer
    private var pending: ByteBuffer
    private var waiting = false
    private var closed = false
    private var sink: SMTPMessageSink?
    private var discardingChunk = false
    private var sasl: SASLServerExchange?
    private var authenticatedUser: User?
    private var pendingAuthUser: User?
    private var timer: IdleTimer?
    private var logger: Logger

    init(services: SMTPServices, role: SMTPSessionConfiguration.Role, client: IPAddress?, clientPort: Int, implicitTLS: Bool) {
        self.services = services
        self.role = role
        self.client = client
        let loopback = client?.isLoopback ?? false
        let configuration = services.sessionConfiguration(role: role, loopback: loopback)
        session = SMTPSession(configuration: configuration,
                              connection: SMTPConnectionInfo(clientAddress: client?.description ?? "unknown",
                                                             clientPort: clientPort, tls: implicitTLS))
        framer = SMTPInputFramer(limits: configuration.limits)
        pending = ByteBuffer()
        logger = services.logger
        logger[metadataKey: "client"] = "\(client?.description ?? "unknown")"
        logger[metadataKey: "listener"] = "\(role.rawValue)"
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        pending = context.channel.allocator.buffer(capacity: 1024)
        timer = IdleTimer(eventLoop: context.eventLoop) { [unowned self] in self.timerExpired(context: context) }
        logger.debug("connect")
        perform(session.greeting(), context: context)
        context.flush()
        armTimer(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !closed else { return }
        pending.writeBuffer(&bytes)
        armTimer(context: context)
        process(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        timer?.cancel()
        sink?.abort()
        sink = nil
        logger.debug("disconnect")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.connectionError(error)
        close(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is SMTPShutdownEvent {
            if !closed, !waiting { perform(session.shuttingDown(), context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Input

    /// Handles every complete frame in `pending`, unless an action is outstanding.
    private func process(context: ChannelHandlerContext) {
        while !waiting, !closed {
            let step = framer.next(in: pending.readableBytesView)
            pending.moveReaderIndex(forwardBy: step.consumed)
            guard let frame = step.event else { break }
            handle(frame, context: context)
        }
        if pending.readerIndex > 65536 { pending.discardReadBytes() }
        if !closed { context.flush() }
    }

    private func handle(_ frame: SMTPInputFramer.Frame, context: ChannelHandlerContext) {
        switch frame {
        case .line(let line):
            perform(session.lineReceived(line), context: context)
        case .lineTooLong:
            perform(session.lineTooLong(), context: context)
        case .invalidLine(let error):
            perform(session.invalidLine(error), context: context)
        case .messageData(let bytes):
            sink?.append(bytes)
        case .messageEnd(let verdict):
            sink?.finish()
            perform(session.messageEnded(verdict, size: framer.messageData.messageByteCount), context: context)
        case .chunkData(let bytes):
            if !discardingChunk { sink?.append(bytes) }
        case .chunkEnd(let end):
            if !discardingChunk {
                sink?.append(end.data)
                if end.isLast { sink?.finish() }
            }
            discardingChunk = false
            perform(session.chunkEnded(end), context: context)
        }
    }

    // MARK: Actions

    private func perform(_ action: SMTPSession.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .reply(let reply):
            write(reply, context: context)
        case .replyAndClose(let reply):
            write(reply, context: context)
            close(context: context)
        case .startTLS(let reply):
            write(reply, context: context)
            context.flush()
            startTLS(context: context)
        case .checkSender(let path, _):
            let user = authenticatedUser
            wait(context: context, for: { [services] in await services.policy.sender(path, authenticatedUser: user) }) { handler, context, verdict in
                handler.perform(handler.session.senderChecked(verdict), context: context)
            }
        case .checkRecipient(let path, _):
            let client = client
            let authenticated = authenticatedUser != nil
            wait(context: context, for: { [services] in
                await services.policy.recipient(path, client: client, authenticated: authenticated)
            }) { handler, context, verdict in
                handler.perform(handler.session.recipientChecked(verdict), context: context)
            }
        case .startAuthentication(let mechanism, let initialResponse):
            startAuthentication(mechanism, initialResponse: initialResponse, context: context)
        case .authResponse(let response):
            guard var exchange = sasl else {
                return perform(session.authCompleted(.failure(.authenticationFailed)), context: context)
            }
            let step = exchange.receive(response)
            sasl = exchange
            continueAuthentication(step, context: context)
        case .receiveMessage(let reply, let transaction):
            openSink(for: transaction)
            framer.expectMessageData()
            write(reply, context: context)
        case .receiveChunk(let size, let last, let open):
            if let open { openSink(for: open) }
            discardingChunk = false
            if let end = framer.expectChunk(size: size, last: last) {
                handle(.chunkEnd(end), context: context)
            }
        case .discardChunk(let size, let last):
            discardingChunk = true
            if let end = framer.expectChunk(size: size, last: last) {
                handle(.chunkEnd(end), context: context)
            }
        case .storeMessage(let transaction):
            store(transaction, context: context)
        case .discardMessage(let reply), .resetTransaction(let reply):
            sink?.abort()
            sink = nil
            framer.resetTransaction()
            write(reply, context: context)
        }
    }

    private func write(_ reply: SMTPReply, context: ChannelHandlerContext) {
        guard !closed else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(reply.encoded())
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        sink?.abort()
        sink = nil
        // The last reply (421, 221) goes out before the connection closes.
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Runs `work` off the event loop; `then` runs back on it, after which input handling resumes.
    private func wait<T: Sendable>(context: ChannelHandlerContext, for work: @escaping @Sendable () async -> T,
                                   then: @escaping (SMTPChannelHandler, ChannelHandlerContext, T) -> Void) {
        waiting = true
        context.flush()
        let promise = context.eventLoop.makePromise(of: T.self)
        promise.completeWithTask { await work() }
        promise.futureResult.assumeIsolated().whenSuccess { [self] value in
            self.waiting = false
            guard !self.closed else { return }
            self.armTimer(context: context)
            then(self, context, value)
            self.process(context: context)
        }
    }

    // MARK: Timeouts

    /// Moves the inactivity deadline to now + the timeout of the current mode (IdleTimer).
    private func armTimer(context: ChannelHandlerContext) {
        guard !closed else { return }
        let inData = framer.mode == .messageData || framer.mode == .chunk
        let seconds = inData ? services.configuration.smtp.dataTimeoutSeconds : services.configuration.smtp.commandTimeoutSeconds
        timer?.arm(.seconds(Int64(seconds)))
    }

    private func timerExpired(context: ChannelHandlerContext) {
        // While the store or the disk is answering, the timer is armed again when it has.
        guard !closed, !waiting else { return }
        logger.info("timeout")
        perform(session.timedOut(), context: context)
    }

    // MARK: TLS

    private func startTLS(context: ChannelHandlerContext) {
        guard let tls = services.tls else {
            return perform(session.tlsEstablished(), context: context)
        }
        // RFC 3207 §4.2: nothing the client sent before the handshake may be used.
        pending.clear()
        framer = SMTPInputFramer(limits: framer.limits)
        guard context.startServerTLS(tls, logger: logger) else { return close(context: context) }
        perform(session.tlsEstablished(), context: context)
    }

    // MARK: AUTH

    private func startAuthentication(_ mechanism: SASLMechanism, initialResponse: [UInt8]?, context: ChannelHandlerContext) {
        guard let kind = SASLMechanismKind(rawValue: mechanism.name) else {
            return perform(session.authCompleted(.failure(.authenticationFailed)), context: context)
        }
        var exchange = SASLServerExchange(mechanism: kind, serverName: services.hostName, nonce: SASLNonce.make(),
                                          initialResponse: initialResponse)
        let step = exchange.start()
        sasl = exchange
        continueAuthentication(step, context: context)
    }

    private func continueAuthentication(_ step: SASLStep, context: ChannelHandlerContext) {
        switch step {
        case .challenge(let bytes):
            perform(session.authChallenge(bytes), context: context)
            framer.expectAuthResponse()
        case .verifyPassword(let username, let password):
            let client = client
            wait(context: context, for: { [services] in
                await services.verifyPassword(username: username, password: password, client: client)
            }) { handler, context, user in
                handler.pendingAuthUser = user
                guard var exchange = handler.sasl else { return }
                let next = exchange.passwordVerified(user != nil)
                handler.sasl = exchange
                handler.continueAuthentication(next, context: context)
            }
        case .lookupCredentials(let username):
            wait(context: context, for: { [services] in await services.saslAccount(username: username) }) { handler, context, account in
                handler.pendingAuthUser = account?.user
                guard var exchange = handler.sasl else { return }
                let next = exchange.credentialsFound(account?.credentials)
                handler.sasl = exchange
                handler.continueAuthentication(next, context: context)
            }
        case .success(let username):
            sasl = nil
            guard let user = pendingAuthUser else {
                return perform(session.authCompleted(.failure(.authenticationFailed)), context: context)
            }
            authenticatedUser = user
            pendingAuthUser = nil
            logger.info("authenticated", metadata: ["user": "\(user.address)", "as": "\(username)"])
            services.recordLogin(user, client: client)
            perform(session.authCompleted(.success(username: user.address)), context: context)
        case .failure(let failure):
            sasl = nil
            pendingAuthUser = nil
            logger.notice("authentication failed", metadata: ["reason": "\(failure)"])
            let reply: SMTPReply
            if case .malformed = failure {
                reply = SMTPReply(code: 501, .syntaxError, "Malformed authentication response")
            } else {
                reply = .authenticationFailed
            }
            perform(session.authCompleted(.failure(reply)), context: context)
        }
    }

    // MARK: Messages

    private func openSink(for transaction: SMTPTransaction) {
        sink?.abort()
        let now = services.now()
        let id = QueueID.make()
        let received = ReceivedHeader(
            heloName: transaction.hello.description, clientName: nil,
            clientAddress: client?.description ?? "unknown", hostName: services.hostName,
            protocolName: ReceivedHeader.protocolName(extended: transaction.esmtp, tls: transaction.tls,
                                                      authenticated: transaction.authenticatedUser != nil,
                                                      smtpUTF8: transaction.smtpUTF8),
            queueID: id.description, recipients: transaction.recipients.map { $0.path.mailbox?.description ?? "postmaster" },
            date: now)
        sink = SMTPMessageSink(spool: services.spool, envelope: services.envelope(for: transaction, role: role, client: client, now: now),
                               received: received, id: id, memoryLimit: services.directDeliveryLimit,
                               completeHeaders: role != .mx, hostName: services.hostName, now: now)
    }

    /// The end of an accepted message: delivered now when it can be (ReceptionDelivery), else
    /// committed to the spool; the session's reply waits for either.
    private func store(_ transaction: SMTPTransaction, context: ChannelHandlerContext) {
        guard let sink, sink.failure == nil else {
            return refuse(self.sink?.failure.map { "\($0)" } ?? "no message", context: context)
        }
        self.sink = nil
        waiting = true
        context.flush()
        guard let bytes = sink.memory, let runner = services.runner else {
            return commit(sink, written: [], transaction: transaction, context: context)
        }
        let (id, envelope) = (sink.id, sink.envelope)
        let promise = context.eventLoop.makePromise(of: ReceptionOutcome.self)
        promise.completeWithTask { await runner.deliverAtReception(id, envelope: envelope, message: bytes) }
        promise.futureResult.assumeIsolated().whenSuccess { [self] outcome in
            switch outcome {
            case .delivered:
                self.services.accepted(id, transaction: transaction, size: bytes.count, queued: false, logger: self.logger)
                self.stored(.stored(queueID: id.description), context: context)
            case .queue(let written):
                self.commit(sink, written: written, transaction: transaction, context: context)
            }
        }
    }

    /// Commits the message to the spool (and records the copies a delivery at reception wrote)
    /// on the blocking pool, then answers.
    private func commit(_ sink: SMTPMessageSink, written: [TargetResult], transaction: SMTPTransaction,
                        context: ChannelHandlerContext) {
        guard let writer = sink.spill(), sink.failure == nil else {
            waiting = false
            return refuse(sink.failure.map { "\($0)" } ?? "no writer", context: context)
        }
        let spool = services.spool
        let future = services.blockingPool.runIfActive(eventLoop: context.eventLoop) {
            try writer.commit()
            if !written.isEmpty { try spool.record(written.map { .target($0) }, for: writer.id, durable: true) }
        }
        future.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success:
                self.services.accepted(writer.id, transaction: transaction, size: writer.messageBytes, queued: true, logger: self.logger)
                self.stored(.stored(queueID: writer.id.description), context: context)
            case .failure(let error):
                self.logger.error("spool commit failed", metadata: ["error": "\(error)"])
                self.stored(.failed(.localError), context: context)
            }
        }
    }

    private func refuse(_ why: String, context: ChannelHandlerContext) {
        sink?.abort()
        sink = nil
        logger.error("cannot spool message", metadata: ["error": "\(why)"])
        perform(session.messageStored(.failed(.localError)), context: context)
    }

    /// The session's reply to a stored (or refused) message, and the input that waited for it.
    private func stored(_ outcome: StoreOutcome, context: ChannelHandlerContext) {
        waiting = false
        armTimer(context: context)
        guard !closed else { return }
        perform(session.messageStored(outcome), context: context)
        if !closed { process(context: context) }
    }
}

/// Sent down every SMTP pipeline when the server stops: the session says 421 and closes.
struct SMTPShutdownEvent: Sendable {}
