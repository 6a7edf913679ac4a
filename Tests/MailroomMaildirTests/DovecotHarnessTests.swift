// The Dovecot harness itself, against Debian's real Dovecot: a Maildir written by hand is served
// with the right UIDs, flags, sizes and bytes; what Dovecot writes (dovecot-uidlist,
// dovecot-keywords, keyword letters, S=/W= names, Maildir++ folder names in modified UTF-7) is
// on disk where Mailroom will look; the instance is private, and stops cleanly.
// Left out when Dovecot is not installed, unless MAILROOM_REQUIRE_DOVECOT=1 (then they fail).

import MailroomTestSupport
import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir
#if canImport(Glibc)
import Glibc
#endif

@Suite("Dovecot availability")
struct DovecotAvailabilityTests {
    @Test("Dovecot and python3 are installed when scripts/test or CI requires them")
    func required() {
        if DovecotServer.isRequired {
            #expect(IMAPProbe.isAvailable,
                    "MAILROOM_REQUIRE_DOVECOT=1 but dovecot-core, dovecot-imapd or python3 is missing")
        }
    }
}

@Suite("Dovecot harness", .enabled(if: IMAPProbe.shouldRun))
struct DovecotHarnessTests {
    /// A Maildir under a fresh temporary directory; removed by `cleanup`.
    struct TestTree {
        let root: String
        let maildir: String

        init() throws {
            root = NSTemporaryDirectory() + "mailroom-dovecot-test-\(UUID().uuidString)"
            maildir = "\(root)/user/Maildir"
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(maildir)/\(sub)", withIntermediateDirectories: true)
            }
        }

