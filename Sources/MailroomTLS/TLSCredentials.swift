// TLSCredentials — a server's certificate chain and private key read from PEM files and
// checked against each other, ready to become a NIOSSLContext (TLSServerContext).
//
// Configuration keys: tls.certificate_file (the chain, the server's own certificate first, then
// intermediates, as RFC 8446 §4.4.2 sends them) and tls.key_file (its key: PKCS #8
// "PRIVATE KEY", or the traditional "RSA PRIVATE KEY" / "EC PRIVATE KEY").
//
// Standards: RFC 7468 (PEM); RFC 5280 §4.1.2.7 (SubjectPublicKeyInfo); RFC 8017 Appendix A.1
// (RSAPublicKey, RSAPrivateKey); RFC 5915 §3 (ECPrivateKey) and RFC 5480 §2.2 (EC point);
// RFC 5208 §5 (PKCS #8 PrivateKeyInfo).
//
// Key/certificate match: the key's public half is compared with the leaf certificate's
// subjectPublicKeyInfo here, for RSA and for ECDSA keys, so the error can name both files.
// BoringSSL's SSL_CTX_use_PrivateKey makes the same check when NIOSSLContext is created (a test
// pins that), and it is the only check for other key types (Ed25519).
// XXX: Ed25519 keys are matched only by BoringSSL, whose refusal reads "refused by the TLS
// library" rather than "does not match".
//
// Security: the key file is read once into memory, parsed, and handed to BoringSSL; no error or
// description includes its contents. Encrypted keys are refused with advice, rather than
// prompting for a pass phrase at start-up. Files are read with a size cap
// (maximumPEMFileSize). Key file permissions are checked by TLSServerContext (a warning for
// configured files, a new key for the self-signed one).

import Crypto
import NIOSSL

public struct TLSCredentials: Sendable, CustomStringConvertible {
    /// A PEM chain is a few kilobytes; anything this big is the wrong file.
    public static let maximumPEMFileSize = 1 << 20
    /// Configuration keys (MailroomConfig/ConfigKeys.swift), used to name the field in errors.
    public static let certificateFileField = "tls.certificate_file"
    public static let keyFileField = "tls.key_file"

    public let certificateFile: String
    public let keyFile: String
    /// Leaf first.
    public let certificateChain: [NIOSSLCertificate]
    /// Secret: never log it.
    public let privateKey: NIOSSLPrivateKey
    /// The leaf certificate.
    public let leaf: CertificateSummary

    /// Reads and checks both files. Errors name tls.certificate_file or tls.key_file and the path.
    public init(certificateFile: String, keyFile: String) throws(TLSCredentialsError) {
        try self.init(certificateFile: certificateFile, keyFile: keyFile,
                      certificateField: Self.certificateFileField, keyField: Self.keyFileField)
    }

