// Test support: a real Dovecot IMAP server (Debian's dovecot-core + dovecot-imapd) serving a
// Maildir that the test prepares, and IMAPProbe, an IMAP client (imap_probe.py beside this file,
// Python's imaplib) that reports what the server shows as Codable values.
//
// Each DovecotServer is its own Dovecot instance: `dovecot -F -c <config>` as a child process,
// listening only on 127.0.0.1 on a free port, with base_dir, state_dir, the log, the passwd-file
// and the user's home in a fresh temporary directory, so parallel tests and parallel runs never
// meet, and the system's Dovecot (its service, /etc/dovecot, /run/dovecot, /var/lib/dovecot) is
// never used or touched. One user, passwd-file passdb with a {PLAIN} password, static userdb.
//
// Dovecot never accesses mail as root (mail processes refuse uid 0, whatever first_valid_uid
// says), so when the tests run as root (CI does) the mail processes run as `nobody` and the
// Maildir tree is chowned to nobody:nogroup at start and again before every probe command
// (`handOver()`), so files that Mailroom (or the test) writes as root while the server runs are
// readable by Dovecot. Directories above the tree that `nobody` could not pass through get o+x,
// but only inside the temporary directory; anywhere else start() throws instead. Run as another
// user, the mail processes run as that user and nothing is chowned.
//
// Dovecot is started with posix_spawn (ChildProcess), not Foundation's Process: it must not
// inherit the test thread's blocked signals. stop() (also run by deinit) ends it by its pid and
// process group and removes the instance directory; MAILROOM_KEEP_DOVECOT=1 keeps that directory
// (config, dovecot.log) for a look.
//
// Availability: when dovecot, its imap binaries or python3 are missing the Dovecot tests are
// left out, unless MAILROOM_REQUIRE_DOVECOT=1 (set by scripts/test and so CI), in which case they
// run and fail.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct DovecotHarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

final class DovecotServer: @unchecked Sendable {
    static let dovecotBinary = "/usr/sbin/dovecot"
    static let imapBinary = "/usr/lib/dovecot/imap"
    static let imapLoginBinary = "/usr/lib/dovecot/imap-login"

    /// dovecot, its IMAP binaries and python3 (for IMAPProbe) are installed.
    static var isAvailable: Bool {
        let fm = FileManager.default
        return fm.isExecutableFile(atPath: dovecotBinary) && fm.isExecutableFile(atPath: imapBinary)
            && fm.isExecutableFile(atPath: imapLoginBinary) && IMAPProbe.pythonPath != nil
    }

    /// MAILROOM_REQUIRE_DOVECOT=1: a missing Dovecot is a failure, not a reason to skip.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["MAILROOM_REQUIRE_DOVECOT"] == "1" }

    /// Whether Dovecot tests should run: Dovecot is there, or it is required (and then start() fails).
    static var shouldRun: Bool { isAvailable || isRequired }

    let host = "127.0.0.1"
    let port: Int
    let user: String
    let password: String
    /// The Maildir served as the user's INBOX (Maildir++ layout: folders are `.Name` inside).
    let maildirRoot: String
    let indexInMemory: Bool
    /// The instance's private directory: config, log, base_dir, state_dir, home.
    let directory: String
    let configPath: String
    let logPath: String
    /// The uid and gid Dovecot's mail processes use to read and write the Maildir.
    let mailUID: uid_t
    let mailGID: gid_t

    private let process: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    /// Starts Dovecot serving `maildirRoot` (created with cur/new/tmp if missing) for one user.
    /// `indexInMemory: true` (`:INDEX=MEMORY`) keeps no index files, so every session reads
    /// dovecot-uidlist, dovecot-keywords and the file names afresh; `false` keeps Dovecot's
    /// usual index files (dovecot.index*) inside the Maildir, as a production server does.
    /// `separator` sets the IMAP hierarchy separator (Dovecot's default with Maildir++ is ".");
    /// on disk Maildir++ folders are always `.A.B`.
    static func start(maildirRoot: String, user: String = "test", password: String = "secret",
                      indexInMemory: Bool = true, separator: String? = nil) throws -> DovecotServer {
        guard isAvailable else {
            throw DovecotHarnessError("Dovecot is not installed (need \(dovecotBinary), \(imapBinary), \(imapLoginBinary) "
                + "and python3): apt-get install dovecot-core dovecot-imapd python3")
        }
        if maildirRoot.contains(where: { ":%\"\\\n\t ".contains($0) }) {
            throw DovecotHarnessError("maildir root \(maildirRoot) has a character Dovecot's mail_location cannot take")
        }
        for (what, value) in [("user", user), ("password", password)]
        where value.isEmpty || value.contains(where: { ":\"\\\n\t #{}".contains($0) }) {
            throw DovecotHarnessError("\(what) must be plain text without ':', quotes, spaces or braces")
        }
        if let separator, separator.count != 1 || "\"\\\n ".contains(separator) {
            throw DovecotHarnessError("separator must be one plain character")
        }
        let fm = FileManager.default
        let root = URL(fileURLWithPath: maildirRoot).standardizedFileURL.path
        for sub in ["cur", "new", "tmp"] {
            try fm.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
        }

        let identity = try MailIdentity.current()
        var lastError: (any Error)?
        for _ in 0..<8 {
            let directory = NSTemporaryDirectory() + "mailroom-dovecot-\(UUID().uuidString.prefix(8).lowercased())"
            do {
                return try launch(directory: directory, maildirRoot: root, user: user, password: password,
                                  indexInMemory: indexInMemory, separator: separator, identity: identity)
            } catch let error as PortInUse {
                lastError = error
                try? fm.removeItem(atPath: directory)
            }
        }
        throw DovecotHarnessError("Dovecot could not get a free port: \(lastError.map { "\($0)" } ?? "")")
    }

