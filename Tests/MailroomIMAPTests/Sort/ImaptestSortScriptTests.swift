// ImaptestSortScriptTests.swift — Dovecot imaptest's SORT, THREAD and ESORT scripts (shared
// corpus imaptest-scripts/tests: sort-*, thread*, esort; format in
// imaptest-scripts/docs/scripted_test.md) run against IMAPMailboxEngine over MemoryStorage,
// without a server: the script's mbox (`<name>.mbox`, else default.mbox) is APPENDed with the
// internal dates of its "From " lines, as the conformance runner does, and every command is
// parsed by IMAPCommandParser and run by the engine. The SORT, THREAD and ESEARCH responses
// must be the ones the script expects (compared as imaptest compares atoms: case-insensitively,
// with "$tag" standing for the command's tag); "bad" lines must be refused by the parser.

@testable import MailroomIMAP
import Foundation
import MailroomMaildir
import MailroomTestSupport
import Testing

@Suite("Sort: imaptest scripts")
struct ImaptestSortScriptTests {
    static let scripts = ["sort-addresses", "sort-arrival", "sort-date", "sort-display-from", "sort-display-to",
                          "sort-partial", "sort-size", "sort-subject", "esort", "thread", "thread2", "thread3", "thread4",
                          "thread5", "thread6", "thread7", "thread8", "thread-orderedsubject", "thread-orderedsubject2"]

    @Test("imaptest script", arguments: scripts)
    func script(name: String) throws {
        let directory = Corpora.path("imaptest-scripts/tests")
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .isoLatin1)
        let own = directory.appendingPathComponent(name + ".mbox")
        let mbox = FileManager.default.fileExists(atPath: own.path) ? own : directory.appendingPathComponent("default.mbox")
        var runner = SortScriptRunner(messages: try MboxSource.datedMessages(at: mbox))
        let (header, commands) = ScriptCommand.parse(text)
        runner.run("CREATE imaptest")
        if header["state"] != "created" {
            let count = header["messages"].flatMap { Int($0) } ?? runner.messages.count
            for _ in 0..<count { runner.appendNext() }
            runner.run("SELECT imaptest")
        }
        var checked = 0
        for command in commands {
            checked += runner.check(command, script: name)
        }
        #expect(checked > 0, "\(name): no SORT or THREAD result checked")
    }
}

/// Plays a script's commands through the engine.
struct SortScriptRunner {
    let messages: [(octets: [UInt8], internalDate: String?)]
    let engine = IMAPMailboxEngine(storage: MemoryStorage())
    var next = 0
    var tagNumber = 0

    init(messages: [(octets: [UInt8], internalDate: String?)]) {
        self.messages = messages
    }

    mutating func tag() -> String {
        tagNumber += 1
        return "t\(tagNumber)"
    }

    /// Runs a command frame; returns the responses as text (without CRLF), tagged reply last,
    /// or nil when the parser refused it.
    @discardableResult
    mutating func run(_ line: String, literal: [UInt8]? = nil) -> (tag: String, responses: [String])? {
        let tag = tag()
        var frame = Array("\(tag) \(line)".utf8)
        if let literal { frame += Array(" {\(literal.count)+}\r\n".utf8) + literal }
        guard let parsed = try? IMAPCommandParser().parse(frame) else { return nil }
        var out: [String] = []
        let reply = engine.execute(tag: parsed.tag, parsed.command) { responses in
            out += responses.map { String(decoding: $0.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "") }
        }
        out.append(String(decoding: reply.encoded(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: ""))
        return (tag, out)
    }

    /// APPENDs the next mbox message (round the file), with its internal date.
    mutating func appendNext() {
        let message = messages[next % messages.count]
        next += 1
        let date = message.internalDate.map { " \"\($0)\"" } ?? ""
        let result = run("APPEND imaptest" + date, literal: message.octets)
        #expect(result?.responses.last?.contains(" OK ") == true, "APPEND: \(String(describing: result))")
    }

    /// Runs one script command; returns how many SORT/THREAD/ESEARCH results it checked.
    mutating func check(_ command: ScriptCommand, script: String) -> Int {
        let expected = command.status
        let line = command.text.replacingOccurrences(of: "$mailbox", with: "imaptest")
        if line.lowercased() == "append" {
            appendNext()
            return 0
        }
        guard let (tag, responses) = run(line) else {
            #expect(expected == "bad", "\(script) line \(command.line): \(line) did not parse")
            return 0
        }
        let status = responses.last?.split(separator: " ").dropFirst().first.map { $0.lowercased() } ?? ""
        #expect(status == expected, "\(script) line \(command.line): \(line) → \(responses.last ?? "")")
        var checked = 0
        for want in command.untagged {
            let normalWant = Self.normalised("* " + want.replacingOccurrences(of: "$tag", with: tag))
            let kind = normalWant.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            guard ["SORT", "THREAD", "ESEARCH"].contains(kind) else { continue }
            let got = responses.map(Self.normalised).filter { $0.split(separator: " ").dropFirst().first.map(String.init) == kind }
            #expect(got == [normalWant], "\(script) line \(command.line): \(line)")
            checked += 1
        }
        return checked
    }

    /// Upper-cased, quotes removed (imaptest compares atoms and strings alike).
    static func normalised(_ text: String) -> String {
        text.uppercased().replacingOccurrences(of: "\"", with: "")
    }
}
