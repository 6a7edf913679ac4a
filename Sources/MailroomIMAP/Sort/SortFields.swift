// SortFields — the facts of a message header that SORT and THREAD compare: the sent date, the
// base subject, the first address of an address field and its display name.
//
// Standards: RFC 5256 §2.2 (sent date: the Date: field "adjusted by time zone"; "If the sent
// date cannot be determined (a Date: line is missing or contains invalid data), the
// INTERNALDATE for that message is used"), §3 (CC, FROM, TO: "addr-mailbox of the first
// address"), RFC 5957 §3 (DISPLAYFROM, DISPLAYTO: the RFC 2047-decoded display-name of the
// first address, "If the ... display-name is empty or does not exist, the addr-spec is used").
//
// Each reads the first field of its name, as Dovecot does. Addresses are parsed as ENVELOPE
// parses them (MessageStructure.addressList), so a group's name stands for the group and a
// bare local part has the host "MISSING_DOMAIN"; a Date: that parses to the epoch counts as
// missing (Dovecot's 0).

import MailroomMIME

/// The header facts SORT and THREAD read.
enum SortFields {
    /// The sent date (RFC 5256 §2.2) in seconds since 1970, else the internal date.
    static func sentDate(_ header: MIMEHeader?, internalDate: Int64) -> Int64 {
        guard let field = header?.first("Date"), let seconds = SentDate.seconds(field.unfoldedValue), seconds != 0 else {
            return internalDate
        }
        return seconds
    }

    /// The base subject of the first Subject: field (empty without one).
    static func baseSubject(_ header: MIMEHeader?) -> (subject: [UInt8], isReplyOrForward: Bool) {
        guard let field = header?.first("Subject") else { return ([], false) }
        return BaseSubject.extract(field.unfoldedValue)
    }

    /// The first address of the first `name` field, as ENVELOPE has it.
    static func firstAddress(_ header: MIMEHeader?, _ name: String) -> Address? {
        guard let field = header?.first(name) else { return nil }
        return MessageStructure.addressList(field.unfoldedValue).first
    }

    /// CC, FROM, TO: the collation key of the first address's addr-mailbox.
    static func firstMailbox(_ header: MIMEHeader?, _ name: String) -> [UInt8] {
        guard let mailbox = firstAddress(header, name)?.mailbox else { return [] }
        return SortCollation.key(String(decoding: mailbox, as: UTF8.self))
    }

    /// DISPLAYFROM, DISPLAYTO: the collation key of the first address's decoded display
    /// name, else of its addr-spec (RFC 5957 §3).
    static func displayName(_ header: MIMEHeader?, _ name: String) -> [UInt8] {
        guard let address = firstAddress(header, name) else { return [] }
        if let phrase = address.name {
            let decoded = EncodedWord.decode(phrase)
            if !decoded.isEmpty { return SortCollation.key(decoded) }
        }
        guard let mailbox = address.mailbox else { return [] }
        var spec = String(decoding: mailbox, as: UTF8.self)
        if let host = address.host { spec += "@" + String(decoding: host, as: UTF8.self) }
        return SortCollation.key(spec)
    }
}
