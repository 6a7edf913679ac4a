// MIMELimits — the bounds the MIME parser keeps to, so a hostile message cannot make it use
// unbounded time, memory or stack. Each is a named constant with the reason for its default;
// protocol servers may pass tighter or looser values from their configuration.
//
// Standards: RFC 2046 §5.1 (multipart nesting is not bounded by the RFC; real mail nests a few
// levels, Dovecot stops at 100 levels and 10,000 parts), RFC 5322 §2.1.1 (line length).
//
// Used by MIMEMessage.parse (depth and parts) and MIMEHeader.fields (fields per header).
// Configuration: none of its own yet; a server passes values from its configuration.
//
// Security: with these bounds a message of n octets costs O(n × maxNestingDepth) time at
// worst (each octet is counted once per enclosing part), O(maxParts) part records, and no
// recursion that grows with the input: the parser keeps its own stack of open parts.

/// Limits applied while a message is split into parts.
public struct MIMELimits: Sendable, Equatable {
    /// Deepest nesting of multipart and message/rfc822 parts that is still parsed as structure;
    /// anything deeper is treated as an opaque leaf (Dovecot: message_max_nesting 100).
    public var maxNestingDepth: Int
    /// Most parts in one message, the message itself and embedded messages included. Once it
    /// is reached, delimiter lines are no longer recognised (as Dovecot's
    /// message_max_mime_parts), so the rest of the message stays in the body of the part
    /// being read.
    public var maxParts: Int
    /// Most header fields read from one header block; further fields are ignored.
    public var maxHeaderFields: Int

    public static let maxNestingDepthDefault = 100
    public static let maxPartsDefault = 10_000
    public static let maxHeaderFieldsDefault = 10_000

    public init(maxNestingDepth: Int = MIMELimits.maxNestingDepthDefault,
                maxParts: Int = MIMELimits.maxPartsDefault,
                maxHeaderFields: Int = MIMELimits.maxHeaderFieldsDefault) {
        self.maxNestingDepth = maxNestingDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
    }

    public static let standard = MIMELimits()
}
