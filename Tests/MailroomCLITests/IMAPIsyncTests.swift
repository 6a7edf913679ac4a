// IMAP end to end with Debian's isync (mbsync 1.4) (issue 6): the real `mailroom serve` with
// only its IMAP listener on, on a free 127.0.0.1 port, and mbsync syncing alice@example.com's
// account both ways with a local Maildir (a channel with `Create Both`, `Remove Both`,
// `Expunge Both`, `Sync All`, every folder), with an mbsyncrc written here. mbsync logs in
// with AUTHENTICATE PLAIN over the plain connection (loopback: imap.plaintext_auth_on_loopback)
// and, in the STARTTLS case, after STARTTLS with the server's self-signed certificate as its
// CertificateFile.
//
// What is checked, from both ends: the local Maildir is read from disk (mbsync's files, flags
// in their names per maildir(5)); the server is read over IMAP with Python's imaplib
// (../MailroomServerTests/Support/imap_probe_client.py) and from its Maildir on disk.
// Messages are compared with line ends made LF (mbsync stores LF locally, the server sends
// CRLF) and without the X-TUID field mbsync adds to the messages it copies. Cases, in order on
// one account: server → local (messages and flags); a local flag change → server; a local new
// message → server; a server-side flag change and an expunge → local; a second sync changes
// nothing on either side; folders created on either side appear on the other, with their
// messages; a folder deleted on the server is removed locally (Remove Both).
//
// Also fetchmail in IMAP mode (`proto IMAP`): fetching with keep, then fetching and deleting
// (flagged \Deleted and expunged on the server), then nothing left.
//
// Skipped, with a message, only when mbsync / fetchmail is not installed (scripts/test
// installs isync and fetchmail).

import Foundation
import Testing

@Suite("IMAP: mbsync against mailroom serve", .serialized,
       .enabled(if: IMAPServeFixture.mbsyncInstalled, "mbsync is not installed (Debian package isync; scripts/test installs it)"))
struct IMAPIsyncTests {
    static let messages: [String] = [
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: one\nMessage-ID: <one@else.example>\n\nfirst message\n",
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: two\nMessage-ID: <two@else.example>\n\nsecond\n.\nwith a dot line\n",
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\nMessage-ID: <three@else.example>\n"
            + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße aus Zürich\n",
    ]

    @Test("both ways: server → local with flags, local flags and a new message → server, server expunge → local, second sync a no-op")
    func syncBothWays() throws {
        let f = try IMAPServeFixture()
        let sync = try f.mbsyncConfig()
        let delivered = try f.deliver(Self.messages)
        // Server-side flags before the first sync: one \Seen, one \Flagged.
        let flagged = try f.imap([["login", f.user, f.password], ["select", "INBOX"],
                                  // By subject (SEARCHRES's "$"): UIDs follow the Maildir file names, not the delivery order.
                                  ["cmd", "SEARCH", "RETURN", "(SAVE)", "SUBJECT", "one"], ["cmd", "STORE", "$", "+FLAGS.SILENT", "(\\Seen)"],
                                  ["cmd", "SEARCH", "RETURN", "(SAVE)", "SUBJECT", "two"], ["cmd", "STORE", "$", "+FLAGS.SILENT", "(\\Flagged)"]])
        try #require(f.allOK(flagged), "\(flagged)")

        // 1. server → local.
        let first = try f.mbsync(sync)
        #expect(first.ok, "\(first)")
        var local = f.localMessages("INBOX")
        #expect(local.count == 3, "\(local.keys.sorted())")
        #expect(Set(local.values.map(IMAPServeFixture.comparable)) == Set(delivered.map(IMAPServeFixture.comparable)),
                "the local copies are the server's messages: \(local.keys.sorted())")
        #expect(f.localFlags("INBOX", subject: "one") == "S", "\(local.keys.sorted())")
        #expect(f.localFlags("INBOX", subject: "two") == "F", "\(local.keys.sorted())")
        #expect(f.localFlags("INBOX", subject: "=?UTF-8?Q?gr=C3=BC=C3=9Fe?=") == "", "\(local.keys.sorted())")
        for name in ["Drafts", "Junk", "Sent", "Trash"] {
            #expect(f.sandbox.isDirectory("\(f.localRoot)/\(name)/cur"), "the special-use folder \(name) is created locally")
        }

