// Tests for SelfSignedCertificate, judged by OpenSSL rather than by our own reader: `openssl
// x509 -text` parses it and shows the RFC 5280 fields and extensions we meant to write,
// `openssl verify -check_ss_sig` proves the self-signature (and refuses a tampered one),
// `openssl pkey -pubout` shows that the key file holds the certificate's key; plus host name
// rules, GeneralizedTime after 2049, the over-long common name case, and that no description
// of the value contains the private key.

import Crypto
import Foundation
import MailroomCore
import Testing
@testable import MailroomTLS

@Suite("SelfSignedCertificate")
struct SelfSignedCertificateTests {
    /// 2026-05-01 12:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_777_636_800)

    /// Writes the pair to a scratch directory: (directory, cert path, key path).
    static func written(_ made: SelfSignedCertificate) throws -> (ScratchDirectory, String, String) {
        let scratch = try ScratchDirectory()
        let cert = try scratch.write(made.certificatePEM, to: "cert.pem", mode: 0o644)
        let key = try scratch.write(made.privateKeyPEM, to: "key.pem")
        return (scratch, cert, key)
    }

    @Test("openssl x509 -text shows version, names, CA:FALSE, key usages and validity")
    func opensslText() throws {
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com", "192.0.2.25", "2001:db8::25"], now: Self.now)
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        let text = try OpenSSLTool.succeed(["x509", "-noout", "-text", "-in", cert]).standardOutput

        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(text.contains("Public Key Algorithm: id-ecPublicKey"))
        #expect(text.contains("NIST CURVE: P-256"))
        #expect(text.contains("Issuer: CN = mail.example.com"))
        #expect(text.contains("Subject: CN = mail.example.com"))
        // notBefore = now − 1 h, notAfter = notBefore + 825 days (2028-08-03).
        #expect(text.contains("Not Before: May  1 11:00:00 2026 GMT"))
        #expect(text.contains("Not After : Aug  3 11:00:00 2028 GMT"))
        #expect(text.contains("X509v3 Subject Alternative Name: \n                DNS:mail.example.com, IP Address:192.0.2.25, IP Address:2001:DB8:0:0:0:0:0:25"))
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(!text.contains("X509v3 Key Usage"))  // on purpose: see SelfSignedCertificate's header
        #expect(text.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n"))
        #expect(text.contains("X509v3 Subject Key Identifier:"))
        #expect(!text.contains("Authority Key Identifier"))

        // The serial number openssl reads is ours: 16 octets, positive.
        let serial = try OpenSSLTool.succeed(["x509", "-noout", "-serial", "-in", cert]).standardOutput
        #expect(serial == "serial=\(hex(made.serialNumber).uppercased())\n")
        #expect(made.serialNumber.count == 16 && made.serialNumber[0] & 0x80 == 0 && made.serialNumber[0] != 0)
    }

    @Test("with keyUsage asked for, openssl shows it critical with digitalSignature only")
    func keyUsageWhenAsked() throws {
        let made = try SelfSignedCertificate(names: [.dnsName("mail.example.com")], now: Date(), validityDays: 30,
                                             privateKey: P256.Signing.PrivateKey(), serialNumber: [0x42], keyUsage: true)
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        let text = try OpenSSLTool.succeed(["x509", "-noout", "-text", "-in", cert]).standardOutput
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        try OpenSSLTool.succeed(["verify", "-check_ss_sig", "-purpose", "sslserver", "-CAfile", cert, cert])
    }

    @Test("openssl verify -check_ss_sig proves the self-signature, and refuses a tampered one")
    func opensslVerify() throws {
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        // Without -check_ss_sig OpenSSL trusts a self-signed anchor without checking its signature.
        let good = try OpenSSLTool.succeed(["verify", "-check_ss_sig", "-x509_strict", "-purpose", "sslserver",
                                            "-verify_hostname", "mail.example.com", "-CAfile", cert, cert])
        #expect(good.standardOutput == "\(cert): OK\n")

        // Flip one bit in the last octet of the signature: still parses, no longer verifies.
        var der = made.certificateDER
        der[der.count - 1] ^= 0x01
        let tampered = try scratch.write(PEM.encode(label: "CERTIFICATE", der: der), to: "tampered.pem")
        let bad = try OpenSSLTool.run(["verify", "-check_ss_sig", "-CAfile", tampered, tampered])
        #expect(bad.status != 0)
        #expect(bad.output.contains("certificate signature failure"), "\(bad.output)")
        // …which shows that the first verify checked the signature, not just the names.
        let unchecked = try OpenSSLTool.run(["verify", "-CAfile", tampered, tampered])
        #expect(unchecked.status == 0, "without -check_ss_sig openssl does not look at the signature: \(unchecked.output)")

        // A different host name is refused.
        let wrongName = try OpenSSLTool.run(["verify", "-check_ss_sig", "-verify_hostname", "other.example.com", "-CAfile", cert, cert])
        #expect(wrongName.status != 0)
    }

