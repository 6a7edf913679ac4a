// IMAPRevision — which IMAP a session speaks: IMAP4rev1 (RFC 3501, the default) or IMAP4rev2
// (RFC 9051), which a client chooses with `ENABLE IMAP4rev2` (RFC 9051 §6.3.1) and which the
// server announces next to IMAP4rev1 (RFC 9051 §6.1.1, Appendix A: a server may offer both;
// a client that does not enable IMAP4rev2 gets IMAP4rev1).
//
// Standards: RFC 9051 Appendix E ("Changes from RFC 3501 / IMAP4rev1"). What a client that
// enabled IMAP4rev2 sees differently here, and where it is done:
// - No \Recent flag and no RECENT response (E: "\Recent flag ... deprecated"; the rev2 grammar
//   keeps them only as obsolete-flag-recent and obsolete-recent-response): SELECT/EXAMINE
//   send neither RECENT nor OK [UNSEEN] (RFC 9051 §6.3.2), FETCH FLAGS and unsolicited updates
//   drop them (IMAPMailboxEngine+Revision). The RECENT, NEW and OLD search keys and the RECENT
//   STATUS item are not in the rev2 grammar: BAD (IMAPSession+CommandChecks), in SEARCH, SORT
//   and THREAD alike. A rev2 SELECT claims no \Recent in storage, so the messages stay recent
//   for the next IMAP4rev1 session (IMAPMailboxEngine: select and sync).
// - SEARCH answers with ESEARCH, with the (TAG …) correlator, also without RETURN (RFC 9051
//   §6.4.4, E: "SEARCH command now requires to return the ESEARCH response").
// - Mailbox names are UTF-8 (RFC 9051 §5.1, as after ENABLE UTF8=ACCEPT); a name the client
//   sent in modified UTF-7 is understood, and SELECT/EXAMINE answer with the mailbox's LIST
//   response (RFC 9051 §6.3.2: "The server MUST return a LIST response with the mailbox
//   name"), with OLDNAME when the name sent is not the one the server uses (RFC 9051 §9:
//   oldname-extended-item, "also returned when the server canonicalized the provided mailbox
//   name").
// - LIST: a level that exists only as the parent of other folders is \NonExistent (RFC 9051
//   §7.3.1, which implies \Noselect; mbx-list-sflag allows one of them), \HasChildren or
//   \HasNoChildren on every existing mailbox, special-use attributes by default.
// - ENABLE IMAP4rev2 is taken in the authenticated state only (RFC 9051 §6.3.1: "only valid in
//   the authenticated state"), answered with `* ENABLED IMAP4rev2`.
// The same in both (IMAP4rev1 clients get these too, as Dovecot gives them): OK [CLOSED] when
// a SELECT/EXAMINE replaces a selected mailbox, the UID in every unsolicited FETCH, STATUS
// DELETED and SIZE, ESEARCH and SEARCHRES ("$"), BINARY, UNSELECT, UID EXPUNGE, MOVE,
// NAMESPACE, LIST-EXTENDED/LIST-STATUS, the RFC 5530 response codes.
// Left to rev1's leniency (deprecated in RFC 9051, not forbidden, and harmless): LSUB, CHECK
// and the RFC822, RFC822.HEADER, RFC822.TEXT fetch items still work after ENABLE IMAP4rev2.
// XXX: RFC 9051 §5.1 lets a server normalise UTF-8 names (NFC); names are kept as sent.

/// The IMAP revision a session speaks.
public enum IMAPRevision: Sendable, Hashable {
    /// RFC 3501, until the client enables IMAP4rev2.
    case imap4rev1
    /// RFC 9051, after `ENABLE IMAP4rev2`.
    case imap4rev2

    /// The capability name, as announced and as ENABLED answers it.
    public static let imap4rev2Capability = "IMAP4rev2"
}
