// SMTPDataError+Reply — the one place where a refused message's framing error becomes the
// reply to the end of data (or to a BDAT chunk) (style.md §7).
//
// Standards: RFC 5321 §4.1.1.4 and §4.3.2 (replies after the data: 552, 554, 451, 452, 450,
// 550), §2.3.8 (CR and LF only as CRLF), §4.5.3.1.6 and §4.5.3.1.9 (text line and message
// size limits); RFC 1870 §6 (552 5.3.4); RFC 2045 §2.7–2.8 (no NUL in 7bit or 8bit text);
// RFC 3463 §3.7 (X.6.0 "Other or undefined media error") and §3.5 (X.4.2 "Bad connection").
//
// Security: the bare CR/LF case is how SMTP smuggling (CVE-2023-51764/51765/51766) shows up;
// the reply names it so that an administrator reading a sender's bounce knows why.

extension SMTPDataError {
    /// The reply refusing a message with this error.
    public var reply: SMTPReply {
        switch self {
        case .badLineEnding:
            return SMTPReply(code: 554, .mediaError, "Error: bare <CR> or <LF> in message data (SMTP smuggling protection)")
        case .nulByte:
            return SMTPReply(code: 554, .mediaError, "Error: NUL octet in message data")
        case .messageTooLarge:
            return .messageTooBig
        case .textLineTooLong:
            return SMTPReply(code: 554, .mediaError, "Error: message data line too long")
        case .unexpectedEndOfInput:
            // No one will read it: the connection is gone. It must not count as a client error.
            return SMTPReply(code: 451, .badConnection, "Error: connection lost in message data")
        }
    }
}