    private struct PortInUse: Error, CustomStringConvertible { let description: String }

    private static func launch(directory: String, maildirRoot: String, user: String, password: String,
                               indexInMemory: Bool, separator: String?, identity: MailIdentity) throws -> DovecotServer {
        let fm = FileManager.default
        let dirAttributes: [FileAttributeKey: Any] = [.posixPermissions: 0o755]
        for sub in ["", "/run", "/state", "/home"] {
            try fm.createDirectory(atPath: directory + sub, withIntermediateDirectories: true, attributes: dirAttributes)
        }
        let port = try freeLoopbackPort()
        let token = UUID().uuidString.prefix(12).lowercased()
        let passwdPath = "\(directory)/passwd"
        guard fm.createFile(atPath: passwdPath, contents: Data("\(user):{PLAIN}\(password)::::::\n".utf8),
                            attributes: [.posixPermissions: 0o644]) else {
            throw DovecotHarnessError("cannot write \(passwdPath)")
        }
        let config = DovecotServer.config(directory: directory, maildirRoot: maildirRoot, port: port, token: String(token),
                                          indexInMemory: indexInMemory, separator: separator, identity: identity)
        let configPath = "\(directory)/dovecot.conf"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        if identity.isRoot {
            try chownTree("\(directory)/home", uid: identity.uid, gid: identity.gid)
            try handOver(maildirRoot, uid: identity.uid, gid: identity.gid)
        }

        let stderrPath = "\(directory)/dovecot.stderr"
        let process = try ChildProcess.spawn(dovecotBinary, ["-F", "-c", configPath], output: stderrPath)

        let server = DovecotServer(process: process, port: port, user: user, password: password, maildirRoot: maildirRoot,
                                   indexInMemory: indexInMemory, directory: directory, configPath: configPath,
                                   identity: identity)
        // Ready when the master wrote master.pid (after binding its listeners) and the greeting
        // on our port carries this instance's token (so it is not some other server).
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if !process.isRunning {
                let log = server.log + ((try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
                server.markStopped()
                if log.contains("Address already in use") {
                    throw PortInUse(description: "port \(port): \(log)")
                }
                try? fm.removeItem(atPath: directory)
                throw DovecotHarnessError("dovecot exited (wait status \(process.waitStatus ?? -1)) at start:\n\(log)")
            }
            if fm.fileExists(atPath: "\(directory)/run/master.pid"),
               let greeting = readGreeting(port: port), greeting.contains(String(token)) {
                return server
            }
            usleep(50_000)
        }
        let log = server.log
        server.stop()
        throw DovecotHarnessError("Dovecot did not answer on 127.0.0.1:\(port) within 20 s:\n\(log)")
    }

    private init(process: ChildProcess, port: Int, user: String, password: String, maildirRoot: String,
                 indexInMemory: Bool, directory: String, configPath: String, identity: MailIdentity) {
        self.process = process
        self.port = port
        self.user = user
        self.password = password
        self.maildirRoot = maildirRoot
        self.indexInMemory = indexInMemory
        self.directory = directory
        self.configPath = configPath
        self.logPath = "\(directory)/dovecot.log"
        self.mailUID = identity.uid
        self.mailGID = identity.gid
        self.runsAsRoot = identity.isRoot
    }

    private let runsAsRoot: Bool

    deinit { stop() }

    /// The process id of Dovecot's master process.
    var pid: pid_t { process.pid }

    var isRunning: Bool { process.isRunning }

    /// Everything Dovecot logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Logged lines of Error, Fatal or Panic level (a clean run has none).
    var logErrors: [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains(": Error: ") || $0.contains(": Fatal: ") || $0.contains(": Panic: ")
        }
    }

