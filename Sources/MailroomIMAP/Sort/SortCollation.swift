// SortCollation — the i;unicode-casemap collation key that SORT and THREAD compare strings by:
// every character titlecased, then decomposed, and the keys compared octet by octet.
//
// Standards: RFC 5256 §3 (strings are compared with the server's default comparator: RFC 5256
// names i;ascii-casemap, RFC 5255 §4 makes i;unicode-casemap the default of an I18N-aware
// server, and Dovecot uses it), RFC 5051 §2 (i;unicode-casemap: "(1) ... simple titlecase
// mapping ... (2) ... decomposition ... (3) ... compare as octet strings"), Unicode §3.12
// (Hangul syllables decompose arithmetically).
//
// As Dovecot's uni_utf8_to_decomposed_titlecase, which the imaptest SORT scripts were written
// against: "[xyz]" sorts before "_" because both are compared as "[XYZ]" and "_".
//   - Titlecase: the simple mapping, taken from the standard library's full mapping when that is
//     one scalar (a full mapping of several, "ß" → "Ss", is not a simple one: the scalar stays);
//   - decomposition: the NFKD table of SearchText (Latin, Greek, Cyrillic, Armenian ligatures,
//     half- and full-width forms) and Hangul syllables; other scripts stay as they are.
// XXX: like SearchText, the decomposition covers those ranges only (the standard library's
// normaliser is not public API). CJK ideographs have no decomposition; a voiced kana ("が",
// which Dovecot splits into "か" U+3099) keeps its own code point, which sorts right after its
// base too, so the order rarely differs from Dovecot's, though the keys do.
//
// Security: linear in the text; a key is at most 18 octets per input scalar.

enum SortCollation {
    /// The collation key of `text` (UTF-8 octets of its titlecased, decomposed form).
    static func key(_ text: some StringProtocol) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            appendKey(of: scalar, to: &out)
        }
        return out
    }

    /// The key of one scalar, appended to `out`.
    static func appendKey(of scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let v = scalar.value
        if v < 0x80 {
            out.append(v >= 0x61 && v <= 0x7A ? UInt8(v) - 0x20 : UInt8(v))
            return
        }
        let titled = titlecase(scalar)
        if titled.value >= hangulFirst && titled.value <= hangulLast {
            decomposeHangul(titled, to: &out)
        } else if let decomposed = SearchText.decompositions[titled.value] {
            for part in decomposed { UTF8.encode(part) { out.append($0) } }
        } else {
            UTF8.encode(titled) { out.append($0) }
        }
    }

    /// The simple titlecase mapping (RFC 5051 step 1).
    static func titlecase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let properties = scalar.properties
        guard properties.changesWhenTitlecased else { return scalar }
        let mapped = properties.titlecaseMapping.unicodeScalars
        guard mapped.count == 1, let only = mapped.first else { return scalar }
        return only
    }

    // Unicode §3.12: SBase, LBase, VBase, TBase, counts.
    static let hangulFirst: UInt32 = 0xAC00
    static let hangulLast: UInt32 = 0xD7A3

    static func decomposeHangul(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let index = scalar.value - hangulFirst
        let lead = 0x1100 + index / (21 * 28)
        let vowel = 0x1161 + (index % (21 * 28)) / 28
        let trail = index % 28
        for value in [lead, vowel] + (trail == 0 ? [] : [0x11A7 + trail]) {
            if let part = Unicode.Scalar(value) { UTF8.encode(part) { out.append($0) } }
        }
    }
}
