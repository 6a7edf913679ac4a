// Test support for the end-to-end CLI tests: runs the real `mailroom` binary (built by
// `swift build --build-tests` into <package>/.build/debug/mailroom) as a subprocess, the way an
// administrator would, against a configuration file in a fresh temporary directory per test.
//
// Output goes to files, not pipes, so a child can never block on a full pipe, and nothing in
// these tests waits for a time or depends on how long anything takes.

import Foundation
import MailroomStore
import Testing

/// What one run of the binary did.
struct CLIResult: CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    var ok: Bool { status == 0 }
    var output: String { stdout + stderr }

    var description: String {
        "`\(arguments.joined(separator: " "))` exited \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)"
    }

    /// stdout parsed as JSON (JSONSerialization), or nil when it is not JSON.
    var json: Any? {
        try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }

    var jsonObject: [String: Any]? { json as? [String: Any] }
    var jsonArray: [[String: Any]]? { json as? [[String: Any]] }
}

enum CLI {
    /// <package root>/.build/debug/mailroom, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // MailroomCLITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root

    static let binary: String = packageRoot.appendingPathComponent(".build/debug/mailroom").path

    static var binaryExists: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    /// Runs `executable` with `arguments` in `directory`; stdin from `input` (empty when nil).
    /// 127.0.0.1:`port` as a socket address.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    static func run(_ executable: String, _ arguments: [String], in directory: String,
                    environment: [String: String], input: String? = nil) throws -> CLIResult {
        let id = UUID().uuidString
        let outPath = "\(directory)/.run-\(id).out", errPath = "\(directory)/.run-\(id).err"
        let inPath = "\(directory)/.run-\(id).in"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((input ?? "").utf8))
        defer {
            for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inp = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        try inp.close()
        let stdout = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outPath)), as: UTF8.self)
        let stderr = String(decoding: try Data(contentsOf: URL(fileURLWithPath: errPath)), as: UTF8.self)
        let name = URL(fileURLWithPath: executable).lastPathComponent
        return CLIResult(arguments: [name] + arguments, status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Lowercase hex SHA-256 of `text`, computed by /usr/bin/sha256sum (or python3), not by
    /// the code under test.
    static func sha256Hex(_ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.path
        let env = ProcessInfo.processInfo.environment
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") {
            let r = try run("/usr/bin/sha256sum", [], in: dir, environment: env, input: text)
            if r.ok, let hex = r.stdout.split(separator: " ").first { return String(hex) }
        }
        let r = try run("/usr/bin/env", ["python3", "-c",
                                         "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"],
                        in: dir, environment: env, input: text)
        guard r.ok else { throw HarnessError("no sha256sum or python3 to compute a digest: \(r)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A temporary directory with its own configuration file, database, mail root, archive and
/// spool; removed again when the test is done with it.
final class Sandbox {
    let root: String
    var configPath: String { "\(root)/mailroom.toml" }
    var mailRoot: String { "\(root)/mail" }
    var archiveDir: String { "\(root)/archive" }
    var spoolDir: String { "\(root)/spool" }
    var databasePath: String { "\(root)/db/mailroom.sqlite" }

    /// `extra` is appended to the configuration file (more tables or keys).
    init(removedMail: String = "archive", extra: String = "") throws {
        try #require(CLI.binaryExists, "build the binary first: swift build --build-tests (looked for \(CLI.binary))")
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = base.resolvingSymlinksInPath().path
        try writeConfig(removedMail: removedMail, extra: extra)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func writeConfig(removedMail: String = "archive", extra: String = "") throws {
        // Listeners a test does not configure itself are off, so servers of tests that run at
        // the same time never compete for the default ports (2110, 2995, 2143, 2993).
        var off = ""
        if !extra.contains("[pop3]") { off += "[pop3]\npop3_listen = \"\"\npop3s_listen = \"\"\n" }
        if !extra.contains("[imap]") { off += "[imap]\nimap_listen = \"\"\nimaps_listen = \"\"\n" }
        let text = """
            [store.sqlite]
            path = "\(databasePath)"

            [storage]
            mail_root = "\(mailRoot)"
            archive_dir = "\(archiveDir)"
            spool_dir = "\(spoolDir)"
            removed_mail = "\(removedMail)"

            [passwords]
            yescrypt_cost = 1

            \(extra)
            \(off)
            """
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts `mailroom serve` with the sandbox configuration, its log in serve.log, and waits
    /// until 127.0.0.1:`port` accepts connections (`what` names the listener in failures).
    func serve(port: Int, what: String) throws -> Process {
        let log = "\(root)/serve.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: CLI.binary)
        server.arguments = ["serve", "--config", configPath]
        server.currentDirectoryURL = URL(fileURLWithPath: root)
        server.standardOutput = FileHandle.nullDevice
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try server.run()
        let deadline = Date().addingTimeInterval(60)
        while !FetchmailFixture.listening(port) {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try #require(server.isRunning,
                         "mailroom serve exited (status \(server.terminationStatus)) without listening for \(what) on 127.0.0.1:\(port). Its log:\n\(output)")
            try #require(Date() < deadline, "mailroom serve does not answer on 127.0.0.1:\(port) after 60 s; its log:\n\(output)")
            usleep(50_000)
        }
        return server
    }

    /// The environment of every run: this process's, without MAILROOM_CONFIG unless given.
    func environment(config: String? = nil) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MAILROOM_CONFIG"] = config
        return env
    }

    /// `mailroom ARGS --config <sandbox config>`.
    @discardableResult
    func mailroom(_ arguments: String..., input: String? = nil) throws -> CLIResult {
        try CLI.run(CLI.binary, arguments + ["--config", configPath], in: root, environment: environment(), input: input)
    }

    /// `mailroom ARGS` exactly as given (no --config added).
    @discardableResult
    func bare(_ arguments: [String], input: String? = nil) throws -> CLIResult {
        try CLI.run(CLI.binary, arguments, in: root, environment: environment(), input: input)
    }

    /// Runs a vpopmail-named link in `linkDir` with MAILROOM_CONFIG pointing at the sandbox config.
    @discardableResult
    func vpop(_ linkDir: String, _ name: String, _ arguments: String..., input: String? = nil) throws -> CLIResult {
        try CLI.run("\(linkDir)/\(name)", arguments, in: root, environment: environment(config: configPath), input: input)
    }

    /// Writes a file under the sandbox and returns its path.
    func file(_ name: String, _ contents: String) throws -> String {
        let path = "\(root)/\(name)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    func isDirectory(_ path: String) -> Bool {
        var dir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
    }

    /// Every path under `directory`, relative to it, sorted ([] when it does not exist).
    func tree(_ directory: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return [] }
        return e.compactMap { $0 as? String }.sorted()
    }

    /// Entries directly in `directory`, sorted ([] when it does not exist).
    func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// <mail_root>/<shard>/<ascii domain>, with the shard computed independently of mailroom.
    func domainDirectory(_ asciiDomain: String) throws -> String {
        let shard = String(try CLI.sha256Hex(asciiDomain).prefix(2))
        return "\(mailRoot)/\(shard)/\(asciiDomain)"
    }

    /// Every row of every table of the database (read directly, not through the CLI's lists,
    /// so rows no list shows count too), plus the mail and archive trees: to show that a
    /// refused command wrote nothing.
    func snapshot() async throws -> String {
        var parts: [String] = []
        if exists(databasePath) {
            let db = try SQLiteDatabase(path: databasePath)
            do {
                let tables = try await db.read("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", [])
                    .compactMap { $0.string("name") }
                for table in tables {
                    let rows = try await db.read("SELECT * FROM \"\(table)\"", [])
                    parts.append("[\(table)]\n" + rows.map { row in
                        zip(row.columns, row.values).map { "\($0)=\($1)" }.joined(separator: " ")
                    }.sorted().joined(separator: "\n"))
                }
                await db.close()
            } catch {
                await db.close()
                throw error
            }
        } else {
            parts.append("(no database)")
        }
        parts.append("[mail]\n" + tree(mailRoot).joined(separator: "\n"))
        parts.append("[archive]\n" + tree(archiveDir).joined(separator: "\n"))
        return parts.joined(separator: "\n")
    }
}

/// Runs `body` (a command that must be refused) and checks it exits non-zero, says `expected`
/// on stderr and leaves the account store and the mail tree as they were.
func expectRefused(_ sandbox: Sandbox, stderrContains expected: [String],
                   sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> CLIResult) async throws {
    let before = try await sandbox.snapshot()
    let r = try body()
    #expect(r.status != 0, "should have been refused: \(r)", sourceLocation: sourceLocation)
    #expect(!r.stderr.isEmpty, "no message on stderr: \(r)", sourceLocation: sourceLocation)
    for text in expected {
        #expect(r.stderr.contains(text), "stderr should mention '\(text)': \(r)", sourceLocation: sourceLocation)
    }
    let after = try await sandbox.snapshot()
    #expect(before == after, "a refused command changed something: \(r)", sourceLocation: sourceLocation)
}

/// A field of a JSON object as a String / Int / Bool / array.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
    func bool(_ key: String) -> Bool? { self[key] as? Bool }
    func strings(_ key: String) -> [String]? { self[key] as? [String] }
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
}
