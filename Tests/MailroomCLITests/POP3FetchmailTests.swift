// POP3 end to end with Debian's fetchmail (issue 5): the real `mailroom serve` with only its
// POP3 listener on, on a free 127.0.0.1 port, and fetchmail 6.4 fetching alice@example.com's
// mail with a fetchmailrc written here, handing each message to an MDA script that writes it
// into a file of its own (no local MTA involved).
//
// What is checked, byte for byte: every fetched message is a message stored in alice's Maildir
// (read from disk when it was delivered, before anything fetched it), with exactly two
// differences that fetchmail makes on purpose and that are accounted for precisely: its own
// trace field at the top ("Received: from 127.0.0.1 [127.0.0.1] … with POP3
// (fetchmail-6.4.x) … for <…> (single-drop); <date>", one field with its continuation lines,
// removed only when it is exactly that), and line ends made LF for the MDA (fetchmail's
// `stripcr`, on by default with `mda`; the server sends CRLF). `no rewrite` keeps fetchmail off
// the address headers. The exit status is fetchmail's documented one: 0 when it fetched mail,
// 1 when there was none.
//
// Cases: (a) `keep` leaves the messages, a second run with `fetchall` gets them all again, and
// `uidl` with `keep` (a fresh UID file) fetches only the messages delivered since its previous
// run; (b) without `keep` fetchmail deletes: the next run finds nothing, a newly delivered
// message is fetched once; (c) the same over STLS (RFC 2595) that fetchmail requires
// (`sslproto 'TLS1.2+'` without `ssl`, `no sslcertck`: the server's self-signed certificate),
// with fetchmail's protocol log showing that it logged in only after STLS. The plain cases use
// `sslproto ''`, so fetchmail does not upgrade on its own, and the log shows no STLS.
//
// Skipped, with a message, only when fetchmail is not installed (scripts/test installs it).

import Foundation
import Testing

@Suite("POP3: fetchmail against mailroom serve", .serialized,
       .enabled(if: FetchmailFixture.installed, "fetchmail is not installed (Debian package fetchmail; scripts/test installs it)"))
struct POP3FetchmailTests {
    /// What POP3 and fetchmail can get wrong: dot-stuffed lines (a lone ".", "..", ". x"), CRLF
    /// and LF line ends, 8-bit text, a Status header, a message larger than any one buffer, and
    /// an empty body.
    static let messages: [String] = [
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: dots\n\n.\n..\n. leading dot\n...\nend\n",
        "From: Bob <bob@else.example>\r\nTo: alice@example.com\r\nSubject: crlf\r\nStatus: RO\r\n\r\nbody with CRLF\r\n.\r\n",
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: =?UTF-8?Q?gr=C3=BC=C3=9Fe?=\nContent-Type: text/plain; charset=utf-8\n"
            + "Content-Transfer-Encoding: 8bit\n\nGrüße aus Zürich — ünïcödé\n",
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: large\n\n"
            + (0..<3000).map { ($0 % 40 == 0 ? "." : "") + "line \($0) of a large message, long enough to span several reads\n" }.joined(),
        "From: Bob <bob@else.example>\nTo: alice@example.com\nSubject: empty body\n\n",
    ]

    @Test("(a) keep leaves the messages, fetchall gets them again, uidl with keep fetches only new ones")
    func keepFetchallAndUIDL() throws {
        let f = try FetchmailFixture()
        let first = try f.deliver(Self.messages)

        f.expect(try f.fetch("keep"), fetched: first, "keep")
        #expect(f.stored().count == first.count, "keep must leave every message on the server")
        f.expect(try f.fetch("keep"), fetched: [], "keep again (fetchmail remembers what it fetched)")
        f.expect(try f.fetch("keep fetchall"), fetched: first, "keep fetchall")
        #expect(f.stored().count == first.count, "keep fetchall must leave every message on the server")

        // UIDL mode with its own UID file: the first run gets everything, then only what is new.
        f.expect(try f.fetch("keep", uidl: true, idfile: "uidl-ids"), fetched: first, "uidl keep, first run")
        let second = try f.deliver(["From: Bob <bob@else.example>\nSubject: new 1\n\nnew one\n",
                                    "From: Bob <bob@else.example>\nSubject: new 2\n\n.\nnew two\n"])
        f.expect(try f.fetch("keep", uidl: true, idfile: "uidl-ids"), fetched: second, "uidl keep, after two deliveries")
        f.expect(try f.fetch("keep", uidl: true, idfile: "uidl-ids"), fetched: [], "uidl keep, nothing new")
        #expect(f.stored().count == first.count + second.count)

        // fetchmail's UID file holds the server's UIDLs: one per message, each the start of the
        // name of exactly one file in the Maildir (the base name, up to ',' or ':').
        let uidls = try f.idFileUIDLs("uidl-ids")
        #expect(uidls.count == first.count + second.count && Set(uidls).count == uidls.count, "UIDLs: \(uidls)")
        let names = f.stored().keys
        for uidl in uidls {
            let files = names.filter { $0 == uidl || $0.hasPrefix(uidl + ",") || $0.hasPrefix(uidl + ":") }
            #expect(files.count == 1, "UIDL \(uidl) should name one Maildir file: \(files) of \(names.sorted())")
        }
    }

