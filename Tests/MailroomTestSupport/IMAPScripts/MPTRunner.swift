// MPTRunner — runs one Apache James MPT IMAP script (james-mpt-scripts/imap/scripts, format in
// docs/mpt-overview.xml and the corpus README) against an IMAP server.
//
// Script format. `#` comments; `C: text` sends text and CRLF (`C:` alone an empty line);
// `S: regex` reads one line and matches it as a whole against a Java regular expression
// (translated to NSRegularExpression/ICU by MPTRegex; the two dialects agree on everything the
// scripts use); `SUB {` … `}` holds S: lines that may arrive in any order; `SESSION: n`
// switches to concurrent session n (each its own connection); `REINIT` reconnects the current
// session (greeting, and login when the script's state wants it); `LOG`, `TIMER` are ignored;
// `WAIT ms` sleeps; `AWAIT` waits a moment for background work (James's indexer).
// `${name}` is replaced by the variables given (none of the IMAP scripts use any).
//
// Harness (what James's Java test classes add around the scripts, found in
// mpt/impl/imap-mailbox/core/src/main/java/org/apache/james/mpt/imapmailbox/suite/ of
// apache/james-project, read for reference). Every session reads the greeting; the harness's
// `\* OK IMAP4rev1 Server ready` is relaxed to any `* OK` greeting. Then, by script state:
//   - nonauth: nothing more (NonAuthenticatedState and Security suites: Login, Authenticate,
//     ValidAuthenticated, ValidSelected, LoginThreeStrikes, BadTag, NoTag, IllegalTag, JustTag,
//     NoCommand, BogusCommand, SharedMailbox, Welcome; and every script whose first command is
//     a LOGIN or AUTHENTICATE of its own, such as the ACL ones);
//   - auth: `a001 LOGIN <user> <password>`, expecting `a001 OK` (BasicImapCommands.authenticate);
//   - selected: as auth, then SelectedStateSetup.test before and SelectedStateCleanup.test
//     after the script, on the first session (BasicImapCommands.prepareMailbox): the
//     SelectedState and Fetch suites (Check, Expunge, Search, FetchSingleMessage,
//     FetchMultipleMessages, FetchPeek, Store, Copy, Uid, FetchEnvelope, FetchText,
//     FetchBodyNoSection, FetchRFC822*, FetchInternalDate, FetchSaveDate), the Rename suite (Rename,
//     RenameHierarchy, RenameSelected, RenameInbox: their LISTs show "selected"), and every other
//     script that works on messages (FETCH, STORE, SEARCH, EXPUNGE, CHECK, COPY, MOVE, UID,
//     CLOSE) or on the mailbox "selected" before it SELECTs or EXAMINEs anything itself;
//   - everything else is auth (AuthenticatedState, Listing, Search, … suites).
// A script's own `LOGIN imapuser password` uses the configured user and password instead.
// Before each script the account is emptied (accountReset, else over IMAP: every mailbox but
// INBOX deleted, every subscription removed, INBOX expunged), as James gives each script a fresh
// in-memory server.
//
// Relaxing James's own wording — the rule. A script line is about the IMAP protocol, not about
// James's prose, so a server line matches an `S:` pattern when the regex matches it as it is,
// or else when it matches in one of these protocol-equivalent readings:
//   1. Status responses (RFC 9051 §7.1): for a tagged `tag OK|NO|BAD …` or an untagged
//      `* OK|NO|BAD|BYE|PREAUTH …` line only the tag, the status and — when the pattern has
//      one — the response code (`[…]`, itself matched as a regex) are compared; the human
//      text after them is free. A pattern without a response code accepts any code.
//   2. Flag lists are sets (RFC 9051 §2.3.2): a FLAGS or PERMANENTFLAGS list is also tried with
//      the system flags in alphabetical order (James's order), keywords after them, `\*` last.
//   3. FETCH data items and STATUS items come in no fixed order (RFC 9051 §7.5.2, §7.2.4): a
//      FETCH or STATUS response without a literal is also tried with its items in every order
//      (up to 6 items). A FETCH response with literals is read whole when it arrives, and items
//      the server sent after its last literal are moved to the front (` FLAGS (\Seen))` after
//      `BODY[] {n}` … becomes `FLAGS (\Seen) BODY[] {n}` … `)`), the only place James puts them.
//   4. Untagged responses to one command come in no fixed order (RFC 9051 §7 and §6.3.1 lists
//      SELECT's responses without an order): consecutive `S: \* …` lines (none ending in a
//      literal) are matched as a set, like a SUB block, and together with a SUB block next to
//      them (SelectEmpty puts half of SELECT's answer in one).
//   5. An untagged OK is informational (RFC 9051 §7.1.1) and may be sent at any time: a server
//      `* OK …` line that matches no expectation where it arrives is skipped; the same for the
//      `* OK [MAILBOXID …]` and `* OK [HIGHESTMODSEQ …]` lines a script expects (they belong to
//      OBJECTID, RFC 8474, and to CONDSTORE once enabled, RFC 7162 §3.1.2.1): when they do not
//      arrive, they are not required; nor is a `[MAILBOXID …]` code in a tagged reply from a
//      server without OBJECTID.
//   6. The greeting the James harness expects, `* OK IMAP4rev1 Server ready`, is any `* OK`
//      line, also where a script reads the greeting itself (then the harness adds nothing: the
//      script is in nonauthenticated state and does its own LOGIN).
//   7. A continuation request's text is free (RFC 9051 §7.5: `+` resp-text): `+ OK` matches
//      `\+ Ok`.
//   8. A mailbox name is an astring (RFC 9051 §9): in STATUS, LIST and LSUB responses an atom
//      name is also tried as the same name quoted (LIST-EXTENDED data after it left as it is).
//   9. Last, the whole line is compared case-insensitively, as imaptest compares everything
//      (RFC 9051 §9 note 3 makes the protocol's own words case-insensitive; MIME types and
//      parameters are too, RFC 2045 §5.1) — so `"7bit"` matches `"7BIT"`.
//  10. A string is a quoted string or a literal (RFC 9051 §4.3): James writes METADATA values
//      quoted whatever they hold, line breaks included (`"My new comment across` / `two
//      lines."`, which is not IMAP), where a server must send a literal. A `* METADATA`
//      response ending in a literal is read whole and its literals are shown as James shows
//      them (quoted, line breaks kept).
// Anything else (other texts James chose, such as the exact BODYSTRUCTURE or the contents of
// an error) is compared as written.

