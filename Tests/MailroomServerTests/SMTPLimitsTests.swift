// Connection-level limits of the running server, seen by a real client over loopback:
// smtp.max_connections_per_client and smtp.max_connections (421 4.7.0 before any session
// starts), smtp.command_timeout_seconds (421 4.4.2, then the connection is closed), a user's
// max_message_bytes (552 5.3.4 for that recipient only) and a domain's sender_login_match.

import Foundation
import MailroomCore
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

    @Test func perUserMessageLimit() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try await server.store.setUserMessageLimit(try EmailAddress("alice@example.com"), bytes: 65536)
        let big = "From: a@example.net\r\nSubject: big\r\n\r\n" + String(repeating: "0123456789abcdef\r\n", count: 5000)
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["alice@example.com", "bob@example.com"], "message": big])
        let refused = answer["refused"] as? [String: [Any]]
        #expect(refused?["alice@example.com"]?.first as? Int == 552, "\(answer)")
        #expect((refused?["alice@example.com"]?.last as? String)?.hasPrefix("5.3.4") == true, "\(answer)")
        _ = try await server.waitForInbox("bob@example.com", count: 1)
        #expect(try server.inbox("alice@example.com").isEmpty)
    }

    @Test func perDomainSenderRule() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let request: [String: Any] = ["op": "send", "port": server.submissionPort, "tls": "starttls",
                                      "auth": ["user@example.com", ServerHarness.password],
                                      "from": "alice@example.com", "to": ["bob@example.com"],
                                      "message": "Subject: as alice\r\n\r\nhi\r\n"]
        let refused = try await server.probe(request)
        #expect((refused["error"] as? [Any])?.first as? Int == 553, "global rule 'aliases': \(refused)")
        try await server.store.setDomainSenderLoginMatch(try DomainName("example.com"), "domain")
        let accepted = try await server.probe(request)
        #expect(accepted["ok"] as? Bool == true, "domain rule 'domain': \(accepted)")
        _ = try await server.waitForInbox("bob@example.com", count: 1)
    }
}
