// URLAuthEngineTests.swift — GENURLAUTH, URLFETCH and RESETKEY (RFC 4467, RFC 5524) in
// Mailbox/IMAPMailboxEngine+URLAuth.swift, against MemoryStorage and MemoryURLAuthKeys: tokens
// made and checked, every access identifier for the owner, a colleague of the same domain and
// a user of another domain, EXPIRE, RESETKEY, the refusals of GENURLAUTH, BINARY and
// BODYPARTSTRUCTURE, and the owners the adapter must look up.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: URLAUTH")
struct URLAuthEngineTests {
    static let plain = "From: a@example.com\r\nSubject: s\r\n\r\nhello\r\n"
    static let mime = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--b\r\n"
        + "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nraw\r\n--b--\r\n"

    /// A user's mail: storage with INBOX holding `plain` (UID 1) and `mime` (UID 2), keys, and
    /// an engine logged in as them.
    final class Account {
        let address: String
        let storage = MemoryStorage()
        let keys = MemoryURLAuthKeys()
        let clock: Clock
        var engine: IMAPMailboxEngine
        init(_ address: String, clock: Clock = Clock()) throws {
            self.address = address
            self.clock = clock
            for text in [URLAuthEngineTests.plain, URLAuthEngineTests.mime] {
                _ = try storage.append(.inbox, message: Array(text.utf8), flags: [], keywords: [], internalDate: nil)
            }
            var options = IMAPMailboxEngine.Options()
            options.urlAuth = URLAuthAccount(user: address, serverNames: ["mail.example.net"], keys: keys, now: { [clock] in clock.now })
            engine = IMAPMailboxEngine(storage: storage, options: options)
        }
        var mail: URLAuthOwnerMail { URLAuthOwnerMail(storage: storage, keys: keys) }

        /// Runs `line`; every response as text, the tagged one last.
        @discardableResult
        func run(_ line: String, owners: [Account] = []) -> [String] {
            guard let tagged = try? IMAPCommandParser().parse(Array(line.utf8)) else { return ["parse error"] }
            var out: [String] = []
            let map = Dictionary(uniqueKeysWithValues: owners.map { ($0.address, $0.mail) })
            let reply = engine.execute(tag: tagged.tag, tagged.command, owners: map) { out += $0.map(\.encodedText) }
            return out + [reply.encodedText]
        }

        /// GENURLAUTH for `rump`: the authorized URL.
        func authorize(_ rump: String) -> String? {
            let out = run("g GENURLAUTH \"\(rump)\" INTERNAL")
            guard out.last == "g OK GENURLAUTH completed", let line = out.first, line.hasPrefix("* GENURLAUTH ") else { return nil }
            return String(line.dropFirst("* GENURLAUTH ".count))
        }
    }

    final class Clock: @unchecked Sendable {
        var now: Int64 = 1_800_000_000
    }

    /// "* URLFETCH url <data>" for the first URL (the data after the URL).
    static func fetched(_ account: Account, _ url: String, owners: [Account] = []) -> String? {
        let out = account.run("f URLFETCH \(url)", owners: owners)
        guard out.last == "f OK URLFETCH completed", let line = out.first, line.hasPrefix("* URLFETCH \(url) ") else { return nil }
        return String(line.dropFirst("* URLFETCH \(url) ".count))
    }

