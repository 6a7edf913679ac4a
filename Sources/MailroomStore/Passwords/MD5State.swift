// MD5 with an exposed chaining state (RFC 1321), for CRAM-MD5 (RFC 2195) without clear text.
//
// CRAM-MD5 needs HMAC-MD5(password, challenge) (RFC 2104). HMAC's first step only depends on
// the password: the MD5 states after hashing (key ⊕ ipad) and (key ⊕ opad). Storing those two
// states (Dovecot's {CRAM-MD5} format) lets the server check a CRAM-MD5 answer later without
// keeping the password itself. swift-crypto does not expose MD5's intermediate state, so this
// is our own small MD5.
//
// Security: a CRAM-MD5 secret is password-equivalent for CRAM-MD5 logins (as with any
// server-side CRAM-MD5), so it is stored only when passwords.store_cram_md5 is on.

import Glibc

struct MD5State: Equatable {
    var a: UInt32 = 0x6745_2301
    var b: UInt32 = 0xefcd_ab89
    var c: UInt32 = 0x98ba_dcfe
    var d: UInt32 = 0x1032_5476

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    // K[i] = floor(|sin(i + 1)| · 2^32), RFC 1321 §3.4.
    private static let constants: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    /// Processes one 64-byte block.
    mutating func compress(_ block: ArraySlice<UInt8>) {
        precondition(block.count == 64)
        var m = [UInt32](repeating: 0, count: 16)
        let base = block.startIndex
        for i in 0..<16 {
            m[i] = UInt32(block[base + 4 * i]) | UInt32(block[base + 4 * i + 1]) << 8
                | UInt32(block[base + 4 * i + 2]) << 16 | UInt32(block[base + 4 * i + 3]) << 24
        }
        var (aa, bb, cc, dd) = (a, b, c, d)
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16: f = (bb & cc) | (~bb & dd); g = i
            case 16..<32: f = (dd & bb) | (~dd & cc); g = (5 * i + 1) % 16
            case 32..<48: f = bb ^ cc ^ dd; g = (3 * i + 5) % 16
            default: f = cc ^ (bb | ~dd); g = (7 * i) % 16
            }
            f = f &+ aa &+ Self.constants[i] &+ m[g]
            aa = dd
            dd = cc
            cc = bb
            bb = bb &+ ((f << Self.shifts[i]) | (f >> (32 - Self.shifts[i])))
        }
        a = a &+ aa
        b = b &+ bb
        c = c &+ cc
        d = d &+ dd
    }

    /// Finishes a message of which `processedBytes` (a multiple of 64) were already compressed.
    func finish(tail: [UInt8], processedBytes: Int) -> [UInt8] {
        var state = self
        var message = tail
        let bitLength = UInt64(processedBytes + tail.count) &* 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for i in 0..<8 { message.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(i)))) }
        var offset = 0
        while offset < message.count {
            state.compress(message[offset..<offset + 64])
            offset += 64
        }
        return state.bytes
    }

    var bytes: [UInt8] {
        [a, b, c, d].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    }

    static func digest(_ data: [UInt8]) -> [UInt8] {
        var state = MD5State()
        var offset = 0
        while data.count - offset >= 64 {
            state.compress(data[offset..<offset + 64])
            offset += 64
        }
        return state.finish(tail: Array(data[offset...]), processedBytes: offset)
    }
}

/// The precomputed HMAC-MD5 states for a password: Dovecot's {CRAM-MD5} value is the outer
/// then the inner state, each as four little-endian words, in hex (64 characters).
public struct CRAMMD5Secret: Sendable, Equatable {
    let inner: MD5State
    let outer: MD5State

    public init(password: String) {
        var key = Array(password.utf8)
        if key.count > 64 { key = MD5State.digest(key) }
        key += [UInt8](repeating: 0, count: 64 - key.count)
        var inner = MD5State()
        inner.compress(ArraySlice(key.map { $0 ^ 0x36 }))
        var outer = MD5State()
        outer.compress(ArraySlice(key.map { $0 ^ 0x5c }))
        self.inner = inner
        self.outer = outer
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        func state(_ at: Int) -> MD5State {
            func word(_ i: Int) -> UInt32 {
                (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + 4 * i + $1]) << (8 * UInt32($1)) }
            }
            return MD5State(a: word(0), b: word(1), c: word(2), d: word(3))
        }
        outer = state(0)
        inner = state(16)
    }

    public var hex: String { Hex.encode(outer.bytes + inner.bytes) }

    /// HMAC-MD5(password, challenge) in lowercase hex, the CRAM-MD5 response digest.
    public func response(to challenge: [UInt8]) -> String {
        var state = inner
        var offset = 0
        while challenge.count - offset >= 64 {
            state.compress(challenge[offset..<offset + 64])
            offset += 64
        }
        let innerDigest = state.finish(tail: Array(challenge[offset...]), processedBytes: 64 + offset)
        return Hex.encode(outer.finish(tail: innerDigest, processedBytes: 64))
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
