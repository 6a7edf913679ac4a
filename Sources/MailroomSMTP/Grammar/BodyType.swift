// BodyType — the BODY= parameter of MAIL FROM: what the message body contains.
//
// Standards: RFC 6152 §2 (BODY=7BIT / BODY=8BITMIME), RFC 3030 §3 (BODY=BINARYMIME, which
// needs BDAT). Values are case-insensitive; they are written in upper case.

/// RFC 6152 / RFC 3030 body-value.
public enum BodyType: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
    case binaryMIME = "BINARYMIME"

    public var description: String { rawValue }
}
