// POP3Maildrop — the messages of a maildrop as the adapter hands them to the session when it
// opened and locked it: for each, its size as sent and its unique-id; and the deletion marks
// the session keeps over it.
//
// Standards: RFC 1939 §5 (messages are numbered from 1 in the order given; "the size in
// octets" is the exact size sent, so the CRLF-normalised size of the stored message, see
// POP3MessageWriter; deleted messages are left out of STAT and LIST), §7 (UIDL: unique-id =
// 1*70 octets of 0x21–0x7E, unique and stable across sessions).
//
// The numbering is fixed for the session: messages delivered meanwhile appear in the next one
// (RFC 1939 §8: the maildrop is locked and its list taken at login).
//
// Security: STAT is O(1) (running totals), LIST and UIDL linear; a 10,000-message maildrop
// is a few hundred kilobytes here.

/// One message of the maildrop.
public struct POP3MaildropMessage: Sendable, Hashable {
    /// Octets sent by RETR: the stored message with every bare LF made CRLF.
    public var size: Int
    /// The UIDL value (the Maildir base name, as Dovecot does by default).
    public var uniqueID: String

    public init(size: Int, uniqueID: String) {
        self.size = size
        self.uniqueID = uniqueID
    }

    /// RFC 1939 §7: 1 to 70 octets in 0x21–0x7E.
    public static func isValidUniqueID(_ id: String) -> Bool {
        (1...70).contains(id.utf8.count) && id.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }
}

/// The maildrop of a session, with its deletion marks.
struct POP3Maildrop: Sendable, Equatable {
    let messages: [POP3MaildropMessage]
    /// `deleted[i]`: message i + 1 is marked.
    private(set) var deleted: [Bool]
    /// Messages and octets not marked.
    private(set) var liveCount: Int
    private(set) var liveOctets: Int

    init(_ messages: [POP3MaildropMessage]) {
        self.messages = messages
        deleted = Array(repeating: false, count: messages.count)
        liveCount = messages.count
        liveOctets = messages.reduce(0) { $0 + $1.size }
    }

    /// Why message `number` cannot be used, or nil when it can.
    func refusal(_ number: Int) -> POP3Reply? {
        guard (1...messages.count).contains(number) else { return .noSuchMessage }
        return deleted[number - 1] ? .messageDeleted(number) : nil
    }

    func message(_ number: Int) -> POP3MaildropMessage { messages[number - 1] }

    /// The numbers of the messages not marked, ascending.
    var liveNumbers: [Int] { deleted.indices.filter { !deleted[$0] }.map { $0 + 1 } }

    /// The marked numbers, ascending.
    var markedNumbers: [Int] { deleted.indices.filter { deleted[$0] }.map { $0 + 1 } }

    mutating func mark(_ number: Int) {
        deleted[number - 1] = true
        liveCount -= 1
        liveOctets -= messages[number - 1].size
    }

    mutating func unmarkAll() {
        self = POP3Maildrop(messages)
    }
}
