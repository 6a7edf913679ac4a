// SMTPDataWriter.swift — turns a stored message into the bytes to send after a 354 reply when
// Mailroom relays it: CRLF line ends, dot-stuffing, and the terminating ".<CRLF>".
//
// Standards: RFC 5321 §4.1.1.4 (the data ends with "<CRLF>.<CRLF>"), §4.5.2 (transparency:
// before sending a line that starts with a dot, the client adds one more), §2.3.8 (CR and LF
// only as CRLF).
//
// Policy (SMTP smuggling, outbound side): the next hop must never see a fake or premature end
// of data, whatever bytes our spool holds. Two modes:
// - `.normalize` (the default, for relaying): CRLF stays one line end, and every other CR
//   and LF becomes a CRLF of its own (so CR CR LF is two line ends); a message that does not
//   end with a line end gets one. After that there is no CR or LF outside CRLF, so dot-stuffing makes
//   "<CRLF>.<CRLF>" appear only at the real end. This is what the smuggling corpus README
//   asks of outbound relaying.
// - `.reject`: mox's smtp.DataWrite, pinned by the writer vectors of
//   shared/corpora/smtp-smuggling-cases/data_reader_vectors.jsonl: a bare CR or LF is
//   `badLineEnding`, a message not ending in CRLF is `missingFinalCRLF`.
// XXX: lines longer than 998 octets (RFC 5322 §2.1.1) are sent as they are; some next hops
// refuse them. Folding would change signed (DKIM) content, so it is not done here.
//
// Security: streaming, no buffering beyond one pending CR.

/// Encodes a message for the DATA phase of an outgoing SMTP transaction.
public struct SMTPDataWriter: Sendable {
    public enum LineEndingPolicy: Equatable, Sendable {
        /// Bare CR and LF become CRLF; a missing final line end is added.
        case normalize
        /// Bare CR or LF, or a missing final CRLF, is an error.
        case reject
    }

    public let lineEndings: LineEndingPolicy
    /// The next byte starts a line (true at the start: an initial dot is stuffed too).
    private var atLineStart = true
    /// A CR whose follower has not come yet; it is written once known.
    private var pendingCR = false
    private var failure: SMTPDataWriteError?

    public init(lineEndings: LineEndingPolicy = .normalize) {
        self.lineEndings = lineEndings
    }

    /// Encodes the next piece of the message, appending the wire bytes to `output`.
    /// After an error every call throws it again.
    public mutating func encode(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) throws(SMTPDataWriteError) {
        if let failure { throw failure }
        output.reserveCapacity(output.count + bytes.count + bytes.count / 64 + 8)
        failure = bytes.withFramingBuffer { encode($0, into: &output) }
        if let failure { throw failure }
    }

    /// Ends the message: the last line end if needed, then ".<CRLF>".
    public mutating func finish(into output: inout [UInt8]) throws(SMTPDataWriteError) {
        if let failure { throw failure }
        if pendingCR || !atLineStart {
            guard lineEndings == .normalize else {
                failure = .missingFinalCRLF
                throw .missingFinalCRLF
            }
            output += [FramingByte.cr, FramingByte.lf]
        }
        pendingCR = false
        atLineStart = true
        output += [FramingByte.dot, FramingByte.cr, FramingByte.lf]
    }

    /// A whole message at once.
    public static func encode(_ message: some Collection<UInt8>, lineEndings: LineEndingPolicy = .normalize) throws(SMTPDataWriteError) -> [UInt8] {
        var writer = SMTPDataWriter(lineEndings: lineEndings)
        var output: [UInt8] = []
        try writer.encode(message, into: &output)
        try writer.finish(into: &output)
        return output
    }

    private mutating func encode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> SMTPDataWriteError? {
        for byte in input {
            if pendingCR {
                pendingCR = false
                if byte != FramingByte.lf && lineEndings == .reject { return .badLineEnding }
                output += [FramingByte.cr, FramingByte.lf]
                atLineStart = true
                if byte == FramingByte.lf { continue }
            }
            switch byte {
            case FramingByte.cr:
                pendingCR = true
            case FramingByte.lf:
                if lineEndings == .reject { return .badLineEnding }
                output += [FramingByte.cr, FramingByte.lf]
                atLineStart = true
            default:
                // RFC 5321 §4.5.2: "If the first character of the line is a period, one
                // additional period is inserted at the beginning of the line."
                if atLineStart && byte == FramingByte.dot { output.append(FramingByte.dot) }
                output.append(byte)
                atLineStart = false
            }
        }
        return nil
    }
}

/// Why a message cannot be sent as it is (only with `SMTPDataWriter.LineEndingPolicy.reject`).
public enum SMTPDataWriteError: Error, Equatable, Sendable {
    /// A CR or LF that is not part of CRLF.
    case badLineEnding
    /// The message does not end with CRLF.
    case missingFinalCRLF
}
