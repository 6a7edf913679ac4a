// QueueRunner — delivers what the spool holds: fresh messages the moment the SMTP server has
// committed them (`enqueued`), everything found at start-up (the scan resumes whatever a crash
// interrupted), and deferred messages when their backoff ends. The server and `mailroom queue
// run` use it the same way.
//
//     let runner = QueueRunner(spool: spool, store: store, options: options, logger: logger)
//     runner.start()              // takes the spool's runner lock, scans, starts the loop
//     runner.enqueued(id)         // after SpoolWriter.commit() returned (and 250 was sent)
//     await runner.stop()         // lets the deliveries in progress finish
//
// Concurrency: at most `options.deliveryConcurrency` messages are in delivery at once
// (DeliverySchedule, which also alternates fresh and deferred mail). Each attempt asks the
// account store on its task and does its file work on the runner's own threads
// (BlockingPool), never on the caller's event loop.
// Start before the listeners: the start-up scan removes what is in incoming/ (receptions a
// crash interrupted), so no session may be receiving yet.
// Exclusivity: one runner per spool, by a flock on <spool>/runner.lock; a second one (a
// `mailroom queue run` beside a running server) does not start — two runners could deliver one
// message at the same moment.
// Time: the loop wakes every second. It starts what has come due, and re-reads the spool's due
// times (queue file mtimes) when `mailroom queue retry|release` left a flush request
// (Spool.requestRun) or every `scanIntervalSeconds`, which also picks up messages queued by
// another process.
// Idempotence: messages found by a scan (and after an attempt that ended in an error) are
// delivered with `verify`, which looks for copies an interrupted attempt wrote before it could
// record them; fresh messages skip that look (see QueueDelivery and MaildirDeposit).
// Security: runs as the mail owner (it writes every mailbox); message contents choose no path.

#if canImport(Glibc)
import Glibc
#endif
import Logging
import MailroomQueue
import MailroomStore
import NIOConcurrencyHelpers

public enum QueueRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the spool's runner lock.
    case busy(String)
    case queue(QueueError)

    public var description: String {
        switch self {
        case .busy(let spool):
            "the queue in \(spool) is being run by another process (a running server or `mailroom queue run`); "
                + "use `mailroom queue retry` to make it try again now"
        case .queue(let error): "\(error)"
        }
    }
}

public final class QueueRunner: Sendable {
    /// What the runner has done since it was made.
    public struct Statistics: Sendable, Equatable {
        /// Delivery attempts (one per message and attempt).
        public var attempts = 0
        /// Recipient results by kind.
        public var sent = 0, deferred = 0, bounced = 0
        public init() {}
    }

    enum Phase: Sendable { case created, running, once, stopping, stopped }

    struct State: Sendable {
        var phase: Phase = .created
        var schedule: DeliverySchedule
        var pool: BlockingPool?
        var lock: RunnerLock?
        var loop: Task<Void, Never>?
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var lastScan: Int64 = 0
        var statistics = Statistics()
    }

    public let spool: Spool
    public let options: DeliveryOptions
    let delivery: QueueDelivery
    let clock: @Sendable () -> Int64
    let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let syncs = DirectorySyncsHandle()

    /// A logger that drops everything (the default, for tests and tools that log nothing).
    public static let silentLogger = Logger(label: "mailroom.delivery", factory: { _ in SwiftLogNoOpLogHandler() })

    /// `clock` gives seconds since 1970 (tests move it forward to walk the retry schedule).
    public init(spool: Spool, store: any AccountStore, options: DeliveryOptions, logger: Logger = QueueRunner.silentLogger,
                clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) {
        self.spool = spool
        self.options = options
        self.logger = logger
        self.clock = clock
        delivery = QueueDelivery(spool: spool, options: options,
                                 expansion: .store(store, maximumNesting: options.maxAliasNesting),
                                 syncs: syncs, logger: logger)
        state = NIOLockedValueBox(State(schedule: DeliverySchedule(concurrency: options.deliveryConcurrency)))
    }

    // MARK: Server mode

