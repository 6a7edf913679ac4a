// TOMLValue.swift — the value tree a parsed TOML document is made of, and how each value is
// written back as TOML text (used to print a default configuration file).
//
// Standard: TOML 1.0.0 (https://toml.io/en/v1.0.0). One case per value type of the spec:
// §String, §Integer (64-bit signed), §Float (IEEE 754 binary64), §Boolean, the four date-time
// types (§Offset Date-Time, §Local Date-Time, §Local Date, §Local Time, all kept as the text
// that was written), §Array, and §Table / §Inline Table / §Array of Tables (tables are
// `.table`, an array of tables is an `.array` of `.table`).
//
// `tomlLiteral` writes the form that a TOML 1.0 parser reads back as the same value:
// strings as basic strings (§String: the escapes \b \t \n \f \r \" \\ and \uXXXX for other
// control characters), arrays inline, tables as inline tables (§Inline Table), keys bare
// when §Keys allows it and quoted otherwise.

/// One TOML value.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    /// An offset or local date-time, a local date or a local time, kept exactly as written
    /// (RFC 3339 text; TOML also allows a space or a lower-case `t`/`z`). The parser has
    /// already checked its shape and ranges (month 01–12, day within the month, hour 00–23, …).
    case dateTime(String)
    case array([TOMLValue])
    case table(TOMLTable)

    /// How this value is written in a TOML file (strings escaped as basic strings, arrays
    /// inline, tables inline), for printing a default config file.
    public var tomlLiteral: String {
        switch self {
        case .string(let s):
            return TOMLSyntax.basicString(s)
        case .integer(let n):
            return String(n)
        case .float(let d):
            return TOMLSyntax.floatLiteral(d)
        case .boolean(let b):
            return b ? "true" : "false"
        case .dateTime(let text):
            return text
        case .array(let items):
            return "[" + items.map(\.tomlLiteral).joined(separator: ", ") + "]"
        case .table(let table):
            if table.keys.isEmpty { return "{}" }
            let pairs = table.keys.compactMap { key -> String? in
                guard let value = table[key] else { return nil }
                return TOMLSyntax.key(key) + " = " + value.tomlLiteral
            }
            return "{ " + pairs.joined(separator: ", ") + " }"
        }
    }

    /// The TOML type name, for messages such as "expected an integer, found a string".
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .boolean: return "boolean"
        case .dateTime: return "date-time"
        case .array: return "array"
        case .table: return "table"
        }
    }

    /// Structural equality, except that a float NaN equals a float NaN (TOML `nan` parsed
    /// twice is the same configuration value), and tables compare as unordered maps.
    public static func == (lhs: TOMLValue, rhs: TOMLValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.float(a), .float(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.dateTime(a), .dateTime(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.table(a), .table(b)): return a == b
        default: return false
        }
    }
}

/// Lexical helpers shared by the writer (`tomlLiteral`, `flattened()` paths) and the parser's
/// messages.
enum TOMLSyntax {
    /// TOML 1.0 §Keys: bare keys are ASCII letters, ASCII digits, underscores and dashes.
    static func isBareKeyScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    /// A key as written in a document: bare when §Keys allows it, else a basic string.
    static func key(_ key: String) -> String {
        if !key.isEmpty && key.unicodeScalars.allSatisfy(isBareKeyScalar) { return key }
        return basicString(key)
    }

    /// A dotted key (§Keys, "Dotted keys") made of the given segments.
    static func dottedKey<S: Sequence>(_ segments: S) -> String where S.Element == String {
        segments.map { key($0) }.joined(separator: ".")
    }

    /// §String, basic string: quotation mark, backslash and control characters escaped;
    /// everything else (including non-ASCII such as Chinese) written as is.
    static func basicString(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for c in s.unicodeScalars {
            switch c {
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\u{08}": out.append(contentsOf: "\\b".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\u{0C}": out.append(contentsOf: "\\f".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out.append(contentsOf: ("\\u" + hex(c.value, width: 4)).unicodeScalars)
                } else {
                    out.append(c)
                }
            }
        }
        out.append("\"")
        return String(out)
    }

    /// §Float: `inf`, `-inf`, `nan`, else Swift's shortest round-tripping decimal form, which
    /// always has a decimal point or an exponent ("1.0", "1e-05", "1e+16") as §Float requires.
    static func floatLiteral(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var text = d.description
        if !text.contains(".") && !text.contains("e") && !text.contains("E") { text += ".0" }
        return text
    }

    /// Upper-case hexadecimal, zero-padded to `width` digits.
    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
