// CertificateSummary — the fields of a server certificate that an administrator needs in the
// start-up log (subject, names, validity, fingerprint, self-signed or not), and that
// TLSServerContext needs to decide whether to reuse a self-signed certificate (names, dates)
// and whether a key belongs to it (subjectPublicKeyInfo).
//
// Standards (RFC 5280): §4.1 Certificate and TBSCertificate layout; §4.1.2.4 names (printed in
// the order stored, "CN=…, O=…", without RFC 4514 escaping since it is for reading only);
// §4.1.2.5 validity; §4.1.2.7 subjectPublicKeyInfo; §4.2.1.6 subjectAltName (dNSName and
// iPAddress are read, other GeneralName forms skipped). Host name matching for the warning:
// RFC 6125 §6.4 (exact DNS name, or a "*" that stands for the whole left-most label).
// Fingerprint: SHA-256 of the DER certificate, printed like `openssl x509 -fingerprint -sha256`.
//
// Security: parses the certificate with DERElement (bounded, non-recursive). "Self-signed"
// means issuer and subject are the same name, as OpenSSL decides it for display; it is a
// label for the log, not a trust decision.

import Crypto
import Foundation  // Date
import MailroomCore

public struct CertificateSummary: Sendable, Equatable, CustomStringConvertible {
    /// "CN=mail.example.com" (empty when the subject is empty).
    public let subject: String
    public let issuer: String
    /// The dNSName and iPAddress entries of subjectAltName, in order.
    public let subjectAlternativeNames: [SubjectAlternativeName]
    public let notBefore: Date
    public let notAfter: Date
    /// Lower-case hex of the serial number's octets.
    public let serialNumber: String
    /// "AB:CD:…" — SHA-256 of the DER certificate, as `openssl x509 -noout -fingerprint -sha256` shows it.
    public let sha256Fingerprint: String
    /// Issuer equals subject (see the header).
    public let isSelfSigned: Bool
    /// "ECDSA P-256", "RSA 2048 bits", or the algorithm's OID.
    public let publicKeyAlgorithm: String
    /// The DER SubjectPublicKeyInfo, to match a private key against.
    let subjectPublicKeyInfo: [UInt8]

    /// Reads a DER certificate.
    init(der: [UInt8]) throws(DERError) {
        let certificate = try DERElement.single(der).expecting(DER.sequenceTag, "Certificate").children()
        guard certificate.count == 3 else { throw DERError("Certificate is not SEQUENCE { tbsCertificate, signatureAlgorithm, signature }") }
        var tbs = try certificate[0].expecting(DER.sequenceTag, "TBSCertificate").children()[...]
        if tbs.first?.tag == DER.contextTag(0, constructed: true) {
            tbs = tbs.dropFirst()  // version (§4.1.2.1); absent means v1
        }
        guard tbs.count >= 6 else { throw DERError("TBSCertificate has too few fields") }
        let fields = Array(tbs)
        let serial = try fields[0].expecting(DER.integerTag, "serialNumber")
        let issuer = try fields[2].expecting(DER.sequenceTag, "issuer")
        let validity = try fields[3].expecting(DER.sequenceTag, "validity").children()
        guard validity.count == 2 else { throw DERError("validity is not SEQUENCE { notBefore, notAfter }") }
        let subject = try fields[4].expecting(DER.sequenceTag, "subject")
        let spki = try fields[5].expecting(DER.sequenceTag, "subjectPublicKeyInfo")

        var names: [SubjectAlternativeName] = []
        if let extensionsField = fields.dropFirst(6).first(where: { $0.tag == DER.contextTag(3, constructed: true) }) {
            let extensions = try extensionsField.children()
            guard extensions.count == 1 else { throw DERError("[3] extensions holds \(extensions.count) elements") }
            for item in try extensions[0].expecting(DER.sequenceTag, "Extensions").children() {
                let parts = try item.expecting(DER.sequenceTag, "Extension").children()
                guard parts.count >= 2, try parts[0].objectIdentifier() == X509OID.subjectAltName else { continue }
                let value = try parts[parts.count - 1].expecting(DER.octetStringTag, "extnValue")
                for generalName in try DERElement.single(value.contents).expecting(DER.sequenceTag, "GeneralNames").children() {
                    switch generalName.tag {
                    case DER.contextTag(2, constructed: false):
                        names.append(.dnsName(String(decoding: generalName.contents, as: UTF8.self)))
                    case DER.contextTag(7, constructed: false):
                        if let address = IPAddress(bytes: Array(generalName.contents)) { names.append(.ipAddress(address)) }
                    default:
                        continue
                    }
                }
            }
        }

        self.subject = try Self.text(of: subject)
        self.issuer = try Self.text(of: issuer)
        self.subjectAlternativeNames = names
        self.notBefore = try validity[0].time()
        self.notAfter = try validity[1].time()
        self.serialNumber = hex(serial.contents.drop { $0 == 0 })
        self.sha256Fingerprint = SHA256.hash(data: der).map { hex($0).uppercased() }.joined(separator: ":")
        self.isSelfSigned = issuer.encoded.elementsEqual(subject.encoded)
        self.publicKeyAlgorithm = (try? Self.algorithm(of: spki)) ?? "unknown key type"
        self.subjectPublicKeyInfo = Array(spki.encoded)
    }

