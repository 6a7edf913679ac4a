// FetchImaptestTests.swift — FetchContent checked against Dovecot imaptest's scripts for body
// and binary fetches (imaptest-scripts/tests: fetch-body, fetch-body-mime,
// fetch-body-message-rfc822, fetch-body-message-rfc822-mime, fetch-body-message-rfc822-x2,
// fetch-binary-mime, fetch-binary-mime-base64, fetch-binary-mime-qp), without a server.
//
// Each script is read with ImaptestScript (MailroomTestSupport); its messages come from the
// .mbox of the same name, split at lines starting "From " (that line dropped), every line
// ended with CRLF as APPEND stores them (so the empty line before the next "From " stays in the
// message, which is what the scripts' literals expect), and the final empty piece after the
// file's last LF ignored. Every FETCH command is parsed with IMAPCommandParser; its body items
// come from FetchContent.responseItem, encoded with FetchResponseItem.write; FLAGS comes from a
// model of \Seen (no flags at the start; FetchContent.setsSeen adds \Seen and, as Dovecot,
// an untagged "n FETCH (FLAGS (\Seen))" the first time). The response is parsed with
// IMAPScriptArgument, as imaptest parses the server's lines, and matched as imaptest does
// (docs/scripted_test.md): atoms, strings and literals compare ASCII-case-insensitively;
// `$name` captures a value the first time and must be equal (case-sensitively) afterwards; `$`
// matches anything; `$!` list directives (the defaults ImaptestScript adds: FETCH lists
// unordered in pairs, FLAGS unordered without extras but \Recent); `* x` must match a
// response, `! x` must match none; the tagged reply OK means no UNKNOWN-CTE error.
// Every line of these scripts is checked; a command that is not FETCH would be recorded as
// unchecked and fail the test.

import Foundation
import MailroomIMAP
import MailroomMIME
import MailroomTestSupport
import Testing

@Suite("Fetch: Dovecot imaptest body and binary scripts")
struct FetchImaptestTests {
    static let scripts = [
        "fetch-body", "fetch-body-mime", "fetch-body-message-rfc822", "fetch-body-message-rfc822-mime",
        "fetch-body-message-rfc822-x2", "fetch-binary-mime", "fetch-binary-mime-base64", "fetch-binary-mime-qp",
    ]

    static var directory: URL { Corpora.path("imaptest-scripts/tests") }

    /// The messages of an mbox as APPEND stores them (the runner's reading).
    static func mbox(_ url: URL) throws -> [[UInt8]] { try MboxSource.messages(at: url) }

