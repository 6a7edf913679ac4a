// POP3UniqueID — the UIDL value of a message: its Maildir file name without the info part.
//
// Standards: RFC 1939 §7 (unique-id: 1 to 70 octets of 0x21–0x7E, the same for a message in
// every session), maildir(5) ("unique names"; the info part after ':' holds flags), Dovecot's
// ",S=" and ",W=" size fields after the base.
//
// Why the name up to ':': it is fixed when the message is delivered — the ",S=" and ",W=" size
// fields included, which Dovecot, Courier and vpopmail write at delivery — and survives the
// move from new/ to cur/, flag changes by IMAP clients (only the info after ':' changes; our
// Maildir engine keeps the fields too) and restarts, with no state of our own. It is exactly
// what qmail-pop3d (with vpopmail), Courier and Dovecot with pop3_uidl_format = %f send (the
// bench, scripts/bench/pop3, compares every UIDL with Dovecot 2.3's %f), so POP3 clients of
// those servers do not download everything again (docs/design.md, "The POP3 server", says what
// a site coming from Dovecot's default format needs). Cutting at the first ',' instead would
// change the UIDL of every message those servers delivered with size fields.
//
// A name that is not a valid unique-id (longer than 70 octets, say with a long host name, or
// with octets outside 0x21–0x7E) is replaced by "X" and the MD5 of that name in hex (33
// octets): still stable and, in practice, unique.

import MailroomCore
import MailroomMaildir
import MailroomPOP3
import MailroomSASL

enum POP3UniqueID {
    /// The unique-id of the message in file `path` (a path or a bare file name).
    static func of(file path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let unique = withoutInfo(name)
        if POP3MaildropMessage.isValidUniqueID(unique) { return unique }
        return "X" + Hex.encode(MD5State.digest(Array(unique.utf8)))
    }

    /// The part of a Maildir file name before the first ':' (the info: flags), fields kept.
    static func withoutInfo(_ name: String) -> String {
        String(name[..<(name.firstIndex(of: ":") ?? name.endIndex)])
    }
}
