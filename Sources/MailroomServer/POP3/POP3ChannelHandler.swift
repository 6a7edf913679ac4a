// POP3ChannelHandler — the NIO adapter of one POP3 connection (style rules 2 and 3): bytes go
// through POP3LineFramer, lines become events of the pure POP3Session, and the session's
// actions are carried out in one `switch` in `perform`: the only place that writes, closes,
// starts TLS, asks the account store or touches the maildrop.
//
// Standards: RFC 1939 (§3 the autologout timer, §6 deletions only at QUIT, §8 the maildrop
// lock), RFC 2449 §6.6 (PIPELINING: replies in order; they are flushed once the input holds no
// further complete line, or before waiting), RFC 2595 §4 (STLS: "+OK" in clear, every byte
// the client sent after the command is thrown away, the TLS handler goes first in the
// pipeline), RFC 5034 (AUTH, run by the session).
//
// While an action is outstanding (a store lookup, opening the maildrop, a message being
// streamed, the commit, the delay before a failed-login reply) no further input is handled;
// lines queue in `input` (reading stops past PendingInput.maximumBytes), so replies keep the
// order of the commands and nothing sent after STLS is executed.
// RETR/TOP: the file is read in 64 KiB chunks on the blocking pool (never on the event loop),
// each chunk goes through POP3MessageWriter (CRLF, dot-stuffing) and is written at once; the
// next chunk is read only while the channel is writable, so a client that reads slowly holds
// at most a chunk or two of a 50 MB message in memory.
// Timeouts: pop3.command_timeout_seconds of inactivity (RFC 1939 §3: at least 10 minutes,
// counted while a message is stuck on a client that does not read too); the session closes
// and deletes nothing.
// Logs: one line per login (user, client, ok or failed and why), one per session end
// (messages and octets retrieved, messages deleted).
//
// Security:
// - Failed logins are answered after pop3.failed_login_delay_seconds × the failures so far and
//   counted per client address (LoginThrottle); an address over pop3.client_failure_limit is
//   refused "-ERR [SYS/TEMP]" without the store being asked, after the same delay.
// - The maildrop lock is released on every way out: QUIT (after the deletions), close,
//   disconnect, and by the kernel on a crash. Only QUIT in TRANSACTION deletes anything.
// - Passwords never reach the log.

import Logging
import MailroomCore
import MailroomPOP3
import MailroomStore
import NIOCore
import NIOSSL

