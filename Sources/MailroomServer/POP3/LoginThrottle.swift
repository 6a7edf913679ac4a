// LoginThrottle — failed logins counted per client address over a sliding window; past the
// limit, further logins from that address are refused without asking the account store
// (Dovecot's auth_penalty and fail2ban, in process).
//
// Configuration: pop3.client_failure_limit, pop3.client_failure_window_seconds.
//
// Security: memory is bounded: at most `limit` times per address and `maximumClients`
// addresses; when the table is full, addresses whose failures have all left the window are
// dropped first, then the table is emptied (an attacker filling it from many addresses gets
// no more than a fresh window each time). Time comes from the monotonic clock.
// XXX: counted per process and per address; IPv6 clients changing addresses within their
// /64 are counted apart, and a cluster of nodes counts per node.

import NIOConcurrencyHelpers
import NIOCore

final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeAmount
    static let maximumClients = 100_000

    /// Failure times per client address, oldest first, never more than `limit`.
    private let failures = NIOLockedValueBox<[String: [NIODeadline]]>([:])

    init(limit: Int, windowSeconds: Int) {
        self.limit = max(1, limit)
        window = .seconds(Int64(max(1, windowSeconds)))
    }

    /// The address has reached the limit within the window.
    func isBlocked(_ client: String, now: NIODeadline = .now()) -> Bool {
        failures.withLockedValue { table in
            guard let times = table[client] else { return false }
            let recent = times.filter { $0 + window > now }
            table[client] = recent.isEmpty ? nil : recent
            return recent.count >= limit
        }
    }

    func recordFailure(_ client: String, now: NIODeadline = .now()) {
        failures.withLockedValue { table in
            if table[client] == nil, table.count >= Self.maximumClients {
                table = table.filter { $0.value.last.map { $0 + window > now } ?? false }
                if table.count >= Self.maximumClients { table = [:] }
            }
            var times = table[client, default: []].filter { $0 + window > now }
            times.append(now)
            if times.count > limit { times.removeFirst(times.count - limit) }
            table[client] = times
        }
    }
}
