// Privileges — `mailroom serve` started as root becomes server.user (and server.group) before
// it opens the store, the spool or any mailbox, so every file it makes is that user's and a
// flaw in a protocol session cannot act as root. Admin commands run by root do the same (as
// vpopmail's commands become the vpopmail user), so what they create is the server's too. It keeps one capability, CAP_NET_BIND_SERVICE,
// so the listeners can still bind ports 25, 465, 587, 110, 995, 143 and 993 afterwards — what
// systemd's AmbientCapabilities= gives a service started unprivileged, and the order Dovecot
// and Postfix follow in spirit (bind as root, work as the mail owner).
//
// When: first thing in the executable, while the process has one thread. Credentials belong to
// threads in Linux; glibc makes setuid apply to every thread by signalling each one, and in a
// Swift process with the concurrency runtime and NIO's threads running that broadcast was
// seen to hang and leave the main thread root — so it is not relied on.
// Order (capabilities(7)): PR_SET_KEEPCAPS so setuid keeps the permitted set, setgroups to the
// one group, setgid, setuid (real, effective and saved: there is no way back), then capset
// leaves CAP_NET_BIND_SERVICE alone in the effective and permitted sets, and KEEPCAPS is
// cleared. Each step is checked; any failure stops `serve` with the step named.
// Directories the configuration names (mail root, spool, archive, the SQLite file's folder,
// the self-signed certificate folder) that do not exist yet are created first and given to the
// user; existing ones are left as they are (an administrator chowns them once).

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailroomConfig

@_silgen_name("prctl")
private func prctl5(_ option: Int32, _ a2: UInt, _ a3: UInt, _ a4: UInt, _ a5: UInt) -> Int32

@_silgen_name("capset")
private func capset(_ header: UnsafeMutableRawPointer, _ data: UnsafeMutableRawPointer) -> Int32

public enum Privileges {
    /// Commands that keep the caller's rights: they write nothing the server owns
    /// (`install-links` writes into a system directory such as /usr/local/bin).
    static let callerCommands: Set<String> = ["install-links", "config", "help", "--help", "-h", "--version"]

    /// Started as root with server.user configured, `mailroom serve` and every admin command
    /// (`mailroom user add`, `vadduser`, `mailroom deliver` …) become that user now — call it
    /// before any thread starts — so a database, WAL file, Maildir or spool file they create is
    /// the server's, never root's (a root-owned SQLite WAL would lock the server out). Prints
    /// the problem and exits 1 when the account cannot be taken. Does nothing otherwise.
    public static func adopt(_ arguments: [String]) {
        guard geteuid() == 0 else { return }
        let invoked = URL(fileURLWithPath: arguments.first ?? "mailroom").lastPathComponent
        let rest = Array(arguments.dropFirst())
        let vpopmail = Vpopmail.commands[invoked] != nil
        let command = vpopmail ? invoked : rest.first ?? ""
        guard vpopmail || (!command.isEmpty && !callerCommands.contains(command)) else { return }
        let configPath: String?
        if command == "serve" {
            // A command line `serve` itself would refuse is left to it, with its own message.
            guard let serve = try? ServeCommand.parse(Array(rest.dropFirst())) else { return }
            configPath = serve.config
        } else {
            configPath = option("--config", in: rest) ?? ProcessInfo.processInfo.environment["MAILROOM_CONFIG"]
        }
        // A configuration that does not load is left to the command, which reports it its own
        // way (`mailroom deliver` exits 75 so the calling MTA retries).
        guard let configuration = try? StoreContext.loadConfig(configPath) else { return }
        do {
            guard let account = try account(configuration.server) else { return }
            var directories = [configuration.storage.mailRoot, configuration.storage.spoolDir]
            if configuration.storage.removedMail == "archive" { directories.append(configuration.storage.archiveDir) }
            if configuration.tls.certificateFile.isEmpty { directories.append(configuration.tls.selfSignedDir) }
            if configuration.store.backend == "sqlite" {
                let path = configuration.store.sqlite.path
                directories.append(path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".")
            }
            try prepare(directories, for: account)
            try become(account)
        } catch {
            let name = vpopmail ? invoked : "\(invoked) \(command)"
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            // `mailroom deliver` reports a temporary failure, so the calling MTA retries.
            let qmail = option("--exit-codes", in: rest) == "qmail"
            exit(command != "deliver" ? 1 : qmail ? SysExit.qmailTemporary : SysExit.temporaryFailure.rawValue)
        }
    }

