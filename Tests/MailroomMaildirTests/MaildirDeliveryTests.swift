// Delivery into a real Maildir on disk: the message lands in new/ whole, with its sizes in the
// name, tmp/ is left empty, and failures leave nothing behind.

import Foundation
import MailroomCore
import Testing
@testable import MailroomMaildir

@Suite("Maildir delivery")
struct MaildirDeliveryTests {
    func makeMaildir() throws -> (root: String, maildir: String) {
        let root = NSTemporaryDirectory() + "mailroom-deliver-\(UUID().uuidString)"
        let maildir = try MaildirLayout.createMailbox(volume: root, address: try EmailAddress("用户@例子.中国"))
        return (root, maildir)
    }

    @Test("a message lands in new/ whole, named with S= and W=, and tmp/ stays empty")
    func delivers() throws {
        let (root, maildir) = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let message = Array("Subject: 发票\nFrom: a@example.com\n\n正文 body\n".utf8)
        let name = try MaildirDelivery.deliver(message, into: maildir, host: "mx1.example")
        #expect(name.size == Int64(message.count))
        #expect(name.virtualSize == Int64(message.count) + 4)   // four bare LFs become CRLF
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new")
        #expect(files == [name.description])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/tmp").isEmpty)
        let stored = try Data(contentsOf: URL(fileURLWithPath: "\(maildir)/new/\(name.description)"))
        #expect([UInt8](stored) == message)
        let parsed = try MaildirFileName.parse(name.description)
        #expect(parsed == name && parsed.flags.isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: "\(maildir)/new/\(name.description)")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("many deliveries get distinct names")
    func distinct() throws {
        let (root, maildir) = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var names = Set<String>()
        for i in 0..<200 {
            names.insert(try MaildirDelivery.deliver(Array("n\(i)\r\n".utf8), into: maildir, host: "h").description)
        }
        #expect(names.count == 200)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/new").count == 200)
    }

    @Test("a missing Maildir is a permanent error and writes nothing")
    func missing() {
        #expect(throws: MaildirDeliveryError.self) {
            try MaildirDelivery.deliver([0x41], into: "/nonexistent/mailroom/Maildir", host: "h")
        }
        do {
            try MaildirDelivery.deliver([0x41], into: "/nonexistent/mailroom/Maildir", host: "h")
        } catch {
            #expect(!error.isTemporary)
        }
    }

    @Test("if new/ is missing the tmp file is removed again")
    func noNewDirectory() throws {
        let (root, maildir) = try makeMaildir()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.removeItem(atPath: "\(maildir)/new")
        #expect(throws: MaildirDeliveryError.self) { try MaildirDelivery.deliver([0x41], into: maildir, host: "h") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(maildir)/tmp").isEmpty)
    }

    @Test("RFC 822 size counts bare LF as CRLF and leaves CRLF alone")
    func rfc822Size() {
        #expect(MaildirDelivery.rfc822Size(Array("a\r\nb\nc".utf8)) == 7)
        #expect(MaildirDelivery.rfc822Size([]) == 0)
        #expect(MaildirDelivery.rfc822Size([0x0A, 0x0A]) == 4)
    }
}
