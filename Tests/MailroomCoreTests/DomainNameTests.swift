// Tests for DomainName: IDNA2008-style mapping and validation, both forms, each rejection message.

import Testing
@testable import MailroomCore

@Suite("DomainName")
struct DomainNameTests {
    // MARK: Accepted names

    @Test func chineseDomainBothWays() throws {
        let fromUnicode = try DomainName("例子.中国")
        #expect(fromUnicode.ascii == "xn--fsqu00a.xn--fiqs8s")
        #expect(fromUnicode.unicode == "例子.中国")
        #expect(fromUnicode.description == "xn--fsqu00a.xn--fiqs8s")

        let fromASCII = try DomainName("xn--fsqu00a.xn--fiqs8s")
        #expect(fromASCII.unicode == "例子.中国")
        #expect(fromASCII == fromUnicode)
        #expect(fromASCII.hashValue == fromUnicode.hashValue)

        let mixed = try DomainName("xn--fsqu00a.中国")
        #expect(mixed == fromUnicode)
        #expect(mixed.unicode == "例子.中国")
    }

    @Test func germanUmlaut() throws {
        let name = try DomainName("Bücher.example")
        #expect(name.ascii == "xn--bcher-kva.example")
        #expect(name.unicode == "bücher.example")
        #expect(try DomainName("xn--bcher-kva.example").unicode == "bücher.example")
    }

    @Test("upper case, full-width forms and trailing root dot are folded", arguments: [
        ("EXAMPLE.COM", "example.com"),
        ("Example.Com.", "example.com"),
        ("例子。中国", "xn--fsqu00a.xn--fiqs8s"),
        ("例子．中国", "xn--fsqu00a.xn--fiqs8s"),
        ("例子｡中国", "xn--fsqu00a.xn--fiqs8s"),
        ("例子。中国。", "xn--fsqu00a.xn--fiqs8s"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
        ("ＥＸＡＭＰＬＥ.com", "example.com"),
        ("XN--FSQU00A.XN--FIQS8S", "xn--fsqu00a.xn--fiqs8s"),
        ("BÜCHER.EXAMPLE", "xn--bcher-kva.example"),
        ("bu\u{0308}cher.example", "xn--bcher-kva.example"),  // decomposed input is put in NFC
        ("mail.例子.中国", "mail.xn--fsqu00a.xn--fiqs8s"),
        ("faß.de", "xn--fa-hia.de"),                        // IDNA2008 keeps ß (RFC 5892 §2.6)
        ("col·lecció.cat", "xn--collecci-ioa91d.cat"),      // MIDDLE DOT between two l
        ("ハロー・ワールド.jp", "xn--gdkl8fhk5egc.jp"),       // KATAKANA MIDDLE DOT with katakana
        ("ελληνικά.gr", "xn--hxargifdar.gr"),
        ("한국.kr", "xn--3e0b707e.kr"),
        ("مثال.إختبار", "xn--mgbh0fb.xn--kgbechtv"),
        ("ไทย.ไทย", "xn--o3cw4h.xn--o3cw4h"),
        ("中・国.jp", "xn--vekv29fo7f.jp"),                  // KATAKANA MIDDLE DOT with Han
        ("ᏣᎳᎩ.example", "xn--f9dt7l.example"),               // Cherokee folds to capitals
        ("ꮳꮃꭹ.example", "xn--f9dt7l.example"),
        ("a-b.c-d", "a-b.c-d"),
        ("123.example", "123.example"),
        ("example.xn--fiqs8s", "example.xn--fiqs8s"),
    ])
    func folds(input: String, ascii: String) throws {
        #expect(try DomainName(input).ascii == ascii)
    }

    @Test func unicodeFormIsLowerCaseNFC() throws {
        let name = try DomainName("BU\u{0308}CHER.Example")
        #expect(name.unicode == "bücher.example")
        #expect(name.unicode.unicodeScalars.count == "bücher.example".unicodeScalars.count)
        #expect(try DomainName("EXAMPLE.COM").unicode == "example.com")
    }

    @Test func labelAndNameLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(try DomainName("\(label63).com").ascii.count == 67)
        // 4 × 63-octet labels minus one octet: exactly 253 octets.
        let label61 = String(repeating: "d", count: 61)
        let name253 = "\(label63).\(label63).\(label63).\(label61)"
        #expect(name253.utf8.count == 253)
        #expect(try DomainName(name253).ascii == name253)
        #expect(try DomainName(name253 + ".").ascii == name253)
    }

    @Test func comparableAndHashable() throws {
        let names = try ["b.example", "A.example", "例子.中国"].map { try DomainName($0) }
        #expect(names.sorted().map(\.ascii) == ["a.example", "b.example", "xn--fsqu00a.xn--fiqs8s"])
        #expect(Set(try ["例子.中国", "xn--fsqu00a.xn--fiqs8s", "例子。中国"].map { try DomainName($0) }).count == 1)
    }

    // MARK: Rejections, each with its message

