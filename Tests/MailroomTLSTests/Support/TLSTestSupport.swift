// Test support for MailroomTLS: scratch directories, and running the openssl command-line tool
// as an independent judge of the certificates we write (x509, verify, pkey, s_client).
//
// openssl is required, not optional: when it is missing the tests fail with a message that
// says how to install it, so a machine without it cannot pass them by skipping.

import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("mailroom-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ text: String, to name: String, mode: Int = 0o600) throws -> String {
        let target = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

struct ToolResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
    var output: String { standardOutput + standardError }
}

enum OpenSSLTool {
    struct Missing: Error, CustomStringConvertible {
        let description = "the openssl command-line tool is not in PATH; these tests need it (Debian: apt-get install openssl)"
    }

    /// The openssl executable, or an error (and a recorded issue) when there is none.
    static func path() throws -> String {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/openssl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        Issue.record(Comment(rawValue: Missing().description))
        throw Missing()
    }

    /// Runs `openssl arguments…` with `input` on standard input; kills it after `timeout` seconds.
    static func run(_ arguments: [String], input: String = "", timeout: TimeInterval = 30) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path())
        process.arguments = arguments
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        _ = FileManager.default.createFile(atPath: scratch.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.file("err"), contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("out")))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.file("err")))
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("openssl \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ToolResult(status: process.terminationStatus,
                          standardOutput: try String(contentsOfFile: scratch.file("out"), encoding: .utf8),
                          standardError: try String(contentsOfFile: scratch.file("err"), encoding: .utf8))
    }

    /// Runs openssl and records an issue unless it exits 0.
    @discardableResult
    static func succeed(_ arguments: [String], input: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws -> ToolResult {
        let result = try run(arguments, input: input)
        #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")) failed:\n\(result.output)", sourceLocation: sourceLocation)
        return result
    }
}
