// FetchModifier — a FETCH modifier.
//
// Standards: RFC 7162 §3.1.4 and §3.2.6:
//   fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
//   fetch-modifier = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"

/// A FETCH modifier.
public enum FetchModifier: Hashable, Sendable {
    /// CHANGEDSINCE mod-sequence (RFC 7162 §3.1.4).
    case changedSince(UInt64)
    /// VANISHED (RFC 7162 §3.2.6, with CHANGEDSINCE, after ENABLE QRESYNC).
    case vanished

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .changedSince(let value): buffer.write("CHANGEDSINCE \(value)")
        case .vanished: buffer.write("VANISHED")
        }
    }
}
