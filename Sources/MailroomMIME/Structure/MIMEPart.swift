// MIMEPart — one node of a message's part tree: the message itself, a body part of a
// multipart, or the message inside a message/rfc822 part. Nodes live in one flat array
// (MIMEMessage.parts, in pre-order) and refer to each other by index, so no structure is
// recursive and a deep tree costs no stack to build, copy or free.
//
// Standards: RFC 2045 §5–§9 (Content-Type, Content-Transfer-Encoding, Content-ID,
// Content-Description), RFC 2046 §5.1 (multipart, body parts), §5.2.1 (message/rfc822), RFC
// 2183 (Content-Disposition), RFC 3282 (Content-Language), RFC 2557 §4 (Content-Location),
// RFC 1864 (Content-MD5), RFC 3501 §7.4.2 and RFC 9051 §7.5.2 (BODYSTRUCTURE sizes: octets and
// lines of the body as sent, that is with CRLF line ends).
//
// Public API (all read-only):
//   MIMEPart.index, .parent, .depth, .role (.message / .bodyPart), .structure
//     (.single / .multipart(children:) / .message(Int)), .children, .embeddedMessage
//   .header: MIMEHeader, .headerRange, .bodyRange, .range (header and body)
//   .contentType (effective, defaults applied), .declaredContentType (as written, if valid)
//   .contentTransferEncoding, .contentID, .contentDescription, .contentDisposition,
//   .contentLanguage, .contentLocation, .contentMD5 (raw unfolded octets where IMAP sends them
//   as they are)
//   .headerOctets, .bodyOctets, .bodyLines   (CRLF form: each bare LF counts as CRLF)
//
// Effective type (as Dovecot's message-parser): no or invalid Content-Type → text/plain;
// charset=us-ascii, or message/rfc822 for a body part of multipart/digest; a multipart without
// a boundary parameter, or nested deeper than MIMELimits.maxNestingDepth, is a single text part
// with that same default (its declared type stays in `declaredContentType`). A multipart whose
// boundary never appears has no children: Dovecot's BODYSTRUCTURE writes a single empty
// `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)` child for it, and so should
// the IMAP layer. A message/rfc822 part past the depth or part limit is `.single`.

/// One node of the part tree.
public struct MIMEPart: Sendable, Equatable {
    /// What a node is to its parent.
    public enum Role: Sendable, Equatable {
        /// The message, or the message in the body of a message/rfc822 part: its header is
        /// a message header (ENVELOPE, BODY[HEADER]).
        case message
        /// A body part of a multipart (RFC 2046 §5.1): its header is a MIME header
        /// (BODY[n.MIME]).
        case bodyPart
    }

    /// What the body holds.
    public enum Structure: Sendable, Equatable {
        /// Content octets (also a multipart or message part that was not parsed as one).
        case single
        /// Body parts, as indices into MIMEMessage.parts, in order.
        case multipart(children: [Int])
        /// A message/rfc822 (or message/global) part: the index of the message in its body.
        case message(Int)
    }

    public let index: Int
    public let parent: Int?
    /// 0 for the message; one more for each multipart or message/rfc822 level.
    public let depth: Int
    public let role: Role
    public internal(set) var structure: Structure

    public internal(set) var header: MIMEHeader
    public internal(set) var bodyRange: Range<Int>

    public internal(set) var contentType: ContentType
    public internal(set) var declaredContentType: ContentType?
    public internal(set) var contentTransferEncoding: ContentTransferEncoding
    public internal(set) var contentID: [UInt8]?
    public internal(set) var contentDescription: [UInt8]?
    public internal(set) var contentDisposition: ContentDisposition?
    public internal(set) var contentLanguage: [String]
    public internal(set) var contentLocation: [UInt8]?
    public internal(set) var contentMD5: [UInt8]?

    /// Header size in octets with CRLF line ends (the empty line included when present).
    public internal(set) var headerOctets: Int
    /// Body size in octets with CRLF line ends (RFC 3501 body-fld-octets).
    public internal(set) var bodyOctets: Int
    /// Number of line ends in the body (RFC 3501 body-fld-lines; as Dovecot, LF octets).
    public internal(set) var bodyLines: Int

    init(index: Int, parent: Int?, depth: Int, role: Role, headerStart: Int, defaultType: ContentType) {
        self.index = index
        self.parent = parent
        self.depth = depth
        self.role = role
        self.structure = .single
        self.header = MIMEHeader(fields: [], range: headerStart..<headerStart, hasEmptyLine: false)
        self.bodyRange = headerStart..<headerStart
        self.contentType = defaultType
        self.declaredContentType = nil
        self.contentTransferEncoding = .sevenBit
        self.contentLanguage = []
        self.headerOctets = 0
        self.bodyOctets = 0
        self.bodyLines = 0
    }

    public var headerRange: Range<Int> { header.range }
    /// Header and body together.
    public var range: Range<Int> { header.range.lowerBound..<max(header.range.upperBound, bodyRange.upperBound) }

    /// Indices of the body parts of a multipart; empty otherwise.
    public var children: [Int] {
        if case .multipart(let c) = structure { return c }
        return []
    }

    /// Index of the message in a message/rfc822 part's body.
    public var embeddedMessage: Int? {
        if case .message(let m) = structure { return m }
        return nil
    }

    public var isMultipart: Bool {
        if case .multipart = structure { return true }
        return false
    }
}
