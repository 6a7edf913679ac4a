// HelloCommand — EHLO and HELO: the client names itself, the server answers with its name and,
// for EHLO, the extensions it offers now.
//
// Standards: RFC 5321 §4.1.1.1 (EHLO/HELO; ehlo-ok-rsp), §4.1.4 (EHLO may be repeated; a new
// EHLO resets the transaction "exactly as if a RSET command had been issued"); RFC 2920
// (PIPELINING), RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2034
// (ENHANCEDSTATUSCODES), RFC 3030 (CHUNKING), RFC 3461 (DSN), RFC 3207 §4 (STARTTLS is not
// offered once TLS is active), RFC 4954 §3 (AUTH lists the mechanisms usable now), RFC 5802
// §6 (a "-PLUS" mechanism needs TLS channel binding).
//
// After HELO no extension is offered, so every ESMTP parameter and AUTH and BDAT are refused
// (RFC 5321 §4.1.1.1: a HELO client gets no service extensions).
//
// XXX: BINARYMIME (RFC 3030 §3) is not advertised: BODY=BINARYMIME is accepted for a client
// that sends it with BDAT anyway, but the queue cannot convert binary content for a peer
// without BINARYMIME, so offering it would invite mail we may be unable to relay.
//
// Security: AUTH is advertised only where it is accepted (never before TLS when
// `authRequiresTLS`), so clients do not send passwords in clear on our invitation.

extension SMTPSession {
    // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
    mutating func ehlo(_ command: SMTPCommand) -> Action {
        guard case .ehlo(let domain) = command else { preconditionFailure("EHLO row, \(command.verb) command") }
        return greet(Hello(domain: domain, esmtp: true),
                     reply: .ehlo(serverName: hostName, extensions: serviceExtensions))
    }

    // helo = "HELO" SP Domain CRLF
    mutating func helo(_ command: SMTPCommand) -> Action {
        guard case .helo(let domain) = command else { preconditionFailure("HELO row, \(command.verb) command") }
        return greet(Hello(domain: domain, esmtp: false), reply: .helo(serverName: hostName))
    }

    /// Records the greeting; inside a transaction, resets it (RFC 5321 §4.1.4).
    private mutating func greet(_ hello: Hello, reply: SMTPReply) -> Action {
        state.hello = hello
        guard state.transaction != nil else { return .reply(reply) }
        endTransaction()
        return .resetTransaction(reply)
    }

    /// What EHLO offers now.
    var serviceExtensions: ServiceExtensions {
        ServiceExtensions(pipelining: true, size: UInt64(max(0, configuration.limits.messageBytes)),
                          startTLS: configuration.startTLSAvailable && !isTLS, authMechanisms: offeredAuthMechanisms,
                          enhancedStatusCodes: true, eightBitMIME: true, binaryMIME: false, dsn: true, smtpUTF8: true,
                          chunking: true)
    }

    /// The mechanisms AUTH accepts now: none once authenticated or while TLS is required and
    /// missing; "-PLUS" (channel binding) ones only on TLS.
    var offeredAuthMechanisms: [SASLMechanism] {
        guard !isAuthenticated, authenticationAllowedNow else { return [] }
        return configuration.authMechanisms.filter { !Self.needsChannelBinding($0) || isTLS }
    }

    /// TLS is active, or AUTH does not need it here.
    var authenticationAllowedNow: Bool { isTLS || !configuration.authRequiresTLS }

    /// RFC 5802 §6: "-PLUS" mechanisms bind to the TLS channel.
    static func needsChannelBinding(_ mechanism: SASLMechanism) -> Bool {
        mechanism.name.hasSuffix("-PLUS")
    }
}