    @Test("each script's FETCH responses match", arguments: scripts)
    func script(_ name: String) throws {
        let script = try ImaptestScript.load(name: name, directory: Self.directory)
        let messages = try Self.mbox(script.mboxPath).map { MIMEMessage.parse($0) }
        try #require(!messages.isEmpty)
        var matcher = ScriptMatcher()
        var seen = Set<Int>()
        var checked = 0
        var unchecked: [String] = []

        for group in script.groups {
            var responses: [[IMAPScriptArgument]] = []
            var failed = false
            for command in group.commands {
                let tagged: TaggedCommand
                do {
                    tagged = try IMAPCommandParser().parse(Array(("a " + command.text).utf8))
                } catch {
                    unchecked.append("line \(command.line): \(command.text) (not parsed: \(error))")
                    continue
                }
                guard case .fetch(false, _, let attributes, _) = tagged.command,
                      let number = Int(command.text.split(separator: " ").dropFirst().first ?? ""),
                      number >= 1, number <= messages.count else {
                    unchecked.append("line \(command.line): \(command.text) (not a FETCH of one message)")
                    continue
                }
                let message = messages[number - 1]
                var items: [[UInt8]] = []
                do {
                    for attribute in attributes {
                        var buffer = IMAPEncodeBuffer()
                        if attribute == .flags {
                            FetchResponseItem.flags(seen.contains(number) ? [.seen] : []).write(to: &buffer)
                        } else if let item = try FetchContent.responseItem(for: attribute, of: message) {
                            item.write(to: &buffer)
                        } else {
                            unchecked.append("line \(command.line): \(attribute) (not a body item)")
                            continue
                        }
                        items.append(buffer.bytes)
                    }
                } catch {
                    failed = true
                }
                let line = Array("\(number) FETCH (".utf8) + Array(items.joined(separator: [0x20])) + [0x29]
                responses.append(try IMAPScriptArgument.parseLine(Latin1.string(line)))
                if FetchContent.setsSeen(attributes, readOnly: false), !seen.contains(number) {
                    seen.insert(number)
                    responses.append(try IMAPScriptArgument.parseLine("\(number) FETCH (FLAGS (\\Seen))"))
                }
                let expectOK = command.reply?.first?.atom?.lowercased() == "ok"
                #expect(failed != expectOK, "\(name) line \(command.line): \(command.text): tagged reply")
                checked += 1
            }
            for untagged in group.untagged {
                switch untagged.existence {
                case .mustExist:
                    let hit = matcher.matchAny(untagged.args, responses)
                    #expect(hit, "\(name) line \(untagged.line): no response matches \(IMAPScriptArgument.describe(untagged.args)); got \(responses.map(IMAPScriptArgument.describe))")
                case .mustNotExist:
                    let hit = matcher.matchAny(untagged.args, responses)
                    #expect(!hit, "\(name) line \(untagged.line): a response matches the banned \(IMAPScriptArgument.describe(untagged.args))")
                case .mayExist:
                    break
                }
                checked += 1
            }
        }
        #expect(unchecked.isEmpty, "\(name): lines not checked: \(unchecked)")
        // Every command and every expected untagged line of the file was looked at.
        let fileLines = Latin1.lines(Latin1.string(try Data(contentsOf: Self.directory.appendingPathComponent(name))))
        let want = fileLines.filter { $0.hasPrefix("ok ") || $0.hasPrefix("* ") || $0.hasPrefix("! ") || $0.hasPrefix("? ") }.count
        #expect(checked == want, "\(name): checked \(checked) of \(want) lines")
    }

    @Test("the matcher fails on a one-octet difference, a missing item, a wrong partial origin, a rebound variable")
    func matcherFails() throws {
        func args(_ s: String) throws -> [IMAPScriptArgument] { try IMAPScriptArgument.parseLine(s) }
        let expected = try args("1 FETCH ($!unordered=2 BODY[1] {7}\r\nhello\r\n)")
        var matcher = ScriptMatcher()
        #expect(matcher.matchAny(expected, [try args("1 FETCH (BODY[1] {7}\r\nHELLO\r\n)")]))
        #expect(!matcher.matchAny(expected, [try args("1 FETCH (BODY[1] {7}\r\nhellp\r\n)")]))
        #expect(!matcher.matchAny(expected, [try args("1 FETCH (BODY[1] {6}\r\nhello\r)")]))
        #expect(!matcher.matchAny(expected, [try args("1 FETCH (UID 4)")]))
        #expect(!matcher.matchAny(expected, [try args("2 FETCH (BODY[1] {7}\r\nhello\r\n)")]))
        let partial = try args("1 FETCH ($!unordered=2 BODY[TEXT]<5> \"3\")")
        #expect(!matcher.matchAny(partial, [try args("1 FETCH (BODY[TEXT]<0> \"3\")")]))
        let variable = try args("1 FETCH ($!unordered=2 RFC822.HEADER $hdr)")
        #expect(matcher.matchAny(variable, [try args("1 FETCH (RFC822.HEADER \"A: b\")")]))
        #expect(!matcher.matchAny(variable, [try args("1 FETCH (RFC822.HEADER \"A: B\")")]))
        let flags = try args("1 FETCH ($!unordered=2 FLAGS ($!unordered $!noextra $!ignore=\\recent))")
        #expect(matcher.matchAny(flags, [try args("1 FETCH (FLAGS (\\Recent))")]))
        #expect(!matcher.matchAny(flags, [try args("1 FETCH (FLAGS (\\Seen))")]))
    }

    @Test("the mbox reader keeps the empty line before the next From line, as the scripts expect")
    func mboxReader() throws {
        let messages = try Self.mbox(Self.directory.appendingPathComponent("fetch-body.mbox"))
        #expect(messages.count == 4)
        #expect(messages[0].suffix(9) == Array("body1\r\n\r\n".utf8))
        let binary = try Self.mbox(Self.directory.appendingPathComponent("fetch-binary-mime.mbox"))
        #expect(binary.count == 1)
        // fetch-binary-mime says BINARY.SIZE[] is 602: the message as appended.
        #expect(binary[0].count == 602)
    }
}

