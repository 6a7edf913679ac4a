// MIMEParameter — the parameters of Content-Type and Content-Disposition, with RFC 2231
// continuations, charsets and languages applied.
//
// Standards: RFC 2045 §5.1 (parameter := attribute "=" value; value := token / quoted-string;
// attribute names are case-insensitive), RFC 2231 §3 (continuations name*0, name*1, ...), §4
// (name*=charset'language'%XX encoded values; name*0*= ...), §4.1 (mixing encoded and
// unencoded sections), RFC 5322 §3.2.4 (quoted-string, quoted-pair), §3.2.2 (comments).
//
// Public API:
//   MIMEParameter { name (lowercased), value: String, rawValue: [UInt8], charset, language }
//   MIMEParameter.parseList(_ bytes: some Collection<UInt8>) -> [MIMEParameter]
//   [MIMEParameter].value(of:) -> String?   (first match, case-insensitive)
//
// Tolerance: unquoted values may hold octets RFC 2045 forbids in tokens ("=", "/", "?", 8-bit:
// `boundary=----=_Part_1` is common); a value runs to ";" or whitespace or "(" when unquoted;
// a missing "=" or value gives an empty value; comments are skipped; an unclosed quoted
// string runs to the end. Sections are joined in number order, missing numbers skipped;
// when both `name` and `name*`/`name*0` appear the RFC 2231 form wins. The first parameter of
// a name wins over later duplicates. Raw 8-bit in a plain value: valid UTF-8 stays, else
// ISO-8859-1. An RFC 2231 value in an unknown charset is read as UTF-8, else ISO-8859-1.
//
// Security: one pass over the header value; at most `maximumParameters` parameters and
// `maximumSections` sections per name are kept, so a hostile header cannot make the join sort
// or allocate without bound.

/// One parameter.
public struct MIMEParameter: Sendable, Equatable, Hashable {
    /// The attribute, lowercased, without RFC 2231 "*" and section suffixes.
    public var name: String
    /// The value as text: quotes and quoted-pairs removed, RFC 2231 sections joined and
    /// decoded through their charset.
    public var value: String
    /// The value's octets before charset conversion (after percent-decoding for RFC 2231):
    /// what a boundary is compared with.
    public var rawValue: [UInt8]
    /// RFC 2231 charset and language, when the value was in extended form.
    public var charset: String?
    public var language: String?

    public init(name: String, value: String, rawValue: [UInt8]? = nil, charset: String? = nil, language: String? = nil) {
        self.name = name
        self.value = value
        self.rawValue = rawValue ?? Array(value.utf8)
        self.charset = charset
        self.language = language
    }

    /// Most parameters kept from one header.
    public static let maximumParameters = 256
    /// Most RFC 2231 sections joined for one name.
    public static let maximumSections = 1024

    private struct Section {
        var number: Int?          // nil: no section suffix
        var extended: Bool        // "*" at the end
        var bytes: [UInt8]
        var order: Int
    }

