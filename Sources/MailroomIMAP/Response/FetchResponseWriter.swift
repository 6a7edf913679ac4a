// FetchResponseWriter — a FETCH response written in pieces, so that large message data can be
// streamed from the store without holding it in memory:
//
//     var writer = FetchResponseWriter(sequenceNumber: 12)
//     writer.write(.uid(5))
//     send(writer.beginStreamedItem(.bodySection(.complete, origin: nil), length: 1234))
//                                      // "* 12 FETCH (UID 5 BODY[] {1234}\r\n"
//     send(exactly 1234 octets of the message)
//     writer.write(.flags([.seen]))
//     send(writer.finish())            // " FLAGS (\Seen))\r\n"
//
// Standards: RFC 3501 §7.4.2 and RFC 9051 §7.5.2 (msg-att); RFC 3516 §4.2 (literal8 for BINARY
// data that holds NUL: the caller says so with `binary`).
//
// Security: the literal header announces `length`; the caller must send exactly that many
// octets (the store's size of the part), or the client's parser loses its place. The rest
// of the response is encoded like any other.

/// Writes one FETCH response in pieces.
public struct FetchResponseWriter: Sendable {
    private var buffer: IMAPEncodeBuffer
    private var itemCount = 0
    private var finished = false

    /// Starts "* n FETCH (".
    public init(sequenceNumber: UInt32, options: IMAPEncodingOptions = IMAPEncodingOptions()) {
        buffer = IMAPEncodeBuffer(options: options)
        buffer.write("* \(sequenceNumber) FETCH (")
    }

    private mutating func separator() {
        if itemCount > 0 { buffer.writeSpace() }
        itemCount += 1
    }

    /// Adds an item that is encoded whole.
    public mutating func write(_ item: FetchResponseItem) {
        precondition(!finished, "FETCH response already finished")
        separator()
        item.write(to: &buffer)
    }

    /// Adds the name and literal header of an item whose `length` octets the caller sends
    /// next, and returns everything not yet taken (`literal8` for "~{n}", RFC 3516).
    public mutating func beginStreamedItem(_ item: StreamedFetchItem, length: Int, literal8: Bool = false) -> [UInt8] {
        precondition(!finished, "FETCH response already finished")
        separator()
        item.writeName(to: &buffer)
        buffer.writeSpace()
        buffer.writeLiteralHeader(count: length, binary: literal8)
        return buffer.take()
    }

    /// Closes the response: everything not yet taken, ")" and CRLF.
    public mutating func finish() -> [UInt8] {
        precondition(!finished, "FETCH response already finished")
        finished = true
        buffer.write(")")
        buffer.writeCRLF()
        return buffer.take()
    }
}
