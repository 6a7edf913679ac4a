// IDParameter — one field-value pair of the ID command and response.
//
// Standards: RFC 2971 §4:
//   id-params-list = "(" *(string SP nstring) ")" / nil
// Field names are strings of at most 30 octets, values at most 1024, at most 30 pairs (§3.3);
// the parser holds clients to it.

/// An ID field and its value (nil for NIL).
public struct IDParameter: Hashable, Sendable {
    public var key: [UInt8]
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ value: String?) {
        self.init(key: Array(key.utf8), value: value.map { Array($0.utf8) })
    }

    /// The list, or NIL when nil.
    public static func writeList(_ parameters: [IDParameter]?, to buffer: inout IMAPEncodeBuffer) {
        guard let parameters else { buffer.writeNil(); return }
        buffer.writeList(parameters) { buffer, parameter in
            buffer.writeString(parameter.key)
            buffer.writeSpace()
            buffer.writeNString(parameter.value)
        }
    }
}
