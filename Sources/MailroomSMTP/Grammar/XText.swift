// XText — the encoding of ESMTP parameter values that may hold any printable character:
// ENVID, ORCPT and AUTH= values.
//
// Standards: RFC 3461 §4 (xtext = *( xchar / hexchar ); xchar = "!" to "~" except "+" and
// "="; hexchar = "+" followed by two upper-case hexadecimal digits).
//
// Decoding accepts lower-case hex digits too (harmless, and some clients write them); it
// refuses a decoded octet outside printable ASCII (%x20-7E): RFC 3461 §4.2 and §4.4 allow only
// printable US-ASCII in these values, and DSNs and logs must not receive control characters.
// Encoding writes "+XX" for "+", "=", space and anything outside "!".."~" (UTF-8 octets of
// non-ASCII text included).

enum XText {
    /// The decoded text, or nil when `bytes` is not xtext or decodes to a non-printable octet.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            if byte == GrammarParser.plus {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                let decoded = high << 4 | low
                guard (0x20...0x7E).contains(decoded) else { return nil }
                out.append(decoded)
            } else {
                guard (33...126).contains(byte), byte != GrammarParser.equals else { return nil }
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as xtext.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (33...126).contains(byte), byte != GrammarParser.plus, byte != GrammarParser.equals {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "+" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
