// IMAPCommandParser+Continuation — the lines a client sends in the middle of a command: a
// response to an AUTHENTICATE challenge, and the DONE that ends IDLE.
//
// Standards: RFC 3501 §6.2.2 and RFC 9051 §6.2.2:
//   authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp] *(CRLF base64)
//   ; "If the client wishes to cancel an authentication exchange, it issues a line consisting
//   ; of a single '*'"
// RFC 4959 §3 / RFC 9051: an empty response is sent as "=" in an initial response only; a
// continuation line may be empty (an empty response). RFC 2177 §3: idle = "IDLE" CRLF "DONE".
//
// Security: the AUTHENTICATE line's content is never put into an error reason.

/// A client's answer to an AUTHENTICATE challenge.
public enum AuthenticateResponse: Hashable, Sendable {
    /// The decoded octets (empty for an empty line or "=").
    case data([UInt8])
    /// "*": the client cancels (answer "tag BAD").
    case cancel
}

extension IMAPCommandParser {
    // base64 / "*"      (one line, without its CRLF)
    public func parseAuthenticateResponse(_ line: some Collection<UInt8>) throws(IMAPParseError) -> AuthenticateResponse {
        let bytes = Array(line)
        if bytes == [IMAPGrammar.asterisk] { return .cancel }
        if bytes.isEmpty || bytes == [IMAPGrammar.equals] { return .data([]) }
        return .data(try Self.base64(bytes, "the AUTHENTICATE response"))
    }

    // "DONE"            (one line, without its CRLF; any case)
    public func parseIdleDone(_ line: some Collection<UInt8>) throws(IMAPParseError) {
        guard line.count == 4, IMAPGrammar.upperString(line) == "DONE" else {
            throw IMAPParseError("expected DONE to end IDLE")
        }
    }
}
