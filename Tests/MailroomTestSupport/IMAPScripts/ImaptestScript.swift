// ImaptestScript — a Dovecot imaptest script parsed into command groups, following
// imaptest-scripts/docs/scripted_test.md and, where the page is silent, what imaptest's own
// parser does (src/test-parser.c of dovecot/imaptest, read for reference, not copied):
//   - the header: `key: value` lines up to the first empty line. capabilities (required, else
//     the script is skipped), connections (1..100), messages (a number or `all`; without
//     the line every message of the mbox, as test-parser.c's UINT_MAX default), state (nonauth, auth, created, appended, selected; default
//     selected), ignore_extra_untagged (default yes), `user N: name` (connection N logs in as
//     that user; `$user2` / `${user2}` is the endpoint's second user, and the script needs one);
//   - `#` comments; `!ifenv` / `!ifnenv` / `!else` / `!endif` blocks on environment variables;
//   - commands in the three forms (`ok|no|bad|"" command` then untagged lines; `command`,
//     untagged lines, then `ok|no|bad|"" [prefix]`; `tagN command` … `tagN ok` for
//     pipelining), each with a leading connection number when connections > 1;
//   - untagged lines: `* x` must arrive, `! x` must not, `? x` may;
//   - group directives `!ordered` (untagged replies in order), `!sleep <ms>`, `!output <text>`;
//   - multi-line values: a line ending in `{{{` continues up to a line starting with `}}}`; the
//     text between becomes a literal `{n}` CRLF text (`~{{{` a literal8 `~{n}`), lines joined
//     with CRLF (in a `~` literal with a bare LF, the file's own CRs kept); the line end after
//     the last line is not part of the value;
//   - list directives `$!ordered`, `$!unordered[=n]`, `$!noextra`, `$!extra`, `$!ignore=e`,
//     `$!ban=e` at the start of a list, and the defaults when a list has none:
//     `n FETCH ($!unordered=2)`, its `FLAGS ($!unordered $!noextra $!ignore=\recent …)`,
//     `LIST ($!unordered)`, `LSUB ($!unordered)`, `STATUS mailbox ($!unordered=2)`.
// Scripts are read as bytes (Latin-1 strings), so binary test data is kept exactly.

import Foundation

public struct ImaptestScript: Sendable {
    public enum StartupState: Int, Sendable, Comparable {
        case nonauth = 0, auth, created, appended, selected
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    public enum Existence: Sendable { case mustExist, mustNotExist, mayExist }

    public struct Untagged: Sendable {
        public var args: [IMAPScriptArgument]
        public var existence: Existence
        public var line: Int
    }

    public struct Command: Sendable {
        public var line: Int
        /// The script's tagN number, 0 for an untagged-form command.
        public var tag: Int
        public var text: String
        /// Expected tagged reply (prefix-matched), nil while the parser waits for it.
        public var reply: [IMAPScriptArgument]?
    }

    public struct Group: Sendable {
        /// 0-based connection index.
        public var connection = 0
        public var commands: [Command] = []
        public var untagged: [Untagged] = []
        public var ordered = false
        public var sleepMilliseconds = 0
        public var hasUntaggedBye = false
        var repliesPending = 0
    }

