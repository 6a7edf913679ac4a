// Passwords — verifying stored password hashes and making new ones.
//
// Verifies crypt(3) strings through libxcrypt (yescrypt `$y$`, SHA-512-crypt `$6$`,
// SHA-256-crypt `$5$`, bcrypt `$2b$`/`$2y$`/`$2a$`, MD5-crypt `$1$`, DES), and Dovecot-style
// `{SCHEME}` prefixes: {CRYPT}, {SHA512-CRYPT}, {SHA256-CRYPT}, {BLF-CRYPT}, {MD5-CRYPT},
// {DES-CRYPT}, {PLAIN}/{CLEAR}/{CLEARTEXT}, {SHA}/{SHA1}, {SHA256}, {SHA512}, {SSHA},
// {SSHA256}, {SSHA512}, {PLAIN-MD5}, {LDAP-MD5}, {SMD5}, {CRAM-MD5} and {SCRAM-SHA-256}, with
// Dovecot's `.HEX` / `.B64` encoding suffixes on the digest schemes.
//
// New passwords are always stored as yescrypt (passwords.yescrypt_cost), together with the
// derived secrets later SASL mechanisms need so they never see clear text: a SCRAM-SHA-256
// verifier (RFC 5802 / RFC 7677, stored in the RFC 5803 form
// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`) and, when
// passwords.store_cram_md5 is on, the HMAC-MD5 states for CRAM-MD5 (RFC 2195).
//
// The SASL secrets themselves (SCRAMVerifier, CRAMMD5Secret) live in MailroomSASL, which the
// protocol servers share; this file only makes, stores and verifies them as password values.
//
// Security: crypt() is not thread-safe; only crypt_rn with a per-call buffer is used. Every
// comparison of secrets is constant-time (MailroomCore's ConstantTime). A stored value that is
// empty or starts with `!` or `*` never matches (locked account). Hashing is slow on purpose
// (yescrypt ≈ 70 ms): callers run it off the event loops.
//
// `.HEX` digests are decoded by MailroomCore's Hex; `.B64` ones by Foundation's
// Data(base64Encoded:), which, unlike MailroomCore's strict Base64, accepts non-zero pad bits
// (stored values written by other software are taken as they are).

import CCrypt
import Crypto
import Foundation
import MailroomCore
import MailroomSASL

public struct PasswordSecrets: Sendable, Equatable {
    public var hash: String
    public var scramSHA256: String?
    public var cramMD5: String?
}

public struct PasswordPolicy: Sendable, Equatable {
    /// yescrypt cost for crypt_gensalt (libxcrypt accepts 1…11; its own default is 5).
    public var yescryptCost: Int
    /// PBKDF2 iterations for the SCRAM-SHA-256 verifier (RFC 7677 §4 asks for at least 4096).
    public var scramIterations: Int
    /// Also store the CRAM-MD5 secret (password-equivalent for CRAM-MD5 only).
    public var storeCRAMMD5: Bool

    public static let defaultYescryptCost = 5
    public static let defaultSCRAMIterations = 4096

    public init(yescryptCost: Int = defaultYescryptCost, scramIterations: Int = defaultSCRAMIterations,
                storeCRAMMD5: Bool = true) {
        self.yescryptCost = yescryptCost
        self.scramIterations = scramIterations
        self.storeCRAMMD5 = storeCRAMMD5
    }
}

public enum PasswordError: Error, Sendable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case containsNUL
    case hashingFailed(String)

    /// Longer passwords are refused: bcrypt ignores bytes past 72 and nobody types 1 KiB.
    public static let maximumLength = 1024

    public var description: String {
        switch self {
        case .empty: "password is empty"
        case .tooLong(let n): "password is longer than \(n) bytes"
        case .containsNUL: "password contains a NUL byte"
        case .hashingFailed(let why): "cannot hash password: \(why)"
        }
    }
}

