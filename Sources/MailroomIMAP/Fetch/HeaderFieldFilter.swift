// HeaderFieldFilter — the fields of a header that BODY[HEADER.FIELDS (...)] and
// BODY[HEADER.FIELDS.NOT (...)] select, as pieces of the stored message.
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5 ("HEADER.FIELDS ... a subset of the header.
// The subset returned by HEADER.FIELDS contains only those header fields with a field-name
// that matches one of the names in the list; similarly, the subset returned by
// HEADER.FIELDS.NOT contains only the header fields with a non-matching field-name. The
// field-matching is ASCII-case-insensitive but otherwise exact. ... the blank line between the
// header and the body is ... included in all header fetches"), RFC 5322 §2.2 (field = name ":"
// body; folding: a line starting with WSP continues the field before it), §4.5 (obs: WSP
// before the colon).
//
// As Dovecot's istream-header-filter: the chosen fields in their original order, each with its
// folded lines as stored, then the empty line CRLF, which is added even when the header has
// none (a message that is all header). A field whose last line has no line end (end of data)
// gets CRLF. A line that is not a field (no colon, a name with octets outside ftext, a
// continuation before any field) matches no name: HEADER.FIELDS.NOT keeps it, HEADER.FIELDS
// drops it. Every field is looked at, also past MIMELimits.maxHeaderFields.
//
// Security: one pass over the header (memchr finds line ends); each name is upper-cased into
// one reused buffer and looked up in a set, so time is linear in the header.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum HeaderFieldFilter {
    /// The pieces of `header` (a range of `bytes`, with or without its empty line) whose field
    /// names are in `names` (`exclude` false) or not in it (`exclude` true), then CRLF when
    /// `emptyLine`. `names` are compared ASCII-case-insensitively.
    static func select(_ bytes: [UInt8], header: Range<Int>, names: [String], exclude: Bool,
                       emptyLine: Bool = true) -> FetchOctets {
        let wanted = Set(names.map { Array($0.utf8).map(upper) })
        var result = FetchOctets()
        bytes.withUnsafeBufferPointer { buf in
            let end = min(header.upperBound, buf.count)
            var pos = max(0, header.lowerBound)
            var keepCurrent = exclude   // a continuation before any field: not a field
            var name: [UInt8] = []
            name.reserveCapacity(64)
            while pos < end {
                let lf = FetchOctets.firstLF(buf, from: pos, to: end)
                let lineEnd = lf.map { $0 + 1 } ?? end
                var contentEnd = lf ?? end
                if lf != nil, contentEnd > pos, buf[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                if lf != nil, contentEnd == pos { break }   // the empty line ends the header
                if buf[pos] != 0x20, buf[pos] != 0x09 {
                    // A new field (or a line that is not one).
                    name.removeAll(keepingCapacity: true)
                    keepCurrent = exclude
                    if let colon = firstColon(buf, from: pos, to: contentEnd) {
                        var nameEnd = colon
                        while nameEnd > pos, buf[nameEnd - 1] == 0x20 || buf[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                        var valid = nameEnd > pos
                        var i = pos
                        while valid, i < nameEnd {
                            let b = buf[i]
                            if b < 33 || b > 126 { valid = false } else { name.append(upper(b)) }
                            i += 1
                        }
                        if valid { keepCurrent = wanted.contains(name) != exclude }
                    }
                }
                if keepCurrent {
                    result.appendStored(pos..<lineEnd)
                    if lf == nil { result.append([0x0D, 0x0A]) }
                }
                pos = lineEnd
            }
        }
        if emptyLine { result.append([0x0D, 0x0A]) }
        return result
    }

    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { (b >= 0x61 && b <= 0x7A) ? b - 0x20 : b }

    static func firstColon(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard from < to, let base = buf.baseAddress else { return nil }
        guard let p = memchr(base + from, 0x3A, to - from) else { return nil }
        return base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }
}
