// SessionPipeliningTests.swift — the session together with the real SMTPInputFramer, driven
// the way the NIO adapter drives them (`SessionDriver` below runs every action: it switches
// the framer, answers the policy checks, spools and stores messages). Whole pipelined
// conversations (RFC 2920) are fed in one packet, byte by byte and in random splits, and must
// give the same replies and the same stored messages: commands after the end of DATA or after
// a BDAT chunk in the same packet are commands, message text is never a command, and SMTP
// smuggling payloads from the shared corpus never start a second transaction.

@testable import MailroomSMTP
import Testing

/// A minimal adapter: the framer, the session, and a fake policy and queue.
struct SessionDriver {
    var framer: SMTPInputFramer
    var session: SMTPSession
    /// Every reply written, as text.
    var output = ""
    /// Messages stored: the transaction and the octets spooled.
    var stored: [(SMTPTransaction, [UInt8])] = []
    /// Every MAIL FROM the policy was asked about.
    var sendersChecked: [ReversePath] = []
    var closed = false
    /// The open spool writer.
    private var spool: [UInt8]?
    /// The current chunk's octets go to the spool.
    private var chunkAccepted = false

    init(_ configuration: SMTPSessionConfiguration = SessionFixture.mx()) {
        framer = SMTPInputFramer(limits: configuration.limits)
        session = SMTPSession(configuration: configuration, connection: SessionFixture.connection())
        run(session.greeting())
    }

    mutating func feed(_ reads: [[UInt8]]) {
        for read in reads { feed(read) }
    }

    mutating func feed(_ bytes: [UInt8]) {
        var input = bytes[...]
        while !closed {
            let step = framer.next(in: input)
            input = input.dropFirst(step.consumed)
            guard let frame = step.event else { break }
            handle(frame)
        }
    }

    private mutating func handle(_ frame: SMTPInputFramer.Frame) {
        switch frame {
        case .line(let line): run(session.lineReceived(line))
        case .lineTooLong: run(session.lineTooLong())
        case .invalidLine(let error): run(session.invalidLine(error))
        case .messageData(let data): spool? += data
        case .messageEnd(let verdict): run(session.messageEnded(verdict, size: framer.messageData.messageByteCount))
        case .chunkData(let data): if chunkAccepted { spool? += data }
        case .chunkEnd(let end):
            if chunkAccepted { spool? += end.data }
            run(session.chunkEnded(end))
        }
    }

    private mutating func run(_ action: SMTPSession.Action) {
        switch action {
        case .none:
            break
        case .reply(let reply):
            output += reply.description
        case .replyAndClose(let reply):
            output += reply.description
            closed = true
        case .startTLS(let reply):
            output += reply.description
            run(session.tlsEstablished())
        case .checkSender(let path, _):
            sendersChecked.append(path)
            run(session.senderChecked(.accepted))
        case .checkRecipient(let path, _):
            let verdict: RecipientVerdict = path.mailbox?.localPart.value == "nobody"
                ? .rejected(.unknownUser) : .accepted(.local, maxMessageBytes: nil)
            run(session.recipientChecked(verdict))
        case .startAuthentication:
            run(session.authCompleted(.success(username: "user")))
        case .authResponse:
            run(session.authCompleted(.success(username: "user")))
        case .receiveMessage(let reply, _):
            output += reply.description
            framer.expectMessageData()
            spool = []
        case .receiveChunk(let size, let last, let open):
            if open != nil { spool = [] }
            chunkAccepted = true
            if let end = framer.expectChunk(size: size, last: last) { handle(.chunkEnd(end)) }
        case .discardChunk(let size, let last):
            chunkAccepted = false
            if let end = framer.expectChunk(size: size, last: last) { handle(.chunkEnd(end)) }
        case .storeMessage(let transaction):
            stored.append((transaction, spool ?? []))
            spool = nil
            run(session.messageStored(.stored(queueID: "Q\(stored.count)")))
        case .discardMessage(let reply), .resetTransaction(let reply):
            spool = nil
            framer.resetTransaction()
            output += reply.description
        }
    }
}

@Suite("Session: pipelining with the real framer")
struct SessionPipeliningTests {
    static let conversation = """
        EHLO client.example.org\r
        MAIL FROM:<alice@example.net>\r
        RCPT TO:<bob@example.com>\r
        RCPT TO:<nobody@example.com>\r
        DATA\r
        Subject: one\r
        \r
        MAIL FROM:<not-a-command@example.org>\r
        ..leading dot\r
        .\r
        MAIL FROM:<carol@example.net>\r
        RCPT TO:<dave@example.com>\r
        BDAT 5\r
        HELLOBDAT 12 LAST\r
        RSET\r
        QUIT\r
        RSET\r
        QUIT\r

        """

