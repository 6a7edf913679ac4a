// NotifyConditions — the NOTIFY= parameter of RCPT TO: when the sender wants a DSN.
//
// Standards: RFC 3461 §4.1 (notify-esmtp-value = "NEVER" / 1#notify-list-element;
// notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"; NEVER is not combined with others).
// Case-insensitive on input; a repeated element is accepted (the list is a set).

/// RFC 3461 NOTIFY value: the empty set is NEVER.
public struct NotifyConditions: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let success = NotifyConditions(rawValue: 1 << 0)
    public static let failure = NotifyConditions(rawValue: 1 << 1)
    public static let delay = NotifyConditions(rawValue: 1 << 2)
    /// NOTIFY=NEVER: no DSN at all, not even for a failure.
    public static let never: NotifyConditions = []

    /// "NEVER" or "SUCCESS,FAILURE,DELAY" (in that order).
    public var description: String {
        var names: [String] = []
        if contains(.success) { names.append("SUCCESS") }
        if contains(.failure) { names.append("FAILURE") }
        if contains(.delay) { names.append("DELAY") }
        return names.isEmpty ? "NEVER" : names.joined(separator: ",")
    }
}
