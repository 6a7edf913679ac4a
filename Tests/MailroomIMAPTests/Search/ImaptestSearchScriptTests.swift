// ImaptestSearchScriptTests.swift — Dovecot imaptest's SEARCH scripts (shared corpus
// imaptest-scripts/tests: search-body, search-header, search-addresses, search-date,
// search-size, search-flags, search-sets; format in imaptest-scripts/docs/scripted_test.md)
// run against the evaluator without a server: the script's mbox (`<name>.mbox`, else
// default.mbox) is read at test time, every message is \Recent as it is for the session that
// appended them, and a small interpreter plays the commands the scripts use around their
// searches — STORE (flags and keywords), EXPUNGE, FETCH RFC822.SIZE / UID and STATUS UIDNEXT
// (only to bind the script's $variables) — so each `ok search` line is checked against the
// sequence numbers (or UIDs) the script expects. Unbound $variables in an expected response
// are bound from the result, as imaptest does.
//
// Not used: nothing in these seven scripts is skipped. search-header's `ok search subject ""`
// has no expected response (the script says the RFC leaves it open); it is run and must not
// fail. Lines commented out in search-sets ("6:*", "*:6") stay out.

@testable import MailroomIMAP
import Foundation
import MailroomMaildir
import MailroomTestSupport
import Testing

@Suite("Search: imaptest scripts")
struct ImaptestSearchScriptTests {
    static let scripts = ["search-body", "search-header", "search-addresses", "search-date", "search-size",
                          "search-flags", "search-sets"]

    @Test("imaptest script", arguments: scripts)
    func script(name: String) throws {
        let directory = Corpora.path("imaptest-scripts/tests")
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .isoLatin1)
        var runner = ScriptRunner(name: name)
        let (header, commands) = ScriptCommand.parse(text)
        let own = directory.appendingPathComponent(name + ".mbox")
        let mbox = FileManager.default.fileExists(atPath: own.path) ? own : directory.appendingPathComponent("default.mbox")
        let messages = try MboxSource.messages(at: mbox)
        #expect(!messages.isEmpty, "messages in \(mbox.lastPathComponent)")
        let count = header["messages"].flatMap { Int($0) } ?? messages.count
        for i in 0..<count { runner.append(messages[i % messages.count]) }
        var searches = 0
        for command in commands {
            #expect(command.status == "ok", "\(name) line \(command.line): only `ok` commands are expected in these scripts")
            searches += try runner.run(command) ? 1 : 0
        }
        #expect(searches > 0)
    }
}

/// One script command with the untagged lines expected after it.
struct ScriptCommand {
    var line: Int
    /// The expected tagged status: "ok", "no" or "bad".
    var status: String
    /// The command, without the status word.
    var text: String
    /// The expected untagged lines, without "* ".
    var untagged: [String]

