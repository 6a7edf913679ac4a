// EncodedWord — RFC 2047 encoded words in header text decoded to a String, and the display
// text of a header field (unfolded and decoded) that IMAP SEARCH and the spam filter match.
//
// Standards: RFC 2047 §2 (encoded-word = "=?" charset "?" encoding "?" encoded-text "?="),
// §4.1 (B = base64), §4.2 (Q), §6.2 ("linear-white-space that separates a pair of adjacent
// encoded-words is ignored"), RFC 2231 §5 (charset "*" language), RFC 5322 §2.2.3 (unfolding),
// RFC 6532 §3.2 (raw UTF-8 in header fields).
//
// Public API:
//   EncodedWord.decode(_ bytes: some Collection<UInt8>, defaultCharset: String? = nil) -> String
//   EncodedWord.displayText(of field: HeaderField, defaultCharset: String? = nil) -> String
//
// Tolerance (what mail clients and Dovecot accept): encoded words are decoded wherever they
// appear, also glued to other text or inside quoted strings; the encoding letter may be either
// case; base64 text is decoded leniently; a word that does not parse, names an unknown
// charset, or has an unknown encoding stays as written. Adjacent words of the same charset are
// joined before conversion, so a multi-octet character split across two words (common with
// CJK subjects) decodes. Text outside encoded words: valid UTF-8 stays; otherwise
// `defaultCharset` if it converts; else ISO-8859-1.
//
// Security: linear: each "=?" is tried once; encoded-text may not contain "?" (RFC 2047 §2),
// so each stretch between two "?" is scanned by one candidate word at most and "=?=?=?..."
// cannot make decoding quadratic.
// Charset names go through Charset's name check.

public enum EncodedWord {
    /// The longest charset label of an encoded word that is tried.
    public static let maximumCharsetLength = Charset.maximumNameLength

    /// `bytes` (an unfolded header value) with its encoded words decoded.
    public static func decode(_ bytes: some Collection<UInt8>, defaultCharset: String? = nil) -> String {
        let input = Array(bytes)
        var result = ""
        var plainStart = 0                 // start of text not yet emitted
        var pendingCharset: String? = nil  // charset of the decoded octets held back
        var pendingBytes: [UInt8] = []

        func flushPending() {
            if let cs = pendingCharset {
                result += Charset.decode(pendingBytes, charset: cs, replacingInvalid: true) ?? ASCII.latin1(pendingBytes)
            }
            pendingCharset = nil
            pendingBytes.removeAll(keepingCapacity: true)
        }
        func emitPlain(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            flushPending()
            result += Charset.decodeText(input[range], charset: nil, defaultCharset: defaultCharset)
        }
        /// The "?=" ending encoded text that starts at `from`: encoded-text holds no "?"
        /// (RFC 2047 §2), so it is the first "?" after `from`, if "=" follows it.
        func terminator(from: Int) -> Int? {
            var i = from
            while i < input.count, input[i] != ASCII.question { i += 1 }
            guard i + 1 < input.count, input[i + 1] == ASCII.equals else { return nil }
            return i
        }

        var i = 0
        let n = input.count
        while i + 1 < n {
            guard input[i] == ASCII.equals, input[i + 1] == ASCII.question else { i += 1; continue }
            // charset
            var j = i + 2
            while j < n, j - (i + 2) <= maximumCharsetLength, input[j] != ASCII.question,
                  !ASCII.isWhitespace(input[j]) { j += 1 }
            guard j < n, input[j] == ASCII.question, j > i + 2, j + 2 < n, input[j + 2] == ASCII.question else {
                i += 2
                continue
            }
            let charset = String(decoding: input[(i + 2)..<j], as: UTF8.self)
            let encoding = ASCII.lowercased(input[j + 1])
            let textStart = j + 3
            guard encoding == UInt8(ascii: "b") || encoding == UInt8(ascii: "q"),
                  let end = terminator(from: textStart),
                  !input[textStart..<end].contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }),
                  Charset.candidates(charset) != nil
            else {
                i += 2
                continue
            }
            let text = input[textStart..<end]
            let decoded = encoding == UInt8(ascii: "b") ? TransferDecoding.base64(text) : TransferDecoding.qEncoding(text)
            guard Charset.isKnown(charset) else {
                i += 2
                continue
            }
            // Text between the previous word and this one: dropped when it is only whitespace
            // and a word came right before it (RFC 2047 §6.2).
            let between = input[plainStart..<i]
            let onlyWhitespace = between.allSatisfy(ASCII.isWhitespace)
            if !(pendingCharset != nil && onlyWhitespace) {
                emitPlain(plainStart..<i)
            }
            let key = charsetKey(charset)
            if pendingCharset != nil, charsetKey(pendingCharset!) != key { flushPending() }
            pendingCharset = charset
            pendingBytes.append(contentsOf: decoded)
            i = end + 2
            plainStart = i
        }
        emitPlain(plainStart..<n)
        flushPending()
        return result
    }

    /// RFC 5322 unfolding and RFC 2047 decoding of a field's value: the text SEARCH matches.
    public static func displayText(of field: HeaderField, defaultCharset: String? = nil) -> String {
        decode(field.unfoldedValue, defaultCharset: defaultCharset)
    }

    private static func charsetKey(_ label: String) -> String {
        var s = Substring(label)
        if let star = s.firstIndex(of: "*") { s = s[..<star] }
        return s.lowercased()
    }
}