    /// Takes the runner lock, resumes everything queued and starts the retry loop. If another
    /// process runs this spool's queue, logs an error and delivers nothing.
    public func start() {
        do throws(QueueRunnerError) {
            try begin(.running)
        } catch {
            logger.error("queue runner not started", metadata: ["error": "\(error)"])
            return
        }
        let loop = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                if Task.isCancelled { break }
                await tick()
            }
        }
        state.withLockedValue { $0.loop = loop }
        pump()
    }

    /// A message was just committed to the spool: deliver it as soon as a slot is free.
    public func enqueued(_ id: QueueID) {
        state.withLockedValue { $0.schedule.enqueue(id) }
        pump()
    }

    /// Makes every queued message due now (what `mailroom queue retry --all` asks of a running
    /// server through the spool).
    public func retryAll() {
        let now = clock()
        state.withLockedValue { s in
            for id in s.schedule.waiting.keys { s.schedule.schedule(id, at: now) }
        }
        pump()
    }

    /// Stops starting deliveries, waits for those in progress, ends the threads and releases
    /// the lock. Messages not finished stay queued for the next start.
    public func stop() async {
        let loop = state.withLockedValue { s -> Task<Void, Never>? in
            if s.phase == .running || s.phase == .once { s.phase = .stopping }
            defer { s.loop = nil }
            return s.loop
        }
        loop?.cancel()
        await waitForActive()
        let (pool, lock) = state.withLockedValue { s -> (BlockingPool?, RunnerLock?) in
            s.phase = .stopped
            defer { s.pool = nil; s.lock = nil }
            return (s.pool, s.lock)
        }
        pool?.shutdown()
        lock?.release()
    }

    // MARK: Once (mailroom queue run --once)

    /// Resumes and delivers everything that is due, including what that queues (bounces,
    /// forwards), then stops. Deferred messages keep their next attempt.
    @discardableResult
    public func runOnce() async throws(QueueRunnerError) -> Statistics {
        try begin(.once)
        pump()
        await waitUntilIdle()
        await stop()
        return statistics
    }

    /// Returns when nothing is being delivered and nothing is due.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = clock()
            let idle = state.withLockedValue { s -> Bool in
                if s.schedule.active.isEmpty, s.phase != .running && s.phase != .once || !s.schedule.hasWork(now: now) {
                    return true
                }
                s.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    public var statistics: Statistics { state.withLockedValue { $0.statistics } }

    /// Directory fsyncs made for Maildir new/ directories (shared between deliveries).
    public var directorySyncCount: Int { syncs.syncCount }

    // MARK: Internals

    private func begin(_ phase: Phase) throws(QueueRunnerError) {
        let lock: RunnerLock?
        do {
            lock = try spool.lockRunner()
        } catch {
            throw .queue(error)
        }
        guard let lock else { throw .busy(spool.directory) }
        let scan: Spool.ScanResult
        do {
            scan = try spool.scan()
        } catch {
            lock.release()
            throw .queue(error)
        }
        if scan.removedIncoming > 0 {
            logger.info("removed unacknowledged receptions", metadata: ["count": "\(scan.removedIncoming)"])
        }
        for path in scan.unreadable {
            logger.warning("not a queue file", metadata: ["path": "\(path)"])
        }
        let now = clock()
        state.withLockedValue { s in
            s.phase = phase
            s.lock = lock
            s.pool = BlockingPool(threads: options.deliveryConcurrency, name: "mailroom-delivery")
            s.lastScan = now
            for id in scan.queued {
                s.schedule.schedule(id, at: scan.nextAttempt[id] ?? now, verify: true)
            }
        }
        if !scan.queued.isEmpty {
            logger.info("queue resumed", metadata: ["queued": "\(scan.queued.count)", "held": "\(scan.held.count)"])
        }
    }

    /// The runner's threads while it runs (not while it stops, or runs in another process).
    var runningPool: BlockingPool? {
        state.withLockedValue { $0.phase == .running ? $0.pool : nil }
    }

    /// Counts recipients delivered outside an attempt (at reception).
    func countSent(_ recipients: Int) {
        state.withLockedValue { $0.statistics.sent += recipients }
    }

    /// Starts every delivery that may start now.
    private func pump() {
        let now = clock()
        let starts = state.withLockedValue { s -> [(QueueID, Bool, BlockingPool)] in
            guard s.phase == .running || s.phase == .once, let pool = s.pool else { return [] }
            var starts: [(QueueID, Bool, BlockingPool)] = []
            while let next = s.schedule.next(now: now) {
                starts.append((next.id, next.verify, pool))
                s.statistics.attempts += 1
            }
            return starts
        }
        for (id, verify, pool) in starts {
            Task { [self] in
                let result = await delivery.attempt(id, verify: verify, pool: pool, now: clock)
                finished(id, result)
            }
        }
    }

    private func finished(_ id: QueueID, _ result: AttemptResult) {
        state.withLockedValue { s in
            s.schedule.finished(id, nextAttempt: result.nextAttempt, verify: result.verifyNext)
            for derived in result.derived { s.schedule.enqueue(derived) }
            s.statistics.sent += result.sent
            s.statistics.deferred += result.deferred
            s.statistics.bounced += result.bounced
        }
        pump()
        let now = clock()
        let waiters = state.withLockedValue { s -> [CheckedContinuation<Void, Never>] in
            guard s.schedule.active.isEmpty else { return [] }
            let stopping = s.phase != .running && s.phase != .once
            guard stopping || !s.schedule.hasWork(now: now) else { return [] }
            defer { s.idleWaiters = [] }
            return s.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForActive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLockedValue { s -> Bool in
                if s.schedule.active.isEmpty { return true }
                s.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Once a second: a flush request or the scan interval re-reads the due times; then start
    /// what is due.
    private func tick() async {
        let now = clock()
        let (pool, rescan) = state.withLockedValue { s -> (BlockingPool?, Bool) in
            (s.pool, now - s.lastScan >= options.scanIntervalSeconds)
        }
        guard let pool else { return }
        let spool = self.spool
        let flush = await pool.run { spool.takeRunRequest() }
        if flush || rescan {
            let due = await pool.run { spool.queuedDueTimes() }
            state.withLockedValue { s in
                s.lastScan = now
                for (id, time) in due {
                    if !s.schedule.isKnown(id) {
                        s.schedule.schedule(id, at: time, verify: true)
                    } else if let waiting = s.schedule.waiting[id], waiting != time {
                        s.schedule.schedule(id, at: time)
                    }
                }
                for id in s.schedule.waiting.keys where due[id] == nil {
                    s.schedule.forget(id)
                }
            }
        }
        pump()
    }
}
