// Tests for LocalPart and EmailAddress: SMTPUTF8 addresses in both forms and every rejection.

import Testing
@testable import MailroomCore

@Suite("EmailAddress and LocalPart")
struct EmailAddressTests {
    // MARK: Accepted addresses

    @Test func chineseAddressBothWays() throws {
        let address = try EmailAddress("用户@例子.中国")
        #expect(address.localPart.value == "用户")
        #expect(address.domain.ascii == "xn--fsqu00a.xn--fiqs8s")
        #expect(address.ascii == "用户@xn--fsqu00a.xn--fiqs8s")
        #expect(address.unicode == "用户@例子.中国")
        #expect(address.description == "用户@例子.中国")

        let fromASCII = try EmailAddress("用户@xn--fsqu00a.xn--fiqs8s")
        #expect(fromASCII == address)
        #expect(fromASCII.unicode == "用户@例子.中国")
        #expect(try EmailAddress("用户@例子。中国") == address)
    }

    @Test("normalizes case and Unicode form", arguments: [
        ("User.Name+Tag@Example.COM", "user.name+tag@example.com", "user.name+tag@example.com"),
        ("ÜSER@Bücher.example", "üser@bücher.example", "üser@xn--bcher-kva.example"),
        ("zoe\u{0308}@example.com", "zoë@example.com", "zoë@example.com"),
        ("ПОЧТА@пример.рф", "почта@пример.рф", "почта@xn--e1afmkfd.xn--p1ai"),
        ("ユーザー@例え.jp", "ユーザー@例え.jp", "ユーザー@xn--r8jz45g.jp"),
        ("!#$%&'*+-=?^_`{|}~@example.com", "!#$%&'*+-=?^_`{|}~@example.com", "!#$%&'*+-=?^_`{|}~@example.com"),
        ("a.b.c@example.com", "a.b.c@example.com", "a.b.c@example.com"),
        ("\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}@example.ir",
         "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}@example.ir",
         "\u{0645}\u{06CC}\u{200C}\u{062E}\u{0648}\u{0627}\u{0647}\u{0645}@example.ir"),  // Persian with ZWNJ
    ])
    func normalizes(input: String, unicode: String, ascii: String) throws {
        let address = try EmailAddress(input)
        #expect(address.unicode == unicode)
        #expect(address.ascii == ascii)
    }

    @Test func composedFromParts() throws {
        let address = EmailAddress(localPart: try LocalPart("用户"), domain: try DomainName("例子.中国"))
        #expect(address == (try EmailAddress("用户@xn--fsqu00a.xn--fiqs8s")))
        #expect(Set([address, try EmailAddress("用户@例子.中国")]).count == 1)
    }

