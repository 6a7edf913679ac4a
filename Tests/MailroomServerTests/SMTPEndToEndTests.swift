// End-to-end SMTP over loopback with a real client (Python's smtplib) against the real server
// in-process: MX delivery into Maildir, aliases, SMTPUTF8 (用户@例子.中国), STARTTLS and implicit
// TLS with AUTH on the submission ports, BDAT, and the relay verdict of every case of the shared
// open-relay corpus (smtp-open-relay-cases/relay_cases.tsv).

import Foundation
import MailroomCore
import MailroomTestSupport
import Testing

@Suite(.serialized) struct SMTPEndToEndTests {
    static let message = "From: a@example.net\r\nTo: user@example.com\r\nSubject: hello\r\n\r\nBody line.\r\n"

    @Test func mxDeliversToMailbox() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                       "to": ["user@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let inbox = try await server.waitForInbox("user@example.com", count: 1)
        let text = inbox[0].text
        #expect(text.hasPrefix("Return-Path: <a@example.net>\r\n") || text.hasPrefix("Return-Path: <a@example.net>\n"), "\(text)")
        #expect(text.contains("Delivered-To: user@example.com"))
        #expect(text.contains("Received: from client.example.net"))
        #expect(text.contains("by mx.example.com (Mailroom) with ESMTP id"))
        #expect(text.hasSuffix("Body line.\r\n"))
    }

    @Test func aliasWithTwoTargets() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                       "to": ["team@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        _ = try await server.waitForInbox("alice@example.com", count: 1)
        _ = try await server.waitForInbox("bob@example.com", count: 1)
    }

    @Test func unknownUserRefusedAtRCPT() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                       "to": ["nobody@example.com"], "message": Self.message])
        let refused = answer["refused"] as? [String: [Any]]
        #expect(refused?["nobody@example.com"]?.first as? Int == 550, "\(answer)")
        #expect((refused?["nobody@example.com"]?.last as? String)?.hasPrefix("5.1.1") == true, "\(answer)")
    }

    @Test func smtpUTF8Recipient() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let body = "From: 发件人@example.net\r\nTo: 用户@例子.中国\r\nSubject: 你好\r\n\r\n中文邮件正文。\r\n"
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "发件人@example.net",
                                       "to": ["用户@例子.中国"], "message": body, "utf8": true])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let inbox = try await server.waitForInbox("用户@例子.中国", count: 1)
        #expect(inbox[0].text.contains("中文邮件正文。"))
        #expect(inbox[0].text.contains("with UTF8SMTP"))
    }

    @Test(arguments: ["PLAIN", "LOGIN", "CRAM-MD5"])
    func submissionWithSTARTTLSAndAuth(mechanism: String) async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let message = "From: user@example.com\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nNo id, no date.\r\n"
        let answer = try await server.probe(["op": "send", "port": server.submissionPort, "tls": "starttls",
                                       "auth": ["user@example.com", ServerHarness.password, mechanism],
                                       "from": "user@example.com", "to": ["alice@example.com"], "message": message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let text = try await server.waitForInbox("alice@example.com", count: 1)[0].text
        #expect(text.contains("with ESMTPSA"))
        #expect(text.contains("\r\nMessage-ID: <"), "submission adds a Message-ID")
        #expect(text.contains("\r\nDate: "), "submission adds a Date")
    }

    @Test func submissionsImplicitTLS() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.submissionsPort, "tls": "implicit",
                                       "auth": ["user@example.com", ServerHarness.password],
                                       "from": "user@example.com", "to": ["bob@example.com"], "message": Self.message])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        _ = try await server.waitForInbox("bob@example.com", count: 1)
    }

    @Test func submissionRefusesForeignSender() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.submissionPort, "tls": "starttls",
                                       "auth": ["user@example.com", ServerHarness.password],
                                       "from": "alice@example.com", "to": ["bob@example.com"], "message": Self.message])
        let error = answer["error"] as? [Any]
        #expect(error?.first as? Int == 553, "\(answer)")
    }

    @Test func bdatChunks() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                       "to": ["user@example.com"], "message": Self.message, "bdat": true])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        let text = try await server.waitForInbox("user@example.com", count: 1)[0].text
        #expect(text.hasSuffix("Body line.\r\n"))
    }

    /// Every case of the open-relay corpus gets its expected verdict from the running server.
    @Test func openRelayCorpus() async throws {
        let path = Corpora.path("smtp-open-relay-cases/relay_cases.tsv").path
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("the open-relay corpus is missing at \(path)")
            return
        }
        var cases: [[String]] = []
        var expected: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 6 else { continue }
            let substitute = { (text: String) in text.replacingOccurrences(of: "[192.0.2.25]", with: "[127.0.0.1]") }
            cases.append([fields[0], substitute(fields[1]), substitute(fields[2]), fields[3]])
            expected[fields[0]] = fields[5]
        }
        #expect(cases.count == 39)
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let answer = try await server.probe(["op": "relay", "port": server.mxPort, "submission_port": server.submissionPort,
                                       "cases": cases, "auth": ["user@example.com", ServerHarness.password]])
        let results = try #require(answer["results"] as? [String: Int])
        for (id, verdict) in expected {
            let code = results[id] ?? 0
            if verdict == "ACCEPT" {
                #expect((200..<300).contains(code), "\(id): expected ACCEPT, got \(code)")
            } else {
                #expect(!(200..<300).contains(code) && code >= 400, "\(id): expected REJECT, got \(code)")
            }
        }
        // Nothing may have been queued for a foreign domain.
        let queued = try server.server.spool.scan().queued
        #expect(queued.isEmpty, "queued after relay attempts: \(queued)")
    }
}

