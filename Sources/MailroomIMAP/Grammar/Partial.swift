// Partial — the byte range "<origin.length>" of a FETCH BODY[...] or BINARY[...] item.
//
// Standards: RFC 3501 §6.4.5 and §9, RFC 9051 §9:
//   partial = "<" number "." nz-number ">"     ; a response names only the origin: "<" number ">"

/// "<origin.length>": a byte range of a section.
public struct Partial: Hashable, Sendable {
    public var origin: UInt32
    public var length: UInt32

    public init(origin: UInt32, length: UInt32) {
        self.origin = origin
        self.length = length
    }

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write("<\(origin).\(length)>") }
}
