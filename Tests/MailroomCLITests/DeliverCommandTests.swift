// `mailroom deliver` end to end, as an MTA's pipe runs it: the real binary, the message on
// standard input, the exit status and the one stderr line checked against sysexits and RFC 3463,
// and the Maildir read back from disk (and through `mailroom maildir list`), never through the
// code under test. Also: 8 delivery processes at once into one mailbox while other processes
// open it, then every message is there once, with UIDs 1…80.

import Foundation
import Testing

/// Helpers shared by the deliver and maildir tests.
extension Sandbox {
    /// `mailroom deliver ARGS --config <sandbox>` with `message` on standard input.
    func deliver(_ arguments: [String], message: String) throws -> CLIResult {
        try CLI.run(CLI.binary, ["deliver"] + arguments + ["--config", configPath], in: root,
                    environment: environment(), input: message)
    }

    /// Adds `line` to the [storage] table of the sandbox configuration.
    func setStorageKey(_ line: String) throws {
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
        try #require(text.contains("[storage]\n"))
        try text.replacingOccurrences(of: "[storage]\n", with: "[storage]\n\(line)\n")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// The Maildir of `local`@`asciiDomain` at the documented path.
    func maildir(_ local: String, _ asciiDomain: String) throws -> String {
        try domainDirectory(asciiDomain) + "/\(local)/Maildir"
    }

    /// The messages in a Maildir's new/ and cur/, read from disk.
    func storedMessages(_ maildir: String) -> [String] {
        ["new", "cur"].flatMap { sub in
            entries("\(maildir)/\(sub)").compactMap { name in
                try? String(contentsOfFile: "\(maildir)/\(sub)/\(name)", encoding: .utf8)
            }
        }
    }
}

/// A small message with LF line ends, as Postfix's pipe hands it over.
func testMessage(subject: String = "hello", extraHeaders: String = "", body: String = "Hello there.\n") -> String {
    "From: Bob <bob@else.example>\nTo: alice@example.com\n\(extraHeaders)Subject: \(subject)\n\n\(body)"
}

@Suite("mailroom deliver")
struct DeliverCommandTests {
    /// example.com with alice and bob.
    func setUp(_ s: Sandbox, quota: String? = nil) throws {
        try #require(s.mailroom("domain", "add", "example.com").ok)
        if let quota {
            try #require(s.mailroom("user", "add", "alice@example.com", "pw", "--quota", quota).ok)
        } else {
            try #require(s.mailroom("user", "add", "alice@example.com", "pw").ok)
        }
        try #require(s.mailroom("user", "add", "bob@example.com", "pw").ok)
    }

    @Test("delivers into new/ with Return-Path and Delivered-To prepended; maildir list shows it as UID 1")
    func deliverToUser() async throws {
        let s = try Sandbox()
        try setUp(s)
        let message = testMessage()
        let r = try s.deliver(["--to", "alice@example.com", "--from", "bob@else.example"], message: message)
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")

        let maildir = try s.maildir("alice", "example.com")
        let new = s.entries("\(maildir)/new")
        try #require(new.count == 1, "one file in new/: \(new)")
        let stored = try String(contentsOfFile: "\(maildir)/new/\(new[0])", encoding: .utf8)
        #expect(stored == "Return-Path: <bob@else.example>\nDelivered-To: alice@example.com\n" + message)
        #expect(s.entries("\(maildir)/tmp").isEmpty, "nothing left in tmp/")
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).isEmpty, "bob got nothing")

