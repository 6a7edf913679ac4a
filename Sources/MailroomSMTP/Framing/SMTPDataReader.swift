// SMTPDataReader.swift — reads the message text that follows a 354 reply to DATA: finds the
// end of data, removes dot-stuffing, and hands the message out in pieces as it arrives.
//
// Standards: RFC 5321 §4.1.1.4 (DATA: the mail data ends with "<CRLF>.<CRLF>", and only that
// sequence ends it — §4.1.1.4 and §2.3.8 say a bare LF or CR is not a line end), §4.5.2
// (transparency: a line starting with a dot has that dot removed), §4.5.3.1.6 (text line at
// least 1000 octets), §4.5.3.1.7 (message content at least 64K octets), §4.5.3.1.9 (500 Line
// too long, 552 Too much mail data); RFC 1870 (SIZE); RFC 2045 §2.7–2.8 (no NUL in 7bit or
// 8bit data).
//
// Policy (SMTP smuggling, CVE-2023-51764/51765/51766): exactly the one of mox's
// smtp.DataReader, as pinned by shared/corpora/smtp-smuggling-cases/data_reader_vectors.jsonl:
// - Only CR LF "." CR LF ends the data, where the first CR LF ends a line (or is the 354
//   itself: a message may be empty).
// - A bare LF inside an ordinary line is tolerated and passed through unchanged (real
//   messages have them); it does not end a line for dot-unstuffing, and never ends the data.
// - A bare CR anywhere is `badLineEnding`.
// - A lone dot with a LF or CR next to it — "<CRLF>.<LF>", "<LF>.<LF>", "<LF>.<CRLF>",
//   "<CRLF>.<CR>x" — is `badLineEnding`: that is a fake end of data that another server
//   might honour.
// - NUL is `nulByte` (RFC 2045; this goes further than mox, so that the corpus case S07,
//   "<CRLF>NUL.<CRLF>", is refused too).
// - More than `SMTPLimits.messageBytes` octets of message (after unstuffing, the final CRLF
//   included, the terminating ".<CRLF>" not) is `messageTooLarge`.
// - A line longer than `SMTPLimits.textLineBytes` (after unstuffing, its LF or CRLF
//   included; a bare LF ends a line for this count) is `textLineTooLong`: the message is
//   refused, not split or truncated. The default limit (64 KiB) is far above RFC 5322's 998,
//   so only pathological input is refused. XXX: Postfix instead accepts any line length; if
//   refusals show up in the logs for legitimate mail, make this a policy switch.
// The first problem found is the verdict. After it the reader hands out no more data (the
// session can stop spooling), but it keeps reading up to the real "<CRLF>.<CRLF>" so that the
// session answers 5xx there and stays in step: nothing before that point is ever returned
// to the command phase, whatever fake end sequences it holds.
//
// Configuration: `SMTPLimits.messageBytes`, `SMTPLimits.textLineBytes`.
//
// Security: no buffering — each data event is a run of the input as it came, so memory does
// not grow with the message or with its lines. The byte after the terminating LF is never
// looked at; the session gets it back as command input (pipelined commands after the data).

/// Reads the DATA phase of one message.
public struct SMTPDataReader: Sendable {
    public enum Event: Equatable, Sendable {
        /// The next piece of the message, unstuffed, line ends as received. Pieces are never
        /// empty. Data events stop once the message is known to be refused.
        case data([UInt8])
        /// The real end of data has been read. The reader is finished.
        case end(SMTPMessageVerdict)
    }

    private enum State: Sendable {
        /// At the start of a line that follows CRLF (or at the start of the message).
        case lineStart
        /// At the start of a "line" that follows a bare LF.
        case lineStartAfterBareLF
        /// A dot at the start of a line after CRLF (removed: stuffing, or the end).
        case dotAfterCRLF
        /// A dot at the start of a line after a bare LF (kept).
        case dotAfterBareLF
        /// CRLF "." CR: a LF now ends the data.
        case dotCR
        /// Inside a line.
        case midLine
        /// After a CR inside a line.
        case sawCR
        /// The end of data has been read.
        case finished
    }

    private enum ByteAction {
        /// The byte is message data.
        case keep
        /// The byte is not message data (a stuffing dot, or part of the terminator).
        case drop
        /// The byte ended the data.
        case end
    }

    public let limits: SMTPLimits
    private var state = State.lineStart
    private var lineByteCount = 0
    /// Octets of message so far (unstuffed), also counted after a problem.
    public private(set) var messageByteCount = 0
    /// The first problem found, if any: the verdict to come.
    public private(set) var error: SMTPDataError?

    public init(limits: SMTPLimits = .default) {
        self.limits = limits
    }

    /// True once the end of data has been read.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Reads from the front of `input`: up to the end of a run of message data, up to the end
    /// of the data, or all of it. After the end it uses nothing.
    public mutating func next(in input: some Collection<UInt8>) -> SMTPFramingStep<Event> {
        input.withFramingBuffer { step($0) }
    }