    @Test("rejections name the problem", arguments: [
        ("", "domain is empty"),
        (".", "domain is empty"),
        ("exa_mple.com", "label 'exa_mple' contains '_'"),
        ("exa mple.com", "label 'exa mple' contains ' '"),
        ("user@example.com", "label 'user@example' contains '@'"),
        ("localhost", "'localhost' has only one label; a hosted domain needs at least two, like example.com"),
        ("中国", "'中国' has only one label; a hosted domain needs at least two, like example.com"),
        (".example.com", "domain '.example.com' starts with '.'"),
        ("a..example", "domain 'a..example' contains an empty label ('..')"),
        ("example.com..", "domain 'example.com.' contains an empty label ('..')"),
        ("-abc.com", "label '-abc' starts with '-'"),
        ("abc-.com", "label 'abc-' ends with '-'"),
        ("ab--cd.com", "label 'ab--cd' has '--' in positions 3 and 4, which is reserved for IDNA A-labels ('xn--')"),
        ("中国--x.com", "label '中国--x' has '--' in positions 3 and 4, which is reserved for IDNA A-labels ('xn--')"),
        ("192.0.2.1", "top-level label '1' is all-numeric (an IP address is not a domain name)"),
        ("example.123", "top-level label '123' is all-numeric (an IP address is not a domain name)"),
        ("xn--zz.com", "label 'xn--zz' is not valid Punycode"),
        ("xn--.com", "label 'xn--' ends with '-'"),
        ("xn--abc-.com", "label 'xn--abc-' ends with '-'"),
        ("xn--abc-9.com", "label 'xn--abc-9' is not valid Punycode"),
        ("xn--wca.com", "label 'xn--wca' decodes to 'Ü', which is not in lower-case NFC form"),
        ("xn--bucher-xyd.example", "label 'xn--bucher-xyd' decodes to 'bu\u{0308}cher', which is not in lower-case NFC form"),
        ("xn---fsqu00a.com", "label 'xn---fsqu00a' is not in canonical Punycode form (expected xn--fsqu00a)"),
        ("☃.com", "label '☃' contains '☃' (U+2603), which IDNA2008 does not allow in a domain name"),
        ("mail😀.com", "label 'mail😀' contains '😀' (U+1F600), which IDNA2008 does not allow in a domain name"),
        ("exa\u{200B}mple.com", "label 'exa\\u{200B}mple' contains U+200B, which IDNA2008 does not allow in a domain name"),
        ("a\u{0378}.com", "label 'a\\u{0378}' contains unassigned code point U+0378"),
        ("\u{0301}a.com", "label '\u{0301}a' starts with a combining mark (U+0301)"),
        ("a·b.com", "label 'a·b' contains '·' (U+00B7) where IDNA2008 does not allow it (RFC 5892 Appendix A)"),
        ("a・b.jp", "label 'a・b' contains '・' (U+30FB) where IDNA2008 does not allow it (RFC 5892 Appendix A)"),
        ("\u{0661}\u{06F1}.com", "label '\u{0661}\u{06F1}' contains '\u{0661}' (U+0661) where IDNA2008 does not allow it (RFC 5892 Appendix A)"),
        ("ﬁ.com", "label 'ﬁ' contains 'ﬁ' (U+FB01), which IDNA2008 does not allow in a domain name"),  // NFKC-unstable
        ("例子\u{3000}.中国", "label '例子\\u{3000}' contains U+3000, which IDNA2008 does not allow in a domain name"),
        ("exa\u{0}mple.com", "label 'exa\\u{0000}mple' contains U+0000"),
        ("exa\u{1B}[31mple.com", "label 'exa\\u{001B}[31mple' contains U+001B"),
    ])
    func rejects(input: String, message: String) {
        #expect(throws: AddressError(field: .domain, message: message)) { try DomainName(input) }
    }

    @Test func rejectsLongLabelsAndNames() {
        let label64 = String(repeating: "a", count: 64)
        #expect(throws: AddressError(field: .domain, message: "label '\(label64)' is longer than 63 octets")) {
            try DomainName("\(label64).com")
        }
        let label63 = String(repeating: "a", count: 63)
        let name254 = "\(label63).\(label63).\(label63).\(String(repeating: "d", count: 62))"
        #expect(throws: AddressError(field: .domain, message: "domain is longer than 253 octets (254 in ASCII form)")) {
            try DomainName(name254)
        }
        let huge = String(repeating: "a", count: 100_000) + ".com"
        #expect(throws: AddressError(field: .domain, message: "domain is longer than 253 octets")) {
            try DomainName(huge)
        }
        let han64 = String(repeating: "中", count: 64)
        #expect(throws: AddressError(field: .domain, message: "label '\(han64)' is longer than 63 octets in ASCII form")) {
            try DomainName("\(han64).com")
        }
        // 24 Han characters far apart fit in 63 scalars but not in 63 octets of Punycode.
        let han24 = String(String.UnicodeScalarView((0..<24).map { Unicode.Scalar(0x4E00 + $0 * 0x2A3)! }))
        let aLabel = "xn--" + (Punycode.encode(han24) ?? "")
        #expect(aLabel.utf8.count > 63)
        #expect(throws: AddressError(field: .domain, message: "label '\(han24)' is longer than 63 octets in ASCII form (\(aLabel.utf8.count): \(aLabel))")) {
            try DomainName("\(han24).com")
        }
    }

    @Test func errorDescriptionAndField() {
        do {
            _ = try DomainName("exa_mple.com")
            Issue.record("accepted an underscore")
        } catch {
            #expect(error.field == .domain)
            #expect(error.description == "invalid domain: label 'exa_mple' contains '_'")
        }
    }

    @Test func quotingCutsLongInputShort() {
        let label = String(repeating: "_", count: 100)
        do {
            _ = try DomainName("\(label).com")
            Issue.record("accepted underscores")
        } catch {
            // The quoted input stops after 80 characters.
            #expect(error.message == "label '\(String(repeating: "_", count: 80))…' is longer than 63 octets")
        }
    }
}
