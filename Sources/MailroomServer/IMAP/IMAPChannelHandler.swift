// IMAPChannelHandler — the NIO adapter of one IMAP connection (style rules 2 and 3): bytes go
// through IMAPCommandFramer, frames become events of the pure IMAPSession, and the session's
// actions are carried out in one `switch` in `perform`: the only place that writes, closes,
// starts TLS, asks the account store or runs mailbox work (IMAPMailboxEngine, on the
// blocking pool).
//
// Standards: RFC 3501 §5.4 (autologout timer: imap.idle_timeout_seconds after login, at least
// 30 minutes; imap.preauth_timeout_seconds before), §5.5 (several commands may be sent
// without waiting: they are run one at a time, in order, and answered in order), §6.2.1
// (STARTTLS: the OK in clear, every byte the client sent after the command is thrown away,
// the TLS handler goes first in the pipeline), RFC 2177 (IDLE: changes to the selected
// mailbox are pushed as they happen; "* OK Still here" every imap.idle_keepalive_seconds).
//
// While an action is outstanding (a store lookup, mailbox work, the delay before a failed
// login's answer) no further input is handled; bytes queue in `input` (reading stops past
// PendingInput.maximumBytes beyond the framer's own limits).
// Change notification: during IDLE the selected folder is observed (MailStorage.observe,
// inotify through ChangeHub); a notice runs the engine's sync on the pool and writes what it
// finds, so a delivery shows within a second.
// URLFETCH and APPEND with CATENATE: the other users their URLAUTH URLs name are looked up in
// the account store first (IMAPServices.urlAuthOwners), and the engine gets their mail for
// that one command; it checks every URL's token and access itself.
// Logs: one line per login (user, client, result and why), one per session end (commands).
//
// Security:
// - Failed logins are answered after imap.failed_login_delay_seconds × the failures so far
//   and counted per client address (LoginThrottle); an address over imap.client_failure_limit
//   gets NO [UNAVAILABLE] without the store being asked.
// - A user may have imap.max_connections_per_user sessions logged in at once.
// - Passwords never reach the log.
// - A command's responses stream with back-pressure (OutputGate): the engine, on the blocking
//   pool, waits while imap.max_output_bytes are on their way to the client, so a FETCH of a
//   large mailbox by a client that reads slowly is never buffered whole; a client that reads
//   nothing for imap.output_stall_seconds is disconnected.

import Logging
import MailroomCore
import MailroomIMAP
import MailroomMaildir
import MailroomStore
import NIOCore
import NIOSSL

