// IdleTimer — the inactivity timer of one connection (SMTP's command and data timeouts, POP3's
// autologout timer). One scheduled task serves the whole connection: `arm` only moves the
// deadline, and when the task fires early (the deadline moved meanwhile) it schedules itself
// for the new one, so a busy connection does not cancel and schedule a timer per read.
//
// Used on the connection's event loop only. `expired` runs when the deadline has passed; the
// handler decides there whether it is really idle (not while it waits for the store or the
// disk: it arms the timer again when that answers). `cancel` drops `expired`, which breaks
// the reference cycle handler → timer → closure → handler.

import NIOCore

final class IdleTimer {
    private let eventLoop: any EventLoop
    private var expired: (() -> Void)?
    private var task: Scheduled<Void>?
    private var deadline = NIODeadline.now()

    init(eventLoop: any EventLoop, expired: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.expired = expired
    }

    /// Moves the deadline to now + `timeout`.
    func arm(_ timeout: TimeAmount) {
        guard expired != nil else { return }
        deadline = .now() + timeout
        if task == nil { schedule() }
    }

    func cancel() {
        task?.cancel()
        task = nil
        expired = nil
    }

    private func schedule() {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        task = eventLoop.scheduleTask(deadline: deadline) {
            let timer = bound.value
            timer.task = nil
            guard let expired = timer.expired else { return }
            if NIODeadline.now() < timer.deadline { return timer.schedule() }
            expired()
        }
    }
}
