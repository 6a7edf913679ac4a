// HeaderField — one header field of a message or MIME part: its name, its value as written
// (folding kept) and where it lies in the message, with the unfolded value derived from it.
//
// Standards: RFC 5322 §2.2 (field = name ":" body), §2.2.3 (unfolding: remove each CRLF that
// is followed by WSP), §4.5 (obs-optional: WSP allowed between the name and the colon), RFC
// 6532 §3.2 (UTF-8 in field bodies).
//
// Public API:
//   HeaderField.name: String          — the name as written, without trailing WSP
//   HeaderField.rawValue: ArraySlice<UInt8> — octets after the colon up to the field's last
//                                        line end (excluded), folding line ends kept
//   HeaderField.range: Range<Int>     — the whole field with its last line end, as indices
//                                        of the parsed bytes
//   HeaderField.unfoldedValue: [UInt8] — rawValue unfolded, outer WSP trimmed
//   HeaderField.hasName(_:) -> Bool   — case-insensitive name comparison
//
// Security: a field is a view on the parsed buffer; nothing is copied until `unfoldedValue`.

/// One header field.
public struct HeaderField: Sendable, Equatable {
    /// The field name as written (RFC 5322 ftext), without the WSP obs-syntax allows before
    /// the colon.
    public let name: String
    /// The field body as written: everything after the colon up to the final line end of the
    /// field, folding line ends kept; indices are those of the parsed buffer.
    public let rawValue: ArraySlice<UInt8>
    /// The whole field, name through its last line end (if any).
    public let range: Range<Int>

    public init(name: String, rawValue: ArraySlice<UInt8>, range: Range<Int>) {
        self.name = name
        self.rawValue = rawValue
        self.range = range
    }

    /// RFC 5322 §2.2.3: the value with each line end (CRLF, or a bare LF) removed and leading
    /// and trailing WSP trimmed. A CR that is not before a LF is kept as an ordinary octet.
    public var unfoldedValue: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rawValue.count)
        var i = rawValue.startIndex
        let end = rawValue.endIndex
        while i < end {
            let b = rawValue[i]
            if b == ASCII.lf {
                i += 1
                continue
            }
            if b == ASCII.cr, i + 1 < end, rawValue[i + 1] == ASCII.lf {
                i += 2
                continue
            }
            out.append(b)
            i += 1
        }
        var lo = 0, hi = out.count
        while lo < hi, ASCII.isWSP(out[lo]) { lo += 1 }
        while hi > lo, ASCII.isWSP(out[hi - 1]) || out[hi - 1] == ASCII.cr { hi -= 1 }
        if lo == 0, hi == out.count { return out }
        return Array(out[lo..<hi])
    }

    /// Whether this field's name is `other`, ignoring ASCII case (RFC 5322 §1.2.2).
    public func hasName(_ other: String) -> Bool {
        ASCII.equalsIgnoringCase(name.utf8, other)
    }
}
