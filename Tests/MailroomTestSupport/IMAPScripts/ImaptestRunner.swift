// ImaptestRunner — runs one Dovecot imaptest script (ImaptestScript) against an IMAP server, the
// way imaptest's test mode does (imaptest-scripts/docs/scripted_test.md; for what the page
// leaves out, src/test-exec.c of dovecot/imaptest, read for reference):
//
// Setup. Every connection reads the greeting and, unless state is nonauth, logs in (LOGIN) as
// the endpoint's user, or as its second user for a `user N: $user2` connection (a script that
// needs one is skipped without it, as imaptest skips it without its user2 setting).
// The first connection asks CAPABILITY; a script whose `capabilities:` the server lacks
// (compared case-insensitively) is skipped as "missing X". It then deletes, as imaptest does,
// every mailbox LIST "" "imaptest*" shows and unsubscribes every one LSUB shows (reverse
// order, children first; a NO from DELETE is ignored), so no state survives from an earlier
// script. state created: CREATE imaptest; appended: APPEND `messages:` messages from the
// script's .mbox (default.mbox when it has none; `all`, or no `messages:` line, = every
// message; a larger number wraps round the file), each with the internal date of its mbox `From ` line, no flags;
// selected: every connection SELECTs imaptest — a connection of the second user CREATEs its
// own imaptest first when it has none (imaptest assumes it exists; a NO is ignored). The test
// mailbox is "imaptest", the default of imaptest's `box` setting ($mailbox).
//
// Running. Command groups run in order, each on its connection; a pipelined group's commands
// are all sent before any reply is read, and only that connection is read while the group
// runs (so untagged replies caused by other connections wait for that connection's next
// group). A command with a synchronizing literal waits for the `+` continuation. `append`
// without a message body appends the next mbox message. Untagged replies match the group's
// expectations in any order (`!ordered` keeps the order); `! x` lines must not arrive; the
// tagged reply is prefix-matched, as are untagged OK/NO/BAD/BYE (their text is free).
// Arguments are compared structurally and case-insensitively (IMAPScriptArgument on both
// sides), lists as their `$!` directives say, with the defaults ImaptestScript adds.
// Variables: `$name` / `${name}` unset is captured from the server, set is compared (its value
// case-sensitively); `$` matches anything, also a list; `$]` skips to the end of a response
// code; `$n` is the current sequence number of message n as the group started (EXPUNGEs
// move it); `${case:text}` compares text case-sensitively; `$modseqN` must grow by at least
// the gap between indexes; `$tag` is the tag of the group's first command; `$$` is a `$`.
// Predefined: $user, $username, $domain, $password, $mailbox, $mailbox_url, and $user2 … for
// every further connection (its own user's).
// After the last group the first connection sends LOGOUT and expects OK, unless the script
// logs out itself.
//
// The result is the first failure (imaptest goes on and counts; a runner for a server under
// development is more useful when it stops at the first disagreement and shows it).
//
// XXX: imaptest tracks mailbox state (flags, UIDs, \Recent) across the whole test and fails on
// inconsistencies even where the script does not look; this runner checks only what the
// script says.

import Foundation

struct ImaptestRunner {
    let endpoint: IMAPScriptEndpoint
    let directory: URL
    static let testMailbox = "imaptest"

    func run(script name: String) -> ScriptResult.Outcome {
        let script: ImaptestScript
        do {
            script = try ImaptestScript.load(name: name, directory: directory)
        } catch {
            return .failed(ScriptMismatch(line: 0, command: "", expected: "a script imaptest can parse",
                                          received: "\(error)", reason: "script parse error"))
        }
        let execution = ImaptestExecution(script: script, endpoint: endpoint)
        defer { execution.closeAll() }
        return execution.run()
    }
}

/// A failure that ends the script.
struct ImaptestFailure: Error {
    var mismatch: ScriptMismatch
}

final class ImaptestExecution {
    final class Connection {
        let client: IMAPLineClient
        let globalID: Int
        var nextTag = 1
        var exists = 0
        var seenBye = false
        var capabilities: [String] = []
        init(client: IMAPLineClient, globalID: Int) {
            self.client = client
            self.globalID = globalID
        }
    }

    let script: ImaptestScript
    let endpoint: IMAPScriptEndpoint
    var connections: [Connection] = []
    var variables: [String: String] = [:]
    var addedVariables: [String] = []
    var seqmap: [Int] = []
    var highestModseqIndex = 0
    var highestModseqValue: UInt64 = 0
    var source: MboxSource?
    var currentLine = 0
    var currentCommand = ""

    init(script: ImaptestScript, endpoint: IMAPScriptEndpoint) {
        self.script = script
        self.endpoint = endpoint
    }

    func closeAll() {
        for c in connections { c.client.close() }
    }

    func fail(_ reason: String, expected: String, received: String) -> ImaptestFailure {
        ImaptestFailure(mismatch: ScriptMismatch(line: currentLine, command: currentCommand, expected: expected,
                                                 received: received, reason: reason))
    }

