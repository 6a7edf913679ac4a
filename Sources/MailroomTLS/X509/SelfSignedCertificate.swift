// SelfSignedCertificate — the X.509 v3 server certificate and ECDSA P-256 key made on first
// start when no certificate is configured, so that STARTTLS (RFC 3207) and implicit TLS
// (RFC 8314) work out of the box. Encoded here with our own DER writer: no openssl process,
// no certificate library.
//
// Standards (RFC 5280 unless noted):
// - §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }.
// - §4.1.2.1 version v3 ([0] EXPLICIT INTEGER 2), as extensions are present.
// - §4.1.2.2 serial number: positive, at most 20 octets; ours is 16 random octets
//   (CA/Browser Forum BR §7.1 asks for 64 bits of CSPRNG output; we have 126).
// - §4.1.2.3 / §4.1.1.2 signature: ecdsa-with-SHA256 (RFC 5758 §3.2: parameters absent),
//   ECDSA-Sig-Value as DER in the BIT STRING (RFC 5480 §2.2 for the key, RFC 3279 §2.2.3).
// - §4.1.2.4 issuer = subject = CN=<host name> as UTF8String; a name longer than
//   ub-common-name (64, Appendix A.1) gets O=Mailroom instead, and §4.2.1.6 then makes the
//   subjectAltName carry the identity.
// - §4.1.2.5 validity: UTCTime through 2049, GeneralizedTime from 2050 (see DER.time).
// - §4.1.2.7 subjectPublicKeyInfo: id-ecPublicKey with namedCurve prime256v1 (RFC 5480 §2.1.1),
//   taken from swift-crypto's `derRepresentation`.
// - Extensions: basicConstraints CA:FALSE, critical (§4.2.1.9; cA DEFAULT FALSE is omitted
//   under DER, leaving an empty SEQUENCE); extKeyUsage id-kp-serverAuth (§4.2.1.12, which
//   Apple requires); subjectKeyIdentifier (§4.2.1.2) by RFC 7093 §2 method 1 (leftmost 160 bits
//   of SHA-256 of the key); subjectAltName (§4.2.1.6), a dNSName or iPAddress per host name.
//   authorityKeyIdentifier is omitted, as §4.2.1.1 allows for self-signed certificates.
// - keyUsage (§4.2.1.3, optional in an end-entity certificate) is left out on purpose, like
//   Debian's snakeoil certificate. A client that pins this certificate uses it as its own
//   trust anchor, and BoringSSL (so NIOSSL, our own client library) and OpenSSL before 3.0
//   treat a certificate as self-signed, and so as an anchor, only when it has no keyUsage or
//   one with keyCertSign (x509v3_cache_extensions, EXFLAG_SS); keyCertSign in turn needs
//   cA TRUE (§4.2.1.3). With keyUsage digitalSignature the pinned certificate fails with
//   CERTIFICATE_VERIFY_FAILED; TLSHandshakeTests pins both outcomes. The internal initialiser
//   can still add it (critical, digitalSignature) for that test.
//
// Validity (defaultValidityDays = 825): Debian's snakeoil certificate (ssl-cert) and the old
// Postfix/Dovecot packages use 10 years, but macOS and iOS refuse TLS server certificates valid
// for more than 825 days even when the user trusts them (Apple, "Requirements for trusted
// certificates in iOS 13 and macOS 10.15", HT210176), and Apple Mail is a common client of a
// small mail server. TLSServerContext.loadOrCreate makes a new one when this one is near its
// end, so the short life costs an administrator nothing but a new fingerprint to accept.
//
// Security: the private key is made by swift-crypto (BoringSSL's CSPRNG) and leaves this type
// only as `privateKeyPEM`; `description` and `customMirror` omit it so that it cannot reach a
// log by string interpolation or dump(). The file it goes to is written mode 0600 by
// TLSServerContext. The serial number comes from SystemRandomNumberGenerator (getrandom(2)).

import Crypto
import Foundation  // Date, Data
import MailroomCore

public struct SelfSignedCertificate: Sendable, CustomStringConvertible, CustomReflectable {
    /// See the file header for why not 3650.
    public static let defaultValidityDays = 825
    /// Upper bound for `validityDays` (100 years): beyond it is a typo, not a policy.
    public static let maximumValidityDays = 36_500
    /// notBefore lies this far before `now`, so a client whose clock is a little behind ours
    /// does not see a certificate from the future.
    public static let backdatingSeconds: Int64 = 3600
    /// RFC 5280 §4.1.2.2 allows up to 20 octets; 16 random octets, top bit clear.
    static let serialNumberLength = 16
    /// RFC 5280 Appendix A.1, ub-common-name.
    static let maximumCommonNameLength = 64

