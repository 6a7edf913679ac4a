// IMAPProbe — an IMAP client for the Dovecot tests of this target: imap_probe.py beside this
// file, run with Python's imaplib, reports what the server shows as Codable values. The server
// itself is DovecotServer (Tests/MailroomTestSupport/DovecotServer.swift, compiled here through
// the symlink Support/DovecotServer.swift); `server.imap` gives a probe logged in as its user
// that hands the Maildir to Dovecot's mail uid before every command.
//
// Availability: the Dovecot tests here need python3 as well as Dovecot; IMAPProbe.isAvailable
// and IMAPProbe.shouldRun say so (MAILROOM_REQUIRE_DOVECOT=1 makes them run and fail when
// something is missing).

import MailroomTestSupport
import Foundation

extension DovecotServer {
    /// An IMAP client logged in as this server's user. Before each command the Maildir tree is
    /// handed to the mail uid again (see handOver()).
    var imap: IMAPProbe {
        let root = maildirRoot, uid = mailUID, gid = mailGID, asRoot = runsAsRoot
        return IMAPProbe(host: host, port: port, user: user, password: password, beforeEachCommand: {
            if asRoot { try DovecotServer.handOver(root, uid: uid, gid: gid) }
        })
    }
}

extension IMAPProbe {
    /// Dovecot and python3 (for the probe) are installed.
    static var isAvailable: Bool { DovecotServer.isAvailable && pythonPath != nil }

    /// Whether the Dovecot tests of this target should run: everything is there, or it is
    /// required (and then they fail).
    static var shouldRun: Bool { isAvailable || DovecotServer.isRequired }
}

/// A folder as LIST shows it. `name` is decoded (Unicode, with the server's separator); `raw` is
/// what went over the wire (modified UTF-7).
struct IMAPFolder: Codable, Sendable, Equatable {
    var name: String
    var raw: String
    var delimiter: String?
    var attributes: [String]
    var subscribed: Bool
}

/// A message as FETCH shows it. `flags` are the system flags and keywords, without \Recent.
struct IMAPMessage: Codable, Sendable, Equatable {
    var uid: UInt32
    var flags: [String]
    var recent: Bool
    /// RFC822.SIZE: the size with CRLF line ends.
    var size: Int
    /// INTERNALDATE, Unix seconds.
    var internalDate: Int
    /// SHA-256 (lowercase hex) of BODY.PEEK[], the message as the server sends it.
    var sha256: String

    var keywords: Set<String> { Set(flags.filter { !$0.hasPrefix("\\") }) }
    var systemFlags: Set<String> { Set(flags.filter { $0.hasPrefix("\\") }) }
    var flagSet: Set<String> { Set(flags) }
}

/// A folder after EXAMINE (or SELECT) and a FETCH of every message.
struct IMAPMailbox: Codable, Sendable, Equatable {
    var name: String
    var readWrite: Bool
    var exists: Int?
    var uidValidity: UInt32?
    var uidNext: UInt32?
    /// The FLAGS response: system flags and every keyword the folder knows.
    var flags: [String]?
    var permanentFlags: [String]?
    var messages: [IMAPMessage]

    func message(uid: UInt32) -> IMAPMessage? { messages.first { $0.uid == uid } }
}

struct IMAPAppendResult: Codable, Sendable, Equatable {
    var uid: UInt32
    var uidValidity: UInt32
    var createdFolder: Bool
}

struct IMAPMessageFlags: Codable, Sendable, Equatable {
    var uid: UInt32
    var flags: [String]
    var recent: Bool
    var flagSet: Set<String> { Set(flags) }
}

struct IMAPExpungeResult: Codable, Sendable, Equatable {
    var expunged: [UInt32]
    var remaining: [UInt32]
}

enum IMAPStoreMode: String, Sendable {
    case replace = "FLAGS", add = "+FLAGS", remove = "-FLAGS"
}

/// The server answered NO or BAD, or the session failed. `message` has the server's words.
struct IMAPProbeError: Error, CustomStringConvertible {
    let message: String
    var description: String { "IMAP: \(message)" }
}

