// MIMEMessage+Section — IMAP section numbers resolved to parts and byte ranges, for
// BODY[section], BODY[section.MIME], BODY[section.HEADER] and BODY[section.TEXT].
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5 ("Every message has at least one part
// number. Non-[MIME-IMB] messages, and non-multipart [MIME-IMB] messages with no encapsulated
// message, only have a part 1. Multipart messages are assigned consecutive part numbers, as
// are the parts in the multipart. ... If the part is of type MESSAGE/RFC822, then the parts of
// the encapsulated message are numbered under it"; HEADER and TEXT after a part number need a
// MESSAGE/RFC822 part; MIME needs a part number).
//
// Public API:
//   message.part(at section: [Int]) -> MIMEPart?      ([] is the message itself)
//   message.message(at section: [Int]) -> MIMEPart?   (the message HEADER/TEXT refer to)
//   message.range(of section: [Int], _ text: SectionText? = nil) -> Range<Int>?
//   SectionText: .header, .text, .mime
//
// Ranges are of the original octets; IMAP sends them with bare LF made CRLF
// (`crlfOctets(in:)` gives the size). HEADER.FIELDS uses `message(at:)?.header`.
//
// XXX: a multipart whose boundary never appears has no children here, so BODY[n.1] of it is
// nil; Dovecot answers with an empty text/plain part 1. The IMAP layer should answer it empty.

/// The text part specifiers that follow section numbers.
public enum SectionText: Sendable, Equatable {
    /// The message header (RFC 3501 "HEADER").
    case header
    /// The message body without its header ("TEXT").
    case text
    /// The MIME header of a body part ("MIME").
    case mime
}

extension MIMEMessage {
    /// The part `section` names, or nil when there is no such part. Numbers start at 1.
    public func part(at section: [Int]) -> MIMEPart? {
        var index = 0
        var asBodyPart = false   // whether `index` stands for a part already (not a message)
        for number in section {
            guard number >= 1 else { return nil }
            var node = parts[index]
            if asBodyPart {
                switch node.structure {
                case .multipart(let children):
                    guard number <= children.count else { return nil }
                    index = children[number - 1]
                    continue
                case .message(let m):
                    node = parts[m]   // the encapsulated message: its parts are numbered under it
                case .single:
                    return nil
                }
            }
            // `node` is a message: a multipart body gives parts 1..n; any other body is part 1.
            if case .multipart(let children) = node.structure {
                guard number <= children.count else { return nil }
                index = children[number - 1]
            } else {
                guard number == 1 else { return nil }
                index = node.index
            }
            asBodyPart = true
        }
        return parts[index]
    }

    /// The message whose header and text `section.HEADER` / `section.TEXT` name: the message
    /// itself for [], else the message inside the message/rfc822 part `section`.
    public func message(at section: [Int]) -> MIMEPart? {
        if section.isEmpty { return root }
        guard let part = part(at: section), let m = part.embeddedMessage else { return nil }
        return parts[m]
    }

    /// The octets BODY[section] (text nil), BODY[section.HEADER], BODY[section.TEXT] or
    /// BODY[section.MIME] refer to.
    public func range(of section: [Int], _ text: SectionText? = nil) -> Range<Int>? {
        switch text {
        case nil:
            if section.isEmpty { return 0..<bytes.count }
            return part(at: section)?.bodyRange
        case .header:
            return message(at: section)?.headerRange
        case .text:
            return message(at: section)?.bodyRange
        case .mime:
            guard !section.isEmpty else { return nil }
            return part(at: section)?.headerRange
        }
    }
}
