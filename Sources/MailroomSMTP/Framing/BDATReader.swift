// BDATReader.swift — reads the chunks of a message sent with BDAT (CHUNKING): exactly the
// announced number of octets per chunk, as they are, then back to commands.
//
// Standards: RFC 3030 §2 (CHUNKING: "BDAT <chunk-size> [LAST]"; the chunk is the next
// chunk-size octets, with no dot-stuffing and no end-of-data sequence; the server reads all of
// them even when it is going to refuse the command, then replies; a BDAT of size 0 with LAST
// is legal and ends the message), §3 (BINARYMIME: any octet, NUL, bare CR and LF included);
// RFC 1870 (SIZE); RFC 5321 §4.5.3.1.9 (552 Too much mail data).
//
// Policy: the limit `SMTPLimits.messageBytes` applies to the sum of the chunk sizes of one
// message. A chunk that would pass it is known to fail from its size alone: the reader still
// reads all of its octets (and those of later chunks of the same message) but hands none of
// them out, and every chunk end from then on carries `messageTooLarge` until the message
// ends (LAST) or `resetMessage()` (RSET, or a transaction the session abandons).
// No line-end or NUL check: chunks are binary-safe by definition. Whether 8-bit or binary
// content is acceptable (BODY=8BITMIME/BINARYMIME) is the session's business.
//
// Configuration: `SMTPLimits.messageBytes`.
//
// Security: no buffering — data events are runs of the input. The chunk size comes from the
// grammar as a non-negative Int; sizes are added with saturation, so a client announcing
// absurd sizes cannot overflow the count.
//
// NIO note: a chunk of size 0 needs no input, so `startChunk` returns its end at once (a
// `ByteToMessageDecoder` is not called again on an empty buffer); and the end of any other
// chunk comes in the same step as its last octets.

/// Reads the BDAT chunks of one message at a time.
public struct BDATReader: Sendable {
    /// The end of one chunk.
    public struct ChunkEnd: Equatable, Sendable {
        /// The last octets of the chunk, not yet handed out in `.data` events (empty when the
        /// message is refused).
        public var data: [UInt8]
        /// The chunk was announced with LAST: the message is complete.
        public var isLast: Bool
        /// The sum of the chunk sizes of this message so far.
        public var messageByteCount: Int
        /// Why the message is refused, if it is (answered after each chunk; RFC 3030 §2).
        public var error: SMTPDataError?

        public init(data: [UInt8], isLast: Bool, messageByteCount: Int, error: SMTPDataError?) {
            self.data = data
            self.isLast = isLast
            self.messageByteCount = messageByteCount
            self.error = error
        }
    }

    public enum Event: Equatable, Sendable {
        /// A piece of the current chunk (never empty, never the last piece).
        case data([UInt8])
        /// The last piece of the chunk and the chunk's end.
        case chunkEnd(ChunkEnd)
    }

    private struct Chunk: Sendable {
        var remaining: Int
        var isLast: Bool
    }

    public let limits: SMTPLimits
    private var chunk: Chunk?
    /// The sum of the chunk sizes of the current message (saturating).
    public private(set) var messageByteCount = 0
    /// Why the current message is refused, if it is.
    public private(set) var error: SMTPDataError?

    public init(limits: SMTPLimits = .default) {
        self.limits = limits
    }

    /// True while a chunk's octets are being read.
    public var isInChunk: Bool { chunk != nil }

    /// Octets of the current chunk still to come.
    public var remainingChunkBytes: Int { chunk?.remaining ?? 0 }

    /// Starts a chunk after "BDAT `size` [LAST]", whether or not the session accepts the
    /// command (its octets follow anyway). Returns the chunk's end at once when `size` is 0.
    public mutating func startChunk(size: Int, last: Bool) -> ChunkEnd? {
        precondition(size >= 0, "BDATReader: negative chunk size")
        precondition(chunk == nil, "BDATReader: a chunk is already being read")
        if error == nil && size > limits.messageBytes - messageByteCount { error = .messageTooLarge }
        messageByteCount = size > Int.max - messageByteCount ? Int.max : messageByteCount + size
        chunk = Chunk(remaining: size, isLast: last)
        return size == 0 ? endChunk(data: []) : nil
    }

    /// Reads octets of the current chunk from the front of `input`. Without a chunk, it uses
    /// nothing.
    public mutating func next(in input: some Collection<UInt8>) -> SMTPFramingStep<Event> {
        input.withFramingBuffer { step($0) }
    }

    /// Forgets the current message's size and error (RSET, or a transaction the session
    /// abandons). Call it between chunks.
    public mutating func resetMessage() {
        messageByteCount = 0
        error = nil
    }

    /// The connection has closed: the error for an unfinished chunk, or nil.
    public func inputClosed() -> SMTPDataError? {
        chunk == nil ? nil : .unexpectedEndOfInput
    }

    private mutating func step(_ input: UnsafeBufferPointer<UInt8>) -> SMTPFramingStep<Event> {
        guard var current = chunk else { return SMTPFramingStep(consumed: 0, event: nil) }
        let taken = min(current.remaining, input.count)
        current.remaining -= taken
        chunk = current
        let data = error == nil ? Array(input[0..<taken]) : []
        if current.remaining == 0 {
            return SMTPFramingStep(consumed: taken, event: .chunkEnd(endChunk(data: data)))
        }
        return SMTPFramingStep(consumed: taken, event: data.isEmpty ? nil : .data(data))
    }

    private mutating func endChunk(data: [UInt8]) -> ChunkEnd {
        let isLast = chunk?.isLast ?? false
        let end = ChunkEnd(data: data, isLast: isLast, messageByteCount: messageByteCount, error: error)
        chunk = nil
        if isLast {
            messageByteCount = 0
            error = nil
        }
        return end
    }
}
