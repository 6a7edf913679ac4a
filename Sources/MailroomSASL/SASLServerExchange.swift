// SASLServerExchange — one server-side SASL authentication exchange, without I/O.
//
// Standards: RFC 4422 §3 (the exchange: mechanism, optional initial response, challenges and
// responses, outcome); the mechanisms in Mechanisms/: RFC 4616 (PLAIN), draft-murchison-sasl-
// login (LOGIN), RFC 2195 (CRAM-MD5), RFC 5802 + RFC 7677 (SCRAM-SHA-256, no channel binding).
// Used by SMTP AUTH (RFC 4954), IMAP AUTHENTICATE (RFC 9051 §6.2.2) and POP3 AUTH (RFC 5034):
// each protocol base64-decodes the client's lines, calls the methods below, and turns the
// returned SASLStep into its own reply (challenge → "334 " / "+ ", failure → 535 / NO / -ERR).
//
// A pure value type (style rule 1): events come in as calls (`start`, `receive`,
// `passwordVerified`, `credentialsFound`), each returning the next step; randomness (the nonce)
// and the account store's answers come in as arguments. One sub-machine per mechanism, nested
// as an associated value. Every failure or success ends the exchange; any call after that (or
// an event the current step did not ask for) returns `.failure(.malformed(…))`.
//
// Security: runs before authentication, on untrusted input: every field is bounded
// (SASLLimits), checked for UTF-8 and NUL before it becomes a String, and secrets are compared
// in constant time. Unknown users look like real ones to SCRAM clients (see SCRAMSHA256Server).
// `malformed` texts never contain the client's data, so they can be logged.
//
// Configuration: none read here; the server passes SASLLimits and, for SCRAM's unknown users,
// passwords.scram_iterations as `unknownUserIterations`.

public struct SASLServerExchange: Sendable {
    /// What happens to the exchange; the public methods are these events.
    enum Event: Sendable, Equatable {
        case start(initialResponse: [UInt8]?)
        case receive([UInt8])
        case passwordVerified(Bool)
        case credentialsFound(SASLCredentials?)

        /// For messages: never the event's data (it may hold a password).
        var name: String {
            switch self {
            case .start: "start"
            case .receive: "client response"
            case .passwordVerified: "password check result"
            case .credentialsFound: "credentials"
            }
        }
    }

    enum State: Sendable {
        case initial(initialResponse: [UInt8]?)
        case plain(PLAINServer)
        case login(LOGINServer)
        case cramMD5(CRAMMD5Server)
        case scramSHA256(SCRAMSHA256Server)
        case finished
    }

    public let mechanism: SASLMechanismKind
    let serverName: String
    let nonce: String
    let limits: SASLLimits
    let unknownUserIterations: Int
    var state: State

    /// - Parameters:
    ///   - serverName: the host name in CRAM-MD5's challenge.
    ///   - nonce: fresh randomness for this exchange (SASLNonce.make()); SCRAM's server nonce
    ///     part and CRAM-MD5's challenge are made from it.
    ///   - initialResponse: the decoded initial response; `[]` for an empty one ("="), nil when
    ///     the client sent none.
    ///   - limits: field sizes (SASLLimits).
    ///   - unknownUserIterations: the iteration count shown to SCRAM clients for unknown users;
    ///     pass passwords.scram_iterations.
    public init(mechanism: SASLMechanismKind, serverName: String, nonce: String, initialResponse: [UInt8]?,
                limits: SASLLimits = SASLLimits(), unknownUserIterations: Int = SCRAMVerifier.defaultIterations) {
        self.mechanism = mechanism
        self.serverName = serverName
        self.nonce = nonce
        self.limits = limits
        self.unknownUserIterations = unknownUserIterations
        self.state = .initial(initialResponse: initialResponse)
    }

    /// Test-only: an exchange already in `state` (style rule 13).
    init(mechanism: SASLMechanismKind, serverName: String = "mail.example", nonce: String, state: State,
         limits: SASLLimits = SASLLimits(), unknownUserIterations: Int = SCRAMVerifier.defaultIterations) {
        self.init(mechanism: mechanism, serverName: serverName, nonce: nonce, initialResponse: nil,
                  limits: limits, unknownUserIterations: unknownUserIterations)
        self.state = state
    }

    /// Whether a success or failure has ended the exchange.
    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Begins the exchange: the first challenge, or (with an initial response) the next step.
    public mutating func start() -> SASLStep {
        guard case .initial(let initialResponse) = state else {
            return finish(.failure(.malformed("start: the exchange has already started")))
        }
        switch mechanism {
        case .plain: state = .plain(PLAINServer(limits: limits))
        case .login: state = .login(LOGINServer(limits: limits))
        case .cramMD5: state = .cramMD5(CRAMMD5Server(nonce: nonce, serverName: serverName, limits: limits))
        case .scramSHA256:
            state = .scramSHA256(SCRAMSHA256Server(serverNonce: nonce, limits: limits,
                                                   unknownUserIterations: unknownUserIterations))
        }
        return handle(.start(initialResponse: initialResponse))
    }

    /// The client's (decoded) answer to the last challenge.
    public mutating func receive(_ response: [UInt8]) -> SASLStep {
        handle(.receive(response))
    }

    /// The account store's verdict on the password of a `.verifyPassword` step.
    public mutating func passwordVerified(_ ok: Bool) -> SASLStep {
        handle(.passwordVerified(ok))
    }

    /// The stored secrets asked for by a `.lookupCredentials` step; nil for an unknown user, or
    /// one the store refuses (disabled, inactive domain or tenant, locked): the exchange then
    /// fails with invalidCredentials, for SCRAM only after the client's proof.
    public mutating func credentialsFound(_ credentials: SASLCredentials?) -> SASLStep {
        handle(.credentialsFound(credentials))
    }

    private mutating func handle(_ event: Event) -> SASLStep {
        let step: SASLStep
        switch state {
        case .initial:
            return finish(.failure(.malformed("\(event.name) before start")))
        case .finished:
            return .failure(.malformed("\(event.name) after the exchange ended"))
        case .plain(var machine):
            step = machine.handle(event)
            state = .plain(machine)
        case .login(var machine):
            step = machine.handle(event)
            state = .login(machine)
        case .cramMD5(var machine):
            step = machine.handle(event)
            state = .cramMD5(machine)
        case .scramSHA256(var machine):
            step = machine.handle(event)
            state = .scramSHA256(machine)
        }
        return step.isFinal ? finish(step) : step
    }

    private mutating func finish(_ step: SASLStep) -> SASLStep {
        state = .finished
        return step
    }
}
