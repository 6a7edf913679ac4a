// IMAP output back-pressure (Support/OutputGate.swift, IMAPChannelHandler): a command's
// responses stream while at most imap.max_output_bytes are on their way to the client; a client
// that reads slowly still gets every octet, and one that reads nothing is disconnected after
// imap.output_stall_seconds.

import Foundation
import MailroomCore
import MailroomTestSupport
import Testing
@testable import MailroomServer

@Suite(.serialized) struct IMAPBackPressureTests {
    @Test("the gate holds the producer while the limit is on its way and lets it go as octets are written")
    func gate() throws {
        // A stall time no scheduling delay reaches: only `written` may let the producer on.
        let gate = OutputGate(limit: 100_000, stallSeconds: 86_400)
        let produced = Counter()
        let producer = Thread {
            for _ in 0..<20 {
                gate.submitted(30_000)
                produced.add(1)
                _ = gate.waitForRoom()
            }
        }
        producer.start()
        for _ in 0..<500 where produced.value < 4 { Thread.sleep(forTimeInterval: 0.01) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(produced.value == 4, "30,000 × 4 reaches the limit: the producer waits")
        for _ in 0..<16 {
            gate.written(30_000)
            Thread.sleep(forTimeInterval: 0.02)
        }
        for _ in 0..<1000 where produced.value < 20 { Thread.sleep(forTimeInterval: 0.01) }
        #expect(produced.value == 20)
        gate.close()   // (the producer's last wait: 120,000 octets are still "on their way")
        #expect(gate.peakInFlight <= 100_000 + 30_000, "at most the limit and one batch: \(gate.peakInFlight)")

        let stalled = OutputGate(limit: 10, stallSeconds: 1)
        stalled.submitted(20)
        let start = Date()
        #expect(!stalled.waitForRoom(), "nobody reads: gives up")
        #expect(Date().timeIntervalSince(start) >= 0.9)
        let closed = OutputGate(limit: 10, stallSeconds: 30)
        closed.submitted(20)
        closed.close()
        #expect(closed.waitForRoom(), "a closed connection never holds the producer")
    }

    /// 48 messages of 400 KiB: 19 MiB of FETCH output, more than loopback's socket buffers.
    static func bigMessages() -> [[UInt8]] {
        (0..<48).map { n in
            var text = "From: a@example.com\r\nSubject: big \(n)\r\nMessage-ID: <big\(n)@example.com>\r\n\r\n"
            let line = String(repeating: Character(UnicodeScalar(UInt8(0x41 + n % 26))), count: 78) + "\r\n"
            while text.utf8.count < 400 * 1024 { text += line }
            return Array(text.utf8)
        }
    }

    /// Logs in, selects INBOX and sends `c FETCH 1:* (BODY.PEEK[])`, leaving the answer unread.
    static func startFetch(_ client: IMAPLineClient) throws {
        _ = try client.readLine()
        try client.sendLine("a LOGIN user@example.com \(ServerHarness.password)")
        while !(try client.readLine()).hasPrefix("a ") {}
        try client.sendLine("b SELECT INBOX")
        while !(try client.readLine()).hasPrefix("b ") {}
        try client.sendLine("c FETCH 1:* (BODY.PEEK[])")
    }

    @Test("a client that reads slowly gets every octet of a FETCH of a large mailbox")
    func slowReader() async throws {
        let server = try await ServerHarness.start { $0.imap.maxOutputBytes = 65536 }
        defer { Task { await server.stop() } }
        let messages = Self.bigMessages()
        _ = try server.putMessages("user@example.com", messages)
        let port = server.imapPort
        let bodies = try await offPool { () -> [String] in
            let client = try IMAPLineClient(port: port, timeout: 60)
            defer { client.close() }
            try Self.startFetch(client)
            Thread.sleep(forTimeInterval: 2)   // not reading: the server must wait, not buffer
            var bodies: [String] = []
            while true {
                let response = try client.readResponse()
                if response.hasPrefix("c ") {
                    #expect(response.hasPrefix("c OK"), "\(response)")
                    break
                }
                if let start = response.range(of: "}\r\n") { bodies.append(String(response[start.upperBound...].dropLast(1))) }
            }
            return bodies
        }
        #expect(bodies.count == messages.count)
        for (i, body) in bodies.enumerated() where i < messages.count {
            #expect(Latin1.bytes(body) == messages[i], "message \(i + 1): \(body.utf8.count) octets")
        }
    }

    @Test("a client that reads nothing is disconnected after imap.output_stall_seconds")
    func stalledClient() async throws {
        let server = try await ServerHarness.start {
            $0.imap.maxOutputBytes = 65536
            $0.imap.outputStallSeconds = 10
        }
        defer { Task { await server.stop() } }
        _ = try server.putMessages("user@example.com", Self.bigMessages())
        let port = server.imapPort
        let outcome = try await offPool { () -> (tagged: String?, closed: Bool) in
            let client = try IMAPLineClient(port: port, timeout: 30)
            defer { client.close() }
            try Self.startFetch(client)
            Thread.sleep(forTimeInterval: 14)
            do {
                while true {
                    let response = try client.readResponse()
                    if response.hasPrefix("c ") { return (response, false) }
                }
            } catch {
                return (nil, true)
            }
        }
        #expect(outcome.closed && outcome.tagged == nil, "the server closed the connection before the FETCH ended: \(outcome)")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
}
