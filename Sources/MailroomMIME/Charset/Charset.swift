// Charset — octets in a MIME charset to a Swift String, through glibc iconv.
//
// Standards: RFC 2045 §5.1 and RFC 2046 §4.1.2 (the charset parameter), RFC 2047 §2 and RFC
// 2231 §4 (charsets of encoded words and parameter values), RFC 2152 (UTF-7), RFC 1468
// (ISO-2022-JP), RFC 1557 (ISO-2022-KR), RFC 3629 (UTF-8). Names are matched
// case-insensitively (RFC 2046 §4.1.2) and may carry an RFC 2231 §5 "*language" suffix.
//
// Public API:
//   Charset.decode(_ bytes: some Collection<UInt8>, charset: String) -> String?
//       strict: nil for an unknown charset, an invalid or truncated sequence
//   Charset.decode(_ bytes:, charset:, replacingInvalid: true) -> String?
//       lenient: each undecodable octet becomes U+FFFD; nil only for an unknown charset
//   Charset.decodeText(_ bytes:, charset: String?, defaultCharset: String?) -> String
//       never fails: the declared charset, else valid UTF-8, else `defaultCharset`, else
//       ISO-8859-1 (the fallback of RFC 2047 words and of raw 8-bit header text)
//   Charset.canonicalName(_ name: String) -> String?  (the iconv names tried, first one)
//   Charset.isKnown(_ name: String) -> Bool
//   Charset.keepsASCII(_ label: String?) -> Bool
//       whether ASCII octets under `label` are those ASCII characters (nil: us-ascii)
//
// Aliases (what mail clients do; see ../shared/docs/swift-notes.md §3): GB2312, EUC-CN, GBK,
// X-GBK, CP936 → GB18030 (a superset, so mislabelled GBK mail decodes); BIG5 → BIG5-HKSCS,
// then CP950; KS_C_5601-1987 (unknown to glibc), EUC-KR → CP949 (UHC, a superset); SHIFT_JIS →
// CP932, then SHIFT_JIS; ISO-2022-JP → ISO-2022-JP, then ISO-2022-JP-2; US-ASCII and UTF-8 are
// decoded without iconv. After the input, iconv is called once more with no input so a
// stateful encoding (ISO-2022-JP) writes out its shift back to ASCII.
//
// Thread safety: every call opens its own iconv descriptor (iconv_t is not shareable), so
// decode may be called from any thread at once. glibc caches the loaded gconv modules itself.
//
// Security: a charset name is passed to iconv_open only when it is at most
// `maximumNameLength` octets of letters, digits and ".:_+-" (no "/", so no "//TRANSLIT" or
// "//IGNORE" suffix and no path). Output grows with the input only (at most 4 UTF-8 octets
// per input octet, plus the final shift).

#if canImport(Glibc)
import Glibc
#endif

public enum Charset {
    /// The longest charset name that is looked up (the longest IANA name is 45 octets).
    public static let maximumNameLength = 64

