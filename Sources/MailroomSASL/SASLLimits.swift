// SASLLimits — the size limits of the SASL mechanisms, beside the RFC minimum each must keep.
//
// Standards: RFC 4616 §2 ("The server MUST be capable of accepting authcid, authzid, and passwd
// of up to and including 255 octets"); RFC 4954 §4 bounds a whole AUTH response line (the SMTP
// layer's SMTPLimits.authLineBytes), which comes before this check.
//
// Configuration: none yet; the protocol servers may pass their own value to
// SASLServerExchange(limits:) when a key is added (style rule 8).

public struct SASLLimits: Sendable, Equatable {
    /// Longest user name, authorization identity or password, in octets (PLAIN, LOGIN,
    /// CRAM-MD5 and SCRAM user names).
    public var fieldBytes: Int

    /// RFC 4616 §2: at least 255 octets.
    public static let minimumFieldBytes = 255
    /// 1024: the store refuses longer passwords (PasswordError.maximumLength), and no address is
    /// longer (RFC 5321 §4.5.3.1: 64 + 1 + 255).
    public static let defaultFieldBytes = 1024

    public init(fieldBytes: Int = defaultFieldBytes) {
        self.fieldBytes = max(fieldBytes, Self.minimumFieldBytes)
    }
}
