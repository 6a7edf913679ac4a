// FetchAttribute — one data item FETCH asks for, and the FETCH modifiers.
//
// Standards: RFC 3501 §6.4.5 and §9, RFC 9051 §6.4.5 and §9:
//   fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
//               "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
//               "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary
// The macros ALL, FAST and FULL (RFC 3501 §6.4.5) are expanded by the parser into their items.
// RFC 7162 §3.1.4: fetch-att =/ "MODSEQ"; fetch-modifier = "CHANGEDSINCE" SP mod-sequence-value.
// RFC 7162 §3.2.6 (QRESYNC): fetch-modifier =/ "VANISHED".
// RFC 8514 §4: fetch-att =/ "SAVEDATE". RFC 8474 §5: fetch-att =/ "EMAILID" / "THREADID".

/// A FETCH data item.
public enum FetchAttribute: Hashable, Sendable {
    case envelope, flags, internalDate, uid, modSeq
    /// SAVEDATE (RFC 8514), EMAILID and THREADID (RFC 8474).
    case saveDate, emailID, threadID
    case rfc822, rfc822Header, rfc822Size, rfc822Text
    /// BODY: the structure without extension data.
    case body
    case bodyStructure
    /// BODY[section]<partial> or BODY.PEEK[...].
    case bodySection(SectionSpecifier, partial: Partial?, peek: Bool)
    /// BINARY[part]<partial> or BINARY.PEEK[...] (RFC 3516).
    case binary(part: [UInt32], partial: Partial?, peek: Bool)
    /// BINARY.SIZE[part] (RFC 3516).
    case binarySize(part: [UInt32])

    /// ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)
    public static let all: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// FAST = (FLAGS INTERNALDATE RFC822.SIZE)
    public static let fast: [FetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)
    public static let full: [FetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]

    /// Whether fetching it sets \Seen (RFC 3501 §6.4.5: BODY[...] and RFC822, RFC822.TEXT, BINARY[...]).
    public var setsSeen: Bool {
        switch self {
        case .rfc822, .rfc822Text: true
        case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
        default: false
        }
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .envelope: buffer.write("ENVELOPE")
        case .flags: buffer.write("FLAGS")
        case .internalDate: buffer.write("INTERNALDATE")
        case .uid: buffer.write("UID")
        case .modSeq: buffer.write("MODSEQ")
        case .saveDate: buffer.write("SAVEDATE")
        case .emailID: buffer.write("EMAILID")
        case .threadID: buffer.write("THREADID")
        case .rfc822: buffer.write("RFC822")
        case .rfc822Header: buffer.write("RFC822.HEADER")
        case .rfc822Size: buffer.write("RFC822.SIZE")
        case .rfc822Text: buffer.write("RFC822.TEXT")
        case .body: buffer.write("BODY")
        case .bodyStructure: buffer.write("BODYSTRUCTURE")
        case .bodySection(let section, let partial, let peek):
            buffer.write(peek ? "BODY.PEEK" : "BODY")
            section.write(to: &buffer)
            partial?.write(to: &buffer)
        case .binary(let part, let partial, let peek):
            buffer.write(peek ? "BINARY.PEEK" : "BINARY")
            SectionSpecifier(part: part).write(to: &buffer)
            partial?.write(to: &buffer)
        case .binarySize(let part):
            buffer.write("BINARY.SIZE")
            SectionSpecifier(part: part).write(to: &buffer)
        }
    }
}