public enum Passwords {
    /// Hashes a new password as yescrypt and derives the SASL secrets.
    public static func makeSecrets(_ password: String, policy: PasswordPolicy) throws(PasswordError) -> PasswordSecrets {
        try validate(password)
        let setting = try gensalt(prefix: "$y$", cost: policy.yescryptCost)
        guard let hash = crypt(password, setting: setting) else {
            throw .hashingFailed("libcrypt rejected the yescrypt setting \(setting)")
        }
        let scram = SCRAMVerifier(password: password, iterations: policy.scramIterations)
        return PasswordSecrets(
            hash: hash, scramSHA256: scram.rfc5803,
            cramMD5: policy.storeCRAMMD5 ? CRAMMD5Secret(password: password).hex : nil)
    }

    public static func validate(_ password: String) throws(PasswordError) {
        if password.isEmpty { throw .empty }
        if password.utf8.count > PasswordError.maximumLength { throw .tooLong(PasswordError.maximumLength) }
        if password.utf8.contains(0) { throw .containsNUL }
    }

    /// The scheme name of a stored value, for display ("yescrypt", "SHA512-CRYPT", "PLAIN", …).
    public static func schemeName(of stored: String) -> String {
        if let (scheme, _) = splitScheme(stored) { return scheme }
        if stored.isEmpty || stored.hasPrefix("!") || stored.hasPrefix("*") { return "locked" }
        return cryptSchemeName(stored)
    }

    /// Whether the stored value should be replaced by a fresh yescrypt hash after a successful
    /// login (an old or weak scheme).
    public static func isOutdated(_ stored: String) -> Bool {
        !stored.hasPrefix("$y$")
    }

    /// Constant-time verification of `password` against a stored value.
    public static func verify(_ password: String, against stored: String) -> Bool {
        if stored.isEmpty || stored.hasPrefix("!") || stored.hasPrefix("*") { return false }
        guard let (scheme, rest) = splitScheme(stored) else {
            return verifyCrypt(password, rest: stored)
        }
        let base = scheme.split(separator: ".").first.map(String.init) ?? scheme
        let encoding = scheme.hasSuffix(".HEX") ? "HEX" : (scheme.hasSuffix(".B64") ? "B64" : nil)
        let pw = Array(password.utf8)
        switch base {
        case "CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "MD5-CRYPT", "DES-CRYPT", "YESCRYPT", "MD5":
            return verifyCrypt(password, rest: rest)
        case "PLAIN", "CLEAR", "CLEARTEXT":
            let stored = encoding == "B64" ? (Data(base64Encoded: rest).map { [UInt8]($0) } ?? [])
                : encoding == "HEX" ? (Hex.decode(rest) ?? []) : Array(rest.utf8)
            return ConstantTime.equal(pw, stored)
        case "SHA", "SHA1": return verifyDigest(rest, encoding ?? "B64", Array(Insecure.SHA1.hash(data: pw)))
        case "SHA256": return verifyDigest(rest, encoding ?? "B64", Array(SHA256.hash(data: pw)))
        case "SHA512": return verifyDigest(rest, encoding ?? "B64", Array(SHA512.hash(data: pw)))
        case "PLAIN-MD5": return verifyDigest(rest, encoding ?? "HEX", Array(Insecure.MD5.hash(data: pw)))
        case "LDAP-MD5": return verifyDigest(rest, encoding ?? "B64", Array(Insecure.MD5.hash(data: pw)))
        case "SSHA": return verifySalted(rest, encoding ?? "B64", 20) { Array(Insecure.SHA1.hash(data: pw + $0)) }
        case "SSHA256": return verifySalted(rest, encoding ?? "B64", 32) { Array(SHA256.hash(data: pw + $0)) }
        case "SSHA512": return verifySalted(rest, encoding ?? "B64", 64) { Array(SHA512.hash(data: pw + $0)) }
        case "SMD5": return verifySalted(rest, encoding ?? "B64", 16) { Array(Insecure.MD5.hash(data: pw + $0)) }
        case "CRAM-MD5", "HMAC-MD5":
            guard let secret = CRAMMD5Secret(hex: rest) else { return false }
            return ConstantTime.equal(Array(CRAMMD5Secret(password: password).hex.utf8), Array(secret.hex.utf8))
        case "SCRAM-SHA-256":
            guard let verifier = SCRAMVerifier(dovecot: rest) else { return false }
            return verifier.matches(password: password)
        default:
            return false
        }
    }

