// DomainName — a validated, normalized hosted-domain name in both its A-label (ASCII) and
// U-label (Unicode) forms, e.g. "xn--fsqu00a.xn--fiqs8s" / "例子.中国".
//
// Standards:
// - RFC 1035 §2.3.1 (LDH labels) and §2.3.4 (63-octet labels); 253 octets in text form
//   (255 on the wire, RFC 1035 §3.1, less the length octets and root).
// - RFC 5890 §2.3.2.1 (LDH, A-labels, "--" in positions 3–4 reserved for "xn--").
// - RFC 5891 §4.2.3 / §5.4 (label checks: NFC, hyphens, no leading combining mark;
//   an A-label must decode, validate and re-encode to itself).
// - RFC 5892 §2 and Appendix A (code point categories and the CONTEXTO/CONTEXTJ rules), taken
//   from the standard library's Unicode properties rather than a copied table; see
//   `IDNA.check` for the approximations.
// - RFC 5895 §2 mappings: lower case, full-width ASCII to ASCII, NFC, ideographic and
//   full-width full stops (。．｡) to ".".
// - RFC 3696 §2: an all-numeric top-level label is refused, so IP addresses are not domains.
//
// XXX: the RFC 5893 Bidi rule is not checked (Swift exposes no Bidi_Class); labels mixing
// right-to-left and left-to-right text are accepted. ZWNJ/ZWJ are accepted only after a virama
// (the Joining_Type half of RFC 5892 A.1 needs data Swift does not expose), which refuses some
// legitimate Persian names.
//
// Security: input length is bounded before any per-label work (normalization, Punycode), so a
// long string costs linear time. Code points IDNA2008 disallows (symbols, compatibility forms,
// invisible and bidi-control characters) are refused, which removes most homograph tricks
// based on invisible characters; mixed-script look-alikes are not detected.

import Foundation  // String.precomposedStringWithCanonicalMapping (NFC) only

