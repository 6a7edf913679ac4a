// DeliverySchedule — which queued message the runner starts next. Pure state (style rule 11):
// no clock, no I/O; the runner tells it what happened and asks it at `now:`.
//
//   - Bounded active set: at most `concurrency` messages are being delivered at once.
//   - Two lines, like Postfix's incoming and deferred queues: fresh messages (just committed,
//     or derived: bounces, forwards) wait in arrival order; deferred ones wait for their due
//     time. When both have work the runner takes from them in turn, so a burst of new mail
//     cannot starve retries, nor a large deferred backlog coming due delay new mail by more
//     than one message in two.
//   - A message is never in two places: active, fresh or waiting. Asking for one that is
//     active changes nothing (its attempt will schedule it again).
//   - `verify` travels with each message: whether its next attempt must look for copies an
//     earlier attempt may have written without recording them (after a crash, or after an
//     attempt that ended in an error), see MaildirDeposit.
// Per-destination concurrency does not apply yet: every delivery is local (remote recipients
// wait for the outbound issue).

import MailroomQueue

public struct DeliverySchedule: Sendable {
    public let concurrency: Int
    public private(set) var active: Set<QueueID> = []
    private var fresh: [QueueID] = []
    private var freshHead = 0
    private var freshSet: Set<QueueID> = []
    /// Waiting messages and their due time; `heap` may hold stale entries (lazy deletion).
    private var due: [QueueID: Int64] = [:]
    private var heap: [Entry] = []
    private var verify: Set<QueueID> = []
    private var takeFreshNext = true

    struct Entry: Sendable, Comparable {
        var time: Int64
        var id: QueueID
        static func < (a: Entry, b: Entry) -> Bool { a.time != b.time ? a.time < b.time : a.id < b.id }
    }

    public init(concurrency: Int) {
        self.concurrency = max(1, concurrency)
    }

    /// A message to deliver as soon as a slot is free (fresh line).
    public mutating func enqueue(_ id: QueueID, verify needsCheck: Bool = false) {
        if needsCheck { verify.insert(id) }
        if active.contains(id) || freshSet.contains(id) { return }
        due[id] = nil
        fresh.append(id)
        freshSet.insert(id)
    }

    /// A message to deliver at `time` (deferred line). A waiting message gets the new time; a
    /// fresh or active one is left as it is.
    public mutating func schedule(_ id: QueueID, at time: Int64, verify needsCheck: Bool = false) {
        if needsCheck { verify.insert(id) }
        if active.contains(id) || freshSet.contains(id) { return }
        if due[id] == time { return }
        due[id] = time
        push(Entry(time: time, id: id))
    }

    /// Forgets a waiting message (deleted or held meanwhile). Active ones are left alone.
    public mutating func forget(_ id: QueueID) {
        guard !active.contains(id) else { return }
        due[id] = nil
        if freshSet.remove(id) != nil, let index = fresh[freshHead...].firstIndex(of: id) { fresh.remove(at: index) }
        verify.remove(id)
    }

    /// The next message to start at `now`, marked active; nil when the active set is full or
    /// nothing is due.
    public mutating func next(now: Int64) -> (id: QueueID, verify: Bool)? {
        guard active.count < concurrency else { return nil }
        dropStale()
        let freshReady = freshHead < fresh.count
        let deferredReady = heap.first.map { $0.time <= now } ?? false
        let id: QueueID
        if freshReady && (takeFreshNext || !deferredReady) {
            id = fresh[freshHead]
            freshHead += 1
            freshSet.remove(id)
            if freshHead > 1024, freshHead * 2 > fresh.count {
                fresh.removeFirst(freshHead)
                freshHead = 0
            }
            takeFreshNext = false
        } else if deferredReady {
            let entry = pop()
            id = entry.id
            due[id] = nil
            takeFreshNext = true
        } else {
            return nil
        }
        active.insert(id)
        return (id, verify.remove(id) != nil)
    }

    /// An attempt ended: wait until `nextAttempt` (nil: the message is done or gone). With
    /// `verify`, its next attempt looks for unrecorded copies.
    public mutating func finished(_ id: QueueID, nextAttempt: Int64?, verify needsCheck: Bool = false) {
        active.remove(id)
        if let nextAttempt {
            schedule(id, at: nextAttempt, verify: needsCheck)
        } else if !freshSet.contains(id) {
            verify.remove(id)
        }
    }

    /// When the earliest waiting message is due.
    public mutating func nextDue() -> Int64? {
        dropStale()
        return heap.first?.time
    }

    /// Whether something could start at `now` (ignoring the concurrency bound).
    public mutating func hasWork(now: Int64) -> Bool {
        if freshHead < fresh.count { return true }
        dropStale()
        return heap.first.map { $0.time <= now } ?? false
    }

    /// Messages waiting for a due time, with it.
    public var waiting: [QueueID: Int64] { due }

    /// Fresh messages not started yet.
    public var freshCount: Int { fresh.count - freshHead }

    public func isKnown(_ id: QueueID) -> Bool {
        active.contains(id) || freshSet.contains(id) || due[id] != nil
    }

    // MARK: Binary heap of (time, id)

    private mutating func dropStale() {
        while let top = heap.first, due[top.id] != top.time { _ = pop() }
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = parent * 2 + 1, right = left + 1
                var smallest = parent
                if left < heap.count, heap[left] < heap[smallest] { smallest = left }
                if right < heap.count, heap[right] < heap[smallest] { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
