// PBKDF2-HMAC-SHA-256 with a 32-octet output, SCRAM-SHA-256's Hi() function.
//
// Standards: RFC 8018 §5.2 (PBKDF2; one output block, so T_1 = U_1 ⊕ … ⊕ U_c), RFC 5802 §2.2
// (Hi(str, salt, i) is PBKDF2 with HMAC as the PRF and dkLen the hash length), RFC 7677 §3.
//
// swift-crypto's checked PBKDF2 (in _CryptoExtras) refuses fewer than 210,000 rounds, while
// RFC 7677 §4 asks for at least 4096 and real SCRAM verifiers use that; and this module depends
// on Crypto only. So Hi() is written out over swift-crypto's HMAC<SHA256>. The keyed HMAC is
// set up once and copied for each round.
//
// Security: slow on purpose only through the iteration count; the server side of a SCRAM
// exchange never runs it (only making or checking a verifier from a password does).

import Crypto

enum PBKDF2 {
    /// Hi(password, salt, iterations) with HMAC-SHA-256; fewer than one iteration counts as one.
    static func hmacSHA256(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var mac = keyed
        mac.update(data: salt + [0, 0, 0, 1])   // INT(1), big-endian block index
        var u = Array(mac.finalize())
        var t = u
        var round = 1
        while round < iterations {
            var next = keyed
            next.update(data: u)
            u = Array(next.finalize())
            for i in 0..<t.count { t[i] ^= u[i] }
            round += 1
        }
        return t
    }
}
