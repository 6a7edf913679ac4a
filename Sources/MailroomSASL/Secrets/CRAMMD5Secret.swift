// CRAMMD5Secret — the stored CRAM-MD5 secret: the two HMAC-MD5 states of a password.
//
// Standards: RFC 2195 (CRAM-MD5: the response digest is HMAC-MD5(password, challenge) in
// lowercase hex), RFC 2104 §2 (HMAC: keys longer than the 64-byte block are hashed first, then
// padded with zeros; inner pad 0x36, outer pad 0x5c). Storage layout: Dovecot's {CRAM-MD5}
// value, the outer then the inner MD5 state, each as four little-endian words, in hex
// (64 hex digits). The store keeps it in users.cram_md5.
//
// Security: the secret is password-equivalent for CRAM-MD5 logins (as with any server-side
// CRAM-MD5), though not for other mechanisms; compare digests with `matches`, which is
// constant-time.

import MailroomCore

/// The precomputed HMAC-MD5 states for a password.
public struct CRAMMD5Secret: Sendable, Equatable {
    public let inner: MD5State
    public let outer: MD5State

    public init(password: String) {
        var key = Array(password.utf8)
        if key.count > 64 { key = MD5State.digest(key) }   // RFC 2104 §2
        key += [UInt8](repeating: 0, count: 64 - key.count)
        var inner = MD5State()
        inner.compress(ArraySlice(key.map { $0 ^ 0x36 }))
        var outer = MD5State()
        outer.compress(ArraySlice(key.map { $0 ^ 0x5c }))
        self.inner = inner
        self.outer = outer
    }

    public init(inner: MD5State, outer: MD5State) {
        self.inner = inner
        self.outer = outer
    }

    /// Dovecot's {CRAM-MD5} body (without the prefix): 64 hex digits, outer state first.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        func state(_ at: Int) -> MD5State {
            func word(_ i: Int) -> UInt32 {
                (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + 4 * i + $1]) << (8 * UInt32($1)) }
            }
            return MD5State(a: word(0), b: word(1), c: word(2), d: word(3))
        }
        self.init(inner: state(16), outer: state(0))
    }

    /// Dovecot's {CRAM-MD5} body, lowercase hex.
    public var hex: String { Hex.encode(outer.bytes + inner.bytes) }

    /// HMAC-MD5(password, challenge): the 16 octets of the response digest.
    public func digest(for challenge: [UInt8]) -> [UInt8] {
        var state = inner
        var offset = 0
        while challenge.count - offset >= 64 {
            state.compress(challenge[offset..<offset + 64])
            offset += 64
        }
        let innerDigest = state.finish(tail: Array(challenge[offset...]), processedBytes: 64 + offset)
        return outer.finish(tail: innerDigest, processedBytes: 64)
    }

    /// HMAC-MD5(password, challenge) in lowercase hex, the CRAM-MD5 response digest (RFC 2195).
    public func response(to challenge: [UInt8]) -> String {
        Hex.encode(digest(for: challenge))
    }

    /// Constant-time check of a client's digest (16 octets, already decoded from hex).
    public func matches(digest candidate: [UInt8], for challenge: [UInt8]) -> Bool {
        ConstantTime.equal(digest(for: challenge), candidate)
    }
}
