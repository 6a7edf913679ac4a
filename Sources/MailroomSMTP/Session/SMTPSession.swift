// SMTPSession — the server side of one SMTP connection as a pure state machine: events in
// (a command line, the end of a message, the answer of a policy check, a finished TLS
// handshake, a timeout), one action out. No I/O, no clock, no store, no DNS: the NIO adapter
// in MailroomServer does those things when an action asks for them and reports back with the
// matching event (style.md §1–§3; framing → grammar → this session).
//
// Standards: RFC 5321 (§3.3 mail transactions, §4.1 commands, §4.2 replies, §4.3.2 the
// command–reply sequences, §4.5.3.1 limits, §4.1.4 order of commands), RFC 2920
// (PIPELINING: nothing here waits for a packet boundary, so pipelined commands are simply
// events in a row), RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 2034 and
// RFC 3463 (an enhanced status code on every reply but the 220 greeting, the EHLO reply and
// 334/354), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 3030 (CHUNKING/BDAT), RFC 3461 (DSN
// parameters, kept in the transaction), RFC 7504 (521).
//
// Layout: the public surface and the events that are not tied to one command are here; each
// command's handler, and the events that answer its actions, are in Commands/; the rules every
// command is checked against are in SMTPCommandTable; error counting and the limits that close
// a connection are in SMTPSession+Limits.
//
// Configuration: SMTPSessionConfiguration (role, host name, SMTPLimits, error limits, SASL
// mechanisms, TLS availability, what requires TLS and AUTH).
//
// Security:
// - No command is executed while an action is outstanding (`Phase` other than `.command`):
//   a line that arrives then gets "451 4.3.0" and changes nothing. In particular nothing
//   received between STARTTLS and the end of the handshake is ever executed (the plaintext
//   command injection of CVE-2011-0411), and `tlsEstablished()` forgets the greeting, the
//   transaction and any authentication, as RFC 3207 §4.2 requires.
// - Every client error counts; past `maxErrors` or `maxUnknownCommands` the reply is
//   "421 4.7.0" and the connection closes. A client speaking HTTP is cut off at once (521).
// - The message size is checked against the transaction's own limit (global SIZE and every
//   recipient's) at MAIL (declared SIZE), at each BDAT chunk and at the end of DATA.
// - A UTF-8 address needs SMTPUTF8 (553 5.6.7), so non-ASCII addresses never reach peers that
//   did not agree to them.
// - Events that break the adapter contract (an answer to a question never asked) close the
//   connection with "421 4.3.0" rather than trap: one buggy path must not take the whole
//   server down. After `.closed` every event is ignored, so late answers (a policy check that
//   returns after a timeout) are harmless.

/// The server side of one SMTP connection.
public struct SMTPSession: Sendable {
    public let configuration: SMTPSessionConfiguration
    /// The connection; `tls` turns true after STARTTLS.
    public internal(set) var connection: SMTPConnectionInfo
    /// Everything else (see SMTPSession+State).
    var state: State

    public init(configuration: SMTPSessionConfiguration, connection: SMTPConnectionInfo) {
        self.init(configuration: configuration, connection: connection, state: State())
    }

    /// A session in any state, for tests (style.md §13) and for the server's own tooling.
    init(configuration: SMTPSessionConfiguration, connection: SMTPConnectionInfo, state: State) {
        self.configuration = configuration
        self.connection = connection
        self.state = state
    }

    /// A successful AUTH happened on this connection (since the last TLS handshake).
    public var isAuthenticated: Bool { state.authenticatedUser != nil }
    /// The SASL identity, once authenticated.
    public var authenticatedUser: String? { state.authenticatedUser }
    /// The connection is TLS.
    public var isTLS: Bool { connection.tls }
    /// The open mail transaction (after an accepted MAIL FROM), if any.
    public var transaction: SMTPTransaction? { state.transaction?.transaction }
    /// The connection is closing: every further event is ignored.
    public var isClosed: Bool { state.phase == .closed }

