// BodyStructure — the MIME structure of a message as FETCH BODY and BODYSTRUCTURE return it.
//
// Standards: RFC 3501 §7.4.2 and §9, RFC 9051 §7.5.2 and §9:
//   body = "(" (body-type-1part / body-type-mpart) ")"
//   body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
//   body-type-basic = media-basic SP body-fields
//   body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
//   body-type-text = media-text SP body-fields SP body-fld-lines
//   body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
//   body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
//   body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
//   body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
//   body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
//   body-fld-dsp = "(" string SP body-fld-param ")" / nil
//   body-fld-lang = nstring / "(" string *(SP string) ")"
//   body-fld-loc = nstring
// BODY is written without extension data, BODYSTRUCTURE with all of it (md5, disposition,
// language, location: NIL when absent), at every level — including the body inside a
// message/rfc822 part (RFC 3501 §7.4.2 "BODYSTRUCTURE ... extension data").
// RFC 3501 §7.4.2: a message/rfc822 part is body-type-msg; other message/* subtypes
// (message/global is the RFC 9051 exception) are basic. The caller chooses `.message` only
// for those; `.text` is for type TEXT.

/// The structure of a message or part.
public indirect enum BodyStructure: Hashable, Sendable {
    case singlePart(SinglePart)
    case multipart(Multipart)

    /// A non-multipart part.
    public struct SinglePart: Hashable, Sendable {
        public indirect enum Kind: Hashable, Sendable {
            /// Any type but text and message/rfc822.
            case basic
            /// text/*: with its line count.
            case text(lines: UInt64)
            /// message/rfc822 (or message/global): the enclosed message's envelope and structure.
            case message(envelope: Envelope, body: BodyStructure, lines: UInt64)
        }

        public var type: String
        public var subtype: String
        public var parameters: [BodyParameter]
        public var id: [UInt8]?
        public var description: [UInt8]?
        public var encoding: String
        public var octets: UInt64
        public var kind: Kind
        public var md5: [UInt8]?
        public var disposition: Disposition?
        public var language: [[UInt8]]
        public var location: [UInt8]?

        public init(type: String, subtype: String, parameters: [BodyParameter] = [], id: [UInt8]? = nil,
                    description: [UInt8]? = nil, encoding: String = "7BIT", octets: UInt64, kind: Kind = .basic,
                    md5: [UInt8]? = nil, disposition: Disposition? = nil, language: [[UInt8]] = [],
                    location: [UInt8]? = nil) {
            self.type = type
            self.subtype = subtype
            self.parameters = parameters
            self.id = id
            self.description = description
            self.encoding = encoding
            self.octets = octets
            self.kind = kind
            self.md5 = md5
            self.disposition = disposition
            self.language = language
            self.location = location
        }
    }

    /// A multipart/* part.
    public struct Multipart: Hashable, Sendable {
        public var parts: [BodyStructure]
        public var subtype: String
        public var parameters: [BodyParameter]
        public var disposition: Disposition?
        public var language: [[UInt8]]
        public var location: [UInt8]?

        public init(parts: [BodyStructure], subtype: String, parameters: [BodyParameter] = [],
                    disposition: Disposition? = nil, language: [[UInt8]] = [], location: [UInt8]? = nil) {
            self.parts = parts
            self.subtype = subtype
            self.parameters = parameters
            self.disposition = disposition
            self.language = language
            self.location = location
        }
    }

    /// Content-Disposition: type and parameters.
    public struct Disposition: Hashable, Sendable {
        public var type: String
        public var parameters: [BodyParameter]

        public init(type: String, parameters: [BodyParameter] = []) {
            self.type = type
            self.parameters = parameters
        }
    }

    /// body: `extensions` false for BODY, true for BODYSTRUCTURE.
    public func write(to buffer: inout IMAPEncodeBuffer, extensions: Bool) {
        buffer.writeByte(IMAPGrammar.openParen)
        switch self {
        case .singlePart(let part): part.write(to: &buffer, extensions: extensions)
        case .multipart(let multipart): multipart.write(to: &buffer, extensions: extensions)
        }
        buffer.writeByte(IMAPGrammar.closeParen)
    }
}

extension BodyStructure.SinglePart {
    func write(to buffer: inout IMAPEncodeBuffer, extensions: Bool) {
        // media-* = string SP string
        buffer.writeString(type)
        buffer.writeSpace()
        buffer.writeString(subtype)
        // body-fields
        buffer.writeSpace()
        BodyParameter.writeList(parameters, to: &buffer)
        buffer.writeSpace()
        buffer.writeNString(id)
        buffer.writeSpace()
        buffer.writeNString(description)
        buffer.writeSpace()
        buffer.writeString(encoding)
        buffer.write(" \(octets)")
        switch kind {
        case .basic: break
        case .text(let lines): buffer.write(" \(lines)")
        case .message(let envelope, let body, let lines):
            buffer.writeSpace()
            envelope.write(to: &buffer)
            buffer.writeSpace()
            body.write(to: &buffer, extensions: extensions)
            buffer.write(" \(lines)")
        }
        guard extensions else { return }
        // body-ext-1part = body-fld-md5 SP body-fld-dsp SP body-fld-lang SP body-fld-loc
        buffer.writeSpace()
        buffer.writeNString(md5)
        BodyStructure.writeExtensionTail(disposition: disposition, language: language, location: location, to: &buffer)
    }
}

extension BodyStructure.Multipart {
    func write(to buffer: inout IMAPEncodeBuffer, extensions: Bool) {
        // 1*body SP media-subtype
        for part in parts { part.write(to: &buffer, extensions: extensions) }
        buffer.writeSpace()
        buffer.writeString(subtype)
        guard extensions else { return }
        // body-ext-mpart = body-fld-param SP body-fld-dsp SP body-fld-lang SP body-fld-loc
        buffer.writeSpace()
        BodyParameter.writeList(parameters, to: &buffer)
        BodyStructure.writeExtensionTail(disposition: disposition, language: language, location: location, to: &buffer)
    }
}

extension BodyStructure {
    // SP body-fld-dsp SP body-fld-lang SP body-fld-loc
    static func writeExtensionTail(disposition: Disposition?, language: [[UInt8]], location: [UInt8]?,
                                   to buffer: inout IMAPEncodeBuffer) {
        buffer.writeSpace()
        if let disposition {
            buffer.writeByte(IMAPGrammar.openParen)
            buffer.writeString(disposition.type)
            buffer.writeSpace()
            BodyParameter.writeList(disposition.parameters, to: &buffer)
            buffer.writeByte(IMAPGrammar.closeParen)
        } else {
            buffer.writeNil()
        }
        buffer.writeSpace()
        switch language.count {
        case 0: buffer.writeNil()
        case 1: buffer.writeString(language[0])
        default: buffer.writeList(language) { buffer, tag in buffer.writeString(tag) }
        }
        buffer.writeSpace()
        buffer.writeNString(location)
    }
}
