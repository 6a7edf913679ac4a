// ContentType and ContentDisposition — the media type of a part and how it is to be shown.
//
// Standards: RFC 2045 §5.1 (content := "Content-Type" ":" type "/" subtype *(";" parameter);
// type and subtype are case-insensitive), §5.2 (a missing or invalid Content-Type means
// "text/plain; charset=us-ascii"), RFC 2046 §5.1.5 (in multipart/digest the default is
// message/rfc822; the parser applies that, see MIMEMessage), RFC 2183 §2 (disposition :=
// "Content-Disposition" ":" disposition-type *(";" disposition-parm)), RFC 2231 (parameters).
//
// Public API:
//   ContentType { type, subtype (lowercased), parameters: [MIMEParameter] }
//   ContentType.parse(_ value: some Collection<UInt8>) -> ContentType?   (nil: invalid)
//   ContentType.textPlainDefault, .messageRFC822Default
//   contentType.mediaType ("type/subtype"), .charset, .boundary (raw octets), .isMultipart,
//   .isMessage (message/rfc822 or message/global), .isText
//   ContentDisposition { type (lowercased), parameters }; ContentDisposition.parse(_:) -> ContentDisposition?
//
// Tolerance: comments and whitespace around the tokens; a type without "/subtype" is invalid
// (RFC 2045 §5.2 default applies), as Dovecot treats it. Type tokens end at whitespace, ";",
// "/" or "("; octets RFC 2045 forbids inside them are kept.

/// A parsed Content-Type.
public struct ContentType: Sendable, Equatable, Hashable {
    public var type: String
    public var subtype: String
    public var parameters: [MIMEParameter]

    public init(type: String, subtype: String, parameters: [MIMEParameter] = []) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// RFC 2045 §5.2.
    public static let textPlainDefault = ContentType(type: "text", subtype: "plain",
                                                     parameters: [MIMEParameter(name: "charset", value: "us-ascii")])
    /// RFC 2046 §5.1.5: the default inside multipart/digest.
    public static let messageRFC822Default = ContentType(type: "message", subtype: "rfc822")

    /// "type/subtype".
    public var mediaType: String { type + "/" + subtype }
    /// The charset parameter, if any.
    public var charset: String? { parameters.value(of: "charset") }
    /// The boundary parameter's octets (RFC 2046 §5.1.1), if any and not empty.
    public var boundary: [UInt8]? {
        guard let p = parameters.parameter("boundary"), !p.rawValue.isEmpty else { return nil }
        return p.rawValue
    }
    public var isMultipart: Bool { type == "multipart" }
    /// message/rfc822 or message/global (RFC 6532 §3.7): a part whose body is a message.
    public var isMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }
    public var isText: Bool { type == "text" }

    /// Parses a Content-Type field value (unfolded); nil when there is no valid type/subtype.
    public static func parse(_ value: some Collection<UInt8>) -> ContentType? {
        let input = Array(value)
        var i = 0
        func skipCFWS() {
            while i < input.count {
                if ASCII.isWhitespace(input[i]) { i += 1; continue }
                if input[i] == ASCII.openParen {
                    var depth = 0
                    while i < input.count {
                        let c = input[i]
                        if c == ASCII.backslash { i += 2; continue }
                        if c == ASCII.openParen { depth += 1 }
                        if c == ASCII.closeParen { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                    continue
                }
                break
            }
        }
        func token() -> [UInt8] {
            let start = i
            while i < input.count {
                let b = input[i]
                if ASCII.isWhitespace(b) || b == ASCII.semicolon || b == ASCII.slash || b == ASCII.openParen
                    || b == ASCII.quote || b < 0x20 { break }
                i += 1
            }
            return Array(input[start..<i])
        }
        skipCFWS()
        let type = token()
        skipCFWS()
        guard !type.isEmpty, i < input.count, input[i] == ASCII.slash else { return nil }
        i += 1
        skipCFWS()
        let subtype = token()
        guard !subtype.isEmpty else { return nil }
        return ContentType(type: ASCII.lowercasedString(type), subtype: ASCII.lowercasedString(subtype),
                           parameters: MIMEParameter.parseList(input[i...]))
    }
}

/// A parsed Content-Disposition (RFC 2183).
public struct ContentDisposition: Sendable, Equatable, Hashable {
    /// "inline", "attachment", or another value, lowercased.
    public var type: String
    public var parameters: [MIMEParameter]

    public init(type: String, parameters: [MIMEParameter] = []) {
        self.type = type.lowercased()
        self.parameters = parameters
    }

    /// The filename parameter (RFC 2183 §2.3), decoded.
    public var filename: String? { parameters.value(of: "filename") }

    /// Parses a field value; nil when there is no disposition type.
    public static func parse(_ value: some Collection<UInt8>) -> ContentDisposition? {
        let input = Array(value)
        var i = 0
        while i < input.count, ASCII.isWhitespace(input[i]) { i += 1 }
        let start = i
        while i < input.count, !ASCII.isWhitespace(input[i]), input[i] != ASCII.semicolon,
              input[i] != ASCII.openParen, input[i] != ASCII.quote { i += 1 }
        guard i > start else { return nil }
        return ContentDisposition(type: ASCII.lowercasedString(input[start..<i]),
                                  parameters: MIMEParameter.parseList(input[i...]))
    }
}
