// AuthCommand — AUTH and its SASL exchange: the session checks that AUTH is allowed and the
// mechanism offered, then relays challenges and responses between the client and the server's
// SASL mechanism (MailroomSASL, run by the adapter), and records the outcome.
//
// Standards: RFC 4954 §4 (AUTH mechanism [initial-response]; "=" is an empty initial
// response; 334 challenges in base64; a response line "*" cancels with 501; a response that
// is not base64 gets 501; a mechanism that is not supported, or needs encryption, gets 504 or
// 538; AUTH after a successful AUTH, or inside a transaction, gets 503), §6 (235 2.7.0,
// 535 5.7.8, 538 5.7.11, 500 5.5.6 for a response line too long), RFC 4422 §3 (the exchange),
// RFC 5802 §6 (channel binding: "-PLUS" mechanisms only over TLS).
//
// Security: the mechanism must be one the configuration has and that is offered now; a name
// the client makes up never reaches the SASL code. Responses and the initial response are
// passed on decoded and never logged here. A failed or cancelled exchange counts as a client
// error, so password guessing on one connection ends at `maxErrors`.

import MailroomCore

extension SMTPSession {
    // auth-command = "AUTH" SP sasl-mech [SP initial-response]
    mutating func auth(_ command: SMTPCommand) -> Action {
        guard case .auth(let mechanism, let initialResponse) = command else {
            preconditionFailure("AUTH row, \(command.verb) command")
        }
        if isAuthenticated { return .reply(.alreadyAuthenticated) }
        if configuration.authMechanisms.isEmpty { return .reply(.authenticationNotEnabled) }
        guard configuration.authMechanisms.contains(mechanism) else { return .reply(.unsupportedAuthenticationMechanism) }
        // RFC 4954 §4 and §6: 538 for a mechanism that needs an encryption layer first.
        guard authenticationAllowedNow, isTLS || !Self.needsChannelBinding(mechanism) else {
            return .reply(.encryptionRequiredForAuthentication)
        }
        state.phase = .authenticating(mechanism, .server)
        return .startAuthentication(mechanism, initialResponse: initialResponse)
    }

    /// The SASL mechanism wants more from the client: "334 <base64>".
    public mutating func authChallenge(_ challenge: [UInt8]) -> Action {
        guard case .authenticating(let mechanism, .server) = state.phase else { return eventOutOfTurn() }
        state.phase = .authenticating(mechanism, .client)
        return .reply(.authenticationChallenge(challenge))
    }

    /// The SASL exchange is over.
    public mutating func authCompleted(_ outcome: AuthOutcome) -> Action {
        guard case .authenticating(_, .server) = state.phase else { return eventOutOfTurn() }
        state.phase = .command
        switch outcome {
        case .success(let username):
            state.authenticatedUser = username
            return .reply(.authenticationSucceeded)
        case .failure(let reply):
            return counted(.reply(reply))
        }
    }

    /// The client's response to a 334 challenge.
    mutating func authResponseReceived(_ line: [UInt8]) -> Action {
        guard case .authenticating(let mechanism, .client) = state.phase else { return eventOutOfTurn() }
        if line == [UInt8(ascii: "*")] {
            state.phase = .command
            return counted(.reply(.authenticationCancelled))
        }
        guard let response = Base64.decode(line) else {
            state.phase = .command
            return counted(.reply(.authenticationResponseNotBase64))
        }
        state.phase = .authenticating(mechanism, .server)
        return .authResponse(response)
    }
}