import Foundation

struct MPTRunner {
    let endpoint: IMAPScriptEndpoint
    let directory: URL
    let accountReset: (() throws -> Void)?

    static let harnessScripts: Set<String> = ["SelectedStateSetup", "SelectedStateCleanup"]

    enum State: Sendable { case nonauth, auth, selected }

    /// From NonAuthenticatedState.java and Security.java (apache/james-project).
    static let nonauthScripts: Set<String> = [
        "Login", "Authenticate", "AuthenticatePlain", "ValidAuthenticated", "ValidSelected", "LoginThreeStrikes",
        "BadTag", "NoTag", "IllegalTag", "JustTag", "NoCommand", "BogusCommand", "SharedMailbox", "Welcome",
    ]

    /// From SelectedState.java, Fetch.java and Rename.java (apache/james-project): the suites
    /// whose setUp calls BasicImapCommands.prepareMailbox.
    static let selectedScripts: Set<String> = [
        "Check", "Expunge", "Search", "FetchSingleMessage", "FetchMultipleMessages", "FetchPeek", "Store", "Copy", "Uid",
        "FetchEnvelope", "FetchText", "FetchBodyNoSection", "FetchRFC822", "FetchRFC822Text", "FetchRFC822Header",
        "FetchInternalDate", "FetchRFC822Mixed", "FetchSaveDate",
        "Rename", "RenameHierarchy", "RenameSelected", "RenameInbox",
    ]

    /// The greeting the James harness expects (relaxed to any `* OK` line).
    static let greetingPattern = "\\* OK IMAP4rev1 Server ready"

    /// Scripts that read the greeting themselves (BaseImapProtocol, ACL suites): no harness steps.
    static func readsOwnGreeting(_ elements: [MPTElement]) -> Bool {
        elements.contains { if case .server(let p, _) = $0 { return p == greetingPattern } else { return false } }
    }

    static func state(of name: String, elements: [MPTElement]) -> State {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        if nonauthScripts.contains(base) || readsOwnGreeting(elements) { return .nonauth }
        if selectedScripts.contains(base) { return .selected }
        let commands = elements.compactMap { element -> String? in
            if case .client(let text, _) = element { return text } else { return nil }
        }
        guard let first = commands.first(where: { !$0.isEmpty }) else { return .auth }
        let words = first.split(separator: " ").map { $0.uppercased() }
        if words.count > 1 && (words[1] == "LOGIN" || words[1] == "AUTHENTICATE") { return .nonauth }
        let messageCommands: Set<String> = ["FETCH", "STORE", "SEARCH", "EXPUNGE", "CHECK", "COPY", "MOVE", "UID", "CLOSE"]
        for command in commands {
            let w = command.split(separator: " ").map { $0.uppercased() }
            guard w.count > 1 else { continue }
            if w[1] == "SELECT" || w[1] == "EXAMINE" { return .auth }
            if messageCommands.contains(w[1]) { return .selected }
            if w.count > 2 && w[2] == "SELECTED" { return .selected }
        }
        return .auth
    }

