// MIMEMessage — a message split into its part tree, with the byte range of every header and
// body in the original octets, the MIME fields of each part, and CRLF-form sizes for IMAP.
//
// Standards: RFC 5322 §2.1 (header, empty line, body), RFC 2045 §5.2 (defaults), RFC 2046
// §5.1.1 (boundary delimiters: "--" boundary at the start of a line, optional trailing
// whitespace; "the CRLF preceding the boundary delimiter line is conceptually attached to the
// boundary"; the close delimiter "--" boundary "--"; preamble and epilogue are not parts),
// §5.1.5 (multipart/digest: body parts default to message/rfc822), §5.2.1 (message/rfc822),
// RFC 6532 §3.7 (message/global), RFC 3501 §6.4.5 (BODY[] sizes and sections, see
// MIMEMessage+Section.swift).
//
// Public API:
//   MIMEMessage.parse(_ bytes: [UInt8], limits: MIMELimits = .standard) -> MIMEMessage
//   message.bytes, message.parts (pre-order; parts[0] is the message), message.root
//   message.children(of:) -> [MIMEPart], message.parent(of:) -> MIMEPart?
//   message.crlfOctets(in: Range<Int>) -> Int
//
// How boundaries are found (as Dovecot's message-parser, so BODYSTRUCTURE and BODY[section]
// agree with the server most clients were tested against): one pass over the lines; a line is
// a delimiter when it starts with "--" followed by the boundary of any open multipart; the
// rest of the line is not checked (RFC 2046 §5.1.1: "Boundary string comparisons must compare
// the boundary value with the beginning of each candidate line. An exact match of the entire
// candidate line is not required"). When several open boundaries match, the
// longest wins, then the innermost. A delimiter of an outer multipart ends every part inside
// it. A close delimiter ends its multipart; what follows is epilogue. A boundary line met
// while a part's header is being read ends that header (the line end before it belongs to the
// delimiter). Data that ends before a close delimiter ends every open part. The line end
// before a delimiter belongs to the delimiter, so a body part's body does not end with it.
//
// Line ends: LF and CRLF are both line ends; sizes are reported as if every bare LF were CRLF
// (Maildir files usually have LF). A bare CR is an ordinary octet.
//
// Security: iterative (the parser keeps its own stack of open parts; the only nested call,
// closing a cut-short message/rfc822 part and its empty message, is one level deep); every
// line is looked at once for delimiters (memchr finds line ends) against at most
// `maxNestingDepth` open boundaries; size counting visits a byte once per enclosing level
// (≤ maxNestingDepth + 1). Parts past `maxParts` are not made:
// as Dovecot, delimiters are then no longer recognised and the rest stays in the body of the
// part being read. Deeper than `maxNestingDepth` a multipart or message/rfc822 is a leaf.
// Never traps on any input.

#if canImport(Glibc)
import Glibc
#endif

/// A parsed message.
public struct MIMEMessage: Sendable {
    /// The message octets the ranges refer to.
    public let bytes: [UInt8]
    /// Every node in pre-order; `parts[0]` is the message itself.
    public let parts: [MIMEPart]
    public let limits: MIMELimits

    public var root: MIMEPart { parts[0] }

    public func children(of part: MIMEPart) -> [MIMEPart] { part.children.map { parts[$0] } }
    public func parent(of part: MIMEPart) -> MIMEPart? { part.parent.map { parts[$0] } }

    /// The octets of `range` (clamped to the message).
    public func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range.clamped(to: 0..<bytes.count)] }

    /// Size of `range` if every bare LF in it were CRLF.
    public func crlfOctets(in range: Range<Int>) -> Int {
        let r = range.clamped(to: 0..<bytes.count)
        return bytes.withUnsafeBufferPointer { r.count + $0.lineEnds(in: r).bareLF }
    }

    public static func parse(_ bytes: [UInt8], limits: MIMELimits = .standard) -> MIMEMessage {
        var parser = MIMEParser(bytes: bytes, limits: limits)
        let parts = bytes.withUnsafeBufferPointer { parser.run($0) }
        return MIMEMessage(bytes: bytes, parts: parts, limits: limits)
    }
}

/// The single-pass parser behind MIMEMessage.parse.
struct MIMEParser {
    struct Frame {
        var part: Int
        var inHeader: Bool
        var boundary: [UInt8]?
        var isDigest: Bool
    }

    let bytes: [UInt8]
    let limits: MIMELimits
    var parts: [MIMEPart] = []
    var stack: [Frame] = []
    var activeBoundaries = 0

    init(bytes: [UInt8], limits: MIMELimits) {
        self.bytes = bytes
        self.limits = limits
    }

    var partLimitReached: Bool { parts.count >= max(1, limits.maxParts) }

