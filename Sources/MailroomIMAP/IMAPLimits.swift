// IMAPLimits — the size limits of the IMAP protocol layer. The server's configuration (imap.*
// keys) overrides the defaults; framing and parsing take an `IMAPLimits` value and never
// hard-code a number (style.md §8).
//
// Standards: RFC 3501 §4.3 and RFC 9051 §4.3 (literals: "{n}" CRLF and n octets; the server
// sends a continuation request before it reads a synchronizing literal), RFC 7888 (LITERAL+
// "{n+}" needs no continuation; LITERAL- allows that only for n <= 4096 and the server answers
// a larger one with a tagged BAD), RFC 7162 §4 and RFC 2683 §3.2.1.5 (servers should accept
// command lines of at least 8000 octets; clients send long UID sets after CONDSTORE syncs).
//
// Security: before login only `preAuthCommandBytes` may be held for one command (LOGIN with
// two literals, AUTHENTICATE's initial response, an ID with 30 pairs of 1024-octet values:
// 64 KiB, Dovecot's imap_max_line_length), so an unauthenticated peer cannot make the server
// buffer megabytes. After login a command is bounded by `commandBytes` (its lines and
// non-APPEND literals together) and an APPEND message by `appendLiteralBytes`.

/// Limits for IMAP input.
public struct IMAPLimits: Sendable, Equatable {
    /// One command's lines and literals together, APPEND message literals excluded.
    public var commandBytes: Int
    /// The same before authentication.
    public var preAuthCommandBytes: Int
    /// One APPEND message literal (the server lowers it to the user's message size limit).
    public var appendLiteralBytes: Int
    /// Literals in one command (a MULTIAPPEND or a SEARCH with many string keys).
    public var literalsPerCommand: Int
    /// One AUTHENTICATE response line, CRLF included (RFC 4422 has no bound; 12288 as SMTP
    /// and POP3 allow covers every mechanism within SASLLimits).
    public var saslLineBytes: Int
    /// Parenthesis nesting in a command (SEARCH keys, BODY[...] sections): the parser is
    /// recursive, so this bounds its stack.
    public var nestingDepth: Int

    /// RFC 2683 §3.2.1.5 / RFC 7162 §4: at least 8000 octets per command line.
    public static let minimumCommandBytes = 8000
    public static let defaultCommandBytes = 1 << 20
    public static let defaultPreAuthCommandBytes = 64 * 1024
    public static let defaultAppendLiteralBytes = 64 << 20
    public static let defaultLiteralsPerCommand = 1000
    public static let defaultSASLLineBytes = 12288
    public static let defaultNestingDepth = 64
    /// Searches one session may keep up to date with RETURN (UPDATE) at once (RFC 5267 §4.3:
    /// the server may refuse with NO [NOUPDATE]); Dovecot's CLIENT_MAX_SEARCH_UPDATES. Each
    /// costs its result's UIDs and a match of every changed message at every sync. Key
    /// imap.max_search_contexts.
    public static let defaultSearchUpdateContexts = 10
    /// RFC 7888 §4: LITERAL- allows non-synchronizing literals up to 4096 octets.
    public static let literalMinusMaxBytes = 4096

    public static let `default` = IMAPLimits()

    /// Values below the RFC minimum are raised to it.
    public init(commandBytes: Int = Self.defaultCommandBytes,
                preAuthCommandBytes: Int = Self.defaultPreAuthCommandBytes,
                appendLiteralBytes: Int = Self.defaultAppendLiteralBytes,
                literalsPerCommand: Int = Self.defaultLiteralsPerCommand,
                saslLineBytes: Int = Self.defaultSASLLineBytes,
                nestingDepth: Int = Self.defaultNestingDepth) {
        self.commandBytes = max(commandBytes, Self.minimumCommandBytes)
        self.preAuthCommandBytes = max(preAuthCommandBytes, 1024)
        self.appendLiteralBytes = max(appendLiteralBytes, 1)
        self.literalsPerCommand = max(literalsPerCommand, 2)
        self.saslLineBytes = max(saslLineBytes, 1024)
        self.nestingDepth = max(nestingDepth, 8)
    }
}