    /// The names the certificate is valid for, the first one also its common name.
    public let names: [SubjectAlternativeName]
    public let notBefore: Date
    public let notAfter: Date
    public let serialNumber: [UInt8]
    public let certificateDER: [UInt8]
    /// "-----BEGIN CERTIFICATE-----" …
    public let certificatePEM: String
    /// PKCS #8 "-----BEGIN PRIVATE KEY-----" (RFC 5208, RFC 5915). Secret: never log it.
    public let privateKeyPEM: String

    /// A new key and a certificate for `hostNames` (at least one; see
    /// `SubjectAlternativeName.init(hostName:)` for what is accepted), valid for `validityDays`
    /// days from an hour before `now`.
    public init(hostNames: [String], now: Date = Date(), validityDays: Int = Self.defaultValidityDays) throws(TLSCredentialsError) {
        guard !hostNames.isEmpty else {
            throw TLSCredentialsError(field: "host name", path: nil, problem: .invalidHostName(reason: "no host name given"))
        }
        guard (1...Self.maximumValidityDays).contains(validityDays) else {
            throw TLSCredentialsError(field: "validity", path: nil,
                                      problem: .invalidValidity(reason: "\(validityDays) days is not within 1…\(Self.maximumValidityDays)"))
        }
        // DER.time writes years 1950–9999 (UTCTime's and GeneralizedTime's four digits).
        let seconds = now.timeIntervalSince1970
        guard seconds.isFinite, seconds - TimeInterval(Self.backdatingSeconds) >= -631_152_000,
              seconds + TimeInterval(validityDays) * 86_400 < 253_402_300_800 else {
            throw TLSCredentialsError(field: "validity", path: nil,
                                      problem: .invalidValidity(reason: "the clock reads \(now), outside what a certificate can hold (1950–9999)"))
        }
        var names: [SubjectAlternativeName] = []
        for hostName in hostNames {
            let name = try SubjectAlternativeName(hostName: hostName)
            if !names.contains(name) { names.append(name) }
        }
        var random = SystemRandomNumberGenerator()
        var serial = (0..<Self.serialNumberLength).map { _ in UInt8.random(in: 0...255, using: &random) }
        serial[0] = serial[0] & 0x7F | 0x40  // positive (§4.1.2.2) and no leading zero to strip
        try self.init(names: names, now: now, validityDays: validityDays, privateKey: P256.Signing.PrivateKey(),
                      serialNumber: serial)
    }

    /// Everything given: for tests that need a fixed key or serial number.
    init(names: [SubjectAlternativeName], now: Date, validityDays: Int, privateKey: P256.Signing.PrivateKey,
         serialNumber: [UInt8], keyUsage: Bool = false) throws(TLSCredentialsError) {
        precondition(!names.isEmpty && validityDays >= 1 && !serialNumber.isEmpty)
        let start = Int64(now.timeIntervalSince1970.rounded(.down))
        let notBefore = Date(timeIntervalSince1970: TimeInterval(start - Self.backdatingSeconds))
        // notAfter − notBefore is exactly validityDays: Apple counts the period between the two.
        let notAfter = Date(timeIntervalSince1970: TimeInterval(start - Self.backdatingSeconds + Int64(validityDays) * 86_400))

        let spki = Array(privateKey.publicKey.derRepresentation)
        let subjectPublicKey: [UInt8]
        do {
            subjectPublicKey = Array(try DERElement.single(spki).children()[1].bitStringOctets())
        } catch {
            throw Self.cryptoFailure("swift-crypto's SubjectPublicKeyInfo does not parse: \(error)")
        }
        let name = Self.name(for: names[0])
        let signatureAlgorithm = DER.sequence([DER.objectIdentifier(X509OID.ecdsaWithSHA256)])  // RFC 5758 §3.2

        var extensions: [[UInt8]] = [
            Self.extensionDER(X509OID.basicConstraints, critical: true, value: DER.sequence([])),
        ]
        if keyUsage {  // see the header for why not by default
            extensions.append(Self.extensionDER(X509OID.keyUsage, critical: true, value: DER.namedBits([X509OID.digitalSignatureBit])))
        }
        extensions += [
            Self.extensionDER(X509OID.extendedKeyUsage, critical: false,
                              value: DER.sequence([DER.objectIdentifier(X509OID.serverAuth)])),
            Self.extensionDER(X509OID.subjectKeyIdentifier, critical: false,
                              value: DER.octetString(Array(SHA256.hash(data: subjectPublicKey).prefix(20)))),
            // §4.2.1.6: critical when the subject name is empty of the identity (no CN).
            Self.extensionDER(X509OID.subjectAltName, critical: Self.commonName(for: names[0]) == nil,
                              value: DER.sequence(names.map(\.der))),
        ]
        let tbsCertificate = DER.sequence([
            DER.explicit(0, DER.integer(2)),  // §4.1.2.1: v3
            DER.integer(unsignedBytes: serialNumber),
            signatureAlgorithm,
            name,  // issuer: self-signed
            DER.sequence([DER.time(notBefore), DER.time(notAfter)]),
            name,  // subject
            spki,
            DER.explicit(3, DER.sequence(extensions)),
        ])
        // ECDSA over SHA-256 of the DER TBSCertificate (§4.1.1.3); swift-crypto hashes for us.
        let signature: P256.Signing.ECDSASignature
        do {
            signature = try privateKey.signature(for: tbsCertificate)
        } catch {
            throw Self.cryptoFailure("signing the certificate failed: \(error)")
        }
        let certificate = DER.sequence([tbsCertificate, signatureAlgorithm, DER.bitString(Array(signature.derRepresentation))])

        self.names = names
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.serialNumber = serialNumber
        self.certificateDER = certificate
        self.certificatePEM = PEM.encode(label: "CERTIFICATE", der: certificate)
        self.privateKeyPEM = privateKey.pemRepresentation
    }

