// `mailroom bench maildir deliver|deliver-one|fill|open` — measurements of the Maildir engine for
// scripts/bench/maildir, which runs them beside Dovecot's dovecot-lda and imap on the same
// messages. Hidden from `mailroom --help` with the rest of `mailroom bench`.
//
//   deliver      delivers --messages copies of one message with `MaildirStorage.deliver` from
//                --writers threads of this process, round-robin over the INBOXes of
//                u1 … u<--mailboxes>@<--domain> under --volume (created first, untimed, as
//                `user add` creates them). Message i goes to mailbox i mod N, and writer t
//                delivers messages t, t+W, t+2W, … Reports deliveries/s over the wall-clock
//                time, per-delivery latency (p50/p90/p99/max ms) and this process's CPU time.
//   deliver-one  delivers standard input to the INBOX of --maildir and exits: one process per
//                message, as dovecot-lda runs, with no account-store lookup (dovecot-lda run
//                without -d does none either). Exit 75 (EX_TEMPFAIL) on failure.
//   fill         writes --count copies of a message straight into new/ of --maildir with
//                unique maildir(5) names (,S= and ,W= as deliver writes them), without fsync:
//                set-up for the open measurements, not a delivery path.
//   open         opens the INBOX of --maildir once (the engine syncs: UIDs for new files under
//                the dovecot-uidlist dot lock, new/ → cur/, mailroom-index written) and reports
//                the time of that call, what was on disk before it (index, UID list, whether
//                the directories were settled), then --repeat re-opens in the same process (the
//                folder state is then in memory), and reference costs of the parts a sync may
//                need, timed after the open: listing new/ and cur/, stat of every file, reading
//                mailroom-index.
// Every delivery is durable (tmp → fsync → rename into new/ → fsync new/), as in production.
// Output: a text summary, or JSON with --json (what the script reads).

import ArgumentParser
import Dispatch
import Foundation
import MailroomCore
import MailroomMaildir
#if canImport(Glibc)
import Glibc
#endif

extension BenchCommand {
    struct Maildir: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "maildir",
            abstract: "Time Maildir deliveries and folder opens (for scripts/bench/maildir).",
            subcommands: [Deliver.self, DeliverOne.self, Fill.self, Open.self])
    }
}