    func run(script name: String) -> ScriptResult.Outcome {
        let elements: [MPTElement]
        let setup: [MPTElement]
        let cleanup: [MPTElement]
        do {
            elements = try MPTScript.load(directory.appendingPathComponent(name + ".test"))
            setup = try MPTScript.load(directory.appendingPathComponent("SelectedStateSetup.test"))
            cleanup = try MPTScript.load(directory.appendingPathComponent("SelectedStateCleanup.test"))
        } catch {
            return .failed(ScriptMismatch(line: 0, command: "", expected: "a readable script", received: "\(error)",
                                          reason: "script parse error"))
        }
        do {
            if let accountReset { try accountReset() } else { try resetOverIMAP() }
        } catch {
            return .failed(ScriptMismatch(line: 0, command: "(account reset)", expected: "an empty account",
                                          received: "\(error)", reason: "reset failed"))
        }
        let state = MPTRunner.state(of: name, elements: elements)
        let execution = MPTExecution(endpoint: endpoint, state: state,
                                     readGreeting: !MPTRunner.readsOwnGreeting(elements))
        defer { execution.closeAll() }
        do {
            var sessions: [Int] = []
            for case .session(let n) in elements where !sessions.contains(n) { sessions.append(n) }
            if sessions.isEmpty { sessions = [0] }
            let firstSession = sessions.sorted().first ?? 0
            for n in sessions.sorted() { try execution.open(session: n) }
            execution.current = elements.first.flatMap { if case .session(let n) = $0 { return n } else { return nil } }
                ?? firstSession
            if state == .selected {
                let current = execution.current
                execution.current = firstSession
                execution.phase = "SelectedStateSetup"
                try execution.run(setup)
                execution.current = current
            }
            execution.phase = ""
            try execution.run(elements)
            if state == .selected {
                // Housekeeping, not judged: the next script starts from a reset account anyway.
                execution.current = firstSession
                execution.phase = "SelectedStateCleanup"
                try? execution.run(cleanup)
            }
            return .passed
        } catch let failure as ImaptestFailure {
            return .failed(failure.mismatch)
        } catch {
            return .failed(ScriptMismatch(line: 0, command: execution.lastCommand, expected: "", received: "\(error)",
                                          reason: "error"))
        }
    }

    /// Empties the account over IMAP: deletes every mailbox but INBOX (children first), removes
    /// every subscription, expunges INBOX.
    func resetOverIMAP() throws {
        let client = try IMAPLineClient(host: endpoint.host, port: endpoint.port, timeout: endpoint.timeout)
        defer { client.close() }
        _ = try client.readResponse()
        var n = 0
        func command(_ text: String) throws -> [String] {
            n += 1
            let tag = "r\(n)"
            try client.sendLine("\(tag) \(text)")
            var lines: [String] = []
            while true {
                let line = try client.readResponse()
                if line.hasPrefix(tag + " ") {
                    if !line.dropFirst(tag.count + 1).uppercased().hasPrefix("OK") && text.hasPrefix("LOGIN") {
                        throw IMAPLineClientError(.io, "reset login failed: \(line)")
                    }
                    return lines
                }
                lines.append(line)
            }
        }
        _ = try command("LOGIN \(IMAPScriptEndpoint.quote(endpoint.user)) \(IMAPScriptEndpoint.quote(endpoint.password))")
        func names(_ lines: [String], _ kind: String) -> [String] {
            lines.compactMap { line in
                guard let args = try? IMAPScriptArgument.parseLine(line), args.count >= 5,
                      args[1].atom?.uppercased() == kind else { return nil }
                return args[4].astring
            }
        }
        for box in names(try command("LIST \"\" *"), "LIST").sorted(by: { $0 > $1 }) where box.uppercased() != "INBOX" {
            _ = try command("DELETE \(IMAPScriptEndpoint.quote(box))")
        }
        for box in names(try command("LSUB \"\" *"), "LSUB") {
            _ = try command("UNSUBSCRIBE \(IMAPScriptEndpoint.quote(box))")
        }
        _ = try command("SELECT INBOX")
        _ = try command("STORE 1:* +FLAGS.SILENT (\\Deleted)")
        _ = try command("EXPUNGE")
        _ = try command("LOGOUT")
    }
}

/// One line of an MPT script.
enum MPTElement: Sendable {
    case client(String, line: Int)
    case server(String, line: Int)
    case unordered([(pattern: String, line: Int)], line: Int)
    case session(Int)
    case reinit
    case wait(milliseconds: Int)
    case await
}