    /// The header (key: value up to the first empty line) and the commands in the script's
    /// first form (`ok|no|bad command`, then its `* ...` lines): what the SEARCH and SORT
    /// scripts use. (The conformance runner, MailroomTestSupport's ImaptestScript, reads the
    /// whole format.)
    static func parse(_ text: String) -> ([String: String], [ScriptCommand]) {
        var header: [String: String] = [:]
        var commands: [ScriptCommand] = []
        var inHeader = true
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if inHeader {
                if line.isEmpty { inHeader = false; continue }
                if let colon = line.firstIndex(of: ":") {
                    header[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            if line.hasPrefix("* "), !commands.isEmpty {
                commands[commands.count - 1].untagged.append(String(line.dropFirst(2)))
            } else if ["ok", "no", "bad"].contains(words[0].lowercased()) {
                commands.append(ScriptCommand(line: index + 1, status: words[0].lowercased(), text: words.count > 1 ? words[1] : "",
                                              untagged: []))
            } else {
                Issue.record("line \(index + 1): not a command this runner knows: \(line)")
            }
        }
        return (header, commands)
    }
}

struct ScriptRunner {
    let name: String
    var box = SearchMailbox()
    var variables: [String: String] = ["mailbox": "imaptest"]

    init(name: String) {
        self.name = name
        box.nextUID = 101   // UIDs other than sequence numbers, to catch one used for the other
    }

    mutating func append(_ bytes: [UInt8]) {
        box.addRaw(bytes, recent: true)
    }

    /// `$$` is `$`; `$name` is the variable's value.
    func substitute(_ text: String, line: Int) -> String {
        var out = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            guard c == "$" else { out.append(c); continue }
            if chars.first == "$" { chars.removeFirst(); out.append("$"); continue }
            let name = String(chars.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            if name.isEmpty { out.append("$"); continue }
            chars.removeFirst(name.count)
            if let value = variables[name] { out += value } else { Issue.record("\(self.name):\(line): unbound $\(name)") }
        }
        return out
    }

    /// Compares the numbers against an expected list of numbers and $variables, binding
    /// unbound variables.
    mutating func match(_ expected: [Substring], _ actual: [UInt32]) -> Bool {
        guard expected.count == actual.count else { return false }
        for (token, value) in zip(expected, actual) {
            if token.hasPrefix("$") {
                let name = String(token.dropFirst())
                if let bound = variables[name] {
                    if bound != String(value) { return false }
                } else {
                    variables[name] = String(value)
                }
            } else if UInt32(token) != value {
                return false
            }
        }
        return true
    }

    /// Runs one command; true when it was a SEARCH.
    mutating func run(_ command: ScriptCommand) throws -> Bool {
        let words = command.text.split(separator: " ")
        let verb = words.first?.lowercased() ?? ""
        let location = "\(name):\(command.line) \(command.text)"
        switch verb {
        case "search", "uid" where words.count > 1 && words[1].lowercased() == "search":
            let text = substitute(command.text, line: command.line)
            let parsed = try SearchCommand(text)
            let program = try SearchProgram(criteria: parsed.criteria, charset: parsed.charset)
            let result = SearchResult.numbers(box.run(program).matches, uid: parsed.uid)
            let expected = command.untagged.compactMap { line -> [Substring]? in
                let tokens = line.split(separator: " ")
                return tokens.first?.lowercased() == "search" ? Array(tokens.dropFirst()) : nil
            }
            if let expected = expected.first {
                #expect(match(expected, result), "\(location): expected \(expected.joined(separator: " ")), got \(result)")
            }
            return true
        case "store":
            store(Array(words.dropFirst()).map(String.init), location)
        case "expunge":
            let kept = box.messages.filter { !$0.flags.contains(.deleted) }
            box.messages = kept
        case "fetch", "status":
            bind(command)
        default:
            Issue.record("\(location): command not supported by the runner")
        }
        return false
    }

    /// STORE set [+|-]FLAGS[.SILENT] (flags) or flag.
    mutating func store(_ arguments: [String], _ location: String) {
        guard arguments.count >= 3 else { Issue.record("\(location): bad STORE"); return }
        let set = ParserFixturesSet.parse(arguments[0])
        let item = arguments[1].lowercased()
        let flagWords = arguments[2...].joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: "()"))
            .split(separator: " ").map { substitute(String($0), line: 0) }
        var system: SystemFlags = []
        var keywords: [String] = []
        for word in flagWords {
            switch word.lowercased() {
            case "\\seen": system.insert(.seen)
            case "\\answered": system.insert(.answered)
            case "\\flagged": system.insert(.flagged)
            case "\\deleted": system.insert(.deleted)
            case "\\draft": system.insert(.draft)
            default: keywords.append(word)
            }
        }
        let max = UInt32(box.messages.count)
        for index in box.messages.indices where set.contains(UInt32(index + 1), max: max) {
            var info = box.messages[index]
            if item.hasPrefix("+") {
                info.flags.formUnion(system)
                info.keywords = Array(Set(info.keywords).union(keywords)).sorted()
            } else if item.hasPrefix("-") {
                info.flags.subtract(system)
                info.keywords.removeAll { keywords.contains($0) }
            } else {
                info.flags = system
                info.keywords = keywords
            }
            box.messages[index] = info
        }
    }

    /// FETCH n (RFC822.SIZE $x) / (UID $x) and STATUS box (UIDNEXT $x): binds variables.
    mutating func bind(_ command: ScriptCommand) {
        for line in command.untagged {
            let tokens = line.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
                .split(separator: " ").map { $0.lowercased() }
            guard tokens.count >= 4 else { continue }
            if tokens[1] == "fetch", let sequence = Int(tokens[0]), sequence >= 1, sequence <= box.messages.count {
                let info = box.messages[sequence - 1]
                var i = 2
                while i + 1 < tokens.count {
                    let value: String? = switch tokens[i] {
                    case "rfc822.size": String(info.size)
                    case "uid": String(info.uid)
                    default: nil
                    }
                    if let value, tokens[i + 1].hasPrefix("$") { variables[String(tokens[i + 1].dropFirst())] = value }
                    i += 2
                }
            } else if tokens[0] == "status", let at = tokens.firstIndex(of: "uidnext"), at + 1 < tokens.count,
                      tokens[at + 1].hasPrefix("$") {
                variables[String(tokens[at + 1].dropFirst())] = String(box.nextUID)
            }
        }
    }
}

/// A sequence set from script text, through the real parser.
enum ParserFixturesSet {
    static func parse(_ text: String) -> SequenceSet {
        guard let command = try? SearchCommand("SEARCH " + text), case .sequenceSet(let set)? = command.criteria.first else {
            Issue.record("bad sequence set \(text)")
            return SequenceSet(1)
        }
        return set
    }
}