    static let expectedOutput = """
        220 mx.example.com ESMTP\r
        250-mx.example.com\r
        250-PIPELINING\r
        250-SIZE 10000\r
        250-STARTTLS\r
        250-ENHANCEDSTATUSCODES\r
        250-8BITMIME\r
        250-DSN\r
        250-SMTPUTF8\r
        250 CHUNKING\r
        250 2.1.0 Ok\r
        250 2.1.5 Ok\r
        550 5.1.1 Recipient address rejected: User unknown\r
        354 End data with <CR><LF>.<CR><LF>\r
        250 2.6.0 Ok: queued as Q1\r
        250 2.1.0 Ok\r
        250 2.1.5 Ok\r
        250 2.0.0 5 octets received\r
        250 2.6.0 Ok: queued as Q2\r
        250 2.0.0 Ok\r
        221 2.0.0 Bye\r

        """

    @Test("a whole pipelined conversation: DATA, then commands in the same packet, then BDAT", arguments: FramingSplit.all)
    func conversation(_ split: FramingSplit) {
        var driver = SessionDriver()
        driver.feed(split.reads(bytes(Self.conversation)))
        #expect(driver.output == Self.expectedOutput, "\(split)")
        #expect(driver.closed)
        #expect(driver.stored.count == 2)
        #expect(driver.stored.first.map { String(decoding: $0.1, as: UTF8.self) }
                == "Subject: one\r\n\r\nMAIL FROM:<not-a-command@example.org>\r\n.leading dot\r\n")
        #expect(driver.stored.first?.0.recipients.map(\.path) == [forward("bob@example.com")])
        #expect(driver.stored.last.map { String(decoding: $0.1, as: UTF8.self) } == "HELLORSET\r\nQUIT\r\n")
        #expect(driver.sendersChecked == [reverse("alice@example.net"), reverse("carol@example.net")])
    }

    @Test("a refused BDAT's chunk is read and dropped; the commands after it are commands", arguments: FramingSplit.all)
    func refusedChunk(_ split: FramingSplit) {
        var driver = SessionDriver()
        driver.feed(split.reads(bytes("EHLO c.example.org\r\nBDAT 10\r\nMAIL FROM:BDAT 3 LAST\r\nxyzNOOP\r\nQUIT\r\n")))
        #expect(driver.output.hasSuffix("""
            250 CHUNKING\r
            503 5.5.1 Error: need RCPT command\r
            503 5.5.1 Error: need RCPT command\r
            250 2.0.0 Ok\r
            221 2.0.0 Bye\r

            """), "\(split)")
        #expect(driver.sendersChecked.isEmpty)
        #expect(driver.stored.isEmpty)
    }

    @Test("an oversized BDAT message: refused, spool dropped, the next transaction unaffected")
    func oversizedChunks() {
        var driver = SessionDriver()
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 6000)
        driver.feed(bytes("EHLO c.example.org\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.com>\r\nBDAT 6000\r\n") + big
                    + bytes("BDAT 6000 LAST\r\n") + big
                    + bytes("MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.com>\r\nBDAT 6000 LAST\r\n") + big + bytes("QUIT\r\n"))
        #expect(driver.output.hasSuffix("""
            250 2.0.0 6000 octets received\r
            552 5.3.4 Message size exceeds fixed limit\r
            250 2.1.0 Ok\r
            250 2.1.5 Ok\r
            250 2.6.0 Ok: queued as Q1\r
            221 2.0.0 Bye\r

            """))
        #expect(driver.stored.count == 1)
        #expect(driver.stored.first?.1 == big)
    }

    @Test("SMTP smuggling payloads through the session: one message at most, never a smuggled MAIL",
          arguments: try FramingCorpus.smugglingCases())
    func smuggling(_ smuggling: SmugglingCase) throws {
        let payload = try smuggling.payload()
        let before = bytes("EHLO c.example.org\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
        for split in [FramingSplit.whole, .oneByte, .random(seed: 7)] {
            var driver = SessionDriver()
            driver.feed(split.reads(before + payload + bytes("QUIT\r\n")))
            #expect(driver.sendersChecked == [reverse("a@example.net")], "\(smuggling.id), \(split)")
            #expect(driver.stored.count == (smuggling.expected.strictVerdict == "ACCEPT" ? 1 : 0), "\(smuggling.id), \(split)")
            #expect(driver.stored.count <= smuggling.expected.maxMessagesDelivered)
            #expect(driver.output.hasSuffix("221 2.0.0 Bye\r\n"), "\(smuggling.id), \(split)")
            if smuggling.expected.strictVerdict == "REJECT" {
                #expect(driver.output.contains("554 5.6.0"), "\(smuggling.id), \(split)")
            }
        }
    }
}
