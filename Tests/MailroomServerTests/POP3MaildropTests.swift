// The POP3 maildrop end to end with Python's poplib against the real server in-process: the
// lock between sessions, deletions at QUIT only, RSET, UIDL from the Maildir file names and
// stable across sessions and flag changes, TOP, pipelining, a message delivered during a
// session, a large message streamed, a 10,000-message mailbox, and every message of the
// mime-torture corpus retrieved byte-exact (read from ../shared/corpora at test time).

import Foundation
import MailroomCore
import MailroomTestSupport
import Testing

@Suite(.serialized) struct POP3MaildropTests {
    static func message(_ n: Int, body: String = "Body line.\r\n") -> [UInt8] {
        Array("From: a@example.net\r\nTo: user@example.com\r\nSubject: message \(n)\r\n\r\n\(body)".utf8)
    }

    static let three = (1...3).map { message($0) }

    /// "n uid" lines → uid by message number.
    static func uidls(_ lines: [String]) -> [String] {
        lines.map { String($0.split(separator: " ")[1]) }
    }

    @Test func secondSessionGetsInUse() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", Self.three)
        let t = try await server.pop3([ServerHarness.login(),
                                       ["@1", "connect", server.pop3Port, "none"], ["@1", "user", "user@example.com", ServerHarness.password],
                                       ["quit"],
                                       ["@2", "connect", server.pop3Port, "none"], ["@2", "user", "user@example.com", ServerHarness.password],
                                       ["@2", "quit"]])
        #expect(t[0].ok, "\(t)")
        #expect(t[2].resp.hasPrefix("-ERR [IN-USE]"), "\(t)")
        #expect(t[5].ok, "free again after QUIT: \(t)")
        // A dropped connection releases it too.
        let dropped = try await server.pop3([ServerHarness.login(), ["drop"],
                                             ["@1", "connect", server.pop3Port, "none"], ["@1", "sleep", 0.2],
                                             ["@1", "user", "user@example.com", ServerHarness.password]])
        #expect(dropped[4].ok, "\(dropped)")
    }

    @Test func deleThenQuitDeletes() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let names = try server.putMessages("user@example.com", Self.three)
        let t = try await server.pop3([ServerHarness.login(), ["uidl"], ["dele", 2], ["stat"], ["list"], ["retr", 2], ["quit"]])
        let second = Self.uidls(t[1].lines)[1]
        #expect(t[2].resp == "+OK Message 2 deleted", "\(t)")
        #expect(t[3].resp == "+OK 2 \(Self.three[0].count + Self.three[2].count)", "\(t)")
        #expect(t[4].lines.count == 2 && !t[4].lines.contains { $0.hasPrefix("2 ") }, "\(t)")
        #expect(t[5].resp.hasPrefix("-ERR"), "a deleted message cannot be retrieved: \(t)")
        #expect(t[6].resp == "+OK Logging out, 1 message deleted", "\(t)")
        let left = try server.inboxFileNames("user@example.com")
        #expect(left.count == 2 && !left.contains { $0.hasPrefix(second) }, "\(left)")
        #expect(Set(names).subtracting([second]) == Set(left.map { POP3UniqueIDForTest.base($0) }), "\(left)")
    }

    @Test func deleThenDroppedConnectionDeletesNothing() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", Self.three)
        let t = try await server.pop3([ServerHarness.login(), ["dele", 1], ["dele", 3], ["drop"]])
        #expect(t[1].ok && t[2].ok, "\(t)")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(try server.inboxFileNames("user@example.com").count == 3)
        let next = try await server.pop3([ServerHarness.login(), ["stat"], ["quit"]])
        #expect(next[1].resp.hasPrefix("+OK 3 "), "\(next)")
        #expect(try server.inboxFileNames("user@example.com").count == 3)
    }

    @Test func rsetUnmarks() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", Self.three)
        let total = Self.three.reduce(0) { $0 + $1.count }
        let t = try await server.pop3([ServerHarness.login(), ["dele", 1], ["dele", 2], ["rset"], ["stat"], ["retr", 1], ["quit"]])
        #expect(t[3].resp == "+OK maildrop has 3 messages (\(total) octets)", "\(t)")
        #expect(t[4].resp == "+OK 3 \(total)", "\(t)")
        #expect(t[5].ok && t[6].resp == "+OK Logging out, 0 messages deleted", "\(t)")
        #expect(try server.inboxFileNames("user@example.com").count == 3)
    }

    @Test func uidlIsTheFileBaseNameAndStable() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let names = try server.putMessages("user@example.com", Self.three)
        let first = try await server.pop3([ServerHarness.login(), ["uidl"], ["uidl", 2], ["quit"]])
        let ids = Self.uidls(first[1].lines)
        #expect(Set(ids) == Set(names), "\(first)")
        #expect(first[2].resp == "+OK 2 \(ids[1])", "\(first)")
        // An IMAP client marks every message seen: the files move to cur/ with ":2,S".
        let root = try server.maildir("user@example.com")
        for file in try server.inboxFileNames("user@example.com") {
            let now = FileManager.default.fileExists(atPath: "\(root)/new/\(file)") ? "\(root)/new/\(file)" : "\(root)/cur/\(file)"
            #expect(rename(now, "\(root)/cur/\(POP3UniqueIDForTest.base(file)):2,S") == 0, "\(now)")
        }
        #expect(try server.inboxFileNames("user@example.com").allSatisfy { $0.hasSuffix(":2,S") })
        let second = try await server.pop3([ServerHarness.login(), ["uidl"], ["retr", 1], ["quit"]])
        #expect(Self.uidls(second[1].lines) == ids, "\(second)")
        #expect(second[2].ok, "\(second)")
    }

    @Test func top() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let header = "From: a@example.net\nSubject: top\n\n"
        try server.putMessages("user@example.com", [Array((header + "one\n.two\nthree\n").utf8)])
        let t = try await server.pop3([ServerHarness.login(), ["top", 1, 0], ["top", 1, 2], ["top", 1, 99], ["retr", 1]])
        #expect(t[1].data.text == "From: a@example.net\r\nSubject: top\r\n\r\n", "\(t)")
        #expect(t[2].data.text == "From: a@example.net\r\nSubject: top\r\n\r\none\r\n.two\r\n", "\(t)")
        #expect(t[3].data.text == t[4].data.text && t[4].data.text.hasSuffix("three\r\n"), "\(t)")
    }

    @Test func pipelinedCommandsInOneWrite() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", Self.three)
        let commands: [[Any]] = [["CAPA", true], ["USER user@example.com", false], ["PASS \(ServerHarness.password)", false],
                                 ["STAT", false], ["LIST", true], ["UIDL", true], ["RETR 1", true], ["TOP 2 0", true],
                                 ["DELE 3", false], ["BOGUS", false], ["NOOP", false], ["QUIT", false]]
        let t = try await server.pop3([["pipeline", commands]])
        let replies = t[0].responses
        try #require(replies.count == commands.count, "\(t)")
        #expect(replies[0].data.text.contains("PIPELINING"))
        #expect(replies[2].status.hasPrefix("+OK maildrop has 3 messages"), "\(replies)")
        #expect(replies[3].status.hasPrefix("+OK 3 "), "\(replies)")
        #expect(replies[4].data.text.split(separator: "\r\n").count == 3, "\(replies)")
        #expect(replies[6].data == Self.three.first, "\(replies)")
        #expect(replies[7].data.text.hasSuffix("Subject: message 2\r\n\r\n"), "\(replies)")
        #expect(replies[8].status == "+OK Message 3 deleted", "\(replies)")
        #expect(replies[9].status.hasPrefix("-ERR"), "\(replies)")
        #expect(replies[10].status == "+OK", "\(replies)")
        #expect(replies[11].status == "+OK Logging out, 1 message deleted", "\(replies)")
    }

    @Test func messageDeliveredDuringSessionShowsInTheNext() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        try server.putMessages("user@example.com", [Self.message(1)])
        // The session logs in at once; the second message arrives half a second later, over SMTP.
        async let session = server.pop3([ServerHarness.login(), ["stat"], ["sleep", 1.5], ["stat"], ["list"], ["quit"],
                                         ["@1", "connect", server.pop3Port, "none"],
                                         ["@1", "user", "user@example.com", ServerHarness.password], ["@1", "stat"]])
        try await Task.sleep(nanoseconds: 500_000_000)
        let answer = try await server.probe(["op": "send", "port": server.mxPort, "from": "a@example.net",
                                             "to": ["user@example.com"], "message": "Subject: late\r\n\r\nlate\r\n"])
        #expect(answer["ok"] as? Bool == true, "\(answer)")
        _ = try await server.waitForInbox("user@example.com", count: 2)
        let t = try await session
        #expect(t[1].resp == "+OK 1 \(Self.message(1).count)", "\(t)")
        #expect(t[3].resp == t[1].resp && t[4].lines.count == 1, "not in the session that was open: \(t)")
        #expect(t[8].resp.hasPrefix("+OK 2 "), "in the next one: \(t)")
    }

    @Test func largeMessageStreamed() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        // 8 MB with LF line ends and lines starting with dots: converted and stuffed in chunks.
        var message = Array("From: a@example.net\nSubject: big\n\n".utf8)
        let line = Array((".dotted line of text " + String(repeating: "x", count: 60) + "\n").utf8)
        while message.count < 8 << 20 { message += line }
        try server.putMessages("user@example.com", [message])
        let expected = CRLF.normalized(message)
        let t = try await server.pop3([ServerHarness.login(), ["list", ], ["retr", 1], ["quit"]])
        #expect(t[1].lines == ["1 \(expected.count)"], "\(t[1].lines)")
        #expect(t[2].resp == "+OK \(expected.count) octets")
        #expect(t[2].data == expected, "retrieved \(t[2].data.count) octets, expected \(expected.count)")
    }

    @Test func tenThousandMessages() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let messages = (1...10_000).map { Self.message($0, body: String(repeating: "line \($0)\r\n", count: $0 % 7 + 1)) }
        let names = try server.putMessages("user@example.com", messages)
        let byName = Dictionary(uniqueKeysWithValues: zip(names, messages))
        let total = messages.reduce(0) { $0 + $1.count }
        let start = Date()
        let t = try await server.pop3([ServerHarness.login(), ["stat"], ["list"], ["uidl"],
                                       ["retr", 1], ["retr", 5000], ["retr", 10_000], ["dele", 10_000], ["quit"]])
        #expect(t[0].resp == "+OK maildrop has 10000 messages (\(total) octets)", "\(t[0])")
        #expect(t[1].resp == "+OK 10000 \(total)")
        #expect(t[2].lines.count == 10_000)
        let ids = Self.uidls(t[3].lines)
        #expect(ids.count == 10_000 && Set(ids) == Set(names))
        let sizes = t[2].lines.map { Int($0.split(separator: " ")[1]) ?? -1 }
        if ids.count == 10_000, sizes.count == 10_000 {
            #expect(zip(ids, sizes).allSatisfy { byName[$0.0]?.count == $0.1 }, "LIST sizes match the files UIDL names")
            for (step, number) in [(4, 1), (5, 5000), (6, 10_000)] {
                #expect(t[step].data == byName[ids[number - 1]], "message \(number)")
            }
        }
        #expect(t[8].resp == "+OK Logging out, 1 message deleted")
        #expect(try server.inboxFileNames("user@example.com").count == 9_999)
        print("10,000-message POP3 session: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
    }

    @Test func mimeTortureRetrievedByteExact() async throws {
        let server = try await ServerHarness.start()
        defer { Task { await server.stop() } }
        let directory = Corpora.path("mime-torture")
        let index = try String(contentsOf: directory.appendingPathComponent("index.tsv"), encoding: .utf8)
        let files = index.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[0]) }
        #expect(files.count > 300)
        let messages = try files.map { [UInt8](try Data(contentsOf: directory.appendingPathComponent($0))) }
        let names = try server.putMessages("user@example.com", messages)
        let byName = Dictionary(uniqueKeysWithValues: zip(names, messages))
        let t = try await server.pop3([ServerHarness.login(), ["list"], ["uidl"], ["retr_all", messages.count], ["quit"]])
        let ids = Self.uidls(t[2].lines)
        let sizes = t[1].lines.map { Int($0.split(separator: " ")[1]) ?? -1 }
        let retrieved = t[3].datas
        try #require(ids.count == messages.count && retrieved.count == messages.count && sizes.count == messages.count, "\(t[0])")
        var mismatches: [String] = []
        for (i, id) in ids.enumerated() {
            // The stored message with CRLF line ends, octet for octet; LIST gives that size. A
            // message whose last line has no line end gets one on the wire only, because the
            // terminating "." must be a line of its own (RFC 1939 §3, POP3MessageWriter).
            let stored = CRLF.normalized(byName[id] ?? [])
            var expected = stored
            if expected.last != 0x0A { expected += expected.last == 0x0D ? [0x0A] : [0x0D, 0x0A] }
            if retrieved[i] != expected || sizes[i] != stored.count {
                mismatches.append(files[names.firstIndex(of: id) ?? 0])
            }
        }
        #expect(mismatches.isEmpty, "not byte-exact: \(mismatches)")
    }
}

/// A Maildir file name without its info part (what the server's UIDL is), for checks.
enum POP3UniqueIDForTest {
    static func base(_ name: String) -> String {
        String(name.prefix { $0 != ":" })
    }
}
