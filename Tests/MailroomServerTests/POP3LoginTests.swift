// POP3 logins end to end over loopback with Python's poplib against the real server
// in-process: USER/PASS and every SASL mechanism (SCRAM-SHA-256 by the probe's own client, as
// poplib has none), STLS and implicit TLS, plaintext refused before TLS, the failed-login delay
// and limit, throttling of one client address, the per-user POP3 switch, the connection limit
// and the inactivity timeout.

import Foundation
import MailroomCore
import MailroomStore
import Testing

@Suite(.serialized) struct POP3LoginTests {
    static let message = Array("From: a@example.net\r\nTo: user@example.com\r\nSubject: hello\r\n\r\nBody line.\r\n".utf8)

    @Test func userPassThenStat() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", [Self.message, Self.message])
        let t = try await server.pop3([ServerHarness.login(), ["stat"], ["quit"]])
        #expect(t.welcome.hasPrefix("+OK mx.example.com"), "\(t)")
        #expect(t[0].ok && t[0].resp == "+OK maildrop has 2 messages (\(2 * Self.message.count) octets)", "\(t)")
        #expect(t[1].resp == "+OK 2 \(2 * Self.message.count)", "\(t)")
        #expect(t[2].ok, "\(t)")
    }

    @Test(arguments: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"])
    func saslMechanism(mechanism: String) async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", [Self.message])
        let t = try await server.pop3([["auth", mechanism, "user@example.com", ServerHarness.password], ["stat"], ["quit"]])
        #expect(t[0].ok && t[0].resp.hasPrefix("+OK maildrop has 1 message "), "\(t)")
        #expect(t[1].resp == "+OK 1 \(Self.message.count)", "\(t)")
        let wrong = try await server.pop3([["auth", mechanism, "user@example.com", "wrong"]])
        #expect(wrong[0].resp.hasPrefix("-ERR [AUTH]"), "\(wrong)")
    }

    @Test func plaintextRefusedBeforeSTLS() async throws {
        let server = try await ServerHarness.start { $0.pop3.plaintextAuthOnLoopback = false }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([["capa"], ServerHarness.login(), ["auth", "PLAIN", "user@example.com", ServerHarness.password],
                                       ["stls"], ["capa"], ServerHarness.login(), ["stat"], ["quit"]])
        #expect(!t[0].lines.contains("USER") && t[0].lines.contains("STLS"), "\(t)")
        #expect(t[0].lines.contains("SASL CRAM-MD5 SCRAM-SHA-256"), "\(t)")
        #expect(t[1].resp.hasPrefix("-ERR [AUTH] Plaintext authentication disallowed"), "\(t)")
        #expect(t[2].resp.hasPrefix("-ERR [AUTH]"), "\(t)")
        #expect(t[3].ok, "\(t)")
        #expect(t[4].lines.contains("USER") && !t[4].lines.contains("STLS"), "\(t)")
        #expect(t[4].lines.contains("SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256"), "\(t)")
        #expect(t[5].ok && t[6].resp == "+OK 0 0", "\(t)")
    }

    @Test func implicitTLS() async throws {
        let server = try await ServerHarness.start { $0.pop3.plaintextAuthOnLoopback = false }
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", [Self.message])
        let t = try await server.pop3([["capa"], ServerHarness.login(), ["retr", 1], ["quit"]], tls: "implicit")
        #expect(t[0].lines.contains("USER") && !t[0].lines.contains("STLS"), "\(t)")
        #expect(t[1].ok && t[2].data == Self.message, "\(t)")
    }

    @Test func capabilities() async throws {
        let server = try await ServerHarness.start { $0.pop3.loginDelaySeconds = 900; $0.pop3.expirePolicy = "30" }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([["capa"]])
        for capability in ["TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS",
                           "EXPIRE 30", "LOGIN-DELAY 900", "IMPLEMENTATION Mailroom"] {
            #expect(t[0].lines.contains(capability), "\(capability): \(t)")
        }
    }

    @Test func loginDelayEnforced() async throws {
        let server = try await ServerHarness.start { $0.pop3.loginDelaySeconds = 900 }
        defer { Task { await server.stop() } }
        let first = try await server.pop3([ServerHarness.login(), ["quit"]])
        #expect(first[0].ok, "\(first)")
        // recordLogin runs in the background: wait until the store has it.
        for _ in 0..<100 {
            if try await server.store.user(EmailAddress("user@example.com"))?.lastLoginService == "pop3" { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let second = try await server.pop3([ServerHarness.login()])
        #expect(second[0].resp.hasPrefix("-ERR [LOGIN-DELAY]"), "\(second)")
    }

    @Test func wrongPasswordDelayedAndCounted() async throws {
        let server = try await ServerHarness.start {
            $0.pop3.failedLoginDelaySeconds = 1
            $0.pop3.maxFailedLogins = 2
        }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([ServerHarness.login(password: "wrong"), ServerHarness.login(password: "wrong"), ["eof"]])
        #expect(t[0].resp.hasPrefix("-ERR [AUTH] Authentication failed"), "\(t)")
        #expect(t[0].elapsed >= 0.95, "first failure answered after 1 s: \(t[0].elapsed)")
        #expect(t[1].resp.hasPrefix("-ERR [AUTH]"), "\(t)")
        #expect(t[1].elapsed >= 1.95, "second failure answered after 2 s: \(t[1].elapsed)")
        #expect(t[2].eof, "closed after max_failed_logins: \(t)")
        // The unknown user gets the same answer.
        let unknown = try await server.pop3([ServerHarness.login("nobody@example.com")])
        #expect(unknown[0].resp == t[0].resp, "\(unknown)")
    }

    @Test func throttlesOneClientAddress() async throws {
        let server = try await ServerHarness.start {
            $0.pop3.clientFailureLimit = 3
            $0.pop3.maxFailedLogins = 10
        }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([ServerHarness.login(password: "wrong"), ServerHarness.login(password: "wrong"),
                                       ServerHarness.login("bob@example.com", password: "wrong"), ServerHarness.login(),
                                       ["auth", "SCRAM-SHA-256", "user@example.com", ServerHarness.password]])
        for i in 0..<3 { #expect(t[i].resp.hasPrefix("-ERR [AUTH]"), "\(t)") }
        #expect(t[3].resp.hasPrefix("-ERR [SYS/TEMP]"), "the right password is not even checked: \(t)")
        #expect(t[4].resp.hasPrefix("-ERR [SYS/TEMP]"), "\(t)")
        let again = try await server.pop3([ServerHarness.login("alice@example.com")])
        #expect(again[0].resp.hasPrefix("-ERR [SYS/TEMP]"), "a new connection from the address too: \(again)")
    }

    @Test func pop3DisabledUserRefused() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        _ = try await server.store.setServiceDisabled(EmailAddress("alice@example.com"), services: [.pop3], disabled: true)
        let t = try await server.pop3([ServerHarness.login("alice@example.com"), ServerHarness.login("user@example.com")])
        #expect(t[0].resp.hasPrefix("-ERR [AUTH] POP3 access is disabled"), "\(t)")
        #expect(t[1].ok, "another user on the same connection: \(t)")
        let wrong = try await server.pop3([ServerHarness.login("alice@example.com", password: "wrong")])
        #expect(wrong[0].resp.hasPrefix("-ERR [AUTH] Authentication failed"), "nothing told before the password: \(wrong)")
    }

    @Test func inactiveDomainRefused() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try await server.store.setDomainActive(DomainName("example.com"), active: false)
        let t = try await server.pop3([ServerHarness.login()])
        #expect(t[0].resp.hasPrefix("-ERR [SYS/PERM]"), "\(t)")
    }

    @Test func connectionLimitPerClient() async throws {
        let server = try await ServerHarness.start { $0.pop3.maxConnectionsPerClient = 1 }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([["@1", "connect", server.pop3Port, "none"], ["noop"], ["@1", "eof"]])
        #expect(t[0].resp.hasPrefix("-ERR [SYS/TEMP] Too many connections"), "\(t)")
        #expect(t[1].resp.hasPrefix("-ERR"), "the first connection still answers (not logged in): \(t)")
    }

    @Test func inactivityTimeout() async throws {
        let server = try await ServerHarness.start { $0.pop3.commandTimeoutSeconds = 1 }
        defer { Task { await server.stop() } }
        let t = try await server.pop3([["sleep", 1.5], ["eof"], ["eof"]])
        #expect(t[1].resp.hasPrefix("-ERR Disconnected for inactivity"), "\(t)")
        #expect(t[2].eof, "\(t)")
    }
}
