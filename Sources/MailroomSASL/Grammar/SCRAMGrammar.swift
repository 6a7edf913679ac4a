// SCRAMGrammar — the character classes and the saslname encoding shared by the SCRAM messages.
//
// Standards: RFC 5802 §7 (formal syntax), §5.1 (saslname: "," and "=" in names are sent as
// "=2C" and "=3D"; "If the server receives a username that contains '=' not followed by
// either '2C' or '3D', then the server MUST fail the authentication"). RFC 3629 (UTF-8).
//
// Security: every rule is checked on octets before anything becomes a String; a name that is
// not UTF-8, or holds NUL, is refused (it could otherwise reach the account store's SQL or the
// logs in an ambiguous form).

import MailroomCore

enum SCRAMGrammar {
    static let comma = UInt8(ascii: ",")
    static let equals = UInt8(ascii: "=")

    // printable = %x21-2B / %x2D-7E
    //             ;; Printable ASCII except ",".
    static func isPrintable(_ byte: UInt8) -> Bool {
        (0x21...0x7e).contains(byte) && byte != comma
    }

    // ALPHA = %x41-5A / %x61-7A
    static func isAlpha(_ byte: UInt8) -> Bool {
        (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }

    // base64-char = ALPHA / DIGIT / "/" / "+"
    // base64      = *base64-4 [base64-3 / base64-2]
    static func base64(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        Base64.decode(bytes)
    }

    // saslname        = 1*(value-safe-char / "=2C" / "=3D")
    //                   ;; Conforms to <value>.
    // value-safe-char = %x01-2B / %x2D-3C / %x3E-7F /
    //                   UTF8-2 / UTF8-3 / UTF8-4
    //                   ;; UTF8-char except NUL, "=", and ",".
    /// The decoded name as a String, or nil when `bytes` is not a saslname or not UTF-8.
    static func decodeSASLName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            switch byte {
            case 0, comma:
                return nil
            case equals:
                guard bytes.endIndex - i >= 3 else { return nil }
                switch (bytes[i + 1], bytes[i + 2]) {
                case (UInt8(ascii: "2"), UInt8(ascii: "C")): out.append(comma)
                case (UInt8(ascii: "3"), UInt8(ascii: "D")): out.append(equals)
                default: return nil
                }
                i += 3
            default:
                out.append(byte)
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// The saslname form of `name`: "," → "=2C", "=" → "=3D".
    static func encodeSASLName(_ name: String) -> String {
        var out: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case comma: out += Array("=2C".utf8)
            case equals: out += Array("=3D".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    // attr-val   = ALPHA "=" value
    //              ;; Generic syntax of any attribute sent by server or client.
    // value      = 1*value-char
    // value-char = value-safe-char / "="
    static func isAttributeValue(_ field: ArraySlice<UInt8>) -> Bool {
        guard field.count >= 3, isAlpha(field[field.startIndex]),
              field[field.startIndex + 1] == equals else { return false }
        let value = field.dropFirst(2)
        return !value.contains(0) && !value.contains(comma) && String(validating: Array(value), as: UTF8.self) != nil
    }

    /// The value of `field` when it is `name` "=" value; nil otherwise.
    static func attribute(_ name: Character, _ field: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard field.count >= 2, field[field.startIndex] == name.asciiValue!,
              field[field.startIndex + 1] == equals else { return nil }
        return field.dropFirst(2)
    }

    /// Splits a message at every ",", keeping empty fields.
    static func fields(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        bytes.split(separator: comma, omittingEmptySubsequences: false)
    }
}
