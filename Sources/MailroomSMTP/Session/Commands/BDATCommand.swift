// BDATCommand — BDAT (CHUNKING): the message in chunks of announced size, the last one marked
// LAST; and the end of each chunk.
//
// Standards: RFC 3030 §2 ("BDAT" SP chunk-size [SP "LAST"]; the chunk follows the command at
// once, so even a refused BDAT's octets must be read — here `discardChunk` — before the
// reply; each chunk gets a reply, the LAST one the transaction's; after a 4xx/5xx to a chunk
// the transaction has failed, and with PIPELINING the server refuses the client's further
// chunks; DATA is not allowed once BDAT was used), §3 (BINARYMIME), §4.2 of RFC 3030's
// examples ("250 2.0.0 <n> octets received"); RFC 1870 (the size limit applies to the sum of
// the chunks).
//
// Policy: once any chunk of a transaction is refused, the transaction has failed: every
// further chunk is refused with the same reply until the LAST one (which ends the transaction)
// or RSET/EHLO, and so are DATA and RCPT. A message that lost a chunk is never stored. Only
// the first refusal counts as a client error: the others are chunks a pipelining client had
// already sent. The spool writer is opened with the first accepted chunk
// (`receiveChunk(open:)`); every refused chunk ends in `discardMessage`, which throws the
// writer away if one is open and makes the framer forget the refused octets (without that, a
// chunk refused outside any transaction would count against the next message's size).
//
// Security: chunk sizes are checked before a byte is read (the transaction's limit minus what
// has arrived), so an oversized message is refused at its first excess chunk; refused chunks
// are discarded by the framer without buffering.

extension SMTPSession {
    // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF
    mutating func bdat(_ command: SMTPCommand) -> Action {
        guard case .bdat(let announced, let last) = command, var open = state.transaction else {
            preconditionFailure("BDAT row, \(command.verb) command, or no transaction")
        }
        let size = Int(clamping: announced)
        var chunking = open.chunking ?? Chunking()
        if let failure = chunking.failure { return refuseChunk(size: size, last: last, failure) }
        if size > open.transaction.maxMessageBytes - chunking.octets { return refuseChunk(size: size, last: last, .messageTooBig) }
        let opensSpool = !chunking.spoolOpen
        chunking.octets += size
        chunking.spoolOpen = true
        open.chunking = chunking
        state.transaction = open
        state.phase = .receivingChunk(.accepted(size: size, last: last))
        return .receiveChunk(size: size, last: last, open: opensSpool ? open.transaction : nil)
    }

    /// Refuses a BDAT whose chunk still follows: the open transaction, if any, fails with
    /// `reply` (see the header). Only the first refusal of a transaction counts as an error.
    mutating func refuseChunk(size: Int, last: Bool, _ reply: SMTPReply) -> Action {
        var counts = true
        if var open = state.transaction {
            var chunking = open.chunking ?? Chunking()
            if chunking.failure == nil {
                chunking.failure = reply
            } else {
                counts = false
            }
            open.chunking = chunking
            state.transaction = open
        }
        state.phase = .receivingChunk(.refused(reply, last: last, counts: counts))
        return .discardChunk(size: size, last: last)
    }

    /// The end of a chunk, accepted or discarded.
    public mutating func chunkEnded(_ end: BDATReader.ChunkEnd) -> Action {
        guard case .receivingChunk(let step) = state.phase else { return eventOutOfTurn() }
        state.phase = .command
        switch step {
        case .refused(let reply, let last, let counts):
            // discardMessage also when no transaction is open: the framer must forget the
            // octets of a chunk that belongs to no message (framer.resetTransaction()).
            if last { endTransaction() }
            return counts ? counted(.discardMessage(reply)) : .discardMessage(reply)
        case .accepted(let size, let last):
            guard var open = state.transaction else { return eventOutOfTurn() }
            if let error = end.error {
                // The framer's own limits (SMTPLimits.messageBytes) refused the message.
                if last {
                    endTransaction()
                } else {
                    open.chunking?.failure = error.reply
                    state.transaction = open
                }
                return counted(.discardMessage(error.reply))
            }
            guard last else { return .reply(.chunkReceived(octets: size)) }
            state.phase = .storing
            return .storeMessage(open.transaction)
        }
    }

    /// "BDAT <size> …" where the rest did not parse: the size, so that the chunk that follows
    /// is read as data and not as commands. nil unless the verb is BDAT and a size follows.
    static func chunkAnnouncement(in line: [UInt8]) -> (size: Int, last: Bool)? {
        let words = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard words.count >= 2, words[0].count == 4,
              String(decoding: words[0], as: UTF8.self).uppercased() == "BDAT",
              (1...20).contains(words[1].count), words[1].allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        let size = words[1].reduce(0) { partial, digit in
            partial > (Int.max - 9) / 10 ? Int.max : partial * 10 + Int(digit - 0x30)
        }
        let last = words.count == 3 && String(decoding: words[2], as: UTF8.self).uppercased() == "LAST"
        return (size, last)
    }
}
