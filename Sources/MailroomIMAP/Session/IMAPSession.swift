// IMAPSession — the IMAP protocol state machine of one connection, without I/O: it takes
// framed input (IMAPCommandFramer events), the store's verdicts and the mailbox engine's
// results, and returns what the adapter must do. Mailbox work itself (SELECT, FETCH, STORE,
// …) is done by IMAPMailboxEngine over MailStorage; this type decides what is allowed when.
//
// Standards: RFC 3501 §3 and RFC 9051 §3 (states: not authenticated, authenticated, selected,
// logout), §6.1 (CAPABILITY, NOOP, LOGOUT in any state), §6.2 (STARTTLS, AUTHENTICATE, LOGIN),
// §7.1.5 (BYE), §5.5 (pipelining: commands are answered in order; the adapter feeds one
// frame at a time and waits for its action to finish), RFC 2177 (IDLE: "+ idling", then DONE),
// RFC 2971 (ID in any state), RFC 4959 (SASL-IR), RFC 5530 (response codes), RFC 7888
// (LITERAL+; a refused literal gets a tagged reply instead of "+"), RFC 9051 §6.1.1 and
// §6.3.1 (IMAP4rev2 announced beside IMAP4rev1; `ENABLE IMAP4rev2` before a mailbox is
// selected switches the session to it: `revision`, see IMAPRevision).
//
// Security:
// - Before login only CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, AUTHENTICATE and LOGIN run;
//   everything else gets BAD without touching storage.
// - LOGIN and AUTHENTICATE PLAIN/LOGIN are refused without TLS when the configuration says so
//   (NO [PRIVACYREQUIRED]); LOGINDISABLED is then announced (RFC 3501 §6.2.3).
// - After STARTTLS nothing the client sent before the handshake is used (the adapter drops
//   it; the framer stops at the command's end).
// - Failed logins are counted; the adapter delays each answer, and the last allowed one ends
//   the connection. BAD answers in a row are counted too (a client speaking another protocol,
//   or an attack): at imap.max_bad_commands the session says BYE.
// - Credentials never appear in `description`s (see IMAPCommand).

import MailroomCore
import MailroomSASL

public struct IMAPSession: Sendable {
    public enum Phase: Sendable, Equatable {
        case notAuthenticated
        /// An AUTHENTICATE exchange is running.
        case authenticating(tag: String, SASLLogin)
        /// LOGIN or AUTHENTICATE is waiting for the store, or the mail is being opened.
        case loggingIn(tag: String)
        case authenticated(user: String)
        case selected(user: String)
        /// IDLE is running; `selected`: a mailbox was selected before.
        case idling(tag: String, user: String, selected: Bool)
        case loggedOut
    }

    /// The SASL exchange of AUTHENTICATE and what it waits for.
    public struct SASLLogin: Sendable, Equatable {
        public enum Wait: Sendable, Equatable { case clientResponse, passwordCheck, credentialLookup }
        var exchange: SASLServerExchange
        var wait: Wait
        var outcome: IMAPAuthOutcome?

        public static func == (a: SASLLogin, b: SASLLogin) -> Bool {
            a.wait == b.wait && a.outcome == b.outcome && a.exchange.mechanism == b.exchange.mechanism
        }
    }

    /// What the adapter does next.
    public enum Action: Sendable, Equatable {
        case none
        /// Write these responses.
        case send([IMAPResponse])
        /// Write these responses, then close the connection.
        case sendAndClose([IMAPResponse])
        /// Write these responses, then start TLS (and call `tlsEstablished`).
        case startTLS([IMAPResponse])
        /// Check a password with the account store, then call `loginVerified`.
        case verifyPassword(username: String, password: String)
        /// Fetch a user's SASL secrets, then call `credentialsFound`.
        case lookupCredentials(username: String)
        /// A failed login: wait (imap.failed_login_delay_seconds × failures), write the
        /// responses, and close when `close`.
        case failedLogin([IMAPResponse], failures: Int, close: Bool)
        /// Open the user's mail (and count the session against the user's limit), then call
        /// `mailOpened`.
        case openMail(user: String)
        /// Run a mailbox command with IMAPMailboxEngine, write its responses, then call
        /// `commandExecuted`.
        case execute(tag: String, IMAPCommand)
        /// Write the responses ("+ idling" and any pending updates) and push mailbox changes
        /// as they happen until the client's DONE (then call `lineReceived`).
        case startIdle([IMAPResponse])
        /// IDLE ended: send the engine's pending updates, then these responses.
        case endIdle([IMAPResponse])
    }

    public let configuration: IMAPSessionConfiguration
    public internal(set) var phase: Phase = .notAuthenticated
    public private(set) var isTLS: Bool
    public internal(set) var failedLogins = 0
    public internal(set) var badCommandsInARow = 0
    /// IMAP4rev1 until the client's `ENABLE IMAP4rev2` (the engine learns it from the same
    /// ENABLE; this copy decides what the parser's output may ask for).
    public internal(set) var revision: IMAPRevision = .imap4rev1
    let parser: IMAPCommandParser
    let nonces: @Sendable () -> String

