// POP3Session — the server side of one POP3 connection as a pure state machine: events in (a
// command line, a SASL response, the store's verdict on a login, the opened maildrop, the end
// of a streamed message, the result of the commit, a finished TLS handshake, a timeout), one
// action out. No I/O, no clock, no store, no randomness of its own (nonces come from a
// POP3NonceSource): the NIO adapter in MailroomServer does those things when an action asks
// and reports back with the matching event (style.md §1–§3; framing → grammar → this
// session).
//
// Standards: RFC 1939 (§3 states AUTHORIZATION → TRANSACTION → UPDATE, §4–§7 the commands,
// §6 deletions only at QUIT, §8 the maildrop is locked for the session), RFC 2449 (CAPA,
// response codes, PIPELINING: nothing here waits for a packet boundary, so pipelined commands
// are events in a row), RFC 3206 ([AUTH], [SYS/TEMP], [SYS/PERM]), RFC 2595 (STLS), RFC
// 5034 (AUTH, run through MailroomSASL's SASLServerExchange).
//
// Layout: the public surface and the events not tied to one command are here; each command's
// handler, and the events that answer its actions, are in Commands/; the state rules every
// command is checked against are in POP3CommandTable; error and failed-login counting in
// POP3Session+Limits.
//
// Configuration: POP3SessionConfiguration (host name, POP3Limits, error and login limits,
// SASL mechanisms, USER/PASS, TLS, CAPA policies).
//
// Security:
// - Nothing is executed while an action is outstanding: a line given then means the adapter
//   is out of step, and the connection closes ("-ERR [SYS/TEMP]"). So nothing sent in clear
//   after STLS is ever executed (CVE-2011-0411), and `tlsEstablished()` forgets USER.
// - A dropped connection, a timeout or a shutdown deletes nothing: only QUIT in TRANSACTION
//   gives `.commitDeletions` (RFC 1939 §6).
// - Failed logins are counted and each asks the adapter for a delay; the configured number
//   closes the connection. Other client errors close it past `maxErrors`.
// - Events that answer nothing asked close the connection rather than trap; after `.closed`
//   every event is ignored, so late answers are harmless.

import MailroomSASL

/// The server side of one POP3 connection.
public struct POP3Session: Sendable {
    public let configuration: POP3SessionConfiguration
    /// The connection is encrypted: true from the start on the implicit-TLS port (RFC 8314
    /// §3.3, RFC 2595 §7: POP3S), and after STLS once the handshake is done. (The client's
    /// address is the adapter's business: the session decides nothing by it.)
    public private(set) var isTLS: Bool
    var state: State
    let nonces: POP3NonceSource

    public init(configuration: POP3SessionConfiguration, tls: Bool, nonces: POP3NonceSource = .system) {
        self.init(configuration: configuration, tls: tls, state: State(), nonces: nonces)
    }

    /// A session in any state, for tests (style.md §13).
    init(configuration: POP3SessionConfiguration, tls: Bool, state: State, nonces: POP3NonceSource = .system) {
        self.configuration = configuration
        self.isTLS = tls
        self.state = state
        self.nonces = nonces
    }

    // MARK: - What the adapter may ask

    /// RFC 1939's state.
    public var protocolState: ProtocolState {
        switch state.phase {
        case .authorization, .checkingPassword, .authenticating, .openingMaildrop, .startingTLS: .authorization
        case .transaction, .sendingMessage: .transaction
        case .committing: .update
        case .closed: .closed
        }
    }

    /// An action is outstanding: queue further input lines until its answering event.
    public var isAwaitingOutcome: Bool {
        switch state.phase {
        case .authorization, .transaction, .closed: false
        case .authenticating(let login): login.wait != .clientResponse
        case .checkingPassword, .openingMaildrop, .sendingMessage, .committing, .startingTLS: true
        }
    }

    /// The limit for the next line: a SASL response after a challenge, else a command.
    public var nextLineKind: POP3LineFramer.LineKind {
        if case .authenticating(let login) = state.phase, login.wait == .clientResponse { return .saslResponse }
        return .command
    }

    public var isClosed: Bool { protocolState == .closed }
    /// The maildrop owner, once logged in.
    public var user: String? { state.user }
    /// Failed logins on this connection (the adapter's delay grows with it).
    public var failedLogins: Int { state.failedLogins }
    /// Client errors on this connection.
    public var errorCount: Int { state.errorCount }
    /// The messages marked by DELE, ascending.
    public var markedForDeletion: [Int] { state.maildrop?.markedNumbers ?? [] }

    var hostName: String { configuration.hostName }

    // MARK: - Connection events

    /// The greeting (RFC 1939 §4).
    public mutating func greeting() -> Action {
        .reply(.greeting(hostName: hostName))
    }

    /// A line without its line end: a command, or the response to a SASL challenge.
    public mutating func lineReceived(_ line: [UInt8]) -> Action {
        switch state.phase {
        case .authorization, .transaction:
            break
        case .authenticating(let login) where login.wait == .clientResponse:
            return saslResponseReceived(line, login)
        case .closed:
            return .none
        default:
            return eventOutOfTurn()
        }
        let command: POP3Command
        do {
            command = try POP3Command.parse(line: line)
        } catch {
            return clientError(.syntaxError(error))
        }
        return dispatch(command)
    }

    /// The framer dropped a line longer than the limit.
    public mutating func lineTooLong() -> Action {
        switch state.phase {
        case .authorization, .transaction:
            return clientError(.lineTooLong)
        case .authenticating(let login) where login.wait == .clientResponse:
            state.phase = .authorization
            return clientError(.authenticationResponseTooLong)
        case .closed:
            return .none
        default:
            return eventOutOfTurn()
        }
    }

    /// The TLS handshake after STLS succeeded: the client is unknown again (RFC 2595 §4).
    public mutating func tlsEstablished() -> Action {
        guard case .startingTLS = state.phase else { return eventOutOfTurn() }
        isTLS = true
        state.pendingUser = nil
        state.phase = .authorization
        return .none
    }

    /// The idle timer ran out (RFC 1939 §3: at least 10 minutes): close, deleting nothing.
    public mutating func timedOut() -> Action {
        guard !isClosed else { return .none }
        return close(.timeout)
    }

    /// The server is stopping: close, deleting nothing.
    public mutating func shuttingDown() -> Action {
        guard !isClosed else { return .none }
        return close(.shuttingDown)
    }

    /// The client went away (or the adapter had to drop the connection): nothing is deleted
    /// (RFC 1939 §6); the adapter releases the maildrop lock.
    public mutating func connectionLost() -> Action {
        state.phase = .closed
        return .none
    }

    // MARK: - Helpers for the handlers

    /// Closes with `reply`.
    mutating func close(_ reply: POP3Reply) -> Action {
        state.phase = .closed
        return .replyAndClose(reply)
    }

    /// An event the session did not ask for, or a line while an action is outstanding: the
    /// adapter is out of step and nothing more can be trusted. Closes.
    mutating func eventOutOfTurn() -> Action {
        guard !isClosed else { return .none }
        return close(.internalError)
    }
}