    func run() -> ScriptResult.Outcome {
        do {
            if let skip = try setUp() { return .skipped(skip) }
            for (index, group) in script.groups.enumerated() {
                if index == 0 && script.hasBannerCheck && group.commands.isEmpty { continue }
                try runGroup(group)
            }
            if !scriptLogsOut() {
                var logout = ImaptestScript.Group()
                logout.commands = [ImaptestScript.Command(line: 0, tag: 0, text: "logout", reply: [.atom("ok")])]
                try runGroup(logout, isFinalLogout: true)
            }
            return .passed
        } catch let failure as ImaptestFailure {
            return .failed(failure.mismatch)
        } catch {
            return .failed(ScriptMismatch(line: currentLine, command: currentCommand, expected: "", received: "\(error)",
                                          reason: "error"))
        }
    }

    private func scriptLogsOut() -> Bool {
        script.groups.contains { group in
            group.hasUntaggedBye || group.commands.contains { $0.text.lowercased() == "logout" }
        }
    }

    // MARK: setup

    /// Returns a skip reason, or nil when the script should run.
    private func setUp() throws -> String? {
        currentCommand = "(setup)"
        let user = endpoint.user
        if script.requiresUser2 && endpoint.user2 == nil { return "missing user2 (no second test account)" }
        for i in 0..<script.connections {
            let (login, password) = credentials(connection: i)
            let client: IMAPLineClient
            do {
                client = try IMAPLineClient(host: endpoint.host, port: endpoint.port, timeout: endpoint.timeout)
            } catch {
                throw fail("cannot connect", expected: "a connection", received: "\(error)")
            }
            let connection = Connection(client: client, globalID: i + 1)
            connections.append(connection)
            let greeting: String
            do { greeting = try client.readResponse() } catch {
                throw fail("no greeting", expected: "* OK greeting", received: "\(error)")
            }
            if let range = greeting.range(of: "[CAPABILITY ", options: .caseInsensitive) {
                let rest = greeting[range.upperBound...]
                connection.capabilities = rest.prefix { $0 != "]" }.split(separator: " ").map(String.init)
            }
            if i == 0 && script.hasBannerCheck, let group = script.groups.first, group.commands.isEmpty {
                let args = try parseResponse(greeting)
                var found = [Bool](repeating: false, count: group.untagged.count)
                var best: [String?] = Array(repeating: nil, count: group.untagged.count)
                var bestCount = [Int](repeating: 0, count: group.untagged.count)
                _ = try matchUntagged(args.dropFirst().map { $0 }, group: group, tag: nil, found: &found, best: &best,
                                  bestCount: &bestCount)
                try checkMissing(group, found: found, best: best)
            }
            if script.state == .nonauth { continue }
            let reply = try simpleCommand(connection, "LOGIN \(IMAPScriptEndpoint.quote(login)) \(IMAPScriptEndpoint.quote(password))")
            guard reply.status == "OK" else {
                throw fail("login failed", expected: "OK", received: reply.line)
            }
        }
        let first = connections[0]
        if script.state == .nonauth {
            if first.capabilities.isEmpty {
                _ = try simpleCommand(first, "CAPABILITY")
            }
        } else {
            _ = try simpleCommand(first, "CAPABILITY")
        }
        let have = Set(first.capabilities.map { $0.uppercased() })
        let missing = script.requiredCapabilities.filter { !have.contains($0.uppercased()) }
        if !missing.isEmpty {
            for c in connections { try? c.client.sendLine("\(c.globalID).0 LOGOUT") }
            return "missing " + missing.joined(separator: " ")
        }

        for i in 0..<max(1, script.connections) {
            let (login, password) = credentials(connection: i)
            let suffix = i == 0 ? "" : "\(i + 1)"
            variables["user" + suffix] = login
            variables["username" + suffix] = login.split(separator: "@", maxSplits: 1).first.map(String.init) ?? login
            variables["domain" + suffix] = login.contains("@") ? String(login.split(separator: "@", maxSplits: 1)[1]) : endpoint.host
            variables["password" + suffix] = password
        }
        variables["mailbox"] = ImaptestRunner.testMailbox
        variables["mailbox_url"] = ImaptestRunner.testMailbox

        guard script.state >= .auth else { return nil }
        // Delete every test mailbox and subscription, as imaptest does.
        let mask = IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox + "*")
        let listed = try simpleCommand(first, "LIST \"\" \(mask)")
        let subscribed = try simpleCommand(first, "LSUB \"\" \(mask)")
        func names(_ reply: SimpleReply, _ kind: String) -> [String] {
            reply.untagged.compactMap { args in
                guard args.count >= 4, args[0].atom?.uppercased() == kind, args[1].listItems != nil else { return nil }
                return args[3].astring
            }
        }
        let reverse: (String, String) -> Bool = { $0.lowercased() > $1.lowercased() }
        for box in names(listed, "LIST").sorted(by: reverse) {
            let r = try simpleCommand(first, "DELETE \(IMAPScriptEndpoint.quote(box))")
            if r.status == "BAD" { throw fail("setup DELETE failed", expected: "OK", received: r.line) }
        }
        for box in names(subscribed, "LSUB").sorted(by: reverse) {
            let r = try simpleCommand(first, "UNSUBSCRIBE \(IMAPScriptEndpoint.quote(box))")
            if r.status != "OK" { throw fail("setup UNSUBSCRIBE failed", expected: "OK", received: r.line) }
        }
        source = try MboxSource(url: script.mboxPath)
        guard script.state >= .created else { return nil }
        let created = try simpleCommand(first, "CREATE \(IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox))")
        guard created.status == "OK" else { throw fail("setup CREATE failed", expected: "OK", received: created.line) }
        guard script.state >= .appended else { return nil }
        if let source {
            let count = script.messageCount ?? source.messages.count
            for _ in 0..<count {
                let message = source.next()
                let r = try appendCommand(first, mailboxArgs: IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox),
                                          message: message, simple: true)
                guard r.status == "OK" else { throw fail("setup APPEND failed", expected: "OK", received: r.line) }
            }
        }
        guard script.state >= .selected else { return nil }
        for (i, c) in connections.enumerated() {
            if credentials(connection: i).user != user {
                _ = try simpleCommand(c, "CREATE \(IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox))")
            }
            let r = try simpleCommand(c, "SELECT \(IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox))")
            guard r.status == "OK" else { throw fail("setup SELECT failed", expected: "OK", received: r.line) }
        }
        return nil
    }

    /// Who connection `i` (0-based) logs in as: `user N:` of the script, else the endpoint's
    /// user; "$user2" is the endpoint's second account.
    private func credentials(connection i: Int) -> (user: String, password: String) {
        guard let name = script.connectionUsers[i] else { return (endpoint.user, endpoint.password) }
        if name == "$user2" || name == "${user2}" {
            return (endpoint.user2 ?? endpoint.user, endpoint.password2 ?? endpoint.password)
        }
        return (name, endpoint.password)
    }

    struct SimpleReply {
        var status: String
        var line: String
        var untagged: [[IMAPScriptArgument]]
    }

    /// Sends one setup command and reads to its tagged reply.
    private func simpleCommand(_ c: Connection, _ text: String) throws -> SimpleReply {
        let tag = "\(c.globalID).\(c.nextTag)"
        c.nextTag += 1
        do { try c.client.sendLine("\(tag) \(text)") } catch {
            throw fail("send failed", expected: "", received: "\(error)")
        }
        return try readSimpleReply(c, tag: tag, command: text)
    }

    private func readSimpleReply(_ c: Connection, tag: String, command: String) throws -> SimpleReply {
        var untagged: [[IMAPScriptArgument]] = []
        while true {
            let line: String
            do { line = try c.client.readResponse() } catch {
                throw fail("setup: no reply to \(command)", expected: "tagged reply", received: "\(error)")
            }
            let args = try parseResponse(line)
            guard let first = args.first?.astring else { continue }
            if first == "*" {
                let rest = Array(args.dropFirst())
                noteUntagged(c, rest)
                untagged.append(rest)
            } else if first == tag {
                return SimpleReply(status: args.count > 1 ? (args[1].atom ?? "").uppercased() : "", line: line, untagged: untagged)
            }
        }
    }

    private func appendCommand(_ c: Connection, mailboxArgs: String, message: MboxSource.Message,
                               simple: Bool) throws -> SimpleReply {
        let tag = "\(c.globalID).\(c.nextTag)"
        c.nextTag += 1
        var header = "\(tag) APPEND \(mailboxArgs)"
        if let date = message.internalDate { header += " \"\(date)\"" }
        header += " {\(message.text.unicodeScalars.count)}"
        try c.client.sendLine(header)
        while true {
            let line = try c.client.readResponse()
            if line.hasPrefix("+") { break }
            let args = try parseResponse(line)
            if args.first?.astring == "*" { noteUntagged(c, Array(args.dropFirst())); continue }
            if args.first?.astring == tag {
                return SimpleReply(status: (args.count > 1 ? args[1].atom ?? "" : "").uppercased(), line: line, untagged: [])
            }
        }
        try c.client.send(message.text + "\r\n")
        return try readSimpleReply(c, tag: tag, command: "APPEND")
    }

    /// Keeps the per-connection view imaptest keeps: message count, BYE, capabilities.
    private func noteUntagged(_ c: Connection, _ args: [IMAPScriptArgument]) {
        guard let first = args.first?.atom else { return }
        if let n = Int(first), args.count > 1, let kind = args[1].atom?.uppercased() {
            if kind == "EXISTS" { c.exists = n }
            if kind == "EXPUNGE" && c.exists > 0 { c.exists -= 1 }
        } else {
            switch first.uppercased() {
            case "BYE": c.seenBye = true
            case "CAPABILITY": c.capabilities = args.dropFirst().compactMap(\.astring)
            case "OK":
                if args.count > 1, let code = args[1].atom, code.uppercased() == "[CAPABILITY" {
                    var caps: [String] = []
                    for a in args.dropFirst(2) {
                        guard let s = a.atom else { break }
                        if s.hasSuffix("]") { caps.append(String(s.dropLast())); break }
                        caps.append(s)
                    }
                    c.capabilities = caps
                }
            default: break
            }
        }
    }

    private func parseResponse(_ line: String) throws -> [IMAPScriptArgument] {
        do { return try IMAPScriptArgument.parseLine(line) } catch {
            throw fail("unparsable server response", expected: "an IMAP response", received: line)
        }
    }

    // MARK: running a group

    private func runGroup(_ group: ImaptestScript.Group, isFinalLogout: Bool = false) throws {
        let c = connections[group.connection]
        currentLine = group.commands.first?.line ?? group.untagged.first?.line ?? 0
        seqmap = c.exists > 0 ? Array(1...c.exists) : []
        var found = [Bool](repeating: false, count: group.untagged.count)
        var best: [String?] = Array(repeating: nil, count: group.untagged.count)
        var bestCount = [Int](repeating: 0, count: group.untagged.count)
        var firstExtra: String? = nil
        // tag string → command index
        var pending: [String: Int] = [:]
        var firstTag: String? = nil

        // Send every command of the group.
        for (index, command) in group.commands.enumerated() {
            let text = try expandAll(command.text)
            if index == 0 { currentCommand = text }
            let tag = "\(c.globalID).\(c.nextTag)"
            c.nextTag += 1
            if firstTag == nil { firstTag = tag }
            pending[tag] = index
            let lower = text.lowercased()
            var payload: String
            if lower == "append" {
                payload = "APPEND \(IMAPScriptEndpoint.quote(ImaptestRunner.testMailbox))"
                try sendAppend(c, tag: tag, args: payload)
                continue
            } else if lower.hasPrefix("append ") && !appendHasBody(String(text.dropFirst(7))) {
                try sendAppend(c, tag: tag, args: text)
                continue
            } else {
                payload = text
            }
            try sendWithLiterals(c, tag: tag, payload, group: group, found: &found, best: &best,
                                 bestCount: &bestCount, firstExtra: &firstExtra, pending: &pending, firstTag: firstTag)
        }

        // Read until every command has its tagged reply.
        while !pending.isEmpty {
            let line: String
            do {
                line = try c.client.readResponse()
            } catch let error as IMAPLineClientError where error.kind == .closed {
                if group.hasUntaggedBye && c.seenBye {
                    for command in group.commands where !(command.reply == [.atom("")]) {
                        throw fail("command expected a tagged reply but BYE ended the connection",
                                   expected: IMAPScriptArgument.describe(command.reply ?? []), received: "BYE")
                    }
                    break
                }
                throw fail("unexpected disconnection", expected: "tagged reply", received: "connection closed")
            } catch {
                throw fail("no tagged reply", expected: expectedTagged(group, pending), received: "\(error)")
            }
            try handleResponse(line, c: c, group: group, found: &found, best: &best, bestCount: &bestCount,
                               firstExtra: &firstExtra, pending: &pending, firstTag: firstTag)
        }
        try checkMissing(group, found: found, best: best)
        if let firstExtra, !script.ignoreExtraUntagged {
            throw fail("unexpected untagged reply", expected: "only the listed untagged replies", received: firstExtra)
        }
        if group.sleepMilliseconds > 0 { usleep(useconds_t(group.sleepMilliseconds * 1000)) }
    }

    private func expectedTagged(_ group: ImaptestScript.Group, _ pending: [String: Int]) -> String {
        pending.values.sorted().map { IMAPScriptArgument.describe(group.commands[$0].reply ?? []) }.joined(separator: "; ")
    }

    private func handleResponse(_ line: String, c: Connection, group: ImaptestScript.Group, found: inout [Bool],
                                best: inout [String?], bestCount: inout [Int], firstExtra: inout String?,
                                pending: inout [String: Int], firstTag: String?) throws {
        let args = try parseResponse(line)
        guard let first = args.first?.astring else { return }
        if first == "+" { return }
        if first == "*" {
            let rest = Array(args.dropFirst())
            noteUntaggedBeforeMatch(c, rest)
            if !group.untagged.isEmpty || !script.ignoreExtraUntagged {
                let matched = try matchUntagged(rest, group: group, tag: firstTag, found: &found, best: &best,
                                                bestCount: &bestCount)
                if !matched && firstExtra == nil { firstExtra = IMAPScriptArgument.describe(rest) }
            }
            // EXPUNGE moves the relative sequence numbers, after matching.
            if rest.count > 1, let n = rest[0].atom.flatMap({ Int($0) }), rest[1].atom?.uppercased() == "EXPUNGE" {
                handleExpunge(n)
                if c.exists > 0 { c.exists -= 1 }
            }
            return
        }
        guard let index = pending[first] else {
            throw fail("tagged reply for an unknown tag", expected: "a reply to one of \(pending.keys.sorted())", received: line)
        }
        pending[first] = nil
        let command = group.commands[index]
        let expected = command.reply ?? [.atom("")]
        variables["tag"] = first
        let count = matchArgs(expected[...], args.dropFirst(), max: Int.max, prefix: true)
        variables["tag"] = nil
        if count != Int.max {
            currentLine = command.line
            throw fail("tagged reply differs", expected: IMAPScriptArgument.describe(expected),
                       received: IMAPScriptArgument.describe(Array(args.dropFirst())))
        }
    }

    /// Message count and BYE, before matching (EXISTS grows the view; EXPUNGE is applied after).
    private func noteUntaggedBeforeMatch(_ c: Connection, _ args: [IMAPScriptArgument]) {
        if args.count > 1, let n = args[0].atom.flatMap({ Int($0) }), args[1].atom?.uppercased() == "EXISTS" {
            c.exists = n
            return
        }
        if args.count > 1, args[0].atom.flatMap({ Int($0) }) != nil { return }
        noteUntagged(c, args)
    }

    private func handleExpunge(_ seq: Int) {
        guard seq <= seqmap.count, seq > 0 else { return }
        for i in (seq - 1)..<seqmap.count where seqmap[i] >= seq {
            if seqmap[i] == seq { seqmap[i] = 0 } else { seqmap[i] -= 1 }
        }
    }

    /// Matches one untagged reply against the group's expectations (test_handle_untagged_match).
    /// Returns whether some expectation matched.
    @discardableResult
    private func matchUntagged(_ args: [IMAPScriptArgument], group: ImaptestScript.Group, tag: String?,
                               found: inout [Bool], best: inout [String?], bestCount: inout [Int]) throws -> Bool {
        var prefix = false
        if let s = args.first?.atom?.lowercased(), ["ok", "no", "bad", "bye"].contains(s) { prefix = true }
        var foundSome = false
        for i in group.untagged.indices where !found[i] {
            addedVariables.removeAll()
            if let tag { variables["tag"] = tag }
            let count = matchArgs(group.untagged[i].args[...], args[...], max: Int.max, prefix: prefix)
            if tag != nil { variables["tag"] = nil }
            if count == Int.max {
                if group.untagged[i].existence == .mustNotExist {
                    currentLine = group.untagged[i].line
                    throw fail("unexpected untagged match", expected: "no reply like " + IMAPScriptArgument.describe(group.untagged[i].args),
                               received: IMAPScriptArgument.describe(args))
                }
                found[i] = true
                foundSome = true
                addedVariables.removeAll()
                if group.ordered { break }
                continue
            }
            if bestCount[i] < count || best[i] == nil {
                bestCount[i] = count
                best[i] = IMAPScriptArgument.describe(args)
            }
            for name in addedVariables { variables[name] = nil }
            addedVariables.removeAll()
            if group.ordered && group.untagged[i].existence == .mustExist { break }
        }
        return foundSome
    }

    private func checkMissing(_ group: ImaptestScript.Group, found: [Bool], best: [String?]) throws {
        guard let first = group.untagged.indices.first(where: { group.untagged[$0].existence == .mustExist && !found[$0] }) else {
            return
        }
        let missing = group.untagged.indices.filter { group.untagged[$0].existence == .mustExist && !found[$0] }.count
        let unexpanded = IMAPScriptArgument.describe(group.untagged[first].args)
        let expanded = (try? expandAll(unexpanded, skipUninitialized: true)) ?? unexpanded
        currentLine = group.untagged[first].line
        throw fail("missing \(missing) untagged repl\(missing == 1 ? "y" : "ies")", expected: expanded,
                   received: best[first].map { "best match: \($0)" } ?? "nothing similar")
    }

    // MARK: sending

    /// imaptest's append_has_body: `mailbox [(flags)] ["date"]` followed by a literal or CATENATE.
    private func appendHasBody(_ argsText: String) -> Bool {
        guard let args = try? IMAPScriptArgument.parseLine(argsText), !args.isEmpty else { return false }
        var i = 0
        if i + 1 < args.count, args[i + 1].listItems != nil { i += 1 }
        if i + 1 < args.count, case .quoted = args[i + 1] { i += 1 }
        guard i + 1 < args.count else { return false }
        if case .literal = args[i + 1] { return true }
        return args[i + 1].atom?.lowercased() == "catenate"
    }

    private func sendAppend(_ c: Connection, tag: String, args: String) throws {
        guard let source else { throw fail("append needs messages", expected: "an mbox", received: "none") }
        let message = source.next()
        var header = "\(tag) \(args)"
        if let date = message.internalDate, !args.contains("\"") { header += " \"\(date)\"" }
        header += " {\(message.text.unicodeScalars.count)}"
        try c.client.sendLine(header)
        // Wait for the continuation; a tagged reply instead ends the command (the caller reads it).
        while true {
            let line = try c.client.readResponse()
            if line.hasPrefix("+") { break }
            c.client.unread(line)
            return
        }
        try c.client.send(message.text + "\r\n")
    }

    /// Sends a command, stopping at each synchronizing literal for the server's `+`. Replies
    /// that arrive meanwhile are handled as usual; if the command itself is answered (a NO or
    /// BAD to the literal), the rest is not sent.
    private func sendWithLiterals(_ c: Connection, tag: String, _ text: String, group: ImaptestScript.Group,
                                  found: inout [Bool], best: inout [String?], bestCount: inout [Int],
                                  firstExtra: inout String?, pending: inout [String: Int], firstTag: String?) throws {
        var scalars = Array("\(tag) \(text)".unicodeScalars)
        func bytes(_ s: ArraySlice<Unicode.Scalar>) -> [UInt8] { s.map { UInt8(truncatingIfNeeded: $0.value) } }
        while true {
            guard let (headerEnd, size, synchronizing) = ImaptestExecution.firstLiteral(scalars) else {
                try c.client.send(bytes(scalars[...]) + [13, 10])
                return
            }
            try c.client.send(bytes(scalars[..<headerEnd]))
            scalars.removeFirst(headerEnd)
            if synchronizing {
                while true {
                    let line: String
                    do { line = try c.client.readResponse() } catch {
                        throw fail("no continuation for a literal", expected: "+", received: "\(error)")
                    }
                    if line.hasPrefix("+") { break }
                    try handleResponse(line, c: c, group: group, found: &found, best: &best, bestCount: &bestCount,
                                       firstExtra: &firstExtra, pending: &pending, firstTag: firstTag)
                    if pending[tag] == nil { return }
                }
            }
            let n = min(size, scalars.count)
            try c.client.send(bytes(scalars[..<n]))
            scalars.removeFirst(n)
        }
    }

    /// The first `{n}`, `{n+}` or `~{n}` followed by CRLF outside a quoted string:
    /// (index just after the CRLF, n, whether it is synchronizing).
    static func firstLiteral(_ s: [Unicode.Scalar]) -> (Int, Int, Bool)? {
        var i = 0
        var inQuote = false
        while i < s.count {
            let ch = s[i]
            if inQuote {
                if ch == "\\" { i += 2; continue }
                if ch == "\"" { inQuote = false }
                i += 1
                continue
            }
            if ch == "\"" { inQuote = true; i += 1; continue }
            if ch == "{" {
                var j = i + 1
                var value = 0
                var digits = 0
                while j < s.count, s[j].value >= 48, s[j].value <= 57, digits < 10 {
                    value = value * 10 + Int(s[j].value - 48)
                    digits += 1
                    j += 1
                }
                var synchronizing = true
                if j < s.count, s[j] == "+" { synchronizing = false; j += 1 }
                if digits > 0, j + 2 < s.count, s[j] == "}", s[j + 1] == "\r", s[j + 2] == "\n" {
                    return (j + 3, value, synchronizing)
                }
                if digits > 0, j + 2 == s.count, s[j] == "}", s[j + 1] == "\r" {
                    return nil
                }
            }
            i += 1
        }
        return nil
    }

    // MARK: variables

    /// test_expand_all: `$$`, `$!…` (dropped), `$n`, `$name`, `${name}` in a command line.
    func expandAll(_ text: String, skipUninitialized: Bool = false) throws -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] != "$" || i + 1 == s.count {
                out.append(s[i])
                i += 1
                continue
            }
            i += 1
            if s[i] == "$" {
                out.append("$")
                i += 1
            } else if s[i] == "!" {
                while i + 1 < s.count && s[i + 1] != " " { i += 1 }
                i += 1
            } else {
                var name = ""
                if s[i] == "{" {
                    guard let close = s[(i + 1)...].firstIndex(of: "}") else {
                        throw fail("missing '}'", expected: "${name}", received: text)
                    }
                    name = String(String.UnicodeScalarView(s[(i + 1)..<close]))
                    i = close + 1
                } else {
                    var j = i
                    while j < s.count, ImaptestExecution.isVarChar(s[j]) { j += 1 }
                    name = String(String.UnicodeScalarView(s[i..<j]))
                    i = j
                }
                let value: String
                if let seq = Int(name), !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    value = relativeSeq(seq)
                } else if let v = variables[name] {
                    value = v
                } else if name.hasPrefix("case:") {
                    value = String(name.dropFirst(5))
                } else if skipUninitialized {
                    value = "$"
                } else {
                    throw fail("uninitialized variable", expected: "$\(name) set by an earlier reply", received: text)
                }
                out.append(contentsOf: value.unicodeScalars)
            }
        }
        return String(out)
    }

    static func isVarChar(_ c: Unicode.Scalar) -> Bool {
        (c.isASCII && (CharacterSet.alphanumerics.contains(c))) || c == "_"
    }

    private func relativeSeq(_ seq: Int) -> String {
        if seq == 0 { return "<zero seq>" }
        if seq > seqmap.count { return "<out of range>" }
        if seqmap[seq - 1] == 0 { return "<expunged>" }
        return String(seqmap[seq - 1])
    }

    private static func upper(_ c: Unicode.Scalar) -> Unicode.Scalar {
        (c.value >= 97 && c.value <= 122) ? Unicode.Scalar(c.value - 32)! : c
    }

    /// test_expand_input: matches the pattern `str` against the server's `input`, binding unset
    /// variables; returns the expanded pattern (nil on a mismatch) and whether to compare
    /// case-insensitively.
    func expandInput(_ str: ArraySlice<Unicode.Scalar>, _ input: ArraySlice<Unicode.Scalar>) -> (String?, Bool) {
        var icase = true
        var out = String.UnicodeScalarView()
        var si = str.startIndex
        var ii = input.startIndex
        while si < str.endIndex {
            if str[si] != "$" || (si + 1 < str.endIndex && str[si + 1] == "$") {
                if str[si] == "$" { si += 1 }
                if ii >= input.endIndex || ImaptestExecution.upper(str[si]) != ImaptestExecution.upper(input[ii]) {
                    return (nil, icase)
                }
                ii += 1
                out.append(str[si])
                si += 1
                continue
            }
            si += 1
            var name: String
            if si < str.endIndex && str[si] == "{" {
                guard let close = str[(si + 1)...].firstIndex(of: "}") else { return ("", icase) }
                name = String(String.UnicodeScalarView(str[(si + 1)..<close]))
                si = close + 1
            } else {
                var j = si
                while j < str.endIndex, ImaptestExecution.isVarChar(str[j]) { j += 1 }
                name = String(String.UnicodeScalarView(str[si..<j]))
                si = j
            }
            var value: String
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && $0.isNumber }), let seq = Int(name) {
                value = relativeSeq(seq)
            } else if name.hasPrefix("case:") {
                icase = false
                value = String(name.dropFirst(5))
            } else if !name.isEmpty, let v = variables[name] {
                value = v
            } else {
                // Capture up to the first input character that matches what follows.
                var next: Unicode.Scalar? = nil
                var nextIcase = true
                if si < str.endIndex {
                    if str[si] != "$" {
                        next = str[si]
                    } else {
                        let (expanded, ic) = expandInput(str[si...], input[ii...])
                        next = expanded?.unicodeScalars.first
                        nextIcase = ic
                    }
                }
                var p = ii
                while p < input.endIndex {
                    guard let next else { p = input.endIndex; break }
                    if nextIcase ? ImaptestExecution.upper(input[p]) == ImaptestExecution.upper(next) : input[p] == next { break }
                    p += 1
                }
                let captured = String(String.UnicodeScalarView(input[ii..<p]))
                if name.isEmpty {
                    value = captured
                } else if name.hasPrefix("modseq"), let index = Int(name.dropFirst(6)) {
                    value = newModseq(index: index, captured)
                    variables[name] = value
                } else {
                    variables[name] = captured
                    addedVariables.append(name)
                    value = captured
                }
            }
            out.append(contentsOf: value.unicodeScalars)
            for ch in value.unicodeScalars {
                if ii >= input.endIndex || input[ii] != ch { return (nil, icase) }
                ii += 1
            }
        }
        return (String(out), icase)
    }

    /// get_new_var_modseq: $modseqN values grow at least by the gap between indexes.
    private func newModseq(index: Int, _ captured: String) -> String {
        guard var value = UInt64(captured) else { return "$modseq-not-number" }
        if highestModseqIndex > index { return "$modseq-order-mismatch" }
        let atLeast = highestModseqValue + UInt64(index - highestModseqIndex)
        var result = captured
        if value < atLeast {
            result = "$modseq-at-least-\(atLeast)"
            value = atLeast
        }
        highestModseqIndex = index
        highestModseqValue = value
        return result
    }

    // MARK: matching

    /// test_imap_match_args: Int.max when `match` matches `args`, else how many arguments did.
    func matchArgs(_ match: ArraySlice<IMAPScriptArgument>, _ args: ArraySlice<IMAPScriptArgument>, max: Int,
                   prefix: Bool) -> Int {
        var ret = 0
        var mi = match.startIndex
        var ai = args.startIndex
        var max = max
        while mi < match.endIndex && max > 0 {
            let m = match[mi]
            switch m {
            case .null:
                guard ai < args.endIndex, args[ai] == .null else { return ret }
            case .atom, .quoted, .literal:
                let ms = m.astring ?? ""
                if ms == "$", ai < args.endIndex, args[ai].listItems != nil { break }
                if ms == "$]" {
                    while ai < args.endIndex, let a = args[ai].atom, !a.contains("]") { ai += 1 }
                    break
                }
                guard ai < args.endIndex, let astr = args[ai].astring else { return ret }
                let input = Array(astr.unicodeScalars)
                let (expanded, icase) = expandInput(Array(ms.unicodeScalars)[...], input[...])
                guard let mstr = expanded else { return ret }
                if prefix && mi == match.endIndex - 1 {
                    let want = Array(mstr.unicodeScalars)
                    guard input.count >= want.count else { return ret }
                    for k in want.indices {
                        let a = input[k], b = want[k]
                        if icase ? ImaptestExecution.upper(a) != ImaptestExecution.upper(b) : a != b { return ret }
                    }
                } else {
                    if icase ? astr.uppercasedASCII() != mstr.uppercasedASCII() : astr != mstr { return ret }
                }
            case .list(let items):
                guard ai < args.endIndex, let sub = args[ai].listItems else { return ret }
                let subret = matchList(items[...], sub[...])
                if subret != Int.max { return ret + subret }
            }
            ret += 1
            mi += 1
            ai += 1
            max -= 1
        }
        if prefix || ai >= args.endIndex || max == 0 { return Int.max }
        return ret
    }

    /// test_imap_match_list: a list with its `$!` directives.
    func matchList(_ matchIn: ArraySlice<IMAPScriptArgument>, _ args: ArraySlice<IMAPScriptArgument>) -> Int {
        var match = matchIn
        var unordered = false
        var chain = 1
        var ignores: [String] = []
        var bans: [String] = []
        var noextra = -1
        while let first = match.first, let s = first.atom, s.hasPrefix("$!") {
            let d = s.dropFirst(2)
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
                ignores.append(String(d.dropFirst(7)))
            } else if d.hasPrefix("ban=") {
                bans.append(String(d.dropFirst(4)))
            }
            match = match.dropFirst()
        }
        if noextra == -1 { noextra = 1 }
        if !unordered { return matchArgs(match, args, max: Int.max, prefix: false) }
        let argCount = args.count
        if chain < 1 || argCount % chain != 0 { return 0 }
        var matched = [Bool](repeating: false, count: argCount)
        var ret = 0
        var mi = match.startIndex
        while mi < match.endIndex {
            var i = 0
            var hit = false
            while i < argCount {
                let chunk = match[mi..<Swift.min(mi + chain, match.endIndex)]
                if matchArgs(chunk, args.dropFirst(i), max: chain, prefix: false) == Int.max {
                    matched[i] = true
                    hit = true
                    break
                }
                i += chain
            }
            if !hit { return ret }
            mi += chain
            ret += 1
        }
        let arr = Array(args)
        if noextra > 0 {
            for i in stride(from: 0, to: argCount, by: chain) where !matched[i] {
                guard let s = arr[i].astring else { continue }
                if !ignores.contains(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) { return ret }
            }
        } else if !bans.isEmpty {
            for i in stride(from: 0, to: argCount, by: chain) where !matched[i] {
                guard let s = arr[i].astring else { continue }
                if bans.contains(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) { return ret }
            }
        }
        return Int.max
    }
}