    /// An IMAP client logged in as this server's user. Before each command the Maildir tree is
    /// handed to the mail uid again (see handOver()).
    var imap: IMAPProbe {
        let root = maildirRoot, uid = mailUID, gid = mailGID, asRoot = runsAsRoot
        return IMAPProbe(host: host, port: port, user: user, password: password, beforeEachCommand: {
            if asRoot { try DovecotServer.handOver(root, uid: uid, gid: gid) }
        })
    }

    /// Gives the Maildir tree to the mail uid (when running as root), so files written since
    /// start are readable and writable by Dovecot. IMAPProbe commands do this themselves.
    func handOver() throws {
        if runsAsRoot { try DovecotServer.handOver(maildirRoot, uid: mailUID, gid: mailGID) }
    }

    /// Stops Dovecot (SIGTERM, then SIGKILL after 10 s), waits for it, and removes the instance's
    /// directory (set MAILROOM_KEEP_DOVECOT=1 to keep it for a look). The Maildir stays.
    func stop() {
        guard markStopped() else { return }
        if process.isRunning {
            // The master stops its services at once, but then waits about two seconds for its
            // log process; after a short grace the whole process group (Dovecot runs in its own)
            // gets SIGTERM too, and SIGKILL if it is still there after 10 s.
            kill(process.pid, SIGTERM)
            if !waitForExit(seconds: 0.3) {
                kill(-process.pid, SIGTERM)
                if !waitForExit(seconds: 10) {
                    kill(-process.pid, SIGKILL)
                    while process.isRunning { usleep(10_000) }
                }
            }
        }
        if ProcessInfo.processInfo.environment["MAILROOM_KEEP_DOVECOT"] != "1" {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    private func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    @discardableResult
    private func markStopped() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if stopped { return false }
        stopped = true
        return true
    }

    // MARK: configuration

    static func config(directory: String, maildirRoot: String, port: Int, token: String, indexInMemory: Bool,
                       separator: String?, identity: MailIdentity) -> String {
        var lines = [
            "# Written by Mailroom's DovecotServer test harness: self-contained, nothing from /etc/dovecot.",
            "protocols = imap",
            "listen = 127.0.0.1",
            "base_dir = \(directory)/run",
            "state_dir = \(directory)/state",
            "instance_name = mailroom-test-\(token)",
            "log_path = \(directory)/dovecot.log",
            "info_log_path = \(directory)/dovecot.log",
            "debug_log_path = \(directory)/dovecot.log",
            "login_greeting = Mailroom test Dovecot \(token) ready.",
            "ssl = no",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain login",
            "auth_failure_delay = 0",
            "mail_plugins =",
            "mail_location = maildir:\(maildirRoot)\(indexInMemory ? ":INDEX=MEMORY" : "")",
            "first_valid_uid = \(identity.uid)",
            "last_valid_uid = \(identity.uid)",
            "first_valid_gid = \(identity.gid)",
            "last_valid_gid = \(identity.gid)",
            "default_internal_user = \(identity.internalUser)",
            "default_internal_group = \(identity.internalGroup)",
            "default_login_user = \(identity.loginUser)",
            "passdb {",
            "  driver = passwd-file",
            "  args = scheme=PLAIN \(directory)/passwd",
            "}",
            "userdb {",
            "  driver = static",
            "  args = uid=\(identity.uid) gid=\(identity.gid) home=\(directory)/home",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    address = 127.0.0.1",
            "    port = \(port)",
            "  }",
            "  inet_listener imaps {",
            "    port = 0",
            "  }",
        ]
        if !identity.isRoot { lines.append("  chroot =") }
        lines.append("}")
        if !identity.isRoot {
            // Without root Dovecot cannot chroot or change users (doc: "Running Dovecot as non-root").
            lines += ["service anvil {", "  chroot =", "}", "service imap-urlauth-login {", "  chroot =", "}"]
        }
        if let separator {
            lines += ["namespace inbox {", "  inbox = yes", "  separator = \(separator)", "}"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Who Dovecot's processes run as.
    struct MailIdentity: Sendable {
        var uid: uid_t
        var gid: gid_t
        var isRoot: Bool
        var internalUser: String
        var internalGroup: String
        var loginUser: String

        static func current() throws -> MailIdentity {
            let me = getuid()
            if me != 0 {
                guard let name = userName(me), let group = groupName(getgid()) else {
                    throw DovecotHarnessError("cannot find the name of uid \(me) or gid \(getgid())")
                }
                return MailIdentity(uid: me, gid: getgid(), isRoot: false, internalUser: name, internalGroup: group,
                                    loginUser: name)
            }
            // Root: mail as nobody; Dovecot's own users (from dovecot-core) for its internal and
            // login processes, or nobody where they are missing.
            guard let nobody = getpwnam("nobody") else { throw DovecotHarnessError("no user 'nobody'") }
            let uid = nobody.pointee.pw_uid, gid = nobody.pointee.pw_gid
            let internalUser = getpwnam("dovecot") != nil ? "dovecot" : "nobody"
            let internalGroup: String
            if let g = getpwnam(internalUser).flatMap({ groupName($0.pointee.pw_gid) }) {
                internalGroup = g
            } else {
                internalGroup = groupName(gid) ?? "nogroup"
            }
            let loginUser = getpwnam("dovenull") != nil ? "dovenull" : "nobody"
            return MailIdentity(uid: uid, gid: gid, isRoot: true, internalUser: internalUser, internalGroup: internalGroup,
                                loginUser: loginUser)
        }

        private static func userName(_ uid: uid_t) -> String? {
            getpwuid(uid).map { String(cString: $0.pointee.pw_name) }
        }

        private static func groupName(_ gid: gid_t) -> String? {
            getgrgid(gid).map { String(cString: $0.pointee.gr_name) }
        }
    }

    // MARK: files and ports

    /// chown -R the Maildir to uid:gid, and make sure uid can reach it (o+x on directories above
    /// it that lack it, only inside the temporary directory).
    static func handOver(_ maildirRoot: String, uid: uid_t, gid: gid_t) throws {
        try chownTree(maildirRoot, uid: uid, gid: gid)
        let temp = URL(fileURLWithPath: NSTemporaryDirectory()).standardizedFileURL.path
        var dir = (maildirRoot as NSString).deletingLastPathComponent
        while dir != "/" && !dir.isEmpty {
            var st = stat()
            guard stat(dir, &st) == 0 else { throw DovecotHarnessError("cannot stat \(dir)") }
            let mode = st.st_mode
            let searchable = st.st_uid == uid ? mode & S_IXUSR != 0 : (st.st_gid == gid ? mode & S_IXGRP != 0 : mode & S_IXOTH != 0)
            if !searchable {
                guard dir.hasPrefix(temp + "/") || (temp.hasSuffix("/") && dir.hasPrefix(temp)) else {
                    throw DovecotHarnessError("Dovecot's mail user (uid \(uid)) cannot pass through \(dir); "
                        + "put the test Maildir under \(temp)")
                }
                guard chmod(dir, (mode & 0o7777) | S_IXOTH) == 0 else {
                    throw DovecotHarnessError("cannot chmod o+x \(dir): errno \(errno)")
                }
            }
            dir = (dir as NSString).deletingLastPathComponent
        }
    }

    static func chownTree(_ root: String, uid: uid_t, gid: gid_t) throws {
        guard lchown(root, uid, gid) == 0 else { throw DovecotHarnessError("cannot chown \(root): errno \(errno)") }
        guard let walker = FileManager.default.enumerator(atPath: root) else { return }
        for case let relative as String in walker {
            let path = "\(root)/\(relative)"
            // A file that went away meanwhile (Dovecot renames and expunges) is fine.
            if lchown(path, uid, gid) != 0 && errno != ENOENT {
                throw DovecotHarnessError("cannot chown \(path): errno \(errno)")
            }
        }
    }

    /// A port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DovecotHarnessError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw DovecotHarnessError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw DovecotHarnessError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The first line a server on 127.0.0.1:port sends, or nil when nothing answers.
    static func readGreeting(port: Int, timeoutSeconds: Int = 2) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1024)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, $0.count - received, 0) }
            if n <= 0 { break }
            received += n
            if buffer[..<received].contains(0x0A) { break }
        }
        guard received > 0 else { return nil }
        return String(decoding: buffer[..<received], as: UTF8.self)
    }
}

// MARK: - IMAP client

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

/// A child process started with posix_spawn, with every signal unblocked and at its default.
/// Foundation's Process passes on the spawning thread's signal mask, and test threads block
/// nearly everything: a Dovecot started that way ignores SIGTERM and never reaps its children
/// (SIGCHLD blocked), so its process limits fill up. Its own process group, so stop() can end
/// the whole tree.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t) { self.pid = pid }

    static func spawn(_ path: String, _ arguments: [String], output: String) throws -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal: Int32 in 1..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw DovecotHarnessError("posix_spawn \(path) failed: error \(result)") }
        return ChildProcess(pid: pid)
    }

    /// The wait status once the process has ended (and been reaped), else nil.
    var waitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if status == nil {
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { status = reaped == pid ? raw : -1 }
        }
        return status
    }

    var isRunning: Bool { waitStatus == nil }
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