    var hostName: String { configuration.hostName }

    // MARK: - Connection events

    /// The 220 greeting (RFC 5321 §4.2: "220 " Domain, no enhanced code).
    public mutating func greeting() -> Action {
        .reply(.ready(serverName: hostName))
    }

    /// A command line without its line end, or, while the client is answering a SASL
    /// challenge, its response line.
    public mutating func lineReceived(_ line: [UInt8]) -> Action {
        switch state.phase {
        case .command:
            break
        case .authenticating(_, .client):
            return authResponseReceived(line)
        case .closed:
            return .none
        default:
            return outOfTurnInput()
        }
        if Self.isForbiddenCommand(line) { return close(.forbiddenCommand(serverName: hostName)) }
        let command: SMTPCommand
        do {
            command = try SMTPCommand.parse(line: line)
        } catch {
            if case .unrecognizedCommand = error.kind { return unrecognized(.reply(error.reply)) }
            // A BDAT whose size is readable but whose rest is not: its chunk follows anyway.
            if let chunk = Self.chunkAnnouncement(in: line) {
                return refuseChunk(size: chunk.size, last: chunk.last, error.reply)
            }
            return counted(.reply(error.reply))
        }
        return counted(dispatch(command))
    }

    /// The framer dropped a line longer than the limit (SMTPLimits.commandLineBytes, or
    /// authLineBytes for a SASL response).
    public mutating func lineTooLong() -> Action {
        switch state.phase {
        case .command:
            return counted(.reply(.commandLineTooLong))
        case .authenticating(_, .client):
            // RFC 4954 §4: "500 5.5.6"; the exchange is over.
            state.phase = .command
            return counted(.reply(.authenticationLineTooLong))
        case .closed:
            return .none
        default:
            return outOfTurnInput()
        }
    }

    /// The framer refused a line (a bare CR, a bare LF where refused, a NUL).
    public mutating func invalidLine(_ error: SMTPLineError) -> Action {
        switch state.phase {
        case .command:
            let text = switch error {
            case .bareCarriageReturn: "Error: bare <CR> received in a command line"
            case .bareLineFeed: "Error: bare <LF> received in a command line"
            case .nulByte: "Error: NUL octet received in a command line"
            }
            return unrecognized(.reply(.invalidCommandLine(text)))
        case .authenticating(_, .client):
            // Not base64 (RFC 4954 §4: 501); the exchange is over.
            state.phase = .command
            return counted(.reply(.authenticationResponseNotBase64))
        case .closed:
            return .none
        default:
            return outOfTurnInput()
        }
    }

    /// The command or data timeout passed: "421 4.4.2 <host> Error: timeout exceeded".
    public mutating func timedOut() -> Action {
        guard state.phase != .closed else { return .none }
        return close(.timeout(serverName: hostName))
    }

    /// The server is stopping: "421 4.3.2 <host> Service shutting down …".
    public mutating func shuttingDown() -> Action {
        guard state.phase != .closed else { return .none }
        return close(.shuttingDown(serverName: hostName))
    }

    // MARK: - Helpers for the handlers

    /// Closes with `reply`; the phase becomes `.closed`.
    mutating func close(_ reply: SMTPReply) -> Action {
        state.phase = .closed
        return .replyAndClose(reply)
    }

    /// Input arrived while an action is outstanding: the adapter broke the contract. Nothing
    /// is executed; the line is answered "451 4.3.0".
    private func outOfTurnInput() -> Action {
        .reply(.localError)
    }

    /// An event came that answers nothing the session asked: the adapter is out of step, so
    /// nothing it says can be trusted any more. Closes with "421 4.3.0".
    mutating func eventOutOfTurn() -> Action {
        guard state.phase != .closed else { return .none }
        return close(.serviceNotAvailable(serverName: hostName))
    }

    /// Ends the open transaction (after the message is stored, refused, or on RSET).
    mutating func endTransaction() {
        state.transaction = nil
    }
}