    /// Strict decoding: nil for an unknown charset or any invalid or truncated sequence.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String) -> String? {
        decode(bytes, charset: charset, replacingInvalid: false)
    }

    /// Decoding; with `replacingInvalid` each octet iconv cannot convert becomes U+FFFD and
    /// decoding goes on. nil only for an unknown charset (or, strict, invalid input).
    public static func decode(_ bytes: some Collection<UInt8>, charset: String, replacingInvalid: Bool) -> String? {
        guard let names = candidates(charset) else { return nil }
        let input = Array(bytes)
        if names == ["UTF-8"] {
            if let s = String(validating: input, as: UTF8.self) { return s }
            return replacingInvalid ? String(decoding: input, as: UTF8.self) : nil
        }
        if names == ["US-ASCII"] {
            if input.allSatisfy({ $0 < 0x80 }) { return String(decoding: input, as: UTF8.self) }
            if !replacingInvalid { return nil }
            return String(String.UnicodeScalarView(input.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        }
        var known = false
        // Strict first through every candidate (the later ones are supersets or variants),
        // then lenient with the first that opens.
        for name in names {
            switch iconvDecode(input, from: name, lenient: false) {
            case .unknownCharset: continue
            case .invalid: known = true
            case .ok(let s): return s
            }
        }
        guard known, replacingInvalid else { return nil }
        for name in names {
            if case .ok(let s) = iconvDecode(input, from: name, lenient: true) { return s }
        }
        return nil
    }

    /// Text that never fails to decode: `charset` (strict) when given and known, else valid
    /// UTF-8, else `defaultCharset` (strict), else `charset` with U+FFFD for bad octets, else
    /// ISO-8859-1 octet for octet.
    public static func decodeText(_ bytes: some Collection<UInt8>, charset: String?, defaultCharset: String? = nil) -> String {
        let input = Array(bytes)
        if let charset, let s = decode(input, charset: charset) { return s }
        if let s = String(validating: input, as: UTF8.self) { return s }
        if let defaultCharset, let s = decode(input, charset: defaultCharset) { return s }
        if let charset, let s = decode(input, charset: charset, replacingInvalid: true) { return s }
        return ASCII.latin1(input)
    }

    /// The iconv name `name` is decoded with first (after aliases), or nil when the name is
    /// refused or unknown.
    public static func canonicalName(_ name: String) -> String? {
        guard let names = candidates(name) else { return nil }
        if names == ["UTF-8"] || names == ["US-ASCII"] { return names[0] }
        for n in names where iconvOpens(n) { return n }
        return nil
    }

    /// Whether `name` names a charset that can be decoded.
    public static func isKnown(_ name: String) -> Bool { canonicalName(name) != nil }

    /// Whether text in `label` that is all ASCII octets decodes to those same characters, so
    /// its octets can be used as its UTF-8 text without decoding: US-ASCII (also for no
    /// label), UTF-8, the ISO-8859 and Windows code pages, KOI8, and the EUC, GB and Big5
    /// families, after the same aliases as decoding (`candidates`). Not the 7-bit encodings
    /// that spell other characters in ASCII (UTF-7, ISO-2022-*, HZ), nor Shift_JIS (whose 0x5C
    /// and 0x7E are yen sign and overline in JIS X 0201), nor unknown labels.
    public static func keepsASCII(_ label: String?) -> Bool {
        guard let label else { return true }
        guard let first = candidates(label)?.first else { return label.allSatisfy { $0 == " " || $0 == "\"" || $0 == "'" } }
        return ["US-ASCII", "UTF-8", "GB18030", "BIG5-HKSCS", "CP950", "CP949", "EUC-JP", "KOI8-R", "KOI8-U"].contains(first)
            || ["ISO-8859-", "ISO8859-", "WINDOWS-125", "CP125"].contains { first.hasPrefix($0) }
    }

    // MARK: - Names

    /// The iconv names to try for a MIME charset label, or nil when the label is refused.
    static func candidates(_ label: String) -> [String]? {
        var name = Substring(label)
        while let f = name.first, f == " " || f == "\t" || f == "\"" || f == "'" { name = name.dropFirst() }
        while let l = name.last, l == " " || l == "\t" || l == "\"" || l == "'" { name = name.dropLast() }
        // RFC 2231 §5: charset "*" language in encoded words.
        if let star = name.firstIndex(of: "*") { name = name[..<star] }
        guard !name.isEmpty, name.utf8.count <= maximumNameLength else { return nil }
        for b in name.utf8 {
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == ASCII.dot || b == ASCII.colon || b == ASCII.underscore || b == 0x2B || b == ASCII.hyphen
            if !ok { return nil }
        }
        let lower = name.lowercased()
        switch lower {
        case "utf-8", "utf8", "x-unicode20utf8", "unicode-1-1-utf-8":
            return ["UTF-8"]
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "csascii", "ansi_x3.4-1986", "iso-ir-6", "cp367", "ibm367":
            return ["US-ASCII"]
        case "gb2312", "euc-cn", "euccn", "x-euc-cn", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "gb_2312-80",
             "csgb2312", "chinese", "x-gb2312", "gb18030", "iso-ir-58", "csiso58gb231280":
            return ["GB18030"]
        case "big5", "x-big5", "cn-big5", "csbig5", "big-5", "big5-hkscs", "big5hkscs":
            return ["BIG5-HKSCS", "CP950", "BIG5"]
        case "cp950", "x-windows-950", "windows-950", "ms950":
            return ["CP950", "BIG5-HKSCS"]
        case "ks_c_5601-1987", "ks_c_5601", "ks_c_5601-1989", "ksc5601", "ksc_5601", "ks_c_5601_1987", "euc-kr", "euckr",
             "x-euc-kr", "cseuckr", "korean", "cp949", "uhc", "x-windows-949", "windows-949", "ms949", "iso-ir-149",
             "csksc56011987":
            return ["CP949", "EUC-KR"]
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932", "ms932",
             "x-ms-cp932", "shift_jisx0213":
            return ["CP932", "SHIFT_JIS", "SHIFT_JISX0213"]
        case "iso-2022-jp", "csiso2022jp", "jis", "iso2022jp":
            return ["ISO-2022-JP", "ISO-2022-JP-2", "ISO-2022-JP-3"]
        case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "ujis":
            return ["EUC-JP", "EUC-JP-MS"]
        case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode20utf7":
            return ["UTF-7"]
        case "latin1", "latin-1", "l1", "iso8859-1", "iso_8859-1", "iso-8859-1", "cp819", "ibm819", "iso-ir-100":
            return ["ISO-8859-1"]
        case "tis-620", "tis620", "iso-8859-11", "windows-874", "cp874":
            return ["CP874", "TIS-620"]
        default:
            // "unicode-1-1-utf-8"-style oddities aside, glibc knows the IANA names and many
            // aliases itself (KOI8-R, WINDOWS-125x, ISO-8859-x, ISO-2022-KR, ...).
            return [String(name).uppercased()]
        }
    }

    // MARK: - iconv

    enum Outcome { case ok(String), invalid, unknownCharset }

    static func iconvOpens(_ name: String) -> Bool {
        let cd = iconv_open("UTF-8", name)
        if Int(bitPattern: cd) == -1 { return false }
        iconv_close(cd)
        return true
    }

    /// Converts `input` from `name` to UTF-8. Lenient: an octet that cannot be converted (or a
    /// truncated sequence at the end) becomes U+FFFD and the conversion state is reset.
    static func iconvDecode(_ input: [UInt8], from name: String, lenient: Bool) -> Outcome {
        let cd = iconv_open("UTF-8", name)
        if Int(bitPattern: cd) == -1 { return .unknownCharset }
        defer { iconv_close(cd) }
        if input.isEmpty { return .ok("") }

        var output: [UInt8] = []
        output.reserveCapacity(input.count * 2 + 16)
        let chunk = max(256, input.count * 2 + 16)
        var scratch = [UInt8](repeating: 0, count: chunk)
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

        return input.withUnsafeBufferPointer { inBuf -> Outcome in
            var inOffset = 0
            while true {
                let flushing = inOffset >= inBuf.count
                let (consumed, produced, rc, err) = scratch.withUnsafeMutableBufferPointer { outBuf -> (Int, Int, Int, Int32) in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuf.count
                    if flushing {
                        // No input: write out the shift back to the initial state (ISO-2022-JP).
                        let r = iconv(cd, nil, nil, &outPtr, &outLeft)
                        return (0, outBuf.count - outLeft, r, r == -1 ? errno : 0)
                    }
                    var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer(
                        mutating: UnsafeRawPointer(inBuf.baseAddress! + inOffset).assumingMemoryBound(to: CChar.self))
                    var inLeft = inBuf.count - inOffset
                    let startLeft = inLeft
                    let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    return (startLeft - inLeft, outBuf.count - outLeft, r, r == -1 ? errno : 0)
                }
                output.append(contentsOf: scratch[0..<produced])
                inOffset += consumed
                if rc != -1 {
                    if flushing { break }
                    continue
                }
                if err == E2BIG { continue }
                if flushing { break }
                guard lenient, err == EILSEQ || err == EINVAL else { return .invalid }
                output.append(contentsOf: replacement)
                inOffset += 1
                _ = iconv(cd, nil, nil, nil, nil)   // back to the initial state
            }
            guard let s = String(validating: output, as: UTF8.self) else {
                return lenient ? .ok(String(decoding: output, as: UTF8.self)) : .invalid
            }
            return .ok(s)
        }
    }
}
