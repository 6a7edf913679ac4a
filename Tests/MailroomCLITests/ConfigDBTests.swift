// `mailroom config check`, `config defaults`, `db migrate` and `db status`.

import Foundation
import Testing

@Suite("CLI configuration and schema")
struct ConfigDBTests {
    @Test("config check reports an unknown key, a wrong type and an out-of-range value, each with its line")
    func configCheckReportsEachProblem() async throws {
        let s = try Sandbox()
        let file = try s.file("bad.toml", """
            # line 1
            [store]
            backend = "sqlite"
            cache_tll_seconds = 5

            [store.sqlite]
            path = 42

            [passwords]
            yescrypt_cost = 99
            """)
        let r = try s.bare(["config", "check", file])
        #expect(r.status != 0, "\(r)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        func reported(_ line: Int, _ key: String, _ text: String) -> Bool {
            lines.contains { $0.contains("line \(line)") && $0.contains("'\(key)'") && $0.contains(text) }
        }
        #expect(reported(4, "store.cache_tll_seconds", "unknown key"), "\(r)")
        #expect(reported(7, "store.sqlite.path", "expected a string"), "\(r)")
        #expect(reported(10, "passwords.yescrypt_cost", "out of range"), "\(r)")
        #expect(!r.stdout.contains("valid"), "\(r)")
    }

    @Test("config check: a TOML syntax error names its line")
    func syntaxError() async throws {
        let s = try Sandbox()
        let file = try s.file("syntax.toml", "[storage]\nmail_root = \"unterminated\n")
        let r = try s.bare(["config", "check", file])
        #expect(r.status != 0 && r.stderr.contains("line 2"), "\(r)")
    }

    @Test("config defaults output checks as valid, and so does the test configuration")
    func defaultsRoundTrip() async throws {
        let s = try Sandbox()
        let defaults = try s.bare(["config", "defaults"])
        #expect(defaults.ok, "\(defaults)")
        for key in ["store.sqlite", "storage", "passwords", "mail_root", "archive_dir", "spool_dir", "removed_mail", "yescrypt_cost"] {
            #expect(defaults.stdout.contains(key), "defaults lack \(key)")
        }
        let path = try s.file("defaults.toml", defaults.stdout)
        let check = try s.bare(["config", "check", path])
        #expect(check.ok, "\(check)")
        #expect(check.stdout.contains("configuration is valid"), "\(check)")
        #expect(try s.bare(["config", "check", s.configPath]).ok)
        let embedded = try s.bare(["config", "check"])
        #expect(embedded.ok, "\(embedded)")

        let missing = try s.bare(["config", "check", "\(s.root)/missing.toml"])
        #expect(missing.status != 0 && missing.stderr.contains("missing.toml"), "\(missing)")
    }

    @Test("db migrate then db status")
    func migrateAndStatus() async throws {
        let s = try Sandbox()
        let before = try s.mailroom("db", "status", "--json")
        #expect(before.ok, "\(before)")
        let fresh = try #require(before.jsonObject, "\(before)")
        let latest = try #require(fresh.int("latest"))
        #expect(latest >= 1)
        #expect(fresh.int("version") == 0)
        #expect(try s.mailroom("db", "status").stdout.contains("db migrate"))

        let migrate = try s.mailroom("db", "migrate")
        #expect(migrate.ok, "\(migrate)")
        #expect(migrate.stdout.contains("applied 0001_"), "\(migrate)")
        #expect(migrate.stdout.contains("schema version \(latest)"), "\(migrate)")

        let status = try s.mailroom("db", "status")
        #expect(status.ok && status.stdout.contains("schema version \(latest) of \(latest)"), "\(status)")
        #expect(!status.stdout.contains("db migrate"), "\(status)")

        // Migrating again applies nothing.
        let again = try s.mailroom("db", "migrate", "--json")
        let report = try #require(again.jsonObject, "\(again)")
        #expect((report["applied"] as? [Any])?.isEmpty == true, "\(again)")
        #expect(report.int("version") == latest, "\(again)")
        #expect(s.exists(s.databasePath))
    }

    @Test("the first store command migrates an empty database by itself")
    func implicitMigration() async throws {
        let s = try Sandbox()
        #expect(try s.mailroom("domain", "add", "example.com").ok)
        let status = try #require(s.mailroom("db", "status", "--json").jsonObject)
        #expect(status.int("version") == status.int("latest"))
    }
}