    @Test("(b) without keep fetchmail deletes: the next run finds nothing, a new message is fetched once")
    func fetchDeletes() throws {
        let f = try FetchmailFixture()
        try f.deleteAndRefetch(stls: false)
    }

    @Test("(c) over STLS that fetchmail requires: keep, fetchall, delete, nothing left")
    func overSTLS() throws {
        let f = try FetchmailFixture()
        let delivered = try f.deliver(Self.messages)
        f.expect(try f.fetch("keep", stls: true), fetched: delivered, "keep over STLS")
        f.expect(try f.fetch("keep fetchall", stls: true), fetched: delivered, "keep fetchall over STLS")
        #expect(f.stored().count == delivered.count, "keep must leave every message on the server")
        try f.deleteAndRefetch(stls: true)
    }
}

/// A `mailroom serve` with alice@example.com and POP3 on a free loopback port (every other
/// listener off), fetchmail's files beside it, and the messages delivered so far as stored.
final class FetchmailFixture {
    static let fetchmail = "/usr/bin/fetchmail"
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: fetchmail) }

    let sandbox: Sandbox
    let port: Int
    let server: Process
    private var runs = 0

    init() throws {
        port = try SMTPCrashTests.freePort()
        sandbox = try Sandbox(extra: """
            [pop3]
            pop3_listen = "127.0.0.1:\(port)"
            pop3s_listen = ""
            [smtp]
            mx_listen = ""
            submission_listen = ""
            submissions_listen = ""
            [tls]
            self_signed_dir = "tls"
            """)
        try #require(sandbox.mailroom("domain", "add", "example.com").ok)
        try #require(sandbox.mailroom("user", "add", "alice@example.com", "alice-password").ok)
        _ = try sandbox.file("mda", "#!/bin/sh\n# fetchmail's MDA: each message into a file of its own in $1.\n"
                         + "f=$(mktemp \"$1/msg.XXXXXXXX\") || exit 75\ncat > \"$f\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(sandbox.root)/mda")
        try FileManager.default.createDirectory(atPath: "\(sandbox.root)/fetchmail-home", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])

        server = try sandbox.serve(port: port, what: "POP3 (config [pop3])")
    }

    deinit {
        if server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
    }

    /// Whether a connection to 127.0.0.1:`port` is accepted.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = CLI.loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    var maildir: String { (try? sandbox.maildir("alice", "example.com")) ?? "" }

    /// File name → bytes of every message in alice's Maildir (new/ and cur/), read from disk.
    func stored() -> [String: Data] {
        var files: [String: Data] = [:]
        for sub in ["new", "cur"] {
            for name in sandbox.entries("\(maildir)/\(sub)") {
                files[name] = FileManager.default.contents(atPath: "\(maildir)/\(sub)/\(name)")
            }
        }
        return files
    }

    /// Delivers `messages` to alice with `mailroom deliver`; returns them as stored (the bytes
    /// of the files that appeared), which is what POP3 must hand out.
    func deliver(_ messages: [String]) throws -> [Data] {
        let before = Set(stored().keys)
        for message in messages {
            let r = try sandbox.deliver(["--to", "alice@example.com", "--from", "bob@else.example"], message: message)
            try #require(r.ok, "\(r)")
        }
        let added = stored().filter { !before.contains($0.key) }.map(\.value)
        try #require(added.count == messages.count, "\(messages.count) deliveries, \(added.count) new files in \(maildir)")
        return added
    }

    /// One fetchmail run.
    struct Run: CustomStringConvertible {
        var status: Int32
        /// fetchmail's output with its protocol log (-v).
        var log: String
        /// Whether fetchmail was told to require STLS.
        var stls: Bool
        /// What the MDA got, one entry per message.
        var messages: [Data]
        var description: String { "fetchmail exited \(status); its log:\n\(log)" }
    }

    /// Runs fetchmail once with `options` in the user entry (plus `no rewrite`, the MDA and the
    /// TLS choice), `uidl` (a server option) on the poll line, and the UID file `idfile`;
    /// returns what it delivered.
    func fetch(_ options: String, uidl: Bool = false, stls: Bool = false, idfile: String = "ids") throws -> Run {
        runs += 1
        let out = "\(sandbox.root)/fetched-\(runs)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let tls = stls ? "sslproto 'TLS1.2+' no sslcertck" : "sslproto ''"
        let rc = try sandbox.file("fetchmailrc-\(runs)", """
            set no syslog
            set no bouncemail
            poll 127.0.0.1 service \(port) proto POP3 timeout 60\(uidl ? " uidl" : "")
              user "alice@example.com" there with password "alice-password"
              options \(options) no rewrite \(tls) mda "\(sandbox.root)/mda \(out)"

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: rc)
        var environment = ProcessInfo.processInfo.environment
        environment["FETCHMAILHOME"] = "\(sandbox.root)/fetchmail-home"
        environment["HOME"] = "\(sandbox.root)/fetchmail-home"
        let r = try CLI.run(Self.fetchmail, ["-f", rc, "-v", "-N", "--nosyslog", "-i", "\(sandbox.root)/\(idfile)"],
                            in: sandbox.root, environment: environment)
        let messages = try sandbox.entries(out).map { try Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)")) }
        return Run(status: r.status, log: r.output, stls: stls, messages: messages)
    }

    /// Checks that `run` delivered exactly `expected` (as stored, in any order) after removing
    /// fetchmail's Received field and making line ends LF, that its exit status says so, and
    /// that fetchmail logged in after STLS exactly when it was told to require it.
    func expect(_ run: Run, fetched expected: [Data], _ what: String,
                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == (expected.isEmpty ? 1 : 0), "\(what): \(run)", sourceLocation: sourceLocation)
        var got: [[UInt8]] = []
        for message in run.messages {
            guard let body = Self.withoutFetchmailTrace(message) else {
                let start = String(decoding: message.prefix(300), as: UTF8.self)
                Issue.record("\(what): a message without fetchmail's Received field at the top:\n\(start)",
                             sourceLocation: sourceLocation)
                continue
            }
            got.append(body)
        }
        let want = expected.map { Self.lineEndsLF([UInt8]($0)) }
        let order: ([UInt8], [UInt8]) -> Bool = { $0.lexicographicallyPrecedes($1) }
        let starts: ([[UInt8]]) -> [String] = { $0.map { String(decoding: $0.prefix(200), as: UTF8.self) } }
        let unexpected = starts(got.filter { !want.contains($0) }), missing = starts(want.filter { !got.contains($0) })
        let same = got.sorted(by: order) == want.sorted(by: order)   // a Bool: the bytes would flood the report
        #expect(same,
                "\(what): fetched \(got.count) messages, expected \(want.count); not expected: \(unexpected); missing: \(missing)\n\(run)",
                sourceLocation: sourceLocation)
        // The protocol log: the login (USER, AUTH or APOP) comes after "STLS" exactly when required.
        let loginAt = ["POP3> USER", "POP3> AUTH", "POP3> APOP"].compactMap { run.log.range(of: $0)?.lowerBound }.min()
        guard let loginAt else {
            Issue.record("\(what): no login in fetchmail's protocol log\n\(run)", sourceLocation: sourceLocation)
            return
        }
        let usedSTLS = run.log.range(of: "POP3> STLS").map { $0.lowerBound < loginAt } ?? false
        #expect(usedSTLS == run.stls, "\(what): STLS before the login: \(usedSTLS), expected \(run.stls)\n\(run)",
                sourceLocation: sourceLocation)
    }

    /// (b): the test messages are delivered; without keep every message on the server (those
    /// kept before too: the UID file is a fresh one) is fetched and deleted; the next run finds
    /// none; a message delivered then is fetched once and deleted too.
    func deleteAndRefetch(stls: Bool) throws {
        _ = try deliver(POP3FetchmailTests.messages)
        let everything = Array(stored().values)
        expect(try fetch("", stls: stls, idfile: "delete-ids"), fetched: everything, "without keep")
        #expect(stored().isEmpty, "fetchmail without keep must leave no message: \(stored().keys.sorted())")
        expect(try fetch("", stls: stls, idfile: "delete-ids"), fetched: [], "without keep, nothing left")
        let later = try deliver(["From: Bob <bob@else.example>\nSubject: later\n\nlater\n"])
        expect(try fetch("", stls: stls, idfile: "delete-ids"), fetched: later, "a message delivered after the deletions")
        #expect(stored().isEmpty, "the later message must be deleted too: \(stored().keys.sorted())")
        expect(try fetch("", stls: stls, idfile: "delete-ids"), fetched: [], "nothing after the last deletion")
    }

    /// The UIDLs recorded in fetchmail's UID file (lines "account@host UIDL").
    func idFileUIDLs(_ idfile: String) throws -> [String] {
        try String(contentsOfFile: "\(sandbox.root)/\(idfile)", encoding: .utf8)
            .split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
    }

    /// `message` without the trace field fetchmail puts at the top ("Received: from 127.0.0.1
    /// [127.0.0.1]" then folded lines, one of them "by … with POP3 (fetchmail-…)"); nil when
    /// the message does not start with exactly such a field.
    static func withoutFetchmailTrace(_ message: Data) -> [UInt8]? {
        let bytes = [UInt8](message)
        guard bytes.starts(with: Array("Received: from 127.0.0.1 [127.0.0.1]\n".utf8)) else { return nil }
        var end = 0
        repeat {
            guard let newline = bytes[end...].firstIndex(of: 0x0A) else { return nil }
            end = newline + 1
        } while end < bytes.count && (bytes[end] == 0x09 || bytes[end] == 0x20)
        let field = String(decoding: bytes[..<end], as: UTF8.self)
        guard field.contains(" with POP3 (fetchmail-"), field.contains("(single-drop); ") else { return nil }
        return Array(bytes[end...])
    }

    /// CRLF → LF, as fetchmail hands messages to an MDA.
    static func lineEndsLF(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (i, byte) in bytes.enumerated() where !(byte == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) {
            out.append(byte)
        }
        return out
    }
}
