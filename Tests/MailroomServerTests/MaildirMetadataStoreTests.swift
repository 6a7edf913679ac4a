// MaildirMetadataStoreTests.swift — METADATA entries in a real Maildir (IMAP/MaildirMetadataStore
// .swift) driven through the engine: the files and their format, mode 0600, no temporary
// files left, the last entry removing the file, entries moving with RENAME (children too) and
// going with DELETE, server entries in the Maildir root, and a damaged file refused.

import Foundation
import MailroomIMAP
import MailroomMaildir
@testable import MailroomServer
import Testing

@Suite("IMAP: METADATA in the Maildir")
struct MaildirMetadataStoreTests {
    @Test func entriesLiveInTheFolderDirectory() throws {
        let root = NSTemporaryDirectory() + "mailroom-metadata-\(UUID().uuidString)"
        for sub in ["cur", "new", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = IMAPMailboxEngine.Options()
        options.metadata = MaildirMetadataStore(root: root)
        let engine = IMAPMailboxEngine(storage: MaildirStorage(root: root, options: MaildirOptions(hostName: "test")), options: options)
        func run(_ line: String) -> [String] {
            let tagged = try! IMAPCommandParser().parse(Array(line.utf8))
            var out: [String] = []
            let reply = engine.execute(tag: tagged.tag, tagged.command) { out += $0.map { String(decoding: $0.encoded().dropLast(2), as: UTF8.self) } }
            return out + [String(decoding: reply.encoded().dropLast(2), as: UTF8.self)]
        }
        let fm = FileManager.default
        #expect(run("a SETMETADATA INBOX (/private/comment {4}\r\na\r\nb)") == ["a OK SETMETADATA completed"])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: "\(root)/mailroom-metadata")))
                == Array("mailroom-metadata 1\n16 4\n/private/commenta\r\nb\n".utf8))
        #expect((try fm.attributesOfItem(atPath: "\(root)/mailroom-metadata")[.posixPermissions] as? Int) == 0o600)
        #expect(try fm.contentsOfDirectory(atPath: root).allSatisfy { !$0.contains(".tmp-") })
        #expect(run("s SETMETADATA \"\" (/shared/motd \"hi\")") == ["s OK SETMETADATA completed"])
        #expect(fm.fileExists(atPath: "\(root)/mailroom-server-metadata"))

        _ = run("c CREATE Old")
        _ = run("c CREATE Old.Kid")
        _ = run("s SETMETADATA Old (/private/comment \"old\")")
        _ = run("s SETMETADATA Old.Kid (/private/comment \"kid\")")
        #expect(fm.fileExists(atPath: "\(root)/.Old/mailroom-metadata"))
        #expect(run("r RENAME Old New") == ["r OK RENAME completed"])
        #expect(run("g GETMETADATA New.Kid /private/comment") == ["* METADATA \"New.Kid\" (/private/comment \"kid\")", "g OK GETMETADATA completed"])
        #expect(run("d DELETE New") == ["d OK DELETE completed"])
        _ = run("c CREATE New")
        #expect(run("g GETMETADATA New /private/comment") == ["* METADATA \"New\" (/private/comment NIL)", "g OK GETMETADATA completed"])

        #expect(run("a SETMETADATA INBOX (/private/comment NIL)") == ["a OK SETMETADATA completed"])
        #expect(!fm.fileExists(atPath: "\(root)/mailroom-metadata"), "the last entry removed the file")

        try Data("mailroom-metadata 1\n9 1\n/shared/x".utf8).write(to: URL(fileURLWithPath: "\(root)/.New/mailroom-metadata"))
        #expect(run("g GETMETADATA New /shared/x") == ["g NO [SERVERBUG] Storage error"])
        #expect(run("s SETMETADATA New (/shared/x \"1\")") == ["s NO [SERVERBUG] Storage error"])
    }
}
