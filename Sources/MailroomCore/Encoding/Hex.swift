// Hex — lowercase hexadecimal, the one implementation for every module: CRAM-MD5 digests and
// the stored CRAM-MD5 secret (MailroomSASL), and the `.HEX` encoding of Dovecot {SCHEME}
// password digests ({PLAIN-MD5}, {SHA256.HEX}, …; MailroomStore).
//
// Standards: RFC 4648 §8 (base 16); RFC 2195 §2 (the CRAM-MD5 digest is sent as 32 lowercase
// hex digits; upper case is accepted on input, as other servers do).
//
// Encoding writes lower case; decoding accepts either case and refuses anything that is not an
// even number of hex digits. Linear in the input.

public enum Hex {
    /// `bytes` as lowercase hex digits, two per octet.
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// nil unless `text` is an even number of hex digits (either case).
    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }

    /// nil unless `chars` is an even number of hex digits (either case).
    public static func decode(_ chars: [UInt8]) -> [UInt8]? {
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
