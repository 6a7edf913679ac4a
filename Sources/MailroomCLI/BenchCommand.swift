// `mailroom bench lookups` — times the account-store lookups that the services make for every
// recipient and every login. It is run by scripts/bench/store and hidden from `mailroom --help`.
//
// Measures: (a) resolveRecipient(address), what SMTP asks at RCPT TO, and (b) the user lookup
// that authenticate() makes before verifying the password hash, with no hashing. Each runs
// first one lookup at a time, then from --concurrency tasks at once. It reports the p50, p90,
// p99 and max latency in µs, the lookups per second over the wall-clock time, and the
// process's CPU time per lookup (client side only: a loaded machine inflates latency, not this).
// Addresses are u<N>@d<M>.example, with N drawn from 1...--users-per-domain and M from
// 1...--domains by a seeded generator, so runs can be repeated. scripts/bench/store provisions
// the store that way, and every answer is checked to be the expected mailbox.
// Configuration: the store.* keys of --config (backend, sqlite.*, postgres.*, recipient
// delimiter). store.cache_ttl_seconds is forced to 0 so that every lookup reaches the
// database. The store must already be migrated (`mailroom db migrate`), because this command
// never writes.

import ArgumentParser
import Dispatch
import Foundation
import MailroomConfig
import MailroomCore
import MailroomStore

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measurements for scripts/bench (not for administration).",
        shouldDisplay: false, subcommands: [Lookups.self, Maildir.self])

    struct Lookups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "lookups", 
            abstract: "Time resolve-recipient and load-user-for-auth lookups against a provisioned store, cache off.")

        @Option(name: .long, help: "Configuration file naming the store.") var config: String
        @Option(name: .long, help: "Timed lookups per kind and per concurrency level.") var samples: Int = 100_000
        @Option(name: .long, help: "Tasks that look up at the same time in the second round.") var concurrency: Int = 8
        @Option(name: .long, help: "Provisioned domains d1.example … d<N>.example.") var domains: Int = 10_000
        @Option(name: .long, help: "Provisioned users u1 … u<N> in each domain.") var usersPerDomain: Int = 100
        @Option(name: .long, help: "Untimed lookups before each round (fills pools and caches below the store).")
        var warmup: Int = 2_000
        @Option(name: .long, help: "Seed of the address generator.") var seed: UInt64 = 1
        @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

        func validate() throws {
            guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
            guard (1...1000).contains(concurrency) else { throw ValidationError("--concurrency must be 1…1000") }
            guard domains >= 1, usersPerDomain >= 1 else {
                throw ValidationError("--domains and --users-per-domain must be at least 1")
            }
            guard warmup >= 0 else { throw ValidationError("--warmup must not be negative") }
        }

        func run() async throws {
            var configuration = try StoreContext.loadConfig(config)
            configuration.store.cacheTTLSeconds = 0
            let context = try await StoreContext.open(config: configuration, migrate: false)
            let report: BenchReport
            do {
                report = try await measure(context.store, configuration)
                await context.store.close()
            } catch {
                await context.store.close()
                throw error
            }
            if json {
                try Output.json(report)
            } else {
                printText(report)
            }
            let wrong = report.results.reduce(0) { $0 + $1.wrongAnswers }
            if wrong > 0 {
                throw CLIError("\(wrong) lookups did not return the expected mailbox: do --domains and "
                               + "--users-per-domain match the provisioned store?")
            }
        }

        func measure(_ store: SQLAccountStore, _ configuration: MailroomConfig) async throws -> BenchReport {
            // The first and the last address must exist, or the scheme does not match the store.
            for probe in [address(domain: 1, user: 1), address(domain: domains, user: usersPerDomain)] {
                let a = try Parse.address(probe)
                guard try await store.loadUserForAuthentication(a) != nil else {
                    throw CLIError("\(probe) is not in the store: provision it with scripts/bench/store, "
                                   + "or give the matching --domains and --users-per-domain")
                }
            }
            var generator = SplitMix64(seed: seed)
            var results: [BenchResult] = []
            let levels = concurrency == 1 ? [1] : [1, concurrency]
            for tasks in levels {
                for kind in LookupKind.allCases {
                    let warm = try addresses(warmup, &generator)
                    _ = try await run(kind, store, warm, tasks: tasks)
                    let timed = try addresses(samples, &generator)
                    results.append(try await run(kind, store, timed, tasks: tasks))
                }
            }
            return BenchReport(
                backend: configuration.store.backend, target: target(configuration), cacheTTLSeconds: 0,
                domains: domains, usersPerDomain: usersPerDomain, seed: seed, results: results)
        }

        func address(domain: Int, user: Int) -> String { "u\(user)@d\(domain).example" }

        func addresses(_ count: Int, _ generator: inout SplitMix64) throws -> [EmailAddress] {
            var list: [EmailAddress] = []
            list.reserveCapacity(count)
            for _ in 0..<count {
                let d = Int.random(in: 1...domains, using: &generator)
                let u = Int.random(in: 1...usersPerDomain, using: &generator)
                list.append(try Parse.address(address(domain: d, user: u)))
            }
            return list
        }

        func target(_ configuration: MailroomConfig) -> String {
            switch configuration.store.backend {
            case "postgres":
                let pg = configuration.store.postgres
                return "\(pg.user)@\(pg.host):\(pg.port)/\(pg.database)"
            default:
                return configuration.store.sqlite.path
            }
        }

        /// Spreads `addresses` over `tasks` concurrent tasks, each timing its lookups one by one.
        func run(_ kind: LookupKind, _ store: SQLAccountStore, _ addresses: [EmailAddress], tasks: Int) async throws -> BenchResult {
            let chunk = (addresses.count + tasks - 1) / tasks
            let started = DispatchTime.now().uptimeNanoseconds
            let cpuStarted = Self.processCPUNanoseconds()
            let (latencies, wrong) = try await withThrowingTaskGroup(of: ([UInt64], Int).self) { group in
                for start in stride(from: 0, to: addresses.count, by: max(1, chunk)) {
                    let slice = Array(addresses[start..<min(start + chunk, addresses.count)])
                    group.addTask { try await Self.timeLookups(kind, store, slice) }
                }
                var all: [UInt64] = []
                all.reserveCapacity(addresses.count)
                var wrong = 0
                for try await (part, partWrong) in group {
                    all.append(contentsOf: part)
                    wrong += partWrong
                }
                return (all, wrong)
            }
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let cpu = Double(Self.processCPUNanoseconds() - cpuStarted) / 1e9
            return BenchResult(kind: kind, tasks: tasks, latencies: latencies, wall: wall, cpu: cpu, wrong: wrong)
        }

        /// CPU time used by this process so far, all threads together.
        static func processCPUNanoseconds() -> UInt64 {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        }

        static func timeLookups(_ kind: LookupKind, _ store: SQLAccountStore,
                                _ addresses: [EmailAddress]) async throws -> ([UInt64], Int) {
            var latencies: [UInt64] = []
            latencies.reserveCapacity(addresses.count)
            var wrong = 0
            for address in addresses {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let found: User?
                switch kind {
                case .resolveRecipient:
                    if case .mailbox(let user) = try await store.resolveRecipient(address) { found = user } else { found = nil }
                case .loadUserForAuth:
                    found = try await store.loadUserForAuthentication(address)
                }
                latencies.append(DispatchTime.now().uptimeNanoseconds - t0)
                if found?.localPart != address.localPart.value || found?.domain != address.domain.ascii { wrong += 1 }
            }
            return (latencies, wrong)
        }

        func printText(_ report: BenchReport) {
            print("store: \(report.backend) \(report.target), cache off; \(report.domains) domains × "
                  + "\(report.usersPerDomain) users addressed; seed \(report.seed)")
            let rows = report.results.map { r in
                [r.lookup, String(r.tasks), String(r.samples), micros(r.p50), micros(r.p90), micros(r.p99),
                 micros(r.max), String(format: "%.0f", r.lookupsPerSecond), micros(r.cpuPerLookup)]
            }
            Output.table(["lookup", "tasks", "samples", "p50_us", "p90_us", "p99_us", "max_us", "lookups/s", "cpu_us"], rows)
        }

        func micros(_ value: Double) -> String { String(format: "%.1f", value) }
    }
}

