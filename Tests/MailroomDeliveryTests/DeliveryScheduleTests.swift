// The runner's schedule as pure state: the bounded active set, fresh and deferred mail taken in
// turn, due times in order, a message never in two places, and the verify flag carried along.

import MailroomQueue
import Testing
@testable import MailroomDelivery

@Suite("Delivery schedule")
struct DeliveryScheduleTests {
    let ids = (0..<20).map { QueueID.make(now: 1_700_000_000_000_000 + UInt64($0)) }

    @Test("never more than `concurrency` active; finishing one frees a slot")
    func bounded() {
        var s = DeliverySchedule(concurrency: 3)
        for id in ids.prefix(5) { s.enqueue(id) }
        var started: [QueueID] = []
        while let next = s.next(now: 0) { started.append(next.id) }
        #expect(started == Array(ids.prefix(3)))
        s.finished(ids[1], nextAttempt: nil)
        #expect(s.next(now: 0)?.id == ids[3])
        #expect(s.next(now: 0) == nil)
        #expect(s.active == [ids[0], ids[2], ids[3]])
    }

    @Test("fresh and due deferred messages are taken in turn; deferred ones in due order")
    func fairness() {
        var s = DeliverySchedule(concurrency: 100)
        for id in ids.prefix(4) { s.enqueue(id) }
        s.schedule(ids[10], at: 50)
        s.schedule(ids[11], at: 10)
        s.schedule(ids[12], at: 999)
        var order: [QueueID] = []
        while let next = s.next(now: 100) { order.append(next.id) }
        #expect(order == [ids[0], ids[11], ids[1], ids[10], ids[2], ids[3]])
        #expect(s.nextDue() == 999)
        #expect(s.next(now: 999)?.id == ids[12])
    }

    @Test("a message is in one place only: enqueueing an active one changes nothing; rescheduling moves it")
    func onePlace() {
        var s = DeliverySchedule(concurrency: 10)
        s.schedule(ids[0], at: 100)
        s.schedule(ids[0], at: 40)
        #expect(s.next(now: 50)?.id == ids[0])
        s.enqueue(ids[0])
        s.schedule(ids[0], at: 0)
        #expect(s.next(now: 1000) == nil, "already active")
        s.finished(ids[0], nextAttempt: 300)
        #expect(s.waiting == [ids[0]: 300])
        s.enqueue(ids[0])   // retry now: from the deferred line to the fresh one
        #expect(s.waiting.isEmpty)
        #expect(s.next(now: 0)?.id == ids[0])
        s.finished(ids[0], nextAttempt: nil)
        #expect(!s.isKnown(ids[0]))
    }

    @Test("verify travels with the message until its next start")
    func verify() {
        var s = DeliverySchedule(concurrency: 10)
        s.schedule(ids[0], at: 0, verify: true)
        s.enqueue(ids[1])
        let first = s.next(now: 0), second = s.next(now: 0)
        #expect(first?.id == ids[1] && first?.verify == false)
        #expect(second?.id == ids[0] && second?.verify == true)
        s.finished(ids[0], nextAttempt: 10, verify: true)
        #expect(s.next(now: 10)?.verify == true)
        s.finished(ids[0], nextAttempt: 20)
        #expect(s.next(now: 20)?.verify == false)
    }

    @Test("forgotten messages (deleted or held) are not started")
    func forget() {
        var s = DeliverySchedule(concurrency: 10)
        s.schedule(ids[0], at: 0)
        s.enqueue(ids[1])
        s.enqueue(ids[2])
        s.forget(ids[0])
        s.forget(ids[1])
        #expect(s.next(now: 100)?.id == ids[2])
        #expect(s.next(now: 100) == nil)
        let work = s.hasWork(now: 100)
        #expect(!work)
    }
}
