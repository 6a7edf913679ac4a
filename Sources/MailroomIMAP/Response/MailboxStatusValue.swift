// MailboxStatusValue — one item of a STATUS response ("MESSAGES 231").
//
// Standards: RFC 3501 §7.2.4 and RFC 9051 §7.3.4:
//   status-att-list = status-att-val *(SP status-att-val)
//   status-att-val = "MESSAGES" SP number / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
//                    "UNSEEN" SP number / "DELETED" SP number / "SIZE" SP number64 /
//                    "RECENT" SP number / "HIGHESTMODSEQ" SP mod-sequence-valzer /
//                    "DELETED-STORAGE" SP number64 (RFC 9208 §9) /
//                    "MAILBOXID" SP "(" objectid ")" (RFC 8474 §7)

/// A STATUS item and its value.
public struct MailboxStatusValue: Hashable, Sendable {
    public var attribute: StatusAttribute
    public var value: UInt64
    /// MAILBOXID's objectid (`value` is unused then).
    public var objectID: String?

    public init(_ attribute: StatusAttribute, _ value: UInt64) {
        self.attribute = attribute
        self.value = value
    }

    /// MAILBOXID (objectid).
    public init(mailboxID: String) {
        self.attribute = .mailboxID
        self.value = 0
        self.objectID = mailboxID
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        if let objectID {
            buffer.write("\(attribute.rawValue) ")
            ObjectID.write(objectID, to: &buffer)
        } else {
            buffer.write("\(attribute.rawValue) \(value)")
        }
    }
}