extension BenchCommand.Maildir {
    struct Deliver: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deliver", 
            abstract: "Deliver copies of one message from N threads, round-robin over mailboxes, and time them.")

        @Option(name: .long, help: "Mail volume: mailboxes are <volume>/<shard>/<domain>/u<N>/Maildir.") var volume: String
        @Option(name: .long, help: "Domain of the mailboxes.") var domain: String = "bench.example"
        @Option(name: .long, help: "Mailboxes u1 … u<N>; message i goes to u<i mod N + 1>.") var mailboxes: Int = 1
        @Option(name: .long, help: "Deliveries in all.") var messages: Int = 1000
        @Option(name: .long, help: "Threads delivering at the same time.") var writers: Int = 1
        @Option(name: .long, help: "File holding the message.") var message: String
        @Option(name: .long, help: "Host name in the unique file names.") var hostName: String = "bench"
        @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

        func validate() throws {
            guard mailboxes >= 1, messages >= 1 else { throw ValidationError("--mailboxes and --messages must be at least 1") }
            guard (1...1000).contains(writers) else { throw ValidationError("--writers must be 1…1000") }
        }

        func run() throws {
            let bytes = try BenchMaildirSupport.readFile(message)
            let options = MaildirOptions(hostName: hostName)
            var storages: [MaildirStorage] = []
            storages.reserveCapacity(mailboxes)
            for n in 1...mailboxes {
                let address = try Parse.address("u\(n)@\(domain)")
                let root = try MaildirLayout.createMailbox(volume: volume, address: address)
                storages.append(MaildirStorage(root: root, options: options))
            }
            let targets = storages
            let collector = BenchMaildirCollector()
            let ready = DispatchGroup()
            let done = DispatchGroup()
            let start = DispatchSemaphore(value: 0)
            let count = messages
            let threads = writers
            for t in 0..<threads {
                ready.enter()
                done.enter()
                let thread = Thread {
                    var latencies: [UInt64] = []
                    latencies.reserveCapacity(count / threads + 1)
                    var failures = 0
                    var firstError: String? = nil
                    ready.leave()
                    start.wait()
                    var i = t
                    while i < count {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        do throws(StorageError) {
                            try targets[i % targets.count].deliver(bytes, to: .inbox)
                        } catch {
                            failures += 1
                            if firstError == nil { firstError = error.description }
                        }
                        latencies.append(DispatchTime.now().uptimeNanoseconds - t0)
                        i += threads
                    }
                    collector.add(latencies, failures: failures, firstError: firstError)
                    done.leave()
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
            ready.wait()
            let cpu0 = BenchMaildirSupport.processCPUNanoseconds()
            let started = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<threads { start.signal() }
            done.wait()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let cpu = Double(BenchMaildirSupport.processCPUNanoseconds() - cpu0) / 1e9
            let result = collector.result()
            let sorted = result.latencies.sorted()
            let report = BenchMaildirDeliveryReport(
                mode: "in-process threads", mailboxes: mailboxes, messages: count, writers: threads,
                messageBytes: bytes.count, wallSeconds: wall,
                deliveriesPerSecond: wall > 0 ? Double(sorted.count - result.failures) / wall : 0,
                p50: BenchMaildirSupport.percentile(sorted, 50), p90: BenchMaildirSupport.percentile(sorted, 90),
                p99: BenchMaildirSupport.percentile(sorted, 99), max: Double(sorted.last ?? 0) / 1e6,
                cpuSeconds: cpu, cpuMillisecondsPerDelivery: cpu * 1000 / Double(max(1, sorted.count)),
                failures: result.failures, firstError: result.firstError)
            if json {
                try Output.json(report)
            } else {
                print(String(format: "%d deliveries (%d bytes) into %d mailbox(es) from %d thread(s): %.1f/s; "
                             + "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; CPU %.3f ms per delivery; %d failed",
                             count, bytes.count, mailboxes, threads, report.deliveriesPerSecond, report.p50, report.p99,
                             report.max, report.cpuMillisecondsPerDelivery, report.failures))
            }
            if result.failures > 0 {
                throw CLIError("\(result.failures) deliveries failed, the first: \(result.firstError ?? "?")")
            }
        }
    }

    struct DeliverOne: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliver-one",
            abstract: "Deliver standard input to the INBOX of a Maildir (one process per message, no store lookup).")

        @Option(name: .long, help: "The Maildir (INBOX directory with cur/, new/, tmp/).") var maildir: String
        @Option(name: .long, help: "Host name in the unique file name.") var hostName: String = "bench"

        func run() throws {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CLIError("cannot read standard input: \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
            }
            do {
                try MaildirStorage(root: maildir, options: MaildirOptions(hostName: hostName)).deliver(bytes, to: .inbox)
            } catch {
                FileHandle.standardError.write(Data("deliver-one: \(error)\n".utf8))
                throw ExitCode(75)
            }
        }
    }

    struct Fill: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fill", 
            abstract: "Write copies of a message straight into new/ (no fsync): set-up for `open`.")

        @Option(name: .long, help: "The Maildir; cur/, new/ and tmp/ are created if missing.") var maildir: String
        @Option(name: .long, help: "Files to write.") var count: Int = 100_000
        @Option(name: .long, help: "File holding the message.") var message: String
        @Option(name: .long, help: "Host name in the unique file names.") var hostName: String = "bench"
        @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

        func run() throws {
            let bytes = try BenchMaildirSupport.readFile(message)
            for sub in ["", "/cur", "/new", "/tmp"] {
                try FileManager.default.createDirectory(atPath: maildir + sub, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            let started = DispatchTime.now().uptimeNanoseconds
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let virtual = MaildirDelivery.rfc822Size(bytes)
            let pid = getpid()
            for i in 0..<count {
                let base = MaildirFileName.makeUniqueBase(
                    seconds: Int64(ts.tv_sec), microseconds: i % 1_000_000, pid: pid, delivery: i + 1,
                    random: UInt64.random(in: 0...UInt64.max), host: hostName)
                let path = "\(maildir)/new/\(base),S=\(bytes.count),W=\(virtual)"
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw CLIError("create \(path): \(String(cString: strerror(errno)))") }
                let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                guard written == bytes.count else { throw CLIError("write \(path): short write") }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            if json {
                try Output.json(["files": Double(count), "seconds": seconds])
            } else {
                print(String(format: "%d files in %.1f s", count, seconds))
            }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "open", 
            abstract: "Open (sync) the INBOX of a Maildir once in this fresh process and time it.")

        @Option(name: .long, help: "The Maildir.") var maildir: String
        @Option(name: .customLong("repeat"), help: "Re-opens in this process after the first (folder state in memory).")
        var reopenCount: Int = 0
        @Option(name: .long, help: "Host name in new unique file names.") var hostName: String = "bench"
        @Flag(name: .long, help: "Also time listing new/ and cur/, stat of every file and reading mailroom-index.")
        var parts = false
        @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

        func run() throws {
            let before = BenchMaildirOpenReport.Before(
                index: BenchMaildirSupport.exists("\(maildir)/mailroom-index"),
                uidList: BenchMaildirSupport.exists("\(maildir)/dovecot-uidlist"),
                curSettled: BenchMaildirSupport.ageSeconds("\(maildir)/cur").map { $0 > 2 },
                newSettled: BenchMaildirSupport.ageSeconds("\(maildir)/new").map { $0 > 2 })
            let storage = MaildirStorage(root: maildir, options: MaildirOptions(hostName: hostName))
            let cpu0 = BenchMaildirSupport.processCPUNanoseconds()
            let t0 = DispatchTime.now().uptimeNanoseconds
            let snapshot: FolderSnapshot
            do {
                snapshot = try storage.open(.inbox)
            } catch {
                throw CLIError("open \(maildir): \(error)")
            }
            let openMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            let cpuMs = Double(BenchMaildirSupport.processCPUNanoseconds() - cpu0) / 1e6
            var reopens: [Double] = []
            for _ in 0..<max(0, reopenCount) {
                let r0 = DispatchTime.now().uptimeNanoseconds
                do { _ = try storage.open(.inbox) } catch { throw CLIError("re-open \(maildir): \(error)") }
                reopens.append(Double(DispatchTime.now().uptimeNanoseconds - r0) / 1e6)
            }
            let partTimes = parts ? BenchMaildirSupport.partTimes(maildir) : nil
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            let report = BenchMaildirOpenReport(
                maildir: maildir, before: before, openMs: openMs, cpuMs: cpuMs, messages: snapshot.messages.count,
                recent: snapshot.recent.count, uidNext: snapshot.uidNext, uidValidity: snapshot.uidValidity,
                reopenMs: reopens, maxRSSMegabytes: Double(usage.ru_maxrss) / 1024, parts: partTimes,
                problems: Array(storage.problems(.inbox).prefix(10)))
            if json {
                try Output.json(report)
            } else {
                print(String(format: "open %@: %.1f ms (CPU %.1f ms), %d messages, %d recent; index before: %@; max RSS %.1f MB",
                             maildir, openMs, cpuMs, report.messages, report.recent, before.index ? "yes" : "no",
                             report.maxRSSMegabytes))
                if !reopens.isEmpty {
                    print("re-opens (ms): " + reopens.map { String(format: "%.2f", $0) }.joined(separator: " "))
                }
            }
        }
    }
}

