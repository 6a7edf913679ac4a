// Tests for IPAddress (strict parsing, RFC 5952 output) and CIDR (parsing, host bits, contains).

import Testing
@testable import MailroomCore

@Suite("IPAddress")
struct IPAddressTests {
    @Test func parsesIPv4() throws {
        let address = try #require(IPAddress("192.0.2.1"))
        #expect(address.bytes == [192, 0, 2, 1])
        #expect(address.isIPv4)
        #expect(address.description == "192.0.2.1")
        #expect(IPAddress("0.0.0.0")?.bytes == [0, 0, 0, 0])
        #expect(IPAddress("255.255.255.255")?.bytes == [255, 255, 255, 255])
    }

    @Test("refuses", arguments: [
        "", "256.0.0.1", "010.0.0.1", "1.2.3.04", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "a.b.c.d",
        " 1.2.3.4", "1.2.3.4 ", "127.1", "0x7f.0.0.1", "1.2.3.-4", "1.2.3.4/32", "１.２.３.４",
        ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::1.2.3", "::ffff:1.2.3.04", "::1.2.3.4:1", "1.2.3.4::", "g::", "1:", ":1", "1:::2",
        "fe80::1%eth0", "[::1]", "::1 ", "2001:db8::1/64", String(repeating: "0", count: 100) + "::1",
    ])
    func refuses(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    /// RFC 5952 §2 and §4: every spelling of an address prints one way.
    @Test("RFC 5952 canonical form", arguments: [
        // §2.1–2.3: the many spellings of 2001:db8::1:0:0:1 (§4.2.3: first of two equal runs).
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8::1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8::0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8::1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:0:1::1", "2001:db8::1:0:0:1"),
        ("2001:db8:0000:0:1::1", "2001:db8::1:0:0:1"),
        ("2001:DB8:0:0:1::1", "2001:db8::1:0:0:1"),
        // §4.1 leading zeros; §4.3 lower case.
        ("2001:db8::0001", "2001:db8::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:0db8:0:0:0:0:2:1", "2001:db8::2:1"),
        // §4.2.1 shorten as much as possible; §4.2.2 not a single 16-bit zero field.
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        // §4.2.3 the longest run is compressed.
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),
        // Ends.
        ("::", "::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("::1", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1::", "1::"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("fe80::0202:b3ff:fe1e:8329", "fe80::202:b3ff:fe1e:8329"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        // §5 IPv4-mapped addresses keep the dotted quad; others do not.
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::FFFF:c000:0201", "::ffff:192.0.2.1"),
        ("0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::192.0.2.1", "::c000:201"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func canonical(input: String, output: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == output)
        #expect(!address.isIPv4)
        #expect(IPAddress(output) == address)
    }

    @Test func ipv4Mapped() {
        #expect(IPAddress("::ffff:10.1.2.3")?.ipv4Mapped == IPAddress("10.1.2.3"))
        #expect(IPAddress("::10.1.2.3")?.ipv4Mapped == nil)
        #expect(IPAddress("10.1.2.3")?.ipv4Mapped == nil)
        #expect(IPAddress("::ffff:10.1.2.3") != IPAddress("10.1.2.3"))
    }

    @Test func loopback() {
        for text in ["127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1"] {
            #expect(IPAddress(text)?.isLoopback == true, "\(text)")
        }
        for text in ["128.0.0.1", "126.255.255.255", "::", "::2", "::ffff:128.0.0.1", "::127.0.0.1", "1::1"] {
            #expect(IPAddress(text)?.isLoopback == false, "\(text)")
        }
    }

    @Test func fromBytes() {
        #expect(IPAddress(bytes: [192, 0, 2, 1])?.description == "192.0.2.1")
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 15) + [1])?.description == "::1")
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 5)) == nil)
        #expect(IPAddress(bytes: []) == nil)
    }
}

