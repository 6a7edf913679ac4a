// Envelope — the ENVELOPE of a message (RFC 5322 header fields, parsed) and its addresses.
//
// Standards: RFC 3501 §7.4.2 and §9, RFC 9051 §7.5.2 and §9:
//   envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP
//              env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"
//   env-from = "(" 1*address ")" / nil            ; likewise sender, reply-to, to, cc, bcc
//   address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
//   addr-* = nstring
// RFC 3501 §7.4.2: a group is an address with NIL host and the group name as mailbox, ended
// by an address with NIL mailbox and host; the caller builds that list. An empty list is NIL.
// Fields are octets as the message holds them (RFC 2047 words are not decoded: §7.4.2).

/// A message envelope.
public struct Envelope: Hashable, Sendable {
    public var date: [UInt8]?
    public var subject: [UInt8]?
    public var from: [Address]
    public var sender: [Address]
    public var replyTo: [Address]
    public var to: [Address]
    public var cc: [Address]
    public var bcc: [Address]
    public var inReplyTo: [UInt8]?
    public var messageID: [UInt8]?

    public init(date: [UInt8]? = nil, subject: [UInt8]? = nil, from: [Address] = [], sender: [Address] = [],
                replyTo: [Address] = [], to: [Address] = [], cc: [Address] = [], bcc: [Address] = [],
                inReplyTo: [UInt8]? = nil, messageID: [UInt8]? = nil) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeByte(IMAPGrammar.openParen)
        buffer.writeNString(date)
        buffer.writeSpace()
        buffer.writeNString(subject)
        for list in [from, sender, replyTo, to, cc, bcc] {
            buffer.writeSpace()
            Address.writeList(list, to: &buffer)
        }
        buffer.writeSpace()
        buffer.writeNString(inReplyTo)
        buffer.writeSpace()
        buffer.writeNString(messageID)
        buffer.writeByte(IMAPGrammar.closeParen)
    }
}
