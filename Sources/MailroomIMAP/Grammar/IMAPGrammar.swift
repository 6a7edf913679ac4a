// IMAPGrammar — the octet classes the IMAP ABNF is built from, shared by the command parser
// (Parser/) and the encoders beside each type (Grammar/, Response/).
//
// Standards: RFC 3501 §9 and RFC 9051 §9 (formal syntax: CHAR, CTL, ATOM-CHAR, atom-specials,
// ASTRING-CHAR, list-wildcards, quoted-specials, resp-specials, tag), RFC 5234 (ALPHA, DIGIT;
// ABNF strings are case-insensitive), RFC 6855 §3 / RFC 9051 (UTF-8 in quoted strings only;
// atoms stay ASCII).
//
// Security: these are pure predicates; the parser and the encoders decide from them whether
// an octet may stand in an atom, so an atom written by the server can never carry a space,
// a parenthesis, a quote or a line end that a client would read as structure.

/// The IMAP grammar's character classes.
enum IMAPGrammar {
    static let space = UInt8(ascii: " ")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let openParen = UInt8(ascii: "(")
    static let closeParen = UInt8(ascii: ")")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let doubleQuote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let percent = UInt8(ascii: "%")
    static let asterisk = UInt8(ascii: "*")
    static let plus = UInt8(ascii: "+")
    static let minus = UInt8(ascii: "-")
    static let dot = UInt8(ascii: ".")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let dollar = UInt8(ascii: "$")
    static let tilde = UInt8(ascii: "~")
    static let equals = UInt8(ascii: "=")

    /// CHAR = %x01-7F
    static func isChar(_ byte: UInt8) -> Bool { byte >= 0x01 && byte <= 0x7F }

    /// CTL = %x00-1F / %x7F
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    /// DIGIT = %x30-39
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// ALPHA = %x41-5A / %x61-7A
    static func isAlpha(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    /// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    static func isAtomSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case openParen, closeParen, openBrace, space, percent, asterisk, doubleQuote, backslash, closeBracket: true
        default: isControl(byte)
        }
    }

    /// ATOM-CHAR = <any CHAR except atom-specials>
    static func isAtomChar(_ byte: UInt8) -> Bool { isChar(byte) && !isAtomSpecial(byte) }

    /// ASTRING-CHAR = ATOM-CHAR / resp-specials
    static func isAStringChar(_ byte: UInt8) -> Bool { isAtomChar(byte) || byte == closeBracket }

    /// list-char = ATOM-CHAR / list-wildcards / resp-specials
    static func isListChar(_ byte: UInt8) -> Bool {
        isAtomChar(byte) || byte == percent || byte == asterisk || byte == closeBracket
    }

    /// tag = 1*<any ASTRING-CHAR except "+">
    static func isTagChar(_ byte: UInt8) -> Bool { isAStringChar(byte) && byte != plus }

    /// TEXT-CHAR = <any CHAR except CR and LF>
    static func isTextChar(_ byte: UInt8) -> Bool { isChar(byte) && byte != cr && byte != lf }

    static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

    /// The octets as an upper-case ASCII string (callers have checked they are ASCII).
    static func upperString(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map(upper), as: UTF8.self)
    }

    /// Whether `bytes` is a non-empty atom.
    static func isAtom(_ bytes: some Collection<UInt8>) -> Bool { !bytes.isEmpty && bytes.allSatisfy(isAtomChar) }

    /// Whether `bytes` is a valid tag.
    static func isTag(_ bytes: some Collection<UInt8>) -> Bool { !bytes.isEmpty && bytes.allSatisfy(isTagChar) }

    /// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or values over U+10FFFF).
    static func isValidUTF8(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