    /// The value of `--name VALUE` or `--name=VALUE` among `arguments`, if any.
    static func option(_ name: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// The account the server runs as.
    struct Account: Equatable {
        var name: String
        var uid: uid_t
        var gid: gid_t
    }

    static let capNetBindService: UInt32 = 10
    static let prSetKeepCaps: Int32 = 8
    static let linuxCapabilityVersion3: UInt32 = 0x2008_0522

    /// The configured account, or nil when server.user is empty.
    static func account(_ server: MailroomConfig.ServerConfig) throws(CLIError) -> Account? {
        guard !server.user.isEmpty else {
            if !server.group.isEmpty { throw CLIError("server.group is set but server.user is empty") }
            return nil
        }
        guard let pw = getpwnam(server.user) else { throw CLIError("server.user: no user '\(server.user)' on this machine") }
        guard pw.pointee.pw_uid != 0 else { throw CLIError("server.user: '\(server.user)' is root; name an unprivileged user") }
        var gid = pw.pointee.pw_gid
        if !server.group.isEmpty {
            guard let gr = getgrnam(server.group) else { throw CLIError("server.group: no group '\(server.group)' on this machine") }
            gid = gr.pointee.gr_gid
        }
        return Account(name: server.user, uid: pw.pointee.pw_uid, gid: gid)
    }

    /// Creates the missing directories among `paths` (and their missing parents), owned by
    /// `account`, mode 0700.
    static func prepare(_ paths: [String], for account: Account) throws(CLIError) {
        for path in paths where !path.isEmpty {
            var prefix = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") where component != "." {
                prefix += "/\(component)"
                var st = stat()
                if stat(prefix, &st) == 0 { continue }
                guard mkdir(prefix, 0o700) == 0 || errno == EEXIST else {
                    throw CLIError("cannot create \(prefix): \(String(cString: strerror(errno)))")
                }
                guard chown(prefix, account.uid, account.gid) == 0 else {
                    throw CLIError("cannot give \(prefix) to \(account.name): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// Becomes `account` for good, keeping only CAP_NET_BIND_SERVICE.
    static func become(_ account: Account) throws(CLIError) {
        func check(_ result: Int32, _ step: String) throws(CLIError) {
            guard result == 0 else { throw CLIError("cannot become \(account.name): \(step): \(String(cString: strerror(errno)))") }
        }
        try check(prctl5(prSetKeepCaps, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
        var groups = [account.gid]
        try check(setgroups(1, &groups), "setgroups")
        try check(setgid(account.gid), "setgid")
        try check(setuid(account.uid), "setuid")
        // struct __user_cap_header_struct { u32 version; int pid; } and two
        // struct __user_cap_data_struct { u32 effective, permitted, inheritable; }.
        var header: [UInt32] = [linuxCapabilityVersion3, 0]
        let bit = UInt32(1) << capNetBindService
        var data: [UInt32] = [bit, bit, 0, 0, 0, 0]
        let set = header.withUnsafeMutableBytes { h in data.withUnsafeMutableBytes { d in capset(h.baseAddress!, d.baseAddress!) } }
        try check(set, "capset(CAP_NET_BIND_SERVICE)")
        try check(prctl5(prSetKeepCaps, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS, 0)")
        guard getuid() == account.uid, geteuid() == account.uid, getgid() == account.gid, setuid(0) != 0 else {
            throw CLIError("cannot become \(account.name): the process could still regain root")
        }
    }
}
