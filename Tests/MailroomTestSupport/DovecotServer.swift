// DovecotServer — a real Dovecot IMAP server (Debian's dovecot-core + dovecot-imapd) for tests,
// shared by the test targets that need one: MailroomMaildirTests (interoperability of the Maildir
// engine with Dovecot; its IMAPProbe client lives there) and MailroomConformanceTests (the
// imaptest and James MPT script runners validated against Dovecot).
//
// Each DovecotServer is its own Dovecot instance: `dovecot -F -c <config>` as a child process,
// listening only on 127.0.0.1 on a free port, with base_dir, state_dir, the log, the passwd-file
// and the user's home in a fresh temporary directory, so parallel tests and parallel runs never
// meet, and the system's Dovecot (its service, /etc/dovecot, /run/dovecot, /var/lib/dovecot) is
// never used or touched. One user, passwd-file passdb with a {PLAIN} password, static userdb,
// serving a Maildir the test prepares. `extraConfig` appends settings (for example
// `mailbox_list_index = yes`) to the generated configuration.
//
// Dovecot never accesses mail as root (mail processes refuse uid 0, whatever first_valid_uid
// says), so when the tests run as root (CI does) the mail processes run as `nobody` and the
// Maildir tree is chowned to nobody:nogroup at start and whenever the test calls `handOver()`
// (IMAPProbe does before every command), so files that Mailroom (or the test) writes as root
// while the server runs are readable by Dovecot. Directories above the tree that `nobody` could
// not pass through get o+x, but only inside the temporary directory; anywhere else start()
// throws instead. Run as another user, the mail processes run as that user and nothing is
// chowned.
//
// Dovecot is started with posix_spawn (ChildProcess), not Foundation's Process: it must not
// inherit the test thread's blocked signals. stop() (also run by deinit) ends it by its pid and
// process group and removes the instance directory; MAILROOM_KEEP_DOVECOT=1 keeps that directory
// (config, dovecot.log) for a look.
//
// Availability: when dovecot or its imap binaries are missing the Dovecot tests are left out,
// unless MAILROOM_REQUIRE_DOVECOT=1 (set by scripts/test and so CI), in which case they run and
// fail. (MailroomMaildirTests also needs python3 for IMAPProbe; see IMAPProbe.isAvailable.)
//
// XXX: MailroomMaildirTests compiles this same file through the symlink
// Tests/MailroomMaildirTests/Support/DovecotServer.swift, because Package.swift does not list
// MailroomTestSupport among that target's dependencies; once it does, the symlink goes and those
// tests `import MailroomTestSupport`.
//
// Security: test-only. The configuration is self-contained (nothing from /etc/dovecot), plain
// text authentication on loopback only, with a disposable password.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct DovecotHarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public final class DovecotServer: @unchecked Sendable {
    public static let dovecotBinary = "/usr/sbin/dovecot"
    public static let imapBinary = "/usr/lib/dovecot/imap"
    public static let imapLoginBinary = "/usr/lib/dovecot/imap-login"

    /// dovecot and its IMAP binaries are installed.
    public static var isAvailable: Bool {
        let fm = FileManager.default
        return fm.isExecutableFile(atPath: dovecotBinary) && fm.isExecutableFile(atPath: imapBinary)
            && fm.isExecutableFile(atPath: imapLoginBinary)
    }

    /// MAILROOM_REQUIRE_DOVECOT=1: a missing Dovecot is a failure, not a reason to skip.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["MAILROOM_REQUIRE_DOVECOT"] == "1" }

    /// Whether Dovecot tests should run: Dovecot is there, or it is required (and then start() fails).
    public static var shouldRun: Bool { isAvailable || isRequired }

    public let host = "127.0.0.1"
    public let port: Int
    public let user: String
    public let password: String
    /// The Maildir served as the user's INBOX (Maildir++ layout: folders are `.Name` inside).
    public let maildirRoot: String
    public let indexInMemory: Bool
    /// The instance's private directory: config, log, base_dir, state_dir, home.
    public let directory: String
    public let configPath: String
    public let logPath: String
    /// The uid and gid Dovecot's mail processes use to read and write the Maildir.
    public let mailUID: uid_t
    public let mailGID: gid_t

    private let process: ChildProcess
    private let lock = NSLock()
    private var stopped = false

    /// Starts Dovecot serving `maildirRoot` (created with cur/new/tmp if missing) for one user.
    /// `indexInMemory: true` (`:INDEX=MEMORY`) keeps no index files, so every session reads
    /// dovecot-uidlist, dovecot-keywords and the file names afresh; `false` keeps Dovecot's
    /// usual index files (dovecot.index*) inside the Maildir, as a production server does.
    /// `separator` sets the IMAP hierarchy separator (Dovecot's default with Maildir++ is ".");
    /// on disk Maildir++ folders are always `.A.B`.
    public static func start(maildirRoot: String, user: String = "test", password: String = "secret",
                             indexInMemory: Bool = true, separator: String? = nil,
                             extraConfig: [String] = []) throws -> DovecotServer {
        guard isAvailable else {
            throw DovecotHarnessError("Dovecot is not installed (need \(dovecotBinary), \(imapBinary), \(imapLoginBinary)): "
                + "apt-get install dovecot-core dovecot-imapd")
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
                                  indexInMemory: indexInMemory, separator: separator, extraConfig: extraConfig,
                                  identity: identity)
            } catch let error as PortInUse {
                lastError = error
                try? fm.removeItem(atPath: directory)
            }
        }
        throw DovecotHarnessError("Dovecot could not get a free port: \(lastError.map { "\($0)" } ?? "")")
    }

    private struct PortInUse: Error, CustomStringConvertible { let description: String }

    private static func launch(directory: String, maildirRoot: String, user: String, password: String,
                               indexInMemory: Bool, separator: String?, extraConfig: [String],
                               identity: MailIdentity) throws -> DovecotServer {
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
                                          indexInMemory: indexInMemory, separator: separator, extraConfig: extraConfig,
                                          identity: identity)
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

    /// Whether the tests run as root (and so the Maildir is handed to `nobody`).
    public let runsAsRoot: Bool

    deinit { stop() }

    /// The process id of Dovecot's master process.
    public var pid: pid_t { process.pid }

    public var isRunning: Bool { process.isRunning }

    /// Everything Dovecot logged so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Logged lines of Error, Fatal or Panic level (a clean run has none).
    public var logErrors: [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains(": Error: ") || $0.contains(": Fatal: ") || $0.contains(": Panic: ")
        }
    }

    /// Gives the Maildir tree to the mail uid (when running as root), so files written since
    /// start are readable and writable by Dovecot. (IMAPProbe does this before every command.)
    public func handOver() throws {
        if runsAsRoot { try DovecotServer.handOver(maildirRoot, uid: mailUID, gid: mailGID) }
    }

    /// Stops Dovecot (SIGTERM, then SIGKILL after 10 s), waits for it, and removes the instance's
    /// directory (set MAILROOM_KEEP_DOVECOT=1 to keep it for a look). The Maildir stays.
    public func stop() {
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
                       separator: String?, extraConfig: [String] = [], identity: MailIdentity) -> String {
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
        lines += extraConfig
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
    public static func handOver(_ maildirRoot: String, uid: uid_t, gid: gid_t) throws {
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

    public static func chownTree(_ root: String, uid: uid_t, gid: gid_t) throws {
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
    public static func freeLoopbackPort() throws -> Int {
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
    public static func readGreeting(port: Int, timeoutSeconds: Int = 2) -> String? {
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

/// A child process started with posix_spawn, with every signal unblocked and at its default.
/// Foundation's Process passes on the spawning thread's signal mask, and test threads block
/// nearly everything: a Dovecot started that way ignores SIGTERM and never reaps its children
/// (SIGCHLD blocked), so its process limits fill up. Its own process group, so stop() can end
/// the whole tree.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    private init(pid: pid_t) { self.pid = pid }

    public static func spawn(_ path: String, _ arguments: [String], output: String) throws -> ChildProcess {
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
    public var waitStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if status == nil {
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { status = reaped == pid ? raw : -1 }
        }
        return status
    }

    public var isRunning: Bool { waitStatus == nil }
}
