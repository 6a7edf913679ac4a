// SessionConnection — what the POP3 and IMAP channel handlers share around their sessions:
// input held while an action is outstanding (reading paused past a bound, so a client that
// pipelines without end cannot make the server buffer without end), and running an action's
// work — a store lookup as a task, disk work on the blocking pool, a delay — with input held
// until the answer is back on the event loop.
//
// Both handlers answer commands strictly in order (RFC 2449 §6.6 PIPELINING, RFC 3501 §5.5):
// `waiting` is true from the moment an action starts until its answer is applied, and no input
// is handled meanwhile.

import NIOCore
import NIOPosix

/// Bytes received but not yet handled.
struct PendingInput {
    /// Input kept while an action is outstanding before reading stops (a pipelining client
    /// sends far less: 10,000 POP3 RETR lines are about 100 KB).
    static let maximumBytes = 1 << 20

    var buffer = ByteBuffer()
    private(set) var readingPaused = false

    /// Adds a read; stops reading from the socket when `waiting` and over `maximumBytes`.
    mutating func append(_ bytes: inout ByteBuffer, waiting: Bool, context: ChannelHandlerContext) {
        buffer.writeBuffer(&bytes)
        if waiting, buffer.readableBytes > Self.maximumBytes, !readingPaused {
            readingPaused = true
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }

    /// After the handled input: gives consumed space back and reads again if reading stopped.
    mutating func handled(waiting: Bool, closed: Bool, context: ChannelHandlerContext) {
        if buffer.readableBytes == 0, buffer.capacity > 65536 {
            // A large APPEND or a burst is over: do not keep its memory for the connection's life.
            buffer = context.channel.allocator.buffer(capacity: 256)
        } else if buffer.readerIndex > 65536 {
            buffer.discardReadBytes()
        }
        if readingPaused, !waiting, !closed {
            readingPaused = false
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }
}

/// A channel handler that runs a session's actions one at a time.
protocol SessionConnection: AnyObject {
    /// An action is outstanding: input waits.
    var waiting: Bool { get set }
    var closed: Bool { get }
}

extension SessionConnection {
    /// Runs `work` (a store lookup) as a task; `then` runs back on the event loop unless the
    /// connection closed meanwhile.
    func ask<T: Sendable>(context: ChannelHandlerContext, _ work: @escaping @Sendable () async -> T,
                          then: @escaping (T) -> Void) {
        waiting = true
        context.flush()
        let promise = context.eventLoop.makePromise(of: T.self)
        promise.completeWithTask { await work() }
        promise.futureResult.assumeIsolated().whenSuccess { value in
            guard !self.closed else { return }
            then(value)
        }
    }

    /// Runs blocking `work` on `pool`; `then` runs back on the event loop, also when the
    /// connection closed meanwhile (so it can release what the work took).
    func onPool<T: Sendable>(_ pool: NIOThreadPool, context: ChannelHandlerContext,
                             _ work: @escaping @Sendable () throws -> T, then: @escaping (Result<T, any Error>) -> Void) {
        waiting = true
        pool.runIfActive(eventLoop: context.eventLoop, work).assumeIsolated().whenComplete(then)
    }

    /// Holds input and runs `body` after `delay` (a failed login's answer).
    func after(_ delay: TimeAmount, context: ChannelHandlerContext, _ body: @escaping () -> Void) {
        waiting = true
        context.flush()
        guard delay > .zero else { return body() }
        let loopBound = NIOLoopBound(body, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: delay) {
            loopBound.value()
        }
    }
}
