// StoreModifier — a STORE modifier.
//
// Standards: RFC 7162 §3.1.3:
//   store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
//   store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer

/// A STORE modifier.
public enum StoreModifier: Hashable, Sendable {
    /// UNCHANGEDSINCE mod-sequence (RFC 7162 §3.1.3).
    case unchangedSince(UInt64)

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .unchangedSince(let value): buffer.write("UNCHANGEDSINCE \(value)")
        }
    }
}
