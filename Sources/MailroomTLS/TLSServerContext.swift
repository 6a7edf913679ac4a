// TLSServerContext — the one NIOSSLContext every listener shares (STARTTLS per RFC 3207 and
// implicit TLS per RFC 8314), built at start-up from the configured certificate and key, or
// from a self-signed pair made and kept in tls.self_signed_dir, with a description of the
// certificate for the start-up log.
//
// Configuration keys: tls.certificate_file, tls.key_file (both or neither), tls.self_signed_dir;
// the host name (smtp.host_name) names the self-signed certificate.
//
// Standards: RFC 8996 (TLS 1.0 and 1.1 are deprecated: minimum TLS 1.2); RFC 8314 §4.1 and
// RFC 7525 / BCP 195 (cipher suites: NIOSSL's defaults, which are BoringSSL's AEAD suites with
// forward secrecy, are kept); RFC 5280 §4.1.2.5 (validity) for the reuse decision.
//
// Self-signed life cycle (`loadOrCreate` with neither file configured):
//   <dir>/selfsigned-cert.pem and <dir>/selfsigned-key.pem are reused while the certificate
//   parses, matches the key, names exactly the host name, is valid now and not within
//   `renewalMargin` of its end, and the key file is mode 0600 (no group/other bits). Otherwise
//   a new pair is made (the reason goes into `source` for the log) and written key first,
//   certificate second, each tmp → fsync → rename, then the directory fsync'd. A crash between
//   the two renames leaves a new key with the old certificate: the mismatch is noticed on the
//   next start and the pair is made again. An flock on <dir>/selfsigned.lock keeps two
//   processes starting together from interleaving their writes.
//
// Security: the key file is written mode 0600 in a directory made mode 0700; a self-signed key
// found with group or other permission bits is replaced, not trusted. A configured key file
// readable by others is served but gives a warning (group-readable is left alone: Debian's
// ssl-cert group works that way). Nothing here logs or describes key material:
// `startupDescription` names files, the certificate's public fields and its fingerprint. Files
// are read before the daemon drops privileges (style rule 19), so the key may be root-only.

import Foundation  // Date
import NIOSSL

public struct TLSServerContext: Sendable {
    /// RFC 8996.
    public static let minimumTLSVersion: TLSVersion = .tlsv12
    public static let selfSignedCertificateFileName = "selfsigned-cert.pem"
    public static let selfSignedKeyFileName = "selfsigned-key.pem"
    static let lockFileName = "selfsigned.lock"
    public static let selfSignedDirectoryField = "tls.self_signed_dir"
    /// A self-signed certificate this close to its end is replaced at start-up (capped at a
    /// quarter of its validity, so a short validity does not mean a new certificate every start).
    public static let renewalMarginSeconds: Int64 = 30 * 86_400
    /// Key file mode for the self-signed key; group or other bits on it trigger a new key.
    static let privateKeyFileMode: mode_t = 0o600
    static let certificateFileMode: mode_t = 0o644

    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// tls.certificate_file and tls.key_file.
        case configured
        /// The self-signed pair already in tls.self_signed_dir.
        case selfSignedReused
        /// A self-signed pair made now, and why.
        case selfSignedCreated(reason: String)

