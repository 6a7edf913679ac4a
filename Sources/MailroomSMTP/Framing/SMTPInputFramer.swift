// SMTPInputFramer.swift — the whole inbound framing of an SMTP connection in one value: command
// lines, SASL response lines, DATA message text and BDAT chunks, switched by the session.
// This is what the server's NIO `ByteToMessageDecoder` wraps.
//
// Standards: see SMTPLineFramer (RFC 5321 §2.3.8, §4.5.3.1.4; RFC 4954 §4), SMTPDataReader
// (RFC 5321 §4.1.1.4, §4.5.2), BDATReader (RFC 3030 §2); RFC 2920 (PIPELINING: the client may
// send several commands, and BDAT chunks, in one packet — so the framer must stop at the exact
// end of each frame).
//
// Shape: the framer starts in `.command` mode. The session, after handling a frame, tells it
// what comes next: `expectAuthResponse()` after a 334, `expectMessageData()` after a 354,
// `expectChunk(size:last:)` after parsing a BDAT command. Each of these modes lasts one frame
// (a line; a message; a chunk) and falls back to `.command` by itself, so a session that
// forgets to switch back cannot leave a connection reading commands with AUTH's larger limit
// or as message data. Bytes after a frame are never looked at before the session has had the
// chance to switch: commands pipelined after "<CRLF>.<CRLF>" or after a BDAT chunk come back
// as command lines, byte for byte.
//
// Configuration: every limit of `SMTPLimits`; the bare-LF policy of command lines.
//
// Security: the memory held is one partial command line at most (`SMTPLimits.authLineBytes`);
// message data is handed out as it arrives. SMTP smuggling: see SMTPDataReader — message text
// is only ever ended by the real "<CRLF>.<CRLF>".

/// The inbound framing of one SMTP connection.
public struct SMTPInputFramer: Sendable {
    public enum Mode: Equatable, Sendable {
        /// Command lines (`SMTPLimits.commandLineBytes`).
        case command
        /// One SASL response line (`SMTPLimits.authLineBytes`), then `.command`.
        case authResponse
        /// One message's DATA text, then `.command`.
        case messageData
        /// One BDAT chunk, then `.command`.
        case chunk
    }

    /// A complete unit of input.
    public enum Frame: Equatable, Sendable {
        /// A command line or SASL response line, without its line end.
        case line([UInt8])
        /// A line passed its limit; the rest of it is skipped (see SMTPLineFramer).
        case lineTooLong
        /// A line that cannot be a command (see SMTPLineFramer).
        case invalidLine(SMTPLineError)
        /// A piece of message text (DATA), unstuffed.
        case messageData([UInt8])
        /// The end of DATA, with the verdict. Back in `.command` mode.
        case messageEnd(SMTPMessageVerdict)
        /// A piece of a BDAT chunk.
        case chunkData([UInt8])
        /// The end of a BDAT chunk. Back in `.command` mode.
        case chunkEnd(BDATReader.ChunkEnd)
    }

    public let limits: SMTPLimits
    public private(set) var mode = Mode.command
    /// The command-line framer (its buffer is the only input the framer holds).
    public private(set) var lines: SMTPLineFramer
    /// The reader of the current or last DATA message (its byte count, its error so far).
    public private(set) var messageData: SMTPDataReader
    /// The reader of BDAT chunks, which keeps the size of the current message across chunks.
    public private(set) var chunks: BDATReader

    public init(limits: SMTPLimits = .default, bareLineFeed: SMTPLineFramer.BareLineFeedPolicy = .accept) {
        self.limits = limits
        lines = SMTPLineFramer(limits: limits, bareLineFeed: bareLineFeed)
        messageData = SMTPDataReader(limits: limits)
        chunks = BDATReader(limits: limits)
    }

    /// The next line is a SASL response (after a 334 challenge, RFC 4954 §4).
    public mutating func expectAuthResponse() {
        switchMode(to: .authResponse)
        lines.lineKind = .authResponse
    }

    /// Message text follows (after the 354 reply to DATA).
    public mutating func expectMessageData() {
        switchMode(to: .messageData)
        messageData = SMTPDataReader(limits: limits)
    }

    /// A BDAT chunk of `size` octets follows (after parsing "BDAT size [LAST]", whether or not
    /// the command is accepted). For `size` 0 the chunk's end is returned at once and the
    /// framer stays in `.command` mode.
    public mutating func expectChunk(size: Int, last: Bool) -> BDATReader.ChunkEnd? {
        switchMode(to: .chunk)
        if let end = chunks.startChunk(size: size, last: last) {
            mode = .command
            return end
        }
        return nil
    }

    /// Forgets the BDAT message size and error (RSET, or after a refused transaction).
    public mutating func resetTransaction() {
        chunks.resetMessage()
    }

    /// Reads from the front of `input` up to the end of the next frame, or all of it.
    public mutating func next(in input: some Collection<UInt8>) -> SMTPFramingStep<Frame> {
        switch mode {
        case .command, .authResponse:
            let step = lines.next(in: input)
            guard let event = step.event else { return SMTPFramingStep(consumed: step.consumed, event: nil) }
            if mode == .authResponse {
                mode = .command
                lines.lineKind = .command
            }
            let frame: Frame = switch event {
            case .line(let bytes): .line(bytes)
            case .lineTooLong: .lineTooLong
            case .invalidLine(let error): .invalidLine(error)
            }
            return SMTPFramingStep(consumed: step.consumed, event: frame)
        case .messageData:
            let step = messageData.next(in: input)
            switch step.event {
            case nil: return SMTPFramingStep(consumed: step.consumed, event: nil)
            case .data(let bytes)?: return SMTPFramingStep(consumed: step.consumed, event: .messageData(bytes))
            case .end(let verdict)?:
                mode = .command
                return SMTPFramingStep(consumed: step.consumed, event: .messageEnd(verdict))
            }
        case .chunk:
            let step = chunks.next(in: input)
            switch step.event {
            case nil: return SMTPFramingStep(consumed: step.consumed, event: nil)
            case .data(let bytes)?: return SMTPFramingStep(consumed: step.consumed, event: .chunkData(bytes))
            case .chunkEnd(let end)?:
                mode = .command
                return SMTPFramingStep(consumed: step.consumed, event: .chunkEnd(end))
            }
        }
    }

    /// The connection has closed: the error for an unfinished message or chunk, or nil.
    public func inputClosed() -> SMTPDataError? {
        switch mode {
        case .command, .authResponse: nil
        case .messageData: messageData.inputClosed()
        case .chunk: chunks.inputClosed()
        }
    }

    private mutating func switchMode(to newMode: Mode) {
        // Only ever true between frames: a line is returned at its LF, with nothing held.
        precondition(mode == .command && lines.isAtLineStart,
                     "SMTPInputFramer: switching to \(newMode) in the middle of a frame")
        mode = newMode
    }
}