@Suite("CIDR")
struct CIDRTests {
    @Test("parses and prints canonically", arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.0.2.5", "192.0.2.5/32"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:DB8:0::/32", "2001:db8::/32"),
        ("::1", "::1/128"),
        ("::/0", "::/0"),
        ("::ffff:0:0/96", "::ffff:0.0.0.0/96"),
        ("fe80::/10", "fe80::/10"),
    ])
    func parses(text: String, canonical: String) throws {
        let cidr = try CIDR(text)
        #expect(cidr.description == canonical)
        #expect(try CIDR(canonical) == cidr)
    }

    @Test func prefixLengthDefaults() throws {
        #expect(try CIDR("192.0.2.5").prefixLength == 32)
        #expect(try CIDR("::1").prefixLength == 128)
        #expect(try CIDR("10.0.0.0/8").network == IPAddress("10.0.0.0"))
    }

    @Test("contains", arguments: [
        ("10.0.0.0/8", "10.0.0.0", true),
        ("10.0.0.0/8", "10.255.255.255", true),
        ("10.0.0.0/8", "11.0.0.0", false),
        ("10.0.0.0/8", "9.255.255.255", false),
        ("172.16.0.0/12", "172.31.255.255", true),
        ("172.16.0.0/12", "172.32.0.0", false),
        ("192.168.1.128/25", "192.168.1.127", false),
        ("192.168.1.128/25", "192.168.1.200", true),
        ("192.0.2.5", "192.0.2.5", true),
        ("192.0.2.5", "192.0.2.6", false),
        ("0.0.0.0/0", "203.0.113.9", true),
        ("2001:db8::/32", "2001:db8:ffff::1", true),
        ("2001:db8::/32", "2001:db9::", false),
        ("2001:db8::/33", "2001:db8:7fff::1", true),
        ("2001:db8::/33", "2001:db8:8000::", false),
        ("::1", "::1", true),
        ("::1", "::2", false),
        ("::/0", "2001:db8::1", true),
        // An IPv4-mapped IPv6 client matches IPv4 networks …
        ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("10.0.0.0/8", "::ffff:11.1.2.3", false),
        ("0.0.0.0/0", "::ffff:1.2.3.4", true),
        ("127.0.0.0/8", "::ffff:127.0.0.1", true),
        // … but not other IPv6 addresses, including IPv4-compatible ones.
        ("10.0.0.0/8", "::10.1.2.3", false),
        ("0.0.0.0/0", "2001:db8::1", false),
        // An IPv4 client matches IPv6 networks only inside ::ffff:0:0/96.
        ("::ffff:0:0/96", "1.2.3.4", true),
        ("::ffff:10.0.0.0/104", "10.1.2.3", true),
        ("::ffff:10.0.0.0/104", "11.1.2.3", false),
        ("::/0", "1.2.3.4", false),
        ("::/64", "1.2.3.4", false),
        ("2001:db8::/32", "192.0.2.1", false),
    ])
    func contains(network: String, address: String, expected: Bool) throws {
        let cidr = try CIDR(network)
        let ip = try #require(IPAddress(address))
        #expect(cidr.contains(ip) == expected)
    }

    @Test("rejections name the problem", arguments: [
        ("10.0.0.1/8", "'10.0.0.1/8' has host bits set; the network is 10.0.0.0/8"),
        ("192.168.1.77/24", "'192.168.1.77/24' has host bits set; the network is 192.168.1.0/24"),
        ("172.20.0.0/11", "'172.20.0.0/11' has host bits set; the network is 172.0.0.0/11"),
        ("2001:db8::1/32", "'2001:db8::1/32' has host bits set; the network is 2001:db8::/32"),
        ("::1/0", "'::1/0' has host bits set; the network is ::/0"),
        ("10.0.0.0/33", "'10.0.0.0/33': the prefix length must be a number from 0 to 32"),
        ("::/129", "'::/129': the prefix length must be a number from 0 to 128"),
        ("10.0.0.0/x", "'10.0.0.0/x': the prefix length must be a number from 0 to 32"),
        ("10.0.0.0/-1", "'10.0.0.0/-1': the prefix length must be a number from 0 to 32"),
        ("10.0.0.0/8/8", "'10.0.0.0/8/8': the prefix length must be a number from 0 to 32"),
        ("10.0.0.0/0008", "'10.0.0.0/0008': the prefix length must be a number from 0 to 32"),
        ("10.0.0.0/08", "'10.0.0.0/08': the prefix length must not have leading zeros"),
        ("10.0.0.0/", "'10.0.0.0/' has no prefix length after '/'"),
        ("example.com/8", "'example.com' is not an IP address"),
        ("10.0.0/8", "'10.0.0' is not an IP address"),
        ("", "'' is not an IP address"),
        ("/8", "'' is not an IP address"),
        ("fe80::1%eth0/64", "'fe80::1%eth0' is not an IP address"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: CIDRError(message: message)) { try CIDR(text) }
    }

    @Test func errorDescription() {
        do {
            _ = try CIDR("10.0.0.1/8")
            Issue.record("accepted host bits")
        } catch {
            #expect(error.description == "invalid network: '10.0.0.1/8' has host bits set; the network is 10.0.0.0/8")
        }
    }
}
