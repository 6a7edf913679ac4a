// LocalPart — the validated, normalized mailbox name before the "@" of a hosted address.
//
// Standards:
// - RFC 5322 §3.2.3 / §3.4.1: dot-atom of atext; quoted strings are not accepted (RFC 5321
//   §4.1.2 allows them, but no hosted mailbox needs one and they are a parsing hazard).
// - RFC 6531 §3.3: atext extended with UTF8-non-ascii, so "用户" is a local part.
// - RFC 5321 §4.5.3.1.1: at most 64 octets (counted in UTF-8, after normalization).
// Local parts are compared case-insensitively here: the value is lower-cased (Unicode full
// lower-case mapping) and put in NFC, so "Zoë" typed precomposed or decomposed is one mailbox.
//
// Security: the value becomes a Maildir directory name, so "/" is refused (and "." / ".."
// cannot occur: no leading dot). Control characters, all spaces and separators, format
// characters (bidi overrides, zero-width space, BOM), private-use, unassigned and
// noncharacter code points are refused, so two addresses cannot differ invisibly.
// ZWNJ/ZWJ are allowed only between two letters or marks (Persian, Indic scripts).

import Foundation  // String.precomposedStringWithCanonicalMapping (NFC) only

public struct LocalPart: Hashable, Sendable, CustomStringConvertible {
    /// RFC 5321 §4.5.3.1.1: maximum local-part length in octets.
    public static let maximumLength = 64

    /// NFC, lowercased (Unicode lowercasing).
    public let value: String

    public var description: String { value }

    /// Dot-atom of RFC 5322 atext plus UTF-8 non-ASCII (RFC 6531 §3.3); no quoted strings; no leading, trailing or doubled dot;
    /// ≤ 64 octets in UTF-8; control characters, spaces and '/' refused (it becomes a directory name).
    public init(_ input: String) throws(AddressError) {
        if let value = Self.plainASCII(input) {
            self.init(value: value)
        } else {
            try self.init(validating: input)
        }
    }

    private init(value: String) {
        self.value = value
    }

    /// The general path: lower case and NFC for any script, every check, the error messages.
    init(validating input: String) throws(AddressError) {
        guard !input.isEmpty else { throw Self.error("local part is empty") }
        if input.hasPrefix("\"") {
            throw Self.error("quoted local parts (\(AddressError.quote(input))) are not accepted")
        }
        // Normalization shrinks UTF-8 at most a few times over; this bound refuses only input
        // that is certainly too long, before normalizing it.
        guard input.utf8.count <= 16 * Self.maximumLength else {
            throw Self.error("local part is longer than \(Self.maximumLength) octets")
        }

        let value = input.lowercased().precomposedStringWithCanonicalMapping
        let scalars = Array(value.unicodeScalars)
        let quoted = AddressError.quote(value)

        // RFC 5322 §3.2.3 dot-atom-text = 1*atext *("." 1*atext)
        if scalars.first == "." { throw Self.error("local part \(quoted) starts with '.'") }
        if scalars.last == "." { throw Self.error("local part \(quoted) ends with '.'") }
        if zip(scalars, scalars.dropFirst()).contains(where: { $0 == "." && $1 == "." }) { throw Self.error("local part \(quoted) contains '..'") }

        for (index, scalar) in scalars.enumerated() {
            if scalar == "/" {
                throw Self.error("local part \(quoted) contains '/', which cannot be part of a mailbox directory name")
            }
            if scalar.isASCII {
                guard scalar == "." || Self.isAText(scalar) else {
                    throw Self.error("local part \(quoted) contains \(AddressError.describe(scalar))")
                }
            } else if !Self.isAllowedNonASCII(scalar, at: index, in: scalars) {
                throw Self.error("local part \(quoted) contains \(AddressError.describe(scalar)), which is not allowed")
            }
        }

        guard value.utf8.count <= Self.maximumLength else {
            throw Self.error("local part is longer than \(Self.maximumLength) octets")
        }
        self.value = value
    }

    private static func error(_ message: String) -> AddressError {
        AddressError(field: .localPart, message: message)
    }

    /// The lower-cased value when `input` is ASCII atext and dots that the checks above accept
    /// as they are (no leading, trailing or doubled dot, no '/', at most 64 octets); nil for
    /// anything else, which takes the general path. Skips Unicode lower-casing and NFC for the
    /// common case (tests compare both paths).
    static func plainASCII(_ input: String) -> String? {
        var bytes = Array(input.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength, bytes[0] != 0x2E, bytes[bytes.count - 1] != 0x2E else { return nil }
        var changed = false
        for i in bytes.indices {
            let b = bytes[i]
            if b >= 0x41 && b <= 0x5A {
                bytes[i] = b + 0x20
                changed = true
            } else if b == 0x2E {
                if bytes[i - 1] == 0x2E { return nil }
            } else if b >= 0x80 || b == 0x2F || !isAText(Unicode.Scalar(b)) {
                return nil
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : input
    }

    /// RFC 5322 §3.2.3: atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
    /// "-" / "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"   ("/" is refused above).
    private static func isAText(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9",
             "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
            return true
        default:
            return false
        }
    }

    /// RFC 6531 §3.3 UTF8-non-ascii, less code points that are invisible, control the display,
    /// or have no meaning (see the Security note above).
    private static func isAllowedNonASCII(_ scalar: Unicode.Scalar, at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let props = scalar.properties
        if scalar.value == 0x200C || scalar.value == 0x200D {  // ZWNJ, ZWJ: only inside a word
            return index > 0 && index + 1 < scalars.count
                && isLetterOrMark(scalars[index - 1]) && isLetterOrMark(scalars[index + 1])
        }
        switch props.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .privateUse, .surrogate, .unassigned:
            return false
        default:
            return !props.isNoncharacterCodePoint && !props.isDefaultIgnorableCodePoint && !props.isWhitespace
        }
    }

    private static func isLetterOrMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }
}
