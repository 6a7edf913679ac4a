// QuotaLimit — a resource and its limit, as SETQUOTA sends it.
//
// Standards: RFC 9208 §4.1.3 and §8 (RFC 2087 before it):
//   setquota-resource = resource-name SP resource-limit
//   resource-name = "STORAGE" / "MESSAGE" / "MAILBOX" / "ANNOTATION-STORAGE" / resource-name-ext
//   resource-limit = number64
// Resource names are atoms, kept upper-cased.

/// A quota resource limit.
public struct QuotaLimit: Hashable, Sendable {
    public var resource: String
    public var limit: UInt64

    public init(resource: String, limit: UInt64) {
        self.resource = resource.uppercased()
        self.limit = limit
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeAtom(resource)
        buffer.write(" \(limit)")
    }
}
