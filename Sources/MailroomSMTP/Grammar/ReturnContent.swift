// ReturnContent — the RET= parameter of MAIL FROM: how much of the message a failure DSN
// returns.
//
// Standards: RFC 3461 §4.3 (ret-value = "FULL" / "HDRS"), case-insensitive on input.

/// RFC 3461 RET parameter.
public enum ReturnContent: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The whole message.
    case full = "FULL"
    /// Only the headers.
    case headers = "HDRS"

    public var description: String { rawValue }
}
