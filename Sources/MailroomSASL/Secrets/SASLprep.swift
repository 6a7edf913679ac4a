// SASLprep — RFC 4013's profile of stringprep (RFC 3454) for user names and passwords, which
// RFC 5802 §2.2 applies to the password before SCRAM's Hi(): a client that prepares "ｐａｓｓ１"
// (full-width) or a password with a no-break space sends a proof for the prepared form, so the
// server derives its verifier from the same form.
//
// Steps (RFC 4013 §2): map non-ASCII spaces (C.1.2) to U+0020 and remove characters
// "commonly mapped to nothing" (B.1); normalise with NFKC; refuse prohibited output (C.1.2 —
// already mapped — C.2.1/C.2.2 controls, C.3 private use, C.4 non-characters, C.5 surrogates,
// C.6 inappropriate for plain text, C.7 ideographic description, C.8 display-changing and
// deprecated, C.9 tags); apply the bidirectional rule (RFC 3454 §6). Unassigned code points
// are allowed, as for a "query" (RFC 3454 §7): a stored password's characters may be newer
// than Unicode 3.2 and refusing them would lock their owners out.
//
// XXX: the standard library exposes no Bidi_Class, so the bidirectional rule uses the Hebrew,
// Arabic, Syriac, Thaana, N'Ko and related blocks for RandALCat and any other letter for LCat;
// a string mixing them, or starting or ending with a neutral while holding RandALCat, is
// refused. Exotic right-to-left scripts outside those blocks are treated as left-to-right.
// NFKC comes from Foundation (precomposedStringWithCompatibilityMapping).

import Foundation

public enum SASLprep {
    public enum Failure: Error, Sendable, Equatable {
        /// A prohibited code point (its value), after mapping and NFKC.
        case prohibited(UInt32)
        /// Right-to-left and left-to-right text mixed, or right-to-left text not at both ends.
        case bidirectional
    }

    /// The prepared form of `text`.
    public static func prepare(_ text: String) throws(Failure) -> String {
        var mapped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isMappedToNothing(scalar.value) { continue }
            mapped.append(isNonASCIISpace(scalar.value) ? " " : scalar)
        }
        let normalized = String(mapped).precomposedStringWithCompatibilityMapping
        var hasRandAL = false, hasL = false
        for scalar in normalized.unicodeScalars {
            if isProhibited(scalar) { throw .prohibited(scalar.value) }
            if isRandAL(scalar.value) {
                hasRandAL = true
            } else if scalar.properties.isAlphabetic {
                hasL = true
            }
        }
        if hasRandAL {
            let scalars = normalized.unicodeScalars
            guard !hasL, let first = scalars.first, let last = scalars.last, isRandAL(first.value), isRandAL(last.value) else {
                throw .bidirectional
            }
        }
        return normalized
    }

    /// The prepared form, or `text` unchanged when it cannot be prepared — for deriving secrets,
    /// where refusing would leave a password that no mechanism accepts.
    public static func prepareOrKeep(_ text: String) -> String {
        (try? prepare(text)) ?? text
    }

    /// RFC 3454 C.1.2.
    static func isNonASCIISpace(_ v: UInt32) -> Bool {
        v == 0x00A0 || v == 0x1680 || (0x2000...0x200B).contains(v) || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// RFC 3454 B.1.
    static func isMappedToNothing(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200B...0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF: true
        default: false
        }
    }

    /// RFC 4013 §2.3: C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9.
    static func isProhibited(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if isNonASCIISpace(v) { return true }                                  // C.1.2
        if v < 0x20 || v == 0x7F { return true }                               // C.2.1
        switch v {                                                              // C.2.2
        case 0x80...0x9F, 0x06DD, 0x070F, 0x180E, 0x200C, 0x200D, 0x2028, 0x2029, 0x2060...0x2063,
             0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC, 0x1D173...0x1D17A:
            return true
        default: break
        }
        switch v {
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD: return true   // C.3
        case 0xD800...0xDFFF: return true                                            // C.5
        case 0xFFF9...0xFFFD: return true                                            // C.6
        case 0x2FF0...0x2FFB: return true                                            // C.7
        case 0x0340, 0x0341, 0x200E, 0x200F, 0x202A...0x202E, 0x206A...0x206F: return true   // C.8
        case 0xE0001, 0xE0020...0xE007F: return true                                 // C.9
        default: break
        }
        return scalar.properties.isNoncharacterCodePoint                             // C.4
    }

    /// Right-to-left letters (approximating RFC 3454 D.1, see the note above).
    static func isRandAL(_ v: UInt32) -> Bool {
        switch v {
        case 0x05BE, 0x05C0, 0x05C3, 0x05D0...0x05F4, 0x0608, 0x060B, 0x060D, 0x061B...0x064A, 0x066D...0x066F,
             0x0671...0x06D5, 0x06E5, 0x06E6, 0x06EE, 0x06EF, 0x06FA...0x0710, 0x0712...0x072F, 0x074D...0x07A5,
             0x07B1, 0x07C0...0x07EA, 0x07F4, 0x07F5, 0x07FA, 0x0800...0x0815, 0x081A, 0x0824, 0x0828,
             0x0830...0x0858, 0x085E...0x08AC, 0xFB1D, 0xFB1F...0xFB28, 0xFB2A...0xFD3D, 0xFD50...0xFDFC,
             0xFE70...0xFEFC, 0x10800...0x10FFF, 0x1E800...0x1EFFF:
            true
        default:
            false
        }
    }
}