        // 2. A local flag change (replied and seen on "two", flagged removed) and a new local message → server.
        try f.setLocalFlags("INBOX", subject: "two", "RS")
        let newLocal = "From: Alice <alice@example.com>\nTo: carol@else.example\nSubject: written locally\nMessage-ID: <local@example.com>\n\nhello from the near side\n"
        try f.putLocal("INBOX", newLocal)
        let second = try f.mbsync(sync)
        #expect(second.ok, "\(second)")
        let server = try f.serverMessages("INBOX")
        #expect(server.count == 4, "\(server)")
        #expect(server.first { $0.body.contains("Subject: two") }?.flags.sorted() == ["\\Answered", "\\Seen"], "\(server)")
        #expect(server.first { $0.body.contains("Subject: one") }?.flags == ["\\Seen"], "\(server)")
        let uploaded = server.first { $0.body.contains("Subject: written locally") }
        #expect(uploaded.map { IMAPServeFixture.comparable($0.bodyData) } == IMAPServeFixture.comparable(Data(newLocal.utf8)),
                "the new local message on the server: \(String(describing: uploaded?.body))")
        // The server's Maildir has the flags in the file names too.
        let serverNames = f.serverFileNames("INBOX")
        #expect(serverNames.count == 4 && serverNames.filter { $0.hasSuffix(":2,RS") }.count == 1, "\(serverNames)")

        // 3. Server side: flag "one" \Flagged, expunge "two" → local.
        let changes = try f.imap([["login", f.user, f.password], ["select", "INBOX"],
                                  ["cmd", "UID", "STORE", "\(server.first { $0.body.contains("Subject: one") }?.uid ?? 0)", "+FLAGS.SILENT", "(\\Flagged)"],
                                  ["cmd", "UID", "STORE", "\(server.first { $0.body.contains("Subject: two") }?.uid ?? 0)", "+FLAGS.SILENT", "(\\Deleted)"],
                                  ["cmd", "EXPUNGE"]])
        try #require(f.allOK(changes), "\(changes)")
        let third = try f.mbsync(sync)
        #expect(third.ok, "\(third)")
        local = f.localMessages("INBOX")
        #expect(local.count == 3 && !local.values.contains { String(decoding: $0, as: UTF8.self).contains("Subject: two") },
                "the expunged message is gone locally: \(local.keys.sorted())")
        #expect(f.localFlags("INBOX", subject: "one") == "FS", "\(local.keys.sorted())")

        // 4. Nothing changed: a sync changes nothing on either side.
        let localBefore = f.localTree(), serverBefore = f.serverTree()
        let fourth = try f.mbsync(sync)
        #expect(fourth.ok, "\(fourth)")
        #expect(f.localTree() == localBefore, "the second sync changed the local Maildir")
        #expect(f.serverTree() == serverBefore, "the second sync changed the server's Maildir")
        #expect(try f.serverMessages("INBOX").count == 3)
    }

    @Test("folders: created on either side appear on the other with their messages; deleted on the server, removed locally")
    func folders() throws {
        let f = try IMAPServeFixture()
        let sync = try f.mbsyncConfig()
        // A server folder with a message, a local folder with a message.
        let made = try f.imap([["login", f.user, f.password], ["cmd", "CREATE", "Work.Projects"],
                               ["append", "Work.Projects", "(\\Seen)", NSNull(), Data("From: a@else.example\r\nSubject: project\r\n\r\nplan\r\n".utf8).base64EncodedString()]])
        try #require(f.allOK(made), "\(made)")
        let localMessage = "From: alice@example.com\nSubject: kept locally\n\nin a local folder\n"
        try f.putLocal("Lists", localMessage)
        let first = try f.mbsync(sync)
        #expect(first.ok, "\(first)")
        // "Work.Projects" on the server is Work/Projects locally (SubFolders Verbatim, "." → "/").
        let project = f.localMessages("Work/Projects")
        #expect(project.count == 1 && project.values.first.map { String(decoding: $0, as: UTF8.self).contains("Subject: project") } == true,
                "\(f.localTree())")
        #expect(f.localFlags("Work/Projects", subject: "project") == "S")
        let lists = try f.serverMessages("Lists")
        #expect(lists.count == 1 && lists.first.map { IMAPServeFixture.comparable($0.bodyData) } == IMAPServeFixture.comparable(Data(localMessage.utf8)),
                "\(lists)")
        let listed = try f.imap([["login", f.user, f.password], ["cmd", "LIST", "\"\"", "\"*\""]])
        #expect(listed[1].untagged("LIST").contains("(\\HasNoChildren) \".\" Lists"), "\(listed)")

        // Emptied on the server: emptied locally; then deleted on the server: removed locally
        // (Remove Both; mbsync never removes a folder that still holds messages).
        let emptied = try f.imap([["login", f.user, f.password], ["select", "Work.Projects"],
                                  ["cmd", "STORE", "1:*", "+FLAGS.SILENT", "(\\Deleted)"], ["cmd", "CLOSE"]])
        try #require(f.allOK(emptied), "\(emptied)")
        let second = try f.mbsync(sync)
        #expect(second.ok && f.localMessages("Work/Projects").isEmpty, "\(second)\n\(f.localTree())")
        let deleted = try f.imap([["login", f.user, f.password], ["cmd", "DELETE", "Work.Projects"]])
        try #require(f.allOK(deleted), "\(deleted)")
        let third = try f.mbsync(sync)
        #expect(third.ok, "\(third)")
        #expect(!f.sandbox.exists("\(f.localRoot)/Work/Projects/cur"), "\(third)\n\(f.localTree())")
        let again = try f.mbsync(sync)
        #expect(again.ok && !again.output.contains("Creating"), "\(again)")
    }

    @Test("over STARTTLS with the server's certificate")
    func overSTARTTLS() throws {
        let f = try IMAPServeFixture(plaintextOnLoopback: false)
        let certificate = "\(f.sandbox.root)/tls/selfsigned-cert.pem"
        try #require(f.sandbox.exists(certificate), "the self-signed certificate: \(f.sandbox.tree("\(f.sandbox.root)/tls"))")
        let sync = try f.mbsyncConfig(tls: "SSLType STARTTLS\nCertificateFile \(certificate)")
        let delivered = try f.deliver(Self.messages)
        let run = try f.mbsync(sync)
        #expect(run.ok, "\(run)")
        #expect(Set(f.localMessages("INBOX").values.map(IMAPServeFixture.comparable)) == Set(delivered.map(IMAPServeFixture.comparable)))
        // Without TLS the server does not take the password (LOGINDISABLED): mbsync fails.
        let plain = try f.mbsync(try f.mbsyncConfig(name: "plain"))
        #expect(!plain.ok, "\(plain)")
    }
}