    @Test("openssl pkey: the key file is PKCS #8 and holds the certificate's key")
    func opensslKeyMatches() throws {
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Self.now)
        let (scratch, cert, key) = try Self.written(made)
        defer { scratch.remove() }
        #expect(made.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let fromKey = try OpenSSLTool.succeed(["pkey", "-in", key, "-pubout"]).standardOutput
        let fromCertificate = try OpenSSLTool.succeed(["x509", "-in", cert, "-noout", "-pubkey"]).standardOutput
        #expect(fromKey.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(fromKey == fromCertificate)
        let check = try OpenSSLTool.succeed(["pkey", "-in", key, "-check", "-noout"])
        #expect(check.output.contains("Key is valid"))
    }

    @Test("GeneralizedTime after 2049 is read by openssl")
    func generalizedTime() throws {
        // 2049-06-01 07:30 + 825 days = 2051-09-04 07:30.
        let start = Date(timeIntervalSince1970: TimeInterval(CivilTime(year: 2049, month: 6, day: 1, hour: 8, minute: 30, second: 0).epochSeconds))
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: start)
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        let dates = try OpenSSLTool.succeed(["x509", "-noout", "-dates", "-in", cert]).standardOutput
        #expect(dates == "notBefore=Jun  1 07:30:00 2049 GMT\nnotAfter=Sep  4 07:30:00 2051 GMT\n")
        // …and by our reader, through the GeneralizedTime tag.
        let summary = try CertificateSummary(der: made.certificateDER)
        #expect(summary.notAfter == made.notAfter)
        #expect(made.certificateDER.contains(DER.generalizedTimeTag))
    }

    @Test("a host name longer than 64 octets goes only into a critical subjectAltName")
    func longHostName() throws {
        let name = String(repeating: "a", count: 60) + ".mail.example.com"
        let made = try SelfSignedCertificate(hostNames: [name], now: Date())  // verified below: the real clock
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        let text = try OpenSSLTool.succeed(["x509", "-noout", "-text", "-in", cert]).standardOutput
        #expect(text.contains("Subject: O = Mailroom"))
        #expect(text.contains("X509v3 Subject Alternative Name: critical\n                DNS:\(name)"))
        try OpenSSLTool.succeed(["verify", "-check_ss_sig", "-verify_hostname", name, "-CAfile", cert, cert])
    }

    @Test("our reader agrees with openssl: subject, names, dates, fingerprint")
    func summary() throws {
        let made = try SelfSignedCertificate(hostNames: ["Mail.Example.COM.", "[::1]"], now: Self.now, validityDays: 30)
        let (scratch, cert, _) = try Self.written(made)
        defer { scratch.remove() }
        let summary = try CertificateSummary(der: made.certificateDER)
        #expect(summary.subject == "CN=mail.example.com")
        #expect(summary.issuer == summary.subject)
        #expect(summary.isSelfSigned)
        #expect(summary.subjectAlternativeNames == [.dnsName("mail.example.com"), .ipAddress(IPAddress("::1")!)])
        #expect(summary.notBefore == Self.now.addingTimeInterval(-3600))
        #expect(summary.notAfter == Self.now.addingTimeInterval(30 * 86_400 - 3600))
        #expect(summary.publicKeyAlgorithm == "ECDSA P-256")
        #expect(summary.serialNumber == hex(made.serialNumber))
        let fingerprint = try OpenSSLTool.succeed(["x509", "-noout", "-fingerprint", "-sha256", "-in", cert]).standardOutput
        #expect(fingerprint.lowercased() == "sha256 fingerprint=\(summary.sha256Fingerprint.lowercased())\n")
        #expect(summary.covers(hostName: "MAIL.example.com"))
        #expect(summary.covers(hostName: "::1"))
        #expect(!summary.covers(hostName: "127.0.0.1"))
        #expect(!summary.covers(hostName: "example.com"))
    }

    @Test("a fixed key and serial give the same certificate (ECDSA aside) and a stable subject key id")
    func fixedInputs() throws {
        let key = P256.Signing.PrivateKey()
        let a = try SelfSignedCertificate(names: [.dnsName("mx.example.org")], now: Self.now, validityDays: 10, privateKey: key, serialNumber: [1])
        let b = try SelfSignedCertificate(names: [.dnsName("mx.example.org")], now: Self.now, validityDays: 10, privateKey: key, serialNumber: [1])
        // ECDSA signatures are randomised; the signed part is identical.
        let tbsA = try DERElement.single(a.certificateDER).children()[0].encoded
        let tbsB = try DERElement.single(b.certificateDER).children()[0].encoded
        #expect(tbsA.elementsEqual(tbsB))
        #expect(a.privateKeyPEM == key.pemRepresentation)
        // The signature verifies with swift-crypto too.
        let parts = try DERElement.single(a.certificateDER).children()
        let signature = try P256.Signing.ECDSASignature(derRepresentation: Array(parts[2].bitStringOctets()))
        #expect(key.publicKey.isValidSignature(signature, for: Array(tbsA)))
    }

    @Test("host names are checked", arguments: [
        "", "bad_name.example.com", "*.example.com", "-mail.example.com", "mail-.example.com", "mail..example.com",
        "mail example.com", "127.1", "010.0.0.1", "fe80::1%eth0", String(repeating: "a", count: 64) + ".example.com",
        String(repeating: "abcdefghi.", count: 26) + "com",
    ])
    func invalidHostNames(name: String) {
        #expect(throws: TLSCredentialsError.self) { try SelfSignedCertificate(hostNames: [name]) }
    }

    @Test("host names are normalised")
    func hostNames() throws {
        #expect(try SubjectAlternativeName(hostName: "MAIL.Example.com.") == .dnsName("mail.example.com"))
        #expect(try SubjectAlternativeName(hostName: "localhost") == .dnsName("localhost"))
        #expect(try SubjectAlternativeName(hostName: "bücher.example") == .dnsName("xn--bcher-kva.example"))
        #expect(try SubjectAlternativeName(hostName: "[2001:DB8::1]") == .ipAddress(IPAddress("2001:db8::1")!))
        #expect(try SubjectAlternativeName(hostName: "192.0.2.1").description == "IP:192.0.2.1")
        let duplicate = try SelfSignedCertificate(hostNames: ["a.example", "A.example."], now: Self.now)
        #expect(duplicate.names == [.dnsName("a.example")])
        #expect(throws: TLSCredentialsError.self) { try SelfSignedCertificate(hostNames: []) }
    }

    @Test("validity out of bounds is an error, not a crash")
    func validityBounds() throws {
        for days in [0, -1, SelfSignedCertificate.maximumValidityDays + 1] {
            #expect(throws: TLSCredentialsError.self) { try SelfSignedCertificate(hostNames: ["a.example"], now: Self.now, validityDays: days) }
        }
        #expect(throws: TLSCredentialsError.self) { try SelfSignedCertificate(hostNames: ["a.example"], now: Date(timeIntervalSince1970: 300_000_000_000)) }
        #expect(throws: TLSCredentialsError.self) { try SelfSignedCertificate(hostNames: ["a.example"], now: Date(timeIntervalSince1970: -700_000_000)) }
        let longest = try SelfSignedCertificate(hostNames: ["a.example"], now: Self.now, validityDays: SelfSignedCertificate.maximumValidityDays)
        #expect(try CertificateSummary(der: longest.certificateDER).notAfter == longest.notAfter)
    }

    @Test("no description of the value shows the private key")
    func privateKeyStaysOutOfLogs() throws {
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Self.now)
        let keyBody = made.privateKeyPEM.split(separator: "\n")[1]
        var dumped = ""
        dump(made, to: &dumped)
        for text in [String(describing: made), String(reflecting: made), "\(made)", dumped] {
            #expect(!text.contains(keyBody))
            #expect(!text.contains("PRIVATE KEY"))
            #expect(text.contains("mail.example.com"))
        }
    }
}
