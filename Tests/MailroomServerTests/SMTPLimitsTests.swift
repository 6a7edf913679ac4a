// Connection-level limits of the running server, seen by a real client over loopback:
// smtp.max_connections_per_client and smtp.max_connections (421 4.7.0 before any session
// starts) and smtp.command_timeout_seconds (421 4.4.2, then the connection is closed).

import Foundation
import Testing

@Suite(.serialized) struct SMTPLimitsTests {
    @Test func connectionsPerClient() async throws {
        let server = try await ServerHarness.start { $0.smtp.maxConnectionsPerClient = 3 }
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "connections", "port": server.mxPort, "count": 4])
        let greetings = try #require(answer["greetings"] as? [String])
        #expect(greetings.prefix(3).allSatisfy { $0.hasPrefix("220 ") }, "\(greetings)")
        #expect(greetings.last?.hasPrefix("421 4.7.0") == true, "\(greetings)")
        // Once those are closed, the same client is served again.
        try await Task.sleep(nanoseconds: 300_000_000)
        let again = try await server.probe(["op": "connections", "port": server.mxPort, "count": 1])
        #expect((again["greetings"] as? [String])?.first?.hasPrefix("220 ") == true, "\(again)")
    }

    @Test func connectionsInTotal() async throws {
        let server = try await ServerHarness.start { $0.smtp.maxConnections = 2 }
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "connections", "port": server.submissionPort, "count": 3])
        let greetings = try #require(answer["greetings"] as? [String])
        #expect(greetings.last?.hasPrefix("421 4.7.0") == true, "\(greetings)")
    }

    @Test func commandTimeout() async throws {
        let server = try await ServerHarness.start { $0.smtp.commandTimeoutSeconds = 10 }
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "idle", "port": server.mxPort, "seconds": 30])
        #expect((answer["greeting"] as? String)?.hasPrefix("220 ") == true, "\(answer)")
        #expect((answer["after"] as? String)?.hasPrefix("421 4.4.2") == true, "\(answer)")
        #expect(answer["closed"] as? Bool == true, "\(answer)")
    }
}