@Suite("IMAP: fetchmail (proto IMAP) against mailroom serve", .serialized,
       .enabled(if: FetchmailFixture.installed, "fetchmail is not installed (Debian package fetchmail; scripts/test installs it)"))
struct IMAPFetchmailTests {
    @Test("keep leaves the messages; without keep fetchmail deletes and expunges them")
    func keepThenDelete() throws {
        let f = try IMAPServeFixture()
        let delivered = try f.deliver(IMAPIsyncTests.messages)
        let keep = try f.fetchmail("keep")
        #expect(keep.status == 0, "\(keep)")
        #expect(Set(keep.messages.map(IMAPServeFixture.comparable)) == Set(delivered.map(IMAPServeFixture.comparable)), "\(keep)")
        #expect(try f.serverMessages("INBOX").count == 3)
        let fetched = try f.fetchmail("fetchall")
        #expect(fetched.status == 0 && fetched.messages.count == 3, "\(fetched)")
        #expect(try f.serverMessages("INBOX").isEmpty, "fetchmail without keep leaves nothing")
        #expect(f.serverFileNames("INBOX").isEmpty, "\(f.serverFileNames("INBOX"))")
        let none = try f.fetchmail("fetchall")
        #expect(none.status == 1 && none.messages.isEmpty, "nothing left (exit 1): \(none)")
    }
}

