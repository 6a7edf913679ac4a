// Quota syntax through `user quota` / `user info`, and what happens to mail when a user or a
// domain is removed (storage.removed_mail = "archive" or "delete").

import Foundation
import Testing

@Suite("CLI quotas")
struct QuotaTests {
    @Test("user quota accepts vpopmail and Maildir++ syntax; user info shows it", arguments: [
        ("100M", "100M", 100 << 20, nil),
        ("2G", "2G", 2 << 30, nil),
        ("NOQUOTA", "NOQUOTA", nil, nil),
        ("1000000S,1000C", "1000000S,1000C", 1_000_000, 1000),
        ("100M,5000C", "100M,5000C", 100 << 20, 5000),
        ("1048576", "1M", 1 << 20, nil),
        ("5000C", "5000C", nil, 5000),
    ] as [(String, String, Int?, Int?)])
    func quotaSyntax(input: String, shown: String, bytes: Int?, messages: Int?) async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw", "--quota", "7M").ok)
        let set = try s.mailroom("user", "quota", "alice@example.com", input)
        #expect(set.ok, "\(set)")
        #expect(set.stdout.contains("is now \(shown)"), "\(set)")
        let info = try s.mailroom("user", "info", "alice@example.com")
        let quotaLine = info.stdout.split(separator: "\n").first { $0.hasPrefix("quota:") }.map(String.init)
        #expect(quotaLine?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init) == shown,
                "\(info)")
        let json = try #require(s.mailroom("user", "info", "alice@example.com", "--json").jsonObject)
        #expect(json.int("quotaBytes") == bytes)
        #expect(json.int("quotaMessages") == messages)
        #expect(json.bool("quotaInherited") == false)
    }

    @Test("user quota DEFAULT goes back to the domain's default quota")
    func defaultQuota() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com", "--quota", "250M").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        let inherited = try s.mailroom("user", "info", "alice@example.com")
        #expect(inherited.stdout.contains("250M (domain default)"), "\(inherited)")
        try #require(s.mailroom("user", "quota", "alice@example.com", "2G").ok)
        #expect(try s.mailroom("user", "info", "alice@example.com").stdout.contains("quota:         2G\n"))
        try #require(s.mailroom("user", "quota", "alice@example.com", "DEFAULT").ok)
        #expect(try s.mailroom("user", "info", "alice@example.com").stdout.contains("250M (domain default)"))
    }
}

@Suite("CLI removal of users and domains")
struct RemovalTests {
    /// Adds example.com with alice and bob, and drops a message into alice's Maildir.
    func setUp(_ s: Sandbox) throws -> (maildir: String, message: String) {
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        try #require(s.mailroom("user", "add", "bob@example.com", "pw").ok)
        let maildir = try s.domainDirectory("example.com") + "/alice/Maildir"
        let name = "1700000000.M1P1.test:2,S"
        try "Subject: hello\r\n\r\nkeep me\r\n".write(toFile: "\(maildir)/cur/\(name)", atomically: true, encoding: .utf8)
        return (maildir, name)
    }

    @Test("user remove archives the Maildir under storage.archive_dir after the row is gone")
    func removeArchives() async throws {
        let s = try Sandbox()
        let (maildir, message) = try setUp(s)
        let r = try s.mailroom("user", "remove", "alice@example.com")
        #expect(r.ok, "\(r)")
        #expect(r.stdout.contains("archived to \(s.archiveDir)/example.com/alice-"), "\(r)")

        // Row gone, mail moved (not copied) into the archive, intact; bob untouched.
        let users = try s.mailroom("user", "list", "example.com", "--json").jsonArray
        #expect(users?.compactMap { $0.string("localPart") } == ["bob"])
        #expect(try s.mailroom("auth", "test", "alice@example.com", "pw").status == 1)
        #expect(!s.exists(maildir))
        #expect(s.exists(try s.domainDirectory("example.com") + "/bob/Maildir/cur"))
        let archived = s.entries("\(s.archiveDir)/example.com")
        #expect(archived.count == 1 && archived.first?.hasPrefix("alice-") == true, "\(archived)")
        let copy = "\(s.archiveDir)/example.com/\(archived.first ?? "")/Maildir/cur/\(message)"
        #expect((try? String(contentsOfFile: copy, encoding: .utf8))?.contains("keep me") == true, "missing \(copy)")

        // The address can be used again, with a fresh, empty Maildir.
        #expect(try s.mailroom("user", "add", "alice@example.com", "pw2").ok)
        #expect(s.entries("\(maildir)/cur").isEmpty)
    }