    public init(configuration: IMAPSessionConfiguration, tls: Bool = false,
                nonce: @escaping @Sendable () -> String = { SASLNonce.make() }) {
        self.configuration = configuration
        self.isTLS = tls
        parser = IMAPCommandParser(limits: configuration.limits)
        nonces = nonce
    }

    /// Test-only start in any phase (style.md §13).
    init(configuration: IMAPSessionConfiguration, phase: Phase, tls: Bool = false) {
        self.init(configuration: configuration, tls: tls)
        self.phase = phase
    }

    // MARK: Derived state

    /// The framer must read single lines (an AUTHENTICATE response, IDLE's DONE).
    public var expectsLine: Bool {
        switch phase {
        case .authenticating(_, let login): login.wait == .clientResponse
        case .idling: true
        default: false
        }
    }

    public var isAuthenticated: Bool {
        switch phase {
        case .authenticated, .selected, .idling: true
        default: false
        }
    }

    public var user: String? {
        switch phase {
        case .authenticated(let user), .selected(let user), .idling(_, let user, _): user
        default: nil
        }
    }

    /// LOGIN and the PLAIN/LOGIN mechanisms are refused here and now.
    var plaintextRefused: Bool { configuration.authRequiresTLS && !isTLS }

    // MARK: Events

    /// The first thing the server sends.
    public func greeting() -> [IMAPResponse] {
        [.untagged(.condition(.ok, code: .capability(capabilities), text: "\(configuration.hostName) Mailroom IMAP ready"))]
    }

    /// One event from the framer.
    public mutating func frameReceived(_ event: IMAPCommandFramer.Event) -> Action {
        switch event {
        case .continuationRequest:
            return .send([.continuation(.text("Ready for literal data"))])
        case .refused(let tag, let refusal):
            return refused(tag: tag.map { String(decoding: $0, as: UTF8.self) }, refusal)
        case .line(let line):
            return lineReceived(line)
        case .command(let frame):
            return commandReceived(frame)
        }
    }

    mutating func refused(tag: String?, _ refusal: IMAPCommandFramer.Refusal) -> Action {
        switch refusal {
        case .literalTooLarge(let size, let limit, isAppend: true):
            guard let tag else { return bad(nil, "Message too large") }
            return .send([.tagged(tag: tag, status: .no, code: .tooBig,
                                  text: "Message of \(size) octets is larger than the \(limit) allowed")])
        case .literalTooLarge(_, let limit, isAppend: false):
            return bad(tag, "Literal larger than the \(limit) octets allowed")
        case .commandTooLong(let limit):
            return bad(tag, "Command longer than the \(limit) octets allowed")
        case .tooManyLiterals(let limit):
            return bad(tag, "More than \(limit) literals in one command")
        }
    }

    /// A line in line mode: an AUTHENTICATE response or IDLE's DONE.
    mutating func lineReceived(_ line: [UInt8]) -> Action {
        switch phase {
        case .authenticating(let tag, let login) where login.wait == .clientResponse:
            return authenticateResponseReceived(line, tag: tag, login: login)
        case .idling(let tag, let user, let selected):
            do {
                try parser.parseIdleDone(line)
            } catch {
                // RFC 2177 §3: anything but DONE ends IDLE as a protocol error.
                phase = selected ? .selected(user: user) : .authenticated(user: user)
                return noteBad(.endIdle([.tagged(tag: tag, status: .bad, code: nil, text: error.reason)]))
            }
            phase = selected ? .selected(user: user) : .authenticated(user: user)
            return .endIdle([.tagged(tag: tag, status: .ok, code: nil, text: "IDLE terminated")])
        default:
            return bad(nil, "Unexpected line")
        }
    }

