// SCRAMVerifier — what the server keeps for SCRAM-SHA-256: salt, iteration count, StoredKey
// and ServerKey, never the password.
//
// Standards: RFC 5802 §3 (SaltedPassword = Hi(password, salt, i); ClientKey = HMAC(SaltedPassword,
// "Client Key"); StoredKey = H(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key")),
// RFC 7677 (SCRAM-SHA-256, §4: at least 4096 iterations), RFC 5803 (the stored form
// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64 parts; the store's
// users.scram_sha256 column), Dovecot's {SCRAM-SHA-256} body `<iterations>,<salt>,<StoredKey>,<ServerKey>`.
//
// Security: the verifier is not password-equivalent, but it allows an offline dictionary attack
// at `iterations` PBKDF2 rounds per guess; and with StoredKey and ServerKey together someone can
// impersonate the server to a client. Keep it as secret as a password hash.
//
// The password is prepared with SASLprep (RFC 4013, as RFC 5802 §2.2 asks) before Hi(): the
// identity for printable ASCII; for other text, what a conforming client hashes. A password
// SASLprep refuses (control characters, say) is used as typed, so it still works with PLAIN
// and with clients that do not prepare.

import Crypto
import MailroomCore

public struct SCRAMVerifier: Sendable, Equatable {
    /// RFC 7677 §4: "at least 4096"; what passwords.scram_iterations defaults to.
    public static let defaultIterations = 4096
    /// Octets of salt in a new verifier (RFC 5802 does not fix a size; Dovecot uses 16).
    public static let saltLength = 16

    public let iterations: Int
    public let salt: [UInt8]
    public let storedKey: [UInt8]
    public let serverKey: [UInt8]

    /// Derives a verifier from a password; a random salt unless one is given.
    public init(password: String, iterations: Int, salt: [UInt8]? = nil) {
        var generator = SystemRandomNumberGenerator()
        let salt = salt ?? (0..<Self.saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let salted = Self.saltedPassword(password, salt: salt, iterations: iterations)
        let clientKey = Self.hmac(key: salted, Array("Client Key".utf8))
        self.init(iterations: iterations, salt: salt, storedKey: Array(SHA256.hash(data: clientKey)),
                  serverKey: Self.hmac(key: salted, Array("Server Key".utf8)))
    }

    public init(iterations: Int, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// SaltedPassword := Hi(Normalize(password), salt, i) (RFC 5802 §3), Normalize = SASLprep.
    static func saltedPassword(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        PBKDF2.hmacSHA256(password: Array(SASLprep.prepareOrKeep(password).utf8), salt: salt, iterations: iterations)
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// RFC 5803: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64 parts).
    public var rfc5803: String {
        "SCRAM-SHA-256$\(iterations):\(Base64.encode(salt))$"
            + "\(Base64.encode(storedKey)):\(Base64.encode(serverKey))"
    }

    public init?(rfc5803 text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "SCRAM-SHA-256" else { return nil }
        let first = parts[1].split(separator: ":"), second = parts[2].split(separator: ":")
        guard first.count == 2, second.count == 2, let iterations = Int(first[0]), iterations > 0,
              let salt = Base64.decode(first[1].utf8),
              let stored = Base64.decode(second[0].utf8),
              let server = Base64.decode(second[1].utf8) else { return nil }
        self.init(iterations: iterations, salt: salt, storedKey: stored, serverKey: server)
    }

    /// Dovecot's {SCRAM-SHA-256} body (without the prefix): `<iterations>,<salt>,<StoredKey>,<ServerKey>`.
    public init?(dovecot text: String) {
        let parts = text.split(separator: ",")
        guard parts.count == 4, let iterations = Int(parts[0]), iterations > 0,
              let salt = Base64.decode(parts[1].utf8),
              let stored = Base64.decode(parts[2].utf8),
              let server = Base64.decode(parts[3].utf8) else { return nil }
        self.init(iterations: iterations, salt: salt, storedKey: stored, serverKey: server)
    }

    /// Whether `password` produces this verifier's StoredKey (constant-time comparison). Costs
    /// `iterations` PBKDF2 rounds: run it off the event loops.
    public func matches(password: String) -> Bool {
        let other = SCRAMVerifier(password: password, iterations: iterations, salt: salt)
        return ConstantTime.equal(other.storedKey, storedKey)
    }
}
