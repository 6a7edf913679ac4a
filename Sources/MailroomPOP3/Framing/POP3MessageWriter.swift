// POP3MessageWriter — the body of a multi-line RETR or TOP response: a stored message turned
// into wire octets (CRLF line ends, dot-stuffing, the terminating ".CRLF"), fed in chunks of
// any size and split, so a large message is streamed from its file without being loaded whole.
//
// Standards: RFC 1939 §3 (multi-line responses: "each line is terminated by a CRLF pair ...
// If any line of the multi-line response begins with the termination octet, the line is
// 'byte-stuffed' by pre-pending the termination octet to that line ... the multi-line
// response is terminated with the two octets '.CRLF'"), §7 (TOP: "the headers of the message,
// the blank line separating the headers from the body, and then the number of lines of the
// indicated message's body"), RFC 5322 §2.1 (lines end with CRLF) and §2.2 (the header ends
// at the first empty line).
//
// Line ends, on purpose:
// - CRLF is sent as it is, so a message stored with CRLF line ends goes out byte for byte
//   (plus stuffing dots and the terminator).
// - A bare LF becomes CRLF (Maildir files written by other tools often use LF).
// - A bare CR (not followed by LF) is sent as it is, and does not start a new line. This is
//   what MailroomCore's CRLF.normalized does, so the octet count a maildrop reports for a
//   message ("size as sent": its CRLF-normalised length) stays exact, and nothing in the
//   stored text is changed but line ends. XXX: a client that splits lines at a bare CR would
//   see a line starting with "." after one unstuffed; the SMTP layer refuses bare CR on
//   input, so only mail imported from elsewhere can hold one. Normalising CR to CRLF here
//   would have to change the reported sizes too.
// - A message that does not end with a line end gets a CRLF before ".CRLF" (the terminator
//   must be a line of its own). A lone CR at the very end becomes that CRLF's CR.
//
// TOP n m: the header and the blank line after it are always sent whole, then m body lines
// (a body line ends at LF; a last line without one counts too). A message without a blank
// line is all header. Once the lines are out, `isComplete` turns true, further input is
// ignored, and the adapter may stop reading the file.
//
// Security: state is four flags and a counter; nothing is buffered, so memory does not grow
// with the message or with a line's length. Dot-stuffing is applied at every line start, so no
// stored content can end the response early or inject a reply.
//
// Performance: runs between line ends are copied with one append each; the only per-line work
// is the LF search, the stuffing check and, for a bare LF, one inserted CR.

#if canImport(Glibc)
import Glibc
#endif

/// Encodes one message for RETR or TOP.
public struct POP3MessageWriter: Sendable {
    /// Body lines still to send for TOP (nil: RETR, everything).
    private var remainingBodyLines: Int?
    /// Still in the header (only tracked for TOP).
    private var inHeader: Bool
    /// The next octet starts a line.
    private var atLineStart = true
    /// The last octet written was a CR.
    private var lastWasCR = false
    /// Octets of the current line so far, CR included (only tracked for TOP: to find the
    /// empty line that ends the header).
    private var lineOctets = 0
    /// TOP has sent all it must: further input is ignored.
    public private(set) var isComplete = false
    /// `finish` was called.
    public private(set) var isFinished = false

    /// A writer for RETR (`bodyLines` nil) or for TOP with `bodyLines` lines of the body.
    public init(bodyLines: Int? = nil) {
        remainingBodyLines = bodyLines.map { max(0, $0) }
        inHeader = bodyLines != nil
    }

    /// Encodes the next piece of the message, appending the wire octets to `output`.
    public mutating func write(_ chunk: some Collection<UInt8>, into output: inout [UInt8]) {
        precondition(!isFinished, "POP3MessageWriter: write after finish")
        guard !isComplete else { return }
        if chunk.withContiguousStorageIfAvailable({ write($0, into: &output) }) == nil {
            Array(chunk).withUnsafeBufferPointer { write($0, into: &output) }
        }
    }

    /// Ends the message: the last line's CRLF if it had none, then ".CRLF".
    public mutating func finish(into output: inout [UInt8]) {
        precondition(!isFinished, "POP3MessageWriter: finish twice")
        isFinished = true
        if !isComplete && !atLineStart {
            if !lastWasCR { output.append(Octet.cr) }
            output.append(Octet.lf)
        }
        output += [Octet.dot, Octet.cr, Octet.lf]
    }

    /// A whole message at once (RETR when `bodyLines` is nil, else TOP).
    public static func encode(_ message: some Collection<UInt8>, bodyLines: Int? = nil) -> [UInt8] {
        var writer = POP3MessageWriter(bodyLines: bodyLines)
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 32 + 8)
        writer.write(message, into: &output)
        writer.finish(into: &output)
        return output
    }

    private mutating func write(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var index = 0
        while index < input.count && !isComplete {
            if atLineStart {
                // RFC 1939 §3: byte-stuff a line that begins with the termination octet.
                if input[index] == Octet.dot { output.append(Octet.dot) }
                atLineStart = false
            }
            // memchr: the C library's vectorised search, several times faster than a
            // byte loop over a 16 KiB message (the writer was the server's top symbol).
            guard let found = memchr(input.baseAddress! + index, Int32(Octet.lf), input.count - index) else {
                append(input, index..<input.count, to: &output)
                return
            }
            let lf = UnsafeRawPointer(found) - UnsafeRawPointer(input.baseAddress!)   // absolute index
            append(input, index..<lf, to: &output)
            let endedWithCR = lastWasCR
            if !endedWithCR { output.append(Octet.cr) }
            output.append(Octet.lf)
            lastWasCR = false
            atLineStart = true
            index = lf + 1
            endLine(endedWithCR: endedWithCR)
        }
    }

    /// Copies a run without LF.
    private mutating func append(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to output: inout [UInt8]) {
        guard !range.isEmpty else { return }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: input[range]))
        lastWasCR = input[range.upperBound - 1] == Octet.cr
        if remainingBodyLines != nil { lineOctets += range.count }
    }

    /// A LF was written: count the line for TOP. `endedWithCR`: the octet before the LF was
    /// a CR (so a one-octet line was just CRLF, an empty line).
    private mutating func endLine(endedWithCR: Bool) {
        guard let remaining = remainingBodyLines else { return }
        let empty = lineOctets == 0 || (lineOctets == 1 && endedWithCR)
        lineOctets = 0
        if inHeader {
            if empty {
                inHeader = false
                isComplete = remaining == 0
            }
            return
        }
        remainingBodyLines = remaining - 1
        isComplete = remaining - 1 == 0
    }

    enum Octet {
        static let cr: UInt8 = 0x0D
        static let lf: UInt8 = 0x0A
        static let dot: UInt8 = 0x2E
    }
}
