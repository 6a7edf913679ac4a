// MessageStructure — a stored message's IMAP ENVELOPE and BODY/BODYSTRUCTURE, built from its
// MIME part tree (MailroomMIME).
//
// Standards: RFC 3501 §7.4.2 and RFC 9051 §7.5.2 (ENVELOPE: date, subject, from, sender,
// reply-to, to, cc, bcc, in-reply-to, message-id as they are in the header, not decoded;
// "If the Sender or Reply-To lines are absent in the [RFC-2822] header, or are present but
// empty, the server sets the corresponding member of the envelope to be the same value as the
// from member"; group syntax as (NIL NIL "name" NIL) … (NIL NIL NIL NIL). BODYSTRUCTURE: type,
// subtype, parameters, id, description, encoding, size; text/* adds lines; message/rfc822
// adds the enclosed message's envelope, body and lines; the extension data md5, disposition,
// language, location), RFC 2045 §5.2 (no Content-Type: text/plain; charset=us-ascii),
// RFC 2231 (extended parameter values).
//
// Dovecot compatibility, because clients and the imaptest scripts know its answers:
// - text/* without parameters gets ("charset" "us-ascii"); a part without Content-Type is
//   "text" "plain"; a missing transfer encoding is "7bit".
// - An RFC 2231 extended parameter is sent as `name*` with its value in charset'lang'%XX form,
//   as written, so clients that decode RFC 2231 see the original.
// - A multipart whose boundary never appears has one empty text/plain child (Dovecot's
//   EMPTY_BODYSTRUCTURE), since the grammar needs at least one.
// - An address without a domain gets host "MISSING_DOMAIN" and an empty local part
//   "MISSING_MAILBOX" (NIL host would mean a group marker).
// - Sizes are octets with CRLF line ends, and line counts count line ends.
//
// Security: every value is a byte string that the encoder quotes or sends as a literal; the
// tree depth is bounded by MIMELimits.maxNestingDepth, and the builder recurses only along it.

import MailroomMIME

public enum MessageStructure {
    /// ENVELOPE of the message whose header is `part`'s (the top message, or the message
    /// in a message/rfc822 part's body).
    public static func envelope(_ message: MIMEMessage, part index: Int = 0) -> Envelope {
        let header = message.parts[index].header
        func value(_ name: String) -> [UInt8]? {
            guard let field = header.first(name) else { return nil }
            return trimmed(field.unfoldedValue)
        }
        func addresses(_ name: String) -> [Address] {
            guard let field = header.first(name) else { return [] }
            return addressList(field.unfoldedValue)
        }
        let from = addresses("From")
        var sender = addresses("Sender")
        if sender.isEmpty { sender = from }
        var replyTo = addresses("Reply-To")
        if replyTo.isEmpty { replyTo = from }
        return Envelope(date: value("Date"), subject: value("Subject"), from: from, sender: sender, replyTo: replyTo,
                        to: addresses("To"), cc: addresses("Cc"), bcc: addresses("Bcc"),
                        inReplyTo: value("In-Reply-To"), messageID: value("Message-ID"))
    }

    /// BODY (extensions false) or BODYSTRUCTURE (true) of the message or part at `index`.
    public static func bodyStructure(_ message: MIMEMessage, part index: Int = 0, extensions: Bool = true) -> BodyStructure {
        let part = message.parts[index]
        switch part.structure {
        case .multipart(let children):
            let bodies = children.isEmpty
                ? [emptyBody]
                : children.map { bodyStructure(message, part: $0, extensions: extensions) }
            return .multipart(BodyStructure.Multipart(
                parts: bodies, subtype: part.contentType.subtype,
                parameters: parameters(part.contentType.parameters, textDefault: false),
                disposition: disposition(part), language: part.contentLanguage.map { Array($0.utf8) },
                location: part.contentLocation.map(trimmed)))
        case .message(let inner):
            // The enclosed message: its envelope and structure come from its own header.
            let body = bodyStructure(message, part: inner, extensions: extensions)
            return .singlePart(single(part, kind: .message(envelope: envelope(message, part: inner), body: body,
                                                           lines: UInt64(part.bodyLines))))
        case .single:
            let kind: BodyStructure.SinglePart.Kind = part.contentType.isText ? .text(lines: UInt64(part.bodyLines)) : .basic
            return .singlePart(single(part, kind: kind))
        }
    }