    /// The connection has closed: the error for an unfinished message, or nil.
    public func inputClosed() -> SMTPDataError? {
        isFinished ? nil : .unexpectedEndOfInput
    }

    private mutating func step(_ input: UnsafeBufferPointer<UInt8>) -> SMTPFramingStep<Event> {
        if isFinished { return SMTPFramingStep(consumed: 0, event: nil) }
        var runStart = 0
        var index = 0
        while index < input.count {
            if case .midLine = state {
                // Fast path: the run of ordinary bytes up to the next CR, LF or NUL changes
                // nothing but the counts.
                var end = index
                while end < input.count {
                    let byte = input[end]
                    if byte <= FramingByte.cr, byte == FramingByte.cr || byte == FramingByte.lf || byte == FramingByte.nul { break }
                    end += 1
                }
                if end > index {
                    countRun(end - index)
                    index = end
                    continue
                }
            }
            let action = take(input[index])
            index += 1
            switch action {
            case .keep:
                continue
            case .drop:
                let run = runStart..<(index - 1)
                runStart = index
                if error == nil && !run.isEmpty {
                    return SMTPFramingStep(consumed: index, event: .data(Array(input[run])))
                }
            case .end:
                // The dot and the CR before this LF were dropped, which cut the run.
                assert(runStart == index - 1)
                return SMTPFramingStep(consumed: index, event: .end(error.map { .rejected($0) } ?? .accepted))
            }
        }
        let run = runStart..<input.count
        if error == nil && !run.isEmpty {
            return SMTPFramingStep(consumed: input.count, event: .data(Array(input[run])))
        }
        return SMTPFramingStep(consumed: input.count, event: nil)
    }

    /// The state machine: one input byte.
    private mutating func take(_ byte: UInt8) -> ByteAction {
        switch state {
        case .lineStart:
            if byte == FramingByte.dot {
                // §4.5.2: the first dot of a line is removed; ".<CRLF>" alone ends the data.
                state = .dotAfterCRLF
                return .drop
            }
            return ordinary(byte)
        case .lineStartAfterBareLF:
            if byte == FramingByte.dot {
                // Not a line start for §4.5.2 (no CRLF before): the dot stays.
                state = .dotAfterBareLF
                count(byte)
                return .keep
            }
            return ordinary(byte)
        case .dotAfterBareLF:
            // "<LF>.<LF>", "<LF>.<CR>": a fake end of data.
            if byte == FramingByte.cr || byte == FramingByte.lf { fail(.badLineEnding) }
            return ordinary(byte)
        case .dotAfterCRLF:
            if byte == FramingByte.cr {
                state = .dotCR
                return .drop
            }
            // "<CRLF>.<LF>": a fake end of data.
            if byte == FramingByte.lf { fail(.badLineEnding) }
            return ordinary(byte)
        case .dotCR:
            if byte == FramingByte.lf {
                state = .finished
                return .end
            }
            // "<CRLF>.<CR>" and no LF: a bare CR (the CR itself was not kept).
            fail(.badLineEnding)
            return ordinary(byte)
        case .midLine:
            return ordinary(byte)
        case .sawCR:
            if byte == FramingByte.lf {
                state = .lineStart
                count(byte)
                return .keep
            }
            fail(.badLineEnding)
            return ordinary(byte)
        case .finished:
            preconditionFailure("SMTPDataReader: input after the end of data")
        }
    }

    /// A byte of a line that has no special meaning where it stands.
    private mutating func ordinary(_ byte: UInt8) -> ByteAction {
        switch byte {
        case FramingByte.cr: state = .sawCR
        case FramingByte.lf: state = .lineStartAfterBareLF
        case FramingByte.nul:
            fail(.nulByte)
            state = .midLine
        default: state = .midLine
        }
        count(byte)
        return .keep
    }

    /// Counts one byte of message data against the message and line limits.
    private mutating func count(_ byte: UInt8) {
        messageByteCount += 1
        lineByteCount += 1
        if messageByteCount > limits.messageBytes { fail(.messageTooLarge) }
        if lineByteCount > limits.textLineBytes { fail(.textLineTooLong) }
        if byte == FramingByte.lf { lineByteCount = 0 }
    }

    /// `count` for `n` ordinary bytes (no LF among them) at once, failing with the limit the
    /// byte-by-byte count would have hit first.
    private mutating func countRun(_ n: Int) {
        let toMessageLimit = limits.messageBytes - messageByteCount + 1   // bytes until it is exceeded
        let toLineLimit = limits.textLineBytes - lineByteCount + 1
        messageByteCount += n
        lineByteCount += n
        switch (toMessageLimit <= n, toLineLimit <= n) {
        case (true, true): fail(toMessageLimit <= toLineLimit ? .messageTooLarge : .textLineTooLong)
        case (true, false): fail(.messageTooLarge)
        case (false, true): fail(.textLineTooLong)
        case (false, false): break
        }
    }

    private mutating func fail(_ problem: SMTPDataError) {
        if error == nil { error = problem }
    }
}
