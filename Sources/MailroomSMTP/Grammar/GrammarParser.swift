// GrammarParser — the namespace of the SMTP command grammar and the octet classes its ABNF
// rules are built from. The parse functions live in GrammarParser+Command.swift (the verbs),
// +Path.swift (paths, mailboxes, local parts), +Domain.swift (domains, address literals) and
// +Parameters.swift (ESMTP parameters); each has its ABNF rule in a comment above it.
//
// Standards: RFC 5234 (ABNF core rules: ALPHA, DIGIT, SP, DQUOTE; strings are
// case-insensitive), RFC 5321 §4.1.2 (command argument syntax), RFC 5322 §3.2.3 (atext),
// RFC 6531 §3.3 (UTF8-non-ascii added to atext, qtextSMTP, sub-domain and esmtp-value).
//
// Tolerances, each on purpose (everything else is refused):
// - spaces at the end of a line are ignored ("DATA ", "QUIT  "), as Postfix does;
// - runs of spaces count as one where RFC 5321 has a single SP (between the verb and its
//   argument, between ESMTP parameters);
// - spaces after "MAIL FROM:" and "RCPT TO:" ("MAIL FROM: <a@b.example>"), as Postfix and
//   Exim accept; RFC 5321 §4.1.2 has none, and says receivers should tolerate them.
//
// Limits: the grammar holds only the RFCs' own syntax limits (256-octet path, 64-octet local
// part, 255-octet domain, 100-character ENVID, 500-character ORCPT, 20-character mechanism
// name), each a named constant beside the rule it limits. They are not operator settings, so
// the grammar takes no SMTPLimits: the line length is bounded before parsing by the framing
// layer (SMTPLimits.commandLineBytes, authLineBytes), and every parse is linear in it.
//
// Security: a command line holds no control characters at all (NUL, bare CR or LF, TAB,
// DEL): such a line is refused before its arguments are read, which rules out smuggled
// second commands and NUL-truncation tricks in later C-string code.

/// The SMTP command grammar: parse functions, one per ABNF rule, grouped by area.
enum GrammarParser {
    static let space = UInt8(ascii: " ")
    static let at = UInt8(ascii: "@")
    static let dot = UInt8(ascii: ".")
    static let comma = UInt8(ascii: ",")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let plus = UInt8(ascii: "+")
    static let backslash = UInt8(ascii: "\\")
    static let doubleQuote = UInt8(ascii: "\"")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let hyphen = UInt8(ascii: "-")

    // MARK: - Octet classes

    /// ALPHA = %x41-5A / %x61-7A
    static func isAlpha(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// DIGIT = %x30-39
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// Let-dig = ALPHA / DIGIT
    static func isLetDig(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) }

    /// ALPHA / DIGIT / "-", the octets of Ldh-str and esmtp-keyword.
    static func isLDH(_ byte: UInt8) -> Bool { isLetDig(byte) || byte == hyphen }

    /// The C0 controls and DEL, never allowed in a command line.
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }

    /// RFC 5322 §3.2.3: atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" /
    /// "+" / "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
    /// (ASCII only; RFC 6531's UTF8-non-ascii is handled by the callers).
    static func isAText(_ byte: UInt8) -> Bool {
        if isLetDig(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// qtextSMTP = %d32-33 / %d35-91 / %d93-126 (ASCII only; RFC 6531 adds UTF8-non-ascii)
    static func isQTextSMTP(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 33 || (35...91).contains(byte) || (93...126).contains(byte)
    }

    /// esmtp-value = 1*(%d33-60 / %d62-126), with RFC 6531 §3.3's UTF8-non-ascii (checked
    /// as UTF-8 by whoever decodes the value).
    static func isESMTPValueOctet(_ byte: UInt8) -> Bool {
        (33...60).contains(byte) || (62...126).contains(byte) || byte >= 0x80
    }

    static func upper(_ byte: UInt8) -> UInt8 {
        (0x61...0x7A).contains(byte) ? byte - 0x20 : byte
    }

    /// The octets as an upper-case ASCII string; nil when one is not ASCII.
    static func upperASCII(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return String(decoding: bytes.map(upper), as: UTF8.self)
    }

    /// One octet named for a reply: "'\\'" for printable ASCII, "a control character" or
    /// "a non-ASCII octet" otherwise — never the octet itself when it is not printable.
    static func describe(_ byte: UInt8) -> String {
        if (0x21...0x7E).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == space { return "a space" }
        return byte >= 0x80 ? "a non-ASCII octet" : "a control character"
    }

    /// RFC 6531 UTF8-non-ascii that may stand in an address: valid UTF-8, and no code point
    /// that is invisible or controls the display: C1 controls, format characters (bidi
    /// overrides, zero-width space, BOM — but ZWNJ and ZWJ, which some scripts need), line
    /// and paragraph separators, non-ASCII spaces, private-use, unassigned and noncharacters.
    /// (The hosted-mailbox rules of MailroomCore.LocalPart are stricter still.)
    static func isAllowedInAddress(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return true }
        if scalar.value == 0x200C || scalar.value == 0x200D { return true }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator,
             .privateUse, .surrogate, .unassigned:
            return false
        default:
            return !properties.isNoncharacterCodePoint
        }
    }
}
