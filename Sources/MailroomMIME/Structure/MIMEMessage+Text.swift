// MIMEMessage+Text — a part's content as octets (transfer encoding removed) and as text
// (charset applied), for IMAP SEARCH BODY/TEXT and the spam filter.
//
// Standards: RFC 2045 §6 (transfer encodings), RFC 2046 §4.1.2 (charset; us-ascii default),
// RFC 3501 §6.4.4 (SEARCH BODY and TEXT match decoded text; servers decode MIME), RFC 6532
// (raw UTF-8).
//
// Public API:
//   message.body(of: MIMEPart) -> ArraySlice<UInt8>                (as stored)
//   message.decodedBody(of: MIMEPart) -> [UInt8]                   (transfer decoding)
//   message.decodedText(of: MIMEPart, defaultCharset: String? = nil) -> String?
//       text/* single parts only (text/html is returned as it is, tags included); nil for
//       other types, multiparts and message parts (search walks into those itself)
//   message.asciiText(of: MIMEPart) -> ArraySlice<UInt8>?
//       the same text as octets when decoding would not change them: all ASCII under a
//       charset that keeps ASCII (Charset.keepsASCII); nil otherwise (use decodedText)
//
// Charset: the charset parameter if iconv knows it; a label of us-ascii over 8-bit octets, or
// an unknown label, falls back to valid UTF-8, then `defaultCharset`, then the label with
// U+FFFD for bad octets, then ISO-8859-1 (Charset.decodeText).
//
// Security: linear in the part's size; iconv output is bounded by the input size.

extension MIMEMessage {
    /// The body octets of `part`, as they are in the message.
    public func body(of part: MIMEPart) -> ArraySlice<UInt8> { slice(part.bodyRange) }

    /// The body octets with the Content-Transfer-Encoding removed.
    public func decodedBody(of part: MIMEPart) -> [UInt8] {
        TransferDecoding.decode(body(of: part), encoding: part.contentTransferEncoding)
    }

    /// The text of a text/* part as its octets, when they are its UTF-8 text already (all
    /// ASCII, in a charset that keeps ASCII): what `decodedText(of:)` would return, without
    /// the String. nil for other parts and for text that needs decoding.
    public func asciiText(of part: MIMEPart) -> ArraySlice<UInt8>? {
        guard case .single = part.structure, part.contentType.isText,
              Charset.keepsASCII(part.contentType.charset) else { return nil }
        let octets: ArraySlice<UInt8>
        switch part.contentTransferEncoding {
        case .base64, .quotedPrintable: octets = ArraySlice(decodedBody(of: part))
        default: octets = body(of: part)
        }
        return ASCII.isAll(octets) ? octets : nil
    }

    /// The text of a text/* part, decoded to a String; nil for other parts.
    public func decodedText(of part: MIMEPart, defaultCharset: String? = nil) -> String? {
        guard case .single = part.structure, part.contentType.isText else { return nil }
        let octets = decodedBody(of: part)
        var charset = part.contentType.charset
        if let c = charset, c.lowercased() == "us-ascii" || c.isEmpty { charset = nil }
        return Charset.decodeText(octets, charset: charset, defaultCharset: defaultCharset)
    }
}
