// SMTPSession.Action — what the server must do after each event it gave the session: the
// only way the session acts on the world (style.md §2: the NIO adapter runs it in one
// `switch`, the only place that writes, closes, starts TLS or asks the store).
//
// Standards: RFC 5321 §4.1.1.4 (DATA: 354, then the message), RFC 3030 §2 (BDAT: the chunk
// follows the command whatever the reply), RFC 3207 §4.2 (STARTTLS: the 220 goes out in
// clear; plaintext received after the command is thrown away), RFC 4954 §4 (AUTH: 334
// challenges and base64 responses), RFC 2920 (PIPELINING: replies are written in order; the
// adapter may hold them until its input is drained).
//
// Contract with the adapter: after `checkSender`, `checkRecipient`, `startAuthentication`,
// `authResponse` and `storeMessage` the adapter reads no command input until it has called
// the matching event (`senderChecked`, `recipientChecked`, `authChallenge`/`authCompleted`,
// `messageStored`); after `receiveMessage`, `receiveChunk` and `discardChunk` it switches the
// framer before it reads another byte, and calls `messageEnded`/`chunkEnded` at the frame's
// end; after `startTLS` it calls `tlsEstablished` when the handshake is done. During a SASL
// exchange, any action but `authResponse` ends the exchange (the adapter drops its SASL state).

extension SMTPSession {
    public enum Action: Sendable, Equatable {
        /// Nothing to do; read more input.
        case none
        /// Send the reply.
        case reply(SMTPReply)
        /// Send the reply, then close the connection (abandoning any open spool writer).
        case replyAndClose(SMTPReply)
        /// Send the 220 in clear, drop buffered plaintext input (RFC 3207 §4.2), start the TLS
        /// handshake, then call `tlsEstablished()`.
        case startTLS(SMTPReply)
        /// Apply sender policy to MAIL FROM, then call `senderChecked(_:)`.
        case checkSender(ReversePath, MailParameters)
        /// Apply recipient policy (local user? relay allowed?) to RCPT TO, then call
        /// `recipientChecked(_:)`.
        case checkRecipient(ForwardPath, RcptParameters)
        /// Run the SASL mechanism, starting with the initial response (nil when none was sent,
        /// empty for "="); then call `authChallenge(_:)` or `authCompleted(_:)`.
        case startAuthentication(SASLMechanism, initialResponse: [UInt8]?)
        /// The client's next SASL response, base64-decoded; then `authChallenge(_:)` or
        /// `authCompleted(_:)`.
        case authResponse([UInt8])
        /// DATA accepted: send the 354, switch the framer to message data
        /// (`expectMessageData()`), open a spool writer for this transaction, then call
        /// `messageEnded(_:size:)` at the end of data.
        case receiveMessage(SMTPReply, SMTPTransaction)
        /// BDAT accepted: `framer.expectChunk(size:last:)`; `open` is the transaction on the
        /// first chunk of a message (open the spool writer then). Call `chunkEnded(_:)` at the
        /// chunk's end.
        case receiveChunk(size: Int, last: Bool, open: SMTPTransaction?)
        /// BDAT refused: `framer.expectChunk(size:last:)` all the same, drop the octets, and
        /// call `chunkEnded(_:)`, which gives the error reply.
        case discardChunk(size: Int, last: Bool)
        /// The message is complete and acceptable: commit it to the spool, then call
        /// `messageStored(_:)`.
        case storeMessage(SMTPTransaction)
        /// The message is refused: abort the open spool writer (if any), reset the framer's
        /// transaction state (`framer.resetTransaction()`), then send the reply.
        case discardMessage(SMTPReply)
        /// RSET, or EHLO/HELO inside a transaction: abort any open spool writer,
        /// `framer.resetTransaction()`, send the reply.
        case resetTransaction(SMTPReply)
    }
}
