// SMTPFraming.swift — what the SMTP input framers share: the step they return, the errors of
// message data, and the bytes they look for.
//
// Standards: RFC 5321 §2.3.8 (lines end with CRLF), §4.1.1.4 (DATA ends with <CRLF>.<CRLF>),
// §4.5.2 (transparency: dot-stuffing), §4.5.3.1 (size limits); RFC 3030 (BDAT); RFC 2045
// §2.7–2.8 (7bit and 8bit data contain no NUL and no CR or LF outside CRLF).
//
// Shape: the framing layer is the first of the three input layers (framing → grammar →
// session, see docs/style.md §3). Each framer is a value type fed with whatever bytes arrived
// and answering one `SMTPFramingStep` at a time: how many of those bytes it used and the event
// they completed, if any. A step without an event has used all of its input (anything it
// needs to keep is held inside, within a named limit); a step with an event may leave input
// unused, which belongs to whatever comes next — the session may switch framers between two
// steps (a command line "DATA", then message data). That is the contract of NIO's
// `ByteToMessageDecoder.decode`: move the reader index by `consumed`, return `.continue` after
// an event and `.needMoreData` otherwise.
//
// Security: nothing here grows with the input beyond the limits of `SMTPLimits`; message data
// is handed out in pieces as it arrives, never collected.

/// One step of a framer: the input bytes it used and the event they completed.
///
/// Invariant: `event == nil` implies that the whole input was used.
public struct SMTPFramingStep<Event> {
    /// How many bytes from the front of the input the framer used.
    public var consumed: Int
    /// The event those bytes completed, or nil when the framer needs more input.
    public var event: Event?

    public init(consumed: Int, event: Event?) {
        self.consumed = consumed
        self.event = event
    }
}

extension SMTPFramingStep: Sendable where Event: Sendable {}
extension SMTPFramingStep: Equatable where Event: Equatable {}

/// Why a message (DATA, or BDAT chunks) is refused. The framer keeps reading to the end of the
/// message whatever the problem, so that the session stays in step with the client; the
/// session answers the error once the end has come. Suggested replies are given per case;
/// the session owns the wire text (style.md §7).
public enum SMTPDataError: Error, Equatable, Sendable {
    /// A bare CR anywhere, or a CR or LF next to a line holding a lone dot (the ingredients of
    /// SMTP smuggling: CVE-2023-51764/51765/51766). Suggested reply:
    /// "550 5.5.2 bare CR or LF not allowed (SMTP smuggling)".
    case badLineEnding
    /// A NUL octet in DATA. RFC 2045 §2.7/§2.8 allow NUL in neither 7bit nor 8bit data; only
    /// BINARYMIME over BDAT (RFC 3030 §3) may carry it. Suggested reply:
    /// "554 5.6.0 NUL octet in message data".
    case nulByte
    /// More than `SMTPLimits.messageBytes` (RFC 1870). Suggested reply:
    /// "552 5.3.4 message size exceeds fixed maximum message size".
    case messageTooLarge
    /// A text line longer than `SMTPLimits.textLineBytes` (RFC 5321 §4.5.3.1.6, §4.5.3.1.9).
    /// Suggested reply: "500 5.5.6 line too long".
    case textLineTooLong
    /// The input ended (connection closed) before the end of the message. No reply is
    /// possible; the session discards the message.
    case unexpectedEndOfInput
}

/// What happened to a message once its end has come.
public enum SMTPMessageVerdict: Equatable, Sendable {
    /// Every byte handed out in data events, concatenated, is the message.
    case accepted
    /// The message must not be delivered; anything already written from its data events is
    /// to be thrown away.
    case rejected(SMTPDataError)
}

/// The octets the framers look at.
enum FramingByte {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let dot: UInt8 = 0x2E
    static let nul: UInt8 = 0x00
}

extension Collection<UInt8> {
    /// Runs `body` over the bytes as one contiguous buffer: without a copy for arrays, array
    /// slices and NIO's `ByteBufferView`, with one for other collections.
    func withFramingBuffer<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = withContiguousStorageIfAvailable(body) { return result }
        return Array(self).withUnsafeBufferPointer(body)
    }
}
