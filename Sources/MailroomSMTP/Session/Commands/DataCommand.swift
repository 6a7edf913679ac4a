// DataCommand — DATA, and the end of the message text that follows the 354.
//
// Standards: RFC 5321 §4.1.1.4 (DATA: 354, then the text up to <CRLF>.<CRLF>; the reply
// after it ends the transaction whatever it is), §3.3 (DATA needs at least one accepted
// recipient: "554 no valid recipients"), §4.5.3.1.9 and RFC 1870 §6 (552 5.3.4 for a message
// over the limit); RFC 3030 §3 (BODY=BINARYMIME may only be sent with BDAT: DATA after it is
// "503 5.5.1"), §2 (DATA after BDAT in the same transaction is out of sequence); RFC 2920
// §3.1 (DATA ends a pipelining group: text after it is message data — the adapter switches
// the framer before it reads another byte).
//
// The message's size is checked against the transaction's own limit (the smallest of the
// global limit and every accepted recipient's); the framer's own verdict (smuggling, NUL,
// line and global size limits) is turned into a reply by SMTPDataError.reply.

extension SMTPSession {
    // data = "DATA" CRLF
    mutating func data(_ command: SMTPCommand) -> Action {
        guard let open = state.transaction else { preconditionFailure("DATA row without a transaction") }
        if open.chunking != nil { return .reply(.commandAfterBDAT) }
        if open.transaction.parameters.body == .binaryMIME { return .reply(.binaryMIMERequiresBDAT) }
        state.phase = .receivingData
        return .receiveMessage(.startData, open.transaction)
    }

    /// The end of the message text (the framer found the real <CRLF>.<CRLF>). `size` is the
    /// message's size in octets as the framer counted it (SMTPDataReader.messageByteCount).
    public mutating func messageEnded(_ verdict: SMTPMessageVerdict, size: Int) -> Action {
        guard state.phase == .receivingData, let open = state.transaction else { return eventOutOfTurn() }
        state.phase = .command
        switch verdict {
        case .accepted where size > open.transaction.maxMessageBytes:
            endTransaction()
            return counted(.discardMessage(.messageTooBig))
        case .accepted:
            state.phase = .storing
            return .storeMessage(open.transaction)
        case .rejected(let error):
            endTransaction()
            return counted(.discardMessage(error.reply))
        }
    }
}