    mutating func newPart(parent: Int?, depth: Int, role: MIMEPart.Role, headerStart: Int, defaultType: ContentType) -> Int {
        let index = parts.count
        parts.append(MIMEPart(index: index, parent: parent, depth: depth, role: role, headerStart: headerStart,
                              defaultType: defaultType))
        return index
    }

    mutating func run(_ buf: UnsafeBufferPointer<UInt8>) -> [MIMEPart] {
        let n = buf.count
        _ = newPart(parent: nil, depth: 0, role: .message, headerStart: 0, defaultType: .textPlainDefault)
        stack = [Frame(part: 0, inHeader: true, boundary: nil, isDigest: false)]
        var pos = 0
        while pos < n {
            let lf = buf.firstLF(from: pos, to: n)
            let lineEnd = lf.map { $0 + 1 } ?? n
            if activeBoundaries > 0, !partLimitReached, n - pos >= 2, buf[pos] == ASCII.hyphen, buf[pos + 1] == ASCII.hyphen {
                var contentEnd = lf ?? n
                if lf != nil, contentEnd > pos, buf[contentEnd - 1] == ASCII.cr { contentEnd -= 1 }
                if let (k, isClose) = matchBoundary(buf, from: pos + 2, to: contentEnd) {
                    delimiter(buf, frame: k, lineStart: pos, lineEnd: lineEnd, isClose: isClose)
                    pos = lineEnd
                    continue
                }
            }
            let top = stack.count - 1
            if stack[top].inHeader {
                if buf[pos] == ASCII.lf || (buf[pos] == ASCII.cr && pos + 1 < n && buf[pos + 1] == ASCII.lf) {
                    let end = buf[pos] == ASCII.lf ? pos + 1 : pos + 2
                    finishHeader(buf, frame: top, headerEnd: end, hasEmptyLine: true)
                    pos = end
                    continue
                }
                pos = lineEnd
                continue
            }
            if activeBoundaries == 0 {
                pos = n   // nothing can end the open parts before the end of the data
                break
            }
            pos = lineEnd
        }
        while !stack.isEmpty { closeTop(buf, at: n) }
        return parts
    }