extension String {
    /// ASCII-only upper-casing (imaptest compares with strcasecmp).
    func uppercasedASCII() -> String {
        var v = String.UnicodeScalarView()
        for c in unicodeScalars {
            v.append((c.value >= 97 && c.value <= 122) ? Unicode.Scalar(c.value - 32)! : c)
        }
        return String(v)
    }
}

// MARK: - mbox

/// The messages of an mbox file (RFC 4155): each starts at a `From ` line; its internal date is
/// that line's asctime date. Line ends become CRLF; the empty line that separates messages is
/// not part of the message. Reading wraps round to the first message after the last.
public final class MboxSource {
    struct Message {
        var text: String
        /// IMAP date-time ("22-Feb-2008 17:06:23 +0000"), or nil when the From line has none.
        var internalDate: String?
    }

    let messages: [Message]
    private var position = 0

    init(url: URL) throws {
        let text = Latin1.string(try Data(contentsOf: url))
        var messages: [Message] = []
        var current: [String] = []
        var date: String? = nil
        var started = false
        func finish() {
            guard started else { return }
            let lines = current
            messages.append(Message(text: lines.joined(separator: "\r\n") + (lines.isEmpty ? "" : "\r\n"), internalDate: date))
        }
        let all = Latin1.lines(text)
        for raw in all {
            var line = raw
            if line.hasSuffix("\r") { line.removeLast() }
            if line.hasPrefix("From ") {
                finish()
                started = true
                current = []
                date = MboxSource.imapDate(fromLine: line)
                continue
            }
            current.append(line)
        }
        finish()
        self.messages = messages
    }

