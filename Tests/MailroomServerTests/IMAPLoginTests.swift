// IMAP logins end to end over loopback with Python's imaplib against the real server
// in-process: the capabilities before and after login (RFC 3501 §6.1.1, §7.2.1), LOGIN, every
// SASL mechanism of AUTHENTICATE (RFC 3501 §6.2.2; SCRAM-SHA-256 by the probe's own client, as
// imaplib has none), a wrong password answered NO [AUTHENTICATIONFAILED] (RFC 5530), STARTTLS
// (RFC 3501 §6.2.1, imaplib's starttls with a certificate-blind context) and implicit TLS
// (RFC 8314), and plaintext logins refused before TLS when imap.plaintext_auth_on_loopback is
// off (LOGINDISABLED, RFC 3501 §6.2.3) — the way to see that rule from a loopback client.

import Foundation
import Testing

@Suite(.serialized) struct IMAPLoginTests {
    /// Everything the server announces after login (the list).
    static let announced = ["IMAP4rev1", "SASL-IR", "ID", "ENABLE", "IDLE", "LITERAL+", "NAMESPACE", "UIDPLUS", "MOVE",
                            "UNSELECT", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "ESEARCH", "SEARCHRES",
                            "QUOTA", "CONDSTORE", "UTF8=ACCEPT", "STATUS=SIZE", "BINARY"]

    @Test func loginThenCapabilities() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([["capability"], ServerHarness.imapLogin(), ["capability"], ["select", "INBOX"], ["logout"]])
        #expect(t.welcome.hasPrefix("* OK "), "\(t)")
        let before = t[0].caps
        for cap in ["IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "AUTH=LOGIN", "AUTH=CRAM-MD5", "AUTH=SCRAM-SHA-256", "SASL-IR", "LITERAL+"] {
            #expect(before.contains(cap), "\(cap) before login: \(before)")
        }
        #expect(!before.contains("LOGINDISABLED"), "plaintext is allowed on loopback by default: \(before)")
        #expect(t[1].ok && t[1].resp.hasPrefix("[CAPABILITY "), "LOGIN's OK carries the new capabilities: \(t)")
        for cap in Self.announced {
            #expect(t[2].caps.contains(cap), "\(cap) after login: \(t[2].caps)")
        }
        #expect(t[3].ok && t[3].untagged("EXISTS") == ["0"], "\(t)")
        #expect(t[4].typ == "BYE" && t[4].wire.contains { $0.hasPrefix("* BYE") }, "\(t)")
    }

    @Test func wrongPasswordAndUnknownUser() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([ServerHarness.imapLogin(password: "wrong"), ServerHarness.imapLogin("nobody@example.com"),
                                       ServerHarness.imapLogin(), ["select", "INBOX"]])
        #expect(t[0].typ == "NO" && t[0].resp.contains("[AUTHENTICATIONFAILED]"), "\(t)")
        #expect(t[1].typ == "NO" && t[1].resp.contains("[AUTHENTICATIONFAILED]"), "an unknown user gets the same answer: \(t)")
        #expect(t[2].ok && t[3].ok, "the right password still works on the connection: \(t)")
    }

    @Test(arguments: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"])
    func authenticate(mechanism: String) async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([["authenticate", mechanism, "user@example.com", ServerHarness.password],
                                       ["select", "INBOX"], ["logout"]])
        #expect(t[0].ok && t[0].resp.hasPrefix("[CAPABILITY "), "\(t)")
        #expect(t[1].ok, "\(t)")
        let wrong = try await server.imap([["authenticate", mechanism, "user@example.com", "wrong"], ["select", "INBOX"]])
        #expect(wrong[0].typ == "NO" && wrong[0].resp.contains("[AUTHENTICATIONFAILED]"), "\(wrong)")
        #expect(!wrong[1].ok, "not logged in: \(wrong)")
    }

    @Test func authenticatePlainInternationalizedAddress() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([["authenticate", "PLAIN", "用户@例子.中国", ServerHarness.password], ["select", "INBOX"]])
        #expect(t[0].ok && t[1].ok, "\(t)")
    }

    @Test func startTLSThenLogin() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let t = try await server.imap([["starttls"], ["capability"], ServerHarness.imapLogin(), ["select", "INBOX"], ["starttls"]])
        #expect(t[0].ok, "\(t)")
        #expect(!t[1].caps.contains("STARTTLS") && t[1].caps.contains("AUTH=PLAIN"), "\(t)")
        #expect(t[2].ok && t[3].ok, "\(t)")
        #expect(!t[4].ok, "STARTTLS twice: \(t)")
    }

    @Test func plaintextRefusedBeforeSTARTTLS() async throws {
        let server = try await ServerHarness.start { $0.imap.plaintextAuthOnLoopback = false }
        defer { Task { await server.stop() } }
        let t = try await server.imap([["capability"], ServerHarness.imapLogin(),
                                       ["authenticate", "PLAIN", "user@example.com", ServerHarness.password],
                                       ["starttls"], ["capability"], ServerHarness.imapLogin(), ["select", "INBOX"]])
        #expect(t[0].caps.contains("LOGINDISABLED") && t[0].caps.contains("STARTTLS"), "\(t)")
        #expect(!t[0].caps.contains("AUTH=PLAIN") && !t[0].caps.contains("AUTH=LOGIN"), "\(t)")
        #expect(t[1].typ == "NO" || t[1].typ == "BAD", "LOGIN before TLS: \(t)")
        #expect(!t[2].ok, "AUTHENTICATE PLAIN before TLS: \(t)")
        #expect(t[3].ok, "\(t)")
        #expect(!t[4].caps.contains("LOGINDISABLED") && t[4].caps.contains("AUTH=PLAIN"), "\(t)")
        #expect(t[5].ok && t[6].ok, "\(t)")
    }

    @Test func implicitTLS() async throws {
        let server = try await ServerHarness.start { $0.imap.plaintextAuthOnLoopback = false }
        defer { Task { await server.stop() } }
        let t = try await server.imap([["capability"], ServerHarness.imapLogin(), ["select", "INBOX"], ["logout"]], tls: "implicit")
        #expect(t.welcome.hasPrefix("* OK "), "\(t)")
        #expect(!t[0].caps.contains("STARTTLS") && !t[0].caps.contains("LOGINDISABLED") && t[0].caps.contains("AUTH=PLAIN"), "\(t)")
        #expect(t[1].ok && t[2].ok, "\(t)")
    }
}
