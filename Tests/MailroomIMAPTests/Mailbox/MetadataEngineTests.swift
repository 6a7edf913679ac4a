// MetadataEngineTests.swift — GETMETADATA and SETMETADATA (RFC 5464) in
// Mailbox/IMAPMailboxEngine+Metadata.swift against MemoryStorage and MemoryMetadataStore: the
// Apache James Metadata script's conversation in RFC 5464 form (MAXSIZE, DEPTH, LONGENTRIES,
// NIL removal), its limits (MAXSIZE, TOOMANY, all or nothing), server entries, RENAME and
// DELETE, a missing mailbox, and the version 1 file format (MetadataFile).

@testable import MailroomIMAP
import MailroomMaildir
import Testing

@Suite("Mailbox: METADATA")
struct MetadataEngineTests {
    final class Account {
        let storage = MemoryStorage()
        let metadata = MemoryMetadataStore()
        let engine: IMAPMailboxEngine
        init(limits: MetadataLimits = .default) {
            var options = IMAPMailboxEngine.Options()
            options.metadata = metadata
            options.metadataLimits = limits
            engine = IMAPMailboxEngine(storage: storage, options: options)
        }

        /// Runs `line`; every response as text, the tagged one last.
        @discardableResult
        func run(_ line: String) -> [String] {
            guard let tagged = try? IMAPCommandParser().parse(Array(line.utf8)) else { return ["parse error"] }
            var out: [String] = []
            let reply = engine.execute(tag: tagged.tag, tagged.command) { out += $0.map(\.encodedText) }
            return out + [reply.encodedText]
        }
    }