    public var name: String
    public var requiredCapabilities: [String] = []
    public var connections = 1
    /// nil: every message of the mbox (also when the header has no `messages:` line).
    public var messageCount: Int? = nil
    public var state: StartupState = .selected
    public var ignoreExtraUntagged = true
    public var groups: [Group] = []
    public var hasBannerCheck = false
    /// `user N: name` lines: the user of connection N-1 (0-based), as written.
    public var connectionUsers: [Int: String] = [:]
    /// A `user N: $user2` line: the script needs a second account (imaptest's user2 setting).
    public var requiresUser2 = false
    /// The mbox the messages come from: `<name>.mbox`, else `default.mbox`.
    public var mboxPath: URL

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func load(name: String, directory: URL,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ImaptestScript {
        let url = directory.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        let own = directory.appendingPathComponent(name + ".mbox")
        let mbox = FileManager.default.fileExists(atPath: own.path) ? own : directory.appendingPathComponent("default.mbox")
        var script = ImaptestScript(name: name, mboxPath: mbox)
        try script.parse(Latin1.string(data), environment: environment)
        return script
    }

    // MARK: parsing

    private struct IfEnv { var elseSeen = false; var skip = false }

    mutating func parse(_ text: String, environment: [String: String]) throws {
        // Split on LF only; a CR before it stays in the line (as imaptest reads).
        let rawLines = Latin1.lines(text)
        var header = true
        var multiline: String? = nil
        var binary = false
        var startPos = 0
        var lastLineEnd = 0
        var startLine = 0
        var ifenv: [IfEnv] = []
        var skip = false

        let scriptName = name
        func fail(_ n: Int, _ message: String) -> ParseError { ParseError(description: "\(scriptName) line \(n): \(message)") }

        for (index, raw) in rawLines.enumerated() {
            let number = index + 1
            var line: String
            if var ml = multiline {
                if !raw.hasPrefix("}}}") {
                    ml += raw
                    lastLineEnd = ml.unicodeScalars.count
                    // A binary (~) literal keeps the file's bytes: its lines end in a bare LF (a CR
                    // in the file stays); the other literals end every line with CRLF.
                    ml += binary ? "\n" : "\r\n"
                    multiline = ml
                    continue
                }
                var scalars = Array(ml.unicodeScalars)
                scalars.removeSubrange(lastLineEnd..<scalars.count)
                let size = scalars.count - startPos
                let header = Array(((binary ? "~" : "") + "{\(size)}\r\n").unicodeScalars)
                scalars.insert(contentsOf: header, at: startPos)
                var rest = String(raw.dropFirst(3))
                if rest.hasSuffix("\r") { rest.removeLast() }
                if rest.hasSuffix("{{{") {
                    rest.removeLast(3)
                    binary = rest.hasSuffix("~")
                    if binary { rest.removeLast() }
                    scalars += Array(rest.unicodeScalars)
                    startPos = scalars.count
                    lastLineEnd = scalars.count
                    var v = String.UnicodeScalarView()
                    v.append(contentsOf: scalars)
                    multiline = String(v)
                    continue
                }
                scalars += Array(rest.unicodeScalars)
                var v = String.UnicodeScalarView()
                v.append(contentsOf: scalars)
                line = String(v)
                multiline = nil
            } else {
                startLine = number
                line = raw
                if line.hasSuffix("\r") { line.removeLast() }
                if line.isEmpty {
                    header = false
                    continue
                }
                if line.hasPrefix("#") { continue }
                if line.hasSuffix("{{{") {
                    var start = String(line.dropLast(3))
                    binary = start.hasSuffix("~")
                    if binary { start.removeLast() }
                    multiline = start
                    startPos = start.unicodeScalars.count
                    lastLineEnd = startPos
                    continue
                }
            }
            if header {
                try parseHeader(line, number: number)
                continue
            }
            // Preprocessing (!ifenv NAME: the block runs when NAME is set).
            if line.hasPrefix("!ifenv ") || line.hasPrefix("!ifnenv ") {
                let variable = String(line.split(separator: " ", maxSplits: 1).last ?? "")
                var missing = environment[variable] == nil
                if line.hasPrefix("!ifnenv ") { missing = !missing }
                ifenv.append(IfEnv(skip: skip))
                if missing { skip = true }
                continue
            }
            if line == "!else" {
                guard !ifenv.isEmpty, !ifenv[ifenv.count - 1].elseSeen else { throw fail(number, "misplaced !else") }
                ifenv[ifenv.count - 1].elseSeen = true
                if !ifenv[ifenv.count - 1].skip { skip.toggle() }
                continue
            }
            if line == "!endif" {
                guard let last = ifenv.popLast() else { throw fail(number, "!endif without !ifenv") }
                skip = last.skip
                continue
            }
            if skip { continue }
            try parseCommandLine(line, number: startLine, fail: { fail(number, $0) })
        }
        if multiline != nil { throw fail(startLine, "multi-line value not ended") }
        guard let last = groups.last else { throw fail(0, "no commands in file") }
        if last.repliesPending > 0 { throw fail(rawLines.count, "missing reply from previous command") }
        if !ifenv.isEmpty { throw fail(0, "!ifenv not closed with !endif") }
    }

    mutating func parseHeader(_ line: String, number: Int) throws {
        guard let colon = line.firstIndex(of: ":") else {
            throw ParseError(description: "\(name) line \(number): missing ':' in header")
        }
        let key = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        switch key {
        case "capabilities":
            requiredCapabilities = value.split(separator: " ").map(String.init)
        case "connections":
            guard let n = Int(value), n > 0, n <= 100 else {
                throw ParseError(description: "\(name) line \(number): bad connections")
            }
            connections = n
        case "ignore_extra_untagged":
            ignoreExtraUntagged = value.hasPrefix("y")
        case "messages":
            messageCount = value == "all" ? nil : (Int(value) ?? 0)
        case "state":
            switch value.lowercased() {
            case "nonauth": state = .nonauth
            case "auth": state = .auth
            case "created": state = .created
            case "appended": state = .appended
            case "selected": state = .selected
            default: throw ParseError(description: "\(name) line \(number): unknown state \(value)")
            }
        default:
            if key.hasPrefix("user "), let n = Int(key.dropFirst(5).trimmingCharacters(in: .whitespaces)), n > 0, n <= 100 {
                // imaptest's test-parser.c: "$user2" (or "${user2}") means its user2 setting.
                if value == "$user2" || value == "${user2}" { requiresUser2 = true }
                connectionUsers[n - 1] = value
                return
            }
            throw ParseError(description: "\(name) line \(number): unknown setting \(key)")
        }
    }

    /// `tagN ok …` / `ok …` / `""` at the start of `text`: (tag, reply args prefix-consumed).
    /// Returns the reply word as an argument list and the rest of the line, or nil.
    static func commandReply(_ text: String) -> (tag: Int, reply: String?, rest: String) {
        var line = Substring(text)
        var tag = 0
        var word = line.prefix { $0 != " " }
        if word.lowercased().hasPrefix("tag"), let n = Int(word.dropFirst(3)), n > 0, word.count < line.count {
            tag = n
            line = line.dropFirst(word.count + 1)
            word = line.prefix { $0 != " " }
        }
        let lower = word.lowercased()
        var reply: String? = nil
        if lower == "ok" || lower == "no" || lower == "bad" || lower == "\"\"" {
            reply = lower == "\"\"" ? "" : lower
            line = line.dropFirst(word.count)
            if line.hasPrefix(" ") { line = line.dropFirst() }
        }
        return (tag, reply, String(line))
    }

    private static func existence(of line: String) -> Existence? {
        if line.hasPrefix("* ") { return .mustExist }
        if line.hasPrefix("! ") { return .mustNotExist }
        if line.hasPrefix("? ") { return .mayExist }
        return nil
    }

    mutating func parseCommandLine(_ text: String, number: Int, fail: (String) -> ParseError) throws {
        var line = text
        if var group = groups.last {
            defer { groups[groups.count - 1] = group }
            if line.hasPrefix("!sleep ") {
                group.sleepMilliseconds = Int(line.dropFirst(7).trimmingCharacters(in: .whitespaces)) ?? 0
                return
            }
            if line.hasPrefix("!output ") { return }
            if line == "!ordered" {
                group.ordered = true
                return
            }
            if let existence = ImaptestScript.existence(of: line) {
                try addUntagged(&group, String(line.dropFirst(2)), existence, number: number, fail: fail)
                return
            }
            if group.repliesPending > 0 {
                var withoutConnection = Substring(line)
                var replyConnection = 0
                if connections > 1, let n = Int(line.prefix { $0 != " " }), n > 0 {
                    replyConnection = n
                    withoutConnection = withoutConnection.drop { $0 != " " }.dropFirst()
                }
                let parsed = ImaptestScript.commandReply(String(withoutConnection))
                if let reply = parsed.reply {
                    if connections > 1 {
                        if replyConnection == 0 { throw fail("missing client index") }
                        if replyConnection - 1 != group.connection { throw fail("reply for wrong connection") }
                    }
                    guard let index = group.commands.firstIndex(where: { $0.tag == parsed.tag }) else {
                        throw fail("reply for unknown tag")
                    }
                    if group.commands[index].reply != nil { throw fail("command already has a reply") }
                    let args = try IMAPScriptArgument.parseLine(reply.isEmpty ? "\"\"" + (parsed.rest.isEmpty ? "" : " " + parsed.rest)
                                                                  : reply + (parsed.rest.isEmpty ? "" : " " + parsed.rest))
                    group.commands[index].reply = ImaptestScript.normalizedReply(args)
                    group.repliesPending -= 1
                    return
                }
            }
        }

        if groups.isEmpty || groups[groups.count - 1].repliesPending == 0 {
            groups.append(Group())
        }
        var group = groups[groups.count - 1]
        defer { groups[groups.count - 1] = group }

        if connections > 1 {
            guard let n = Int(line.prefix { $0 != " " }), n > 0 else { throw fail("missing client index") }
            if n > 100 { throw fail("too many connections") }
            if !group.commands.isEmpty && group.connection != n - 1 {
                throw fail("all pipelined commands must use the same connection")
            }
            group.connection = n - 1
            if n > connections { connections = n }
            line = line.contains(" ") ? String(line.drop { $0 != " " }.dropFirst()) : ""
        }
        let parsed = ImaptestScript.commandReply(line)
        if parsed.tag == 0 {
            if group.repliesPending > 0 { throw fail("missing reply from previous command group") }
        } else if group.commands.contains(where: { $0.tag == parsed.tag }) {
            throw fail("tag reused within command group")
        }
        if group.commands.isEmpty, let existence = ImaptestScript.existence(of: parsed.rest) {
            hasBannerCheck = true
            try addUntagged(&group, String(parsed.rest.dropFirst(2)), existence, number: number, fail: fail)
            return
        }
        var command = Command(line: number, tag: parsed.tag, text: parsed.rest, reply: nil)
        if let reply = parsed.reply {
            command.reply = [.atom(reply)]
        } else {
            group.repliesPending += 1
        }
        group.commands.append(command)
    }

    /// `""` as a reply is imaptest's "any reply": an empty atom, which prefix-matches anything.
    static func normalizedReply(_ args: [IMAPScriptArgument]) -> [IMAPScriptArgument] {
        var out = args
        if let first = out.first, case .quoted("") = first { out[0] = .atom("") }
        return out
    }

    private mutating func addUntagged(_ group: inout Group, _ text: String, _ existence: Existence, number: Int,
                                      fail: (String) -> ParseError) throws {
        var args: [IMAPScriptArgument]
        do {
            args = try IMAPScriptArgument.parseLine(text)
        } catch {
            throw fail("\(error)")
        }
        var replyName = ""
        if let first = args.first?.atom {
            replyName = first
            if first.hasPrefix("$") || first.first.map({ $0.isASCII && $0.isNumber }) == true {
                replyName = args.count > 1 ? (args[1].atom ?? "") : ""
            }
        }
        var top = DirectiveContext(replyName: replyName)
        try ImaptestScript.handleDirectives(&args, context: &top, parents: [], fail: fail)
        if replyName.lowercased().hasPrefix("bye") {
            switch existence {
            case .mustNotExist: break
            case .mustExist: group.hasUntaggedBye = true
            case .mayExist: throw fail("? BYE not supported")
            }
        }
        group.untagged.append(Untagged(args: args, existence: existence, line: number))
    }

    // MARK: list directives

    struct DirectiveContext {
        var replyName: String
        var prevAtom: String? = nil
        var parentChainIndex = 0
        var chainCount = 1
        var directives = false
    }

    /// Parses `$!` directives at the start of `args`, adds the defaults when there are none,
    /// and recurses into sub-lists (test_parse_untagged_handle_directives in imaptest).
    static func handleDirectives(_ args: inout [IMAPScriptArgument], context ctx: inout DirectiveContext,
                                 parents: [DirectiveContext], fail: (String) -> ParseError) throws {
        var index = 0
        while index < args.count, let atom = args[index].atom, atom.hasPrefix("$!") {
            let d = atom.dropFirst(2)
            if d.hasPrefix("unordered") {
                let rest = d.dropFirst(9)
                if rest.isEmpty {
                } else if rest.hasPrefix("="), let n = Int(rest.dropFirst()), n > 0 {
                    ctx.chainCount = n
                } else {
                    throw fail("broken $!unordered directive")
                }
            } else if d == "ordered" || d == "noextra" || d == "extra" || d.hasPrefix("ignore=") || d.hasPrefix("ban=") {
            } else {
                throw fail("unknown directive \(atom)")
            }
            ctx.directives = true
            index += 1
        }
        if !ctx.directives, let parent = parents.last {
            let name = ctx.replyName
            let depth = parents.count
            if name == "list" || name == "lsub" {
                if depth == 1 && parent.parentChainIndex == 0 && ctx.parentChainIndex == 1 {
                    args.insert(.atom("$!unordered"), at: 0)
                }
            } else if name == "status" {
                if depth == 1 && parent.parentChainIndex == 0 && ctx.parentChainIndex == 2 {
                    args.insert(.atom("$!unordered=2"), at: 0)
                }
            } else if name == "fetch" {
                if depth == 1 && parent.parentChainIndex == 0 && ctx.parentChainIndex == 2 {
                    args.insert(.atom("$!unordered=2"), at: 0)
                } else if depth == 2 && parents[0].parentChainIndex == 0 && parent.parentChainIndex == 2
                            && ctx.prevAtom == "flags" {
                    for d in ["$!unordered", "$!noextra", "$!ignore=\\recent", "$!ignore=$HasAttachment",
                              "$!ignore=$HasNoAttachment"].reversed() {
                        args.insert(.atom(d), at: 0)
                    }
                }
            }
        }
        var directiveCount = 0
        while directiveCount < args.count, let a = args[directiveCount].atom, a.hasPrefix("$!") { directiveCount += 1 }
        if (args.count - directiveCount) % ctx.chainCount != 0 {
            throw fail("invalid list argument count, chain size=\(ctx.chainCount)")
        }
        var prevAtom: String? = nil
        for i in args.indices {
            if let atom = args[i].atom { prevAtom = atom.lowercased() }
            guard case .list(var items) = args[i] else { continue }
            var sub = DirectiveContext(replyName: ctx.replyName.lowercased())
            sub.prevAtom = prevAtom
            sub.parentChainIndex = ctx.chainCount == 1 ? i : i % ctx.chainCount
            try handleDirectives(&items, context: &sub, parents: parents + [ctx], fail: fail)
            args[i] = .list(items)
        }
    }
}