/// A `mailroom serve` with alice@example.com and IMAP on a free loopback port (every other
/// listener off), and the clients' files beside it.
final class IMAPServeFixture {
    static let mbsync = "/usr/bin/mbsync"
    static var mbsyncInstalled: Bool { FileManager.default.isExecutableFile(atPath: mbsync) }
    static let probe = CLI.packageRoot.appendingPathComponent("Tests/MailroomServerTests/Support/imap_probe_client.py").path

    let sandbox: Sandbox
    let port: Int
    let server: Process
    let user = "alice@example.com"
    let password = "alice-password"
    var localRoot: String { "\(sandbox.root)/local" }
    private var runs = 0

    init(plaintextOnLoopback: Bool = true) throws {
        port = try SMTPCrashTests.freePort()
        sandbox = try Sandbox(extra: """
            [imap]
            imap_listen = "127.0.0.1:\(port)"
            imaps_listen = ""
            failed_login_delay_seconds = 0
            plaintext_auth_on_loopback = \(plaintextOnLoopback)
            [smtp]
            mx_listen = ""
            submission_listen = ""
            submissions_listen = ""
            [tls]
            self_signed_dir = "tls"
            """)
        try #require(sandbox.mailroom("domain", "add", "example.com").ok)
        try #require(sandbox.mailroom("user", "add", user, password).ok)
        try FileManager.default.createDirectory(atPath: "\(sandbox.root)/local", withIntermediateDirectories: true)
        server = try sandbox.serve(port: port, what: "IMAP")
    }

    deinit {
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
    }

    var maildir: String { (try? sandbox.maildir("alice", "example.com")) ?? "" }

    /// The directory of a server folder ("INBOX" or "A.B", Maildir++).
    func serverFolder(_ folder: String) -> String { folder == "INBOX" ? maildir : "\(maildir)/.\(folder)" }

    /// File names in new/ and cur/ of a server folder, sorted.
    func serverFileNames(_ folder: String) -> [String] {
        ["new", "cur"].flatMap { sandbox.entries("\(serverFolder(folder))/\($0)") }.sorted()
    }

    /// Every message file name under the server's Maildir (all folders), for "nothing changed".
    func serverTree() -> [String] {
        sandbox.tree(maildir).filter { $0.contains("/cur/") || $0.contains("/new/") }
    }

    /// Every file under the local Maildir tree but mbsync's own state files.
    func localTree() -> [String] {
        sandbox.tree(localRoot).filter { !$0.hasSuffix(".mbsyncstate") && !$0.contains(".mbsyncstate.") && !$0.hasSuffix(".uidvalidity") }
    }

    /// Delivers `messages` to alice with `mailroom deliver`; returns them as stored.
    func deliver(_ messages: [String]) throws -> [Data] {
        let before = Set(serverFileNames("INBOX"))
        for message in messages {
            let r = try sandbox.deliver(["--to", user, "--from", "bob@else.example"], message: message)
            try #require(r.ok, "\(r)")
        }
        let added = serverFileNames("INBOX").filter { !before.contains($0) }
        try #require(added.count == messages.count, "\(messages.count) deliveries, \(added.count) new files")
        return added.compactMap { name in
            ["new", "cur"].lazy.compactMap { FileManager.default.contents(atPath: "\(self.maildir)/\($0)/\(name)") }.first
        }
    }

    // MARK: imaplib

    struct Answer: CustomStringConvertible {
        let results: [[String: Any]]
        subscript(_ index: Int) -> Step { Step(fields: results[index]) }
        var description: String { results.map { "\($0["typ"] ?? "") \($0["resp"] ?? "") \($0["wire"] ?? "")" }.joined(separator: "\n") }
    }