    @Test("GENURLAUTH makes a token over the rump as sent; URLFETCH answers the data, the verifier in lower case")
    func generateAndFetch() throws {
        let alice = try Account("alice@example.com")
        let url = try #require(alice.authorize("imap://alice@example.com/INBOX/;UID=1;URLAUTH=user+alice@example.com"))
        #expect(url.hasPrefix("imap://alice@example.com/INBOX/;UID=1;URLAUTH=user+alice@example.com:internal:01"))
        #expect(url.count == "imap://alice@example.com/INBOX/;UID=1;URLAUTH=user+alice@example.com:internal:".count + 66)
        #expect(Self.fetched(alice, url) == "{\(Self.plain.utf8.count)}\r\n\(Self.plain)")
        // The token is the same for the same rump and key, and any case of its hex digits.
        #expect(alice.authorize("imap://alice@example.com/INBOX/;UID=1;URLAUTH=user+alice@example.com") == url)
        let rump = "imap://alice@example.com/INBOX/;UID=1;URLAUTH=user+alice@example.com"
        let token = url.dropFirst(rump.count + ":internal:".count)
        #expect(Self.fetched(alice, rump + ":INTERNAL:" + token.uppercased()) != "NIL")
        // Sections and partial ranges.
        let header = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1/;section=HEADER/;partial=6.13;urlauth=anonymous"))
        #expect(Self.fetched(alice, header) == "{13}\r\na@example.com")
    }

    @Test("a changed token, rump, mechanism or key is NIL; URLFETCH never fails the command")
    func tampering() throws {
        let alice = try Account("alice@example.com")
        let url = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous"))
        let digit = url.last == "0" ? "1" : "0"
        #expect(Self.fetched(alice, String(url.dropLast()) + digit) == "NIL")
        #expect(Self.fetched(alice, url.replacingOccurrences(of: ";uid=1;", with: ";uid=2;")) == "NIL")
        #expect(Self.fetched(alice, url.replacingOccurrences(of: ":internal:", with: ":other:")) == "NIL")
        #expect(Self.fetched(alice, "imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous") == "NIL")
        #expect(Self.fetched(alice, "/INBOX/;uid=1") == "NIL")
        #expect(Self.fetched(alice, "not-a-url") == "NIL")
        try alice.keys.removeKey(for: .inbox)
        #expect(Self.fetched(alice, url) == "NIL")
    }

    @Test("access identifiers: user+, authuser (same domain only), anonymous, submit+")
    func access() throws {
        let alice = try Account("alice@example.com")
        let bob = try Account("bob@example.com")
        let carol = try Account("carol@other.org")
        func url(_ access: String) throws -> String {
            try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1;urlauth=\(access)"))
        }
        let forBob = try url("user+bob@example.com")
        #expect(Self.fetched(bob, forBob, owners: [alice]) != "NIL")
        #expect(Self.fetched(carol, forBob, owners: [alice]) == "NIL")
        #expect(Self.fetched(alice, forBob) == "NIL")
        let authuser = try url("authuser")
        #expect(Self.fetched(alice, authuser) != "NIL")
        #expect(Self.fetched(bob, authuser, owners: [alice]) != "NIL")
        #expect(Self.fetched(carol, authuser, owners: [alice]) == "NIL", "authuser stays within the domain")
        let anonymous = try url("anonymous")
        #expect(Self.fetched(carol, anonymous, owners: [alice]) != "NIL")
        let submit = try url("submit+alice@example.com")
        #expect(Self.fetched(alice, submit) == "NIL", "IMAP sessions are not submission entities")
        // Without the owner's mail (the adapter did not find the user) nothing is read.
        #expect(Self.fetched(bob, authuser) == "NIL")
    }

