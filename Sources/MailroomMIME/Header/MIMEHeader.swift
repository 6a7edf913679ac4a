// MIMEHeader — a header block split into fields: where it ends, its fields in order, and
// case-insensitive lookup. Used for the message header and for every MIME part header.
//
// Standards: RFC 5322 §2.1 (header, then an empty line, then the body), §2.2 and §2.2.3
// (fields and folding), §4.5 (obsolete syntax: WSP before the colon); RFC 2045 §3 and RFC 2046
// §5.1.1 (a body part's header may be empty; "--boundary" CRLF CRLF starts a part with no
// fields).
//
// Public API:
//   MIMEHeader.parse(_ bytes: ArraySlice<UInt8>, maxFields:) -> MIMEHeader
//   MIMEHeader.parse(_ bytes: [UInt8], maxFields:) -> MIMEHeader
//   MIMEHeader.fields(in: ArraySlice<UInt8>, maxFields:) -> [HeaderField]   (no end search)
//   header.range, header.bodyStart, header.hasEmptyLine, header.fields
//   header.first(_ name:) -> HeaderField?, header.all(_ name:) -> [HeaderField]
//
// The header ends at the first empty line (LF or CRLF alone); that line belongs to the header
// (IMAP BODY[HEADER] includes it). Input without an empty line is all header. Lines ending in
// bare LF are accepted everywhere; a CR not followed by LF is an ordinary octet.
//
// Tolerance (as Dovecot's message-header-parser and mail clients): a line without a colon, or
// whose name has octets outside RFC 5322 ftext (an mbox "From " line, a stray body line), is
// skipped with the folded lines that follow it; a continuation line before any field is
// skipped; 8-bit octets in values are kept.
//
// Security: linear in the input (lines are found with memchr); at most `maxFields` fields are
// kept (MIMELimits.maxHeaderFields), the rest are skipped but still scanned for the end.

/// A header block.
public struct MIMEHeader: Sendable, Equatable {
    /// The fields in order (at most the limit given to `parse`).
    public var fields: [HeaderField]
    /// The header block, from its first octet through the empty line that ends it (if any).
    public var range: Range<Int>
    /// Where the body starts (`range.upperBound`).
    public var bodyStart: Int { range.upperBound }
    /// Whether an empty line ended the header (false: the input was all header, or a MIME
    /// boundary cut it short).
    public var hasEmptyLine: Bool

    public init(fields: [HeaderField], range: Range<Int>, hasEmptyLine: Bool) {
        self.fields = fields
        self.range = range
        self.hasEmptyLine = hasEmptyLine
    }

    /// The first field named `name` (ASCII case-insensitive).
    public func first(_ name: String) -> HeaderField? {
        fields.first { $0.hasName(name) }
    }

    /// Every field named `name`, in order.
    public func all(_ name: String) -> [HeaderField] {
        fields.filter { $0.hasName(name) }
    }

    /// Finds the end of the header that starts at `bytes.startIndex` and splits it into fields.
    public static func parse(_ bytes: ArraySlice<UInt8>,
                             maxFields: Int = MIMELimits.maxHeaderFieldsDefault) -> MIMEHeader {
        let (end, empty) = bytes.withUnsafeBufferPointer { buf -> (Int, Bool) in
            let (e, sawEmpty) = headerEnd(buf, from: 0, to: buf.count)
            return (e, sawEmpty)
        }
        let absoluteEnd = bytes.startIndex + end
        let fields = Self.fields(in: bytes[bytes.startIndex..<absoluteEnd], maxFields: maxFields)
        return MIMEHeader(fields: fields, range: bytes.startIndex..<absoluteEnd, hasEmptyLine: empty)
    }

    /// The same for a whole buffer.
    public static func parse(_ bytes: [UInt8], maxFields: Int = MIMELimits.maxHeaderFieldsDefault) -> MIMEHeader {
        parse(bytes[...], maxFields: maxFields)
    }

    /// Index (relative to `buf`) just after the empty line ending the header that starts at
    /// `from`, or `to` when there is none; and whether an empty line was found.
    static func headerEnd(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (Int, Bool) {
        var pos = from
        while pos < to {
            if buf[pos] == ASCII.lf { return (pos + 1, true) }
            if buf[pos] == ASCII.cr, pos + 1 < to, buf[pos + 1] == ASCII.lf { return (pos + 2, true) }
            guard let lf = buf.firstLF(from: pos, to: to) else { return (to, false) }
            pos = lf + 1
        }
        return (to, false)
    }

    /// Splits `bytes` (a header block, with or without its empty line) into fields.
    public static func fields(in bytes: ArraySlice<UInt8>,
                              maxFields: Int = MIMELimits.maxHeaderFieldsDefault) -> [HeaderField] {
        let base = bytes.startIndex
        return bytes.withUnsafeBufferPointer { buf -> [HeaderField] in
            var out: [HeaderField] = []
            var pos = 0
            let end = buf.count
            // The field being collected: start of its line, end of its name, colon position.
            var current: (start: Int, name: String, valueStart: Int)? = nil
            var currentEnd = 0        // end of the last line of the current field, line end excluded
            var currentRangeEnd = 0   // the same, line end included

            func flush() {
                if let c = current, out.count < maxFields {
                    out.append(HeaderField(name: c.name,
                                           rawValue: bytes[(base + c.valueStart)..<(base + max(c.valueStart, currentEnd))],
                                           range: (base + c.start)..<(base + currentRangeEnd)))
                }
                current = nil
            }

            while pos < end {
                let lf = buf.firstLF(from: pos, to: end)
                let lineEnd = lf.map { $0 + 1 } ?? end
                var contentEnd = lf ?? end
                if contentEnd > pos, lf != nil, buf[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
                if contentEnd == pos, lf != nil {
                    break   // the empty line: end of header
                }
                if ASCII.isWSP(buf[pos]) {
                    // Continuation of the current field (or of a skipped line).
                    if current != nil {
                        currentEnd = contentEnd
                        currentRangeEnd = lineEnd
                    }
                } else {
                    flush()
                    if out.count >= maxFields {
                        pos = lineEnd
                        continue
                    }
                    // name ":" — find the colon on this line.
                    var colon = -1
                    var i = pos
                    while i < contentEnd {
                        if buf[i] == ASCII.colon { colon = i; break }
                        i += 1
                    }
                    if colon > pos {
                        var nameEnd = colon
                        while nameEnd > pos, ASCII.isWSP(buf[nameEnd - 1]) { nameEnd -= 1 }
                        var valid = nameEnd > pos
                        var j = pos
                        while valid, j < nameEnd {
                            let b = buf[j]
                            if b < 33 || b > 126 { valid = false }
                            j += 1
                        }
                        if valid {
                            let name = String(decoding: UnsafeBufferPointer(rebasing: buf[pos..<nameEnd]), as: UTF8.self)
                            current = (pos, name, colon + 1)
                            currentEnd = contentEnd
                            currentRangeEnd = lineEnd
                        }
                    }
                }
                pos = lineEnd
            }
            flush()
            return out
        }
    }
}