final class IMAPChannelHandler: ChannelInboundHandler, RemovableChannelHandler, SessionConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let services: IMAPServices
    private let client: IPAddress?
    private let clientKey: String
    private var session: IMAPSession
    private var framer: IMAPCommandFramer
    private var input = PendingInput()
    private var logger: Logger

    var waiting = false
    private(set) var closed = false
    private var inProcess = false
    private var shutdownPending = false

    private var verifiedUser: User?
    private var attemptedUser: String?
    private var refusalReason: String?
    private var engine: IMAPMailboxEngine?
    private var loggedInUser: String?
    private var commands = 0
    private var ended = false

    private var timer: IdleTimer?
    /// IDLE: the observed folder, the keep-alive task, and a change seen while busy.
    private var observation: (any ChangeObservation)?
    private var keepalive: Scheduled<Void>?
    private var changeWhileBusy = false
    /// The running command's back-pressure (nil between commands).
    private var outputGate: OutputGate?
    /// Octets written to the channel since the last flush.
    private var unflushed = 0
    /// Streamed output is flushed once this much is waiting (and when the command ends).
    static let flushBytes = 64 * 1024
    /// A running command's responses go to the event loop in batches of about this many
    /// octets (and the rest when it ends); below `imap.max_output_bytes`' lowest value.
    static let streamBatchBytes = 16 * 1024

    init(services: IMAPServices, listener: String, client: IPAddress?, implicitTLS: Bool) {
        self.services = services
        self.client = client
        clientKey = client?.description ?? "unknown"
        let configuration = services.sessionConfiguration(loopback: client?.isLoopback ?? false, tls: implicitTLS)
        session = IMAPSession(configuration: configuration, tls: implicitTLS)
        framer = IMAPCommandFramer(limits: configuration.limits)
        logger = services.logger
        logger[metadataKey: "client"] = "\(clientKey)"
        logger[metadataKey: "listener"] = "\(listener)"
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        input.buffer = context.channel.allocator.buffer(capacity: 256)
        timer = IdleTimer(eventLoop: context.eventLoop) { [unowned self] in self.timerExpired(context: context) }
        logger.debug("connect")
        write(session.greeting(), context: context)
        context.flush()
        armTimer(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !closed else { return }
        input.append(&bytes, waiting: waiting, context: context)
        armTimer(context: context)
        process(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        outputGate?.close()
        timer?.cancel()
        endSession(reason: "disconnect")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.connectionError(error)
        close(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IMAPShutdownEvent {
            if closed { return }
            if waiting {
                shutdownPending = true
            } else {
                shutDown(context: context)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func shutDown(context: ChannelHandlerContext) {
        write([.untagged(.condition(.bye, code: nil, text: "Server shutting down"))], context: context)
        close(context: context)
    }

    // MARK: Input

    /// Handles every complete frame in `input`, unless an action is outstanding.
    private func process(context: ChannelHandlerContext) {
        guard !inProcess else { return }
        inProcess = true
        defer { inProcess = false }
        while !waiting, !closed {
            framer.mode = session.expectsLine ? .line : .command
            framer.isAuthenticated = session.isAuthenticated
            let step = framer.next(in: input.buffer.readableBytesView)
            input.buffer.moveReaderIndex(forwardBy: step.consumed)
            guard let event = step.event else { break }
            if case .command = event { commands += 1 }
            perform(session.frameReceived(event), context: context)
        }
        input.handled(waiting: waiting, closed: closed, context: context)
        if !closed { context.flush() }
    }

    /// The outstanding action is done: apply the session's answer, then read on.
    private func resume(_ action: IMAPSession.Action?, context: ChannelHandlerContext) {
        waiting = false
        guard !closed else { return }
        armTimer(context: context)
        if let action { perform(action, context: context) }
        if shutdownPending, !waiting, !closed { return shutDown(context: context) }
        if changeWhileBusy, !waiting, observation != nil {
            changeWhileBusy = false
            pushUpdates(context: context)
        }
        process(context: context)
    }

    // MARK: Actions

    private func perform(_ action: IMAPSession.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .send(let responses):
            write(responses, context: context)
        case .sendAndClose(let responses):
            write(responses, context: context)
            close(context: context)
        case .startTLS(let responses):
            write(responses, context: context)
            context.flush()
            startTLS(context: context)
        case .verifyPassword(let username, let password):
            attemptedUser = username
            if throttled(context: context) { return }
            ask(context: context, { [services] in await services.verifyPassword(username: username, password: password) }) { verdict in
                self.verdict(verdict)
                self.resume(self.session.loginVerified(verdict.outcome), context: context)
            }
        case .lookupCredentials(let username):
            attemptedUser = username
            if throttled(context: context) { return }
            ask(context: context, { [services] in await services.saslAccount(username: username) }) { verdict in
                self.verdict(verdict)
                self.resume(self.session.credentialsFound(verdict.credentials, outcome: verdict.outcome), context: context)
            }
        case .failedLogin(let responses, let failures, let close):
            services.throttle.recordFailure(clientKey)
            logLogin(ok: false, reason: refusalReason ?? "authentication failed")
            verifiedUser = nil
            after(services.failedLoginDelay(failures: failures), context: context) {
                self.write(responses, context: context)
                if close { self.close(context: context) } else { self.resume(nil, context: context) }
            }
        case .openMail(let name):
            openMail(name, context: context)
        case .execute(let tag, let command):
            execute(tag: tag, command, context: context)
        case .startIdle(let responses):
            write(responses, context: context)
            startIdle(context: context)
        case .endIdle(let responses):
            stopIdle()
            guard let engine else { return write(responses, context: context) }
            onPool(context: context, { engine.pendingUpdates() }) { result in
                self.write(((try? result.get()) ?? []) + responses, context: context)
                self.resume(nil, context: context)
            }
        }
    }

    private func write(_ responses: [IMAPResponse], context: ChannelHandlerContext) {
        guard !closed, !responses.isEmpty else { return }
        var size = 0
        let encoded = responses.map { response -> [UInt8] in
            let bytes = response.encoded()
            size += bytes.count
            return bytes
        }
        var buffer = context.channel.allocator.buffer(capacity: size)
        for bytes in encoded { buffer.writeBytes(bytes) }
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    /// A batch of a running command's responses: counted by the gate until the kernel has it.
    private func writeStreamed(_ bytes: [UInt8], gate: OutputGate, context: ChannelHandlerContext) {
        guard !closed else { return gate.written(bytes.count) }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let promise = context.eventLoop.makePromise(of: Void.self)
        let count = bytes.count
        promise.futureResult.whenComplete { _ in gate.written(count) }
        context.write(wrapOutboundOut(buffer), promise: promise)
        unflushed += count
        if unflushed >= Self.flushBytes {
            unflushed = 0
            context.flush()
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        outputGate?.close()
        timer?.cancel()
        endSession(reason: "close")
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func endSession(reason: String) {
        guard !ended else { return }
        ended = true
        stopIdle()
        guard let user = loggedInUser else { return logger.debug("disconnect") }
        services.releaseSession(user)
        logger.info("session end", metadata: ["user": "\(user)", "commands": "\(commands)", "end": "\(reason)"])
    }

    /// Runs blocking `work` on the blocking pool; `then` runs back on the event loop unless
    /// the connection closed meanwhile.
    private func onPool<T: Sendable>(context: ChannelHandlerContext, _ work: @escaping @Sendable () throws -> T,
                                     then: @escaping (Result<T, any Error>) -> Void) {
        context.flush()
        onPool(services.blockingPool, context: context, work) { result in
            guard !self.closed else { return }
            then(result)
        }
    }

    // MARK: Logins

    private func verdict(_ verdict: IMAPServices.Verdict) {
        verifiedUser = verdict.user
        refusalReason = verdict.reason
        switch verdict.outcome {
        case .temporaryFailure, .accountUnavailable:
            logLogin(ok: false, reason: verdict.reason ?? "\(verdict.outcome)")
        default:
            break
        }
    }

    /// When the client address is over imap.client_failure_limit: answers NO [UNAVAILABLE]
    /// after the failed-login delay, without asking the store, and returns true.
    private func throttled(context: ChannelHandlerContext) -> Bool {
        guard services.throttle.isBlocked(clientKey) else { return false }
        refusalReason = "too many failed logins from this address"
        after(services.failedLoginDelay(failures: session.failedLogins + 1), context: context) {
            self.resume(self.session.loginVerified(.throttled), context: context)
        }
        return true
    }

    private func logLogin(ok: Bool, reason: String?) {
        var metadata: Logger.Metadata = ["user": "\(attemptedUser ?? "")", "result": "\(ok ? "ok" : "failed")",
                                         "tls": "\(session.isTLS)"]
        if let reason { metadata["reason"] = "\(reason)" }
        logger.log(level: ok ? .info : .notice, "login", metadata: metadata)
        refusalReason = nil
    }

    private func openMail(_ name: String, context: ChannelHandlerContext) {
        guard let user = verifiedUser else { return resume(session.mailOpened(.temporaryFailure), context: context) }
        verifiedUser = nil
        guard services.claimSession(user.address) else {
            logLogin(ok: false, reason: "too many sessions")
            return resume(session.mailOpened(.tooManySessions), context: context)
        }
        onPool(context: context, { [services] in services.openMail(user) }) { result in
            guard let engine = (try? result.get()) ?? nil else {
                self.services.releaseSession(user.address)
                self.logLogin(ok: false, reason: "cannot open mail")
                return self.resume(self.session.mailOpened(.temporaryFailure), context: context)
            }
            self.engine = engine
            self.loggedInUser = user.address
            self.logLogin(ok: true, reason: nil)
            self.services.recordLogin(user, client: self.client)
            self.resume(self.session.mailOpened(.success(user: user.address)), context: context)
        }
    }

    // MARK: Mailbox commands

    /// `owners`: the other users' mail the command's URLAUTH URLs name, looked up first (in
    /// the store, asynchronously) when it has any (URLFETCH, APPEND with CATENATE).
    private func execute(tag: String, _ command: IMAPCommand, owners: [String: URLAuthOwnerMail]? = nil,
                         context: ChannelHandlerContext) {
        guard let engine else {
            return write([.tagged(tag: tag, status: .no, code: .unavailable, text: "Mail not available")], context: context)
        }
        if owners == nil {
            let names = IMAPMailboxEngine.urlOwners(in: command, excluding: loggedInUser ?? "")
            if !names.isEmpty {
                return ask(context: context, { [services] in await services.urlAuthOwners(names) }) { found in
                    self.execute(tag: tag, command, owners: found, context: context)
                }
            }
        }
        let loop = context.eventLoop
        let imap = services.configuration.imap
        let gate = OutputGate(limit: imap.maxOutputBytes, stallSeconds: imap.outputStallSeconds)
        outputGate = gate
        let stream = NIOLoopBound({ (bytes: [UInt8]) in self.writeStreamed(bytes, gate: gate, context: context) }, eventLoop: loop)
        let stall = NIOLoopBound({
            self.logger.info("client not reading", metadata: ["seconds": "\(imap.outputStallSeconds)"])
            self.close(context: context)
        }, eventLoop: loop)
        onPool(context: context, {
            // Encoded here, off the event loop, and handed over in batches of about
            // `streamBatchBytes` (a FETCH 1:* emits one response per message: one event-loop task
            // each would cost more than the encoding). In order: event-loop tasks run in the
            // order they are submitted, and the tagged reply below is delivered after them.
            var pending = IMAPEncodeBuffer()
            func handOver() {
                let bytes = pending.take()
                gate.submitted(bytes.count)
                loop.execute { stream.value(bytes) }
                if !gate.waitForRoom() { loop.execute { stall.value() } }
            }
            let reply = engine.execute(tag: tag, command, owners: owners ?? [:]) { responses in
                guard !responses.isEmpty, !gate.isClosed else { return }
                for response in responses { response.write(to: &pending) }
                if pending.bytes.count >= Self.streamBatchBytes { handOver() }
            }
            if !pending.bytes.isEmpty, !gate.isClosed { handOver() }
            return reply
        }) { result in
            self.outputGate = nil
            switch result {
            case .success(let reply): self.write([reply], context: context)
            case .failure: self.write([.tagged(tag: tag, status: .no, code: .serverBug, text: "Internal error")], context: context)
            }
            self.session.commandExecuted(selected: engine.isSelected)
            self.resume(nil, context: context)
        }
    }

    // MARK: IDLE

    private func startIdle(context: ChannelHandlerContext) {
        guard let engine else { return }
        context.flush()
        let loop = context.eventLoop
        let notice = NIOLoopBound({ self.changeNoticed(context: context) }, eventLoop: loop)
        observation = engine.observeSelected { loop.execute { notice.value() } }
        let seconds = services.configuration.imap.idleKeepaliveSeconds
        if seconds > 0 { scheduleKeepalive(context: context, seconds: seconds) }
        pushUpdates(context: context)
    }

    private func scheduleKeepalive(context: ChannelHandlerContext, seconds: Int) {
        let loopBound = NIOLoopBound({
            guard !self.closed, case .idling = self.session.phase else { return }
            self.write([.untagged(.condition(.ok, code: nil, text: "Still here"))], context: context)
            context.flush()
            self.scheduleKeepalive(context: context, seconds: seconds)
        }, eventLoop: context.eventLoop)
        keepalive = context.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { loopBound.value() }
    }

    private func stopIdle() {
        observation?.cancel()
        observation = nil
        keepalive?.cancel()
        keepalive = nil
        changeWhileBusy = false
    }

    private func changeNoticed(context: ChannelHandlerContext) {
        guard !closed, observation != nil else { return }
        if waiting {
            changeWhileBusy = true
            return
        }
        pushUpdates(context: context)
    }

    /// Sends the selected mailbox's changes now (IDLE).
    private func pushUpdates(context: ChannelHandlerContext) {
        guard let engine else { return }
        onPool(context: context, { engine.pendingUpdates() }) { result in
            self.write((try? result.get()) ?? [], context: context)
            self.resume(nil, context: context)
        }
    }

    // MARK: Timeouts

    private func armTimer(context: ChannelHandlerContext) {
        guard !closed else { return }
        let imap = services.configuration.imap
        timer?.arm(.seconds(Int64(session.isAuthenticated ? imap.idleTimeoutSeconds : imap.preauthTimeoutSeconds)))
    }

    private func timerExpired(context: ChannelHandlerContext) {
        guard !closed, !waiting else { return }
        logger.info("timeout")
        write([.untagged(.condition(.bye, code: nil, text: "Autologout; idle for too long"))], context: context)
        close(context: context)
    }

    // MARK: STARTTLS

    private func startTLS(context: ChannelHandlerContext) {
        guard let tls = services.tls else { return close(context: context) }
        // RFC 3501 §6.2.1: nothing the client sent before the handshake may be used.
        input.buffer.clear()
        framer = IMAPCommandFramer(limits: framer.limits)
        guard context.startServerTLS(tls, logger: logger) else { return close(context: context) }
        session.tlsEstablished()
    }
}
