// The configuration tree: every key documented, the example file equal to the defaults, and
// each kind of bad file reported with its line and key.

import Foundation
import MailroomCore
import Testing
@testable import MailroomConfig

@Suite("Configuration")
struct ConfigTests {
    static let exampleFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/mailroom.example.toml")

    @Test("Config/mailroom.example.toml is exactly `mailroom config defaults` (regenerate it when keys change)")
    func exampleMatchesDefaults() throws {
        let example = try String(contentsOf: Self.exampleFile, encoding: .utf8)
        #expect(example == MailroomConfig.renderDefaults())
    }

    @Test("every key has documentation, and the example file sets every key")
    func everyKeyDocumented() throws {
        let keys = MailroomConfig.documentedKeys
        #expect(keys.count >= 20)
        for key in keys {
            #expect(key.doc.count >= 15, "key \(key.path) needs a real doc line")
        }
        #expect(Set(keys.map(\.path)).count == keys.count, "a key is declared twice")
        let example = try String(contentsOf: Self.exampleFile, encoding: .utf8)
        let paths = try TOMLParser.parse(example).flattened().map(\.path)
        #expect(Set(paths) == Set(keys.map(\.path)))
    }

    @Test("the example file parses to the embedded defaults")
    func exampleParsesToDefaults() throws {
        let example = try String(contentsOf: Self.exampleFile, encoding: .utf8)
        #expect(try MailroomConfig.parse(example) == MailroomConfig())
    }

    @Test("a partial file overrides only what it sets")
    func partial() throws {
        let config = try MailroomConfig.parse("""
            [store]
            backend = "postgres"
            cache_ttl_seconds = 1
            [store.postgres]
            host = "db.internal"
            port = 6432
            [passwords]
            store_cram_md5 = false
            """)
        #expect(config.store.backend == "postgres")
        #expect(config.store.cacheTTLSeconds == 1)
        #expect(config.store.postgres.host == "db.internal" && config.store.postgres.port == 6432)
        #expect(config.store.postgres.database == "mailroom")
        #expect(!config.passwords.storeCRAMMD5)
        #expect(config.storage.mailRoot == "./data/mail")
    }

    @Test("every problem is named with its line and key")
    func problems() {
        let text = """
            [store]
            backend = "mysql"
            cache_ttl_seconds = 600
            [store.sqlite]
            read_connections = "four"
            [smtp]
            port = 25
            [passwords]
            scram_iterations = 1000
            """
        do {
            _ = try MailroomConfig.parse(text, file: "bad.toml")
            Issue.record("a bad file was accepted")
        } catch {
            let problems = error.problems
            #expect(problems.count == 5)
            #expect(problems.contains(ConfigProblem(line: 2, key: "store.backend", message: "'mysql' is not one of 'sqlite', 'postgres'")))
            #expect(problems.contains(ConfigProblem(line: 3, key: "store.cache_ttl_seconds",
                                                    message: "600.0 is out of range: must be between 0.0 and 60.0")))
            #expect(problems.contains(ConfigProblem(line: 5, key: "store.sqlite.read_connections",
                                                    message: "expected an integer, found string")))
            #expect(problems.contains(ConfigProblem(line: 7, key: "smtp.port", message: "unknown key")))
            #expect(problems.contains(ConfigProblem(line: 9, key: "passwords.scram_iterations",
                                                    message: "1000 is out of range: must be between 4096 and 1000000")))
            #expect(error.description.contains("bad.toml: line 2, key 'store.backend'"))
        }
    }

    @Test("a misplaced key gets a suggestion; TOML syntax errors keep their position")
    func suggestionsAndSyntax() {
        do {
            _ = try MailroomConfig.parse("[store]\npath = \"x.sqlite\"\n")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.first?.message == "unknown key (did you mean 'store.sqlite.path'?)")
        }
        do {
            _ = try MailroomConfig.parse("[store]\nbackend = \"sqlite\n")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.first?.line == 2)
        }
    }

    @Test("password and password_file together are refused; password_file is read")
    func passwordFile() throws {
        #expect(throws: ConfigError.self) {
            try MailroomConfig.parse("[store]\nbackend = \"postgres\"\n[store.postgres]\npassword = \"a\"\npassword_file = \"/x\"\n")
        }
        let path = NSTemporaryDirectory() + "mailroom-pw-\(UUID().uuidString)"
        try "s3cret\nignored\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try MailroomConfig.parse("[store.postgres]\npassword_file = \"\(path)\"\n")
        #expect(try config.postgresPassword() == "s3cret")
    }

    @Test("a missing or non-UTF-8 file is reported with its path")
    func unreadable() throws {
        #expect(throws: ConfigError.self) { try MailroomConfig.load(path: "/nonexistent/mailroom.toml") }
        let path = NSTemporaryDirectory() + "mailroom-bad-\(UUID().uuidString).toml"
        try Data([0x5b, 0xff, 0xfe, 0x5d]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try MailroomConfig.load(path: path)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("not valid UTF-8"))
        }
        #expect(try MailroomConfig.load(path: nil) == MailroomConfig())
    }
}