enum MPTScript {
    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ url: URL, variables: [String: String] = [:]) throws -> [MPTElement] {
        let text = Latin1.string(try Data(contentsOf: url))
        return try parse(text, variables: variables, name: url.lastPathComponent)
    }

    static func parse(_ text: String, variables: [String: String] = [:], name: String = "") throws -> [MPTElement] {
        var elements: [MPTElement] = []
        var sub: [(pattern: String, line: Int)]? = nil
        var subLine = 0
        let lines = Latin1.lines(text)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            line = substitute(line, variables)
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("C:") {
                var value = String(line.dropFirst(2))
                if value.hasPrefix(" ") { value.removeFirst() }
                guard sub == nil else { throw ParseError(description: "\(name):\(number): C: inside SUB") }
                elements.append(.client(value, line: number))
            } else if line.hasPrefix("S:") {
                var value = String(line.dropFirst(2))
                if value.hasPrefix(" ") { value.removeFirst() }
                if sub != nil { sub!.append((value, number)) } else { elements.append(.server(value, line: number)) }
            } else if line.hasPrefix("SUB {") || line.trimmingCharacters(in: .whitespaces) == "SUB {" {
                sub = []
                subLine = number
            } else if line.trimmingCharacters(in: .whitespaces) == "}" && sub != nil {
                elements.append(.unordered(sub!, line: subLine))
                sub = nil
            } else if line.hasPrefix("SESSION:") {
                guard let n = Int(line.dropFirst(8).trimmingCharacters(in: .whitespaces)) else {
                    throw ParseError(description: "\(name):\(number): bad SESSION")
                }
                elements.append(.session(n))
            } else if line.hasPrefix("REINIT") {
                elements.append(.reinit)
            } else if line.hasPrefix("WAIT") {
                elements.append(.wait(milliseconds: Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces)) ?? 0))
            } else if line.hasPrefix("AWAIT") {
                elements.append(.await)
            } else if line.hasPrefix("LOG") || line.hasPrefix("TIMER") {
                continue
            } else {
                throw ParseError(description: "\(name):\(number): unknown line \(line)")
            }
        }
        if sub != nil { throw ParseError(description: "\(name):\(subLine): SUB not closed") }
        return elements
    }

    static func substitute(_ line: String, _ variables: [String: String]) -> String {
        guard line.contains("${") else { return line }
        var out = line
        for (k, v) in variables { out = out.replacingOccurrences(of: "${\(k)}", with: v) }
        return out
    }
}

final class MPTExecution {
    let endpoint: IMAPScriptEndpoint
    let state: MPTRunner.State
    var sessions: [Int: IMAPLineClient] = [:]
    var current = 0
    var lastCommand = ""
    var phase = ""
    var serverCapabilities: Set<String> = []

    /// Whether the harness reads the greeting (false when the script does).
    let readGreeting: Bool

    init(endpoint: IMAPScriptEndpoint, state: MPTRunner.State, readGreeting: Bool) {
        self.endpoint = endpoint
        self.state = state
        self.readGreeting = readGreeting
    }

    func closeAll() {
        for (_, c) in sessions { c.close() }
    }

    private func fail(_ reason: String, line: Int, expected: String, received: String) -> ImaptestFailure {
        ImaptestFailure(mismatch: ScriptMismatch(line: line, command: (phase.isEmpty ? "" : "[\(phase)] ") + lastCommand,
                                                 expected: expected, received: received, reason: reason))
    }

    /// Connects session n, relaxes the greeting to any `* OK`, logs in for auth and selected.
    func open(session n: Int) throws {
        sessions[n]?.close()
        let client: IMAPLineClient
        do {
            client = try IMAPLineClient(host: endpoint.host, port: endpoint.port, timeout: endpoint.timeout)
        } catch {
            throw fail("cannot connect", line: 0, expected: "a connection", received: "\(error)")
        }
        sessions[n] = client
        guard readGreeting else { return }
        let greeting = try read(client, expected: "\\* OK IMAP4rev1 Server ready", line: 0)
        guard greeting.uppercased().hasPrefix("* OK") else {
            throw fail("greeting", line: 0, expected: "* OK …", received: greeting)
        }
        if let range = greeting.range(of: "[CAPABILITY ", options: .caseInsensitive) {
            serverCapabilities = Set(greeting[range.upperBound...].prefix { $0 != "]" }.split(separator: " ").map { $0.uppercased() })
        }
        guard state != .nonauth else { return }
        lastCommand = "a001 LOGIN \(endpoint.user) ***"
        try client.sendLine("a001 LOGIN \(IMAPScriptEndpoint.quote(endpoint.user)) \(IMAPScriptEndpoint.quote(endpoint.password))")
        // The login may be slow on purpose: servers delay logins from an address that just
        // failed some (Dovecot's auth penalty, up to 15 s after LoginThreeStrikes).
        client.timeout = max(endpoint.timeout, 30)
        defer { client.timeout = endpoint.timeout }
        while true {
            let line = try read(client, expected: "a001 OK .*", line: 0)
            if line.hasPrefix("a001 ") {
                guard line.uppercased().hasPrefix("A001 OK") else {
                    throw fail("login failed", line: 0, expected: "a001 OK .*", received: line)
                }
                if let range = line.range(of: "[CAPABILITY ", options: .caseInsensitive) {
                    serverCapabilities = Set(line[range.upperBound...].prefix { $0 != "]" }.split(separator: " ").map { $0.uppercased() })
                }
                break
            }
        }
    }

