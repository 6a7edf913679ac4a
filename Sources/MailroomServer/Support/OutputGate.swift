// OutputGate — back-pressure for responses produced on the blocking pool: the thread running
// a command (an IMAP FETCH of a whole mailbox, say) hands each batch of response octets to the
// event loop and waits here while `limit` octets or more are still on their way (queued for the
// event loop, or written to the channel and not yet taken by the kernel: a batch counts until
// its write promise completes). So a client that reads slowly or not at all costs the server
// about `limit` plus one batch, not the mailbox.
//
// The pool thread calls `submitted(_:)` then `waitForRoom()`; the event loop calls `written(_:)`
// when a batch's write completes (or fails), and `close()` when the connection ends (a waiting
// thread goes on; its output is dropped). `waitForRoom()` gives up after `stallSeconds` without
// progress and returns false; the caller closes the connection.

import Foundation

final class OutputGate: @unchecked Sendable {
    let limit: Int
    let stallSeconds: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var inFlight = 0
    private var closed = false
    private var stalled = false
    private var peak = 0

    /// The most octets ever on their way at once (tests read it).
    var peakInFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }

    init(limit: Int, stallSeconds: Int) {
        self.limit = max(1, limit)
        self.stallSeconds = stallSeconds
    }

    func submitted(_ octets: Int) {
        condition.lock()
        inFlight += octets
        peak = max(peak, inFlight)
        condition.unlock()
    }

    func written(_ octets: Int) {
        condition.lock()
        inFlight -= octets
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Waits until the output may grow (or the connection is gone); false when the client has
    /// read nothing for `stallSeconds` (once false, always false: the connection is closing).
    func waitForRoom() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: TimeInterval(stallSeconds))
        while !closed, !stalled, inFlight >= limit {
            if !condition.wait(until: deadline) { stalled = true }
        }
        return !stalled
    }
}
