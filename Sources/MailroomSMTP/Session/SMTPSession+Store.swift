// SMTPSession+Store — the end of a transaction: the queue's answer to `storeMessage`, after
// DATA's end of data or BDAT LAST.
//
// Standards: RFC 5321 §4.1.1.4 and §6.1 (the 250 after the data is the server taking
// responsibility for the message, so it follows the queue's commit, never precedes it; after
// the reply, success or not, the transaction is over and the client may start another),
// RFC 3463 (the queue's failure reply carries its enhanced code).

extension SMTPSession {
    /// The queue committed the message, or could not.
    public mutating func messageStored(_ outcome: StoreOutcome) -> Action {
        guard state.phase == .storing else { return eventOutOfTurn() }
        state.phase = .command
        endTransaction()
        switch outcome {
        case .stored(let queueID):
            state.errorCount = 0
            return .reply(.messageAccepted(queueID: queueID))
        case .failed(let reply):
            return .reply(reply)
        }
    }
}