public struct DomainName: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// RFC 1035 §2.3.4: at most 63 octets per label (in ASCII form).
    public static let maximumLabelLength = 63
    /// RFC 1035 §3.1 (255 octets on the wire) less the length octets and root: 253 in text form.
    public static let maximumLength = 253

    /// Lower-case A-label form: "xn--fsqu00a.xn--fiqs8s".
    public let ascii: String
    /// NFC, lower-case U-label form: "例子.中国" (equal to `ascii` for pure-ASCII names).
    public let unicode: String

    public var description: String { ascii }

    /// Accepts either form (or mixed). IDNA2008-style processing: NFC, lowercase, full-width dot 。．｡ treated as '.', one trailing dot stripped,
    /// each label: 1..63 octets in ASCII form, letters/digits/hyphen for ASCII labels, no leading/trailing hyphen, "xn--" labels must decode
    /// and re-encode to the same form, no "--" in positions 3-4 except xn--; total ASCII length ≤ 253; at least two labels
    /// (a bare "localhost" is refused as a hosted domain); an all-numeric TLD is refused (so IP addresses are not domains).
    public init(_ input: String) throws(AddressError) {
        if let name = Self.plainASCII(input) {
            self.init(ascii: name, unicode: name)
        } else {
            try self.init(validating: input)
        }
    }

    private init(ascii: String, unicode: String) {
        self.ascii = ascii
        self.unicode = unicode
    }

    /// The general path: every mapping and check, and the error messages.
    init(validating input: String) throws(AddressError) {
        guard !input.isEmpty else { throw Self.error("domain is empty") }
        // Each scalar of a valid name yields at least one ASCII octet, and the mappings below
        // shrink input at most fourfold (NFC composition), so this bound only refuses names that
        // are certainly too long, before doing any non-linear work.
        guard input.unicodeScalars.count <= 4 * Self.maximumLength + 4 else {
            throw Self.error("domain is longer than \(Self.maximumLength) octets")
        }

        // Split on scalars, not Characters: "." followed by a combining mark is one Character.
        var name = Self.map(input).unicodeScalars
        if name.last == "." { name.removeLast() }  // one trailing dot: the root
        guard !name.isEmpty else { throw Self.error("domain is empty") }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map { String($0) }
        let quotedName = AddressError.quote(String(name))
        if labels[0].isEmpty { throw Self.error("domain \(quotedName) starts with '.'") }
        if labels.contains(where: \.isEmpty) {
            throw Self.error("domain \(quotedName) contains an empty label ('..')")
        }
        guard labels.count >= 2 else {
            throw Self.error("\(quotedName) has only one label; a hosted domain needs at least two, like example.com")
        }

        var asciiLabels: [String] = []
        var unicodeLabels: [String] = []
        for label in labels {
            let (a, u) = try Self.validate(label: label)
            asciiLabels.append(a)
            unicodeLabels.append(u)
        }

        let ascii = asciiLabels.joined(separator: ".")
        guard ascii.utf8.count <= Self.maximumLength else {
            throw Self.error("domain is longer than \(Self.maximumLength) octets (\(ascii.utf8.count) in ASCII form)")
        }
        // RFC 3696 §2: "a top-level domain name cannot be all-numeric".
        if let tld = asciiLabels.last, tld.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            throw Self.error("top-level label \(AddressError.quote(tld)) is all-numeric (an IP address is not a domain name)")
        }

        self.ascii = ascii
        self.unicode = unicodeLabels.joined(separator: ".")
    }

    public static func < (lhs: DomainName, rhs: DomainName) -> Bool { lhs.ascii < rhs.ascii }
    public static func == (lhs: DomainName, rhs: DomainName) -> Bool { lhs.ascii == rhs.ascii }
    public func hash(into hasher: inout Hasher) { hasher.combine(ascii) }

    // MARK: - Processing

    /// The lower-cased name when `input` is a plain LDH name that every check above accepts
    /// as it is — ASCII letters, digits, '-' and '.', at least two labels of 1–63 octets, no
    /// hyphen at either end of a label, no "--" in positions 3–4 (so no A-label), a TLD not all
    /// digits, at most 253 octets and one optional trailing dot; nil for anything else, which
    /// takes the general path. Nearly every name seen on the wire is one, and this skips the
    /// Unicode mapping, normalisation and per-label work (tests compare both paths).
    static func plainASCII(_ input: String) -> String? {
        var bytes = Array(input.utf8)
        if bytes.last == 0x2E { bytes.removeLast() }
        guard !bytes.isEmpty, bytes.count <= maximumLength else { return nil }
        var labels = 0, labelStart = 0, labelDigitsOnly = true, changed = false
        for i in 0...bytes.count {
            let b: UInt8 = i < bytes.count ? bytes[i] : 0x2E
            switch b {
            case 0x61...0x7A: labelDigitsOnly = false
            case 0x41...0x5A:
                bytes[i] = b + 0x20
                labelDigitsOnly = false
                changed = true
            case 0x30...0x39: break
            case 0x2D:
                guard i > labelStart else { return nil }   // leading hyphen
                if i == labelStart + 3, bytes[i - 1] == 0x2D { return nil }   // "--" in positions 3–4
                labelDigitsOnly = false
            case 0x2E:
                let length = i - labelStart
                guard length >= 1, length <= maximumLabelLength, bytes[i - 1] != 0x2D else { return nil }
                labels += 1
                if i == bytes.count, labelDigitsOnly { return nil }   // all-numeric TLD
                labelStart = i + 1
                labelDigitsOnly = true
            default:
                return nil
            }
        }
        guard labels >= 2 else { return nil }
        return changed || bytes.count != input.utf8.count ? String(decoding: bytes, as: UTF8.self) : input
    }

    private static func error(_ message: String) -> AddressError {
        AddressError(field: .domain, message: message)
    }

    /// RFC 5895 §2 mappings: full-width ASCII (U+FF01–U+FF5E, which includes "．") to ASCII,
    /// "。" and "｡" to ".", then Unicode lower case, then NFC.
    ///
    /// Cherokee is the one script whose case folding goes to upper case (Unicode 8), and
    /// IDNA2008 keeps the folded form, so Cherokee small letters are mapped back to capitals.
    private static func map(_ input: String) -> String {
        var widthMapped = String.UnicodeScalarView()
        for scalar in input.unicodeScalars {
            switch scalar.value {
            case 0x3002, 0xFF61:
                widthMapped.append(".")
            case 0xFF01...0xFF5E:
                widthMapped.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            default:
                widthMapped.append(scalar)
            }
        }
        var folded = String.UnicodeScalarView()
        for scalar in String(widthMapped).lowercased().unicodeScalars {
            switch scalar.value {
            case 0xAB70...0xABBF: folded.append(Unicode.Scalar(scalar.value - 0xAB70 + 0x13A0)!)
            case 0x13F8...0x13FD: folded.append(Unicode.Scalar(scalar.value - 8)!)
            default: folded.append(scalar)
            }
        }
        return String(folded).precomposedStringWithCanonicalMapping
    }

    /// Validates one mapped label; returns its (A-label or LDH, U-label or LDH) forms.
    private static func validate(label: String) throws(AddressError) -> (ascii: String, unicode: String) {
        let scalars = Array(label.unicodeScalars)
        let quoted = AddressError.quote(label)

        if scalars.allSatisfy(\.isASCII) {
            if label.utf8.count > maximumLabelLength {
                throw error("label \(quoted) is longer than \(maximumLabelLength) octets")
            }
            try checkLDH(scalars, quoted: quoted)
            if label.hasPrefix("xn--") {
                let unicode = try decodeALabel(label, quoted: quoted)
                return (label, unicode)
            }
            try checkHyphens34(scalars, quoted: quoted)
            return (label, label)
        }

        // A U-label (RFC 5891 §4.2.3). Every scalar costs at least one ASCII octet, so more
        // than 63 scalars is too long whatever the encoding gives.
        guard scalars.count <= maximumLabelLength else {
            throw error("label \(quoted) is longer than \(maximumLabelLength) octets in ASCII form")
        }
        try checkULabel(scalars, quoted: quoted)
        guard let encoded = Punycode.encode(label) else {
            throw error("label \(quoted) cannot be encoded as Punycode")
        }
        let aLabel = "xn--" + encoded
        guard aLabel.utf8.count <= maximumLabelLength else {
            throw error("label \(quoted) is longer than \(maximumLabelLength) octets in ASCII form (\(aLabel.utf8.count): \(aLabel))")
        }
        return (aLabel, label)
    }

    /// RFC 1035 §2.3.1 / RFC 5890 §2.3.1: letters, digits and hyphen; no hyphen at either end.
    private static func checkLDH(_ scalars: [Unicode.Scalar], quoted: String) throws(AddressError) {
        for scalar in scalars where !isLDH(scalar) {
            throw error("label \(quoted) contains \(AddressError.describe(scalar))")
        }
        try checkEndHyphens(scalars, quoted: quoted)
    }

    private static func checkEndHyphens(_ scalars: [Unicode.Scalar], quoted: String) throws(AddressError) {
        if scalars.first == "-" { throw error("label \(quoted) starts with '-'") }
        if scalars.last == "-" { throw error("label \(quoted) ends with '-'") }
    }

    /// RFC 5891 §4.2.3.1: "--" in the third and fourth positions is reserved (for "xn--").
    private static func checkHyphens34(_ scalars: [Unicode.Scalar], quoted: String) throws(AddressError) {
        if scalars.count >= 4, scalars[2] == "-", scalars[3] == "-" {
            throw error("label \(quoted) has '--' in positions 3 and 4, which is reserved for IDNA A-labels ('xn--')")
        }
    }

    private static func isLDH(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61...0x7A, 0x30...0x39, 0x2D: return true  // a-z 0-9 "-" (upper case is mapped away)
        default: return false
        }
    }

    /// RFC 5891 §5.4: an A-label must decode to a valid U-label that encodes back to it.
    private static func decodeALabel(_ label: String, quoted: String) throws(AddressError) -> String {
        let encoded = String(label.dropFirst(4))
        guard !encoded.isEmpty, let unicode = Punycode.decode(encoded) else {
            throw error("label \(quoted) is not valid Punycode")
        }
        let scalars = Array(unicode.unicodeScalars)
        if scalars.allSatisfy(\.isASCII) {
            throw error("label \(quoted) decodes to all-ASCII \(AddressError.quote(unicode)), which is not a valid A-label")
        }
        // The decoded form must already be mapped (lower case, NFC): IDNA2008 lookups do not map.
        // Compare scalars: String "==" treats canonically equivalent (non-NFC) text as equal.
        if !map(unicode).unicodeScalars.elementsEqual(unicode.unicodeScalars) {
            throw error("label \(quoted) decodes to \(AddressError.quote(unicode)), which is not in lower-case NFC form")
        }
        do {
            try checkULabel(scalars, quoted: AddressError.quote(unicode))
        } catch {
            throw Self.error("label \(quoted) decodes to an invalid label: \(error.message)")
        }
        guard Punycode.encode(unicode) == encoded else {
            throw error("label \(quoted) is not in canonical Punycode form (expected xn--\(Punycode.encode(unicode) ?? "?"))")
        }
        return unicode
    }

    /// RFC 5891 §4.2.3 and RFC 5892 checks on a U-label (already mapped).
    private static func checkULabel(_ scalars: [Unicode.Scalar], quoted: String) throws(AddressError) {
        try checkHyphens34(scalars, quoted: quoted)
        try checkEndHyphens(scalars, quoted: quoted)
        // RFC 5891 §4.2.3.2: a label must not begin with a combining mark.
        if let first = scalars.first, IDNA.isMark(first) {
            throw error("label \(quoted) starts with a combining mark (\(AddressError.describe(first)))")
        }
        for (index, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                guard isLDH(scalar) else { throw error("label \(quoted) contains \(AddressError.describe(scalar))") }
                continue
            }
            switch IDNA.check(scalar, at: index, in: scalars) {
            case .valid:
                continue
            case .unassigned:
                throw error("label \(quoted) contains unassigned code point U+\(AddressError.hex(scalar))")
            case .disallowed:
                throw error("label \(quoted) contains \(AddressError.describe(scalar)), which IDNA2008 does not allow in a domain name")
            case .contextFailed:
                throw error("label \(quoted) contains \(AddressError.describe(scalar)) where IDNA2008 does not allow it (RFC 5892 Appendix A)")
            }
        }
    }
}