    private func read(_ client: IMAPLineClient, expected: String, line: Int) throws -> String {
        do {
            let fresh = !client.hasPushedBack
            let text = try client.readLine()
            // Rule 3 across literals: a FETCH response read from the wire whose last literal is
            // followed by more items is read whole and given back with those items first.
            if fresh, let lines = try MPTMatcher.metadataLiteralsQuoted(text, client: client) {
                for l in lines.dropFirst().reversed() { client.unread(l) }
                return lines[0]
            }
            guard fresh, MPTMatcher.isFetchEndingInLiteral(text) else { return text }
            var segments = [text]
            var last = text
            while let size = IMAPLineClient.trailingLiteralSize(last) {
                segments.append(try client.readBytes(size))
                last = try client.readLine()
                segments.append(last)
            }
            let lines = MPTMatcher.itemsAfterLiteralsFirst(segments)
            for l in lines.dropFirst().reversed() { client.unread(l) }
            return lines[0]
        } catch let error as IMAPLineClientError {
            throw fail(error.kind == .timeout ? "timeout" : "connection ended", line: line, expected: expected,
                       received: error.kind == .timeout ? "(nothing within \(Int(endpoint.timeout)) s)" : "\(error)")
        }
    }

    private var client: IMAPLineClient {
        get throws {
            if let c = sessions[current] { return c }
            try open(session: current)
            return sessions[current]!
        }
    }

    /// The script's LOGIN of the James test user becomes the configured account.
    func mapCredentials(_ text: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "(?i)^(\\S+ LOGIN )imapuser password$")
        let range = NSRange(text.startIndex..., in: text)
        guard pattern.firstMatch(in: text, range: range) != nil else { return text }
        let tag = text.split(separator: " ").first.map(String.init) ?? "a001"
        return "\(tag) LOGIN \(IMAPScriptEndpoint.quote(endpoint.user)) \(IMAPScriptEndpoint.quote(endpoint.password))"
    }

    func run(_ elements: [MPTElement]) throws {
        var i = 0
        while i < elements.count {
            switch elements[i] {
            case .client(let text, _):
                let mapped = mapCredentials(text)
                lastCommand = mapped == text ? text : text.replacingOccurrences(of: "password", with: "***")
                do { try client.sendLine(mapped) } catch {
                    throw fail("send failed", line: 0, expected: "", received: "\(error)")
                }
                i += 1
            case .server(let pattern, let line):
                let (group, sub, j) = MPTExecution.untaggedGroup(elements, from: i)
                if group.count >= 2 {
                    try expectSet(group, explicit: sub)
                    i = j
                } else {
                    try expectLine(pattern, line: line)
                    i += 1
                }
            case .unordered(let patterns, _):
                let (group, _, j) = MPTExecution.untaggedGroup(elements, from: i)
                if j > i + 1 {
                    try expectSet(group, explicit: true)
                    i = j
                } else {
                    try expectSet(patterns, explicit: true)
                    i += 1
                }
            case .session(let n):
                current = n
                i += 1
            case .reinit:
                try open(session: current)
                i += 1
            case .wait(let ms):
                usleep(useconds_t(max(0, ms) * 1000))
                i += 1
            case .await:
                usleep(200_000)
                i += 1
            }
        }
    }

    /// Rule 4: the run of untagged expectations that starts at `start` — plain `S: \* …` lines
    /// and SUB blocks made only of them, in any mix — as one set; whether a SUB block is in it;
    /// the index after it.
    static func untaggedGroup(_ elements: [MPTElement], from start: Int) -> ([(pattern: String, line: Int)], Bool, Int) {
        var group: [(pattern: String, line: Int)] = []
        var sub = false
        var j = start
        scan: while j < elements.count {
            switch elements[j] {
            case .server(let p, let l) where isPlainUntagged(p):
                group.append((p, l))
            case .unordered(let patterns, _) where patterns.allSatisfy({ isPlainUntagged($0.pattern) }):
                group += patterns
                sub = true
            default:
                break scan
            }
            j += 1
        }
        return (group, sub, j)
    }

    /// `\* …` without a literal at the end.
    static func isPlainUntagged(_ pattern: String) -> Bool {
        pattern.hasPrefix("\\* ") && !pattern.hasSuffix("\\}") && !pattern.hasSuffix("}")
    }

    private func expectLine(_ pattern: String, line number: Int) throws {
        let c = try client
        while true {
            let line = try read(c, expected: pattern, line: number)
            if try MPTMatcher.matches(pattern, line, serverCapabilities: serverCapabilities) { return }
            if MPTMatcher.isOptional(pattern, serverCapabilities: serverCapabilities) {
                c.unread(line)
                return
            }
            if MPTMatcher.isInformationalOK(line) { continue }
            throw fail("mismatch", line: number, expected: pattern, received: line)
        }
    }

    private func expectSet(_ patterns: [(pattern: String, line: Int)], explicit: Bool) throws {
        let c = try client
        var remaining = patterns
        while remaining.contains(where: { !MPTMatcher.isOptional($0.pattern, serverCapabilities: serverCapabilities) }) {
            let required = remaining.filter { !MPTMatcher.isOptional($0.pattern, serverCapabilities: serverCapabilities) }
            let line = try read(c, expected: required.map(\.pattern).joined(separator: " | "), line: required[0].line)
            if let index = try remaining.firstIndex(where: { try MPTMatcher.matches($0.pattern, line, serverCapabilities: serverCapabilities) }) {
                remaining.remove(at: index)
                continue
            }
            if MPTMatcher.isInformationalOK(line) { continue }
            throw fail(explicit ? "no SUB line matches" : "no untagged expectation matches", line: required[0].line,
                       expected: "one of: " + required.map(\.pattern).joined(separator: " | "), received: line)
        }
    }
}