    @Test func localPartLimitIsInOctets() throws {
        // 21 Han characters are 63 octets; 22 are 66.
        #expect(try LocalPart(String(repeating: "用", count: 21)).value.utf8.count == 63)
        #expect(throws: AddressError(field: .localPart, message: "local part is longer than 64 octets")) {
            try LocalPart(String(repeating: "用", count: 22))
        }
        #expect(try LocalPart(String(repeating: "a", count: 64)).value.count == 64)
        #expect(throws: AddressError(field: .localPart, message: "local part is longer than 64 octets")) {
            try LocalPart(String(repeating: "a", count: 65))
        }
        // Decomposed input is measured after NFC: 32 × "ë" is 64 octets composed, 96 decomposed.
        #expect(try LocalPart(String(repeating: "e\u{0308}", count: 32)).value.utf8.count == 64)
    }

    @Test func addressLimitIs254Octets() throws {
        let local = String(repeating: "a", count: 64)
        let label = String(repeating: "b", count: 63)
        let domain189 = "\(label).\(label).\(String(repeating: "c", count: 61))"
        #expect(domain189.utf8.count == 189)
        #expect(try EmailAddress("\(local)@\(domain189)").ascii.utf8.count == 254)
        #expect(throws: AddressError(field: .address, message: "address is longer than 254 octets (255)")) {
            try EmailAddress("\(local)@\(domain189)x")
        }
    }

    // MARK: Rejections, each with its message

    @Test("address rejections", arguments: [
        ("", AddressError.Field.address, "address is empty"),
        ("user.example.com", .address, "'user.example.com' has no '@'"),
        ("用户＠例子.中国", .address, "'用户＠例子.中国' has no '@' (it has a full-width '＠' U+FF20; use '@')"),
        ("<user@example.com>", .address, "'<user@example.com>' is in angle brackets; give the bare address (user@example.com)"),
        ("@example.com", .localPart, "local part is empty"),
        ("user@", .domain, "domain is empty"),
        ("a@b@example.com", .localPart, "local part 'a@b' contains '@'"),
        ("user@exa_mple.com", .domain, "label 'exa_mple' contains '_'"),
        ("user@localhost", .domain, "'localhost' has only one label; a hosted domain needs at least two, like example.com"),
        ("user@[192.0.2.1]", .domain, "label '[192' contains '['"),
        ("user@192.0.2.1", .domain, "top-level label '1' is all-numeric (an IP address is not a domain name)"),
    ])
    func rejectsAddress(input: String, field: AddressError.Field, message: String) {
        #expect(throws: AddressError(field: field, message: message)) { try EmailAddress(input) }
    }

    @Test("local part rejections", arguments: [
        ("", "local part is empty"),
        ("\"quoted\"", "quoted local parts ('\"quoted\"') are not accepted"),
        (".user", "local part '.user' starts with '.'"),
        ("user.", "local part 'user.' ends with '.'"),
        ("us..er", "local part 'us..er' contains '..'"),
        ("a b", "local part 'a b' contains ' '"),
        ("a/b", "local part 'a/b' contains '/', which cannot be part of a mailbox directory name"),
        ("../etc", "local part '../etc' starts with '.'"),
        ("a(b)", "local part 'a(b)' contains '('"),
        ("a,b", "local part 'a,b' contains ','"),
        ("a\\b", "local part 'a\\b' contains '\\'"),
        ("a\"b", "local part 'a\"b' contains '\"'"),
        ("a\u{0}b", "local part 'a\\u{0000}b' contains U+0000"),
        ("a\tb", "local part 'a\\u{0009}b' contains U+0009"),
        ("a\u{7F}b", "local part 'a\\u{007F}b' contains U+007F"),
        ("a\u{85}b", "local part 'a\\u{0085}b' contains U+0085, which is not allowed"),
        ("用\u{3000}户", "local part '用\\u{3000}户' contains U+3000, which is not allowed"),
        ("a\u{A0}b", "local part 'a\\u{00A0}b' contains U+00A0, which is not allowed"),
        ("user\u{202E}moc", "local part 'user\\u{202E}moc' contains U+202E, which is not allowed"),
        ("us\u{200B}er", "local part 'us\\u{200B}er' contains U+200B, which is not allowed"),
        ("\u{200C}user", "local part '\\u{200C}user' contains U+200C, which is not allowed"),
        ("a\u{E000}b", "local part 'a\\u{E000}b' contains U+E000, which is not allowed"),
        ("a\u{FFFF}b", "local part 'a\\u{FFFF}b' contains U+FFFF, which is not allowed"),
    ])
    func rejectsLocalPart(input: String, message: String) {
        #expect(throws: AddressError(field: .localPart, message: message)) { try LocalPart(input) }
    }

    @Test func localPartNormalization() throws {
        #expect(try LocalPart("ZOE\u{0308}").value == "zoë")
        #expect(try LocalPart("Straße").value == "straße")
        #expect(try LocalPart("ΟΔΥΣΣΕΥΣ").value == "οδυσσευσ")
        #expect(try LocalPart("用户").description == "用户")
        #expect(try LocalPart("Üser") == LocalPart("u\u{0308}ser"))
    }

    @Test func errorDescriptions() {
        #expect(AddressError(field: .address, message: "x").description == "invalid address: x")
        #expect(AddressError(field: .localPart, message: "x").description == "invalid local part: x")
        #expect(AddressError(field: .domain, message: "x").description == "invalid domain: x")
        do {
            _ = try EmailAddress("a b@example.com")
            Issue.record("accepted a space")
        } catch {
            #expect(error.description == "invalid local part: local part 'a b' contains ' '")
        }
    }
}
