// MailboxName — a mailbox name as it travels on the wire: the octets of the astring, before
// any modified UTF-7 (RFC 3501 §5.1.3) or UTF-8 (RFC 6855, RFC 9051) interpretation, which the
// session does once it knows what the client enabled.
//
// Standards: RFC 3501 §5.1 and RFC 9051 §5.1 ("The case-insensitive mailbox name INBOX is a
// special name reserved to mean 'the primary mailbox'": any case of INBOX is stored here as
// "INBOX"), RFC 3501 §9 (mailbox = "INBOX" / astring).
//
// XXX: only the whole name is normalised. "inbox/Sub" stays as sent: whether a child of INBOX
// is case-insensitive too depends on the hierarchy delimiter, which the store knows (Dovecot
// normalises the prefix when the delimiter matches); the session may do the same.
//
// Security: the octets are kept as sent (NUL cannot reach here: the parser refuses it); the
// encoder writes them as an atom, a quoted string or a literal, whichever is safe.

/// A mailbox name's wire octets, with INBOX normalised.
public struct MailboxName: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let inbox = MailboxName(Array("INBOX".utf8))

    /// `bytes`, with any case of "INBOX" made "INBOX".
    public init(_ bytes: some Collection<UInt8>) {
        if bytes.count == 5, IMAPGrammar.upperString(bytes) == "INBOX" {
            self.bytes = Array("INBOX".utf8)
        } else {
            self.bytes = Array(bytes)
        }
    }

    public init(_ string: String) { self.init(Array(string.utf8)) }

    public var isInbox: Bool { bytes.elementsEqual("INBOX".utf8) }

    /// The octets as a String (invalid UTF-8 replaced): for logs and tests.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    // mailbox = "INBOX" / astring
    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.writeAString(bytes) }
}
