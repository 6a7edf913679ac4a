// The administrator's first steps: a Unicode domain, a user with a quota and its Maildir on
// disk at the documented sharded path, and `auth test` succeeding, failing and refusing a
// disabled service.

import Foundation
import Testing

@Suite("CLI tour: domain, user, Maildir, auth test")
struct TourTests {
    @Test("domain add 例子.中国 prints the Unicode and the ASCII form")
    func addUnicodeDomain() async throws {
        let s = try Sandbox()
        let r = try s.mailroom("domain", "add", "例子.中国")
        #expect(r.ok, "\(r)")
        #expect(r.stdout.contains("例子.中国"), "\(r)")
        #expect(r.stdout.contains("xn--fsqu00a.xn--fiqs8s"), "\(r)")

        let list = try s.mailroom("domain", "list")
        #expect(list.stdout.contains("xn--fsqu00a.xn--fiqs8s") && list.stdout.contains("例子.中国"), "\(list)")
    }

    @Test("user add creates the Maildir with its folders under <mail_root>/<sha256 shard>/<ascii domain>/<user>")
    func userAddCreatesMaildir() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "例子.中国").ok)
        let r = try s.mailroom("user", "add", "用户@例子.中国", "s3cret-Pass", "--quota", "100M")
        #expect(r.ok, "\(r)")

        // The shard is computed here with sha256sum, not with mailroom's code.
        let digest = try CLI.sha256Hex("xn--fsqu00a.xn--fiqs8s")
        #expect(digest.count == 64)
        let shard = String(digest.prefix(2))
        #expect(s.entries(s.mailRoot) == [shard], "exactly one shard directory: \(s.entries(s.mailRoot))")

        let maildir = "\(s.mailRoot)/\(shard)/xn--fsqu00a.xn--fiqs8s/用户/Maildir"
        for sub in ["cur", "new", "tmp"] {
            #expect(s.isDirectory("\(maildir)/\(sub)"), "missing \(maildir)/\(sub)")
        }
        for folder in [".Sent", ".Drafts", ".Junk", ".Trash"] {
            for sub in ["cur", "new", "tmp"] {
                #expect(s.isDirectory("\(maildir)/\(folder)/\(sub)"), "missing \(maildir)/\(folder)/\(sub)")
            }
            #expect(s.exists("\(maildir)/\(folder)/maildirfolder") && !s.isDirectory("\(maildir)/\(folder)/maildirfolder"),
                    "missing \(folder)/maildirfolder")
        }
        // Mail is private: the Maildir is not readable by others.
        let attributes = try FileManager.default.attributesOfItem(atPath: maildir)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
        #expect(mode & 0o077 == 0, "Maildir mode \(String(mode, radix: 8)) is open to group or others")

        // user info and auth test name the same place.
        let info = try s.mailroom("user", "info", "用户@例子.中国")
        #expect(info.ok && info.stdout.contains(maildir), "\(info)")
        #expect(info.stdout.contains("100M"), "\(info)")
    }

    @Test("auth test: right password exit 0, wrong password exit 1 with 'password mismatch', disabled service refused")
    func authTest() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "例子.中国").ok)
        try #require(s.mailroom("user", "add", "用户@例子.中国", "s3cret-Pass", "--quota", "100M").ok)

        let good = try s.mailroom("auth", "test", "用户@例子.中国", "s3cret-Pass")
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("succeeded"), "\(good)")
        #expect(good.stdout.contains("/xn--fsqu00a.xn--fiqs8s/用户/Maildir"), "\(good)")

        let bad = try s.mailroom("auth", "test", "用户@例子.中国", "wrong")
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.output.contains("password mismatch"), "\(bad)")

        let unknown = try s.mailroom("auth", "test", "nobody@例子.中国", "s3cret-Pass")
        #expect(unknown.status == 1, "\(unknown)")
        #expect(unknown.output.contains("unknown user"), "\(unknown)")

        // The ASCII form of the domain reaches the same user.
        let ascii = try s.mailroom("auth", "test", "用户@xn--fsqu00a.xn--fiqs8s", "s3cret-Pass")
        #expect(ascii.status == 0, "\(ascii)")

        // Password from standard input.
        let stdin = try CLI.run(CLI.binary, ["auth", "test", "用户@例子.中国", "--password-stdin", "--config", s.configPath],
                                in: s.root, environment: s.environment(), input: "s3cret-Pass\n")
        #expect(stdin.status == 0, "\(stdin)")

        let disable = try s.mailroom("user", "disable", "用户@例子.中国", "--service", "imap")
        #expect(disable.ok, "\(disable)")
        let imap = try s.mailroom("auth", "test", "用户@例子.中国", "s3cret-Pass", "--service", "imap")
        #expect(imap.status == 1, "\(imap)")
        #expect(imap.output.contains("disabled"), "\(imap)")
        // Other services are unaffected.
        let pop = try s.mailroom("auth", "test", "用户@例子.中国", "s3cret-Pass", "--service", "pop3")
        #expect(pop.status == 0, "\(pop)")
        // A wrong password is still reported as a mismatch, not as "disabled".
        let wrongImap = try s.mailroom("auth", "test", "用户@例子.中国", "wrong", "--service", "imap")
        #expect(wrongImap.status == 1 && wrongImap.output.contains("password mismatch"), "\(wrongImap)")

        let enable = try s.mailroom("user", "enable", "用户@例子.中国", "--service", "imap")
        #expect(enable.ok, "\(enable)")
        let again = try s.mailroom("auth", "test", "用户@例子.中国", "s3cret-Pass", "--service", "imap")
        #expect(again.status == 0, "\(again)")

        let badService = try s.mailroom("auth", "test", "用户@例子.中国", "s3cret-Pass", "--service", "gopher")
        #expect(badService.status != 0 && badService.stderr.contains("gopher"), "\(badService)")
    }

    @Test("user passwd changes the password")
    func passwd() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "example.com").ok)
        try #require(s.mailroom("user", "add", "alice@example.com", "first").ok)
        let r = try s.mailroom("user", "passwd", "alice@example.com", "second")
        #expect(r.ok, "\(r)")
        #expect(try s.mailroom("auth", "test", "alice@example.com", "first").status == 1)
        #expect(try s.mailroom("auth", "test", "alice@example.com", "second").status == 0)
    }
}
