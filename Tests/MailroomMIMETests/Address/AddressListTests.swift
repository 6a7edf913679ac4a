// AddressListTests — tests for Address/AddressList.swift: RFC 5322 §3.4 address lists as IMAP
// ENVELOPE needs them, obsolete syntax, groups, and broken input.

@testable import MailroomMIME
import Testing

@Suite("Address lists")
struct AddressListTests {
    func mailboxes(_ s: String) -> [AddressList.Mailbox] {
        AddressList.parse(bytes(s)).compactMap { if case .mailbox(let m) = $0 { return m } else { return nil } }
    }

    @Test("name-addr and addr-spec, quoted names, encoded words left as written")
    func basics() {
        let list = mailboxes("\"Doe, John\" <john@example.com>, jane@example.org, =?utf-8?Q?J=C3=B6rg?= <j@x.de>")
        #expect(list.count == 3)
        #expect(list[0].nameString == "Doe, John")
        #expect(list[0].localPartString == "john")
        #expect(list[0].domainString == "example.com")
        #expect(list[1].name == nil)
        #expect(list[1].address == "jane@example.org")
        #expect(list[2].nameString == "=?utf-8?Q?J=C3=B6rg?=")
        #expect(EncodedWord.decode(list[2].name ?? []) == "Jörg")
    }

    @Test("comments: dropped, or the name of a bare addr-spec; obs-phrase with a dot")
    func comments() {
        let list = mailboxes("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, john@x.test (John Q. Public), John Q. Public <jqp@x.test>")
        #expect(list[0].nameString == "Pete")
        #expect(list[0].address == "pete@silly.test")
        #expect(list[1].nameString == "John Q. Public")
        #expect(list[2].nameString == "John Q. Public")
    }

    @Test("groups: start and end markers, empty groups (RFC 5322 §3.4, RFC 3501 ENVELOPE)")
    func groups() {
        let items = AddressList.parse(bytes("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>; Undisclosed recipients:;, x@y"))
        #expect(items.count == 8)
        #expect(items[0] == .groupStart(name: bytes("A Group")))
        #expect(items[4] == .groupEnd)
        #expect(items[5] == .groupStart(name: bytes("Undisclosed recipients")))
        #expect(items[6] == .groupEnd)
        if case .mailbox(let m) = items[7] { #expect(m.address == "x@y") } else { Issue.record("no mailbox") }
        // An unclosed group is closed at the end.
        #expect(AddressList.parse(bytes("g: a@b")).last == .groupEnd)
    }

    @Test("obs-route inside the angle brackets (RFC 5322 §4.4)")
    func route() {
        let list = mailboxes("Mary <@machine.tld,@other.tld:mary@example.net>")
        #expect(list.count == 1)
        #expect(list[0].route.map(text) == "@machine.tld,@other.tld")
        #expect(list[0].address == "mary@example.net")
        #expect(list[0].nameString == "Mary")
    }

    @Test("quoted local part, domain literal, obs-local-part with spaces")
    func localParts() {
        let list = mailboxes("\"john doe\"@example.com, user@[192.0.2.1], a . b@c")
        #expect(list[0].localPartString == "john doe")
        #expect(list[1].domainString == "[192.0.2.1]")
        #expect(list[2].localPartString == "a.b")
    }

    @Test("broken: missing domain, unbalanced brackets, trailing garbage, empty entries")
    func broken() {
        let list = mailboxes("undisclosed-recipients, <user@host, bob@ , ,, carol@host.test garbage here, <>")
        #expect(list[0].localPartString == "undisclosed-recipients")
        #expect(list[0].domain == nil)
        #expect(list[1].address == "user@host")
        #expect(list.contains { $0.localPartString == "bob" && $0.domain == nil })
        #expect(list.contains { $0.address == "carol@host.test" })
        #expect(mailboxes("").isEmpty)
        #expect(mailboxes(";;;:::<<<>>>\"").count <= 3)
    }

    @Test("hostile: deep comments and huge lists stay bounded")
    func hostile() {
        let deep = String(repeating: "(", count: 100_000) + "a@b"
        _ = AddressList.parse(bytes(deep))
        let many = Array(repeating: "a@b", count: 20_000).joined(separator: ",")
        #expect(AddressList.parse(bytes(many)).count == AddressList.maximumItems)
    }
}
