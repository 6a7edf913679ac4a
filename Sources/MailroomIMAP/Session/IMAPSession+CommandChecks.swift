// IMAPSession+CommandChecks — what a command that parsed and is allowed in this state must
// still pass before it runs: the flags a client may set, and, for a session that enabled
// IMAP4rev2, the RFC 3501 items RFC 9051 took out of the grammar. A refusal is a BAD (a
// protocol-level error in the client's command, RFC 3501 §7.1.3), counted like any BAD.
//
// Standards:
// - RFC 3501 §2.3.2 and RFC 9051 §2.3.2: the system flags are \Seen \Answered \Flagged
//   \Deleted \Draft (and \Recent, which "cannot be altered by the client"; the parser refuses
//   it already). RFC 3501 §9 keeps flag-extension ("\" atom) "for future expansion"; a server
//   that knows none has nothing to store for one. Dovecot answers "BAD Invalid system flag"
//   for APPEND and STORE (imap-commands-util.c, client_parse_mail_flags); so do we, instead of
//   storing the message or the change without it.
// - RFC 9051 §9 (IMAP4rev2 grammar): search-key has no RECENT, NEW or OLD; status-att has no
//   RECENT (E: the \Recent flag and the RECENT response are gone), so after ENABLE IMAP4rev2
//   they are refused, in SEARCH, STATUS and LIST … RETURN (STATUS (…)) alike.
// - RFC 9051 §6.3.1: ENABLE IMAP4rev2 "is only valid in the authenticated state"; with a
//   mailbox selected it is refused (other ENABLE names are taken there, as Dovecot does).
//
// Security: the refusal text names a flag only after the parser checked it is an atom (no
// CR, LF, "]" or quotes), and cuts it to 32 octets.

extension IMAPSession {
    /// Why `command` must not run (the BAD text), nil when it may.
    func commandRefusal(_ command: IMAPCommand) -> String? {
        switch command {
        case .store(_, _, _, let flags):
            return Self.invalidSystemFlag(flags.flags)
        case .append(_, let messages):
            for message in messages {
                if let refusal = Self.invalidSystemFlag(message.flags ?? []) { return refusal }
            }
            return nil
        case .replace(_, _, _, let message):
            return Self.invalidSystemFlag(message.flags ?? [])
        case .enable(let names) where names.contains(IMAPRevision.imap4rev2Capability.uppercased()):
            if case .selected = phase {
                return "ENABLE IMAP4rev2 is only allowed before a mailbox is selected"
            }
            return nil
        case .search(_, _, _, let criteria) where revision == .imap4rev2,
             .sort(_, _, _, _, let criteria) where revision == .imap4rev2,
             .thread(_, _, _, let criteria) where revision == .imap4rev2:
            for key in criteria {
                if let name = Self.recentKey(in: key) { return "\(name) is not an IMAP4rev2 search key (there is no \\Recent)" }
            }
            return nil
        case .status(_, let items) where revision == .imap4rev2 && items.contains(.recent):
            return "RECENT is not an IMAP4rev2 STATUS item (there is no \\Recent)"
        case .list(_, _, _, let options) where revision == .imap4rev2:
            for case .status(let items) in options where items.contains(.recent) {
                return "RECENT is not an IMAP4rev2 STATUS item (there is no \\Recent)"
            }
            return nil
        default:
            return nil
        }
    }

    /// The BAD text for the first `\`-flag in `flags` that is not a system flag a client may
    /// set, nil when there is none.
    static func invalidSystemFlag(_ flags: [Flag]) -> String? {
        for flag in flags {
            guard case .extension(let name) = flag else { continue }
            return "Invalid system flag \\\(String(decoding: name.utf8.prefix(32), as: UTF8.self)) "
                + "(a client may set \\Seen \\Answered \\Flagged \\Deleted \\Draft and keywords)"
        }
        return nil
    }

    /// The name of the first RECENT, NEW or OLD key in `key` (searched through NOT, OR and
    /// parentheses), nil when it has none.
    static func recentKey(in key: SearchKey) -> String? {
        switch key {
        case .recent: "RECENT"
        case .new: "NEW"
        case .old: "OLD"
        case .not(let inner): recentKey(in: inner)
        case .or(let a, let b): recentKey(in: a) ?? recentKey(in: b)
        case .and(let keys): keys.lazy.compactMap { recentKey(in: $0) }.first
        default: nil
        }
    }
}
