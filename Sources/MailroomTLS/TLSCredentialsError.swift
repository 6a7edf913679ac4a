// TLSCredentialsError — why the TLS certificate and key could not be loaded or made, naming
// the configuration key and the file, for the one start-up error line an administrator reads.
//
// Configuration keys named (defined in MailroomConfig/ConfigKeys.swift): tls.certificate_file,
// tls.key_file, tls.self_signed_dir; the host name comes from smtp.host_name.
//
// Security: no error carries key material. Messages quote paths and reasons only; PEM and DER
// parse errors say what was wrong with the structure, never the bytes.

public struct TLSCredentialsError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Problem: Equatable, Sendable {
        /// The other one of tls.certificate_file / tls.key_file is set, this one is empty.
        case notConfigured(whileSet: String)
        case missingFile
        case unreadable(reason: String)
        case tooLarge(limit: Int)
        /// No PEM block of the expected kind, or a malformed one.
        case notPEM(reason: String)
        /// A PEM block of the right kind whose contents do not parse.
        case malformed(reason: String)
        /// "ENCRYPTED PRIVATE KEY" or a Proc-Type header: a pass phrase would be needed.
        case encryptedKey
        /// The key's public half is not the leaf certificate's (path is the key file).
        case keyDoesNotMatchCertificate(certificateFile: String)
        case invalidHostName(reason: String)
        /// A validity period that is not 1…maximumValidityDays days, or dates X.509 cannot hold.
        case invalidValidity(reason: String)
        case cannotWrite(reason: String)
        /// NIOSSLContext refused the pair for a reason we did not detect first.
        case rejectedByTLSLibrary(reason: String)
    }

    /// The configuration key ("tls.certificate_file", "tls.key_file", "tls.self_signed_dir")
    /// or, for the host name, "host name".
    public let field: String
    /// The file concerned, when there is one.
    public let path: String?
    public let problem: Problem

    public init(field: String, path: String?, problem: Problem) {
        self.field = field
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let subject = path.map { "\(field) \"\($0)\"" } ?? field
        switch problem {
        case .notConfigured(let other):
            return "\(field) is empty but \(other) is set: configure both (certificate chain and its key) or neither (self-signed)"
        case .missingFile: return "\(subject): no such file"
        case .unreadable(let reason): return "\(subject): cannot read: \(reason)"
        case .tooLarge(let limit): return "\(subject): larger than \(limit) bytes, not a PEM file"
        case .notPEM(let reason): return "\(subject): not PEM: \(reason)"
        case .malformed(let reason): return "\(subject): \(reason)"
        case .encryptedKey:
            return "\(subject): the private key is encrypted; store it without a pass phrase (mode 0600), e.g. openssl pkey -in KEY -out KEY.plain"
        case .keyDoesNotMatchCertificate(let certificateFile):
            return "\(subject): the private key does not match the certificate in \"\(certificateFile)\" (the first certificate of the chain must be the server's own)"
        case .invalidHostName(let reason): return "\(subject): \(reason)"
        case .invalidValidity(let reason): return "\(subject): \(reason)"
        case .cannotWrite(let reason): return "\(subject): cannot write: \(reason)"
        case .rejectedByTLSLibrary(let reason): return "\(subject): refused by the TLS library: \(reason)"
        }
    }
}
