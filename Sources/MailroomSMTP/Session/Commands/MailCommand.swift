// MailCommand — MAIL FROM, which opens a mail transaction once the sender policy agrees.
//
// Standards: RFC 5321 §4.1.1.2 (MAIL), §4.1.4 (nested MAIL: 503), §4.1.1.11 (555 for
// parameters not offered); RFC 1870 §6 (SIZE above the fixed limit: 552 5.3.4); RFC 6152 and
// RFC 3030 §3 (BODY=8BITMIME/BINARYMIME); RFC 6531 §3.4–3.5 (SMTPUTF8; a UTF-8 reverse-path
// without it: 553 5.6.7); RFC 3461 §4.3–4.4 (RET, ENVID: kept for the DSN); RFC 4954 §5
// (AUTH=: kept as sent; trusting it is the server's decision); RFC 6409 §4.3 and RFC 4954 §6
// (530 5.7.0 before AUTH on submission: SMTPCommandTable's rules).
//
// Order of checks, each with its own reply: the table's rules (greeting, TLS, AUTH, nested),
// then parameters after HELO (555 5.5.4), declared SIZE (552 5.3.4), UTF-8 path without
// SMTPUTF8 (553 5.6.7). Only then is the sender policy asked (`checkSender`).

extension SMTPSession {
    // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    mutating func mail(_ command: SMTPCommand) -> Action {
        guard case .mail(let reversePath, let parameters) = command, let hello = state.hello else {
            preconditionFailure("MAIL row, \(command.verb) command, or no greeting")
        }
        if !hello.esmtp && !parameters.isEmpty { return .reply(.parametersNeedEHLO) }
        if let size = parameters.size, size > UInt64(max(0, configuration.limits.messageBytes)) { return .reply(.messageTooBig) }
        if command.requiresSMTPUTF8 && !parameters.smtpUTF8 { return .reply(.nonASCIIAddressNeedsSMTPUTF8) }
        state.phase = .checkingSender(reversePath, parameters)
        return .checkSender(reversePath, parameters)
    }

    /// The sender policy's answer to `checkSender`.
    public mutating func senderChecked(_ verdict: SenderVerdict) -> Action {
        guard case .checkingSender(let reversePath, let parameters) = state.phase, let hello = state.hello else {
            return eventOutOfTurn()
        }
        state.phase = .command
        switch verdict {
        case .accepted:
            let transaction = SMTPTransaction(reversePath: reversePath, parameters: parameters, recipients: [], hello: hello.domain,
                                              esmtp: hello.esmtp, tls: isTLS, authenticatedUser: state.authenticatedUser,
                                              smtpUTF8: parameters.smtpUTF8, maxMessageBytes: configuration.limits.messageBytes)
            state.transaction = OpenTransaction(transaction: transaction, chunking: nil)
            return .reply(.senderOK)
        case .rejected(let reply):
            return counted(.reply(reply))
        }
    }
}
