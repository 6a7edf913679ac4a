// StartTLSCommand — STARTTLS, and the end of the handshake it starts.
//
// Standards: RFC 3207 §4 ("220 Ready to start TLS"; "454 TLS not available due to temporary
// reason"; a STARTTLS on a TLS connection is refused), §4.2 (after the handshake "the server
// MUST discard any knowledge obtained from the client, such as the argument to the EHLO
// command, which was not obtained from the TLS negotiation itself"; the client must send EHLO
// again), RFC 2920 §3.1 (STARTTLS ends a pipelining group).
//
// Security (CVE-2011-0411, plaintext command injection): the adapter drops plaintext that
// was buffered after the STARTTLS line, and while the handshake runs the session executes no
// line it might still be given (phase `.startingTLS`). After the handshake the greeting, any
// transaction and any authentication are forgotten, so nothing said in clear carries over.

extension SMTPSession {
    // STARTTLS = "STARTTLS" CRLF
    mutating func startTLS(_ command: SMTPCommand) -> Action {
        if isTLS { return .reply(.tlsAlreadyActive) }
        guard configuration.startTLSAvailable else { return .reply(.tlsNotAvailable) }
        state.phase = .startingTLS
        return .startTLS(.readyToStartTLS)
    }

    /// The TLS handshake after STARTTLS succeeded. The client must send EHLO again.
    public mutating func tlsEstablished() -> Action {
        guard state.phase == .startingTLS else { return eventOutOfTurn() }
        connection.tls = true
        state.hello = nil
        state.transaction = nil
        state.authenticatedUser = nil
        state.phase = .command
        return .none
    }
}
