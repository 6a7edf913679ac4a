// POP3Limits — the size limits of the POP3 protocol layer, each beside the RFC figure it must
// not go below. The server's configuration (pop3.* keys) overrides the defaults; the framing
// code takes a `POP3Limits` value and never hard-codes a number (style.md §8).
//
// Standards: RFC 2449 §4 ("Commands ... MUST NOT exceed 255 octets, including the terminating
// CRLF"; a server must therefore accept at least that), RFC 5034 §4 (AUTH: SASL responses are
// lines of their own, base64, and may be longer than a command line; a server may refuse one
// that is too long).
//
// Why the default command line is longer than 255: PASS carries the password itself (the
// account store accepts passwords of up to 1024 octets, SASLLimits.defaultFieldBytes), and
// some clients send an AUTH initial response longer than RFC 5034 §4 allows. Accepting 2048
// octets costs nothing (the framer holds one line at most) and refuses no real client.
//
// Security: these are the pre-authentication bounds: whatever a client sends, the framer holds
// at most `saslLineBytes - 1` octets, and a longer line is dropped while it streams past.

/// Line-length limits for POP3 input.
public struct POP3Limits: Sendable, Equatable {
    /// A command line, terminator included (RFC 2449 §4: at least 255).
    public var commandLineBytes: Int
    /// A SASL response line of AUTH (RFC 5034 §4), terminator included. Never shorter than
    /// `commandLineBytes`. 12288 octets, as Dovecot and the SMTP layer allow, fits any
    /// PLAIN, LOGIN, CRAM-MD5 or SCRAM-SHA-256 message within SASLLimits.
    public var saslLineBytes: Int

    /// RFC 2449 §4: the longest command line a client may send, so the shortest limit a
    /// server may have.
    public static let minimumCommandLineBytes = 255
    public static let defaultCommandLineBytes = 2048
    public static let defaultSASLLineBytes = 12288

    public static let `default` = POP3Limits()

    /// Values below the RFC minimum are raised to it.
    public init(commandLineBytes: Int = Self.defaultCommandLineBytes, saslLineBytes: Int = Self.defaultSASLLineBytes) {
        self.commandLineBytes = max(commandLineBytes, Self.minimumCommandLineBytes)
        self.saslLineBytes = max(saslLineBytes, self.commandLineBytes)
    }
}