enum LookupKind: String, CaseIterable, Sendable {
    case resolveRecipient = "resolve-recipient"
    case loadUserForAuth = "load-user-for-auth"
}

struct BenchReport: Encodable {
    var backend: String
    var target: String
    var cacheTTLSeconds: Double
    var domains: Int
    var usersPerDomain: Int
    var seed: UInt64
    var results: [BenchResult]

    enum CodingKeys: String, CodingKey {
        case backend, target, domains, seed, results
        case cacheTTLSeconds = "cache_ttl_seconds"
        case usersPerDomain = "users_per_domain"
    }
}

/// One round: latencies in µs (nearest-rank percentiles), throughput over wall-clock time, and
/// this process's CPU µs per lookup.
struct BenchResult: Encodable {
    var lookup: String
    var tasks: Int
    var samples: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var mean: Double
    var lookupsPerSecond: Double
    var wallSeconds: Double
    var cpuPerLookup: Double
    var wrongAnswers: Int

    enum CodingKeys: String, CodingKey {
        case lookup, tasks, samples
        case p50 = "p50_us", p90 = "p90_us", p99 = "p99_us", max = "max_us", mean = "mean_us"
        case lookupsPerSecond = "lookups_per_s", wallSeconds = "wall_s", wrongAnswers = "wrong_answers"
        case cpuPerLookup = "cpu_us_per_lookup"
    }

    init(kind: LookupKind, tasks: Int, latencies: [UInt64], wall: Double, cpu: Double, wrong: Int) {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return Double(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]) / 1000
        }
        lookup = kind.rawValue
        self.tasks = tasks
        samples = sorted.count
        p50 = percentile(50)
        p90 = percentile(90)
        p99 = percentile(99)
        max = Double(sorted.last ?? 0) / 1000
        mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        lookupsPerSecond = wall > 0 ? Double(sorted.count) / wall : 0
        wallSeconds = wall
        cpuPerLookup = sorted.isEmpty ? 0 : cpu * 1e6 / Double(sorted.count)
        wrongAnswers = wrong
    }
}