    public var description: String {
        "self-signed certificate for \(names.map(\.description).joined(separator: ", ")), not after \(notAfter)"
    }

    /// Leaves out the private key (see Security in the header).
    public var customMirror: Mirror {
        Mirror(self, children: ["names": names, "notBefore": notBefore, "notAfter": notAfter,
                                "serialNumber": hex(serialNumber)])
    }

    // MARK: - Encoding pieces

    static func cryptoFailure(_ reason: String) -> TLSCredentialsError {
        TLSCredentialsError(field: "self-signed certificate", path: nil, problem: .rejectedByTLSLibrary(reason: reason))
    }

    /// CN=<name> when it fits ub-common-name, else O=Mailroom (the name is then only in the
    /// critical subjectAltName). One attribute per RDN, as everyone does (§4.1.2.4).
    static func name(for first: SubjectAlternativeName) -> [UInt8] {
        let attribute: [UInt8]
        if let cn = commonName(for: first) {
            attribute = DER.sequence([DER.objectIdentifier(X509OID.commonName), DER.utf8String(cn)])
        } else {
            attribute = DER.sequence([DER.objectIdentifier(X509OID.organizationName), DER.utf8String("Mailroom")])
        }
        return DER.sequence([DER.set([attribute])])
    }

    static func commonName(for first: SubjectAlternativeName) -> String? {
        first.text.utf8.count <= maximumCommonNameLength ? first.text : nil
    }

    /// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    /// (§4.1); DER leaves out critical when it is FALSE.
    static func extensionDER(_ oid: String, critical: Bool, value: [UInt8]) -> [UInt8] {
        DER.sequence([DER.objectIdentifier(oid)] + (critical ? [DER.boolean(true)] : []) + [DER.octetString(value)])
    }
}

/// The object identifiers used here, with where they are defined.
enum X509OID {
    static let ecdsaWithSHA256 = "1.2.840.10045.4.3.2"  // RFC 5758 §3.2
    static let ecPublicKey = "1.2.840.10045.2.1"  // RFC 5480 §2.1.1
    static let rsaEncryption = "1.2.840.113549.1.1.1"  // RFC 8017 Appendix C
    static let prime256v1 = "1.2.840.10045.3.1.7"  // RFC 5480 §2.1.1.1 (secp256r1)
    static let secp384r1 = "1.3.132.0.34"
    static let secp521r1 = "1.3.132.0.35"
    static let commonName = "2.5.4.3"  // RFC 5280 Appendix A.1 id-at-commonName
    static let organizationName = "2.5.4.10"
    static let subjectKeyIdentifier = "2.5.29.14"  // §4.2.1.2
    static let keyUsage = "2.5.29.15"  // §4.2.1.3
    static let subjectAltName = "2.5.29.17"  // §4.2.1.6
    static let basicConstraints = "2.5.29.19"  // §4.2.1.9
    static let extendedKeyUsage = "2.5.29.37"  // §4.2.1.12
    static let serverAuth = "1.3.6.1.5.5.7.3.1"  // §4.2.1.12 id-kp-serverAuth
    /// KeyUsage bit 0 (§4.2.1.3).
    static let digitalSignatureBit = 0
}
