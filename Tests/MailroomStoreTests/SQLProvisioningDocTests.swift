// docs/sql-provisioning.md is executable: its ```sql blocks run, in order, through the
// backends' own command-line clients (sqlite3, psql), and Mailroom then sees what the page
// promises. A change of schema that breaks the page breaks this test.

import Foundation
import MailroomCore
import Testing
@testable import MailroomStore

@Suite("docs/sql-provisioning.md")
struct SQLProvisioningDocTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/sql-provisioning.md")

    static func sqlBlocks() throws -> [String] {
        let text = try String(contentsOf: page, encoding: .utf8)
        var blocks: [String] = []
        var current: [String]? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sql" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(String(line))
            }
        }
        return blocks
    }

    @Test("the page's SQL works and takes effect", arguments: Backend.available)
    func pageWorks(_ backend: Backend) async throws {
        let blocks = try Self.sqlBlocks()
        #expect(blocks.count >= 7)
        try await withDatabase(backend) { t in
            for block in blocks { _ = try t.externalSQL(block) }
            let store = t.store()
            #expect(try await store.authenticate(username: "alice@example.com", password: "S3cret!", service: .imap).isSuccess)
            #expect(try await store.authenticate(username: "alice@example.com", password: "S3cret!", service: .pop3).failure
                    == .disabled(.pop3))
            #expect(try await store.authenticate(username: "用户@例子.中国", password: "S3cret!", service: .imap).isSuccess)
            guard case .alias(_, let targets, let keep) = try await store.resolveRecipient(addr("alice@example.net")) else {
                Issue.record("alice@example.net should be a forward with a kept copy"); return
            }
            #expect(targets == ["alice@home.example"])
            #expect(keep?.quotaBytes == 2_147_483_648 && keep?.quotaMessages == nil)
            #expect(keep?.maxMessageBytes == 10_485_760 && keep?.maxMessageBytesInherited == false)
            #expect(keep?.domainSenderLoginMatch == "domain")
            let exampleCom = try await store.domainInfo(dom("example.com")).domain
            #expect(exampleCom.maxMessageBytes == 20_971_520 && exampleCom.senderLoginMatch == "domain")
            #expect(try await store.resolveRecipient(addr("sales@example.com"))
                    == .alias(address: "sales@example.com", targets: ["alice@example.com", "bob@partner.example"], keepCopy: nil))
            #expect(try await store.resolveRecipient(addr("nobody@example.com"))
                    == .catchAll(address: "nobody@example.com", target: "alice@example.com"))
            guard case .mailbox(let chinese) = try await store.resolveRecipient(addr("用户@例子.中国")) else {
                Issue.record("用户@例子.中国 should be a mailbox"); return
            }
            #expect(chinese.quotaBytes == 104_857_600)
            let domain = try await store.domainInfo(dom("例子.中国")).domain
            #expect(domain.maxUsers == 50 && domain.unicodeName == "例子.中国")
        }
    }
}