    /// The SASL secret a stored password value holds by itself: a Dovecot {SCRAM-SHA-256} value
    /// is a SCRAM verifier, a {CRAM-MD5} (or {HMAC-MD5}) value the CRAM-MD5 secret. Other schemes
    /// (and malformed values) give no secret; the users table's own columns supply them.
    public static func saslCredentials(fromStored stored: String) -> SASLCredentials {
        guard let (scheme, rest) = splitScheme(stored) else { return SASLCredentials() }
        switch scheme.split(separator: ".").first.map(String.init) ?? scheme {
        case "SCRAM-SHA-256": return SASLCredentials(scram: SCRAMVerifier(dovecot: rest))
        case "CRAM-MD5", "HMAC-MD5": return SASLCredentials(cramMD5: CRAMMD5Secret(hex: rest))
        default: return SASLCredentials()
        }
    }

    // MARK: - crypt(3)

    static func verifyCrypt(_ password: String, rest: String) -> Bool {
        guard let computed = crypt(password, setting: rest) else { return false }
        return ConstantTime.equal(Array(computed.utf8), Array(rest.utf8))
    }

    /// crypt_rn with a per-call buffer (thread-safe); nil when libcrypt rejects the setting.
    static func crypt(_ password: String, setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer {
            memset(buffer, 0, size)
            buffer.deallocate()
        }
        memset(buffer, 0, size)
        guard let out = crypt_rn(password, setting, buffer.assumingMemoryBound(to: crypt_data.self), Int32(size)) else {
            return nil
        }
        let result = String(cString: out)
        return result.hasPrefix("*") ? nil : result
    }

    static func gensalt(prefix: String, cost: Int) throws(PasswordError) -> String {
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let ok = output.withUnsafeMutableBufferPointer { buf in
            crypt_gensalt_rn(prefix, UInt(cost), nil, 0, buf.baseAddress, Int32(buf.count)) != nil
        }
        guard ok else { throw .hashingFailed("crypt_gensalt_rn(\(prefix), \(cost)) failed") }
        return String(cString: output)
    }

    static func cryptSchemeName(_ stored: String) -> String {
        if stored.hasPrefix("$y$") { return "yescrypt" }
        if stored.hasPrefix("$gy$") { return "gost-yescrypt" }
        if stored.hasPrefix("$7$") { return "scrypt" }
        if stored.hasPrefix("$6$") { return "SHA512-CRYPT" }
        if stored.hasPrefix("$5$") { return "SHA256-CRYPT" }
        if stored.hasPrefix("$2") { return "BLF-CRYPT" }
        if stored.hasPrefix("$1$") { return "MD5-CRYPT" }
        if stored.hasPrefix("_") { return "BSDI-CRYPT" }
        if stored.utf8.count == 13 { return "DES-CRYPT" }
        return "unknown"
    }

    // MARK: - {SCHEME} values

    static func splitScheme(_ stored: String) -> (String, String)? {
        guard stored.hasPrefix("{"), let close = stored.firstIndex(of: "}") else { return nil }
        let scheme = stored[stored.index(after: stored.startIndex)..<close].uppercased()
        return (scheme, String(stored[stored.index(after: close)...]))
    }

    static func decode(_ text: String, _ encoding: String) -> [UInt8]? {
        encoding == "HEX" ? Hex.decode(text) : Data(base64Encoded: text).map { [UInt8]($0) }
    }

    static func verifyDigest(_ text: String, _ encoding: String, _ digest: [UInt8]) -> Bool {
        guard let stored = decode(text, encoding) else { return false }
        return ConstantTime.equal(stored, digest)
    }

    static func verifySalted(_ text: String, _ encoding: String, _ digestLength: Int,
                             _ hash: ([UInt8]) -> [UInt8]) -> Bool {
        guard let stored = decode(text, encoding), stored.count > digestLength else { return false }
        let salt = Array(stored[digestLength...])
        return ConstantTime.equal(Array(stored[..<digestLength]), hash(salt))
    }
}