    struct Step {
        let fields: [String: Any]
        var ok: Bool { fields["ok"] as? Bool == true }
        func untagged(_ name: String) -> [String] {
            ((fields["untagged"] as? [String: Any])?[name] as? [Any] ?? []).compactMap { $0 as? String ?? ($0 as? [Any])?.first as? String }
        }
    }

    /// Runs the server tests' imaplib probe with `steps` against the IMAP listener.
    func imap(_ steps: [[Any]]) throws -> Answer {
        let request = try JSONSerialization.data(withJSONObject: ["port": port, "tls": "none", "steps": steps])
        let r = try CLI.run("/usr/bin/python3", [Self.probe], in: sandbox.root, environment: sandbox.environment(),
                            input: String(decoding: request, as: UTF8.self))
        try #require(r.ok, "\(r)")
        let answer = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return Answer(results: answer?["results"] as? [[String: Any]] ?? [])
    }

    func allOK(_ answer: Answer) -> Bool { answer.results.allSatisfy { $0["ok"] as? Bool == true } }

    struct ServerMessage: CustomStringConvertible {
        let uid: Int
        let flags: [String]
        let bodyData: Data
        var body: String { String(decoding: bodyData, as: UTF8.self) }
        var description: String { "UID \(uid) \(flags): \(body.prefix(120))" }
    }

    /// A server folder's messages over IMAP (EXAMINE, so nothing changes), \Recent left out.
    func serverMessages(_ folder: String) throws -> [ServerMessage] {
        let a = try imap([["login", user, password], ["examine", folder], ["fetch_all", "1:*"]])
        guard a[1].ok else { return [] }
        return (a.results[2]["messages"] as? [[String: Any]] ?? []).map {
            ServerMessage(uid: ($0["uid"] as? NSNumber)?.intValue ?? 0,
                          flags: ($0["flags"] as? [String] ?? []).filter { $0 != "\\Recent" },
                          bodyData: Data(base64Encoded: $0["body"] as? String ?? "") ?? Data())
        }
    }

    // MARK: mbsync

