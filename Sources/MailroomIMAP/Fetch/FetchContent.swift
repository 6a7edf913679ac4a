// FetchContent — the data of the FETCH body items of one message: BODY[section]<partial>,
// BODY.PEEK, RFC822, RFC822.HEADER, RFC822.TEXT, BINARY[part]<partial>, BINARY.PEEK and
// BINARY.SIZE, and whether a FETCH sets \Seen. Pure: it reads a parsed message (MailroomMIME)
// and returns octets or FetchResponseItem values; the server does the I/O.
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5 (section specifiers: "[]" the whole message;
// HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT of the message or, after a part number, of a
// MESSAGE/RFC822 part's message; MIME the part's MIME header; "Every message has at least one
// part number"; "<origin.octets>": "If the starting octet is beyond the end of the text, an
// empty string is returned"; RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT =
// BODY[TEXT]; BODY[...] and BINARY[...] set \Seen, the .PEEK forms do not), RFC 3501 §7.4.2 /
// RFC 9051 §7.5.2 (the response names the section as requested and, for a partial, only
// "<origin>"), RFC 3516 §4 (BINARY, BINARY.PEEK, BINARY.SIZE, literal8 for data with NUL,
// UNKNOWN-CTE), RFC 3501 §6.3.2 (EXAMINE: read-only, so no \Seen).
//
// Public API:
//   FetchContent.section(_ message:, _ spec:) -> [UInt8]?
//   FetchContent.section(_ message:, _ spec:, partial:) -> [UInt8]?
//   FetchContent.sectionSize(_ message:, _ spec:) -> Int?
//   FetchContent.binary(_ message:, part:, partial:) throws(FetchContentError) -> BinaryContent
//   FetchContent.binarySize(_ message:, part:) throws(FetchContentError) -> UInt64
//   FetchContent.responseItem(for:, of:) throws(FetchContentError) -> FetchResponseItem?
//   FetchContent.setsSeen(_ attributes:, readOnly:) -> Bool
//   FetchContent.slice(_ data:, _ partial:) -> [UInt8]
//   BinaryContent (data, needsLiteral8), FetchContentError (.unknownTransferEncoding → NO
//   [UNKNOWN-CTE], `responseCode`)
//
// Output is always in CRLF form: a bare LF of the stored message is sent as CRLF, an existing
// CRLF as it is, so BODY[] is RFC822.SIZE octets and BODY[n] is BODYSTRUCTURE's size for n
// (MailroomMIME counts the same way). Body data has NUL made 0x80, as Dovecot does, since a
// literal may not hold NUL (RFC 3501 §9 CHAR8); BINARY data keeps NUL and asks for literal8.
//
// Sections that do not exist (answered as Dovecot does, which imaptest's scripts were written
// against): a part number past the parts, HEADER / TEXT / HEADER.FIELDS after a part that is
// not message/rfc822, a part under a leaf: the empty string, not NIL and not an error. The
// only nil is MIME without a part number, which the grammar does not allow.
//
// Configuration: none. The nesting bound is MailroomMIME's (MIMELimits, given to
// MIMEMessage.parse from the server's configuration).
//
// Security: every function is linear in the message size (pieces are found through the
// parsed part tree and copied once, clipped to the partial window); the part tree is walked
// with loops, so no recursion grows with the input (MailroomMIME bounds the nesting at
// MIMELimits.maxNestingDepth). Partial arithmetic is done in Int from UInt32 values.

import MailroomMIME

/// What BINARY[part] sends.
public struct BinaryContent: Sendable, Equatable {
    /// The decoded octets (partial window applied).
    public var data: [UInt8]
    /// Whether the data holds NUL, so it must go out as literal8 "~{n}" (RFC 3516 §4.3).
    public var needsLiteral8: Bool

    public init(data: [UInt8], needsLiteral8: Bool) {
        self.data = data
        self.needsLiteral8 = needsLiteral8
    }
}

/// Why a FETCH body item cannot be answered.
public enum FetchContentError: Error, Sendable, Equatable {
    /// BINARY of a part whose Content-Transfer-Encoding is not known (the name, lowercased).
    case unknownTransferEncoding(String)

    /// The code of the tagged NO (RFC 3516 §4.3: "NO [UNKNOWN-CTE]").
    public var responseCode: ResponseCode {
        switch self {
        case .unknownTransferEncoding: .unknownCTE
        }
    }
}

public enum FetchContent {
    /// The octet that stands for NUL in BODY data (Dovecot's choice).
    public static let nulReplacement: UInt8 = 0x80

    // MARK: BODY[section]

    /// The octets BODY[`spec`] sends (CRLF form, NUL made 0x80); empty for a section that does
    /// not exist; nil only for MIME without a part number.
    public static func section(_ message: MIMEMessage, _ spec: SectionSpecifier) -> [UInt8]? {
        section(message, spec, partial: nil)
    }

    /// The same, only the octets `partial` selects.
    public static func section(_ message: MIMEMessage, _ spec: SectionSpecifier, partial: Partial?) -> [UInt8]? {
        guard let octets = sectionOctets(message, spec) else { return nil }
        return octets.bytes(in: message.bytes, window: partial?.window, replacingNUL: nulReplacement)
    }

    /// The size of BODY[`spec`] without copying it.
    public static func sectionSize(_ message: MIMEMessage, _ spec: SectionSpecifier) -> Int? {
        sectionOctets(message, spec)?.count(in: message.bytes)
    }

    static func sectionOctets(_ message: MIMEMessage, _ spec: SectionSpecifier) -> FetchOctets? {
        if spec.kind == .mime, spec.part.isEmpty { return nil }
        guard let path = path(spec.part) else { return .empty }
        func stored(_ range: Range<Int>?) -> FetchOctets {
            guard let range else { return .empty }
            return FetchOctets([.stored(range)])
        }
        switch spec.kind {
        case .complete: return stored(message.range(of: path))
        case .header: return stored(message.range(of: path, .header))
        case .text: return stored(message.range(of: path, .text))
        case .mime: return stored(message.range(of: path, .mime))
        case .headerFields(let names), .headerFieldsNot(let names):
            guard let inner = message.message(at: path) else { return .empty }
            var exclude = false
            if case .headerFieldsNot = spec.kind { exclude = true }
            return HeaderFieldFilter.select(message.bytes, header: inner.headerRange, names: names, exclude: exclude)
        }
    }

    /// Part numbers as MailroomMIME takes them; nil when one is 0 (no such part).
    static func path(_ part: [UInt32]) -> [Int]? {
        guard !part.contains(0) else { return nil }
        return part.map { Int($0) }
    }

    // MARK: BINARY[part]

    /// BINARY[`part`]<`partial`>: the part with its transfer encoding removed ([] is the whole
    /// message, header included). Empty for a part that does not exist.
    public static func binary(_ message: MIMEMessage, part: [UInt32], partial: Partial? = nil)
        throws(FetchContentError) -> BinaryContent {
        guard let octets = try binaryOctets(message, part: part) else { return BinaryContent(data: [], needsLiteral8: false) }
        let data = octets.bytes(in: message.bytes, window: partial?.window)
        return BinaryContent(data: data, needsLiteral8: data.contains(0))
    }

    /// BINARY.SIZE[`part`]: the size of the whole (not partial) BINARY[`part`] data.
    public static func binarySize(_ message: MIMEMessage, part: [UInt32]) throws(FetchContentError) -> UInt64 {
        guard let octets = try binaryOctets(message, part: part) else { return 0 }
        return UInt64(octets.count(in: message.bytes))
    }

    static func binaryOctets(_ message: MIMEMessage, part: [UInt32]) throws(FetchContentError) -> FetchOctets? {
        guard let path = path(part), let node = message.part(at: path) else { return nil }
        return try BinaryConversion.octets(message, part: node.index, includeHeader: path.isEmpty)
    }

    // MARK: Partial

    /// The octets of `data` that "<origin.length>" selects (all of it for nil).
    public static func slice(_ data: [UInt8], _ partial: Partial?) -> [UInt8] {
        guard let partial else { return data }
        let window = partial.window.clamped(to: 0..<data.count)
        return Array(data[window])
    }

    // MARK: Response items

    /// The response item for a body attribute (BODY[...], BODY.PEEK[...], RFC822,
    /// RFC822.HEADER, RFC822.TEXT, BINARY[...], BINARY.PEEK[...], BINARY.SIZE[...]) of
    /// `message`; nil for any other attribute (FLAGS, UID, ENVELOPE... are not data of the
    /// message body). The section is echoed as requested (HEADER.FIELDS names as the grammar
    /// keeps them, upper-cased; RFC 3501 compares them case-insensitively), a partial as
    /// "<origin>" only.
    public static func responseItem(for attribute: FetchAttribute, of message: MIMEMessage)
        throws(FetchContentError) -> FetchResponseItem? {
        switch attribute {
        case .rfc822:
            return .rfc822(section(message, .complete))
        case .rfc822Header:
            return .rfc822Header(section(message, .header))
        case .rfc822Text:
            return .rfc822Text(section(message, .text))
        case .bodySection(let spec, let partial, _):
            return .bodySection(spec, origin: partial?.origin, data: section(message, spec, partial: partial))
        case .binary(let part, let partial, _):
            let content = try binary(message, part: part, partial: partial)
            return .binary(part: part, origin: partial?.origin, data: content.data)
        case .binarySize(let part):
            return .binarySize(part: part, try binarySize(message, part: part))
        default:
            return nil
        }
    }

    // MARK: \Seen

    /// Whether fetching `attributes` sets \Seen: BODY[...], BINARY[...], RFC822 or RFC822.TEXT
    /// without .PEEK (FetchAttribute.setsSeen), unless the mailbox is read-only (EXAMINE).
    public static func setsSeen(_ attributes: [FetchAttribute], readOnly: Bool) -> Bool {
        !readOnly && attributes.contains { $0.setsSeen }
    }
}
