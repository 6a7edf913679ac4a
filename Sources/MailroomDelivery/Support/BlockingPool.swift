// BlockingPool — a fixed set of threads for the queue runner's file work (reads, writes,
// fsyncs, renames). Swift tasks run on NIO's event loops in the server (docs/design.md), and an
// fsync may take milliseconds, so a delivery never writes on the thread that called it: it
// hands one closure per message to this pool and awaits the result. The pool size is the
// delivery concurrency, so at most that many threads ever wait on the disk.
// (NIOThreadPool does the same for the server; this module does not depend on NIOPosix.)

#if canImport(Glibc)
import Glibc
#endif
import Foundation

final class BlockingPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private var running = 0
    private let exited = NSCondition()

    init(threads: Int, name: String) {
        for n in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "\(name)-\(n)"
            running += 1
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                break
            }
            let job = jobs[head]
            head += 1
            if head > 1024, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
        exited.lock()
        running -= 1
        exited.broadcast()
        exited.unlock()
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on a pool thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Lets queued jobs finish, then ends the threads and waits for them.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        exited.lock()
        while running > 0 { exited.wait() }
        exited.unlock()
    }
}