    /// `certificateField` / `keyField` name the files in errors ("tls.self_signed_dir" for ours).
    init(certificateFile: String, keyFile: String, certificateField: String, keyField: String) throws(TLSCredentialsError) {
        func failure(_ field: String, _ path: String, _ problem: TLSCredentialsError.Problem) -> TLSCredentialsError {
            TLSCredentialsError(field: field, path: path, problem: problem)
        }

        // Certificates.
        let certificateBlocks = try Self.pemBlocks(certificateFile, field: certificateField)
        let certificateDERs = certificateBlocks.filter { $0.label == "CERTIFICATE" }.map(\.der)
        guard let leafDER = certificateDERs.first else {
            throw failure(certificateField, certificateFile,
                          .notPEM(reason: "no CERTIFICATE block (found \(Self.labels(certificateBlocks)))"))
        }
        var chain: [NIOSSLCertificate] = []
        for (index, der) in certificateDERs.enumerated() {
            do {
                chain.append(try NIOSSLCertificate(bytes: der, format: .der))
            } catch {
                throw failure(certificateField, certificateFile,
                              .malformed(reason: "certificate \(index + 1) of \(certificateDERs.count) is not a valid X.509 certificate: \(error)"))
            }
        }
        let leaf: CertificateSummary
        do {
            leaf = try CertificateSummary(der: leafDER)
        } catch {
            throw failure(certificateField, certificateFile, .malformed(reason: "cannot read the certificate: \(error)"))
        }

        // Key.
        let keyBlocks = try Self.pemBlocks(keyFile, field: keyField)
        if keyBlocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) {
            throw failure(keyField, keyFile, .encryptedKey)
        }
        guard let keyBlock = keyBlocks.first(where: { ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"].contains($0.label) }) else {
            throw failure(keyField, keyFile, .notPEM(reason: "no PRIVATE KEY block (found \(Self.labels(keyBlocks)))"))
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(PEM.encode(label: keyBlock.label, der: keyBlock.der).utf8), format: .pem)
        } catch {
            throw failure(keyField, keyFile, .malformed(reason: "the \(keyBlock.label) block is not a usable private key: \(error)"))
        }
        let keyDER = (try? key.derBytes) ?? keyBlock.der
        if Self.publicKeyMatches(privateKeyDER: keyDER, subjectPublicKeyInfo: leaf.subjectPublicKeyInfo) == false {
            throw failure(keyField, keyFile, .keyDoesNotMatchCertificate(certificateFile: certificateFile))
        }

        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.certificateChain = chain
        self.privateKey = key
        self.leaf = leaf
    }

    public var description: String {
        "\(certificateFile) (\(certificateChain.count) certificate\(certificateChain.count == 1 ? "" : "s")) with key \(keyFile)"
    }

    // MARK: - Reading

    private static func pemBlocks(_ path: String, field: String) throws(TLSCredentialsError) -> [PEM.Block] {
        let bytes: [UInt8]
        do {
            bytes = try CredentialFiles.contents(of: path, limit: maximumPEMFileSize)
        } catch {
            let problem: TLSCredentialsError.Problem
            switch error.kind {
            case .missing: problem = .missingFile
            case .tooLarge: problem = .tooLarge(limit: maximumPEMFileSize)
            case .unreadable, .cannotWrite: problem = .unreadable(reason: error.reason)
            }
            throw TLSCredentialsError(field: field, path: path, problem: problem)
        }
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            throw TLSCredentialsError(field: field, path: path, problem: .notPEM(reason: "binary data (a DER file? convert it with openssl x509 -inform der / openssl pkey -inform der)"))
        }
        if text.contains("Proc-Type: 4,ENCRYPTED") {  // RFC 1421 legacy encrypted key
            throw TLSCredentialsError(field: field, path: path, problem: .encryptedKey)
        }
        let blocks: [PEM.Block]
        do {
            blocks = try PEM.blocks(in: text)
        } catch {
            throw TLSCredentialsError(field: field, path: path, problem: .notPEM(reason: error.description))
        }
        guard !blocks.isEmpty else {
            throw TLSCredentialsError(field: field, path: path, problem: .notPEM(reason: "no -----BEGIN …----- line"))
        }
        return blocks
    }

    private static func labels(_ blocks: [PEM.Block]) -> String {
        blocks.isEmpty ? "none" : blocks.map(\.label).joined(separator: ", ")
    }

    // MARK: - Key/certificate match

    /// true/false when the key's type is one we can compare (RSA, ECDSA P-256/384/521), nil when
    /// only BoringSSL can tell.
    static func publicKeyMatches(privateKeyDER: [UInt8], subjectPublicKeyInfo: [UInt8]) -> Bool? {
        guard let spki = try? DERElement.single(subjectPublicKeyInfo).children(), spki.count == 2,
              let algorithm = try? spki[0].children(), let algorithmOID = try? algorithm.first?.objectIdentifier(),
              let certificateKey = try? spki[1].bitStringOctets(),
              let key = try? DERElement.single(privateKeyDER).children(), key.count >= 2
        else { return nil }

        // PKCS #8 PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING } (RFC 5208 §5):
        // unwrap to the traditional form inside.
        if key[1].tag == DER.sequenceTag, key.count >= 3, key[2].tag == DER.octetStringTag,
           let keyAlgorithm = try? key[1].children().first?.objectIdentifier() {
            guard keyAlgorithm == algorithmOID else { return false }
            guard keyAlgorithm == X509OID.rsaEncryption || keyAlgorithm == X509OID.ecPublicKey else { return nil }
            return publicKeyMatches(privateKeyDER: Array(key[2].contents), subjectPublicKeyInfo: subjectPublicKeyInfo)
        }

        switch algorithmOID {
        case X509OID.rsaEncryption:
            // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, … } (RFC 8017 A.1.2)
            // RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (A.1.1)
            guard key.count >= 3, key[1].tag == DER.integerTag, key[2].tag == DER.integerTag else { return false }
            guard let publicKey = try? DERElement.single(certificateKey).children(), publicKey.count == 2 else { return nil }
            return publicKey[0].contents.elementsEqual(key[1].contents) && publicKey[1].contents.elementsEqual(key[2].contents)
        case X509OID.ecPublicKey:
            // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
            //                             [0] parameters OPTIONAL, [1] publicKey BIT STRING OPTIONAL } (RFC 5915 §3)
            guard key[0].tag == DER.integerTag, key[1].tag == DER.octetStringTag else { return false }
            if let publicKeyField = key.dropFirst(2).first(where: { $0.tag == DER.contextTag(1, constructed: true) }),
               let inner = try? publicKeyField.children(), inner.count == 1, let point = try? inner[0].bitStringOctets() {
                return point.elementsEqual(certificateKey)
            }
            let scalar = Array(key[1].contents)
            let curve = algorithm.count > 1 ? (try? algorithm[1].objectIdentifier()) : nil
            let derived: [UInt8]?
            switch curve {
            case X509OID.prime256v1: derived = (try? P256.Signing.PrivateKey(rawRepresentation: scalar)).map { Array($0.publicKey.x963Representation) }
            case X509OID.secp384r1: derived = (try? P384.Signing.PrivateKey(rawRepresentation: scalar)).map { Array($0.publicKey.x963Representation) }
            case X509OID.secp521r1: derived = (try? P521.Signing.PrivateKey(rawRepresentation: scalar)).map { Array($0.publicKey.x963Representation) }
            default: derived = nil
            }
            guard let derived else { return nil }
            return derived.elementsEqual(certificateKey)
        default:
            // An RSA or EC private key for a certificate of another type is a mismatch;
            // other pairs are left to BoringSSL.
            let looksRSA = key.count >= 9 && key.allSatisfy { $0.tag == DER.integerTag }
            let looksEC = key[0].tag == DER.integerTag && key[1].tag == DER.octetStringTag && (try? key[0].smallInteger()) == 1
            return looksRSA || looksEC ? false : nil
        }
    }
}
