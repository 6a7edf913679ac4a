// DeletionCommands — DELE and RSET: deletion marks, which take effect only at QUIT.
//
// Standards: RFC 1939 §5 (DELE msg: marks the message; "-ERR message 2 already deleted";
// a marked message may not be referred to again; RSET: unmarks every message, "+OK maildrop
// has 2 messages (320 octets)"), §6 (nothing is removed before the UPDATE state).
//
// Security: marks live in the session only; a dropped connection forgets them.

extension POP3Session {
    // dele = "DELE" SP msg
    mutating func dele(_ command: POP3Command) -> Action {
        guard case .dele(let number) = command else { preconditionFailure("DELE row, \(command.keyword) command") }
        guard var maildrop = state.maildrop else { return eventOutOfTurn() }
        if let refusal = maildrop.refusal(number) { return clientError(refusal) }
        maildrop.mark(number)
        state.maildrop = maildrop
        return .reply(.messageMarked(number))
    }

    // rset = "RSET"
    mutating func rset(_ command: POP3Command) -> Action {
        guard var maildrop = state.maildrop else { return eventOutOfTurn() }
        maildrop.unmarkAll()
        state.maildrop = maildrop
        return .reply(.maildropSummary(messages: maildrop.liveCount, octets: maildrop.liveOctets))
    }
}
