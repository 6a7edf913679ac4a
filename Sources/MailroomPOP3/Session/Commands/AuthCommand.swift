// AuthCommand — AUTH and its SASL exchange. The session runs MailroomSASL's
// SASLServerExchange itself (a pure value nested in the phase) and asks the adapter only for
// what needs the account store: a password check (PLAIN, LOGIN) or the stored secrets
// (CRAM-MD5, SCRAM-SHA-256), each with the account's POP3 access.
//
// Standards: RFC 5034 §4 (AUTH mechanism [initial-response]; "=" is an empty initial
// response; challenges are "+ " base64; the client's "*" cancels, answered -ERR; a response
// that is not base64 ends the exchange with -ERR; there is no additional data with success,
// so SCRAM's server-final message goes out as a challenge answered by an empty line), §6
// (AUTH without a mechanism is not defined; like Dovecot, it lists the mechanisms, for
// clients that still probe that way), RFC 4422 §3, RFC 3206 §5 ([AUTH] on failure).
//
// Security: the mechanism must be configured and allowed now (PLAIN and LOGIN not before TLS
// when TLS is required); a name the client makes up never reaches the SASL code. A wrong
// password, an unknown user and a user without the needed secret (SASLFailure.
// mechanismUnavailable) all get the same `authenticationFailed`, as failed logins; the
// account's POP3 flag and domain state are told only when the exchange itself succeeded.
// A malformed exchange or a cancel is a client error, not a failed login.

import MailroomCore
import MailroomSASL

extension POP3Session {
    /// The mechanisms AUTH accepts now.
    var offeredMechanisms: [SASLMechanismKind] {
        configuration.saslMechanisms.filter { !$0.usesPassword || !plaintextRefused }
    }

    // auth = "AUTH" [SP mechanism [SP initial-response]]
    mutating func auth(_ command: POP3Command) -> Action {
        guard case .auth(let name, let initialResponse) = command else { preconditionFailure("AUTH row, \(command.keyword) command") }
        guard let name else { return .reply(.ok("", lines: offeredMechanisms.map(\.rawValue))) }
        guard let mechanism = SASLMechanismKind(name: name), configuration.saslMechanisms.contains(mechanism) else {
            return clientError(.unsupportedMechanism)
        }
        if mechanism.usesPassword && plaintextRefused { return clientError(.plaintextDisallowed) }
        state.pendingUser = nil
        var exchange = SASLServerExchange(mechanism: mechanism, serverName: hostName, nonce: nonces.make(),
                                          initialResponse: initialResponse, limits: configuration.saslLimits,
                                          unknownUserIterations: configuration.scramIterations)
        let step = exchange.start()
        return continueAuthentication(step, SASLLogin(exchange: exchange, wait: .clientResponse, outcome: nil))
    }

    /// The SASL secrets of a `.lookupCredentials` (nil: unknown user, or one that may not log
    /// in at all), with the verdict to apply if the client's proof is right.
    public mutating func credentialsFound(_ credentials: SASLCredentials?, outcome: POP3AuthOutcome) -> Action {
        guard case .authenticating(var login) = state.phase, login.wait == .credentialLookup else { return eventOutOfTurn() }
        if outcome == .temporaryFailure {
            state.phase = .authorization
            return .reply(.authenticationTemporaryFailure)
        }
        login.outcome = credentials == nil ? .invalidCredentials : outcome
        let step = login.exchange.credentialsFound(credentials)
        return continueAuthentication(step, login)
    }

    /// The client's line after a challenge.
    mutating func saslResponseReceived(_ line: [UInt8], _ login: SASLLogin) -> Action {
        state.phase = .authorization
        if line == [UInt8(ascii: "*")] { return clientError(.authenticationCancelled) }
        guard let response = Base64.decode(line) else { return clientError(.authenticationResponseNotBase64) }
        var login = login
        let step = login.exchange.receive(response)
        return continueAuthentication(step, login)
    }

    /// Turns the exchange's next step into an action.
    mutating func continueAuthentication(_ step: SASLStep, _ login: SASLLogin) -> Action {
        var login = login
        switch step {
        case .challenge(let challenge):
            login.wait = .clientResponse
            state.phase = .authenticating(login)
            return .reply(.challenge(challenge))
        case .verifyPassword(let username, let password):
            login.wait = .passwordCheck
            state.phase = .authenticating(login)
            return .verifyPassword(username: username, password: password)
        case .lookupCredentials(let username):
            login.wait = .credentialLookup
            state.phase = .authenticating(login)
            return .lookupCredentials(username: username)
        case .success:
            state.phase = .authorization
            guard let outcome = login.outcome else { return eventOutOfTurn() }
            return loginVerified(outcome)
        case .failure(.malformed):
            state.phase = .authorization
            return clientError(.malformedAuthentication)
        case .failure:
            return loginFailed(.authenticationFailed)
        }
    }
}
