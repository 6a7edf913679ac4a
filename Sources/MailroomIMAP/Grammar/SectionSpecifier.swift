// SectionSpecifier — the part of a message that BODY[...] and BINARY[...] name, and the
// partial range "<origin.length>".
//
// Standards: RFC 3501 §6.4.5 and §9, RFC 9051 §6.4.5 and §9:
//   section = "[" [section-spec] "]"
//   section-spec = section-msgtext / (section-part ["." section-text])
//   section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
//   section-part = nz-number *("." nz-number)
//   section-text = section-msgtext / "MIME"
//   header-list = "(" header-fld-name *(SP header-fld-name) ")"
//   header-fld-name = astring
//   partial = "<" number "." nz-number ">"          ; in a response only "<" number ">"
// RFC 3516 §4.1: section-binary = "[" [section-part] "]".
// Header field names are kept upper-cased (RFC 3501: matching is case-insensitive).

/// A message section: a part path and what of it.
public struct SectionSpecifier: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The whole (part or message): "[]" or "[1.2]".
        case complete
        case header
        /// HEADER.FIELDS (names), upper case.
        case headerFields([String])
        /// HEADER.FIELDS.NOT (names), upper case.
        case headerFieldsNot([String])
        case text
        /// MIME: only after a part number.
        case mime
    }

    /// Part numbers, from 1 ("1.2.3" is [1, 2, 3]); empty for the message itself.
    public var part: [UInt32]
    public var kind: Kind

    public init(part: [UInt32] = [], kind: Kind = .complete) {
        self.part = part
        self.kind = kind
    }

    public static let complete = SectionSpecifier()
    public static let header = SectionSpecifier(kind: .header)
    public static let text = SectionSpecifier(kind: .text)

    public var description: String {
        var buffer = IMAPEncodeBuffer()
        write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    /// "[" section-spec "]"
    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeByte(IMAPGrammar.openBracket)
        buffer.write(part.map(String.init).joined(separator: "."))
        if kind != .complete, !part.isEmpty { buffer.writeByte(IMAPGrammar.dot) }
        switch kind {
        case .complete: break
        case .header: buffer.write("HEADER")
        case .headerFields(let names):
            buffer.write("HEADER.FIELDS ")
            buffer.writeList(names) { buffer, name in buffer.writeAString(Array(name.utf8)) }
        case .headerFieldsNot(let names):
            buffer.write("HEADER.FIELDS.NOT ")
            buffer.writeList(names) { buffer, name in buffer.writeAString(Array(name.utf8)) }
        case .text: buffer.write("TEXT")
        case .mime: buffer.write("MIME")
        }
        buffer.writeByte(IMAPGrammar.closeBracket)
    }
}
