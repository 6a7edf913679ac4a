// Paths, mailboxes, local parts, domains and address literals in MAIL FROM and RCPT TO,
// including SMTPUTF8 addresses (RFC 6531) and source routes (RFC 5321 Appendix C).

import MailroomCore
@testable import MailroomSMTP
import Testing

@Suite("Grammar: paths and mailboxes")
struct GrammarPathTests {
    // MARK: Local parts

    @Test("a Dot-string local part keeps its case; the domain is normalized")
    func dotStringCase() throws {
        let mailbox = try recipient("John.Smith@Example.COM")
        #expect(mailbox.localPart.value == "John.Smith")
        #expect(!mailbox.localPart.needsQuoting)
        #expect(mailbox.domain == .domain(try DomainName("example.com")))
        #expect(mailbox.description == "John.Smith@example.com")
        #expect(!mailbox.requiresSMTPUTF8)
    }

    @Test("every atext character is accepted unquoted")
    func atext() throws {
        let local = "!#$%&'*+-/=?^_`{|}~.az.AZ.09"
        #expect(try recipient("\(local)@example.com").localPart.value == local)
    }

    @Test("quoted local parts are unquoted, and re-quoted only when needed")
    func quotedStrings() throws {
        let spaced = try recipient("\"john smith\"@example.com")
        #expect(spaced.localPart.value == "john smith")
        #expect(spaced.localPart.needsQuoting)
        #expect(spaced.description == "\"john smith\"@example.com")

        let escaped = try recipient(#""a\"b\\c"@example.com"#)
        #expect(escaped.localPart.value == #"a"b\c"#)
        #expect(escaped.localPart.description == #""a\"b\\c""#)

        let pair = try recipient(#""\a\b"@example.com"#)
        #expect(pair.localPart.value == "ab")
        #expect(!pair.localPart.needsQuoting)

        // RFC 5322 §3.4.1: the quoted and unquoted forms are the same mailbox.
        #expect(try recipient("\"user\"@example.com") == (try recipient("user@example.com")))
        #expect(try recipient("\"user\"@example.com").description == "user@example.com")
        #expect(try recipient("\"a..b\"@example.com").localPart.needsQuoting)
        #expect(try recipient("\".a\"@example.com").localPart.needsQuoting)
        #expect(try recipient("\"a>b\"@example.com").localPart.value == "a>b")
    }

    @Test("malformed local parts are refused with 553", arguments: [
        ".user@example.com", "user.@example.com", "us..er@example.com", "\"\"@example.com",
        "us(er@example.com", "us<er@example.com", "us[er@example.com", "us\\er@example.com", "us,er@example.com",
        "\"us\"er\"@example.com", "\"abc@example.com", "us\"er@example.com", "a:b@example.com",
    ])
    func badLocalParts(path: String) {
        #expect(refusalCode("RCPT TO:<\(path)>").hasPrefix("5"), "\(path)")
        #expect(refusal("RCPT TO:<\(path)>")?.kind == .invalidMailbox(.recipient) || refusal("RCPT TO:<\(path)>")?.kind == .invalidPath(.recipient))
    }

    @Test("the local part limit is 64 octets as written, quotes included")
    func localPartLength() throws {
        let a64 = String(repeating: "a", count: 64)
        #expect(try recipient("\(a64)@example.com").localPart.value == a64)
        #expect(refusalCode("RCPT TO:<\(a64)a@example.com>") == "553 5.1.3")
        #expect(refusal("RCPT TO:<\(a64)a@example.com>")?.detail == "The local part is longer than 64 octets")
        let quoted62 = "\"" + String(repeating: "b", count: 62) + "\""
        #expect(try recipient("\(quoted62)@example.com").localPart.value.count == 62)
        #expect(refusalCode("MAIL FROM:<\"\(String(repeating: "b", count: 63))\"@example.com>") == "553 5.1.7")
        // 21 Han characters are 63 octets, 22 are 66.
        #expect(try recipient(String(repeating: "用", count: 21) + "@example.com").localPart.value.count == 21)
        #expect(refusalCode("RCPT TO:<\(String(repeating: "用", count: 22))@example.com>") == "553 5.1.3")
    }

    @Test("Mailbox.LocalPart for the client side")
    func localPartValues() throws {
        #expect(Mailbox.LocalPart("john smith")?.description == "\"john smith\"")
        #expect(Mailbox.LocalPart("user%remote")?.description == "user%remote")
        #expect(Mailbox.LocalPart("") == nil)
        #expect(Mailbox.LocalPart("a\r\nb") == nil)
        #expect(Mailbox.LocalPart("a\u{202E}b") == nil)
        #expect(Mailbox.LocalPart("用户")?.isASCII == false)
    }

    // MARK: Domains and literals

    @Test("domains that are not FQDNs, or not RFC 5321 syntax, are refused", arguments: [
        "user@localhost", "user@example.com.", "user@.example.com", "user@example..com", "user@-example.com",
        "user@example-.com", "user@exa_mple.com", "user@192.0.2.1", "user@example.123", "user@ex%ample.com",
        "user@" + String(repeating: "a", count: 64) + ".com", "user@xn--a.example",
    ])
    func badDomains(path: String) {
        #expect(refusalCode("RCPT TO:<\(path)>") == "553 5.1.3", "\(path)")
    }

    @Test("address literals as domains")
    func addressLiterals() throws {
        #expect(try recipient("user@[192.0.2.1]").domain == .addressLiteral(try literal("192.0.2.1")))
        #expect(try recipient("user@[192.0.2.010]").domain == .addressLiteral(try literal("192.0.2.10")))
        let v6 = try recipient("user@[IPv6:2001:DB8:0::1]")
        #expect(v6.domain == .addressLiteral(try literal("2001:db8::1")))
        #expect(v6.description == "user@[IPv6:2001:db8::1]")
        #expect(try recipient("user@[ipv6:::ffff:192.0.2.1]").description == "user@[IPv6:::ffff:192.0.2.1]")
        #expect(v6.domain.domainName == nil)
        for bad in ["[192.0.2.256]", "[192.0.2]", "[192.0.2.1.5]", "[1234.0.0.1]", "[IPv6:2001:db8::g]", "[IPv6:192.0.2.1]",
                    "[tag:value]", "[192.0.2.1", "[]", "[[192.0.2.1]]", "[ 192.0.2.1]", "[IPv6:]"] {
            #expect(refusalCode("RCPT TO:<user@\(bad)>") == "553 5.1.3", "\(bad)")
        }
    }

    // MARK: SMTPUTF8

    @Test("a Chinese address needs SMTPUTF8 and is written back in U-labels")
    func chineseAddress() throws {
        let mailbox = try recipient("用户@例子.中国")
        #expect(mailbox.localPart.value == "用户")
        #expect(mailbox.domain.domainName?.ascii == "xn--fsqu00a.xn--fiqs8s")
        #expect(mailbox.requiresSMTPUTF8)
        #expect(mailbox.description == "用户@例子.中国")
        #expect(try mailbox.emailAddress() == (try EmailAddress("用户@例子.中国")))

        // The same mailbox with its domain in A-labels: still UTF-8 because of the local part.
        let aLabels = try recipient("用户@xn--fsqu00a.xn--fiqs8s")
        #expect(aLabels == mailbox)
        #expect(aLabels.description == "用户@例子.中国")

        guard case .mail(let path, let parameters) = try command("MAIL FROM:<用户@例子.中国> SMTPUTF8") else {
            Issue.record("not MAIL")
            return
        }
        #expect(path.requiresSMTPUTF8)
        #expect(parameters.smtpUTF8)
    }

    @Test("U-labels alone need SMTPUTF8; A-labels do not")
    func uLabels() throws {
        let unicode = try recipient("user@例子.中国")
        let ascii = try recipient("user@xn--fsqu00a.xn--fiqs8s")
        #expect(unicode.requiresSMTPUTF8)
        #expect(!ascii.requiresSMTPUTF8)
        #expect(unicode.domain == ascii.domain)
        #expect(unicode.description == "user@例子.中国")
        #expect(ascii.description == "user@xn--fsqu00a.xn--fiqs8s")
        // ASCII case is folded in a U-label's ASCII letters; nothing else is mapped.
        #expect(try recipient("user@Bücher.example").domain.domainName?.ascii == "xn--bcher-kva.example")
        for unmapped in ["user@例子。中国", "user@BÜCHER.example", "user@ｅｘａｍｐｌｅ.中国", "user@zoe\u{0308}.example"] {
            #expect(refusalCode("RCPT TO:<\(unmapped)>") == "553 5.1.3", "\(unmapped)")
        }
    }

    @Test("UTF-8 local parts: allowed scripts, refused invisible and control code points")
    func utf8LocalParts() throws {
        #expect(try recipient("почта@пример.рф").localPart.value == "почта")
        #expect(try recipient("\"用户 名\"@例子.中国").localPart.value == "用户 名")
        for bad in ["a\u{202E}b", "a\u{200B}b", "a\u{00A0}b", "a\u{0085}b", "a\u{FEFF}b", "a\u{E000}b", "a\u{2028}b"] {
            #expect(refusalCode("RCPT TO:<\(bad)@example.com>") == "553 5.1.3", "\(bad.unicodeScalars.map { $0.value })")
        }
        // Invalid UTF-8: a lone continuation octet, a truncated sequence, an overlong form, an
        // encoded surrogate, a code point past U+10FFFF.
        for octets: [UInt8] in [[0x80], [0xE4, 0xB8], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            let line = Array("RCPT TO:<a".utf8) + octets + Array("@example.com>".utf8)
            #expect(refusal(bytes: line)?.kind == .invalidMailbox(.recipient))
            let quoted = Array("RCPT TO:<\"a".utf8) + octets + Array("\"@example.com>".utf8)
            #expect(refusal(bytes: quoted)?.kind == .invalidMailbox(.recipient))
        }
    }

    // MARK: Paths

    @Test("the null reverse-path, and the unqualified postmaster")
    func specialPaths() throws {
        #expect(try sender("") == .null)
        #expect(ReversePath.null.description == "<>")
        #expect(try command("RCPT TO:<PostMaster>") == .rcpt(.postmaster, RcptParameters()))
        #expect(ForwardPath.postmaster.description == "<Postmaster>")
        #expect(refusalCode("RCPT TO:<postmaster2>") == "553 5.1.3")
    }

    @Test("source routes are checked and dropped, leaving the final mailbox")
    func sourceRoutes() throws {
        let final = try mailbox("user", "c.example")
        for route in ["@a.example:", "@a.example,@b.example:", "@[192.0.2.1]:", "@[IPv6:2001:db8::1],@b.example:", "@A.EXAMPLE:"] {
            #expect(try recipient("\(route)user@c.example") == final, "\(route)")
            #expect(try sender("\(route)user@c.example") == .mailbox(final), "\(route)")
        }
        for bad in ["@:user@c.example", "@a.example user@c.example", "@a.example", "@a_b.example:user@c.example",
                    "@a.example,:user@c.example", "@a.example;user@c.example", "@[192.0.2.1:user@c.example", "@a.example,b.example:user@c.example"] {
            #expect(refusal("RCPT TO:<\(bad)>")?.kind == .invalidMailbox(.recipient), "\(bad)")
        }
    }

    @Test("hosted lookups see a lower-cased core address, or nothing")
    func hostedLookups() throws {
        #expect(try recipient("User.Name@Example.COM").emailAddress() == (try EmailAddress("user.name@example.com")))
        #expect(try recipient("User%Remote@Example.com").emailAddress().localPart.value == "user%remote")
        #expect(throws: AddressError.self) { try recipient("\"a@b\"@example.com").emailAddress() }
        #expect(throws: AddressError.self) { try recipient("\"a b\"@example.com").emailAddress() }
        #expect(throws: AddressError.self) { try recipient("user@[192.0.2.1]").emailAddress() }
    }

    @Test("a core EmailAddress as a mailbox")
    func fromEmailAddress() throws {
        let chinese = Mailbox(try EmailAddress("用户@例子.中国"))
        #expect(chinese.requiresSMTPUTF8)
        #expect(ReversePath.mailbox(chinese).description == "<用户@例子.中国>")
        let ascii = Mailbox(try EmailAddress("User@例子.中国"))
        #expect(!ascii.requiresSMTPUTF8)
        #expect(ForwardPath.mailbox(ascii).description == "<user@xn--fsqu00a.xn--fiqs8s>")
    }
}