    private static func single(_ part: MIMEPart, kind: BodyStructure.SinglePart.Kind) -> BodyStructure.SinglePart {
        BodyStructure.SinglePart(
            type: part.contentType.type, subtype: part.contentType.subtype,
            parameters: parameters(part.contentType.parameters, textDefault: part.contentType.isText),
            id: part.contentID.map(trimmed), description: part.contentDescription.map(trimmed),
            encoding: part.contentTransferEncoding.name, octets: UInt64(part.bodyOctets), kind: kind,
            md5: part.contentMD5.map(trimmed), disposition: disposition(part),
            language: part.contentLanguage.map { Array($0.utf8) }, location: part.contentLocation.map(trimmed))
    }

    /// ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0), for a multipart without parts.
    static let emptyBody = BodyStructure.singlePart(BodyStructure.SinglePart(
        type: "text", subtype: "plain", parameters: [BodyParameter("charset", "us-ascii")],
        encoding: "7bit", octets: 0, kind: .text(lines: 0)))

    private static func parameters(_ list: [MIMEParameter], textDefault: Bool) -> [BodyParameter] {
        if list.isEmpty && textDefault { return [BodyParameter("charset", "us-ascii")] }
        return list.map { parameter in
            guard let charset = parameter.charset else {
                return BodyParameter(attribute: parameter.name, value: parameter.rawValue)
            }
            // RFC 2231 §4: charset'language'value with %XX for anything outside attribute-char.
            var value = Array(charset.utf8) + [UInt8(ascii: "'")] + Array((parameter.language ?? "").utf8) + [UInt8(ascii: "'")]
            for byte in parameter.rawValue {
                if isAttributeChar(byte) {
                    value.append(byte)
                } else {
                    value.append(UInt8(ascii: "%"))
                    value.append(hexDigits[Int(byte >> 4)])
                    value.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            return BodyParameter(attribute: parameter.name + "*", value: value)
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 2231 attribute-char: printable ASCII except SPACE, "*", "'", "%" and tspecials.
    private static func isAttributeChar(_ b: UInt8) -> Bool {
        guard b > 0x20, b < 0x7F else { return false }
        return !"*'%()<>@,;:\\\"/[]?=".utf8.contains(b)
    }

    private static func disposition(_ part: MIMEPart) -> BodyStructure.Disposition? {
        guard let disposition = part.contentDisposition else { return nil }
        return BodyStructure.Disposition(type: disposition.type,
                                         parameters: parameters(disposition.parameters, textDefault: false))
    }

    /// An address header as ENVELOPE addresses.
    static func addressList(_ value: [UInt8]) -> [Address] {
        AddressList.parse(value).map { item in
            switch item {
            case .mailbox(let mailbox):
                let local = mailbox.localPart.isEmpty ? Array("MISSING_MAILBOX".utf8) : mailbox.localPart
                return Address(name: mailbox.name, adl: mailbox.route, mailbox: local,
                               host: mailbox.domain ?? Array("MISSING_DOMAIN".utf8))
            case .groupStart(let name):
                return Address(name: nil, adl: nil, mailbox: name, host: nil)
            case .groupEnd:
                return Address(name: nil, adl: nil, mailbox: nil, host: nil)
            }
        }
    }

    /// Without leading and trailing white space; nil stays nil.
    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }), let end = bytes.lastIndex(where: { !isSpace($0) }) else {
            return []
        }
        return Array(bytes[start...end])
    }
}