final class POP3ChannelHandler: ChannelInboundHandler, RemovableChannelHandler, SessionConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let services: POP3Services
    private let client: IPAddress?
    private let clientKey: String
    private var session: POP3Session
    private var framer: POP3LineFramer
    private var input = PendingInput()
    private var logger: Logger

    /// An action is outstanding: input waits.
    var waiting = false
    private(set) var closed = false
    private var inProcess = false
    private var shutdownPending = false

    /// The verified account whose maildrop is to be opened, and the login's name and refusal
    /// reason (for the log).
    private var verifiedUser: User?
    private var attemptedUser: String?
    private var refusalReason: String?
    private var maildrop: OpenMaildrop?
    private var committing = false

    private struct Stream {
        var file: MessageFile
        var writer: POP3MessageWriter
        var octets = 0
    }
    private var stream: Stream?
    /// Streaming waits for the channel to become writable.
    private var writeStalled = false

    private var timer: IdleTimer?

    private var loggedInUser: String?
    private var retrieved = 0
    private var retrievedOctets = 0
    private var deleted = 0
    private var ended = false

    init(services: POP3Services, listener: String, client: IPAddress?, implicitTLS: Bool) {
        self.services = services
        self.client = client
        clientKey = client?.description ?? "unknown"
        let configuration = services.sessionConfiguration(loopback: client?.isLoopback ?? false)
        session = POP3Session(configuration: configuration, tls: implicitTLS)
        framer = POP3LineFramer(limits: configuration.limits)
        logger = services.logger
        logger[metadataKey: "client"] = "\(clientKey)"
        logger[metadataKey: "listener"] = "\(listener)"
    }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        input.buffer = context.channel.allocator.buffer(capacity: 256)
        timer = IdleTimer(eventLoop: context.eventLoop) { [unowned self] in self.timerExpired(context: context) }
        logger.debug("connect")
        perform(session.greeting(), context: context)
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

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if writeStalled, context.channel.isWritable {
            writeStalled = false
            readChunk(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        timer?.cancel()
        _ = session.connectionLost()
        endSession(reason: "disconnect")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.connectionError(error)
        _ = session.connectionLost()
        close(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is POP3ShutdownEvent {
            if closed { return }
            if waiting {
                shutdownPending = true
            } else {
                perform(session.shuttingDown(), context: context)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Input

    /// Handles every complete line in `input`, unless an action is outstanding.
    private func process(context: ChannelHandlerContext) {
        guard !inProcess else { return }
        inProcess = true
        defer { inProcess = false }
        while !waiting, !closed {
            framer.lineKind = session.nextLineKind
            let step = framer.next(in: input.buffer.readableBytesView)
            input.buffer.moveReaderIndex(forwardBy: step.consumed)
            guard let event = step.event else { break }
            switch event {
            case .line(let line): perform(session.lineReceived(line), context: context)
            case .lineTooLong: perform(session.lineTooLong(), context: context)
            }
        }
        input.handled(waiting: waiting, closed: closed, context: context)
        if !closed { context.flush() }
    }

    /// The outstanding action is done: apply the session's answer, then read on.
    private func resume(_ action: POP3Session.Action?, context: ChannelHandlerContext) {
        waiting = false
        guard !closed else { return }
        armTimer(context: context)
        if let action { perform(action, context: context) }
        if shutdownPending, !waiting, !closed { perform(session.shuttingDown(), context: context) }
        process(context: context)
    }

    // MARK: Actions

    private func perform(_ action: POP3Session.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .reply(let reply):
            write(reply, context: context)
        case .replyAndClose(let reply):
            write(reply, context: context)
            close(context: context)
        case .failedLogin(let reply, let failures, let close):
            failedLogin(reply, failures: failures, close: close, context: context)
        case .startTLS(let reply):
            write(reply, context: context)
            context.flush()
            startTLS(context: context)
        case .verifyPassword(let username, let password):
            attemptedUser = username
            if throttled(context: context, answer: { $0.passwordChecked(.temporaryFailure) }) { return }
            ask(context: context, { [services] in await services.verifyPassword(username: username, password: password) }) { verdict in
                self.verdict(verdict)
                self.resume(self.session.passwordChecked(verdict.outcome), context: context)
            }
        case .lookupCredentials(let username):
            attemptedUser = username
            if throttled(context: context, answer: { $0.credentialsFound(nil, outcome: .temporaryFailure) }) { return }
            ask(context: context, { [services] in await services.saslAccount(username: username) }) { verdict in
                self.verdict(verdict)
                self.resume(self.session.credentialsFound(verdict.credentials, outcome: verdict.outcome), context: context)
            }
        case .openMaildrop:
            openMaildrop(context: context)
        case .sendMessage(let reply, let number, let bodyLines):
            sendMessage(reply, number: number, bodyLines: bodyLines, context: context)
        case .commitDeletions(let numbers):
            commitDeletions(numbers, context: context)
        }
    }

    private func write(_ reply: POP3Reply, context: ChannelHandlerContext) {
        guard !closed else { return }
        write(reply.encoded, context: context)
    }

    private func write(_ bytes: [UInt8], context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        timer?.cancel()
        endSession(reason: session.protocolState == .closed && !writeStalled ? "close" : "abort")
        // The last reply goes out before the connection closes.
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)))
            .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Releases what the session holds (the maildrop lock unless the commit still runs, an
    /// open message file) and logs the end of a logged-in session, once.
    private func endSession(reason: String) {
        guard !ended else { return }
        ended = true
        stream?.file.close()
        stream = nil
        if !committing {
            maildrop?.lock.release()
            maildrop = nil
        }
        guard let user = loggedInUser else { return logger.debug("disconnect") }
        logger.info("session end", metadata: ["user": "\(user)", "retrieved": "\(retrieved)",
                                              "retrieved_octets": "\(retrievedOctets)", "deleted": "\(deleted)",
                                              "end": "\(reason)"])
    }

    /// Runs blocking `work` on the blocking pool; `then` runs back on the event loop.
    private func onPool<T: Sendable>(context: ChannelHandlerContext, _ work: @escaping @Sendable () throws -> T,
                                     then: @escaping (Result<T, any Error>) -> Void) {
        onPool(services.blockingPool, context: context, work, then: then)
    }

    // MARK: Logins

    private func verdict(_ verdict: POP3Services.Verdict) {
        verifiedUser = verdict.user
        refusalReason = verdict.reason
        switch verdict.outcome {
        case .temporaryFailure, .accountUnavailable, .loginDelay:
            logLogin(ok: false, reason: verdict.reason ?? "\(verdict.outcome)")
        case .success, .invalidCredentials, .pop3Disabled:
            break
        }
    }

    /// When the client address is over pop3.client_failure_limit: answers `answer` after the
    /// failed-login delay, without asking the store, and returns true.
    private func throttled(context: ChannelHandlerContext, answer: @escaping (inout POP3Session) -> POP3Session.Action) -> Bool {
        guard services.throttle.isBlocked(clientKey) else { return false }
        logLogin(ok: false, reason: "too many failed logins from this address")
        after(services.failedLoginDelay(failures: session.failedLogins + 1), context: context) {
            self.resume(answer(&self.session), context: context)
        }
        return true
    }

    private func failedLogin(_ reply: POP3Reply, failures: Int, close: Bool, context: ChannelHandlerContext) {
        services.throttle.recordFailure(clientKey)
        logLogin(ok: false, reason: refusalReason ?? "authentication failed")
        verifiedUser = nil
        after(services.failedLoginDelay(failures: failures), context: context) {
            self.write(reply, context: context)
            if close { self.close(context: context) } else { self.resume(nil, context: context) }
        }
    }

    private func logLogin(ok: Bool, reason: String?, _ extra: Logger.Metadata = [:]) {
        var metadata: Logger.Metadata = ["user": "\(attemptedUser ?? "")", "result": "\(ok ? "ok" : "failed")",
                                         "tls": "\(session.isTLS)"]
        if let reason { metadata["reason"] = "\(reason)" }
        metadata.merge(extra) { $1 }
        logger.log(level: ok ? .info : .notice, "login", metadata: metadata)
        refusalReason = nil
    }

    // MARK: Maildrop

    private func openMaildrop(context: ChannelHandlerContext) {
        guard let user = verifiedUser else { return resume(session.maildropOpened(.temporaryFailure), context: context) }
        verifiedUser = nil
        context.flush()
        onPool(context: context, { [services] in services.openMaildrop(user) }) { result in
            let (outcome, opened) = (try? result.get()) ?? (.temporaryFailure, nil)
            guard !self.closed else {
                opened?.lock.release()
                return
            }
            self.maildrop = opened
            switch outcome {
            case .opened(let messages):
                self.loggedInUser = user.address
                self.logLogin(ok: true, reason: nil, ["messages": "\(messages.count)",
                                                      "octets": "\(messages.reduce(0) { $0 + $1.size })"])
                self.services.recordLogin(user, client: self.client)
            case .inUse:
                self.logLogin(ok: false, reason: "maildrop in use")
            case .temporaryFailure, .permanentFailure:
                self.logLogin(ok: false, reason: "cannot open maildrop")
            }
            self.resume(self.session.maildropOpened(outcome), context: context)
        }
    }

    private func commitDeletions(_ numbers: [Int], context: ChannelHandlerContext) {
        guard let maildrop else { return resume(session.deletionsCommitted(.failed), context: context) }
        let uids = numbers.compactMap { maildrop.uids.indices.contains($0 - 1) ? maildrop.uids[$0 - 1] : nil }
        committing = true
        context.flush()
        onPool(context: context, { [services] in services.expunge(maildrop, uids: uids) }) { result in
            let verdict = (try? result.get()) ?? .failed
            if verdict == .committed { self.deleted = uids.count }
            self.committing = false
            maildrop.lock.release()
            self.maildrop = nil
            self.resume(self.session.deletionsCommitted(verdict), context: context)
        }
    }

    // MARK: RETR and TOP

    private func sendMessage(_ reply: POP3Reply, number: Int, bodyLines: Int?, context: ChannelHandlerContext) {
        guard let maildrop, maildrop.files.indices.contains(number - 1) else {
            return resume(session.messageUnavailable(), context: context)
        }
        let allocator = context.channel.allocator
        onPool(context: context, { [services] in services.openMessage(maildrop, index: number - 1, allocator: allocator) }) { result in
            let opened = (try? result.get()) ?? nil
            guard !self.closed else {
                opened?.0.close()
                return
            }
            guard let (file, chunk) = opened else { return self.resume(self.session.messageUnavailable(), context: context) }
            self.write(reply, context: context)
            self.stream = Stream(file: file, writer: POP3MessageWriter(bodyLines: bodyLines))
            self.pump(chunk, context: context)
        }
    }

    /// Encodes and writes one chunk; ends the message, or reads the next chunk when the
    /// channel can take more.
    private func pump(_ chunk: MessageFile.Chunk, context: ChannelHandlerContext) {
        guard var current = stream else { return }
        var output: [UInt8] = []
        if chunk.bytes.readableBytes > 0 {
            output.reserveCapacity(chunk.bytes.readableBytes + chunk.bytes.readableBytes / 16 + 8)
            current.writer.write(chunk.bytes.readableBytesView, into: &output)
        }
        let done = chunk.atEnd || current.writer.isComplete
        if done { current.writer.finish(into: &output) }
        current.octets += output.count
        if !output.isEmpty { write(output, context: context) }
        guard !done else {
            current.file.close()
            stream = nil
            retrieved += 1
            retrievedOctets += current.octets
            return resume(session.messageSent(), context: context)
        }
        stream = current
        context.flush()
        armTimer(context: context)
        if context.channel.isWritable {
            readChunk(context: context)
        } else {
            writeStalled = true
        }
    }

    private func readChunk(context: ChannelHandlerContext) {
        guard let file = stream?.file, !closed else { return }
        let allocator = context.channel.allocator
        onPool(context: context, { try file.read(POP3Services.chunkBytes, allocator: allocator) }) { result in
            guard !self.closed else { return }
            switch result {
            case .success(let chunk):
                self.pump(chunk, context: context)
            case .failure(let error):
                // Part of the message is out: the stream cannot be mended (RFC 1939 has no way).
                self.logger.error("cannot read message", metadata: ["error": "\(error)"])
                _ = self.session.connectionLost()
                self.close(context: context)
            }
        }
    }

    // MARK: Timeouts

    /// Moves the inactivity deadline to now + pop3.command_timeout_seconds (IdleTimer).
    private func armTimer(context: ChannelHandlerContext) {
        guard !closed else { return }
        timer?.arm(.seconds(Int64(services.configuration.pop3.commandTimeoutSeconds)))
    }

    private func timerExpired(context: ChannelHandlerContext) {
        // While the store or the disk answers, the timer is armed again when it has; a message
        // stuck on a client that does not read counts as inactivity.
        guard !closed, !waiting || writeStalled else { return }
        logger.info("timeout")
        if writeStalled {
            _ = session.connectionLost()
            return close(context: context)
        }
        perform(session.timedOut(), context: context)
    }

    // MARK: STLS

    private func startTLS(context: ChannelHandlerContext) {
        guard let tls = services.tls else { return close(context: context) }
        // RFC 2595 §4: nothing the client sent before the handshake may be used.
        input.buffer.clear()
        framer = POP3LineFramer(limits: framer.limits)
        guard context.startServerTLS(tls, logger: logger) else { return close(context: context) }
        perform(session.tlsEstablished(), context: context)
    }
}