    /// Writes an mbsyncrc syncing every folder of alice's account with the local Maildir.
    func mbsyncConfig(tls: String = "SSLType None", name: String = "mbsyncrc") throws -> String {
        let rc = try sandbox.file(name, """
            IMAPAccount mailroom
            Host 127.0.0.1
            Port \(port)
            User \(user)
            Pass \(password)
            \(tls)
            AuthMechs PLAIN
            Timeout 30

            IMAPStore remote
            Account mailroom

            MaildirStore local
            Path \(localRoot)/
            Inbox \(localRoot)/INBOX
            SubFolders Verbatim

            Channel sync
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Remove Both
            Expunge Both
            SyncState *
            Sync All

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        return rc
    }

    /// One `mbsync -a` run (verbose, its output in the result).
    func mbsync(_ rc: String) throws -> CLIResult {
        var environment = sandbox.environment()
        environment["HOME"] = sandbox.root
        return try CLI.run(Self.mbsync, ["-c", rc, "-V", "-a"], in: sandbox.root, environment: environment)
    }

    /// Local Maildir folder path ("INBOX", "Work/Projects").
    func localFolder(_ folder: String) -> String { "\(localRoot)/\(folder)" }

    /// File name → bytes of a local folder's messages.
    func localMessages(_ folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for sub in ["new", "cur"] {
            for name in sandbox.entries("\(localFolder(folder))/\(sub)") {
                files["\(sub)/\(name)"] = FileManager.default.contents(atPath: "\(localFolder(folder))/\(sub)/\(name)")
            }
        }
        return files
    }

    /// The local file (new/… or cur/…) of the message with `subject`.
    func localFile(_ folder: String, subject: String) -> String? {
        localMessages(folder).first { String(decoding: $0.value, as: UTF8.self).contains("\nSubject: \(subject)\n") }?.key
    }

    /// The maildir(5) flag letters of the local message with `subject` (nil when missing).
    func localFlags(_ folder: String, subject: String) -> String? {
        guard let file = localFile(folder, subject: subject) else { return nil }
        guard let range = file.range(of: ":2,") else { return "" }
        return String(file[range.upperBound...])
    }

    /// Gives the local message with `subject` exactly the flags `letters`, as a mail reader would
    /// (renamed into cur/ with a new info part).
    func setLocalFlags(_ folder: String, subject: String, _ letters: String) throws {
        let file = try #require(localFile(folder, subject: subject), "no local message \(subject)")
        let base = URL(fileURLWithPath: file).lastPathComponent.components(separatedBy: ":2,")[0]
        try FileManager.default.moveItem(atPath: "\(localFolder(folder))/\(file)", toPath: "\(localFolder(folder))/cur/\(base):2,\(letters)")
    }

    /// Puts a new message into a local folder (creating it as a Maildir), as a mail reader would.
    func putLocal(_ folder: String, _ message: String) throws {
        for sub in ["tmp", "new", "cur"] {
            try FileManager.default.createDirectory(atPath: "\(localFolder(folder))/\(sub)", withIntermediateDirectories: true)
        }
        runs += 1
        let name = "\(Int(Date().timeIntervalSince1970)).M\(runs)P\(getpid()).client"
        try Data(message.utf8).write(to: URL(fileURLWithPath: "\(localFolder(folder))/tmp/\(name)"))
        try FileManager.default.moveItem(atPath: "\(localFolder(folder))/tmp/\(name)", toPath: "\(localFolder(folder))/new/\(name)")
    }

    /// A message as compared across the two sides: line ends LF, without mbsync's X-TUID field.
    static func comparable(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("X-TUID: ") }.joined(separator: "\n")
    }

    // MARK: fetchmail

    struct FetchRun: CustomStringConvertible {
        var status: Int32
        var log: String
        var messages: [Data]
        var description: String { "fetchmail exited \(status); its log:\n\(log)" }
    }

    /// One fetchmail run with `proto IMAP` and `options`, each message handed to an MDA that
    /// writes it into a file of its own; fetchmail's Received field is removed.
    func fetchmail(_ options: String) throws -> FetchRun {
        runs += 1
        let out = "\(sandbox.root)/fetched-\(runs)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if !sandbox.exists("\(sandbox.root)/mda") {
            _ = try sandbox.file("mda", "#!/bin/sh\nf=$(mktemp \"$1/msg.XXXXXXXX\") || exit 75\ncat > \"$f\"\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(sandbox.root)/mda")
            try FileManager.default.createDirectory(atPath: "\(sandbox.root)/fetchmail-home", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let rc = try sandbox.file("fetchmailrc-\(runs)", """
            set no syslog
            set no bouncemail
            poll 127.0.0.1 service \(port) proto IMAP timeout 60
              user "\(user)" there with password "\(password)"
              options \(options) no rewrite sslproto '' mda "\(sandbox.root)/mda \(out)"

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        var environment = sandbox.environment()
        environment["FETCHMAILHOME"] = "\(sandbox.root)/fetchmail-home"
        environment["HOME"] = "\(sandbox.root)/fetchmail-home"
        let r = try CLI.run(FetchmailFixture.fetchmail, ["-f", rc, "-v", "-N", "--nosyslog", "-i", "\(sandbox.root)/ids"],
                            in: sandbox.root, environment: environment)
        let messages = try sandbox.entries(out).map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) }.map { message -> Data in
            // fetchmail's own trace field at the top: "Received: from 127.0.0.1 …" with continuation lines.
            let lines = String(decoding: message, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.first?.hasPrefix("Received: from 127.0.0.1") == true else { return message }
            let rest = lines.dropFirst().drop { $0.hasPrefix("\t") || $0.hasPrefix(" ") }
            return Data(rest.joined(separator: "\n").utf8)
        }
        return FetchRun(status: r.status, log: r.output, messages: messages)
    }
}
