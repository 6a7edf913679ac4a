// SortProgram — a SORT command's sort criteria applied to the messages its search matched:
// each message's key for every criterion is computed once, then the messages are ordered by
// the keys in turn, REVERSE flipping one key, and by sequence number when all keys tie.
//
// Standards: RFC 5256 §3 (SORT):
//   ARRIVAL: the internal date and time;
//   CC / FROM / TO: "[IMAP] addr-mailbox of the first "cc" / "from" / "to" address" (the local
//     part; for a group, its name, which is what ENVELOPE puts in addr-mailbox);
//   DATE: "Sent date and time, as described in section 2.2" (the Date: field adjusted by its
//     zone; "If the sent date cannot be determined (a Date: line is missing or contains
//     invalid data), the INTERNALDATE for that message is used as the sent date");
//   REVERSE: "Followed by another sort criterion, has the effect of that criterion but in
//     reverse (descending) order";
//   SIZE: RFC822.SIZE; SUBJECT: the base subject (BaseSubject.swift);
//   "If two or more messages exactly match according to the sorting criteria, these messages
//   are sorted according to the order in which they appear in the mailbox" (sequence order,
//   whatever REVERSE says).
// RFC 5957 §3 (SORT=DISPLAY): DISPLAYFROM / DISPLAYTO: the display name of the first From /
//   To address, RFC 2047-decoded; "If the ... display-name is empty or does not exist, the
//   addr-spec is used" (mailbox@host); a group's name stands for the group.
// Strings compare by SortCollation (i;unicode-casemap keys); a missing field is the empty
// string, which sorts first.
//
// Dovecot compatibility (index-sort.c, which imaptest's sort-* scripts encode): addresses come
// from the first instance of the field, parsed as ENVELOPE parses them (MessageStructure: a
// mailbox without a domain is "local@MISSING_DOMAIN"), and a Date: that parses to 0 (the
// epoch) counts as missing.
//
// Security: the header of a message is read at most once per command, and only when a key
// needs it; the comparison is O(n log n) key comparisons, each linear in the keys' length.

import MailroomMaildir
import MailroomMIME

/// One message to be sorted or threaded: its sequence number in the client's view and its
/// metadata.
public struct SortMessage: Sendable, Equatable {
    public var sequence: UInt32
    public var info: MessageInfo

    public init(sequence: UInt32, info: MessageInfo) {
        self.sequence = sequence
        self.info = info
    }
}

/// A compiled sort program.
public struct SortProgram: Sendable {
    public let criteria: [SortCriterion]

    public init(_ criteria: [SortCriterion]) {
        self.criteria = criteria
    }

    /// Whether some key is read from the message header (not only the message list).
    public var needsHeader: Bool {
        criteria.contains { $0.key != .arrival && $0.key != .size }
    }

    /// `messages` ordered by the program. `header` gives a message's top-level header; it is
    /// called at most once per message, and only when a key needs it.
    public func sort<E: Error>(_ messages: [SortMessage], header: (SortMessage) throws(E) -> MIMEHeader) throws(E) -> [SortMessage] {
        var keys: [[SortValue]] = []
        keys.reserveCapacity(messages.count)
        for message in messages {
            let fields = needsHeader ? try header(message) : nil
            keys.append(criteria.map { SortValue.of($0.key, message.info, fields) })
        }
        let reversed = criteria.map(\.reversed)
        let order = messages.indices.sorted { a, b in
            for (index, reverse) in reversed.enumerated() {
                let left = keys[a][index], right = keys[b][index]
                if left == right { continue }
                return reverse ? right < left : left < right
            }
            return messages[a].sequence < messages[b].sequence
        }
        return order.map { messages[$0] }
    }
}

/// One message's value for one sort key.
enum SortValue: Equatable, Comparable {
    case number(Int64)
    case text([UInt8])

    static func < (a: SortValue, b: SortValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.text(let x), .text(let y)): x.lexicographicallyPrecedes(y)
        case (.number, .text): true
        case (.text, .number): false
        }
    }

    /// The value of `key` for a message; `header` is nil only for ARRIVAL and SIZE.
    static func of(_ key: SortKey, _ info: MessageInfo, _ header: MIMEHeader?) -> SortValue {
        switch key {
        case .arrival: return .number(info.internalDate)
        case .size: return .number(max(0, info.size))
        case .date: return .number(SortFields.sentDate(header, internalDate: info.internalDate))
        case .subject: return .text(SortFields.baseSubject(header).subject)
        case .from: return .text(SortFields.firstMailbox(header, "From"))
        case .to: return .text(SortFields.firstMailbox(header, "To"))
        case .cc: return .text(SortFields.firstMailbox(header, "Cc"))
        case .displayFrom: return .text(SortFields.displayName(header, "From"))
        case .displayTo: return .text(SortFields.displayName(header, "To"))
        }
    }
}
