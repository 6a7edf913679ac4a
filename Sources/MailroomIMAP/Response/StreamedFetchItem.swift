// StreamedFetchItem — the name of a FETCH item whose data the server streams itself, written
// before its literal header by FetchResponseWriter.
//
// Standards: RFC 3501 §7.4.2 and RFC 9051 §7.5.2:
//   "BODY" section ["<" number ">"] SP nstring / "BINARY" section-binary SP (nstring / literal8) /
//   "RFC822" [".HEADER" / ".TEXT"] SP nstring

/// A FETCH item whose data the server streams itself (see FetchResponseWriter).
public enum StreamedFetchItem: Hashable, Sendable {
    case bodySection(SectionSpecifier, origin: UInt32?)
    case binary(part: [UInt32], origin: UInt32?)
    case rfc822, rfc822Header, rfc822Text

    /// "BODY[1.2]<0>", "RFC822.TEXT"…
    func writeName(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .bodySection(let section, let origin):
            buffer.write("BODY")
            section.write(to: &buffer)
            if let origin { buffer.write("<\(origin)>") }
        case .binary(let part, let origin):
            buffer.write("BINARY")
            SectionSpecifier(part: part).write(to: &buffer)
            if let origin { buffer.write("<\(origin)>") }
        case .rfc822: buffer.write("RFC822")
        case .rfc822Header: buffer.write("RFC822.HEADER")
        case .rfc822Text: buffer.write("RFC822.TEXT")
        }
    }
}
