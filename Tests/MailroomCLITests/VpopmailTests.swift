// The vpopmail-compatible names: `mailroom install-links DIR`, then the links run with
// vpopmail's argument order and MAILROOM_CONFIG naming the configuration.

import Foundation
import Testing

@Suite("CLI vpopmail compatibility")
struct VpopmailTests {
    static let names = ["vadddomain", "vdeldomain", "vadduser", "vdeluser", "vpasswd", "vsetuserquota",
                        "valias", "vuserinfo", "vdominfo", "vaddaliasdomain", "vmoduser"]

    /// A sandbox with the links installed in <sandbox>/bin.
    func withLinks() throws -> (Sandbox, String) {
        let s = try Sandbox()
        let bin = "\(s.root)/bin"
        let r = try s.bare(["install-links", bin])
        try #require(r.ok, "\(r)")
        return (s, bin)
    }

    @Test("install-links creates a link to the mailroom binary for every vpopmail name")
    func installLinks() async throws {
        let (s, bin) = try withLinks()
        let binary = URL(fileURLWithPath: CLI.binary).resolvingSymlinksInPath().path
        #expect(s.entries(bin) == Self.names.sorted())
        for name in Self.names {
            let destination = try FileManager.default.destinationOfSymbolicLink(atPath: "\(bin)/\(name)")
            #expect(URL(fileURLWithPath: destination).resolvingSymlinksInPath().path == binary, "\(name) -> \(destination)")
        }
        // A second run refuses to overwrite; --force replaces.
        let again = try s.bare(["install-links", bin])
        #expect(again.status != 0 && again.stderr.contains("already exists"), "\(again)")
        #expect(try s.bare(["install-links", bin, "--force"]).ok)
    }

    @Test("vadddomain creates the domain and postmaster; vadduser, vpasswd, vsetuserquota, vuserinfo, vdominfo")
    func domainsAndUsers() async throws {
        let (s, bin) = try withLinks()
        let add = try s.vpop(bin, "vadddomain", "example.com", "pmpass")
        #expect(add.ok, "\(add)")
        #expect(try s.mailroom("auth", "test", "postmaster@example.com", "pmpass").ok)
        #expect(s.isDirectory(try s.domainDirectory("example.com") + "/postmaster/Maildir/new"))

        let user = try s.vpop(bin, "vadduser", "a@example.com", "pw-a")
        #expect(user.ok, "\(user)")
        #expect(s.isDirectory(try s.domainDirectory("example.com") + "/a/Maildir/.Trash/cur"))
        // Without a password argument, vadduser reads it from standard input.
        #expect(try s.vpop(bin, "vadduser", "-c", "Bee", "b@example.com", input: "pw-b\n").ok)
        #expect(try s.mailroom("auth", "test", "b@example.com", "pw-b").ok)

        #expect(try s.vpop(bin, "vpasswd", "a@example.com", "pw-a2").ok)
        #expect(try s.mailroom("auth", "test", "a@example.com", "pw-a").status == 1)
        #expect(try s.mailroom("auth", "test", "a@example.com", "pw-a2").ok)

        let quota = try s.vpop(bin, "vsetuserquota", "a@example.com", "50M")
        #expect(quota.ok, "\(quota)")
        #expect(try s.mailroom("user", "info", "a@example.com", "--json").jsonObject?.int("quotaBytes") == 50 << 20)

        let info = try s.vpop(bin, "vuserinfo", "a@example.com")
        #expect(info.ok && info.stdout.contains("a@example.com") && info.stdout.contains("50M")
                && info.stdout.contains("/example.com/a/Maildir"), "\(info)")
        let dom = try s.vpop(bin, "vdominfo", "example.com")
        #expect(dom.ok && dom.stdout.contains("users:         3 of unlimited"), "\(dom)")
        let all = try s.vpop(bin, "vdominfo")
        #expect(all.ok && all.stdout.contains("example.com"), "\(all)")

