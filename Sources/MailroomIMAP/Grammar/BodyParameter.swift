// BodyParameter — a MIME parameter (attribute and value) in a body structure.
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
// Values are octets as the message holds them (RFC 2231 continuations already joined by the
// MIME layer); the encoder writes them quoted or as literals.

/// A MIME parameter: attribute and value.
public struct BodyParameter: Hashable, Sendable {
    public var attribute: String
    public var value: [UInt8]

    public init(attribute: String, value: [UInt8]) {
        self.attribute = attribute
        self.value = value
    }

    public init(_ attribute: String, _ value: String) { self.init(attribute: attribute, value: Array(value.utf8)) }

    // body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
    static func writeList(_ parameters: [BodyParameter], to buffer: inout IMAPEncodeBuffer) {
        guard !parameters.isEmpty else { buffer.writeNil(); return }
        buffer.writeList(parameters) { buffer, parameter in
            buffer.writeString(parameter.attribute)
            buffer.writeSpace()
            buffer.writeString(parameter.value)
        }
    }
}
