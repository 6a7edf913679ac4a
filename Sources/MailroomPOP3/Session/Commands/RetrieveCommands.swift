// RetrieveCommands — RETR and TOP: the adapter streams the message, the session waits.
//
// Standards: RFC 1939 §5 (RETR msg: "+OK" and the size, then the message as a multi-line
// response; a marked message is refused), §7 (TOP msg n: the header, the blank line, then n
// lines of the body; n may be 0 or more than the body has).
//
// The session does not see message octets: `.sendMessage` tells the adapter which message,
// and POP3MessageWriter does the byte-stuffing while it streams the file. Until
// `messageSent()` (or `messageUnavailable()`) no other reply may be written, so the session
// waits, and a pipelining client's next commands stay queued in the adapter.

extension POP3Session {
    // retr = "RETR" SP msg;  top = "TOP" SP msg SP n
    mutating func retrieve(_ command: POP3Command) -> Action {
        let number: Int
        let bodyLines: Int?
        switch command {
        case .retr(let n): (number, bodyLines) = (n, nil)
        case .top(let n, let lines): (number, bodyLines) = (n, lines)
        default: preconditionFailure("RETR/TOP row, \(command.keyword) command")
        }
        guard let maildrop = state.maildrop else { return eventOutOfTurn() }
        if let refusal = maildrop.refusal(number) { return clientError(refusal) }
        state.phase = .sendingMessage
        let reply: POP3Reply = bodyLines == nil ? .messageFollows(octets: maildrop.message(number).size) : .topFollows
        return .sendMessage(reply, number: number, bodyLines: bodyLines)
    }

    /// The message of a `.sendMessage` was written in full.
    public mutating func messageSent() -> Action {
        guard case .sendingMessage = state.phase else { return eventOutOfTurn() }
        state.phase = .transaction
        return .none
    }

    /// The message of a `.sendMessage` could not be opened; nothing of it was written.
    public mutating func messageUnavailable() -> Action {
        guard case .sendingMessage = state.phase else { return eventOutOfTurn() }
        state.phase = .transaction
        return .reply(.messageUnavailable)
    }
}