// MARK: - IDNA2008 code point rules

extension DomainName {
    /// RFC 5892 derived properties, computed from the standard library's Unicode data.
    fileprivate enum IDNA {
        enum Verdict { case valid, disallowed, unassigned, contextFailed }

        static func isMark(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return true
            default: return false
            }
        }

        /// RFC 5892 §3 algorithm for a non-ASCII scalar, with its Appendix A context rules.
        static func check(_ scalar: Unicode.Scalar, at index: Int, in label: [Unicode.Scalar]) -> Verdict {
            let value = scalar.value
            let props = scalar.properties

            // §2.6 Exceptions (F).
            switch value {
            case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:  // PVALID (ß, ς, …)
                return .valid
            case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B:  // DISALLOWED
                return .disallowed
            case 0x00B7:  // A.3 MIDDLE DOT: only between two "l" (Catalan l·l)
                let ok = index > 0 && index + 1 < label.count && label[index - 1] == "l" && label[index + 1] == "l"
                return ok ? .valid : .contextFailed
            case 0x0375:  // A.4 GREEK KERAIA: followed by a Greek character
                return index + 1 < label.count && isGreek(label[index + 1]) ? .valid : .contextFailed
            case 0x05F3, 0x05F4:  // A.5/A.6 HEBREW GERESH/GERSHAYIM: preceded by a Hebrew character
                return index > 0 && isHebrew(label[index - 1]) ? .valid : .contextFailed
            case 0x30FB:  // A.7 KATAKANA MIDDLE DOT: label has Hiragana, Katakana or Han
                return label.contains { $0.value != 0x30FB && isHiraganaKatakanaHan($0) } ? .valid : .contextFailed
            case 0x0660...0x0669:  // A.8 ARABIC-INDIC DIGITS: not mixed with extended ones
                return label.contains { (0x06F0...0x06F9).contains($0.value) } ? .contextFailed : .valid
            case 0x06F0...0x06F9:  // A.9 EXTENDED ARABIC-INDIC DIGITS: not mixed with the others
                return label.contains { (0x0660...0x0669).contains($0.value) } ? .contextFailed : .valid
            default:
                break
            }

            // §2.9 Unassigned.
            if props.generalCategory == .unassigned || props.age == nil { return .unassigned }
            // §2.8 JoinControl → CONTEXTJ (A.1/A.2): only the virama half of the rules is checked.
            if value == 0x200C || value == 0x200D {
                return index > 0 && label[index - 1].properties.canonicalCombiningClass == .virama ? .valid : .contextFailed
            }
            // §2.2 Unstable: changes under NFKC + case folding (compatibility forms, upper case).
            if props.changesWhenNFKCCaseFolded { return .disallowed }
            // §2.3 IgnorableProperties.
            if props.isDefaultIgnorableCodePoint || props.isWhitespace || props.isNoncharacterCodePoint {
                return .disallowed
            }
            // §2.4 IgnorableBlocks: Combining Diacritical Marks for Symbols, Musical Symbols,
            // Ancient Greek Musical Notation.
            if (0x20D0...0x20FF).contains(value) || (0x1D100...0x1D24F).contains(value) { return .disallowed }
            // §2.5 OldHangulJamo (conjoining jamo L, V, T).
            if (0x1100...0x11FF).contains(value) || (0xA960...0xA97F).contains(value) || (0xD7B0...0xD7FF).contains(value) {
                return .disallowed
            }
            // §2.1 LetterDigits.
            switch props.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
                 .nonspacingMark, .spacingMark:
                return .valid
            default:
                return .disallowed
            }
        }

        private static func isGreek(_ s: Unicode.Scalar) -> Bool {
            (0x0370...0x03FF).contains(s.value) || (0x1F00...0x1FFF).contains(s.value)
        }

        private static func isHebrew(_ s: Unicode.Scalar) -> Bool {
            (0x0590...0x05FF).contains(s.value) || (0xFB1D...0xFB4F).contains(s.value)
        }

        /// Script=Hiragana, Katakana or Han, by block (Swift exposes no Script property).
        private static func isHiraganaKatakanaHan(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 0x3040...0x309F, 0x30A0...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE, 0x3300...0x3357,
                 0x1B000...0x1B16F,                                   // Hiragana, Katakana
                 0x2E80...0x2FDF, 0x3005, 0x3007, 0x3021...0x3029, 0x3038...0x303B,
                 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF:  // Han
                return true
            default:
                return false
            }
        }
    }
}
