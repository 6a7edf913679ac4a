// IMAPScriptSuite — the entry point of the IMAP conformance script runners: point it at a server
// (host, port, a disposable user and password) and a list of script names, get one ScriptResult
// per script back (passed / failed with the first mismatch / skipped with a reason), and print
// a summary. Two suites, both read at run time from the shared corpora (Corpora.path), never
// copied into the repository:
//   - .imaptest: Dovecot imaptest scripts (imaptest-scripts/tests, format in
//     docs/scripted_test.md), run by ImaptestRunner;
//   - .jamesMPT: Apache James MPT IMAP scripts (james-mpt-scripts/imap/scripts, format in
//     docs/mpt-overview.xml and the corpus README), run by MPTRunner.
//
// Scripts run one after another on fresh connections. Both runners are destructive for the
// account they log in to (imaptest deletes every "imaptest*" mailbox; the James runner resets
// the account between scripts), so only ever use a disposable account on a test server.
//
// Usage:
//   let results = IMAPScriptSuite.imaptest.run(host: "127.0.0.1", port: 1143, user: "u", password: "p")
// (`user2:`/`password2:` add the second account that imaptest scripts with `user 2: $user2` use.)
//   print(IMAPScriptSuite.summary(results))

import Foundation

/// What one script did against the server.
public struct ScriptResult: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed(ScriptMismatch)
        case skipped(String)
    }

    public var suite: IMAPScriptSuite
    public var name: String
    public var outcome: Outcome
    /// Wall-clock seconds the script took.
    public var seconds: Double

    public var passed: Bool { outcome == .passed }
    public var failed: Bool { if case .failed = outcome { return true } else { return false } }
    public var skipped: Bool { if case .skipped = outcome { return true } else { return false } }

    public var mismatch: ScriptMismatch? { if case .failed(let m) = outcome { return m } else { return nil } }

    public var description: String {
        switch outcome {
        case .passed: return "\(name): passed"
        case .skipped(let reason): return "\(name): skipped: \(reason)"
        case .failed(let m): return "\(name): FAILED \(m)"
        }
    }
}

/// The first place a script and the server disagreed.
public struct ScriptMismatch: Sendable, Equatable, CustomStringConvertible {
    /// Line in the script file (1-based; 0 when it was the harness's own setup).
    public var line: Int
    /// The command being run (as sent, variables expanded), or the setup step.
    public var command: String
    /// What the script expected (a line, a pattern, or a description).
    public var expected: String
    /// What arrived instead ("" when nothing did).
    public var received: String
    /// A short classification such as "missing untagged reply" or "timeout".
    public var reason: String

    public init(line: Int, command: String, expected: String, received: String, reason: String) {
        self.line = line
        self.command = command
        self.expected = expected
        self.received = received
        self.reason = reason
    }

    public var description: String {
        func clip(_ s: String) -> String {
            let flat = s.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
            return flat.count > 300 ? String(flat.prefix(300)) + "…" : flat
        }
        return "line \(line): \(reason); command: \(clip(command)); expected: \(clip(expected)); received: \(clip(received))"
    }
}

public enum IMAPScriptSuite: String, Sendable, CaseIterable {
    case imaptest
    case jamesMPT

    /// Where the scripts are.
    public var directory: URL {
        switch self {
        case .imaptest: return Corpora.path("imaptest-scripts/tests")
        case .jamesMPT: return Corpora.path("james-mpt-scripts/imap/scripts")
        }
    }

    /// Every script of the suite, sorted by name (imaptest: files without `.mbox` at the top of
    /// tests/, as imaptest scans a directory; James: `*.test` in scripts/ and
    /// scripts/aclIntegration/ named with that prefix, minus the harness's own
    /// SelectedStateSetup and SelectedStateCleanup).
    public var allScripts: [String] {
        let fm = FileManager.default
        switch self {
        case .imaptest:
            let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { name in
                var isDir: ObjCBool = false
                return !name.hasPrefix(".") && !name.hasSuffix(".mbox")
                    && fm.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDir) && !isDir.boolValue
            }.sorted()
        case .jamesMPT:
            var names = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".test") }.map { String($0.dropLast(5)) }
            names += ((try? fm.contentsOfDirectory(atPath: directory.appendingPathComponent("aclIntegration").path)) ?? [])
                .filter { $0.hasSuffix(".test") }.map { "aclIntegration/" + String($0.dropLast(5)) }
            return names.filter { !MPTRunner.harnessScripts.contains($0) }.sorted()
        }
    }

    /// Runs `scripts` (all of the suite when nil) against the server, one after another.
    /// `accountReset`, when given, is called before each James script to give it an empty
    /// account (the James harness starts every script on a fresh in-memory server); without
    /// it the James runner deletes what it can over IMAP. imaptest does its own cleanup, as the
    /// imaptest tool does, and ignores it. `progress` sees each result as it comes.
    public func run(host: String = "127.0.0.1", port: Int, user: String, password: String,
                    user2: String? = nil, password2: String? = nil,
                    scripts: [String]? = nil, timeout: Double = 10,
                    accountReset: (() throws -> Void)? = nil,
                    progress: ((ScriptResult) -> Void)? = nil) -> [ScriptResult] {
        let names = scripts ?? allScripts
        var results: [ScriptResult] = []
        var endpoint = IMAPScriptEndpoint(host: host, port: port, user: user, password: password, timeout: timeout)
        endpoint.user2 = user2
        endpoint.password2 = password2
        for name in names {
            let began = Date()
            let outcome: ScriptResult.Outcome
            switch self {
            case .imaptest:
                outcome = ImaptestRunner(endpoint: endpoint, directory: directory).run(script: name)
            case .jamesMPT:
                outcome = MPTRunner(endpoint: endpoint, directory: directory, accountReset: accountReset).run(script: name)
            }
            let result = ScriptResult(suite: self, name: name, outcome: outcome, seconds: Date().timeIntervalSince(began))
            progress?(result)
            results.append(result)
        }
        return results
    }

    /// "imaptest: 60 passed, 5 failed, 7 skipped" and one line per failed and skipped script.
    public static func summary(_ results: [ScriptResult]) -> String {
        var lines: [String] = []
        let suites = IMAPScriptSuite.allCases.filter { suite in results.contains { $0.suite == suite } }
        for suite in suites {
            let mine = results.filter { $0.suite == suite }
            lines.append("\(suite.rawValue): \(mine.filter(\.passed).count) passed, \(mine.filter(\.failed).count) failed, "
                + "\(mine.filter(\.skipped).count) skipped (of \(mine.count))")
            for r in mine where !r.passed { lines.append("  " + r.description) }
        }
        return lines.joined(separator: "\n")
    }
}

/// Where and as whom the runners connect.
public struct IMAPScriptEndpoint: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    /// Seconds to wait for each expected reply.
    public var timeout: Double
    /// A second disposable account for scripts with `user 2: $user2` (imaptest's user2 and
    /// pass2 settings); without it those scripts are skipped, as imaptest skips them.
    public var user2: String?
    public var password2: String?

    public init(host: String, port: Int, user: String, password: String, timeout: Double = 10) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.timeout = timeout
    }

    /// A string as an IMAP quoted string (RFC 9051 quoted), or a literal-free astring.
    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