// MARK: - Support

/// Latencies from the writer threads, gathered under a lock.
final class BenchMaildirCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [UInt64] = []
    private var failures = 0
    private var firstError: String? = nil

    func add(_ part: [UInt64], failures: Int, firstError: String?) {
        lock.lock()
        defer { lock.unlock() }
        latencies.append(contentsOf: part)
        self.failures += failures
        if self.firstError == nil { self.firstError = firstError }
    }

    func result() -> (latencies: [UInt64], failures: Int, firstError: String?) {
        lock.lock()
        defer { lock.unlock() }
        return (latencies, failures, firstError)
    }
}

struct BenchMaildirDeliveryReport: Encodable {
    var mode: String
    var mailboxes: Int
    var messages: Int
    var writers: Int
    var messageBytes: Int
    var wallSeconds: Double
    var deliveriesPerSecond: Double
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var cpuSeconds: Double
    var cpuMillisecondsPerDelivery: Double
    var failures: Int
    var firstError: String?

    enum CodingKeys: String, CodingKey {
        case mode, mailboxes, messages, writers, failures
        case messageBytes = "message_bytes", wallSeconds = "wall_s", deliveriesPerSecond = "deliveries_per_s"
        case p50 = "p50_ms", p90 = "p90_ms", p99 = "p99_ms", max = "max_ms", cpuSeconds = "cpu_s"
        case cpuMillisecondsPerDelivery = "cpu_ms_per_delivery", firstError = "first_error"
    }
}

