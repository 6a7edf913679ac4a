// StoreOutcome — what the queue did with a complete message the session asked it to store.
//
// Standards: RFC 5321 §4.1.1.4 and §6.1 (the 250 after the end of data is a promise to
// deliver or bounce: it may only be sent once the message is safely stored), RFC 5321 §4.3.2
// (451, 452, 552, 554 after the data).
//
// Security (durability): `.stored` is reported only after the queue's commit point (message
// and envelope fsynced and renamed, directory fsynced; docs/design.md, "The queue").

/// The result of committing a message to the queue.
public enum StoreOutcome: Sendable, Equatable {
    /// Committed under this queue ID (250 "queued as").
    case stored(queueID: String)
    /// Not stored; the session sends this reply (451 4.3.0 local error, 452 4.3.1 disk full …).
    case failed(SMTPReply)
}
