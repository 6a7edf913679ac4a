// FetchResponseItem — one data item of a FETCH response.
//
// Standards: RFC 3501 §7.4.2 and RFC 9051 §7.5.2:
//   msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP (msg-att-dynamic / msg-att-static)) ")"
//   msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
//   msg-att-static = "ENVELOPE" SP envelope / "INTERNALDATE" SP date-time / "RFC822" [".HEADER" / ".TEXT"] SP nstring /
//                    "RFC822.SIZE" SP number64 / "BODY" ["STRUCTURE"] SP body /
//                    "BODY" section ["<" number ">"] SP nstring / "UID" SP uniqueid /
//                    "BINARY" section-binary SP (nstring / literal8) / "BINARY.SIZE" section-binary SP number
//   fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"            ; RFC 7162 §3.1.4
//   msg-att-static =/ "SAVEDATE" SP (date-time / nil)                   ; RFC 8514 §4
//   msg-att-static =/ "EMAILID" SP "(" objectid ")" / "THREADID" SP ( "(" objectid ")" / nil )   ; RFC 8474 §7
// Message data is always written as a literal (or literal8 for BINARY data holding NUL,
// RFC 3516 §4.2), never quoted: its length is what it is and it may hold anything.

/// A FETCH response data item.
public enum FetchResponseItem: Hashable, Sendable {
    case uid(UInt32)
    case flags([Flag])
    case internalDate(IMAPDateTime)
    case rfc822Size(UInt64)
    case modSeq(UInt64)
    /// SAVEDATE (nil is NIL: the save date is not known, RFC 8514 §4).
    case saveDate(IMAPDateTime?)
    case emailID(String)
    /// THREADID (nil is NIL).
    case threadID(String?)
    case envelope(Envelope)
    /// BODY: the structure without extension data.
    case body(BodyStructure)
    case bodyStructure(BodyStructure)
    /// BODY[section]<origin> data (nil is NIL).
    case bodySection(SectionSpecifier, origin: UInt32?, data: [UInt8]?)
    /// BINARY[part]<origin> data (nil is NIL).
    case binary(part: [UInt32], origin: UInt32?, data: [UInt8]?)
    case binarySize(part: [UInt32], UInt64)
    case rfc822([UInt8]?)
    case rfc822Header([UInt8]?)
    case rfc822Text([UInt8]?)

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .uid(let uid):
            buffer.write("UID ")
            buffer.writeNumber(uid)
        case .flags(let flags):
            buffer.write("FLAGS ")
            Flag.writeList(flags, to: &buffer)
        case .internalDate(let date):
            buffer.write("INTERNALDATE ")
            date.write(to: &buffer)
        case .rfc822Size(let size):
            buffer.write("RFC822.SIZE ")
            buffer.writeNumber(size)
        case .modSeq(let value):
            buffer.write("MODSEQ (")
            buffer.writeNumber(value)
            buffer.writeByte(0x29)
        case .saveDate(let date):
            buffer.write("SAVEDATE ")
            if let date { date.write(to: &buffer) } else { buffer.writeNil() }
        case .emailID(let id):
            buffer.write("EMAILID ")
            ObjectID.write(id, to: &buffer)
        case .threadID(let id):
            buffer.write("THREADID ")
            if let id { ObjectID.write(id, to: &buffer) } else { buffer.writeNil() }
        case .envelope(let envelope):
            buffer.write("ENVELOPE ")
            envelope.write(to: &buffer)
        case .body(let body):
            buffer.write("BODY ")
            body.write(to: &buffer, extensions: false)
        case .bodyStructure(let body):
            buffer.write("BODYSTRUCTURE ")
            body.write(to: &buffer, extensions: true)
        case .bodySection(let section, let origin, let data):
            StreamedFetchItem.bodySection(section, origin: origin).writeName(to: &buffer)
            buffer.writeSpace()
            Self.writeData(data, binary: false, to: &buffer)
        case .binary(let part, let origin, let data):
            StreamedFetchItem.binary(part: part, origin: origin).writeName(to: &buffer)
            buffer.writeSpace()
            Self.writeData(data, binary: true, to: &buffer)
        case .binarySize(let part, let size):
            buffer.write("BINARY.SIZE")
            SectionSpecifier(part: part).write(to: &buffer)
            buffer.write(" \(size)")
        case .rfc822(let data):
            buffer.write("RFC822 ")
            Self.writeData(data, binary: false, to: &buffer)
        case .rfc822Header(let data):
            buffer.write("RFC822.HEADER ")
            Self.writeData(data, binary: false, to: &buffer)
        case .rfc822Text(let data):
            buffer.write("RFC822.TEXT ")
            Self.writeData(data, binary: false, to: &buffer)
        }
    }

    /// NIL, or a literal of the data (literal8 when `binary` and it holds NUL).
    static func writeData(_ data: [UInt8]?, binary: Bool, to buffer: inout IMAPEncodeBuffer) {
        guard let data else { buffer.writeNil(); return }
        buffer.writeLiteral(data, binary: binary && data.contains(0))
    }
}
