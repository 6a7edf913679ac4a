// AddressError — the one error type for domain names, local parts and mail addresses.
//
// Every rejection in Names/ says precisely what is wrong ("label 'exa_mple' contains '_'",
// "local part is longer than 64 octets"), because the CLI shows it to an administrator as is.
//
// Standards: none of its own; messages cite RFC 5321 §4.5.3.1 limits, RFC 5322 §3.2.3 atext,
// RFC 6531 §3.3 and RFC 5890–5892 (IDNA2008) rules enforced by DomainName and LocalPart.
//
// Security: messages quote user input. `quote(_:)` escapes control, format (bidi overrides,
// zero-width characters), separator, private-use and unassigned code points as `\u{XXXX}` and
// cuts long input short, so hostile input cannot drive a terminal, hide or reorder text in a
// log line, or flood it.

/// A precise validation error whose message names the problem, shown to administrators by the CLI.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which part of an address was being validated.
    public enum Field: String, Sendable {
        case address
        case localPart = "local part"
        case domain
    }

    public let field: Field
    /// What is wrong, without the "invalid …:" prefix, e.g. "label 'exa_mple' contains '_'".
    public let message: String

    public init(field: Field, message: String) {
        self.field = field
        self.message = message
    }

    /// "invalid domain: …", "invalid local part: …" or "invalid address: …".
    public var description: String { "invalid \(field.rawValue): \(message)" }
}

// MARK: - Message helpers (shared by Names/, Quota/ and Network/; namespaced to avoid clashes)

extension AddressError {
    /// Longest stretch of user input quoted in a message, in Unicode scalars.
    static let quoteLimit = 80

    /// `text` in single quotes, safe to print: invisible or terminal-controlling code points are
    /// written as `\u{XXXX}` and anything past `quoteLimit` scalars becomes "…".
    static func quote(_ text: some StringProtocol) -> String {
        var out = "'"
        var count = 0
        for scalar in text.unicodeScalars {
            if count == quoteLimit {
                out += "…"
                break
            }
            count += 1
            if isUnsafeToPrint(scalar) {
                out += "\\u{" + hex(scalar) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    /// One offending code point for a message: "'_'" for printable ASCII, "'☃' (U+2603)" for
    /// other visible characters, and just "U+0301" for marks and invisible ones.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.isASCII {
            return (0x20...0x7E).contains(scalar.value) ? "'\(Character(scalar))'" : "U+" + hex(scalar)
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return "U+" + hex(scalar)
        default:
            return isUnsafeToPrint(scalar) ? "U+" + hex(scalar) : "'\(Character(scalar))' (U+\(hex(scalar)))"
        }
    }

    /// "U+XXXX" digits: upper-case hex, at least four digits.
    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func isUnsafeToPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator,
             .privateUse, .surrogate, .unassigned:
            return true
        default:
            return scalar.properties.isNoncharacterCodePoint
                || scalar.properties.isDefaultIgnorableCodePoint
        }
    }
}
