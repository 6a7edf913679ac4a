// RcptCommand — RCPT TO, which adds a recipient to the open transaction once the recipient
// policy accepts it (a local mailbox, or a relay the client is allowed).
//
// Standards: RFC 5321 §4.1.1.3 (RCPT), §4.5.3.1.8 and §4.5.3.1.10 (at least 100 recipients;
// beyond the limit "452 4.5.3 Too many recipients", which the client answers by sending the
// rest in another transaction); RFC 6531 §3.4–3.5 (a UTF-8 forward-path needs SMTPUTF8 on
// MAIL: 553 5.6.7); RFC 3461 §4.1–4.2 (NOTIFY, ORCPT: kept per recipient); RFC 1870 §6 (a
// recipient whose own size limit is below the declared SIZE is refused with 552 5.3.4, so the
// others still get the message); RFC 3030 §2 (no RCPT once BDAT chunks have been sent).
//
// Security: the relay decision is the policy's, taken on the parsed mailbox (the grammar has
// already dropped source routes and given "%", "!" and quoted "@" no meaning). The recipient
// cap bounds the envelope's size per transaction.

extension SMTPSession {
    // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] CRLF
    mutating func rcpt(_ command: SMTPCommand) -> Action {
        guard case .rcpt(let forwardPath, let parameters) = command, let hello = state.hello, let open = state.transaction else {
            preconditionFailure("RCPT row, \(command.verb) command, or no transaction")
        }
        if open.chunking != nil { return .reply(.commandAfterBDAT) }
        if !hello.esmtp && !parameters.isEmpty { return .reply(.parametersNeedEHLO) }
        if open.transaction.recipients.count >= configuration.limits.recipients { return .reply(.tooManyRecipients) }
        if command.requiresSMTPUTF8 && !open.transaction.smtpUTF8 { return .reply(.nonASCIIAddressNeedsSMTPUTF8) }
        state.phase = .checkingRecipient(forwardPath, parameters)
        return .checkRecipient(forwardPath, parameters)
    }

    /// The recipient policy's answer to `checkRecipient`.
    public mutating func recipientChecked(_ verdict: RecipientVerdict) -> Action {
        guard case .checkingRecipient(let forwardPath, let parameters) = state.phase, var open = state.transaction else {
            return eventOutOfTurn()
        }
        state.phase = .command
        switch verdict {
        case .accepted(let route, let limit):
            if let limit, let declared = open.transaction.parameters.size, declared > UInt64(max(0, limit)) {
                return .reply(.messageTooBig)
            }
            open.transaction.recipients.append(SMTPRecipient(path: forwardPath, parameters: parameters, route: route))
            if let limit { open.transaction.maxMessageBytes = min(open.transaction.maxMessageBytes, limit) }
            state.transaction = open
            return .reply(.recipientOK)
        case .rejected(let reply):
            return counted(.reply(reply))
        }
    }
}
