// POP3ResponseCode — the extended response codes in brackets at the start of a -ERR text.
//
// Standards: RFC 2449 §8 (resp-code = "[" resp-level *("/" resp-level) "]"; the RESP-CODES
// capability; [IN-USE] §8.1.1 "the maildrop is locked by another session"; [LOGIN-DELAY]
// §8.1.2 "the user logged in too recently"), RFC 3206 §4–§5 ([SYS/TEMP]: a temporary system
// failure, [SYS/PERM]: a permanent one, retrying will not help; [AUTH]: the credentials
// themselves were wrong or not allowed, announced by the AUTH-RESP-CODE capability).
//
// Security: only these named values exist, so a code never carries client text.

/// An RFC 2449 response code.
public struct POP3ResponseCode: Hashable, Sendable, CustomStringConvertible {
    /// The text between the brackets, e.g. "SYS/TEMP".
    public let rawValue: String

    init(_ rawValue: String) { self.rawValue = rawValue }

    /// RFC 2449 §8.1.1: another session holds the maildrop lock.
    public static let inUse = POP3ResponseCode("IN-USE")
    /// RFC 2449 §8.1.2: the user may not log in again yet.
    public static let loginDelay = POP3ResponseCode("LOGIN-DELAY")
    /// RFC 3206 §4: a temporary problem on the server; try again later.
    public static let systemTemporary = POP3ResponseCode("SYS/TEMP")
    /// RFC 3206 §4: a permanent problem (account or domain disabled); do not retry as is.
    public static let systemPermanent = POP3ResponseCode("SYS/PERM")
    /// RFC 3206 §5: the credentials were refused.
    public static let authentication = POP3ResponseCode("AUTH")

    public var description: String { "[\(rawValue)]" }
}