        /// Writes a message file (relative path inside the Maildir) with a given mtime.
        func write(_ relative: String, _ text: String, mtime: Int? = nil) throws {
            let path = "\(maildir)/\(relative)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            if let mtime {
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(mtime))],
                                                      ofItemAtPath: path)
            }
        }

        /// A Maildir++ folder directory (".Name/"): cur/new/tmp and the maildirfolder marker.
        func makeFolder(_ folderDir: String) throws {
            for sub in ["cur", "new", "tmp"] {
                try FileManager.default.createDirectory(atPath: "\(maildir)/\(folderDir)\(sub)",
                                                        withIntermediateDirectories: true)
            }
            try write("\(folderDir)maildirfolder", "")
        }

        func files(_ dir: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/\(dir)").sorted()
        }

        func read(_ relative: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/\(relative)")))
        }

        func text(_ relative: String) throws -> String {
            try String(contentsOfFile: "\(maildir)/\(relative)", encoding: .utf8)
        }

        func exists(_ relative: String) -> Bool {
            FileManager.default.fileExists(atPath: "\(maildir)/\(relative)")
        }

        func uidList(_ folderDir: String = "") throws -> DovecotUIDList {
            try DovecotUIDList.parse(try text("\(folderDir)dovecot-uidlist")).list
        }

        /// dovecot-keywords: index → keyword.
        func keywords(_ folderDir: String = "") throws -> [Int: String] {
            var out: [Int: String] = [:]
            for line in try text("\(folderDir)dovecot-keywords").split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let index = Int(parts[0]) { out[index] = String(parts[1]) }
            }
            return out
        }

        /// The file in cur/ or new/ whose base name (without :2,) is `base`, as "cur/NAME".
        func file(base: String, in folderDir: String = "") throws -> String? {
            for dir in ["cur", "new"] {
                for name in try files("\(folderDir)\(dir)") where name == base || name.hasPrefix(base + ":") {
                    return "\(folderDir)\(dir)/\(name)"
                }
            }
            return nil
        }

        func cleanup() { try? FileManager.default.removeItem(atPath: root) }
    }

    static func sha256Hex(_ bytes: [UInt8]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    func withServer(_ tree: TestTree, indexInMemory: Bool = true, separator: String? = nil,
                    _ body: (DovecotServer) throws -> Void) throws {
        let server = try DovecotServer.start(maildirRoot: tree.maildir, indexInMemory: indexInMemory, separator: separator)
        defer { server.stop() }
        try body(server)
        #expect(server.logErrors.isEmpty, "Dovecot logged errors:\n\(server.logErrors.joined(separator: "\n"))")
    }

    @Test("a hand-written Maildir is served with its UIDs, flags, sizes and bytes")
    func servesHandWrittenMaildir() throws {
        let tree = try TestTree()
        defer { tree.cleanup() }
        // INBOX: one new message (CRLF), one seen (LF line ends), one flagged+seen with S= in its name.
        let newText = "From: a@example.com\r\nSubject: one\r\n\r\nbody one\r\n"
        let seenText = "From: b@example.com\nSubject: two\n\nbody two, 中文\n"
        let flaggedText = "From: c@example.com\nSubject: three\n\nbody three\n"
        let flaggedName = "1700000002.M3P1.host,S=\(flaggedText.utf8.count)"
        try tree.write("new/1700000000.M1P1.host", newText, mtime: 1_700_000_000)
        try tree.write("cur/1700000001.M2P1.host:2,S", seenText, mtime: 1_700_000_100)
        try tree.write("cur/\(flaggedName):2,FS", flaggedText, mtime: 1_700_000_200)
        // A Maildir++ folder with a Unicode name (modified UTF-7 on disk), one answered message.
        let folderDir = ".&XfJT0ZAB-.2024/"
        try tree.makeFolder(folderDir)
        try tree.write("\(folderDir)cur/1700000003.M4P1.host:2,RS", "Subject: sent\n\nsent body\n", mtime: 1_700_000_300)

        try withServer(tree) { server in
            let imap = server.imap
            let folders = try imap.listFolders()
            let names = Set(folders.map(\.name))
            #expect(names.contains("INBOX"))
            let unicode = try #require(folders.first { $0.name == "已发送.2024" }, "folders: \(folders)")
            #expect(unicode.raw == "&XfJT0ZAB-.2024")
            #expect(unicode.delimiter == ".")

            let inbox = try imap.select("INBOX")
            #expect(inbox.exists == 3)
            #expect(inbox.messages.map(\.uid) == [1, 2, 3])
            #expect(inbox.uidNext == 4)
            let uidValidity = try #require(inbox.uidValidity)

            // Dovecot wrote dovecot-uidlist; every UID maps to one of our files.
            let list = try tree.uidList()
            #expect(list.uidValidity == uidValidity)
            #expect(list.records.map(\.uid) == [1, 2, 3])
            let expected: [String: (text: String, flags: Set<String>, mtime: Int)] = [
                "1700000000.M1P1.host": (newText, [], 1_700_000_000),
                "1700000001.M2P1.host": (seenText, ["\\Seen"], 1_700_000_100),
                flaggedName: (flaggedText, ["\\Flagged", "\\Seen"], 1_700_000_200),
            ]
            #expect(Set(list.records.map(\.fileName)) == Set(expected.keys))
            for record in list.records {
                let message = try #require(inbox.message(uid: record.uid))
                let want = try #require(expected[record.fileName])
                let sent = CRLF.normalized(Array(want.text.utf8))   // as IMAP sends a message stored with LF
                #expect(message.flagSet == want.flags, "UID \(record.uid) \(record.fileName)")
                #expect(message.size == sent.count, "RFC822.SIZE counts CRLF line ends")
                #expect(message.internalDate == want.mtime, "INTERNALDATE is the file's mtime")
                #expect(message.sha256 == (try DovecotHarnessTests.sha256Hex(sent)))
                #expect(try imap.body(uid: record.uid) == sent)
            }
            // EXAMINE is read-only: the new message stays in new/, nothing is renamed.
            #expect(try tree.files("new") == ["1700000000.M1P1.host"])

            let sent = try imap.select("已发送.2024")
            #expect(sent.messages.count == 1)
            #expect(sent.messages.first?.flagSet == ["\\Answered", "\\Seen"])
            #expect(tree.exists("\(folderDir)dovecot-uidlist"))

            // SELECT (read-write) moves new/ to cur/ and adds an empty info part; UIDs stay.
            let again = try imap.select("INBOX", readWrite: true)
            #expect(again.uidValidity == uidValidity)
            #expect(again.messages.map(\.uid) == [1, 2, 3])
            #expect(try tree.files("new").isEmpty)
            #expect(try tree.files("cur").contains("1700000000.M1P1.host:2,"))
            #expect(try tree.uidList().records.map(\.uid) == [1, 2, 3])
        }
    }

    @Test("IMAP APPEND and STORE write dovecot-uidlist, dovecot-keywords and keyword letters on disk")
    func appendWritesKeywords() throws {
        let tree = try TestTree()
        defer { tree.cleanup() }
        try withServer(tree) { server in
            let imap = server.imap
            let message = Array("From: x@example.com\r\nSubject: kw\r\n\r\nhello\r\n".utf8)
            let date = Date(timeIntervalSince1970: 1_700_000_000)

            // A keyword is an IMAP atom: 7-bit only. Dovecot 2.3 has no UTF8=ACCEPT and answers
            // BAD "8bit data in atom" to a raw UTF-8 keyword such as 项目.
            #expect(!(try imap.capabilities()).contains("UTF8=ACCEPT"))
            let refused = #expect(throws: IMAPProbeError.self) {
                try imap.append(message, flags: ["\\Seen", "$Forwarded", "项目"], internalDate: date)
            }
            #expect(refused?.message.contains("8bit") == true, "\(String(describing: refused))")

            let first = try imap.append(message, flags: ["\\Seen", "$Forwarded", "Project-X"], internalDate: date)
            #expect(first.uid == 1)
            let second = try imap.append(message, flags: ["Project-X"], internalDate: date)
            #expect(second.uid == 2 && second.uidValidity == first.uidValidity)

            let inbox = try imap.select()
            #expect(inbox.uidValidity == first.uidValidity)
            #expect(inbox.messages.map(\.uid) == [1, 2])
            #expect(inbox.message(uid: 1)?.flagSet == ["\\Seen", "$Forwarded", "Project-X"])
            #expect(inbox.message(uid: 2)?.flagSet == ["Project-X"])
            #expect(inbox.message(uid: 1)?.internalDate == 1_700_000_000)
            #expect(inbox.message(uid: 1)?.size == message.count)
            #expect(Set(inbox.flags ?? []).isSuperset(of: ["$Forwarded", "Project-X"]))

            // On disk: dovecot-keywords numbers the keywords; the names carry S=, W= and the letters.
            let keywords = try tree.keywords()
            #expect(Set(keywords.values) == ["$Forwarded", "Project-X"])
            let letter = { (keyword: String) -> Character? in
                keywords.first { $0.value == keyword }.map { Character(UnicodeScalar(UInt8(97 + $0.key))) }
            }
            let list = try tree.uidList()
            #expect(list.uidValidity == first.uidValidity)
            #expect(list.records.map(\.uid) == [1, 2])
            for record in list.records {
                let path = try #require(try tree.file(base: record.fileName), "no file for \(record.fileName)")
                #expect(path.hasPrefix("cur/"), "APPEND writes to cur/")
                let name = try MaildirFileName.parse(String(path.dropFirst(4)))
                // Dovecot stores the message with LF line ends (mail_save_crlf = no): S= is the
                // file's size, W= the size with CRLF, which is what it sends back.
                let stored = message.filter { $0 != 0x0D }
                #expect(try tree.read(path) == stored)
                #expect(name.size == Int64(stored.count))
                #expect(name.virtualSize == Int64(message.count))
                let mtime = try FileManager.default.attributesOfItem(atPath: "\(tree.maildir)/\(path)")[.modificationDate] as? Date
                #expect(mtime == date, "the file's mtime is the APPEND internal date")
                let wantLetters = inbox.message(uid: record.uid)!.keywords.compactMap(letter).sorted()
                #expect(name.keywordLetters == wantLetters, "\(path)")
                #expect(name.flags == (record.uid == 1 ? [.seen] : []))
            }

            // STORE -FLAGS renames the file; the keyword stays in dovecot-keywords.
            let stored = try imap.store(uids: "1", .remove, flags: ["Project-X"])
            #expect(stored.first?.flagSet == ["\\Seen", "$Forwarded"])
            let one = try tree.file(base: list.records[0].fileName)
            #expect(try MaildirFileName.parse(String(try #require(one).dropFirst(4))).keywordLetters
                    == [letter("$Forwarded")!])
            #expect(Set(try tree.keywords().values) == ["$Forwarded", "Project-X"])

            // A keyword letter that dovecot-keywords does not name shows as "unknown-N".
            try tree.write("cur/1700000009.M9P9.host:2,z", "Subject: z\n\nz\n")
            let withUnknown = try imap.select()
            #expect(withUnknown.message(uid: 3)?.flags == ["unknown-25"])

            // EXPUNGE removes the file and its uidlist record; UIDs are not reused.
            _ = try imap.store(uids: "2", .add, flags: ["\\Deleted"])
            let expunged = try imap.expunge()
            #expect(expunged.expunged == [2] && expunged.remaining == [1, 3])
            #expect(try tree.file(base: list.records[1].fileName) == nil)
            // Dovecot does not rewrite dovecot-uidlist at once: the expunged record may stay until a
            // later rewrite, and the header's N is the value of the last rewrite (here still N1),
            // so a reader must use max(N, last UID + 1) and ignore records without a file.
            let after = try tree.uidList()
            #expect(Set(after.records.map(\.uid)).isSuperset(of: [1, 3]))
            #expect(after.nextUID == 4)
            let next = try imap.append(message)
            #expect(next.uid == 4)
        }
    }

    @Test("folders with Unicode names are Maildir++ directories in modified UTF-7")
    func unicodeFolders() throws {
        let tree = try TestTree()
        defer { tree.cleanup() }
        try withServer(tree) { server in
            let imap = server.imap
            // Maildir++ with Dovecot's default separator ".": '/' is not allowed in a name.
            #expect(throws: IMAPProbeError.self) { try imap.createFolder("已发送/2024") }
            try imap.createFolder("已发送.2024")
            let folders = try imap.listFolders()
            let created = try #require(folders.first { $0.name == "已发送.2024" })
            #expect(created.raw == "&XfJT0ZAB-.2024")
            // The parent exists only as a name in the hierarchy.
            #expect(folders.first { $0.name == "已发送" }?.attributes.contains("\\Noselect") == true)
            #expect(tree.exists(".&XfJT0ZAB-.2024/maildirfolder"))
            #expect(tree.exists(".&XfJT0ZAB-.2024/cur"))
            #expect(!tree.exists(".&XfJT0ZAB-"))

            let appended = try imap.append(Array("Subject: a\r\n\r\nb\r\n".utf8), to: "草稿 & Notes", flags: ["\\Draft"])
            #expect(appended.createdFolder && appended.uid == 1)
            #expect(tree.exists(".&g0l6Pw- &- Notes/maildirfolder"))
            try imap.subscribe("草稿 & Notes")
            #expect(try imap.listFolders().first { $0.name == "草稿 & Notes" }?.subscribed == true)
            #expect(try tree.text("subscriptions").split(separator: "\n").contains { $0.hasSuffix("Notes") })
        }
        // With separator "/" the IMAP name uses '/', the directory is the same.
        let other = try TestTree()
        defer { other.cleanup() }
        try withServer(other, separator: "/") { server in
            try server.imap.createFolder("已发送/2024")
            let folder = try #require(try server.imap.listFolders().first { $0.name == "已发送/2024" })
            #expect(folder.raw == "&XfJT0ZAB-/2024" && folder.delimiter == "/")
            #expect(other.exists(".&XfJT0ZAB-.2024/maildirfolder"))
        }
    }

    @Test("files written while the server runs are seen; INDEX=MEMORY keeps no index files, the other mode does")
    func indexModes() throws {
        for inMemory in [true, false] {
            let tree = try TestTree()
            defer { tree.cleanup() }
            try withServer(tree, indexInMemory: inMemory) { server in
                #expect(try server.imap.select().messages.isEmpty)
                // Written as the test's user (root in CI) after start: handed over before the probe.
                try tree.write("new/1700000100.M1P1.host", "Subject: late\n\nlate\n")
                try tree.write("cur/1700000101.M1P1.host:2,F", "Subject: later\n\nlater\n")
                let inbox = try server.imap.select()
                #expect(inbox.messages.count == 2, "index in memory: \(inMemory)")
                #expect(Set(inbox.messages.map(\.flagSet)) == [[], ["\\Flagged"]])
                let indexFiles = try FileManager.default.contentsOfDirectory(atPath: tree.maildir)
                    .filter { $0.hasPrefix("dovecot.index") }
                #expect(indexFiles.isEmpty == inMemory, "index files: \(indexFiles)")
            }
        }
    }

    @Test("each server is a private instance on its own port, and stop() ends it")
    func privateInstances() throws {
        let a = try TestTree(), b = try TestTree()
        defer { a.cleanup(); b.cleanup() }
        try a.write("cur/1700000000.M1P1.host:2,S", "Subject: a\n\na\n")
        let serverA = try DovecotServer.start(maildirRoot: a.maildir)
        let serverB = try DovecotServer.start(maildirRoot: b.maildir, user: "other", password: "pw2")
        #expect(serverA.port != serverB.port)
        #expect(try serverA.imap.select().messages.count == 1)
        #expect(try serverB.imap.select().messages.isEmpty)
        // Wrong password is refused.
        var wrong = serverA.imap
        wrong.password = "nope"
        #expect(throws: IMAPProbeError.self) { try wrong.listFolders() }
        // Nothing but our own files.
        let config = try String(contentsOfFile: serverA.configPath, encoding: .utf8)
        #expect(!config.contains("!include"))
        #expect(config.contains("listen = 127.0.0.1"))
        let pid = serverA.pid
        let directory = serverA.directory
        serverA.stop()
        #expect(!serverA.isRunning)
        #expect(kill(pid, 0) != 0, "the master process is gone")
        #expect(DovecotServer.readGreeting(port: serverA.port) == nil)
        if ProcessInfo.processInfo.environment["MAILROOM_KEEP_DOVECOT"] != "1" {
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
        #expect(try serverB.imap.listFolders().contains { $0.name == "INBOX" }, "the other instance still runs")
        serverA.stop()   // twice is harmless
        serverB.stop()
    }
}
