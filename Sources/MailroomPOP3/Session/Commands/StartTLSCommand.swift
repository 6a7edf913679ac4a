// StartTLSCommand — STLS, and the end of the handshake it starts (POP3Session.tlsEstablished).
//
// Standards: RFC 2595 §4 (STLS only in AUTHORIZATION; "+OK Begin TLS negotiation"; "-ERR"
// when TLS is active already or cannot be started; after the handshake the client must
// discard cached capabilities, and the server forgets what it learned in clear).
//
// Security (CVE-2011-0411): the adapter drops plaintext buffered after the STLS line; while
// the handshake runs the session executes no line (a line then closes the connection).

extension POP3Session {
    // stls = "STLS"
    mutating func stls(_ command: POP3Command) -> Action {
        if isTLS { return clientError(.tlsAlreadyActive) }
        guard configuration.startTLSAvailable else { return clientError(.tlsNotAvailable) }
        state.phase = .startingTLS
        return .startTLS(.beginTLS)
    }
}
