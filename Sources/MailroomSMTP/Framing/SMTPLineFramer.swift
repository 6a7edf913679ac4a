// SMTPLineFramer.swift — splits command-phase input (commands, and SASL responses during AUTH)
// into lines, with a bounded buffer.
//
// Standards: RFC 5321 §2.3.8 (lines end with <CRLF>), §4.1.1 (commands are lines),
// §4.5.3.1.4 (a command line is at most 512 octets including CRLF, as a minimum; ESMTP
// parameters make more legal: RFC 1869 §4.1.2), §4.5.3.1.9 ("500 Line too long");
// RFC 4954 §4 (SASL responses are lines; X.5.6 "authentication exchange line is too long").
//
// Policy for line ends in the command phase:
// - `<CRLF>` ends a line.
// - A bare LF also ends a line by default (`BareLineFeedPolicy.accept`), as Postfix does with
//   `smtpd_forbid_bare_newline = no` and as many scripts need. A command line carries no
//   message content, so a bare LF here cannot smuggle anything: the DATA reader, not this
//   framer, decides where a message ends. `.reject` makes such a line an `.invalidLine`.
// - A bare CR (not followed by LF) never ends a line: the whole line, up to its LF, becomes
//   `.invalidLine(.bareCarriageReturn)` — a syntax error for the session (500 5.5.2).
// - A NUL octet makes the line `.invalidLine(.nulByte)` (500 5.5.2).
// - A line longer than the limit (terminator included; a bare LF counts one octet) yields
//   `.lineTooLong` as soon as the limit is passed, without waiting for the end of the line;
//   the framer then discards input up to the next LF and goes on with the line after it.
//   So the session answers each too-long line exactly once (500 5.5.6 for AUTH, RFC 4954;
//   500 5.5.2 "line too long" for commands) and stays in step with a pipelining client.
//
// Configuration: `SMTPLimits.commandLineBytes` (smtp.* keys) for commands,
// `SMTPLimits.authLineBytes` for SASL responses — the caller picks with `lineKind`.
//
// Security: the framer holds at most `maximumLineBytes - 1` octets of a line; an 80,000-byte
// line without a newline costs no more memory than a legal one. Bytes after a returned line
// are never looked at, so the session can switch to DATA or BDAT at the exact byte after the
// command's line end.

/// Splits command-phase input into lines, bounded by `SMTPLimits`.
public struct SMTPLineFramer: Sendable {
    /// Which limit applies to the next line.
    public enum LineKind: Equatable, Sendable {
        /// An SMTP command: `SMTPLimits.commandLineBytes`.
        case command
        /// A SASL response after a 334 challenge (RFC 4954 §4): `SMTPLimits.authLineBytes`.
        case authResponse
    }

    /// Whether a LF without CR before it ends a command line.
    public enum BareLineFeedPolicy: Equatable, Sendable {
        /// A bare LF ends the line like CRLF (the default; Postfix's default).
        case accept
        /// A line ended by a bare LF is `.invalidLine(.bareLineFeed)`.
        case reject
    }

    public enum Event: Equatable, Sendable {
        /// A complete line, without its terminator.
        case line([UInt8])
        /// The line passed the limit. Its bytes are dropped, and so is the rest of it, up to
        /// and including the next LF; no further event is given for this line.
        case lineTooLong
        /// A complete line that is not acceptable; its bytes are dropped.
        case invalidLine(SMTPLineError)
    }

    public var limits: SMTPLimits
    /// The kind of the next line; set `.authResponse` after sending a 334 challenge.
    public var lineKind: LineKind = .command
    public var bareLineFeed: BareLineFeedPolicy

    /// The bytes of the current line held so far (never more than `maximumLineBytes - 1`).
    private var buffer: [UInt8] = []
    /// Octets of the current line seen so far, LF excluded (a CR counts).
    private var lineOctets = 0
    /// The last octet was a CR whose follower has not come yet.
    private var pendingCR = false
    /// The first problem found in the current line.
    private var lineError: SMTPLineError?
    /// After `.lineTooLong`: skipping to the next LF.
    public private(set) var isDiscarding = false

    public init(limits: SMTPLimits = .default, bareLineFeed: BareLineFeedPolicy = .accept) {
        self.limits = limits
        self.bareLineFeed = bareLineFeed
    }

    /// The longest acceptable line for `lineKind`, terminator included.
    public var maximumLineBytes: Int {
        switch lineKind {
        case .command: limits.commandLineBytes
        case .authResponse: limits.authLineBytes
        }
    }

    /// How many bytes of an unfinished line the framer holds.
    public var bufferedByteCount: Int { buffer.count }

    /// True when no part of a line is held or being skipped: the next byte starts a line.
    /// The session may switch to another framer only then (which it always is right after
    /// a `.line` or `.invalidLine` event).
    public var isAtLineStart: Bool { lineOctets == 0 && !pendingCR && !isDiscarding }

    /// Reads from the front of `input` up to the end of the next line, or all of it.
    public mutating func next(in input: some Collection<UInt8>) -> SMTPFramingStep<Event> {
        input.withFramingBuffer { step($0) }
    }

    private mutating func step(_ input: UnsafeBufferPointer<UInt8>) -> SMTPFramingStep<Event> {
        var index = 0
        while index < input.count {
            if isDiscarding {
                guard let lf = input[index...].firstIndex(of: FramingByte.lf) else {
                    return SMTPFramingStep(consumed: input.count, event: nil)
                }
                index = lf + 1
                isDiscarding = false
                continue
            }
            let byte = input[index]
            index += 1
            if byte == FramingByte.lf {
                let bare = !pendingCR
                let error = lineError ?? (bare && bareLineFeed == .reject ? .bareLineFeed : nil)
                let line = buffer
                startLine()
                if let error { return SMTPFramingStep(consumed: index, event: .invalidLine(error)) }
                return SMTPFramingStep(consumed: index, event: .line(line))
            }
            if pendingCR {
                // RFC 5321 §2.3.8: CR is only allowed as part of CRLF.
                pendingCR = false
                lineError = lineError ?? .bareCarriageReturn
            }
            if byte == FramingByte.cr {
                pendingCR = true
            } else {
                if byte == FramingByte.nul { lineError = lineError ?? .nulByte }
                if lineError == nil { buffer.append(byte) }
            }
            lineOctets += 1
            // Even a LF right now would make the line `lineOctets + 1` long.
            if lineOctets >= maximumLineBytes {
                startLine()
                isDiscarding = true
                return SMTPFramingStep(consumed: index, event: .lineTooLong)
            }
        }
        return SMTPFramingStep(consumed: input.count, event: nil)
    }

    private mutating func startLine() {
        buffer.removeAll(keepingCapacity: buffer.capacity <= 1024)
        lineOctets = 0
        pendingCR = false
        lineError = nil
    }
}

/// Why a command-phase line was refused (the session answers 500 5.5.2).
public enum SMTPLineError: Error, Equatable, Sendable {
    /// A CR not followed by LF (RFC 5321 §2.3.8).
    case bareCarriageReturn
    /// A line ended by LF alone, with `BareLineFeedPolicy.reject`.
    case bareLineFeed
    /// A NUL octet in the line.
    case nulByte
}
