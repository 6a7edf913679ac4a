// Tests for TLSCredentials and TLSServerContext.loadOrCreate: the self-signed life cycle
// (made once with a 0600 key, kept with the same fingerprint, made again after expiry, near
// expiry, a host name change, a loose key mode, damage or half a pair), configured PEM files
// (RSA and ECDSA, PKCS #8 and traditional keys, chains), warnings, and errors that name the
// configuration key and the file (one of two configured, missing, garbage, binary, too large,
// encrypted key, key for another certificate).

import Crypto
import Foundation
import NIOSSL
import Testing
@testable import MailroomTLS

@Suite("TLSServerContext")
struct TLSServerContextTests {
    static let now = SelfSignedCertificateTests.now
    static let day: TimeInterval = 86_400

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    static func expectError(_ field: String, path: String?, _ problem: TLSCredentialsError.Problem,
                            sourceLocation: SourceLocation = #_sourceLocation,
                            _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("expected \(field) to fail with \(problem)", sourceLocation: sourceLocation)
        } catch let error as TLSCredentialsError {
            #expect(error.field == field, sourceLocation: sourceLocation)
            #expect(error.path == path, sourceLocation: sourceLocation)
            #expect(error.problem == problem, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(field), sourceLocation: sourceLocation)
            if let path { #expect(error.description.contains(path), sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// An RSA certificate and key made by openssl: (certificate, PKCS #8 key).
    static func opensslRSAPair(in scratch: ScratchDirectory, name: String = "mail.example.com", prefix: String = "rsa") throws -> (String, String) {
        let cert = scratch.file("\(prefix)-cert.pem"), key = scratch.file("\(prefix)-key.pem")
        try OpenSSLTool.succeed(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30",
                                 "-subj", "/CN=\(name)", "-addext", "subjectAltName=DNS:\(name)"])
        return (cert, key)
    }

    // MARK: - Self-signed life cycle

    @Test("first start makes a pair: key 0600, directory 0700, nothing left behind")
    func createsSelfSigned() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.file("data/tls")
        let context = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: directory,
                                                        hostName: "mail.example.com", now: Self.now)
        guard case .selfSignedCreated(let reason) = context.source else {
            Issue.record("source is \(context.source)")
            return
        }
        #expect(reason.contains("none in"))
        let cert = directory + "/selfsigned-cert.pem", key = directory + "/selfsigned-key.pem"
        #expect(try Self.mode(key) == 0o600)
        #expect(try Self.mode(cert) == 0o644)
        #expect(try Self.mode(directory) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                    == ["selfsigned-cert.pem", "selfsigned-key.pem", "selfsigned.lock"])
        #expect(context.certificate.isSelfSigned)
        #expect(context.certificate.subjectAlternativeNames == [.dnsName("mail.example.com")])
        #expect(context.certificate.notAfter == Self.now.addingTimeInterval(825 * Self.day - 3600))
        #expect(context.certificate.notAfter.timeIntervalSince(context.certificate.notBefore) == 825 * Self.day)
        #expect(context.warnings.isEmpty)
        #expect(context.credentials.certificateFile == cert)
        // The files on disk are the ones served.
        let onDisk = try OpenSSLTool.succeed(["x509", "-noout", "-fingerprint", "-sha256", "-in", cert]).standardOutput
        #expect(onDisk.contains(context.certificate.sha256Fingerprint))
    }

    @Test("the start-up description names source, files, subject, names, validity, fingerprint — and no key")
    func startupDescription() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let context = try TLSServerContext.loadOrCreate(certificateFile: "", keyFile: "", selfSignedDirectory: scratch.path,
                                                        hostName: "mail.example.com", now: Self.now)
        let line = context.startupDescription
        for part in ["TLS: self-signed certificate (new: none in", scratch.file("selfsigned-cert.pem"), scratch.file("selfsigned-key.pem"),
                     "subject CN=mail.example.com", "names DNS:mail.example.com", "ECDSA P-256",
                     "valid 2026-05-01 11:00:00 UTC to 2028-08-03 11:00:00 UTC",
                     "SHA-256 fingerprint \(context.certificate.sha256Fingerprint)", "self-signed"] {
            #expect(line.contains(part), "\(part) missing from: \(line)")
        }
        let key = try String(contentsOfFile: scratch.file("selfsigned-key.pem"), encoding: .utf8)
        #expect(!line.contains(key.split(separator: "\n")[1]))
        #expect(!line.contains("PRIVATE KEY"))
        #expect(context.certificate.sha256Fingerprint.count == 32 * 3 - 1)
    }

    @Test("the second start keeps the pair (same fingerprint)")
    func reuses() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let first = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                      hostName: "mail.example.com", now: Self.now)
        let second = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                       hostName: "MAIL.example.com.", now: Self.now.addingTimeInterval(400 * Self.day))
        #expect(second.source == .selfSignedReused)
        #expect(second.certificate.sha256Fingerprint == first.certificate.sha256Fingerprint)
        #expect(second.startupDescription.contains("self-signed certificate (kept)"))
    }

    @Test("a new pair after expiry, near expiry, before validity, or for another host name", arguments: [
        (Self.now.addingTimeInterval(900 * day), "mail.example.com", "expired on 2028-08-03 11:00:00 UTC"),
        (Self.now.addingTimeInterval(800 * day), "mail.example.com", "expires on 2028-08-03"),
        (Self.now.addingTimeInterval(-2 * day), "mail.example.com", "not valid before"),
        (Self.now, "mx.example.com", "host name changed from mail.example.com to mx.example.com"),
        (Self.now, "192.0.2.1", "host name changed from mail.example.com to 192.0.2.1"),
    ])
    func regenerates(later: Date, hostName: String, reason: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let first = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                      hostName: "mail.example.com", now: Self.now)
        let second = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                       hostName: hostName, now: later)
        guard case .selfSignedCreated(let why) = second.source else {
            Issue.record("kept the old pair: \(second.source)")
            return
        }
        #expect(why.contains(reason), "\(why)")
        #expect(second.certificate.sha256Fingerprint != first.certificate.sha256Fingerprint)
        #expect(second.certificate.isValid(at: later))
        #expect(second.certificate.covers(hostName: hostName))
        // …and the new pair is what the next start keeps.
        let third = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                      hostName: hostName, now: later)
        #expect(third.source == .selfSignedReused)
        #expect(third.certificate.sha256Fingerprint == second.certificate.sha256Fingerprint)
    }

    @Test("a self-signed key readable by others, a damaged file or half a pair is replaced")
    func repairs() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        func start() throws -> TLSServerContext {
            try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                              hostName: "mail.example.com", now: Self.now)
        }
        func reason(_ context: TLSServerContext) -> String {
            if case .selfSignedCreated(let reason) = context.source { return reason }
            return "kept"
        }
        let key = scratch.file("selfsigned-key.pem"), cert = scratch.file("selfsigned-cert.pem")
        var last = try start()

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        var next = try start()
        #expect(reason(next).contains("had mode 644"))
        #expect(try Self.mode(key) == 0o600)
        #expect(next.certificate.sha256Fingerprint != last.certificate.sha256Fingerprint)
        last = next

        _ = try scratch.write("garbage\n", to: "selfsigned-cert.pem", mode: 0o644)
        next = try start()
        #expect(reason(next).contains("unusable"), "\(reason(next))")
        #expect(reason(next).contains("not PEM"), "\(reason(next))")
        last = next

        // A crash between the two renames: a new key beside the old certificate.
        _ = try scratch.write(P256.Signing.PrivateKey().pemRepresentation, to: "selfsigned-key.pem")
        next = try start()
        #expect(reason(next).contains("does not match"), "\(reason(next))")
        last = next

        try FileManager.default.removeItem(atPath: cert)
        next = try start()
        #expect(reason(next).contains("only one of"))
        #expect(next.certificate.sha256Fingerprint != last.certificate.sha256Fingerprint)
        #expect(try start().source == .selfSignedReused)
    }

    @Test("an unusable self-signed directory is an error naming tls.self_signed_dir")
    func unusableDirectory() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let blocker = try scratch.write("a file, not a directory\n", to: "blocker")
        do {
            _ = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: blocker + "/tls",
                                                  hostName: "mail.example.com", now: Self.now)
            Issue.record("no error")
        } catch {
            #expect(error.field == "tls.self_signed_dir")
            #expect(error.description.contains("tls.self_signed_dir"))
            #expect(error.description.contains(blocker))
        }
        Self.expectError("host name", path: nil, .invalidHostName(reason: "the host name is empty")) {
            _ = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                  hostName: "", now: Self.now)
        }
    }

    // MARK: - Configured files

    @Test("configured RSA certificate and key (PKCS #8 and traditional) load")
    func configuredRSA() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (cert, key) = try Self.opensslRSAPair(in: scratch)
        let traditional = scratch.file("rsa-traditional.pem")
        try OpenSSLTool.succeed(["rsa", "-in", key, "-traditional", "-out", traditional])
        #expect(try String(contentsOfFile: traditional, encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        for keyFile in [key, traditional] {
            let context = try TLSServerContext.loadOrCreate(certificateFile: cert, keyFile: keyFile, selfSignedDirectory: scratch.file("unused"),
                                                            hostName: "mail.example.com", now: Date())
            #expect(context.source == .configured)
            #expect(context.certificate.publicKeyAlgorithm == "RSA 2048 bits")
            #expect(context.certificate.subject == "CN=mail.example.com")
            #expect(context.certificate.isSelfSigned)
            #expect(context.warnings.isEmpty, "\(context.warnings)")
            #expect(context.startupDescription.hasPrefix("TLS: configured certificate, \(cert) (1 certificate) with key \(keyFile)"))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.file("unused")))
    }

    @Test("configured ECDSA key as EC PRIVATE KEY, and a chain with an intermediate")
    func configuredECAndChain() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let pkcs8 = try scratch.write(made.privateKeyPEM, to: "key.pem")
        let sec1 = scratch.file("ec-key.pem")
        try OpenSSLTool.succeed(["ec", "-in", pkcs8, "-out", sec1])
        #expect(try String(contentsOfFile: sec1, encoding: .utf8).hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let (otherCert, _) = try Self.opensslRSAPair(in: scratch, name: "intermediate.example")
        let chain = try scratch.write(made.certificatePEM + String(contentsOfFile: otherCert, encoding: .utf8), to: "chain.pem")
        let context = try TLSServerContext.loadOrCreate(certificateFile: chain, keyFile: sec1, selfSignedDirectory: scratch.path,
                                                        hostName: "mail.example.com", now: Date())
        #expect(context.credentials.certificateChain.count == 2)
        #expect(context.startupDescription.contains("chain of 2"))
        #expect(context.certificate.publicKeyAlgorithm == "ECDSA P-256")
        #expect(context.certificate.sha256Fingerprint == (try CertificateSummary(der: made.certificateDER)).sha256Fingerprint)
    }

    @Test("configured files that work but should be fixed give warnings")
    func configuredWarnings() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let (cert, key) = try Self.opensslRSAPair(in: scratch)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let context = try TLSServerContext.loadOrCreate(certificateFile: cert, keyFile: key, selfSignedDirectory: scratch.path,
                                                        hostName: "mx.example.com", now: Date().addingTimeInterval(60 * Self.day))
        #expect(context.warnings.count == 3, "\(context.warnings)")
        #expect(context.warnings.contains { $0.hasPrefix("the certificate expired on") })
        #expect(context.warnings.contains { $0.contains("does not name mx.example.com") })
        #expect(context.warnings.contains { $0.contains("tls.key_file \"\(key)\" is accessible to other users (mode 644)") })
        #expect(context.startupDescription.contains("WARNING: "))
        // Group-readable (Debian's ssl-cert group) is fine.
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: key)
        let fine = try TLSServerContext.loadOrCreate(certificateFile: cert, keyFile: key, selfSignedDirectory: scratch.path,
                                                     hostName: "mail.example.com", now: Date())
        #expect(fine.warnings.isEmpty, "\(fine.warnings)")
    }

    @Test("exactly one of the two files configured is an error naming the empty one")
    func onlyOneConfigured() {
        Self.expectError("tls.key_file", path: nil, .notConfigured(whileSet: "tls.certificate_file")) {
            _ = try TLSServerContext.loadOrCreate(certificateFile: "/etc/ssl/cert.pem", keyFile: nil, selfSignedDirectory: "/nonexistent",
                                                  hostName: "mail.example.com", now: Self.now)
        }
        Self.expectError("tls.certificate_file", path: nil, .notConfigured(whileSet: "tls.key_file")) {
            _ = try TLSServerContext.loadOrCreate(certificateFile: "", keyFile: "/etc/ssl/key.pem", selfSignedDirectory: "/nonexistent",
                                                  hostName: "mail.example.com", now: Self.now)
        }
    }

    @Test("bad files are errors naming the key, the file and the problem")
    func badFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let cert = try scratch.write(made.certificatePEM, to: "cert.pem")
        let key = try scratch.write(made.privateKeyPEM, to: "key.pem")
        func load(_ certificateFile: String, _ keyFile: String) throws(TLSCredentialsError) {
            _ = try TLSServerContext.loadOrCreate(certificateFile: certificateFile, keyFile: keyFile, selfSignedDirectory: scratch.path,
                                                  hostName: "mail.example.com", now: Date())
        }
        let missing = scratch.file("missing.pem")
        Self.expectError("tls.certificate_file", path: missing, .missingFile) { try load(missing, key) }
        Self.expectError("tls.key_file", path: missing, .missingFile) { try load(cert, missing) }

        let garbage = try scratch.write("this is not a certificate\n", to: "garbage.pem")
        Self.expectError("tls.certificate_file", path: garbage, .notPEM(reason: "no -----BEGIN …----- line")) { try load(garbage, key) }
        Self.expectError("tls.key_file", path: garbage, .notPEM(reason: "no -----BEGIN …----- line")) { try load(cert, garbage) }

        let binary = scratch.file("cert.der")
        try Data(made.certificateDER).write(to: URL(fileURLWithPath: binary))
        do {
            try load(binary, key)
            Issue.record("DER accepted")
        } catch {
            #expect(error.field == "tls.certificate_file")
            #expect("\(error)".contains("binary data (a DER file?"))
        }

        // The key file given as the certificate and the other way round.
        Self.expectError("tls.certificate_file", path: key, .notPEM(reason: "no CERTIFICATE block (found PRIVATE KEY)")) { try load(key, key) }
        Self.expectError("tls.key_file", path: cert, .notPEM(reason: "no PRIVATE KEY block (found CERTIFICATE)")) { try load(cert, cert) }

        let unterminated = try scratch.write(String(made.certificatePEM.dropLast(30)), to: "cut.pem")
        Self.expectError("tls.certificate_file", path: unterminated, .notPEM(reason: "BEGIN CERTIFICATE has no END line")) {
            try load(unterminated, key)
        }

        let notACertificate = try scratch.write(PEM.encode(label: "CERTIFICATE", der: [0x30, 0x03, 0x02, 0x01, 0x05]), to: "bad-der.pem")
        do {
            try load(notACertificate, key)
            Issue.record("bad DER accepted")
        } catch {
            #expect(error.field == "tls.certificate_file")
            guard case .malformed = error.problem else { Issue.record("\(error)"); return }
        }

        let badKey = try scratch.write(PEM.encode(label: "PRIVATE KEY", der: [0x30, 0x03, 0x02, 0x01, 0x05]), to: "bad-key.pem")
        do {
            try load(cert, badKey)
            Issue.record("bad key accepted")
        } catch {
            #expect(error.field == "tls.key_file")
            guard case .malformed = error.problem else { Issue.record("\(error)"); return }
        }

        Self.expectError("tls.certificate_file", path: scratch.path, .unreadable(reason: "not a regular file")) { try load(scratch.path, key) }

        let huge = scratch.file("huge.pem")
        try Data(count: TLSCredentials.maximumPEMFileSize + 1).write(to: URL(fileURLWithPath: huge))
        Self.expectError("tls.certificate_file", path: huge, .tooLarge(limit: 1 << 20)) { try load(huge, key) }
    }

    @Test("an encrypted key is refused with advice", arguments: ["pkcs8", "legacy"])
    func encryptedKey(form: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let made = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let cert = try scratch.write(made.certificatePEM, to: "cert.pem")
        let plain = try scratch.write(made.privateKeyPEM, to: "key.pem")
        let encrypted = scratch.file("encrypted.pem")
        if form == "pkcs8" {
            try OpenSSLTool.succeed(["pkey", "-in", plain, "-aes256", "-passout", "pass:secret", "-out", encrypted])
            #expect(try String(contentsOfFile: encrypted, encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        } else {
            try OpenSSLTool.succeed(["ec", "-in", plain, "-aes256", "-passout", "pass:secret", "-out", encrypted])
            #expect(try String(contentsOfFile: encrypted, encoding: .utf8).contains("Proc-Type: 4,ENCRYPTED"))
        }
        Self.expectError("tls.key_file", path: encrypted, .encryptedKey) {
            _ = try TLSCredentials(certificateFile: cert, keyFile: encrypted)
        }
    }

    @Test("a key for another certificate is refused naming both files", arguments: ["ec-ec", "rsa-rsa", "ec-rsa", "rsa-ec"])
    func mismatchedKey(pair: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let ec = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let ecCert = try scratch.write(ec.certificatePEM, to: "ec-cert.pem")
        let otherECKey = try scratch.write(P256.Signing.PrivateKey().pemRepresentation, to: "other-ec-key.pem")
        let (rsaCert, _) = try Self.opensslRSAPair(in: scratch, prefix: "rsa1")
        let (_, otherRSAKey) = try Self.opensslRSAPair(in: scratch, prefix: "rsa2")
        let (cert, key): (String, String) = switch pair {
        case "ec-ec": (ecCert, otherECKey)
        case "rsa-rsa": (rsaCert, otherRSAKey)
        case "ec-rsa": (ecCert, otherRSAKey)
        default: (rsaCert, otherECKey)
        }
        Self.expectError("tls.key_file", path: key, .keyDoesNotMatchCertificate(certificateFile: cert)) {
            _ = try TLSServerContext.loadOrCreate(certificateFile: cert, keyFile: key, selfSignedDirectory: scratch.path,
                                                  hostName: "mail.example.com", now: Date())
        }
    }

    @Test("BoringSSL also refuses a mismatched pair by itself (NIOSSLContext), so other key types are covered")
    func boringSSLChecksTheKeyToo() throws {
        let a = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let b = try SelfSignedCertificate(hostNames: ["mail.example.com"], now: Date())
        let certificate = try NIOSSLCertificate(bytes: a.certificateDER, format: .der)
        let wrongKey = try NIOSSLPrivateKey(bytes: Array(b.privateKeyPEM.utf8), format: .pem)
        let rightKey = try NIOSSLPrivateKey(bytes: Array(a.privateKeyPEM.utf8), format: .pem)
        #expect(throws: NIOSSLError.failedToLoadPrivateKey) {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(wrongKey)))
        }
        _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(rightKey)))
    }

    @Test("EC keys without their public point are matched by deriving it")
    func ecKeyWithoutPublicPoint() throws {
        let key = P256.Signing.PrivateKey()
        let other = P256.Signing.PrivateKey()
        // ECPrivateKey ::= SEQUENCE { 1, privateKey, [0] prime256v1 } — no [1] publicKey (RFC 5915 §3).
        func sec1(_ key: P256.Signing.PrivateKey) -> [UInt8] {
            DER.sequence([DER.integer(1), DER.octetString(Array(key.rawRepresentation)),
                          DER.explicit(0, DER.objectIdentifier(X509OID.prime256v1))])
        }
        let spki = Array(key.publicKey.derRepresentation)
        #expect(TLSCredentials.publicKeyMatches(privateKeyDER: sec1(key), subjectPublicKeyInfo: spki) == true)
        #expect(TLSCredentials.publicKeyMatches(privateKeyDER: sec1(other), subjectPublicKeyInfo: spki) == false)
        #expect(TLSCredentials.publicKeyMatches(privateKeyDER: Array(key.derRepresentation), subjectPublicKeyInfo: spki) == true)
        #expect(TLSCredentials.publicKeyMatches(privateKeyDER: Array(other.derRepresentation), subjectPublicKeyInfo: spki) == false)
        #expect(TLSCredentials.publicKeyMatches(privateKeyDER: [0x30, 0x00], subjectPublicKeyInfo: spki) == nil)
    }

    @Test("the server configuration asks for TLS 1.2 at least and keeps NIOSSL's cipher suites")
    func serverConfiguration() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let context = try TLSServerContext.loadOrCreate(certificateFile: nil, keyFile: nil, selfSignedDirectory: scratch.path,
                                                        hostName: "mail.example.com", now: Self.now)
        let configuration = TLSServerContext.makeServerConfiguration(context.credentials)
        #expect(configuration.minimumTLSVersion == .tlsv12)
        #expect(configuration.cipherSuites == TLSConfiguration.makeServerConfiguration(certificateChain: [], privateKey: .privateKey(context.credentials.privateKey)).cipherSuites)
        #expect(configuration.certificateVerification == .none)
    }
}