    /// The stack index of the open multipart whose boundary the line `from..<to` (after "--")
    /// starts with: longest boundary first, then the innermost.
    func matchBoundary(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (Int, Bool)? {
        var best: Int? = nil
        var bestLength = -1
        let length = to - from
        var k = stack.count - 1
        while k >= 0 {
            if let b = stack[k].boundary, b.count <= length, b.count > bestLength {
                let same = b.withUnsafeBufferPointer { bb in
                    memcmp(bb.baseAddress!, buf.baseAddress! + from, b.count) == 0
                }
                if same {
                    best = k
                    bestLength = b.count
                }
            }
            k -= 1
        }
        guard let best else { return nil }
        let after = from + bestLength
        let isClose = to - after >= 2 && buf[after] == ASCII.hyphen && buf[after + 1] == ASCII.hyphen
        return (best, isClose)
    }

    /// A delimiter line of the multipart at stack index `k`.
    mutating func delimiter(_ buf: UnsafeBufferPointer<UInt8>, frame k: Int, lineStart: Int, lineEnd: Int, isClose: Bool) {
        // RFC 2046 §5.1.1: the line end before the delimiter belongs to it — unless that line
        // end is not in the innermost open part (it ended the previous delimiter line or the
        // part's header), as in Dovecot.
        var end = lineStart
        if end > 0, buf[end - 1] == ASCII.lf {
            end -= 1
            if end > 0, buf[end - 1] == ASCII.cr { end -= 1 }
        }
        let top = stack[stack.count - 1]
        let floor = top.inHeader ? parts[top.part].header.range.lowerBound : parts[top.part].bodyRange.lowerBound
        end = max(end, min(floor, lineStart))
        while stack.count - 1 > k { closeTop(buf, at: end) }
        if isClose {
            stack[k].boundary = nil
            activeBoundaries -= 1
            return
        }
        let parent = stack[k].part
        guard !partLimitReached else { return }
        let child = newPart(parent: parent, depth: parts[parent].depth + 1, role: .bodyPart, headerStart: lineEnd,
                            defaultType: stack[k].isDigest ? .messageRFC822Default : .textPlainDefault)
        if case .multipart(var c) = parts[parent].structure {
            c.append(child)
            parts[parent].structure = .multipart(children: c)
        }
        stack.append(Frame(part: child, inHeader: true, boundary: nil, isDigest: false))
    }

    /// The header of the part at stack index `k` ends at `headerEnd` (after the empty line
    /// when `hasEmptyLine`). Reads the MIME fields and decides how the body is read.
    mutating func finishHeader(_ buf: UnsafeBufferPointer<UInt8>, frame k: Int, headerEnd: Int, hasEmptyLine: Bool) {
        let index = stack[k].part
        let start = parts[index].header.range.lowerBound
        let range = start..<max(start, headerEnd)
        let fields = MIMEHeader.fields(in: bytes[range], maxFields: limits.maxHeaderFields)
        parts[index].header = MIMEHeader(fields: fields, range: range, hasEmptyLine: hasEmptyLine)
        parts[index].bodyRange = range.upperBound..<range.upperBound
        stack[k].inHeader = false
        applyFields(index)

        let canNest = parts[index].depth < limits.maxNestingDepth
        if parts[index].contentType.isMultipart {
            if canNest, let boundary = parts[index].contentType.boundary {
                parts[index].structure = .multipart(children: [])
                stack[k].boundary = boundary
                stack[k].isDigest = parts[index].contentType.subtype == "digest"
                activeBoundaries += 1
                return
            }
            // Dovecot: "multipart type but no message boundary" is not a multipart; it gets
            // the default type of its place.
            parts[index].contentType = defaultType(for: index)
        }
        let part = parts[index]
        if part.contentType.isMessage, canNest, !partLimitReached {
            let child = newPart(parent: index, depth: part.depth + 1, role: .message, headerStart: range.upperBound,
                                defaultType: .textPlainDefault)
            parts[index].structure = .message(child)
            stack.append(Frame(part: child, inHeader: true, boundary: nil, isDigest: false))
        }
    }

    func defaultType(for index: Int) -> ContentType {
        if let p = parts[index].parent, case .multipart = parts[p].structure,
           parts[p].contentType.subtype == "digest" {
            return .messageRFC822Default
        }
        return .textPlainDefault
    }

    mutating func applyFields(_ index: Int) {
        let header = parts[index].header
        if let f = header.first("Content-Type"), let ct = ContentType.parse(f.unfoldedValue) {
            parts[index].declaredContentType = ct
            parts[index].contentType = ct
        }
        if let f = header.first("Content-Transfer-Encoding") {
            parts[index].contentTransferEncoding = ContentTransferEncoding(headerValue: f.unfoldedValue)
        }
        parts[index].contentID = header.first("Content-ID")?.unfoldedValue
        parts[index].contentDescription = header.first("Content-Description")?.unfoldedValue
        parts[index].contentLocation = header.first("Content-Location")?.unfoldedValue
        parts[index].contentMD5 = header.first("Content-MD5")?.unfoldedValue
        if let f = header.first("Content-Disposition") {
            parts[index].contentDisposition = ContentDisposition.parse(f.unfoldedValue)
        }
        if let f = header.first("Content-Language") {
            parts[index].contentLanguage = Self.languageTags(f.unfoldedValue)
        }
    }

    /// RFC 3282 §2: Language-List = Language-Tag [CFWS] *("," [CFWS] Language-Tag [CFWS]).
    static func languageTags(_ value: [UInt8]) -> [String] {
        var tags: [String] = []
        var current: [UInt8] = []
        var depth = 0
        for b in value + [ASCII.comma] {
            if b == ASCII.openParen { depth += 1; continue }
            if b == ASCII.closeParen { depth = max(0, depth - 1); continue }
            if depth > 0 || ASCII.isWhitespace(b) { continue }
            if b == ASCII.comma {
                if !current.isEmpty, tags.count < 64 { tags.append(ASCII.string(current)) }
                current.removeAll()
                continue
            }
            current.append(b)
        }
        return tags
    }

    /// Closes the innermost open part at `end`.
    mutating func closeTop(_ buf: UnsafeBufferPointer<UInt8>, at end: Int) {
        let k = stack.count - 1
        let index = stack[k].part
        if stack[k].inHeader {
            // Header cut short by a delimiter or by the end of the data.
            finishHeader(buf, frame: k, headerEnd: end, hasEmptyLine: false)
            // A message/rfc822 part gets its (empty) message, closed right away.
            if stack.count - 1 > k { closeTop(buf, at: end) }
        }
        if stack[k].boundary != nil {
            stack[k].boundary = nil
            activeBoundaries -= 1
        }
        let bodyStart = parts[index].bodyRange.lowerBound
        parts[index].bodyRange = bodyStart..<max(bodyStart, end)
        let headerCounts = buf.lineEnds(in: parts[index].header.range)
        let bodyCounts = buf.lineEnds(in: parts[index].bodyRange)
        parts[index].headerOctets = parts[index].header.range.count + headerCounts.bareLF
        parts[index].bodyOctets = parts[index].bodyRange.count + bodyCounts.bareLF
        parts[index].bodyLines = bodyCounts.lines
        stack.removeLast()
    }
}