/// Java-regex matching with the relaxations in MPTRunner's header.
enum MPTMatcher {
    private static let cache = RegexCache()

    final class RegexCache: @unchecked Sendable {
        private let lock = NSLock()
        private var compiled: [String: NSRegularExpression] = [:]
        func regex(_ pattern: String, caseInsensitive: Bool) throws -> NSRegularExpression {
            lock.lock()
            defer { lock.unlock() }
            let key = (caseInsensitive ? "i:" : "s:") + pattern
            if let r = compiled[key] { return r }
            let r = try NSRegularExpression(pattern: "\\A(?:" + MPTRegex.translate(pattern) + ")\\z",
                                            options: caseInsensitive ? [.caseInsensitive] : [])
            compiled[key] = r
            return r
        }
    }

    static func fullMatch(_ pattern: String, _ text: String, caseInsensitive: Bool = false) throws -> Bool {
        let regex: NSRegularExpression
        do { regex = try cache.regex(pattern, caseInsensitive: caseInsensitive) } catch {
            throw ImaptestFailure(mismatch: ScriptMismatch(line: 0, command: "", expected: pattern,
                                                           received: "\(error)", reason: "pattern does not compile"))
        }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func matches(_ pattern: String, _ line: String, serverCapabilities: Set<String> = []) throws -> Bool {
        if try fullMatch(pattern, line) { return true }
        if pattern == MPTRunner.greetingPattern && line.uppercased().hasPrefix("* OK") { return true }
        // Rule 7: a continuation request's text is free.
        if pattern.hasPrefix("\\+") && line.hasPrefix("+") && (try? fullMatch(pattern, line)) != true
            && !pattern.contains("\\{") { return true }
        for variant in variants(of: line) where variant != line {
            if try fullMatch(pattern, variant) { return true }
        }
        if try statusMatches(pattern, line, serverCapabilities: serverCapabilities) { return true }
        // Rule 9: as imaptest does, compare case-insensitively as a last resort.
        for variant in [line] + variants(of: line) where try fullMatch(pattern, variant, caseInsensitive: true) { return true }
        return false
    }

    /// `* n FETCH (…{n}`: a FETCH response whose first line ends in a literal.
    static func isFetchEndingInLiteral(_ line: String) -> Bool {
        guard line.hasPrefix("* "), IMAPLineClient.trailingLiteralSize(line) != nil else { return false }
        let words = line.split(separator: " ", maxSplits: 3)
        return words.count == 4 && words[1].allSatisfy(\.isNumber) && words[2].uppercased() == "FETCH" && words[3].hasPrefix("(")
    }

    /// Rule 3 across literals. `segments` is a FETCH response as read: its first line, then
    /// each literal's contents followed by the line that continues after it. Items after the
    /// last literal (` FLAGS (\Seen))`) move to the front of the list (`* 1 FETCH (FLAGS (\Seen)
    /// BODY[] {n}` … `)`), where James puts them; the result is the response split into lines
    /// again, as readLine() gives them.
    static func itemsAfterLiteralsFirst(_ segments: [String]) -> [String] {
        var parts = segments
        let tail = parts[parts.count - 1]
        if tail.hasPrefix(" "), tail.hasSuffix(")"), let open = parts[0].firstIndex(of: "(") {
            let items = String(tail.dropFirst().dropLast())
            if let tokens = topLevelTokens(items), !tokens.isEmpty, !items.contains("{") {
                parts[0] = String(parts[0][...open]) + items + " " + parts[0][parts[0].index(after: open)...]
                parts[parts.count - 1] = ")"
            }
        }
        var whole = parts[0]
        for k in stride(from: 1, to: parts.count, by: 2) {
            whole += "\r\n" + parts[k] + parts[k + 1]
        }
        return Latin1.lines(whole).map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    }

    /// Rule 10: a `* METADATA` response ending in a literal, read whole, with each literal
    /// written as a quoted string (line breaks kept, as James writes them) and split into lines
    /// again; nil for other lines.
    static func metadataLiteralsQuoted(_ line: String, client: IMAPLineClient) throws -> [String]? {
        guard line.uppercased().hasPrefix("* METADATA "), var size = IMAPLineClient.trailingLiteralSize(line) else { return nil }
        var whole = line
        while true {
            let data = try client.readBytes(size)
            let next = try client.readLine()
            var head = whole[..<whole.lastIndex(of: "{")!]
            if head.hasSuffix("~") { head = head.dropLast() }   // literal8
            whole = String(head) + "\"" + data + "\"" + next
            guard let more = IMAPLineClient.trailingLiteralSize(next) else { break }
            size = more
        }
        return Latin1.lines(whole).map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
    }

    /// Rule 5: `* OK …` lines are informational.
    static func isInformationalOK(_ line: String) -> Bool {
        line.uppercased().hasPrefix("* OK")
    }

    /// Rule 5: expectations the server may omit.
    static func isOptional(_ pattern: String, serverCapabilities: Set<String>) -> Bool {
        if pattern.hasPrefix("\\* OK \\[MAILBOXID") { return !serverCapabilities.contains("OBJECTID") }
        if pattern.hasPrefix("\\* OK \\[HIGHESTMODSEQ") { return true }
        return false
    }

    // Rule 1.
    private static let patternStatus = try! NSRegularExpression(pattern: "\\A(\\\\\\*|[A-Za-z0-9.]+) (OK|NO|BAD|BYE|PREAUTH)(?: (.*))?\\z")
    private static let lineStatus = try! NSRegularExpression(
        pattern: "\\A(\\*|[^ ]+) (OK|NO|BAD|BYE|PREAUTH)(?: (\\[[^\\]]*\\]))?(?: .*)?\\z", options: [.caseInsensitive])

    static func statusMatches(_ pattern: String, _ line: String, serverCapabilities: Set<String> = []) throws -> Bool {
        let pr = NSRange(pattern.startIndex..., in: pattern)
        guard let pm = patternStatus.firstMatch(in: pattern, range: pr),
              let lm = lineStatus.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { return false }
        func group(_ m: NSTextCheckingResult, _ i: Int, _ s: String) -> String? {
            guard let r = Range(m.range(at: i), in: s) else { return nil }
            return String(s[r])
        }
        let patternTag = group(pm, 1, pattern)!
        let lineTag = group(lm, 1, line)!
        guard (patternTag == "\\*" && lineTag == "*") || patternTag == lineTag else { return false }
        guard group(pm, 2, pattern)!.uppercased() == group(lm, 2, line)!.uppercased() else { return false }
        let rest = group(pm, 3, pattern) ?? ""
        guard rest.hasPrefix("\\[") else { return true }
        guard let codePattern = leadingCode(rest) else { return false }
        // Rule 5: MAILBOXID belongs to OBJECTID (RFC 8474); without it the code is not required.
        if patternTag != "\\*" && codePattern.hasPrefix("\\[MAILBOXID") && !serverCapabilities.contains("OBJECTID") {
            return true
        }
        guard let code = group(lm, 3, line) else { return false }
        if try fullMatch(codePattern, code) { return true }
        for variant in variants(of: code) where try fullMatch(codePattern, variant) { return true }
        return false
    }

    /// The `\[…\]` at the start of a pattern, up to its closing `\]`.
    static func leadingCode(_ pattern: String) -> String? {
        let s = Array(pattern)
        var i = 2
        var depth = 0
        while i < s.count {
            if s[i] == "\\" && i + 1 < s.count {
                if s[i + 1] == "]" && depth == 0 { return String(s[0...(i + 1)]) }
                i += 2
                continue
            }
            if s[i] == "[" { depth += 1 }
            if s[i] == "]" && depth > 0 { depth -= 1 }
            i += 1
        }
        return nil
    }

    // Rules 2 and 3.
    static func variants(of line: String) -> [String] {
        var bases = [line]
        if let quoted = quotingMailboxName(line) { bases.append(quoted) }
        var out: [String] = []
        for base in bases {
            out.append(base)
            out.append(sortingFlagLists(base))
            if let permuted = fetchPermutations(base) {
                out += permuted
                out += permuted.map(sortingFlagLists)
            }
        }
        return out
    }

    /// Rule 8: `* STATUS name (…)`, `* LIST (…) sep name`, `* LSUB …`: the name as a quoted string.
    static func quotingMailboxName(_ line: String) -> String? {
        let upper = line.uppercased()
        if upper.hasPrefix("* STATUS "), !line.dropFirst(9).hasPrefix("\""),
           let space = line.dropFirst(9).firstIndex(of: " ") {
            let name = line[line.index(line.startIndex, offsetBy: 9)..<space]
            return "* STATUS \"" + name + "\"" + line[space...]
        }
        if upper.hasPrefix("* LIST (") || upper.hasPrefix("* LSUB (") || upper.hasPrefix("* XLIST (") {
            guard let close = line.firstIndex(of: ")") else { return nil }
            let afterFlags = line[line.index(after: close)...]
            let parts = afterFlags.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, !parts[1].hasPrefix("\""), !parts[1].hasPrefix("{") else { return nil }
            // An atom has no space: what follows one is LIST-EXTENDED data (RFC 5258 §9).
            let name = String(parts[1].prefix { $0 != " " })
            let extended = String(parts[1].dropFirst(name.count))
            let head = String(line[...close]) + " " + String(parts[0])
            return head + " \"" + name + "\"" + extended
        }
        return nil
    }

    static func sortingFlagLists(_ line: String) -> String {
        var result = line
        var searchStart = result.startIndex
        while let range = result.range(of: "FLAGS (", options: .caseInsensitive, range: searchStart..<result.endIndex) {
            guard let close = result[range.upperBound...].firstIndex(of: ")") else { break }
            let flags = result[range.upperBound..<close].split(separator: " ").map(String.init)
            let system = flags.filter { $0.hasPrefix("\\") && $0 != "\\*" }.sorted { $0.lowercased() < $1.lowercased() }
            let keywords = flags.filter { !$0.hasPrefix("\\") }
            let star = flags.filter { $0 == "\\*" }
            let joined = (system + keywords + star).joined(separator: " ")
            result.replaceSubrange(range.upperBound..<close, with: joined)
            guard let next = result.index(range.upperBound, offsetBy: joined.count + 1, limitedBy: result.endIndex) else { break }
            searchStart = next
        }
        return result
    }

    /// `* n FETCH (a x b y …)` and `* STATUS name (a x b y …)` with the item pairs in every order
    /// (no literal, at most 6 items).
    static func fetchPermutations(_ line: String) -> [String]? {
        guard line.hasPrefix("* "), line.hasSuffix(")"), IMAPLineClient.trailingLiteralSize(line) == nil,
              let open = line.firstIndex(of: "(") else { return nil }
        let head = line[..<open]
        let upperHead = head.uppercased()
        guard upperHead.hasSuffix(" FETCH ") || upperHead.hasPrefix("* STATUS ") else { return nil }
        let inner = String(line[line.index(after: open)..<line.index(before: line.endIndex)])
        guard let tokens = topLevelTokens(inner), tokens.count % 2 == 0, tokens.count >= 4, tokens.count <= 12 else { return nil }
        var pairs: [String] = []
        for k in stride(from: 0, to: tokens.count, by: 2) { pairs.append(tokens[k] + " " + tokens[k + 1]) }
        var out: [String] = []
        func permute(_ prefix: [String], _ rest: [String]) {
            if rest.isEmpty {
                out.append(head + "(" + prefix.joined(separator: " ") + ")")
                return
            }
            for (i, p) in rest.enumerated() {
                var r = rest
                r.remove(at: i)
                permute(prefix + [p], r)
            }
        }
        permute([], pairs)
        return out
    }

    /// Splits at spaces outside quotes, parentheses and brackets.
    static func topLevelTokens(_ s: String) -> [String]? {
        var tokens: [String] = []
        var current = ""
        var paren = 0, bracket = 0
        var quoted = false
        var escaped = false
        for ch in s {
            if quoted {
                current.append(ch)
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { quoted = false }
                continue
            }
            switch ch {
            case "\"": quoted = true
            case "(": paren += 1
            case ")": paren -= 1
            case "[": bracket += 1
            case "]": bracket -= 1
            default: break
            }
            if ch == " " && paren == 0 && bracket == 0 {
                tokens.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        guard paren == 0, bracket == 0, !quoted else { return nil }
        tokens.append(current)
        return tokens
    }
}

/// Java (java.util.regex.Pattern) to ICU (NSRegularExpression). The dialects share the syntax the
/// scripts use (escapes, classes, groups, greedy and lazy quantifiers, \d \s \w, \Q…\E); the
/// differences handled here are Java's own character-class names.
enum MPTRegex {
    static func translate(_ java: String) -> String {
        var s = escapeStrayBraces(java)
        let names = ["\\p{javaLowerCase}": "\\p{Ll}", "\\p{javaUpperCase}": "\\p{Lu}",
                     "\\p{javaWhitespace}": "\\s", "\\p{javaDigit}": "\\p{Nd}", "\\p{javaLetter}": "\\p{L}"]
        for (k, v) in names { s = s.replacingOccurrences(of: k, with: v) }
        return s
    }

    /// Java takes a `}` that closes no quantifier (and a `{` that opens none) as a literal; ICU
    /// rejects them, so they are escaped.
    static func escapeStrayBraces(_ p: String) -> String {
        let c = Array(p)
        var out = ""
        var i = 0
        var inClass = false
        while i < c.count {
            let ch = c[i]
            if ch == "\\" && i + 1 < c.count {
                out.append(ch)
                out.append(c[i + 1])
                i += 2
                continue
            }
            if inClass {
                if ch == "]" { inClass = false }
                out.append(ch)
                i += 1
                continue
            }
            if ch == "[" { inClass = true }
            if ch == "{" {
                var j = i + 1
                while j < c.count, c[j].isNumber || c[j] == "," { j += 1 }
                if j < c.count, c[j] == "}", j > i + 1, c[i + 1].isNumber {
                    out += String(c[i...j])
                    i = j + 1
                    continue
                }
                out += "\\{"
                i += 1
                continue
            }
            if ch == "}" {
                out += "\\}"
                i += 1
                continue
            }
            out.append(ch)
            i += 1
        }
        return out
    }
}