/// imaptest's argument matching (test_imap_match_args / test_imap_match_list), for already
/// parsed responses, with whole-argument `$name` variables.
struct ScriptMatcher {
    var variables: [String: String] = [:]

    /// Whether `expected` matches one of `responses`; variables bound by the match are kept.
    mutating func matchAny(_ expected: [IMAPScriptArgument], _ responses: [[IMAPScriptArgument]]) -> Bool {
        for response in responses {
            let saved = variables
            if matchOrdered(expected[...], response[...]) { return true }
            variables = saved
        }
        return false
    }

    mutating func matchOrdered(_ expected: ArraySlice<IMAPScriptArgument>, _ actual: ArraySlice<IMAPScriptArgument>) -> Bool {
        guard expected.count == actual.count else { return false }
        for (e, a) in zip(expected, actual) where !matchOne(e, a) { return false }
        return true
    }

    mutating func matchOne(_ expected: IMAPScriptArgument, _ actual: IMAPScriptArgument) -> Bool {
        switch expected {
        case .null:
            return actual == .null
        case .list(let items):
            guard let sub = actual.listItems else { return false }
            return matchList(items, sub)
        case .atom(let s), .quoted(let s), .literal(let s):
            if s == "$" { return true }
            guard let value = actual.astring else { return false }
            if let name = Self.variableName(s) {
                if let bound = variables[name] { return bound == value }
                variables[name] = value
                return true
            }
            return Self.upper(s) == Self.upper(value)
        }
    }

    mutating func matchList(_ expectedIn: [IMAPScriptArgument], _ actual: [IMAPScriptArgument]) -> Bool {
        var expected = expectedIn[...]
        var unordered = false
        var chain = 1
        var noextra = -1
        var ignores: [String] = []
        while let first = expected.first?.atom, first.hasPrefix("$!") {
            let d = first.dropFirst(2)
            if d.hasPrefix("unordered") {
                unordered = true
                if noextra == -1 { noextra = 0 }
                if d.dropFirst(9).hasPrefix("=") { chain = Int(d.dropFirst(10)) ?? 1 }
            } else if d == "ordered" {
                unordered = false
            } else if d == "extra" {
                noextra = 0
            } else if d == "noextra" {
                noextra = 1
            } else if d.hasPrefix("ignore=") {
                ignores.append(Self.upper(String(d.dropFirst(7))))
            }
            expected = expected.dropFirst()
        }
        if noextra == -1 { noextra = 1 }
        guard unordered else { return matchOrdered(expected, actual[...]) }
        guard chain >= 1, actual.count % chain == 0 else { return false }
        var matched = [Bool](repeating: false, count: actual.count)
        var mi = expected.startIndex
        while mi < expected.endIndex {
            let chunk = expected[mi..<min(mi + chain, expected.endIndex)]
            var hit = false
            for i in stride(from: 0, to: actual.count, by: chain) {
                let saved = variables
                let candidate = actual[i..<min(i + chunk.count, actual.count)]
                if candidate.count == chunk.count, zip(chunk, candidate).allSatisfy({ matchOne($0, $1) }) {
                    matched[i] = true
                    hit = true
                    break
                }
                variables = saved
            }
            if !hit { return false }
            mi += chain
        }
        if noextra > 0 {
            for i in stride(from: 0, to: actual.count, by: chain) where !matched[i] {
                guard let s = actual[i].astring else { continue }
                if !ignores.contains(Self.upper(s)) { return false }
            }
        }
        return true
    }

    /// "$name" or "${name}" as the whole argument (not "$", not "$!…").
    static func variableName(_ s: String) -> String? {
        guard s.hasPrefix("$"), s.count > 1, !s.hasPrefix("$!") else { return nil }
        var name = s.dropFirst()
        if name.hasPrefix("{") && name.hasSuffix("}") { name = name.dropFirst().dropLast() }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return String(name)
    }

    /// ASCII upper case (imaptest compares with strcasecmp-like folding).
    static func upper(_ s: String) -> String {
        var v = String.UnicodeScalarView()
        for c in s.unicodeScalars { v.append((c.value >= 97 && c.value <= 122) ? Unicode.Scalar(c.value - 32)! : c) }
        return String(v)
    }
}
