// POP3LineFramer — splits the client's input (command lines, and SASL responses during AUTH)
// into lines, with bounded memory. The first of the three input layers (style.md §3):
// framing → grammar (POP3Command.parse) → semantics (POP3Session).
//
// Standards: RFC 1939 §3 ("Commands in the POP3 consist of a case-insensitive keyword ...
// terminated by a CRLF pair"), RFC 2449 §4 (255 octets per command line, CRLF included),
// RFC 5034 §4 (SASL responses are lines too).
//
// Line ends: CRLF ends a line; a bare LF does too (telnet users, scripts, and clients on
// systems that write LF; a command line carries no message content, so nothing can be
// smuggled through it). The CR of CRLF is removed; any other CR stays in the line, and the
// grammar refuses it with every other control character.
//
// Long lines: a line longer than the limit (counted with its terminator, a bare LF counting
// one octet) is not kept. The framer drops its bytes as they arrive, goes on dropping up to
// and including the next LF, and only then reports `.lineTooLong`: the report takes the
// place of the line in the input, so a pipelining client gets its replies in order.
//
// Configuration: POP3Limits.commandLineBytes and .saslLineBytes (pop3.* keys); the adapter
// sets `lineKind` from POP3Session.nextLineKind before each line.
//
// Security: at most `maximumLineBytes - 1` octets are ever held, whatever the input (an
// 80,000-octet line without LF costs no more than a legal one). Bytes after a returned line
// are not looked at, so the adapter can stop at the exact end of a STLS command and throw the
// rest away (RFC 2595 §4; the plaintext injection of CVE-2011-0411).

/// Splits POP3 input into lines, bounded by `POP3Limits`.
public struct POP3LineFramer: Sendable {
    /// Which limit applies to the next line.
    public enum LineKind: Sendable, Equatable {
        /// A command: POP3Limits.commandLineBytes.
        case command
        /// A response to a SASL challenge: POP3Limits.saslLineBytes.
        case saslResponse
    }

    public enum Event: Sendable, Equatable {
        /// A complete line without its CRLF or LF.
        case line([UInt8])
        /// A line longer than the limit ended; its bytes were dropped.
        case lineTooLong
    }

    /// One call's result: how many input bytes were used, and the event they completed (nil
    /// when all of the input was used and no line is complete yet). NIO's
    /// ByteToMessageDecoder moves its reader index by `consumed`.
    public struct Step: Sendable, Equatable {
        public var consumed: Int
        public var event: Event?
    }

    public var limits: POP3Limits
    public var lineKind: LineKind = .command

    /// The current line so far (never `maximumLineBytes` octets or more).
    private var line: [UInt8] = []
    /// Dropping an over-long line until its LF.
    public private(set) var isDiscarding = false

    public init(limits: POP3Limits = .default) {
        self.limits = limits
    }

    /// The longest acceptable line for `lineKind`, terminator included.
    public var maximumLineBytes: Int {
        lineKind == .command ? limits.commandLineBytes : limits.saslLineBytes
    }

    /// Octets of an unfinished line held now.
    public var bufferedByteCount: Int { line.count }

    /// Reads from the front of `input` up to the end of the next line, or all of it.
    public mutating func next(in input: some Collection<UInt8>) -> Step {
        if let step = input.withContiguousStorageIfAvailable({ scan($0) }) { return step }
        return Array(input).withUnsafeBufferPointer { scan($0) }
    }

    /// All the events in `input`, for callers that hold a whole read (tests, tools).
    public mutating func events(in input: some Collection<UInt8>) -> [Event] {
        var rest = Array(input)[...]
        var events: [Event] = []
        while true {
            let step = next(in: rest)
            rest = rest.dropFirst(step.consumed)
            guard let event = step.event else { return events }
            events.append(event)
        }
    }

    private mutating func scan(_ input: UnsafeBufferPointer<UInt8>) -> Step {
        let lf = input.firstIndex(of: 0x0A)
        let end = lf ?? input.count
        if !isDiscarding {
            // The octets before LF; with the LF the line is one longer.
            if line.count + end + 1 > maximumLineBytes {
                isDiscarding = true
                line.removeAll(keepingCapacity: line.capacity <= 4096)
            } else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: input[0..<end]))
            }
        }
        guard let lf else { return Step(consumed: input.count, event: nil) }
        if isDiscarding {
            isDiscarding = false
            return Step(consumed: lf + 1, event: .lineTooLong)
        }
        if line.last == 0x0D { line.removeLast() }
        let complete = line
        line.removeAll(keepingCapacity: line.capacity <= 4096)
        return Step(consumed: lf + 1, event: .line(complete))
    }
}