/// One IMAP session per call, run by imap_probe.py (beside this file) with Python's imaplib.
/// Folder names are Unicode with the server's hierarchy separator; the probe encodes them.
struct IMAPProbe: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String
    var beforeEachCommand: (@Sendable () throws -> Void)? = nil

    static let scriptPath: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("imap_probe.py").path

    static var pythonPath: String? {
        let fm = FileManager.default
        if fm.isExecutableFile(atPath: "/usr/bin/python3") { return "/usr/bin/python3" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/python3"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func capabilities() throws -> [String] {
        struct Result: Decodable { var capabilities: [String] }
        return try run(["capabilities"], as: Result.self).capabilities
    }

    func listFolders() throws -> [IMAPFolder] {
        try run(["list"], as: [IMAPFolder].self)
    }

    /// EXAMINE (read-only: Dovecot leaves new/ alone) or SELECT, then every message.
    func select(_ folder: String = "INBOX", readWrite: Bool = false) throws -> IMAPMailbox {
        try run(["select", folder] + (readWrite ? ["--read-write"] : []), as: IMAPMailbox.self)
    }

    /// The message as the server sends it (BODY.PEEK[]).
    func body(_ folder: String = "INBOX", uid: UInt32) throws -> [UInt8] {
        struct Result: Decodable { var base64: String }
        let result = try run(["body", folder, "\(uid)"], as: Result.self)
        guard let data = Data(base64Encoded: result.base64) else { throw IMAPProbeError(message: "bad base64 from probe") }
        return [UInt8](data)
    }

    /// APPEND, creating the folder first when it is missing.
    @discardableResult
    func append(_ message: [UInt8], to folder: String = "INBOX", flags: [String] = [],
                internalDate: Date? = nil) throws -> IMAPAppendResult {
        let file = NSTemporaryDirectory() + "mailroom-imap-append-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: file, contents: Data(message)) else {
            throw IMAPProbeError(message: "cannot write \(file)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        var arguments = ["append", folder, "--file", file]
        for flag in flags { arguments.append("--flag=\(flag)") }
        if let internalDate { arguments += ["--date", "\(Int(internalDate.timeIntervalSince1970))"] }
        return try run(arguments, as: IMAPAppendResult.self)
    }

    /// UID STORE uids (an IMAP sequence set such as "1,3:5") FLAGS/+FLAGS/-FLAGS; returns the
    /// messages' flags afterwards.
    @discardableResult
    func store(_ folder: String = "INBOX", uids: String, _ mode: IMAPStoreMode, flags: [String]) throws -> [IMAPMessageFlags] {
        var arguments = ["store", folder, uids, "--mode=\(mode.rawValue)"]
        for flag in flags { arguments.append("--flag=\(flag)") }
        return try run(arguments, as: [IMAPMessageFlags].self)
    }

    /// EXPUNGE (every \Deleted message), or UID EXPUNGE uids (only those of them that are \Deleted).
    @discardableResult
    func expunge(_ folder: String = "INBOX", uids: String? = nil) throws -> IMAPExpungeResult {
        try run(["expunge", folder] + (uids.map { ["--uids", $0] } ?? []), as: IMAPExpungeResult.self)
    }

    func createFolder(_ name: String) throws { try simple("create", name) }
    func deleteFolder(_ name: String) throws { try simple("delete", name) }
    func subscribe(_ name: String) throws { try simple("subscribe", name) }

    private func simple(_ verb: String, _ name: String) throws {
        struct Result: Decodable { var ok: Bool }
        _ = try run([verb, name], as: Result.self)
    }

    func run<T: Decodable>(_ command: [String], as type: T.Type) throws -> T {
        try beforeEachCommand?()
        guard let python = IMAPProbe.pythonPath else { throw IMAPProbeError(message: "python3 is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [IMAPProbe.scriptPath, "--host", host, "--port", "\(port)", "--user", user,
                             "--password", password] + command
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONIOENCODING"] = "utf-8"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read stderr on the side so neither pipe fills while the other is drained.
        let errBox = LockedData()
        let errThread = Thread { errBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = errBox.waitAndGet()
        let text = String(decoding: output, as: UTF8.self)
        if process.terminationStatus == 2, let failure = try? JSONDecoder().decode([String: String].self, from: output),
           let message = failure["error"] {
            throw IMAPProbeError(message: message)
        }
        guard process.terminationStatus == 0 else {
            throw IMAPProbeError(message: "imap_probe.py \(command.joined(separator: " ")) exited \(process.terminationStatus): "
                + "\(text)\(String(decoding: errors, as: UTF8.self))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: output)
        } catch {
            throw IMAPProbeError(message: "cannot decode probe output for \(command.first ?? ""): \(error)\n\(text)")
        }
    }
}

/// Data handed from a reader thread, waited for with a semaphore.
private final class LockedData: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)
    func set(_ value: Data) {
        data = value
        done.signal()
    }
    func waitAndGet() -> Data {
        done.wait()
        return data
    }
}