    public var description: String {
        let names = subjectAlternativeNames.isEmpty ? "none" : subjectAlternativeNames.map(\.description).joined(separator: ", ")
        return "subject \(subject.isEmpty ? "(empty)" : subject), names \(names), \(publicKeyAlgorithm), "
            + "valid \(CivilTime(date: notBefore).text) to \(CivilTime(date: notAfter).text), "
            + "SHA-256 fingerprint \(sha256Fingerprint)\(isSelfSigned ? ", self-signed" : ", issued by \(issuer)")"
    }

    public func isValid(at now: Date) -> Bool { notBefore <= now && now < notAfter }

    /// RFC 6125 §6.4: whether a client connecting to `hostName` would accept the names. When
    /// there is no subjectAltName the CN is tried, as old clients do (§6.4.4).
    public func covers(hostName: String) -> Bool {
        guard let wanted = try? SubjectAlternativeName(hostName: hostName) else { return false }
        var candidates = subjectAlternativeNames
        if candidates.isEmpty, subject.hasPrefix("CN="),
           let cn = try? SubjectAlternativeName(hostName: String(subject.dropFirst(3).prefix { $0 != "," })) {
            candidates = [cn]
        }
        for candidate in candidates {
            switch (candidate, wanted) {
            case (.ipAddress(let a), .ipAddress(let b)) where a == b: return true
            case (.dnsName(let pattern), .dnsName(let name)):
                let pattern = pattern.lowercased()
                if pattern == name { return true }
                if pattern.hasPrefix("*."), let dot = name.firstIndex(of: "."),
                   name[name.index(after: dot)...] == pattern.dropFirst(2) { return true }
            default: continue
            }
        }
        return false
    }

    // MARK: - Reading pieces

    private static let attributeNames = [
        X509OID.commonName: "CN", X509OID.organizationName: "O", "2.5.4.11": "OU", "2.5.4.6": "C",
        "2.5.4.7": "L", "2.5.4.8": "ST", "1.2.840.113549.1.9.1": "emailAddress",
    ]

    /// Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue).
    private static func text(of name: DERElement) throws(DERError) -> String {
        var parts: [String] = []
        for rdn in try name.children() {
            for attribute in try rdn.expecting(DER.setTag, "RelativeDistinguishedName").children() {
                let pair = try attribute.expecting(DER.sequenceTag, "AttributeTypeAndValue").children()
                guard pair.count == 2 else { throw DERError("AttributeTypeAndValue is not a pair") }
                let oid = try pair[0].objectIdentifier()
                let value = (try? pair[1].string()) ?? "#" + hex(pair[1].encoded)
                parts.append("\(attributeNames[oid] ?? oid)=\(value)")
            }
        }
        return parts.joined(separator: ", ")
    }

    private static func algorithm(of spki: DERElement) throws(DERError) -> String {
        let parts = try spki.children()
        guard parts.count == 2 else { throw DERError("SubjectPublicKeyInfo is not a pair") }
        let algorithm = try parts[0].expecting(DER.sequenceTag, "AlgorithmIdentifier").children()
        guard let first = algorithm.first else { throw DERError("empty AlgorithmIdentifier") }
        let oid = try first.objectIdentifier()
        switch oid {
        case X509OID.ecPublicKey:
            let curve = algorithm.count > 1 ? try algorithm[1].objectIdentifier() : "?"
            let curveName = [X509OID.prime256v1: "P-256", X509OID.secp384r1: "P-384", X509OID.secp521r1: "P-521"][curve] ?? curve
            return "ECDSA \(curveName)"
        case X509OID.rsaEncryption:
            let key = try DERElement.single(try parts[1].bitStringOctets()).children()
            guard let modulus = key.first else { throw DERError("RSAPublicKey has no modulus") }
            let octets = modulus.contents.drop { $0 == 0 }
            let bits = octets.first.map { octets.count * 8 - $0.leadingZeroBitCount } ?? 0
            return "RSA \(bits) bits"
        case "1.3.101.112":
            return "Ed25519"
        default:
            return oid
        }
    }
}

extension CivilTime {
    init(date: Date) { self.init(epochSeconds: Int64(date.timeIntervalSince1970.rounded(.down))) }
}
