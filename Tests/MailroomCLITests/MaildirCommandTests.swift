// `mailroom maildir list|folders|quota|check`: an administrator's view into a Maildir, run as
// its own process. Folders and messages are laid down on disk here the way Dovecot or Courier
// would leave them (Maildir++ directories in modified UTF-7, `:2,` flags, dovecot-keywords), so
// the commands are checked against files the code under test did not write.

import Foundation
import Testing

@Suite("mailroom maildir")
struct MaildirCommandTests {
    /// example.com with alice (quota 1M) and a delivered message; returns alice's Maildir.
    func setUp(_ s: Sandbox) throws -> String {
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw", "--quota", "1M,100C").ok)
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage()).ok)
        return try s.maildir("alice", "example.com")
    }

    /// A Maildir++ folder made by hand, as Dovecot lays it out.
    func makeFolder(_ maildir: String, _ directoryName: String) throws {
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(maildir)/\(directoryName)/\(sub)", withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: "\(maildir)/\(directoryName)/maildirfolder", contents: Data())
    }

    @Test("maildir folders: INBOX and the default folders with special use; Unicode names from modified UTF-7")
    func folders() async throws {
        let s = try Sandbox()
        let maildir = try setUp(s)
        try makeFolder(maildir, ".Entw&APw-rfe")
        try makeFolder(maildir, ".&ecGKng-.2024")     // 私語/2024: the parent exists only as a name

        let r = try s.mailroom("maildir", "folders", "alice@example.com")
        #expect(r.ok, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("FOLDER") == true, "\(r)")
        for name in ["INBOX", "Sent", "Drafts", "Junk", "Trash", "Entwürfe", "私語/2024"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name) missing: \(r)")
        }

        let json = try #require(s.mailroom("maildir", "folders", "alice@example.com", "--json").jsonArray)
        let byName = Dictionary(uniqueKeysWithValues: json.compactMap { f in f.string("name").map { ($0, f) } })
        #expect(byName["INBOX"]?.int("messages") == 1)
        #expect(byName["Sent"]?.string("specialUse") == "\\Sent")
        #expect(byName["Trash"]?.string("specialUse") == "\\Trash")
        #expect(byName["Sent"]?.bool("subscribed") == true)
        #expect(byName["Entwürfe"]?.bool("subscribed") == false)
        #expect(byName["私語/2024"]?.strings("components") == ["私語", "2024"])
        #expect(byName["私語"]?.bool("exists") == false, "\(json)")
    }

    @Test("maildir list --folder: '/' or '.' between levels, INBOX. prefix, flags and keywords from the file names")
    func listFolderWithFlags() async throws {
        let s = try Sandbox()
        let maildir = try setUp(s)
        try makeFolder(maildir, ".Archive.2024")
        let text = "Subject: old\n\nkept\n"
        try text.write(toFile: "\(maildir)/.Archive.2024/cur/1700000000.M1P1.test:2,FSb", atomically: true, encoding: .utf8)
        try text.write(toFile: "\(maildir)/.Archive.2024/cur/1700000001.M1P1.test:2,", atomically: true, encoding: .utf8)
        try "0 Work\n1 $Label1\n".write(toFile: "\(maildir)/.Archive.2024/dovecot-keywords", atomically: true, encoding: .utf8)

        var listings: [[[String: Any]]] = []
        for spelling in ["Archive/2024", "Archive.2024", "INBOX.Archive.2024"] {
            let r = try s.mailroom("maildir", "list", "alice@example.com", "--folder", spelling, "--json")
            #expect(r.ok, "\(r)")
            #expect(r.jsonObject?.string("folder") == "Archive/2024", "\(r)")
            listings.append(try #require(r.jsonObject?["messages"] as? [[String: Any]], "\(r)"))
        }
        let messages = listings[0]
        try #require(messages.count == 2)
        #expect(messages.map { $0.int("uid") } == [1, 2])
        let flagged = try #require(messages.first { ($0.strings("flags") ?? []).contains("\\Flagged") }, "\(messages)")
        #expect(flagged.strings("flags") == ["\\Seen", "\\Flagged"])
        #expect(flagged.strings("keywords") == ["$Label1"])
        #expect(flagged.int("size") == text.utf8.count + 3, "RFC822.SIZE with CRLF")
        #expect(listings[1].map { $0.int("uid") } == [1, 2] && listings[2].map { $0.int("uid") } == [1, 2])

        let table = try s.mailroom("maildir", "list", "alice@example.com", "--folder", "Archive/2024")
        #expect(table.ok, "\(table)")
        #expect(table.stdout.contains("\\Seen \\Flagged"), "\(table)")
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("UID ") && $0.contains("MODSEQ") }, "\(table)")
    }

    @Test("maildir list refuses an unknown folder, a bad folder name, an unknown user and an alias (exit 1)")
    func listRefusals() async throws {
        let s = try Sandbox()
        _ = try setUp(s)
        try #require(s.mailroom("alias", "add", "team@example.com", "alice@example.com").ok)
        let cases: [([String], String)] = [
            (["--folder", "Nope"], "no such folder"),
            (["--folder", "a//b"], "folder 'a//b'"),
        ]
        for (extra, message) in cases {
            let r = try CLI.run(CLI.binary, ["maildir", "list", "alice@example.com"] + extra + ["--config", s.configPath],
                                in: s.root, environment: s.environment())
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains(message), "\(r)")
        }
        let unknown = try s.mailroom("maildir", "list", "nobody@example.com")
        #expect(unknown.status == 1 && unknown.stderr.contains("does not exist"), "\(unknown)")
        let alias = try s.mailroom("maildir", "quota", "team@example.com")
        #expect(alias.status == 1 && alias.stderr.contains("does not exist"), "\(alias)")
    }

    @Test("maildir quota: use from maildirsize against the user's limits")
    func quota() async throws {
        let s = try Sandbox()
        let maildir = try setUp(s)
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage(subject: "second")).ok)
        let sizes = s.storedMessages(maildir).map { $0.utf8.count }
        let json = try #require(s.mailroom("maildir", "quota", "alice@example.com", "--json").jsonObject)
        #expect(json.int("messages") == 2)
        #expect(json.int("bytes") == sizes.reduce(0, +))
        #expect(json.int("limitBytes") == 1 << 20)
        #expect(json.int("limitMessages") == 100)
        let text = try s.mailroom("maildir", "quota", "alice@example.com")
        #expect(text.ok && text.stdout.contains("messages: 2 of 100 (2%)"), "\(text)")
    }

    @Test("maildir check: a damaged dovecot-uidlist is reported and rebuilt, UIDs kept; exit 0")
    func checkRepairs() async throws {
        let s = try Sandbox()
        let maildir = try setUp(s)
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage(subject: "second")).ok)
        try #require(s.mailroom("maildir", "list", "alice@example.com").ok)   // UIDs 1 and 2 assigned

        let clean = try s.mailroom("maildir", "check", "alice@example.com")
        #expect(clean.status == 0 && clean.stdout.contains("no problems found"), "\(clean)")

        try "garbage\n".write(toFile: "\(maildir)/dovecot-uidlist", atomically: true, encoding: .utf8)
        try makeFolder(maildir, ".bad&name")
        let r = try s.mailroom("maildir", "check", "alice@example.com", "--json")
        #expect(r.status == 0, "\(r)")
        let folders = try #require(r.jsonObject?["folders"] as? [[String: Any]], "\(r)")
        let inbox = try #require(folders.first { $0.string("name") == "INBOX" })
        let problems = inbox.strings("problems") ?? []
        #expect(problems.contains { $0.contains("dovecot-uidlist") }, "\(r)")
        #expect(problems.contains { $0.contains(".bad&name") }, "\(r)")
        #expect(folders.contains { $0.string("name") == "Trash" && $0.strings("problems") == [] }, "\(r)")
        #expect(r.jsonObject?.object("quota")?.int("messages") == 2, "\(r)")

        let list = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        #expect((list.jsonObject?["messages"] as? [[String: Any]])?.map { $0.int("uid") } == [1, 2], "\(list)")
        let uidlist = try String(contentsOfFile: "\(maildir)/dovecot-uidlist", encoding: .utf8)
        #expect(uidlist.hasPrefix("3 V"), "rewritten as version 3: \(uidlist)")
    }
}