struct BenchMaildirOpenReport: Encodable {
    struct Before: Encodable {
        var index: Bool
        var uidList: Bool
        var curSettled: Bool?
        var newSettled: Bool?

        enum CodingKeys: String, CodingKey {
            case index
            case uidList = "uidlist", curSettled = "cur_settled", newSettled = "new_settled"
        }
    }

    struct Parts: Encodable {
        var listNewMs: Double
        var listCurMs: Double
        var files: Int
        var statMs: Double
        var indexBytes: Int
        var readIndexMs: Double

        enum CodingKeys: String, CodingKey {
            case files
            case listNewMs = "list_new_ms", listCurMs = "list_cur_ms", statMs = "stat_all_ms",
                 indexBytes = "index_bytes", readIndexMs = "read_index_ms"
        }
    }

    var maildir: String
    var before: Before
    var openMs: Double
    var cpuMs: Double
    var messages: Int
    var recent: Int
    var uidNext: UInt32
    var uidValidity: UInt32
    var reopenMs: [Double]
    var maxRSSMegabytes: Double
    var parts: Parts?
    var problems: [String]

    enum CodingKeys: String, CodingKey {
        case maildir, before, messages, recent, parts, problems
        case openMs = "open_ms", cpuMs = "cpu_ms", uidNext = "uid_next", uidValidity = "uid_validity",
             reopenMs = "reopen_ms", maxRSSMegabytes = "max_rss_mb"
    }
}

enum BenchMaildirSupport {
    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
        guard !data.isEmpty else { throw CLIError("\(path) is empty") }
        return Array(data)
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Seconds since the last modification of `path`, nil when it is missing.
    static func ageSeconds(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec - st.st_mtim.tv_sec) + Double(now.tv_nsec - st.st_mtim.tv_nsec) / 1e9
    }

    static func processCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Nearest-rank percentile of nanosecond samples, in ms.
    static func percentile(_ sorted: [UInt64], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return Double(sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]) / 1e6
    }

    /// Reference costs, with the page cache as the open left it: readdir of new/ and cur/, one
    /// stat per file, and reading mailroom-index whole (no decoding).
    static func partTimes(_ maildir: String) -> BenchMaildirOpenReport.Parts {
        func timed<T>(_ body: () -> T) -> (T, Double) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let value = body()
            return (value, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        let (newNames, listNew) = timed { list("\(maildir)/new") }
        let (curNames, listCur) = timed { list("\(maildir)/cur") }
        let (_, statAll) = timed { () -> Int in
            var st = stat()
            var ok = 0
            for name in newNames where stat("\(maildir)/new/\(name)", &st) == 0 { ok += 1 }
            for name in curNames where stat("\(maildir)/cur/\(name)", &st) == 0 { ok += 1 }
            return ok
        }
        let (indexBytes, readIndex) = timed { FileManager.default.contents(atPath: "\(maildir)/mailroom-index")?.count ?? 0 }
        return BenchMaildirOpenReport.Parts(listNewMs: listNew, listCurMs: listCur, files: newNames.count + curNames.count,
                                statMs: statAll, indexBytes: indexBytes, readIndexMs: readIndex)
    }

    static func list(_ path: String) -> [String] { MaildirLayout.entries(of: path) }
}
