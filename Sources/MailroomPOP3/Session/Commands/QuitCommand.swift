// QuitCommand — QUIT, and the UPDATE state it starts in TRANSACTION.
//
// Standards: RFC 1939 §4 (QUIT in AUTHORIZATION: "+OK", close), §6 (QUIT in TRANSACTION:
// the UPDATE state removes the marked messages, then "+OK" — or "-ERR some deleted messages
// not removed" — and the connection closes; the session does not return to TRANSACTION).
//
// Security: this is the only way deletions are committed; timeouts, shutdowns and dropped
// connections delete nothing.

extension POP3Session {
    // quit = "QUIT"
    mutating func quit(_ command: POP3Command) -> Action {
        guard protocolState == .transaction, let maildrop = state.maildrop else { return close(.goodbye) }
        let marked = maildrop.markedNumbers
        guard !marked.isEmpty else { return close(.loggedOut(deleted: 0)) }
        state.phase = .committing(count: marked.count)
        return .commitDeletions(marked)
    }

    /// The result of `.commitDeletions`: the last reply, then close.
    public mutating func deletionsCommitted(_ result: POP3CommitResult) -> Action {
        guard case .committing(let count) = state.phase else { return eventOutOfTurn() }
        switch result {
        case .committed: return close(.loggedOut(deleted: count))
        case .failed: return close(.deletionFailed)
        }
    }
}