/// Debian's swaks as the client: STARTTLS, AUTH and PIPELINING in one run.
@Suite(.serialized) struct SwaksTests {
    static func swaks(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offPool { try runSwaks(arguments) }
    }

    static func runSwaks(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/swaks")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw HarnessError("swaks is not installed (scripts/test installs it): \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func startTLSAuthPipelining() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let result = try await Self.swaks([
            "--server", "127.0.0.1", "--port", "\(server.submissionPort)", "--tls", "--pipeline",
            "--auth", "PLAIN", "--auth-user", "user@example.com", "--auth-password", ServerHarness.password,
            "--from", "user@example.com", "--to", "alice@example.com,bob@example.com",
            "--header", "Subject: swaks test", "--body", "sent by swaks", "--helo", "client.example.net",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("PIPELINING"))
        #expect(result.output.contains("250 2.6.0 Ok: queued as"), "\(result.output)")
        let alice = try await server.waitForInbox("alice@example.com", count: 1)
        _ = try await server.waitForInbox("bob@example.com", count: 1)
        #expect(alice[0].text.contains("sent by swaks"))
    }

    @Test func authRefusedBeforeTLSFromNonLoopbackPolicy() async throws {
        // Loopback may authenticate in clear by default; with that turned off AUTH needs TLS.
        let server = try await ServerHarness.start { $0.smtp.plaintextAuthOnLoopback = false }
        defer { Task { await server.stop() } }
        let result = try await Self.swaks([
            "--server", "127.0.0.1", "--port", "\(server.submissionPort)",
            "--auth", "PLAIN", "--auth-user", "user@example.com", "--auth-password", ServerHarness.password,
            "--from", "user@example.com", "--to", "alice@example.com", "--helo", "client.example.net",
        ])
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("<-  250 CHUNKING"), "the EHLO reply was read: \(result.output)")
        #expect(!result.output.contains("AUTH PLAIN"), "AUTH is not offered before TLS: \(result.output)")
        #expect(!result.output.contains("235 "), "no authentication happened: \(result.output)")
        #expect(try server.inbox("alice@example.com").isEmpty)
    }
}

/// The shared SMTP smuggling corpus over the wire: each payload is sent after the 354 reply,
/// the server must answer with the strict verdict (5xx for every fake end-of-data sequence, 250
/// for the control) and never run the smuggled MAIL/RCPT/DATA.
@Suite(.serialized) struct SMTPSmugglingWireTests {
    struct Case: Decodable {
        struct Expected: Decodable {
            let strict_verdict: String
            let max_messages_delivered: Int
        }
        let id: String
        let payload_file: String
        let expected: Expected
    }

    @Test func smugglingCorpus() async throws {
        let directory = Corpora.path("smtp-smuggling-cases")
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent("smuggling_cases.jsonl").path) else {
            Issue.record("the smuggling corpus is missing at \(directory.path)")
            return
        }
        let cases = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Case.self, from: Data($0.utf8))
        }
        #expect(cases.count >= 12)
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        var accepted = 0
        for item in cases {
            let answer = try await server.probe(["op": "smuggle", "port": server.mxPort,
                                                 "payload": directory.appendingPathComponent(item.payload_file).path])
            let replies = answer["replies"] as? [Int] ?? []
            // 220, EHLO 250, MAIL 250, RCPT 250, DATA 354, then the verdict on the message.
            #expect(Array(replies.prefix(5)) == [220, 250, 250, 250, 354], "\(item.id): \(replies)")
            let verdict = replies.count > 5 ? replies[5] : 0
            if item.expected.strict_verdict == "ACCEPT" {
                #expect(verdict == 250, "\(item.id): \(replies)")
                accepted += 1
            } else {
                #expect((500..<600).contains(verdict), "\(item.id): expected a 5xx, got \(replies)")
            }
            #expect(replies.count <= 6, "\(item.id): the server answered smuggled commands: \(replies)")
        }
        let inbox = try await server.waitForInbox("postmaster@example.com", count: accepted)
        #expect(inbox.count == accepted)
        for message in inbox {
            #expect(!message.text.contains("SMUGGLED"), "a smuggled message was delivered")
        }
        #expect(inbox.contains { $0.text.contains("\r\n.leading dot (") }, "dot-stuffing of the control case")
    }
}