    @Test("set, get, NIL removal, literals, MAXSIZE with LONGENTRIES, DEPTH 1 and infinity")
    func conversation() {
        let a = Account()
        #expect(a.run("a1 SETMETADATA INBOX (/private/comment \"My new comment\")") == ["a1 OK SETMETADATA completed"])
        #expect(a.run("g1 GETMETADATA \"INBOX\" /private/comment")
                == ["* METADATA \"INBOX\" (/private/comment \"My new comment\")", "g1 OK GETMETADATA completed"])
        #expect(a.run("a3 SETMETADATA INBOX (/private/comment NIL)") == ["a3 OK SETMETADATA completed"])
        #expect(a.run("g GETMETADATA INBOX /private/comment")
                == ["* METADATA \"INBOX\" (/private/comment NIL)", "g OK GETMETADATA completed"])
        #expect(a.run("a4 SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)").last == "a4 OK SETMETADATA completed")
        #expect(a.run("g2 GETMETADATA INBOX /private/comment")
                == ["* METADATA \"INBOX\" (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)", "g2 OK GETMETADATA completed"])
        a.run("s1 SETMETADATA INBOX (/private/comment \"My own comment\" /Shared/Comment \"The shared comment\")")
        #expect(a.run("g3 GETMETADATA INBOX (/shared/comment /private/comment)")
                == ["* METADATA \"INBOX\" (/shared/comment \"The shared comment\" /private/comment \"My own comment\")",
                    "g3 OK GETMETADATA completed"])
        #expect(a.run("g8 GETMETADATA INBOX (MAXSIZE 15) (/private/comment /shared/comment)")
                == ["* METADATA \"INBOX\" (/private/comment \"My own comment\")", "g8 OK [METADATA LONGENTRIES 18] GETMETADATA completed"])
        a.run("s3 SETMETADATA INBOX (/private/comment/user \"My own comment for user\")")
        a.run("s4 SETMETADATA INBOX (/private/comment/user/name \"My own comment for user name\")")
        #expect(a.run("g10 GETMETADATA INBOX (DEPTH 1) (MAXSIZE 15) (/private/comment)")
                == ["* METADATA \"INBOX\" (/private/comment \"My own comment\")", "g10 OK [METADATA LONGENTRIES 23] GETMETADATA completed"])
        #expect(a.run("g11 GETMETADATA (DEPTH 1) INBOX (/private/comment)")
                == ["* METADATA \"INBOX\" (/private/comment \"My own comment\" /private/comment/user \"My own comment for user\")",
                    "g11 OK GETMETADATA completed"])
        #expect(a.run("g12 GETMETADATA INBOX (DEPTH infinity) (/private/comment)")
                == ["* METADATA \"INBOX\" (/private/comment \"My own comment\" /private/comment/user \"My own comment for user\" "
                    + "/private/comment/user/name \"My own comment for user name\")", "g12 OK GETMETADATA completed"])
        // Every value over MAXSIZE: no METADATA response at all.
        #expect(a.run("g19 GETMETADATA INBOX (MAXSIZE 0) (/private/comment)") == ["g19 OK [METADATA LONGENTRIES 14] GETMETADATA completed"])
        // DEPTH below the namespace root.
        #expect(a.run("g20 GETMETADATA INBOX (DEPTH 1) /shared/vendor/vendor.x/none")
                == ["* METADATA \"INBOX\" (/shared/vendor/vendor.x/none NIL)", "g20 OK GETMETADATA completed"])
    }

    @Test("limits: a value over MAXSIZE and one entry too many change nothing")
    func limits() {
        let a = Account()
        let big = String(repeating: "a", count: MetadataLimits.defaultMaxValueBytes + 1)
        #expect(a.run("a1 SETMETADATA INBOX (/private/ok \"x\" /private/comment {\(big.utf8.count)}\r\n\(big))")
                == ["a1 NO [METADATA MAXSIZE 1024] The value of /private/comment is larger than 1024 octets"])
        #expect(a.run("g GETMETADATA INBOX /private/ok") == ["* METADATA \"INBOX\" (/private/ok NIL)", "g OK GETMETADATA completed"])
        let ten = (1...10).map { "/private/comment\($0) \"Comment\"" }.joined(separator: " ")
        #expect(a.run("a2 SETMETADATA INBOX (\(ten))") == ["a2 OK SETMETADATA completed"])
        a.run("c CREATE TRASK")
        #expect(a.run("a3 SETMETADATA TRASK (/private/comment \"My comment\")") == ["a3 OK SETMETADATA completed"])
        #expect(a.run("a4 SETMETADATA INBOX (/private/comment \"My comment\")").last?.hasPrefix("a4 NO [METADATA TOOMANY]") == true)
        #expect(a.run("a5 SETMETADATA INBOX (/private/comment1 \"My comment\")") == ["a5 OK SETMETADATA completed"])
        // Adding one while removing one stays within the limit.
        #expect(a.run("a6 SETMETADATA INBOX (/private/comment2 NIL /private/new \"x\")") == ["a6 OK SETMETADATA completed"])
        // Lowered limit: changes and removals still work, additions do not.
        let small = Account(limits: MetadataLimits(maxValueBytes: 4, maxEntriesPerMailbox: 1))
        small.run("a SETMETADATA \"\" (/shared/a \"1\")")
        #expect(small.run("b SETMETADATA \"\" (/shared/b \"1\")").last?.hasPrefix("b NO [METADATA TOOMANY]") == true)
        #expect(small.run("c SETMETADATA \"\" (/shared/a \"12345\")").last?.hasPrefix("c NO [METADATA MAXSIZE 4]") == true)
    }

    @Test("server entries, a missing mailbox, and entries following RENAME and DELETE")
    func mailboxes() {
        let a = Account()
        #expect(a.run("s SETMETADATA \"\" (/shared/motd \"hello\")") == ["s OK SETMETADATA completed"])
        #expect(a.run("g GETMETADATA \"\" /shared/motd") == ["* METADATA \"\" (/shared/motd \"hello\")", "g OK GETMETADATA completed"])
        #expect(a.run("g GETMETADATA INBOX /shared/motd") == ["* METADATA \"INBOX\" (/shared/motd NIL)", "g OK GETMETADATA completed"])
        #expect(a.run("m GETMETADATA nosuch /private/comment") == ["m NO [NONEXISTENT] Mailbox does not exist"])
        #expect(a.run("m SETMETADATA nosuch (/private/comment \"x\")") == ["m NO [NONEXISTENT] Mailbox does not exist"])
        a.run("c CREATE Old")
        a.run("c CREATE Old.Child")
        a.run("s SETMETADATA Old (/private/comment \"old\")")
        a.run("s SETMETADATA Old.Child (/private/comment \"child\")")
        #expect(a.run("r RENAME Old New") == ["r OK RENAME completed"])
        #expect(a.run("g GETMETADATA New /private/comment") == ["* METADATA \"New\" (/private/comment \"old\")", "g OK GETMETADATA completed"])
        #expect(a.run("g GETMETADATA New.Child /private/comment")
                == ["* METADATA \"New.Child\" (/private/comment \"child\")", "g OK GETMETADATA completed"])
        #expect(a.run("d DELETE New.Child") == ["d OK DELETE completed"])
        a.run("c CREATE New.Child")
        #expect(a.run("g GETMETADATA New.Child /private/comment")
                == ["* METADATA \"New.Child\" (/private/comment NIL)", "g OK GETMETADATA completed"])
        // INBOX keeps its entries through a RENAME (INBOX itself stays, RFC 3501 §6.3.5).
        a.run("s SETMETADATA INBOX (/private/comment \"inbox\")")
        a.run("r RENAME INBOX Archive")
        #expect(a.run("g GETMETADATA INBOX /private/comment").first == "* METADATA \"INBOX\" (/private/comment \"inbox\")")
    }

    @Test("without a store the commands answer NO")
    func noStore() {
        let engine = IMAPMailboxEngine(storage: MemoryStorage())
        let command = try! IMAPCommandParser().parse(Array("g GETMETADATA INBOX /private/x".utf8))
        #expect(engine.execute(tag: "g", command.command) { _ in }.encodedText == "g NO [CANNOT] METADATA is not available")
    }

    @Test("the version 1 file: round trip of any octets, damage detected")
    func fileFormat() throws {
        let entries: MetadataEntries = ["/private/comment": Array("a\r\nb".utf8), "/shared/vendor/vendor.x/bin": [0, 10, 255], "/shared/e": []]
        let bytes = MetadataFile.encode(entries)
        #expect(bytes.starts(with: Array("mailroom-metadata 1\n".utf8)))
        #expect(try MetadataFile.decode(bytes) == entries)
        #expect(try MetadataFile.decode(MetadataFile.magic) == [:])
        for cut in [bytes.count - 1, bytes.count - 5, MetadataFile.magic.count + 2] {
            #expect(throws: MetadataFile.Damaged.self) { try MetadataFile.decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: MetadataFile.Damaged.self) { try MetadataFile.decode(Array("mailroom-metadata 2\n".utf8)) }
        #expect(throws: MetadataFile.Damaged.self) { try MetadataFile.decode(MetadataFile.magic + Array("3 1\n/xyz\n".utf8)) }
    }
}
