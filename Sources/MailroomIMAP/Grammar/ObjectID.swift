// ObjectID — the identifiers of OBJECTID (RFC 8474): MAILBOXID, EMAILID and THREADID.
//
// Standards: RFC 8474 §4 (MAILBOXID in CREATE's and SELECT/EXAMINE's response code and as a
// STATUS item), §5.1 (EMAILID), §5.2 (THREADID), §6 (SEARCH EMAILID / THREADID), §7 (ABNF):
//   objectid = 1*255(ALPHA / DIGIT / "_" / "-")   ; characters in object identifiers are case significant
//   resp-text-code =/ "MAILBOXID" SP "(" objectid ")"
//   status-att-val =/ "MAILBOXID" SP "(" objectid ")"
//   msg-att-static =/ "EMAILID" SP "(" objectid ")" / "THREADID" SP ( "(" objectid ")" / nil )
//   search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid
// How Mailroom makes them (from MailStorage's GUIDs, so they need no storage of their own):
//   - MAILBOXID: "M" and the folder's GUID (Maildir: the 32 hex digits of dovecot-uidlist's `G`
//     header field, Dovecot's mailbox GUID), so it survives RENAME and a folder deleted and
//     created again gets a new one.
//   - EMAILID: "E" and the first `emailIDHashHexDigits` hex digits of SHA-256 of the message
//     GUID (Maildir: Dovecot's maildir GUID, the base file name unless the uidlist record has a
//     `G`). COPY and MOVE keep the GUID, so the copy has its source's EMAILID (RFC 8474 §5.1:
//     "MUST return the same EMAILID ... after a COPY or MOVE"); the same content APPENDed twice
//     gets two. (The GUID is hashed because a Maildir name holds '.', ',' and '=', which an
//     objectid may not, and may be longer than 255.)
//   - THREADID: NIL for every message. RFC 8474 §5.2 lets a server that does not thread at
//     delivery return NIL; Mailroom's THREAD (RFC 5256) is computed per command, not stored,
//     so it has no thread identity that stays the same as mail arrives. SEARCH THREADID
//     matches nothing.
// The leading letter keeps every identifier from starting with a digit or "-" (RFC 8474 §7
// asks for identifiers usable in other protocols, such as JMAP's Id, RFC 8620 §1.2).

import Crypto

public enum ObjectID {
    /// RFC 8474 §7: an objectid is at most 255 characters.
    public static let maximumLength = 255
    /// The hex digits of SHA-256 kept in an EMAILID: 128 bits, so two messages of one user
    /// sharing one by chance is not a concern.
    public static let emailIDHashHexDigits = 32

    /// MAILBOXID for a folder GUID.
    public static func mailboxID(guid: String) -> String {
        sanitized("M" + guid)
    }

    /// EMAILID for a message GUID.
    public static func emailID(guid: String) -> String {
        let digest = SHA256.hash(data: Array(guid.utf8))
        let hex = digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
        return "E" + hex.prefix(emailIDHashHexDigits)
    }

    /// Whether `text` is a valid objectid (RFC 8474 §7).
    public static func isValid<S: Collection>(_ text: S) -> Bool where S.Element == UInt8 {
        !text.isEmpty && text.count <= maximumLength && text.allSatisfy(isObjectIDChar)
    }

    /// ALPHA / DIGIT / "_" / "-".
    public static func isObjectIDChar(_ byte: UInt8) -> Bool {
        IMAPGrammar.isAlpha(byte) || IMAPGrammar.isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// Only the characters an objectid may hold, at most 255 (a GUID from another program's
    /// file could hold others).
    static func sanitized(_ text: String) -> String {
        String(decoding: text.utf8.filter(isObjectIDChar).prefix(maximumLength), as: UTF8.self)
    }

    /// "(" objectid ")".
    public static func write(_ id: String, to buffer: inout IMAPEncodeBuffer) {
        buffer.write("(\(id))")
    }
}
