// QuotaResource — a resource's usage and limit in a QUOTA response.
//
// Standards: RFC 9208 §5.1:
//   quota-list = "(" quota-resource *(SP quota-resource) ")"
//   quota-resource = resource-name SP resource-usage SP resource-limit
//   resource-usage = number64 ; resource-limit = number64

/// A quota resource with usage and limit (STORAGE counts units of 1024 octets).
public struct QuotaResource: Hashable, Sendable {
    public var resource: String
    public var usage: UInt64
    public var limit: UInt64

    public init(resource: String, usage: UInt64, limit: UInt64) {
        self.resource = resource
        self.usage = usage
        self.limit = limit
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeAtom(resource)
        buffer.write(" \(usage) \(limit)")
    }
}
