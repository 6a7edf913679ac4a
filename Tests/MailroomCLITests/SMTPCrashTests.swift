// The issue's crash test: a client sends messages over SMTP while the real `mailroom serve` is
// killed with SIGKILL (what `kill -9` or a power cut does to a process) and restarted, several
// times. Afterwards every message that got a 250 is in its mailbox exactly once, complete, and
// nothing is left in the queue; messages that got no 250 are there at most once.

import Foundation
import Testing

@Suite("SMTP crash: kill -9 while receiving and delivering", .serialized)
struct SMTPCrashTests {
    static let recipients = ["alice@example.com", "bob@example.com", "team@example.com"]

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = CLI.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        try #require(bound == 0)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitForListener(_ port: Int, seconds: Double = 60) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = CLI.loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(50_000)
        }
        Issue.record("mailroom serve did not listen on \(port) within \(seconds) s")
    }

    func startServer(_ s: Sandbox) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["serve", "--config", s.configPath]
        process.currentDirectoryURL = URL(fileURLWithPath: s.root)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// Runs the flood client from `start` for at most `count` messages; returns the acknowledged numbers.
    func flood(port: Int, start: Int, count: Int, killAfter: Double?, server: Process) throws -> [Int] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_flood.py").path
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        client.arguments = [script, "\(port)", "\(start)", "\(count)", Self.recipients.joined(separator: ",")]
        let output = Pipe()
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        if let killAfter {
            usleep(useconds_t(killAfter * 1_000_000))
            kill(server.processIdentifier, SIGKILL)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        if killAfter == nil {
            server.terminate()
        }
        server.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
    }

    @Test func killedWhileReceivingAndDelivering() throws {
        let port = try Self.freePort()
        let s = try Sandbox(extra: """
            [smtp]
            mx_listen = "127.0.0.1:\(port)"
            submission_listen = ""
            submissions_listen = ""
            [tls]
            self_signed_dir = "tls"
            [queue]
            scan_interval_seconds = 1
            """)
        try #require(s.mailroom("domain", "add", "example.com").ok)
        for user in ["alice", "bob"] {
            try #require(s.mailroom("user", "add", "\(user)@example.com", "pw").ok)
        }
        try #require(s.mailroom("alias", "add", "team@example.com", "alice@example.com", "bob@example.com").ok)

        var acknowledged: [Int] = []
        var next = 0
        for round in 0..<5 {
            let server = try startServer(s)
            try Self.waitForListener(port)
            let got = try flood(port: port, start: next, count: 400, killAfter: 0.4 + 0.15 * Double(round), server: server)
            acknowledged += got
            next += 400
        }
        // A last run without a kill lets the queue runner finish what was acknowledged.
        let server = try startServer(s)
        try Self.waitForListener(port)
        let deadline = Date().addingTimeInterval(60)
        var counts: [Int: [String: Int]] = [:]
        while true {
            counts = try deliveredCounts(s)
            let queueEmpty = s.entries("\(s.spoolDir)/queue").isEmpty
            if queueEmpty || Date() > deadline { break }
            usleep(200_000)
        }
        server.terminate()
        server.waitUntilExit()

        print("SMTP crash test: \(acknowledged.count) messages acknowledged over 5 kills, \(counts.count) distinct messages delivered")
        #expect(acknowledged.count > 20, "the client got too few 250s to test anything: \(acknowledged.count)")
        #expect(s.entries("\(s.spoolDir)/queue").isEmpty, "queue not drained: \(s.entries("\(s.spoolDir)/queue"))")
        for n in acknowledged {
            let rcpt = Self.recipients[n % Self.recipients.count]
            let mailboxes = rcpt.hasPrefix("team") ? ["alice", "bob"] : [String(rcpt.prefix { $0 != "@" })]
            for mailbox in mailboxes {
                #expect(counts[n]?[mailbox] == 1, "message \(n) (acknowledged) in \(mailbox): \(counts[n]?[mailbox] ?? 0) copies")
            }
        }
        for (n, perMailbox) in counts {
            for (mailbox, copies) in perMailbox {
                #expect(copies == 1, "message \(n) is \(copies) times in \(mailbox)")
            }
        }
    }

    /// Message number → mailbox → copies, from every complete file in new/ and cur/; a partial
    /// file fails the test.
    func deliveredCounts(_ s: Sandbox) throws -> [Int: [String: Int]] {
        var counts: [Int: [String: Int]] = [:]
        for user in ["alice", "bob"] {
            let maildir = try s.maildir(user, "example.com")
            for sub in ["new", "cur"] {
                for name in s.entries("\(maildir)/\(sub)") {
                    let text = try String(contentsOfFile: "\(maildir)/\(sub)/\(name)", encoding: .utf8)
                    guard let range = text.range(of: "Subject: crash "),
                          let n = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
                        Issue.record("unexpected file \(sub)/\(name)")
                        continue
                    }
                    #expect(text.hasSuffix("END-OF-MESSAGE-\(n)\r\n"), "message \(n) in \(user) is incomplete")
                    counts[n, default: [:]][user, default: 0] += 1
                }
            }
        }
        return counts
    }
}
