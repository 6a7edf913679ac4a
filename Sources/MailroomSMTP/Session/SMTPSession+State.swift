// SMTPSession.State — everything an SMTP session remembers between two events: what it is
// waiting for (the phase), the client's greeting, the authenticated user, the open mail
// transaction and the error counts.
//
// Standards: RFC 5321 §3.3 and §4.1.4 (the order of commands: greeting, EHLO/HELO, then mail
// transactions of MAIL, RCPT… and DATA; RSET and a new EHLO reset the transaction), RFC 3030
// §2 (BDAT chunks within one transaction), RFC 3207 §4.2 (after TLS starts the client is
// unknown again), RFC 4954 §4 (the AUTH exchange).
//
// Shape (docs/style.md §1): the phase says which event comes next. In `.command` the session
// reads command lines; every other phase but `.closed` waits for one particular event — the
// server's answer to an action (sender and recipient checks, the SASL exchange, the store),
// the end of a message or chunk, or the TLS handshake — and no command line is executed
// meanwhile. Sub-machines nest as associated values (`authenticating(_, _)`,
// `receivingChunk(_)`). `hello`, `authenticatedUser` and `transaction` live beside the phase
// because they outlast every phase change but the ones that reset them explicitly.
//
// The state is internal and `Equatable`, so tests build any state with
// `SMTPSession(configuration:connection:state:)` and compare the whole of it (style.md §13).

extension SMTPSession {
    /// The client's HELO or EHLO.
    struct Hello: Equatable, Sendable {
        var domain: HelloDomain
        /// EHLO: extensions were offered.
        var esmtp: Bool
    }

    /// How far the SASL exchange of AUTH is (RFC 4954 §4).
    enum AuthStep: Equatable, Sendable {
        /// The server runs the mechanism (after `startAuthentication` or `authResponse`); the
        /// next event is `authChallenge` or `authCompleted`.
        case server
        /// A 334 challenge was sent; the next line is the client's response.
        case client
    }

    /// The BDAT chunk being read (RFC 3030 §2).
    enum ChunkStep: Equatable, Sendable {
        /// The chunk belongs to the message; its octets go to the spool.
        case accepted(size: Int, last: Bool)
        /// The chunk is read and dropped; `reply` is the answer at its end. `counts`: the
        /// refusal is a new client error (a refusal that repeats the failure of a transaction
        /// the client had already pipelined chunks for is not counted again).
        case refused(SMTPReply, last: Bool, counts: Bool)
    }

    /// What the session waits for.
    enum Phase: Equatable, Sendable {
        /// A command line.
        case command
        /// `senderChecked` for this MAIL FROM.
        case checkingSender(ReversePath, MailParameters)
        /// `recipientChecked` for this RCPT TO.
        case checkingRecipient(ForwardPath, RcptParameters)
        /// The SASL exchange of AUTH.
        case authenticating(SASLMechanism, AuthStep)
        /// `messageEnded` (the 354 was sent).
        case receivingData
        /// `chunkEnded`.
        case receivingChunk(ChunkStep)
        /// `messageStored`.
        case storing
        /// `tlsEstablished` (the 220 to STARTTLS was sent).
        case startingTLS
        /// The connection is closing: nothing more is done.
        case closed
    }

    /// How a transaction's message is coming in BDAT chunks.
    struct Chunking: Equatable, Sendable {
        /// Octets of accepted chunks so far.
        var octets = 0
        /// A spool writer was opened (`receiveChunk(open:)` was given the transaction).
        var spoolOpen = false
        /// The transaction failed (the message got too large): every further chunk is refused
        /// with this reply until the last chunk, RSET or EHLO (RFC 3030 §2).
        var failure: SMTPReply?
    }

    /// The open mail transaction.
    struct OpenTransaction: Equatable, Sendable {
        var transaction: SMTPTransaction
        /// Non-nil once BDAT was used in this transaction; DATA is then refused.
        var chunking: Chunking?
    }

    /// The whole state of a session.
    struct State: Equatable, Sendable {
        var phase: Phase = .command
        var hello: Hello?
        var authenticatedUser: String?
        var transaction: OpenTransaction?
        /// Client errors so far (see SMTPSessionConfiguration.maxErrors).
        var errorCount = 0
        /// Unrecognized command lines so far.
        var unknownCommandCount = 0
    }
}
