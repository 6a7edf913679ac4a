// Base64 — the one base64 codec for every module: the SASL responses and challenges of SMTP
// AUTH (MailroomSMTP), the salt, keys, proofs, nonces and channel-binding data inside SCRAM
// messages and the stored SCRAM verifier (MailroomSASL).
//
// Standards: RFC 4648 §4 (alphabet and "=" padding), §3.5 (canonical encoding: pad bits zero);
// RFC 5802 §7 (base64 = *(4base64-char) [base64-3 / base64-2]: padded, no line breaks);
// RFC 4954 §4 (AUTH initial-response = base64 / "="; a response that does not decode is
// answered 501 5.5.2 by the SMTP layer).
//
// Strict: the length is a multiple of four, padding only at the end, no spaces or line breaks,
// no characters outside the alphabet, pad bits zero (so each value has one encoding). Linear in
// the input.
//
// XXX: no caller needs a lenient decoder today (the SMTP AUTH tests pass with the strict one,
// and RFC 4648 §3.5 lets a decoder refuse non-zero pad bits). Should one be needed, add an option
// to `decode` here rather than a second copy.

public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `bytes` as padded base64, without line breaks.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The decoded octets, or nil when `text` is not strict padded base64. Empty input decodes
    /// to no octets.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        let input = Array(text)
        guard input.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            var values: [UInt8] = []
            var padding = 0
            for byte in input[index..<index + 4] {
                if byte == UInt8(ascii: "=") {
                    padding += 1
                    continue
                }
                guard padding == 0, let value = value(of: byte) else { return nil }
                values.append(value)
            }
            guard padding == 0 || (isLast && padding <= 2) else { return nil }
            let bits = values.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (18 - 6 * UInt32($1.offset)) }
            // RFC 4648 §3.5: the pad bits of the last group must be zero (one encoding per value).
            if padding == 2, bits & 0xffff != 0 { return nil }
            if padding == 1, bits & 0xff != 0 { return nil }
            out.append(UInt8(truncatingIfNeeded: bits >> 16))
            if values.count > 2 { out.append(UInt8(truncatingIfNeeded: bits >> 8)) }
            if values.count > 3 { out.append(UInt8(truncatingIfNeeded: bits)) }
            index += 4
        }
        return out
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
