// IMAPSession+Authentication — LOGIN's verdict, AUTHENTICATE and its SASL exchange, and the
// step from a verified login to the authenticated state. The session runs MailroomSASL's
// SASLServerExchange itself and asks the adapter only for what needs the account store.
//
// Standards: RFC 3501 §6.2.2 and RFC 9051 §6.2.2 (AUTHENTICATE: challenges are "+ " base64,
// the client answers a line of base64 or "*" to cancel, answered BAD; the tagged OK may carry
// a CAPABILITY code), RFC 4959 (SASL-IR: the initial response on the command line, "=" for an
// empty one), RFC 3501 §6.2.3 (LOGIN), RFC 5530 (AUTHENTICATIONFAILED, AUTHORIZATIONFAILED,
// CONTACTADMIN, UNAVAILABLE, PRIVACYREQUIRED, LIMIT).
//
// Security: a mechanism must be configured and allowed now; PLAIN and LOGIN not before TLS
// when TLS is required. An unknown user, a wrong password and a user without the needed
// secret get the same NO [AUTHENTICATIONFAILED]; whether IMAP is off for the user or the
// domain is disabled is told only after the password or proof was right. A cancel or a
// malformed exchange is a client error, not a failed login.

import MailroomSASL

extension IMAPSession {
    mutating func authenticate(tag: String, mechanism name: String, initialResponse: [UInt8]?) -> Action {
        guard let mechanism = SASLMechanismKind(name: name), configuration.saslMechanisms.contains(mechanism) else {
            return .send([.tagged(tag: tag, status: .no, code: .cannot, text: "Unsupported authentication mechanism")])
        }
        if mechanism.usesPassword && plaintextRefused {
            return .send([.tagged(tag: tag, status: .no, code: .privacyRequired, text: "\(mechanism.rawValue) needs TLS (use STARTTLS)")])
        }
        var exchange = SASLServerExchange(mechanism: mechanism, serverName: configuration.hostName, nonce: nonces(),
                                          initialResponse: initialResponse, limits: configuration.saslLimits,
                                          unknownUserIterations: configuration.scramIterations)
        let step = exchange.start()
        return continueAuthentication(step, tag: tag, SASLLogin(exchange: exchange, wait: .clientResponse, outcome: nil))
    }

    mutating func authenticateResponseReceived(_ line: [UInt8], tag: String, login: SASLLogin) -> Action {
        phase = .notAuthenticated
        let response: AuthenticateResponse
        do {
            response = try parser.parseAuthenticateResponse(line)
        } catch {
            return bad(tag, "Authentication response is not base64")
        }
        guard case .data(let data) = response else {
            return bad(tag, "Authentication cancelled")
        }
        var login = login
        let step = login.exchange.receive(data)
        return continueAuthentication(step, tag: tag, login)
    }

    /// The store's verdict on a password (LOGIN, or AUTHENTICATE PLAIN/LOGIN).
    public mutating func loginVerified(_ outcome: IMAPAuthOutcome) -> Action {
        switch phase {
        case .loggingIn(let tag):
            return loginOutcome(outcome, tag: tag)
        case .authenticating(let tag, var login) where login.wait == .passwordCheck:
            login.outcome = outcome
            let success: Bool
            switch outcome {
            case .invalidCredentials, .throttled, .temporaryFailure: success = false
            default: success = true
            }
            if outcome == .throttled || outcome == .temporaryFailure {
                phase = .notAuthenticated
                return loginOutcome(outcome, tag: tag)
            }
            let step = login.exchange.passwordVerified(success)
            return continueAuthentication(step, tag: tag, login)
        default:
            return .none
        }
    }

    /// The SASL secrets of a `.lookupCredentials` (nil: unknown user, or one that may not log
    /// in at all), with the verdict to apply if the client's proof is right.
    public mutating func credentialsFound(_ credentials: SASLCredentials?, outcome: IMAPAuthOutcome) -> Action {
        guard case .authenticating(let tag, var login) = phase, login.wait == .credentialLookup else { return .none }
        if outcome == .temporaryFailure || outcome == .throttled {
            phase = .notAuthenticated
            return loginOutcome(outcome, tag: tag)
        }
        login.outcome = credentials == nil ? .invalidCredentials : outcome
        let step = login.exchange.credentialsFound(credentials)
        return continueAuthentication(step, tag: tag, login)
    }

    /// The user's mail after `.openMail`: logged in, or the reason it could not be opened.
    public mutating func mailOpened(_ outcome: IMAPAuthOutcome) -> Action {
        guard case .loggingIn(let tag) = phase else { return .none }
        guard case .success(let user) = outcome else { return loginOutcome(outcome, tag: tag) }
        phase = .authenticated(user: user)
        failedLogins = 0
        return .send([.tagged(tag: tag, status: .ok, code: .capability(authenticatedCapabilities), text: "Logged in")])
    }

    mutating func continueAuthentication(_ step: SASLStep, tag: String, _ login: SASLLogin) -> Action {
        var login = login
        switch step {
        case .challenge(let challenge):
            login.wait = .clientResponse
            phase = .authenticating(tag: tag, login)
            return .send([.continuation(.data(challenge))])
        case .verifyPassword(let username, let password):
            login.wait = .passwordCheck
            phase = .authenticating(tag: tag, login)
            return .verifyPassword(username: username, password: password)
        case .lookupCredentials(let username):
            login.wait = .credentialLookup
            phase = .authenticating(tag: tag, login)
            return .lookupCredentials(username: username)
        case .success:
            phase = .loggingIn(tag: tag)
            return loginOutcome(login.outcome ?? .invalidCredentials, tag: tag)
        case .failure(.malformed):
            phase = .notAuthenticated
            return bad(tag, "Malformed authentication exchange")
        case .failure:
            phase = .loggingIn(tag: tag)
            return loginOutcome(.invalidCredentials, tag: tag)
        }
    }

    /// Turns a verdict into the next action; the phase is `.loggingIn(tag)` or not
    /// authenticated.
    mutating func loginOutcome(_ outcome: IMAPAuthOutcome, tag: String) -> Action {
        switch outcome {
        case .success(let user):
            phase = .loggingIn(tag: tag)
            return .openMail(user: user)
        case .invalidCredentials:
            return loginFailed(tag: tag)
        case .imapDisabled:
            return loginFailed(tag: tag, code: .authorizationFailed, text: "IMAP access is disabled for this account")
        case .accountUnavailable:
            phase = .notAuthenticated
            return .send([.tagged(tag: tag, status: .no, code: .contactAdmin, text: "Account unavailable")])
        case .throttled:
            return loginFailed(tag: tag, code: .unavailable, text: "Too many failed logins from your address, try again later")
        case .tooManySessions:
            phase = .notAuthenticated
            return .send([.tagged(tag: tag, status: .no, code: .limit, text: "Too many open sessions for this user")])
        case .temporaryFailure:
            phase = .notAuthenticated
            return .send([.tagged(tag: tag, status: .no, code: .unavailable, text: "Temporary authentication failure, try again later")])
        }
    }

    mutating func loginFailed(tag: String, code: ResponseCode = .authenticationFailed,
                              text: String = "Authentication failed") -> Action {
        phase = .notAuthenticated
        failedLogins += 1
        let close = failedLogins >= configuration.maxFailedLogins
        var responses: [IMAPResponse] = [.tagged(tag: tag, status: .no, code: code, text: text)]
        if close {
            phase = .loggedOut
            responses.append(.untagged(.condition(.bye, code: nil, text: "Too many failed logins")))
        }
        return .failedLogin(responses, failures: failedLogins, close: close)
    }
}
