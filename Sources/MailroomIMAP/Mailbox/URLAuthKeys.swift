// URLAuthKeys — URLAUTH's mailbox access keys and the INTERNAL mechanism's tokens.
//
// Standards: RFC 4467 §2.2 (a mailbox access key per user and mailbox: "a random string with
// at least 128 bits of entropy", "MUST be unpredictable"), §2.4.1 (the INTERNAL mechanism is
// the server's own; it "SHOULD incorporate some means of identifying the token generation
// algorithm"), §5 (the token is computed over the URL's rump: everything up to and including
// ";URLAUTH=" access), §6 (validation recomputes it), §10 ("servers SHOULD take steps to
// mitigate timing attacks": the comparison takes the same time wherever the tokens differ),
// §7 RESETKEY (a new key makes every URL made with the old one fail).
//
// INTERNAL here: token = "01" (the algorithm: HMAC-SHA256) followed by the 64 lower-case hex
// digits of HMAC-SHA256(key, rump octets as sent). Keys are URLAuthLimits.keyBytes random
// octets (SystemRandomNumberGenerator: getrandom(2) on Linux), made at the first GENURLAUTH
// for a mailbox. Where they are kept is the URLAuthKeyStore's business: MemoryURLAuthKeys here
// (tests), a 0600 file in the Maildir folder in the server (MaildirURLAuthKeys).
//
// Security: a key never leaves the store except into the HMAC; a token is compared in
// constant time; a missing key fails validation (URLFETCH answers NIL), it is never made on
// the way.

import Crypto
import MailroomMaildir
import NIOConcurrencyHelpers

/// Limits of URLAUTH and of the URLs CATENATE reads.
public enum URLAuthLimits {
    /// Octets of a mailbox access key (RFC 4467 §2.2 asks for at least 128 bits; 256 is
    /// HMAC-SHA256's block-size-friendly choice and what the key file holds, hex-encoded).
    public static let keyBytes = 32
    /// Other users whose mail one URLFETCH or CATENATE may read (each is an account-store
    /// lookup); URLs of further owners are answered as invalid.
    public static let ownersPerCommand = 16
    /// URLs in one URLFETCH, and URL parts in one APPEND (all its CATENATEs together); more is
    /// NO [LIMIT]. Each costs a read and a parse of a whole message. RFC 4467 and RFC 4469 set
    /// no bound; 100 is far beyond what a client forwarding a message with its attachments sends.
    public static let urlsPerCommand = 100
}

/// Where a user's mailbox access keys are kept.
public protocol URLAuthKeyStore: Sendable {
    /// The key of the mailbox at `path`; when there is none, a new random one if `create`,
    /// else nil.
    func key(for path: FolderPath, create: Bool) throws(StorageError) -> [UInt8]?
    /// Removes the key of `path` (RESETKEY): every URL made with it fails from now on, and
    /// the next GENURLAUTH makes a new one.
    func removeKey(for path: FolderPath) throws(StorageError)
}

/// Keys in memory, for tests and tools.
public final class MemoryURLAuthKeys: URLAuthKeyStore, @unchecked Sendable {
    private let lock = NIOLock()
    private var keys: [FolderPath: [UInt8]] = [:]

    public init() {}

    public func key(for path: FolderPath, create: Bool) throws(StorageError) -> [UInt8]? {
        lock.withLock {
            if let key = keys[path] { return key }
            guard create else { return nil }
            let key = URLAuthToken.newKey()
            keys[path] = key
            return key
        }
    }

    public func removeKey(for path: FolderPath) throws(StorageError) {
        lock.withLock { _ = keys.removeValue(forKey: path) }
    }
}

/// The INTERNAL mechanism's tokens.
public enum URLAuthToken {
    /// The mechanism name (RFC 4467 §2.4.1), as GENURLAUTH writes it in URLs.
    public static let internalMechanism = "INTERNAL"
    /// The algorithm octet in front of the MAC: 01 = HMAC-SHA256.
    static let algorithm = "01"
    /// RFC 4467 §9: enc-urlauth = 32*HEXDIG.
    public static let minimumHexDigits = 32

    /// A new random key of URLAuthLimits.keyBytes octets.
    public static func newKey() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<URLAuthLimits.keyBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// The token for `rump` under `key`: "01" and 64 hex digits.
    public static func token(rump: some Collection<UInt8>, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(rump), using: SymmetricKey(data: key))
        return algorithm + hex(Array(mac))
    }

    /// Whether `token` (hex, any case) is the token for `rump` under `key`; constant time in
    /// where the tokens differ.
    public static func isValid(_ token: String, rump: some Collection<UInt8>, key: [UInt8]) -> Bool {
        let expected = Array(self.token(rump: rump, key: key).utf8)
        let given = Array(token.lowercased().utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }

    /// Lower-case hex, two digits per octet (tokens, and the key files of a key store).
    public static func hex(_ octets: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(octets.count * 2)
        for octet in octets {
            out.append(digits[Int(octet >> 4)])
            out.append(digits[Int(octet & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