    @Test("the owners the adapter must look up: other users named by URLAUTH URLs, each once, bounded")
    func owners() throws {
        let command = try #require(try? IMAPCommandParser().parse(Array(
            ("a URLFETCH imap://bob@example.com/INBOX/;uid=1;urlauth=anonymous:internal:00000000000000000000000000000000 "
             + "(\"imap://carol%40other.org@mail.example.net/INBOX/;uid=1;urlauth=authuser:internal:00000000000000000000000000000000\" BINARY) "
             + "imap://BOB@example.com/x/;uid=2;urlauth=anonymous imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous /INBOX/;uid=1").utf8)).command)
        #expect(IMAPMailboxEngine.urlOwners(in: command, excluding: "Alice@example.com") == ["bob@example.com", "carol@other.org"])
        let append = IMAPCommand.append(.inbox, [AppendMessage(data: [], catenate: [.url(Array("imap://dan@example.com/INBOX/;uid=1;urlauth=anonymous:internal:00000000000000000000000000000000".utf8))])])
        #expect(IMAPMailboxEngine.urlOwners(in: append, excluding: "alice@example.com") == ["dan@example.com"])
        #expect(IMAPMailboxEngine.urlOwners(in: .noop, excluding: "alice@example.com").isEmpty)
    }

    @Test("EXPIRE: the URL works until then, NIL after")
    func expire() throws {
        let alice = try Account("alice@example.com")
        let url = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1;expire=2028-01-01T00:00:00Z;urlauth=anonymous"))
        #expect(Self.fetched(alice, url) != "NIL")
        alice.clock.now = 1_800_000_000 + 2 * 365 * 86400   // 2029
        #expect(Self.fetched(alice, url) == "NIL")
    }

    @Test("RESETKEY of a mailbox, and of all of them, makes earlier URLs fail; new ones work")
    func resetKey() throws {
        let alice = try Account("alice@example.com")
        try alice.storage.createFolder(FolderPath(["Work"]))
        _ = try alice.storage.append(FolderPath(["Work"]), message: Array(Self.plain.utf8), flags: [], keywords: [], internalDate: nil)
        let inbox = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous"))
        let work = try #require(alice.authorize("imap://alice@example.com/Work/;uid=1;urlauth=anonymous"))
        #expect(alice.run("r RESETKEY Work") == ["r OK [URLMECH INTERNAL] RESETKEY completed"])
        #expect(Self.fetched(alice, work) == "NIL")
        #expect(Self.fetched(alice, inbox) != "NIL")
        let work2 = try #require(alice.authorize("imap://alice@example.com/Work/;uid=1;urlauth=anonymous"))
        #expect(work2 != work && Self.fetched(alice, work2) != "NIL")
        #expect(alice.run("r RESETKEY").last == "r OK [URLMECH INTERNAL] RESETKEY completed")
        #expect(Self.fetched(alice, inbox) == "NIL" && Self.fetched(alice, work2) == "NIL")
        #expect(alice.run("r RESETKEY Nowhere").last == "r NO [NONEXISTENT] Mailbox does not exist")
        #expect(alice.run("r RESETKEY INBOX XSAMPLE").last == "r BAD Unsupported URLAUTH mechanism")
    }

    @Test("GENURLAUTH refuses with BAD what is not a URLAUTH-ready URL of the user's own existing mailbox", arguments: [
        ("\"imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous\" XSAMPLE", "Unsupported URLAUTH mechanism"),
        ("\"imap://alice@example.com/INBOX/;uid=1\" INTERNAL", "Not a URLAUTH-ready URL (imap://user@host/mailbox/;UID=n...;URLAUTH=access)"),
        ("\"/INBOX/;uid=1;urlauth=anonymous\" INTERNAL", "Not a URLAUTH-ready URL (imap://user@host/mailbox/;UID=n...;URLAUTH=access)"),
        ("\"imap://alice@example.com/INBOX/;uid=1;urlauth=anonymous:internal:00000000000000000000000000000000\" INTERNAL",
         "Not a URLAUTH-ready URL (imap://user@host/mailbox/;UID=n...;URLAUTH=access)"),
        ("\"imap://bob@example.com/INBOX/;uid=1;urlauth=anonymous\" INTERNAL", "The URL does not name the logged-in user on this server"),
        ("\"imap://alice@example.org/INBOX/;uid=1;urlauth=anonymous\" INTERNAL", "The URL does not name the logged-in user on this server"),
        ("\"imap://alice@example.com/Nowhere/;uid=1;urlauth=anonymous\" INTERNAL", "The mailbox in the URL does not exist"),
        ("\"imap://alice@example.com/INBOX/;uid=0;urlauth=anonymous\" INTERNAL", "Invalid URL: invalid number in ;UID="),
    ])
    func genURLAuthRefusals(_ arguments: String, _ reason: String) throws {
        let alice = try Account("alice@example.com")
        #expect(alice.run("g GENURLAUTH \(arguments)") == ["g BAD \(reason)"])
        // The server's own name works as the host when the user is a whole address.
        #expect(alice.authorize("imap://alice%40example.com@MAIL.example.net/INBOX/;uid=1;urlauth=anonymous") != nil)
    }

    @Test("URLFETCH with RFC 5524 parameters: BINARY, BODY, BODYPARTSTRUCTURE (binary sizes with BINARY)")
    func binary() throws {
        let alice = try Account("alice@example.com")
        let part1 = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=2/;section=1;urlauth=anonymous"))
        let part2 = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=2/;section=2;urlauth=anonymous"))
        let header = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=2/;section=header;urlauth=anonymous"))
        #expect(alice.run("f URLFETCH (\(part1) BINARY)").first == "* URLFETCH \(part1) (BINARY {5}\r\nhello)")
        #expect(alice.run("f URLFETCH (\(part1) BODY)").first == "* URLFETCH \(part1) (BODY {10}\r\naGVs\r\nbG8=)")
        #expect(alice.run("f URLFETCH (\(part1))").first == "* URLFETCH \(part1) (BODY {10}\r\naGVs\r\nbG8=)")
        #expect(alice.run("f URLFETCH (\(part1) BODYPARTSTRUCTURE)").first
                == "* URLFETCH \(part1) (BODYPARTSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"base64\" 10 1 NIL NIL NIL NIL))")
        #expect(alice.run("f URLFETCH (\(part1) BINARY BODYPARTSTRUCTURE)").first
                == "* URLFETCH \(part1) (BODYPARTSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)) (BINARY {5}\r\nhello)")
        // An unknown transfer encoding: the structure as stored, BINARY NIL.
        #expect(alice.run("f URLFETCH (\(part2) BINARY BODYPARTSTRUCTURE)").first
                == "* URLFETCH \(part2) (BODYPARTSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"x-unknown\" 3 0 NIL NIL NIL NIL)) (BINARY NIL)")
        // HEADER has no BINARY and no BODYPARTSTRUCTURE.
        #expect(alice.run("f URLFETCH (\(header) BINARY)").first == "* URLFETCH \(header) (BINARY NIL)")
        #expect(alice.run("f URLFETCH (\(header) BODYPARTSTRUCTURE)").first == "* URLFETCH \(header) NIL")
        #expect(alice.run("f URLFETCH (bogus BINARY)").first == "* URLFETCH bogus NIL")
    }

    @Test("without URLAUTH set up the commands answer NO, and URLFETCH has a limit")
    func unavailable() throws {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        for line in ["a GENURLAUTH \"imap://a@b/INBOX/;uid=1;urlauth=anonymous\" INTERNAL", "a RESETKEY", "a URLFETCH x"] {
            #expect(IMAPMailboxEngineTests.run(engine, line).last == "a NO [CANNOT] URLAUTH is not available")
        }
        let alice = try Account("alice@example.com")
        let many = Array(repeating: "x", count: URLAuthLimits.urlsPerCommand + 1).joined(separator: " ")
        #expect(alice.run("f URLFETCH \(many)").last?.hasPrefix("f NO [LIMIT]") == true)
    }

    @Test("CATENATE with another user's URLAUTH URL, when access is granted")
    func catenateAuthorized() throws {
        let alice = try Account("alice@example.com")
        let bob = try Account("bob@example.com")
        let url = try #require(alice.authorize("imap://alice@example.com/INBOX/;uid=1/;section=TEXT;urlauth=user+bob@example.com"))
        #expect(bob.run("a APPEND INBOX CATENATE (TEXT {9}\r\nX: from\r\n URL \"\(url)\")", owners: [alice]).last?.hasPrefix("a OK [APPENDUID") == true)
        #expect(try bob.storage.fetch(.inbox, uid: 3) == Array("X: from\r\nhello\r\n".utf8))
        let carol = try Account("carol@other.org")
        #expect(carol.run("a APPEND INBOX CATENATE (URL \"\(url)\")", owners: [alice]).last?.hasPrefix("a NO [BADURL ") == true)
    }
}
