// MessageHeaders — what local delivery reads from and adds to a message's header section:
// the Received: count and Delivered-To: values that reveal a mail loop (RFC 5321 §6.3; Postfix
// local(8) and qmail-local use Delivered-To: the same way), and the Return-Path: and
// Delivered-To: fields prepended on final delivery (RFC 5321 §4.4: the delivery SMTP server
// inserts Return-Path).
//
// One pass over the header section only (up to the first empty line, or the first line that is
// neither a field nor a continuation): the body may quote a bounce with its own Delivered-To:.
// Fields are unfolded (RFC 5322 §2.2.3) and names compared case-insensitively.
// Security: the message is untrusted; nothing in it chooses a path, and the prepended fields
// are built from the envelope, whose sender `reversePath(_:)` has checked for line breaks.

import MailroomCore
import MailroomSMTP

/// The header facts loop detection needs, from one scan.
public struct HeaderScan: Sendable, Equatable {
    /// Received: fields in the header section.
    public var receivedCount = 0
    /// Unfolded values of every Delivered-To: field.
    public var deliveredTo: [String] = []
    /// Whether the first line ends in CRLF (prepended fields use the message's own line ends).
    public var crlf = false

    public init(_ message: ArraySlice<UInt8>) {
        crlf = message.firstIndex(of: 0x0A).map { $0 > message.startIndex && message[$0 - 1] == 0x0D } ?? false
        var current: [UInt8]? = nil
        var start = message.startIndex
        func finish() {
            if let field = current { deliveredTo.append(String(decoding: field, as: UTF8.self)) }
            current = nil
        }
        while start < message.endIndex {
            let end = message[start...].firstIndex(of: 0x0A) ?? message.endIndex
            var line = message[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            start = end + 1
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {   // RFC 5322 §2.2.3 folding
                current?.append(contentsOf: line)
                continue
            }
            finish()
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { break }
            var name = line[line.startIndex..<colon]
            while name.last == 0x20 || name.last == 0x09 { name = name.dropLast() }
            if Self.equalsIgnoringCase(name, Self.receivedName) {
                receivedCount += 1
            } else if Self.equalsIgnoringCase(name, Self.deliveredToName) {
                current = Array(line[(colon + 1)...])
            }
        }
        finish()
    }

    static let receivedName = Array("received".utf8)
    static let deliveredToName = Array("delivered-to".utf8)

    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lower: [UInt8]) -> Bool {
        bytes.count == lower.count && zip(bytes, lower).allSatisfy { ((0x41...0x5A).contains($0) ? $0 + 0x20 : $0) == $1 }
    }

    /// Whether a Delivered-To: field already names `address`.
    public func wasDelivered(to address: EmailAddress) -> Bool {
        deliveredTo.contains { MessageHeaders.sameAddress($0, address) }
    }
}

public enum MessageHeaders {
    /// RFC 5321 §4.5.3.1.3: a reverse-path is at most 256 octets, angle brackets included.
    public static let maximumReversePathLength = 256

    /// The fields prepended on local delivery: Return-Path: (omitted when `returnPath` is nil)
    /// and Delivered-To:, with the message's line ends. The ASCII form of the address keeps the
    /// header ASCII whenever the local part is (RFC 6532 is needed only for a UTF-8 local part,
    /// which needs SMTPUTF8 to have arrived at all).
    public static func traceFields(returnPath: String?, deliveredTo recipient: EmailAddress, crlf: Bool) -> [UInt8] {
        let eol = crlf ? "\r\n" : "\n"
        var header = ""
        if let returnPath {
            // The queue's senders passed the SMTP grammar and `deliver`'s passed reversePath(_:);
            // a line break is dropped all the same, so no sender can add a header line.
            let safe = String(String.UnicodeScalarView(returnPath.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }))
            header += "Return-Path: <\(safe)>\(eol)"
        }
        header += "Delivered-To: \(recipient.ascii)\(eol)"
        return Array(header.utf8)
    }

    /// Only a Delivered-To: field, for the copy forwarded to remote targets: when it comes back
    /// through another system, the loop check here catches it.
    public static func forwardFields(deliveredTo recipient: EmailAddress, crlf: Bool) -> [UInt8] {
        Array("Delivered-To: \(recipient.ascii)\(crlf ? "\r\n" : "\n")".utf8)
    }

    /// Delivered-To: values name the same mailbox: compared as addresses (case-insensitive, IDNA
    /// or Unicode domain alike), or as case-insensitive text when the value does not parse.
    public static func sameAddress(_ value: String, _ address: EmailAddress) -> Bool {
        let text = stripAngleBrackets(trimmed(value))
        if let parsed = try? EmailAddress(text) { return parsed.ascii == address.ascii }
        return text.lowercased() == address.ascii.lowercased() || text.lowercased() == address.unicode.lowercased()
    }

    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }

    public static func stripAngleBrackets(_ text: String) -> String {
        text.hasPrefix("<") && text.hasSuffix(">") && text.count >= 2 ? String(text.dropFirst().dropLast()) : text
    }

    /// A recipient as given on a command line or in an envelope.
    public static func recipientAddress(_ text: String) throws(DeliveryFailure) -> EmailAddress {
        do {
            return try EmailAddress(stripAngleBrackets(text))
        } catch {
            throw DeliveryFailure(.unknownRecipient, .badDestinationMailboxSyntax, "recipient '\(text)': \(error)")
        }
    }

    /// The sender as it goes into Return-Path: (without brackets; "" for the null reverse-path).
    /// It is not normalized: VERP and SRS senders are case-sensitive. Refused when it contains a
    /// control character, space or angle bracket, so it cannot inject a header line.
    public static func reversePath(_ text: String) throws(DeliveryFailure) -> String {
        let path = stripAngleBrackets(text)
        func refuse(_ why: String) -> DeliveryFailure {
            DeliveryFailure(.invalidSender, .badSenderMailboxSyntax, "sender '\(text)': \(why)")
        }
        if path.utf8.count + 2 > maximumReversePathLength {
            throw refuse("longer than \(maximumReversePathLength) octets (RFC 5321 §4.5.3.1.3)")
        }
        if !isSafeInHeader(path) { throw refuse("contains a space, control character or angle bracket") }
        return path
    }

    /// No space, control character or angle bracket (safe between < and > in a header line).
    static func isSafeInHeader(_ path: String) -> Bool {
        !path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">"
                                               || $0.properties.generalCategory == .control })
    }

    /// The loop checks both delivery paths share: more Received: fields than `maximumReceived`
    /// (message-wide), or a Delivered-To: naming this recipient already.
    public static func loop(_ scan: HeaderScan, recipient: EmailAddress, maximumReceived: Int) -> DeliveryFailure? {
        if scan.receivedCount > maximumReceived {
            return DeliveryFailure(.invalidMessage, .routingLoop,
                                   "mail loop: the message has \(scan.receivedCount) Received: fields, more than \(maximumReceived)")
        }
        if scan.wasDelivered(to: recipient) {
            return DeliveryFailure(.invalidMessage, .routingLoop,
                                   "mail loop: the message was already delivered to \(recipient.ascii) (Delivered-To:)")
        }
        return nil
    }
}
