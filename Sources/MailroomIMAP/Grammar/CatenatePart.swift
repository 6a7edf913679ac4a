// CatenatePart — one piece of a message that APPEND builds with CATENATE: literal text, or the
// content an IMAP URL names.
//
// Standards: RFC 4469 §5 (CATENATE):
//   append-data =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"
//   cat-part = text-literal / url
//   text-literal = "TEXT" SP literal
//   url = "URL" SP astring
// RFC 3516 §4.4 lets APPEND data be literal8 once BINARY is announced; the TEXT of a
// CATENATE takes one too here (as Dovecot does), so a part may hold NUL.
// The URL is kept as the client sent it: it is checked when the command runs, and a bad one
// is NO [BADURL] (RFC 4469 §5), not a syntax error.

/// A part of a CATENATE.
public enum CatenatePart: Hashable, Sendable {
    /// TEXT literal (`binary`: it came as literal8).
    case text([UInt8], binary: Bool)
    /// URL astring, not yet parsed.
    case url([UInt8])

    // cat-part = text-literal / url
    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .text(let data, let binary):
            buffer.write("TEXT ")
            buffer.writeLiteral(data, binary: binary)
        case .url(let url):
            buffer.write("URL ")
            buffer.writeAString(url)
        }
    }

    /// "CATENATE" SP "(" cat-part *(SP cat-part) ")"
    static func writeList(_ parts: [CatenatePart], to buffer: inout IMAPEncodeBuffer) {
        buffer.write("CATENATE ")
        buffer.writeList(parts) { buffer, part in part.write(to: &buffer) }
    }
}
