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
    /// Logs in and runs `commands` (tagged t1, t2, … after a SELECT's own tag), returning every
    /// line the server sent.
    static func session(port: Int, _ commands: [String]) async throws -> [String] {
        try await offPool { () -> [String] in
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
            var number = 0
            for command in commands {
                if command.hasPrefix("SELECT") { try run("s", command); continue }
                number += 1
                try run("t\(number)", command)
            }
            return seen
        }
    }

    @Test("the configured number of kept searches is honoured; one more gets NO [NOUPDATE]")
    func configuredLimit() async throws {
        let server = try await ServerHarness.start { $0.imap.maxSearchContexts = 2 }
        defer { Task { await server.stop() } }
        _ = try server.putMessages("user@example.com", [Array("Subject: one\r\n\r\nbody\r\n".utf8)])
        let lines = try await Self.session(port: server.imapPort, ["SELECT INBOX"] + Array(repeating: "SEARCH RETURN (UPDATE) ALL", count: 3))
        #expect(!lines.contains { $0.contains("NOUPDATE \"t1\"") || $0.contains("NOUPDATE \"t2\"") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("* NO [NOUPDATE \"t3\"]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("t3 OK") }, "the search itself completes")
    }

    @Test("METADATA limits come from imap.metadata_max_entries and imap.metadata_max_value_bytes")
    func metadataLimits() async throws {
        let server = try await ServerHarness.start {
            $0.imap.metadataMaxEntries = 2
            $0.imap.metadataMaxValueBytes = 16
        }
        defer { Task { await server.stop() } }
        let lines = try await Self.session(port: server.imapPort, [
            "SETMETADATA INBOX (/private/comment \"one\")", "SETMETADATA INBOX (/shared/comment \"two\")",
            "SETMETADATA INBOX (/private/vendor/x/y \"three\")", "SETMETADATA INBOX (/private/comment \"seventeen octets!\")",
        ])
        #expect(lines.contains { $0.hasPrefix("t1 OK") } && lines.contains { $0.hasPrefix("t2 OK") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("t3 NO [METADATA TOOMANY]") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("t4 NO [METADATA MAXSIZE 16]") }, "\(lines)")
    }
}
