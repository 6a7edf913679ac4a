// IMAP limits set in the configuration reach the sessions: imap.max_search_contexts (how many
// RETURN (UPDATE) searches one session keeps up to date, RFC 5267 §4.3; the next one is
// answered with an untagged NO [NOUPDATE] and its result), imap.metadata_max_entries and
// imap.metadata_max_value_bytes (RFC 5464 §4.3: NO [METADATA TOOMANY] / [METADATA MAXSIZE n]).

import Foundation
import MailroomCore
import MailroomTestSupport
import Testing
@testable import MailroomServer

@Suite struct IMAPConfiguredLimitsTests {
    @Test("the configured number of kept searches is honoured; one more gets NO [NOUPDATE]")
    func configuredLimit() async throws {
        let server = try await ServerHarness.start { $0.imap.maxSearchContexts = 2 }
        defer { Task { await server.stop() } }
        _ = try server.putMessages("user@example.com", [Array("Subject: one\r\n\r\nbody\r\n".utf8)])
        let port = server.imapPort
        let lines = try await offPool { () -> [String] in
            let client = try IMAPLineClient(port: port, timeout: 30)
            defer { client.close() }
            var seen: [String] = []
            func run(_ tag: String, _ command: String) throws {
                try client.sendLine("\(tag) \(command)")
                while true {
                    let line = try client.readLine()
                    seen.append(line)
                    if line.hasPrefix("\(tag) ") { return }
                }
            }
            _ = try client.readLine()
            try run("a", "LOGIN user@example.com \(ServerHarness.password)")
            try run("b", "SELECT INBOX")
            for tag in ["s1", "s2", "s3"] { try run(tag, "SEARCH RETURN (UPDATE) ALL") }
            return seen
        }
        #expect(!lines.contains { $0.contains("NOUPDATE \"s1\"") || $0.contains("NOUPDATE \"s2\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("* NO [NOUPDATE \"s3\"]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("s3 OK") }, "the search itself completes")
    }

    @Test("METADATA limits come from imap.metadata_max_entries and imap.metadata_max_value_bytes")
    func metadataLimits() async throws {
        let server = try await ServerHarness.start {
            $0.imap.metadataMaxEntries = 2
            $0.imap.metadataMaxValueBytes = 16
        }
        defer { Task { await server.stop() } }
        let port = server.imapPort
        let lines = try await offPool { () -> [String] in
            let client = try IMAPLineClient(port: port, timeout: 30)
            defer { client.close() }
            var seen: [String] = []
            func run(_ tag: String, _ command: String) throws {
                try client.sendLine("\(tag) \(command)")
                while true {
                    let line = try client.readLine()
                    seen.append(line)
                    if line.hasPrefix("\(tag) ") { return }
                }
            }
            _ = try client.readLine()
            try run("a", "LOGIN user@example.com \(ServerHarness.password)")
            try run("b", "SETMETADATA INBOX (/private/comment \"one\")")
            try run("c", "SETMETADATA INBOX (/shared/comment \"two\")")
            try run("d", "SETMETADATA INBOX (/private/vendor/x/y \"three\")")
            try run("e", "SETMETADATA INBOX (/private/comment \"seventeen octets!\")")
            return seen
        }
        #expect(lines.contains { $0.hasPrefix("c OK") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("d NO [METADATA TOOMANY]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("e NO [METADATA MAXSIZE 16]") }, "\(lines)")
    }
}
