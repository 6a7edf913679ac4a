// SASLNonce — fresh server randomness for one exchange: SCRAM's server nonce part and the
// unique part of CRAM-MD5's challenge.
//
// Standards: RFC 5802 §5.1 (the nonce is printable ASCII except ","; "a sequence of random
// printable characters"), RFC 2195 (the challenge must be unique: "presumptively arbitrary
// string of random digits"), RFC 5322 §3.2.3 (CRAM-MD5's msg-id left part is a dot-atom-text;
// every base64 character is atext).
//
// Security: 24 octets (192 bits) from the system's CSPRNG (getrandom on Linux) through
// SystemRandomNumberGenerator; RFC 5802 asks for enough entropy that nonces never repeat.

import MailroomCore

public enum SASLNonce {
    /// Random octets in a nonce; Mailroom's floor is 18 (144 bits), this gives 192.
    public static let randomOctets = 24

    /// A fresh nonce: 32 base64 characters (no "=" padding, no ",").
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomOctets).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Base64.encode(bytes)
    }

    /// Whether `nonce` is usable as a SCRAM server nonce part: 1*printable (RFC 5802 §7).
    static func isPrintable(_ nonce: String) -> Bool {
        !nonce.isEmpty && nonce.utf8.allSatisfy(SCRAMGrammar.isPrintable)
    }
}
