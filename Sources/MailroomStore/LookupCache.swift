// LookupCache — a short-lived cache for the lookups services make on every connection.
//
// Entries expire after store.cache_ttl_seconds (default 3 s, at most 60 s), so a row written
// by a control panel with plain SQL is seen within that time without a reload. Negative
// answers ("no such user") are cached for the same time. The cache holds at most
// store.cache_max_entries entries; when full it is emptied, which is cheap and keeps memory
// bounded whatever the number of accounts.

import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

final class LookupCache<Value: Sendable>: Sendable {
    private struct Entry {
        var expires: Double
        var value: Value
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    let ttl: Double
    let maxEntries: Int

    init(ttl: Double, maxEntries: Int) {
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    func get(_ key: String) -> Value? {
        guard ttl > 0 else { return nil }
        let now = Self.monotonicNow()
        return entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= now {
                entries[key] = nil
                return nil
            }
            return entry.value
        }
    }

    func set(_ key: String, _ value: Value) {
        guard ttl > 0 else { return }
        let expires = Self.monotonicNow() + ttl
        entries.withLockedValue { entries in
            if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(expires: expires, value: value)
        }
    }

    func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }

    /// Returns the cached value or computes, stores and returns it.
    func value(for key: String, compute: () async throws -> Value) async rethrows -> Value {
        if let cached = get(key) { return cached }
        let value = try await compute()
        set(key, value)
        return value
    }
}