    @Test("a refused removal leaves the mail where it is")
    func refusedRemovalKeepsMail() async throws {
        let s = try Sandbox()
        _ = try setUp(s)
        // A directory on disk without a user row: removing "carol" is refused and her files stay.
        let stray = try s.domainDirectory("example.com") + "/carol/Maildir/new"
        try FileManager.default.createDirectory(atPath: stray, withIntermediateDirectories: true)
        try await expectRefused(s, stderrContains: ["user carol@example.com does not exist"]) {
            try s.mailroom("user", "remove", "carol@example.com")
        }
        #expect(s.isDirectory(stray))
        #expect(!s.exists(s.archiveDir) || s.tree(s.archiveDir).isEmpty)
    }

    @Test("the store row goes first: when archiving fails the user is gone and the mail stays in place")
    func archiveFailureAfterRowRemoval() async throws {
        let s = try Sandbox()
        let (maildir, message) = try setUp(s)
        // archive_dir under a regular file cannot be created.
        _ = try s.file("not-a-directory", "")
        let config = try String(contentsOfFile: s.configPath, encoding: .utf8)
            .replacingOccurrences(of: "archive_dir = \"\(s.archiveDir)\"", with: "archive_dir = \"\(s.root)/not-a-directory/archive\"")
        try config.write(toFile: s.configPath, atomically: true, encoding: .utf8)

        let r = try s.mailroom("user", "remove", "alice@example.com")
        #expect(r.status != 0, "\(r)")
        #expect(r.stderr.contains("alice@example.com was removed") && r.stderr.contains(maildir.dropLast("/Maildir".count)),
                "the message should say the user is gone and where the mail still is: \(r)")
        #expect(try s.mailroom("user", "info", "alice@example.com").status != 0)
        #expect(s.exists("\(maildir)/cur/\(message)"))
    }

    @Test("storage.removed_mail = \"delete\" deletes the Maildir")
    func removeDeletes() async throws {
        let s = try Sandbox(removedMail: "delete")
        let (maildir, _) = try setUp(s)
        let r = try s.mailroom("user", "remove", "alice@example.com")
        #expect(r.ok, "\(r)")
        #expect(!r.stdout.contains("archived"), "\(r)")
        #expect(!s.exists(maildir))
        #expect(!s.exists(try s.domainDirectory("example.com") + "/alice"))
        #expect(s.tree(s.archiveDir).isEmpty)
        #expect(s.exists(try s.domainDirectory("example.com") + "/bob/Maildir"))
    }

    @Test("domain remove removes its users, aliases and domain aliases, and archives the domain's mail")
    func domainRemove() async throws {
        let s = try Sandbox()
        let (_, message) = try setUp(s)
        try #require(s.mailroom("domain", "add", "keep.example").ok)
        try #require(s.mailroom("user", "add", "carl@keep.example", "pw").ok)
        try #require(s.mailroom("alias", "add", "info@example.com", "alice@example.com").ok)
        try #require(s.mailroom("domain", "alias", "alias.example", "example.com").ok)
        let domainDir = try s.domainDirectory("example.com")

        let r = try s.mailroom("domain", "remove", "example.com")
        #expect(r.ok, "\(r)")
        #expect(r.stdout.contains("with 2 users"), "\(r)")
        #expect(!s.exists(domainDir))
        let archived = s.entries("\(s.archiveDir)/example.com")
        #expect(archived.count == 1 && archived.first?.hasPrefix("_domain-") == true, "\(archived)")
        let base = "\(s.archiveDir)/example.com/\(archived.first ?? "")"
        #expect(s.exists("\(base)/alice/Maildir/cur/\(message)"))
        #expect(s.exists("\(base)/bob/Maildir"))

        // Users, aliases and the domain alias went with it.
        #expect(try s.mailroom("auth", "test", "alice@example.com", "pw").output.contains("unknown user"))
        #expect(try s.mailroom("auth", "test", "bob@alias.example", "pw").status == 1)
        let domains = try s.mailroom("domain", "list", "--json").jsonArray
        #expect(domains?.compactMap { $0.string("name") } == ["keep.example"])
        try #require(s.mailroom("domain", "add", "example.com").ok)
        #expect(try s.mailroom("user", "list", "example.com", "--json").jsonArray?.isEmpty == true)
        #expect(try s.mailroom("alias", "list", "example.com", "--json").jsonArray?.isEmpty == true)
        // alias.example is free again.
        #expect(try s.mailroom("domain", "add", "alias.example").ok)
        // The other domain is untouched.
        #expect(try s.mailroom("auth", "test", "carl@keep.example", "pw").ok)
    }

    @Test("domain remove with removed_mail = \"delete\"")
    func domainRemoveDeletes() async throws {
        let s = try Sandbox(removedMail: "delete")
        _ = try setUp(s)
        let domainDir = try s.domainDirectory("example.com")
        let r = try s.mailroom("domain", "remove", "example.com")
        #expect(r.ok, "\(r)")
        #expect(!s.exists(domainDir))
        #expect(s.tree(s.archiveDir).isEmpty)
        #expect(try s.mailroom("user", "list", "example.com").status != 0)
    }
}