        let list = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        #expect(list.ok, "\(list)")
        let messages = try #require(list.jsonObject?["messages"] as? [[String: Any]], "\(list)")
        try #require(messages.count == 1, "\(list)")
        #expect(messages[0].int("uid") == 1)
        // RFC822.SIZE counts CRLF line ends: every LF becomes two bytes.
        let lf = stored.utf8.filter { $0 == 0x0A }.count
        #expect(messages[0].int("size") == stored.utf8.count + lf, "\(list)")
        #expect(messages[0].strings("flags") == [], "\(list)")
    }

    @Test("--from \"\" writes the null reverse-path; without --from there is no Return-Path; CRLF messages get CRLF headers")
    func returnPathForms() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.deliver(["--to", "alice@example.com", "--from", ""], message: testMessage(subject: "bounce")).ok)
        try #require(s.deliver(["--to", "bob@example.com"], message: testMessage(subject: "plain")).ok)
        let crlf = "Subject: crlf\r\n\r\nbody\r\n"
        try #require(s.deliver(["--to", "alice@example.com", "--from", "<x@y.example>"], message: crlf).ok)

        let alice = s.storedMessages(try s.maildir("alice", "example.com"))
        #expect(alice.contains("Return-Path: <>\nDelivered-To: alice@example.com\n" + testMessage(subject: "bounce")), "\(alice)")
        #expect(alice.contains("Return-Path: <x@y.example>\r\nDelivered-To: alice@example.com\r\n" + crlf), "\(alice)")
        let bob = s.storedMessages(try s.maildir("bob", "example.com"))
        #expect(bob == ["Delivered-To: bob@example.com\n" + testMessage(subject: "plain")], "\(bob)")
    }

    @Test("a leading mbox From_ line (Postfix pipe flag F) is dropped")
    func mboxFromLineDropped() async throws {
        let s = try Sandbox()
        try setUp(s)
        let r = try s.deliver(["--to", "alice@example.com"], message: "From bob@else.example Mon Jan  1 00:00:00 2024\n" + testMessage())
        #expect(r.ok, "\(r)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")) == ["Delivered-To: alice@example.com\n" + testMessage()])
    }

    @Test("unknown user, unhosted domain and disabled domain exit 67 (EX_NOUSER) and store nothing", arguments: [
        ("nobody@example.com", "5.1.1"),
        ("alice@not-hosted.example", "5.1.2"),
        ("carol@off.example", "5.2.1"),
        ("not an address", "5.1.3"),
    ])
    func unknownRecipients(address: String, status: String) async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("domain", "add", "off.example").ok)
        try #require(s.mailroom("user", "add", "carol@off.example", "pw").ok)
        try #require(s.mailroom("domain", "disable", "off.example").ok)
        try await expectRefused(s, stderrContains: ["\(status) mailroom deliver: "]) {
            let r = try s.deliver(["--to", address, "--from", "bob@else.example"], message: testMessage())
            #expect(r.status == 67, "\(r)")
            #expect(r.stderr.hasPrefix(status + " "), "the status code starts the output, for Postfix's pipe: \(r)")
            #expect(r.stderr.filter { $0 == "\n" }.count == 1, "one line: \(r)")
            return r
        }
    }

    @Test("--exit-codes qmail: permanent failures exit 100, temporary ones 111 (qmail-command(8))")
    func qmailExitCodes() async throws {
        let s = try Sandbox()
        try setUp(s)
        let unknown = try s.deliver(["--to", "nobody@example.com", "--exit-codes", "qmail"], message: testMessage())
        #expect(unknown.status == 100, "\(unknown)")
        try #require(s.mailroom("alias", "add", "fwd@example.com", "someone@elsewhere.example").ok)
        let external = try s.deliver(["--to", "fwd@example.com", "--exit-codes", "qmail"], message: testMessage())
        #expect(external.status == 111, "\(external)")
        let ok = try s.deliver(["--to", "alice@example.com", "--exit-codes", "qmail"], message: testMessage())
        #expect(ok.status == 0, "\(ok)")
    }

    @Test("an alias with two local targets delivers one copy to each; a mailbox reached twice gets one copy")
    func aliasWithLocalTargets() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("alias", "add", "team@example.com", "alice@example.com", "bob@example.com").ok)
        try #require(s.mailroom("alias", "add", "all@example.com", "team@example.com", "alice@example.com").ok)

        let r = try s.deliver(["--to", "team@example.com", "--from", "bob@else.example"], message: testMessage(subject: "team"))
        #expect(r.status == 0, "\(r)")
        let expected = "Return-Path: <bob@else.example>\nDelivered-To: team@example.com\n" + testMessage(subject: "team")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")) == [expected])
        #expect(s.storedMessages(try s.maildir("bob", "example.com")) == [expected])

        // all → team → alice, bob; all → alice directly too: still one copy each.
        let all = try s.deliver(["--to", "all@example.com"], message: testMessage(subject: "all"))
        #expect(all.status == 0, "\(all)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 2)
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).count == 2)

        // Three addresses of one mailbox (itself, an extension, a domain alias): one copy.
        try #require(s.mailroom("domain", "alias", "example.net", "example.com").ok)
        try #require(s.mailroom("alias", "add", "same@example.com", "alice@example.com", "alice+tag@example.com",
                                "alice@example.net").ok)
        let same = try s.deliver(["--to", "same@example.com"], message: testMessage(subject: "same"))
        #expect(same.status == 0, "\(same)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 3)
    }

    @Test("a mailbox that forwards and keeps a copy (alias add --keep-copy) gets its copy")
    func keepCopy() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("alias", "add", "alice@example.com", "bob@example.com", "--keep-copy").ok)
        let r = try s.deliver(["--to", "alice@example.com"], message: testMessage())
        #expect(r.status == 0, "\(r)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 1)
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).count == 1)
    }

    @Test("an alias with an external target exits 75 and delivers nothing, not even to its local targets")
    func aliasWithExternalTarget() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("alias", "add", "sales@example.com", "alice@example.com", "partner@elsewhere.example").ok)
        try await expectRefused(s, stderrContains: ["4.3.0", "SMTP queue", "partner@elsewhere.example", "nothing was delivered"]) {
            let r = try s.deliver(["--to", "sales@example.com", "--from", "bob@else.example"], message: testMessage())
            #expect(r.status == 75, "\(r)")
            return r
        }
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).isEmpty)
    }

    @Test("an alias whose target does not exist is a configuration problem: 75 (4.3.5), nothing delivered")
    func aliasWithMissingTarget() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("alias", "add", "team@example.com", "alice@example.com", "ghost@example.com").ok)
        try await expectRefused(s, stderrContains: ["4.3.5", "ghost@example.com"]) {
            let r = try s.deliver(["--to", "team@example.com"], message: testMessage())
            #expect(r.status == 75, "\(r)")
            return r
        }
    }

    @Test("aliases that only lead back to themselves are a loop: 65 (5.4.6)")
    func aliasLoop() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("alias", "add", "a@example.com", "b@example.com").ok)
        try #require(s.mailroom("alias", "add", "b@example.com", "a@example.com").ok)
        try await expectRefused(s, stderrContains: ["5.4.6", "a@example.com"]) {
            let r = try s.deliver(["--to", "a@example.com"], message: testMessage())
            #expect(r.status == 65, "\(r)")
            return r
        }
        // A cycle that also reaches a mailbox delivers once to it.
        try #require(s.mailroom("alias", "add", "b@example.com", "bob@example.com").ok)
        let r = try s.deliver(["--to", "a@example.com"], message: testMessage())
        #expect(r.status == 0, "\(r)")
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).count == 1)
    }

    @Test("aliases nested more than 10 deep are refused (65, 5.4.6); 10 deep is delivered")
    func aliasNestingLimit() async throws {
        let s = try Sandbox()
        try setUp(s)
        // hop0 → hop1 → … → hop10 → alice: the recipient plus 10 aliases below it.
        for i in 0..<10 {
            try #require(s.mailroom("alias", "add", "hop\(i)@example.com", "hop\(i + 1)@example.com").ok)
        }
        try #require(s.mailroom("alias", "add", "hop10@example.com", "alice@example.com").ok)
        let ok = try s.deliver(["--to", "hop1@example.com"], message: testMessage())
        #expect(ok.status == 0, "\(ok)")
        let deep = try s.deliver(["--to", "hop0@example.com"], message: testMessage())
        #expect(deep.status == 65, "\(deep)")
        #expect(deep.stderr.hasPrefix("5.4.6 "), "\(deep)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 1)
    }

    @Test("catch-all: mail for an unknown user of the domain goes to the catch-all target")
    func catchAll() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("domain", "catchall", "example.com", "alice@example.com").ok)
        let r = try s.deliver(["--to", "whoever@example.com"], message: testMessage())
        #expect(r.status == 0, "\(r)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")) == ["Delivered-To: whoever@example.com\n" + testMessage()])
        // Existing users still get their own mail.
        try #require(s.deliver(["--to", "bob@example.com"], message: testMessage()).ok)
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).count == 1)
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 1)
    }

    @Test("a domain alias delivers user@alias-domain into user@domain's Maildir")
    func domainAlias() async throws {
        let s = try Sandbox()
        try setUp(s)
        try #require(s.mailroom("domain", "alias", "example.net", "example.com").ok)
        let r = try s.deliver(["--to", "Alice@Example.NET"], message: testMessage())
        #expect(r.status == 0, "\(r)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")) == ["Delivered-To: alice@example.net\n" + testMessage()])
        #expect(!s.exists(try s.domainDirectory("example.net")), "no tree for the alias domain")
    }

    @Test("mailbox full exits 77 (EX_NOPERM, 5.2.2) and stores nothing", arguments: ["2C", "400B"])
    func quotaFull(quota: String) async throws {
        let s = try Sandbox()
        try setUp(s, quota: quota)
        let maildir = try s.maildir("alice", "example.com")
        // Each delivered copy is 109 bytes: two fit in either quota; the third (309 bytes) does not.
        for i in 0..<2 {
            let r = try s.deliver(["--to", "alice@example.com"], message: testMessage(subject: "n\(i)"))
            try #require(r.status == 0, "\(r)")
        }
        try await expectRefused(s, stderrContains: ["5.2.2 mailroom deliver: mailbox full"]) {
            let r = try s.deliver(["--to", "alice@example.com"], message: testMessage(subject: "n2" + String(repeating: "x", count: 200)))
            #expect(r.status == 77, "\(r)")
            return r
        }
        #expect(s.storedMessages(maildir).count == 2)
    }

    @Test("with storage.quota_full_tempfail = true a full mailbox exits 75 (4.2.2)")
    func quotaFullTempfail() async throws {
        let s = try Sandbox()
        try s.setStorageKey("quota_full_tempfail = true")
        try setUp(s, quota: "1C")
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage()).ok)
        let r = try s.deliver(["--to", "alice@example.com"], message: testMessage())
        #expect(r.status == 75, "\(r)")
        #expect(r.stderr.hasPrefix("4.2.2 mailroom deliver: mailbox full"), "\(r)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 1)
    }

    @Test("an alias to two mailboxes, one of them full, delivers to neither")
    func aliasQuotaAllOrNothing() async throws {
        let s = try Sandbox()
        try setUp(s, quota: "1C")
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage()).ok)
        try #require(s.mailroom("alias", "add", "team@example.com", "bob@example.com", "alice@example.com").ok)
        let r = try s.deliver(["--to", "team@example.com"], message: testMessage())
        #expect(r.status == 77, "\(r)")
        #expect(s.storedMessages(try s.maildir("bob", "example.com")).isEmpty, "bob must not get a copy when alice's is refused")
    }

    @Test("a message already carrying Delivered-To: for this recipient is a mail loop (65, 5.4.6)", arguments: [
        "Delivered-To: alice@example.com\n",
        "DELIVERED-TO:   <Alice@EXAMPLE.com>\n",
        "Delivered-To:\n alice@example.com\n",
        "Delivered-To: other@example.com\nDelivered-To: alice@example.com\r\n",
    ])
    func deliveredToLoop(header: String) async throws {
        let s = try Sandbox()
        try setUp(s)
        try await expectRefused(s, stderrContains: ["5.4.6", "mail loop"]) {
            let r = try s.deliver(["--to", "alice@example.com"], message: header + testMessage())
            #expect(r.status == 65, "\(r)")
            return r
        }
    }

    @Test("Delivered-To: for another address, or in the body, is not a loop")
    func deliveredToOther() async throws {
        let s = try Sandbox()
        try setUp(s)
        let other = try s.deliver(["--to", "alice@example.com"], message: "Delivered-To: bob@example.com\n" + testMessage())
        #expect(other.status == 0, "\(other)")
        let body = try s.deliver(["--to", "alice@example.com"],
                                 message: testMessage(body: "Delivered-To: alice@example.com\nquoted bounce\n"))
        #expect(body.status == 0, "\(body)")
        #expect(s.storedMessages(try s.maildir("alice", "example.com")).count == 2)
    }

    @Test("a message larger than storage.max_message_bytes exits 65 (5.3.4); an empty one 65 (5.6.0)")
    func tooLargeAndEmpty() async throws {
        let s = try Sandbox()
        try s.setStorageKey("max_message_bytes = 65536")
        try setUp(s)
        let big = testMessage(body: String(repeating: "0123456789abcdef\n", count: 4000))
        try await expectRefused(s, stderrContains: ["5.3.4", "65536"]) {
            let r = try s.deliver(["--to", "alice@example.com"], message: big)
            #expect(r.status == 65, "\(r)")
            return r
        }
        try await expectRefused(s, stderrContains: ["5.6.0"]) {
            let r = try s.deliver(["--to", "alice@example.com"], message: "")
            #expect(r.status == 65, "\(r)")
            return r
        }
        let fits = testMessage(body: String(repeating: "0123456789abcdef\n", count: 3000))
        #expect(try s.deliver(["--to", "alice@example.com"], message: fits).ok)
    }

    @Test("a --from that could inject a header line is refused (64)")
    func badSender() async throws {
        let s = try Sandbox()
        try setUp(s)
        try await expectRefused(s, stderrContains: ["5.1.7"]) {
            let r = try s.deliver(["--to", "alice@example.com", "--from", "a@b.example>\nX-Evil: 1"], message: testMessage())
            #expect(r.status == 64, "\(r)")
            return r
        }
    }

    @Test("a broken configuration or an unreachable store is temporary (75), never a bounce")
    func temporaryOnConfigurationProblems() async throws {
        let s = try Sandbox()
        try setUp(s)
        try s.setStorageKey("no_such_key = 1")
        let broken = try s.deliver(["--to", "alice@example.com"], message: testMessage())
        #expect(broken.status == 75, "\(broken)")
        #expect(broken.stderr.hasPrefix("4.3.5 "), "\(broken)")

        let t = try Sandbox()
        let text = try String(contentsOfFile: t.configPath, encoding: .utf8)
            .replacingOccurrences(of: t.databasePath, with: "/dev/null/cannot/exist.sqlite")
        try text.write(toFile: t.configPath, atomically: true, encoding: .utf8)
        let unreachable = try t.deliver(["--to", "alice@example.com"], message: testMessage())
        #expect(unreachable.status == 75, "\(unreachable)")
        #expect(unreachable.stderr.hasPrefix("4.4.3 "), "\(unreachable)")
    }

    @Test("storage.host_name is the host part of new Maildir file names")
    func hostName() async throws {
        let s = try Sandbox()
        try s.setStorageKey("host_name = \"node7.example\"")
        try setUp(s)
        try #require(s.deliver(["--to", "alice@example.com"], message: testMessage()).ok)
        let names = s.entries(try s.maildir("alice", "example.com") + "/new")
        #expect(names.count == 1 && names[0].contains(".node7.example,"), "\(names)")
    }

    @Test("the storage keys of deliver and the Maildir engine are bounds-checked", arguments: [
        ("uidlist_lock_stale_seconds = 4", "between 5 and 3600"),
        ("uidlist_lock_stale_seconds = 3601", "between 5 and 3600"),
        ("tmp_cleanup_hours = 0", "between 1 and 720"),
        ("max_message_bytes = 1000", "between 65536 and 1073741824"),
        ("quota_full_tempfail = \"yes\"", "expected true or false"),
        ("host_name = \"a/b\"", "'/'"),
        ("host_name = \"a:b\"", "':'"),
    ])
    func storageKeys(line: String, problem: String) async throws {
        let bad = try Sandbox()
        try bad.setStorageKey(line)
        let r = try bad.bare(["config", "check", bad.configPath])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("storage.") && r.stderr.contains(problem), "\(r)")
    }

    @Test("a missing Maildir is created on delivery, as Dovecot's LDA does")
    func createsMissingMaildir() async throws {
        let s = try Sandbox()
        try setUp(s)
        let maildir = try s.maildir("alice", "example.com")
        try FileManager.default.removeItem(atPath: maildir)
        let r = try s.deliver(["--to", "alice@example.com"], message: testMessage())
        #expect(r.status == 0, "\(r)")
        #expect(s.storedMessages(maildir).count == 1)
        #expect(s.isDirectory("\(maildir)/.Sent/cur"))
    }

    @Test("用户@例子.中国: delivered to the UTF-8 user directory under the punycode domain, listed by either form")
    func chineseAddress() async throws {
        let s = try Sandbox()
        try #require(s.mailroom("domain", "add", "例子.中国").ok)
        try #require(s.mailroom("user", "add", "用户@例子.中国", "pw").ok)
        let message = "From: 发件人 <sender@例子.中国>\nSubject: =?UTF-8?B?5L2g5aW9?=\nContent-Type: text/plain; charset=UTF-8\n\n你好，世界\n"
        let r = try s.deliver(["--to", "用户@例子.中国", "--from", "sender@例子.中国"], message: message)
        #expect(r.status == 0, "\(r)")
        let viaASCII = try s.deliver(["--to", "用户@xn--fsqu00a.xn--fiqs8s"], message: message)
        #expect(viaASCII.status == 0, "\(viaASCII)")

        let maildir = try s.maildir("用户", "xn--fsqu00a.xn--fiqs8s")
        let stored = s.storedMessages(maildir).sorted()
        #expect(stored == ["Delivered-To: 用户@xn--fsqu00a.xn--fiqs8s\n" + message,
                           "Return-Path: <sender@例子.中国>\nDelivered-To: 用户@xn--fsqu00a.xn--fiqs8s\n" + message], "\(stored)")

        let list = try s.mailroom("maildir", "list", "用户@例子.中国", "--json")
        #expect((list.jsonObject?["messages"] as? [[String: Any]])?.map { $0.int("uid") } == [1, 2], "\(list)")
        // The loop check knows both forms of the domain.
        let loop = try s.deliver(["--to", "用户@例子.中国"], message: "Delivered-To: 用户@xn--fsqu00a.xn--fiqs8s\n" + message)
        #expect(loop.status == 65, "\(loop)")
    }

    @Test("8 deliver processes × 10 messages at once, while other processes open the folder: 80 messages, UIDs 1…80 once each")
    func concurrentDeliveries() async throws {
        let s = try Sandbox()
        try setUp(s)
        let workers = 8, perWorker = 10
        // Each worker is one shell running `mailroom deliver` 10 times in a row; all start together.
        let deliverScript = """
            i=0
            while [ $i -lt \(perWorker) ]; do
              printf 'Subject: w%s-%s\\nX-Seq: %s-%s\\n\\nbody\\n' "$W" "$i" "$W" "$i" \
                | "$BIN" deliver --to alice@example.com --from bob@else.example --config "$CFG" || exit $?
              i=$((i+1))
            done
            """
        // Two more processes open INBOX over and over meanwhile, assigning UIDs as IMAP would.
        let listScript = """
            i=0
            while [ $i -lt 15 ]; do
              "$BIN" maildir list alice@example.com --json --config "$CFG" > /dev/null || exit $?
              i=$((i+1))
            done
            """
        var processes: [(Process, String)] = []
        for w in 0..<(workers + 2) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", w < workers ? deliverScript : listScript]
            var env = s.environment()
            env["BIN"] = CLI.binary
            env["CFG"] = s.configPath
            env["W"] = String(w)
            p.environment = env
            p.currentDirectoryURL = URL(fileURLWithPath: s.root)
            let errPath = "\(s.root)/worker-\(w).err"
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            p.standardOutput = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            processes.append((p, errPath))
        }
        for (p, _) in processes { try p.run() }
        for (p, errPath) in processes {
            p.waitUntilExit()
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            #expect(p.terminationStatus == 0, "worker \(p.arguments ?? []) exited \(p.terminationStatus): \(err)")
        }

        let list = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        try #require(list.ok, "\(list)")
        let messages = try #require(list.jsonObject?["messages"] as? [[String: Any]], "\(list)")
        let uids = messages.compactMap { $0.int("uid") }
        #expect(uids.count == workers * perWorker, "\(uids)")
        #expect(uids == Array(1...(workers * perWorker)), "UIDs 1…80, each once, increasing: \(uids)")

        // Every message is on disk exactly once.
        let seqs = s.storedMessages(try s.maildir("alice", "example.com")).compactMap { text in
            text.split(separator: "\n").first { $0.hasPrefix("X-Seq: ") }.map { String($0.dropFirst(7)) }
        }
        let expected = (0..<workers).flatMap { w in (0..<perWorker).map { "\(w)-\($0)" } }
        #expect(seqs.sorted() == expected.sorted(), "\(seqs.count) messages on disk")

        let again = try s.mailroom("maildir", "list", "alice@example.com", "--json")
        #expect((again.jsonObject?["messages"] as? [[String: Any]])?.compactMap { $0.int("uid") } == uids,
                "a second open keeps the UIDs")
    }
}