        // Refusals through the links name the problem too.
        let dup = try s.vpop(bin, "vadddomain", "example.com", "pw")
        #expect(dup.status != 0 && dup.stderr.contains("already exists"), "\(dup)")
        let badQuota = try s.vpop(bin, "vsetuserquota", "a@example.com", "10X")
        #expect(badQuota.status != 0 && badQuota.stderr.contains("10X"), "\(badQuota)")
        let nobody = try s.vpop(bin, "vuserinfo", "nobody@example.com")
        #expect(nobody.status != 0 && nobody.stderr.contains("does not exist"), "\(nobody)")
    }

    @Test("vadddomain with a refused postmaster password adds nothing")
    func vadddomainAllOrNothing() async throws {
        let (s, bin) = try withLinks()
        try #require(s.mailroom("db", "migrate").ok)
        try await expectRefused(s, stderrContains: ["password"]) {
            try s.vpop(bin, "vadddomain", "example.com", "")
        }
        #expect(try s.mailroom("domain", "info", "example.com").status != 0)
        // So the administrator can simply run it again.
        #expect(try s.vpop(bin, "vadddomain", "example.com", "pmpass").ok)
        // Without a password only the domain is added.
        #expect(try s.vpop(bin, "vadddomain", "-q", "20M", "nopm.example").ok)
        #expect(try s.mailroom("user", "list", "nopm.example", "--json").jsonArray?.isEmpty == true)
        #expect(try s.mailroom("domain", "info", "nopm.example", "--json").jsonObject?.object("domain")?.int("defaultQuotaBytes")
                == 20 << 20)
    }

    @Test("valias -i inserts, valias DOMAIN lists, valias -d deletes")
    func valias() async throws {
        let (s, bin) = try withLinks()
        try #require(s.vpop(bin, "vadddomain", "example.com", "pmpass").ok)
        let insert = try s.vpop(bin, "valias", "-i", "b@x.example", "alias@example.com")
        #expect(insert.ok, "\(insert)")
        // The .qmail-style "&address" form is accepted too.
        #expect(try s.vpop(bin, "valias", "-i", "&c@x.example", "alias@example.com").ok)
        #expect(try s.vpop(bin, "valias", "-i", "postmaster@example.com", "abuse@example.com").ok)

        let list = try s.vpop(bin, "valias", "example.com")
        #expect(list.ok, "\(list)")
        let lines = Set(list.stdout.split(separator: "\n").map(String.init))
        #expect(lines == ["alias@example.com -> b@x.example", "alias@example.com -> c@x.example",
                          "abuse@example.com -> postmaster@example.com"], "\(list)")
        let one = try s.vpop(bin, "valias", "alias@example.com")
        #expect(one.stdout.split(separator: "\n").count == 2 && !one.stdout.contains("abuse"), "\(one)")
        // The same rows as `mailroom alias list`.
        let entries = try s.mailroom("alias", "list", "example.com", "--json").jsonArray
        #expect(entries?.first { $0.string("address") == "alias@example.com" }?.strings("targets") == ["b@x.example", "c@x.example"])

        #expect(try s.vpop(bin, "valias", "-d", "alias@example.com").ok)
        let after = try s.vpop(bin, "valias", "example.com")
        #expect(after.stdout == "abuse@example.com -> postmaster@example.com\n", "\(after)")
        let gone = try s.vpop(bin, "valias", "alias@example.com")
        #expect(gone.status != 0 && gone.stderr.contains("does not exist"), "\(gone)")
    }

    @Test("vaddaliasdomain works with the arguments in either order")
    func aliasDomain() async throws {
        let (s, bin) = try withLinks()
        try #require(s.vpop(bin, "vadddomain", "example.com", "pmpass").ok)
        // vpopmail 5.4: vaddaliasdomain ALIAS REAL; older/newer docs: REAL ALIAS.
        let first = try s.vpop(bin, "vaddaliasdomain", "alias1.example", "example.com")
        #expect(first.ok, "\(first)")
        let second = try s.vpop(bin, "vaddaliasdomain", "example.com", "alias2.example")
        #expect(second.ok, "\(second)")
        let info = try #require(s.mailroom("domain", "info", "example.com", "--json").jsonObject)
        #expect(info.strings("domainAliases") == ["alias1.example", "alias2.example"], "\(info)")
        // Logins through either alias reach the real user.
        #expect(try s.mailroom("auth", "test", "postmaster@alias1.example", "pmpass").ok)
        #expect(try s.mailroom("auth", "test", "postmaster@alias2.example", "pmpass").ok)

        try await expectRefused(s, stderrContains: ["neither"]) {
            try s.vpop(bin, "vaddaliasdomain", "x.example", "y.example")
        }
        try #require(s.vpop(bin, "vadddomain", "other.example").ok)
        try await expectRefused(s, stderrContains: ["both"]) {
            try s.vpop(bin, "vaddaliasdomain", "example.com", "other.example")
        }
    }

    @Test("vmoduser -p disables POP3, -x clears; vdeluser; vdeldomain")
    func modifyAndDelete() async throws {
        let (s, bin) = try withLinks()
        try #require(s.vpop(bin, "vadddomain", "example.com", "pmpass").ok)
        try #require(s.vpop(bin, "vadduser", "a@example.com", "pw-a").ok)

        let mod = try s.vpop(bin, "vmoduser", "-p", "a@example.com")
        #expect(mod.ok, "\(mod)")
        let pop = try s.mailroom("auth", "test", "a@example.com", "pw-a", "--service", "pop3")
        #expect(pop.status == 1 && pop.output.contains("disabled"), "\(pop)")
        #expect(try s.mailroom("auth", "test", "a@example.com", "pw-a", "--service", "imap").ok)

        #expect(try s.vpop(bin, "vmoduser", "-c", "Alice A", "-q", "5M", "a@example.com").ok)
        let json = try #require(s.mailroom("user", "info", "a@example.com", "--json").jsonObject)
        #expect(json.string("displayName") == "Alice A")
        #expect(json.int("quotaBytes") == 5 << 20)
        #expect(json.strings("disabledServices") == ["pop3"])

        #expect(try s.vpop(bin, "vmoduser", "-x", "a@example.com").ok)
        #expect(try s.mailroom("auth", "test", "a@example.com", "pw-a", "--service", "pop3").ok)

        let maildir = try s.domainDirectory("example.com") + "/a/Maildir"
        let del = try s.vpop(bin, "vdeluser", "a@example.com")
        #expect(del.ok, "\(del)")
        #expect(!s.exists(maildir))
        #expect(s.entries("\(s.archiveDir)/example.com").contains { $0.hasPrefix("a-") })
        #expect(try s.mailroom("user", "info", "a@example.com").status != 0)
        let again = try s.vpop(bin, "vdeluser", "a@example.com")
        #expect(again.status != 0 && again.stderr.contains("does not exist"), "\(again)")

        let deldom = try s.vpop(bin, "vdeldomain", "example.com")
        #expect(deldom.ok, "\(deldom)")
        #expect(try s.mailroom("domain", "list", "--json").jsonArray?.isEmpty == true)
        #expect(!s.exists(try s.domainDirectory("example.com")))
        #expect(try s.mailroom("auth", "test", "postmaster@example.com", "pmpass").status == 1)
    }
}
