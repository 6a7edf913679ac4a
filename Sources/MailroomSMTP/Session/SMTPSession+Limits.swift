// SMTPSession+Limits — the limits on a misbehaving client: client errors and unrecognized
// commands are counted and, past the configured number, the connection is closed with
// "421 4.7.0"; a client that speaks HTTP (or asks for a proxy) is closed at once.
//
// Standards: RFC 5321 §4.2.2 and §4.3.2 (a server may answer 421 and close at any time),
// RFC 7504 (521: "does not accept mail"), RFC 3463 §3.8 (X.7.0 "Other or undefined security
// status" for these security-motivated closes).
//
// Policy, after Postfix (smtpd_hard_error_limit, smtpd_forbidden_commands) and Exim
// (smtp_max_unknown_commands):
// - A client error is a 4xx or 5xx reply the client caused: a syntax error, a command out of
//   sequence, a refused sender or recipient, a failed AUTH, a refused message. Not counted:
//   "452 4.5.3 Too many recipients" (the client is right to carry on, RFC 5321 §4.5.3.1.10)
//   and transient replies about this server's own trouble (X.3.X mail system and X.4.X
//   network subjects, such as "451 4.3.0 local error" or "4.4.3 directory failure").
// - The first `maxErrors` client errors are answered normally; the next one is answered
//   "421 4.7.0 <host> Error: too many errors" and closes. A stored message starts the count
//   again ("errors without delivering mail", as Postfix words it).
// - Unrecognized lines (unknown verbs, lines with NUL or a bare CR) count separately, and the
//   one after `maxUnknownCommands` closes with "421 4.7.0 … too many unrecognized commands".
// - HTTP request lines ("GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT ") and HTTP
//   header lines ("Host:", "User-Agent:") close at once with 521 5.7.0: this is a browser or a
//   proxy scanner, or a cross-protocol attack from a web page, and nothing it sends is mail.
//
// Configuration: SMTPSessionConfiguration.maxErrors, .maxUnknownCommands.
//
// Security: limits how long one client may keep a connection (and a session slot) busy with
// garbage, and how many addresses it may probe with refused RCPTs.

extension SMTPSession {
    /// Counts the reply of `action` if it is a client error; past the limit, closes instead.
    mutating func counted(_ action: Action) -> Action {
        let reply: SMTPReply
        switch action {
        case .reply(let r), .discardMessage(let r): reply = r
        default: return action
        }
        guard Self.isClientError(reply) else { return action }
        state.errorCount += 1
        if state.errorCount > configuration.maxErrors { return close(.tooManyErrors(serverName: hostName)) }
        return action
    }

    /// An unrecognized line: counted as such (and as an error); past the limit, closes.
    mutating func unrecognized(_ action: Action) -> Action {
        state.unknownCommandCount += 1
        if state.unknownCommandCount > configuration.maxUnknownCommands {
            return close(.tooManyUnrecognizedCommands(serverName: hostName))
        }
        return counted(action)
    }

    /// Whether a reply is a client error (see the header).
    static func isClientError(_ reply: SMTPReply) -> Bool {
        guard reply.code >= 400 else { return false }
        guard let code = reply.enhancedStatusCode else { return true }
        if code == .tooManyRecipients { return false }
        if code.statusClass == .persistentTransientFailure && (code.subject == 3 || code.subject == 4) { return false }
        return true
    }

    /// HTTP request methods that are never SMTP verbs (followed by a space).
    static let forbiddenVerbs = ["GET", "POST", "HEAD", "PUT", "OPTIONS", "CONNECT"]
    /// HTTP header names (with their colon) that start a line no SMTP client sends.
    static let forbiddenHeaders = ["HOST:", "USER-AGENT:"]

    /// Whether `line` is an HTTP request or header line (ASCII letters compared in any case).
    static func isForbiddenCommand(_ line: [UInt8]) -> Bool {
        let head = line.prefix(16).map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        for verb in forbiddenVerbs where head.starts(with: Array(verb.utf8) + [0x20]) { return true }
        for header in forbiddenHeaders where head.starts(with: Array(header.utf8)) { return true }
        return false
    }
}