    mutating func commandReceived(_ frame: [UInt8]) -> Action {
        let tagged: TaggedCommand
        do {
            tagged = try parser.parse(frame)
        } catch {
            return noteBad(.send([error.response]))
        }
        let tag = tagged.tag
        let command = tagged.command
        guard IMAPCommandTable.isAllowed(command, in: phase) else {
            return bad(tag, IMAPCommandTable.refusal(command, in: phase))
        }
        if let refusal = commandRefusal(command) { return bad(tag, refusal) }
        badCommandsInARow = 0
        switch command {
        case .capability:
            return .send([.untagged(.capability(capabilities)), ok(tag, "CAPABILITY completed")])
        case .logout:
            phase = .loggedOut
            return .sendAndClose([.untagged(.condition(.bye, code: nil, text: "Logging out")), ok(tag, "LOGOUT completed")])
        case .noop where !isAuthenticated:
            return .send([ok(tag, "NOOP completed")])
        case .id where !isAuthenticated:
            return .send([.untagged(.id(Self.serverID)), ok(tag, "ID completed")])
        case .startTLS:
            guard configuration.startTLSAvailable, !isTLS else {
                return .send([.tagged(tag: tag, status: .no, code: nil, text: isTLS ? "TLS is active already" : "TLS is not available")])
            }
            return .startTLS([ok(tag, "Begin TLS negotiation now")])
        case .login(let username, let password):
            if plaintextRefused {
                return .send([.tagged(tag: tag, status: .no, code: .privacyRequired, text: "LOGIN needs TLS (use STARTTLS)")])
            }
            guard let user = String(validating: username, as: UTF8.self), let pass = String(validating: password, as: UTF8.self) else {
                return loginFailed(tag: tag)
            }
            phase = .loggingIn(tag: tag)
            return .verifyPassword(username: user, password: pass)
        case .authenticate(let mechanism, let initialResponse):
            return authenticate(tag: tag, mechanism: mechanism, initialResponse: initialResponse)
        case .enable(let names) where names.contains(IMAPRevision.imap4rev2Capability.uppercased()):
            // Allowed here (commandRefusal): the engine enables it and answers ENABLED.
            revision = .imap4rev2
            return .execute(tag: tag, command)
        case .idle:
            guard case .authenticated(let user) = phase else {
                if case .selected(let user) = phase {
                    phase = .idling(tag: tag, user: user, selected: true)
                    return .startIdle([.continuation(.text("idling"))])
                }
                return bad(tag, "IDLE not allowed now")
            }
            phase = .idling(tag: tag, user: user, selected: false)
            return .startIdle([.continuation(.text("idling"))])
        default:
            return .execute(tag: tag, command)
        }
    }

    /// A mailbox command finished. `selected`: whether a mailbox is selected now (SELECT,
    /// EXAMINE, CLOSE, UNSELECT and a failed SELECT change it).
    public mutating func commandExecuted(selected: Bool) {
        switch phase {
        case .authenticated(let user), .selected(let user):
            phase = selected ? .selected(user: user) : .authenticated(user: user)
        default:
            break
        }
    }

    /// The TLS handshake after STARTTLS succeeded.
    public mutating func tlsEstablished() {
        isTLS = true
    }

    // MARK: Replies

    func ok(_ tag: String, _ text: String) -> IMAPResponse {
        .tagged(tag: tag, status: .ok, code: nil, text: text)
    }

    /// A BAD reply (tagged when there is a tag), counted toward imap.max_bad_commands.
    mutating func bad(_ tag: String?, _ text: String) -> Action {
        let response: IMAPResponse = tag.map { .tagged(tag: $0, status: .bad, code: nil, text: text) }
            ?? .untagged(.condition(.bad, code: nil, text: text))
        return noteBad(.send([response]))
    }

    mutating func noteBad(_ action: Action) -> Action {
        badCommandsInARow += 1
        guard badCommandsInARow >= configuration.maxBadCommands else { return action }
        phase = .loggedOut
        var responses: [IMAPResponse] = []
        switch action {
        case .send(let r), .endIdle(let r): responses = r
        default: break
        }
        return .sendAndClose(responses + [.untagged(.condition(.bye, code: nil, text: "Too many invalid commands"))])
    }

    /// What ID answers (RFC 2971 §3.3): enough for a client's log, nothing an attacker needs.
    static let serverID: [IDParameter] = [IDParameter("name", "Mailroom")]

    // MARK: Capabilities

    /// The IMAP versions, first in every capability list (RFC 9051 §7.2.2 and Appendix A: a
    /// server that speaks both lists both; a client that wants rev2 ENABLEs it).
    static let revisions = ["IMAP4rev1", IMAPRevision.imap4rev2Capability]

    /// CAPABILITY now (RFC 3501 §7.2.1): before login the login methods, after it the
    /// extensions.
    public var capabilities: [String] {
        var list = Self.revisions
        if isAuthenticated {
            list += configuration.extensions
            return list
        }
        list += ["SASL-IR", "ID", "ENABLE", "IDLE", "LITERAL+"]
        if configuration.startTLSAvailable && !isTLS { list.append("STARTTLS") }
        list += offeredMechanisms.map { "AUTH=\($0.rawValue)" }
        if plaintextRefused { list.append("LOGINDISABLED") }
        return list
    }

    /// The mechanisms AUTHENTICATE accepts now.
    var offeredMechanisms: [SASLMechanismKind] {
        configuration.saslMechanisms.filter { !$0.usesPassword || !plaintextRefused }
    }

    /// The capabilities after login, for the tagged OK of LOGIN/AUTHENTICATE (RFC 3501
    /// §7.1: a CAPABILITY response code saves the client a round trip).
    var authenticatedCapabilities: [String] { Self.revisions + configuration.extensions }
}