    /// Parses `; name=value; ...` (the text after the type, or a whole header value: anything
    /// before the first ";" is skipped).
    public static func parseList(_ bytes: some Collection<UInt8>) -> [MIMEParameter] {
        let input = Array(bytes)
        var i = 0
        let n = input.count
        // Skip to the first ";" outside quotes and comments.
        var inQuote = false
        var depth = 0
        while i < n {
            let b = input[i]
            if inQuote {
                if b == ASCII.backslash { i += 2; continue }
                if b == ASCII.quote { inQuote = false }
            } else if b == ASCII.quote {
                inQuote = true
            } else if b == ASCII.openParen {
                depth += 1
            } else if b == ASCII.closeParen {
                depth = max(0, depth - 1)
            } else if b == ASCII.semicolon, depth == 0 {
                break
            }
            i += 1
        }

        var order: [String] = []
        var sections: [String: [Section]] = [:]
        var count = 0

        func skipCFWS() {
            while i < n {
                let b = input[i]
                if ASCII.isWhitespace(b) { i += 1; continue }
                if b == ASCII.openParen {
                    var d = 0
                    while i < n {
                        let c = input[i]
                        if c == ASCII.backslash { i += 2; continue }
                        if c == ASCII.openParen { d += 1 }
                        if c == ASCII.closeParen { d -= 1; if d == 0 { i += 1; break } }
                        i += 1
                    }
                    continue
                }
                break
            }
        }

        while i < n {
            // At ";" (or garbage): move past separators.
            if input[i] == ASCII.semicolon { i += 1 }
            skipCFWS()
            guard i < n else { break }
            if input[i] == ASCII.semicolon { continue }
            // attribute
            let nameStart = i
            while i < n, input[i] != ASCII.equals, input[i] != ASCII.semicolon, !ASCII.isWhitespace(input[i]),
                  input[i] != ASCII.openParen, input[i] != ASCII.quote { i += 1 }
            let attribute = input[nameStart..<i]
            skipCFWS()
            var value: [UInt8] = []
            if i < n, input[i] == ASCII.equals {
                i += 1
                skipCFWS()
                if i < n, input[i] == ASCII.quote {
                    i += 1
                    while i < n {
                        let b = input[i]
                        if b == ASCII.backslash, i + 1 < n { value.append(input[i + 1]); i += 2; continue }
                        if b == ASCII.quote { i += 1; break }
                        value.append(b)
                        i += 1
                    }
                } else {
                    let start = i
                    while i < n, input[i] != ASCII.semicolon, !ASCII.isWhitespace(input[i]), input[i] != ASCII.openParen {
                        i += 1
                    }
                    value = Array(input[start..<i])
                }
            }
            // Anything else up to the next ";" is garbage.
            while i < n, input[i] != ASCII.semicolon {
                if input[i] == ASCII.quote {
                    i += 1
                    while i < n, input[i] != ASCII.quote { if input[i] == ASCII.backslash { i += 1 }; i += 1 }
                }
                i += 1
            }
            guard !attribute.isEmpty, count < maximumParameters * 4 else { continue }
            count += 1
            // name [ "*" number ] [ "*" ]
            var nameBytes = Array(attribute.map(ASCII.lowercased))
            var extended = false
            var number: Int? = nil
            if nameBytes.last == ASCII.asterisk {
                extended = true
                nameBytes.removeLast()
            }
            if let star = nameBytes.lastIndex(of: ASCII.asterisk) {
                let digits = nameBytes[(star + 1)...]
                if !digits.isEmpty, digits.count <= 6, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    number = Int(String(decoding: digits, as: UTF8.self))
                    nameBytes.removeSubrange(star...)
                }
            }
            guard !nameBytes.isEmpty else { continue }
            let name = ASCII.string(nameBytes)
            if sections[name] == nil {
                guard order.count < maximumParameters else { continue }
                order.append(name)
                sections[name] = []
            }
            guard sections[name]!.count < maximumSections else { continue }
            sections[name]!.append(Section(number: number, extended: extended, bytes: value, order: count))
        }

        var result: [MIMEParameter] = []
        for name in order {
            guard let list = sections[name] else { continue }
            let rfc2231 = list.filter { $0.number != nil || $0.extended }
            if rfc2231.isEmpty {
                let first = list[0]
                result.append(MIMEParameter(name: name, value: ASCII.string(first.bytes), rawValue: first.bytes))
                continue
            }
            result.append(joinSections(name: name, rfc2231))
        }
        return result
    }

    /// RFC 2231 §3, §4: join the sections in number order (an unnumbered "name*" is section 0)
    /// and decode. A number seen twice: the first one counts.
    private static func joinSections(name: String, _ list: [Section]) -> MIMEParameter {
        var seen = Set<Int>()
        var ordered: [Section] = []
        for s in list.sorted(by: { ($0.number ?? 0, $0.order) < ($1.number ?? 0, $1.order) })
            where seen.insert(s.number ?? 0).inserted {
            ordered.append(s)
        }
        var charset: String? = nil
        var language: String? = nil
        var raw: [UInt8] = []
        for (index, s) in ordered.enumerated() {
            guard s.extended else { raw.append(contentsOf: s.bytes); continue }
            var text = s.bytes[...]
            if index == 0 {
                // charset "'" language "'" value
                if let q1 = text.firstIndex(of: ASCII.apostrophe),
                   let q2 = text[(q1 + 1)...].firstIndex(of: ASCII.apostrophe) {
                    let cs = text[text.startIndex..<q1]
                    let lang = text[(q1 + 1)..<q2]
                    if !cs.isEmpty { charset = ASCII.string(cs) }
                    if !lang.isEmpty { language = ASCII.string(lang) }
                    text = text[(q2 + 1)...]
                }
            }
            raw.append(contentsOf: percentDecode(text))
        }
        let value = Charset.decodeText(raw, charset: charset)
        return MIMEParameter(name: name, value: value, rawValue: raw, charset: charset, language: language)
    }

    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == ASCII.percent, i + 2 < bytes.endIndex,
               let hi = ASCII.hexValue(bytes[i + 1]), let lo = ASCII.hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }
}

extension Array where Element == MIMEParameter {
    /// The value of the first parameter named `name` (case-insensitive).
    public func value(of name: String) -> String? {
        let lower = name.lowercased()
        return first { $0.name == lower }?.value
    }

    /// The parameter named `name` (case-insensitive).
    public func parameter(_ name: String) -> MIMEParameter? {
        let lower = name.lowercased()
        return first { $0.name == lower }
    }
}