        public var description: String {
            switch self {
            case .configured: return "configured certificate"
            case .selfSignedReused: return "self-signed certificate (kept)"
            case .selfSignedCreated(let reason): return "self-signed certificate (new: \(reason))"
            }
        }
    }

    /// Build once, share between listeners and connections (NIOSSLContext is Sendable).
    public let sslContext: NIOSSLContext
    public let credentials: TLSCredentials
    public let source: Source
    /// Things an administrator should fix, e.g. an expired configured certificate.
    public let warnings: [String]

    public var certificate: CertificateSummary { credentials.leaf }

    /// One line for the start-up log: where the certificate came from, its files, subject, names,
    /// key type, validity, SHA-256 fingerprint, whether it is self-signed, and any warnings.
    /// No key material.
    public var startupDescription: String {
        var line = "TLS: \(source), \(credentials), \(certificate)"
        if credentials.certificateChain.count > 1 { line += ", chain of \(credentials.certificateChain.count)" }
        if !warnings.isEmpty { line += "; WARNING: " + warnings.joined(separator: "; ") }
        return line
    }

    /// A server configuration for the credentials: minimum TLS 1.2, NIOSSL's default cipher
    /// suites, no client certificates.
    public static func makeServerConfiguration(_ credentials: TLSCredentials) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: credentials.certificateChain.map { .certificate($0) },
            privateKey: .privateKey(credentials.privateKey))
        configuration.minimumTLSVersion = minimumTLSVersion
        return configuration
    }

    public init(credentials: TLSCredentials, source: Source = .configured, warnings: [String] = []) throws(TLSCredentialsError) {
        do {
            sslContext = try NIOSSLContext(configuration: Self.makeServerConfiguration(credentials))
        } catch {
            // SSL_CTX_use_PrivateKey refuses a key that does not match the leaf; TLSCredentials
            // has already said so for RSA and ECDSA keys, so this is another key type or problem.
            throw TLSCredentialsError(field: TLSCredentials.keyFileField, path: credentials.keyFile,
                                      problem: .rejectedByTLSLibrary(reason: "\(error) (does the key belong to \(credentials.certificateFile)?)"))
        }
        self.credentials = credentials
        self.source = source
        self.warnings = warnings
    }

    /// Both files configured: load them. Exactly one: an error naming the empty one. Neither
    /// (nil or empty): the self-signed pair in `selfSignedDirectory`, made or made again when
    /// needed (see the header). `now` decides validity; `hostName` names a new certificate and
    /// must be what a reused one names. Blocking file I/O (and fsync): call it at start-up or
    /// on a thread of its own, never on an event loop.
    public static func loadOrCreate(certificateFile: String?, keyFile: String?, selfSignedDirectory: String, hostName: String,
                                    now: Date = Date(),
                                    validityDays: Int = SelfSignedCertificate.defaultValidityDays) throws(TLSCredentialsError) -> TLSServerContext {
        let certificateFile = certificateFile.flatMap { $0.isEmpty ? nil : $0 }
        let keyFile = keyFile.flatMap { $0.isEmpty ? nil : $0 }
        switch (certificateFile, keyFile) {
        case (let certificateFile?, let keyFile?):
            let credentials = try TLSCredentials(certificateFile: certificateFile, keyFile: keyFile)
            return try TLSServerContext(credentials: credentials, source: .configured,
                                        warnings: configuredWarnings(credentials, hostName: hostName, now: now))
        case (_?, nil):
            throw TLSCredentialsError(field: TLSCredentials.keyFileField, path: nil,
                                      problem: .notConfigured(whileSet: TLSCredentials.certificateFileField))
        case (nil, _?):
            throw TLSCredentialsError(field: TLSCredentials.certificateFileField, path: nil,
                                      problem: .notConfigured(whileSet: TLSCredentials.keyFileField))
        case (nil, nil):
            return try selfSigned(directory: selfSignedDirectory, hostName: hostName, now: now, validityDays: validityDays)
        }
    }

    // MARK: - Configured files

    static func configuredWarnings(_ credentials: TLSCredentials, hostName: String, now: Date) -> [String] {
        var warnings: [String] = []
        let leaf = credentials.leaf
        if now >= leaf.notAfter {
            warnings.append("the certificate expired on \(CivilTime(date: leaf.notAfter).text)")
        } else if now < leaf.notBefore {
            warnings.append("the certificate is not valid before \(CivilTime(date: leaf.notBefore).text)")
        }
        if !leaf.covers(hostName: hostName) {
            warnings.append("the certificate does not name \(hostName); clients that check names will refuse it")
        }
        if let mode = CredentialFiles.mode(credentials.keyFile), mode & 0o007 != 0 {
            warnings.append("\(TLSCredentials.keyFileField) \"\(credentials.keyFile)\" is accessible to other users (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        return warnings
    }

    // MARK: - Self-signed

    static func selfSigned(directory: String, hostName: String, now: Date, validityDays: Int) throws(TLSCredentialsError) -> TLSServerContext {
        let wanted = try SubjectAlternativeName(hostName: hostName)
        func directoryError(_ path: String, _ problem: FileProblem) -> TLSCredentialsError {
            TLSCredentialsError(field: selfSignedDirectoryField, path: path, problem: .cannotWrite(reason: problem.reason))
        }
        do {
            try CredentialFiles.makeDirectory(directory)
        } catch {
            throw directoryError(directory, error)
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        let certificatePath = base + selfSignedCertificateFileName
        let keyPath = base + selfSignedKeyFileName

        return try CredentialFiles.withLock(base + lockFileName) { () throws(TLSCredentialsError) -> TLSServerContext in
            let reason: String
            switch (CredentialFiles.exists(certificatePath), CredentialFiles.exists(keyPath)) {
            case (false, false):
                reason = "none in \(directory) yet"
            case (true, false), (false, true):
                reason = "only one of \(selfSignedCertificateFileName) and \(selfSignedKeyFileName) exists"
            case (true, true):
                do {
                    let credentials = try TLSCredentials(certificateFile: certificatePath, keyFile: keyPath,
                                                         certificateField: selfSignedDirectoryField, keyField: selfSignedDirectoryField)
                    if let why = replacementReason(credentials, wanted: wanted, now: now, validityDays: validityDays) {
                        reason = why
                    } else {
                        return try TLSServerContext(credentials: credentials, source: .selfSignedReused)
                    }
                } catch {
                    reason = "the existing pair is unusable: \(error)"
                }
            }

            let made = try SelfSignedCertificate(hostNames: [hostName], now: now, validityDays: validityDays)
            do throws(FileProblem) {
                // Key first: a crash before the certificate's rename leaves a mismatch, which the
                // next start repairs (see the header).
                try CredentialFiles.writeAtomically(Array(made.privateKeyPEM.utf8), to: keyPath, mode: privateKeyFileMode)
            } catch {
                throw directoryError(keyPath, error)
            }
            do throws(FileProblem) {
                try CredentialFiles.writeAtomically(Array(made.certificatePEM.utf8), to: certificatePath, mode: certificateFileMode)
            } catch {
                throw directoryError(certificatePath, error)
            }
            // Read back what was written, so what we serve is what the next start will find.
            let credentials = try TLSCredentials(certificateFile: certificatePath, keyFile: keyPath,
                                                 certificateField: selfSignedDirectoryField, keyField: selfSignedDirectoryField)
            return try TLSServerContext(credentials: credentials, source: .selfSignedCreated(reason: reason))
        }
    }

    /// Why an existing self-signed pair must be replaced, or nil to keep it.
    static func replacementReason(_ credentials: TLSCredentials, wanted: SubjectAlternativeName, now: Date,
                                  validityDays: Int) -> String? {
        let leaf = credentials.leaf
        let margin = min(renewalMarginSeconds, Int64(validityDays) * 86_400 / 4)
        if now >= leaf.notAfter {
            return "the old one expired on \(CivilTime(date: leaf.notAfter).text)"
        }
        if now.addingTimeInterval(TimeInterval(margin)) >= leaf.notAfter {
            return "the old one expires on \(CivilTime(date: leaf.notAfter).text)"
        }
        if now < leaf.notBefore {
            return "the old one is not valid before \(CivilTime(date: leaf.notBefore).text) (was the clock wrong?)"
        }
        if leaf.subjectAlternativeNames != [wanted] {
            let old = leaf.subjectAlternativeNames.map(\.text).joined(separator: ", ")
            return "the host name changed from \(old.isEmpty ? "(none)" : old) to \(wanted.text)"
        }
        if let mode = CredentialFiles.mode(credentials.keyFile), mode & 0o077 != 0 {
            return "\(selfSignedKeyFileName) had mode \(String(mode, radix: 8)), so the key may have been read by others"
        }
        return nil
    }
}