    /// Each message's octets as the runner APPENDs them (the text in Latin-1, CRLF line ends,
    /// the empty line before the next "From " kept), for tests that read the same mailboxes.
    public static func messages(at url: URL) throws -> [[UInt8]] {
        try MboxSource(url: url).messages.map { Latin1.bytes($0.text) }
    }

    /// The same, each with the internal date of its "From " line as an IMAP date-time
    /// ("22-Feb-2008 17:06:23 +0000"; nil when the line has none), as the runner APPENDs them.
    public static func datedMessages(at url: URL) throws -> [(octets: [UInt8], internalDate: String?)] {
        try MboxSource(url: url).messages.map { (Latin1.bytes($0.text), $0.internalDate) }
    }

    func next() -> Message {
        guard !messages.isEmpty else { return Message(text: "\r\n", internalDate: nil) }
        let m = messages[position % messages.count]
        position += 1
        return m
    }

    /// "From user@domain  Fri Feb 22 17:06:23 2008 [+0200]" → "22-Feb-2008 17:06:23 +0200"
    /// (asctime date, optional zone; +0000 without one).
    static func imapDate(fromLine line: String) -> String? {
        let parts = line.split(separator: " ").map(String.init)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count >= 6, let m = parts.indices.dropFirst(2).first(where: { months.contains(parts[$0]) }),
              m + 3 < parts.count, let day = Int(parts[m + 1]), parts[m + 2].split(separator: ":").count == 3,
              let year = Int(parts[m + 3]) else { return nil }
        var zone = "+0000"
        if m + 4 < parts.count, let z = parts[m + 4].first, z == "+" || z == "-", parts[m + 4].count == 5 { zone = parts[m + 4] }
        let day2 = day < 10 ? "0\(day)" : "\(day)"
        return "\(day2)-\(parts[m])-\(year) \(parts[m + 2]) \(zone)"
    }
}
