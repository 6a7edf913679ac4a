// StatusAttribute — an item STATUS (and LIST RETURN (STATUS ...)) asks for.
//
// Standards: RFC 3501 §6.3.10, RFC 9051 §6.3.11:
//   status-att = "MESSAGES" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "DELETED" / "SIZE"
// RFC 3501 adds "RECENT"; RFC 7162 §3.1.8 adds "HIGHESTMODSEQ"; RFC 8438 adds "SIZE"; RFC 9208
// §4.2.3 adds "DELETED-STORAGE" (and "DELETED" for IMAP4rev1), which a server announcing
// QUOTA=RES-STORAGE must support (§5.1). RFC 8474 §4.3 adds "MAILBOXID" (its value is
// "(" objectid ")", not a number: MailboxStatusValue.objectID).

/// A STATUS data item name.
public enum StatusAttribute: String, Hashable, Sendable, CaseIterable {
    case messages = "MESSAGES", recent = "RECENT", uidNext = "UIDNEXT", uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN", highestModSeq = "HIGHESTMODSEQ", size = "SIZE", deleted = "DELETED"
    case deletedStorage = "DELETED-STORAGE"
    case mailboxID = "MAILBOXID"

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(rawValue) }
}
