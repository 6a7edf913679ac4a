// MD5 with an exposed chaining state (RFC 1321), for CRAM-MD5 (RFC 2195) without clear text.
//
// Standards: RFC 1321 (MD5: §3.4 the 64 round constants, §3.5 little-endian output).
//
// CRAM-MD5 needs HMAC-MD5(password, challenge) (RFC 2104). HMAC's first step only depends on
// the password: the MD5 states after hashing (key ⊕ ipad) and (key ⊕ opad). Storing those two
// states (Dovecot's {CRAM-MD5} format, see CRAMMD5Secret) lets the server check a CRAM-MD5
// answer later without keeping the password itself. swift-crypto does not expose MD5's
// intermediate state, so this is our own small MD5.
//
// Security: MD5 is broken for collision resistance; it is used here only inside HMAC for
// CRAM-MD5, which the mechanism fixes. Nothing else should use this type.

/// The four 32-bit words of MD5's chaining state, with the compression function.
public struct MD5State: Sendable, Equatable {
    public var a: UInt32
    public var b: UInt32
    public var c: UInt32
    public var d: UInt32

    /// The initial state (RFC 1321 §3.3).
    public init() {
        self.init(a: 0x6745_2301, b: 0xefcd_ab89, c: 0x98ba_dcfe, d: 0x1032_5476)
    }

    public init(a: UInt32, b: UInt32, c: UInt32, d: UInt32) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    // K[i] = floor(|sin(i + 1)| · 2^32), the table of RFC 1321 §3.4.
    private static let constants: [UInt32] = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee,
        0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
        0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa,
        0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed,
        0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
        0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05,
        0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039,
        0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
        0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]

    /// Processes one 64-byte block (RFC 1321 §3.4).
    public mutating func compress(_ block: ArraySlice<UInt8>) {
        precondition(block.count == 64, "MD5 compresses 64-byte blocks")
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

    /// Finishes a message of which `processedBytes` (a multiple of 64) were already compressed
    /// into this state: pads `tail` (RFC 1321 §3.1–3.2) and returns the 16-byte digest.
    public func finish(tail: [UInt8], processedBytes: Int) -> [UInt8] {
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

    /// The state as 16 bytes, each word little-endian (RFC 1321 §3.5).
    public var bytes: [UInt8] {
        [a, b, c, d].flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } }
    }

    /// MD5 of a whole message.
    public static func digest(_ data: [UInt8]) -> [UInt8] {
        var state = MD5State()
        var offset = 0
        while data.count - offset >= 64 {
            state.compress(data[offset..<offset + 64])
            offset += 64
        }
        return state.finish(tail: Array(data[offset...]), processedBytes: offset)
    }
}
