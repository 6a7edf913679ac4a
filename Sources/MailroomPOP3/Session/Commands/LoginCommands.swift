// LoginCommands — USER, PASS and APOP, the answer to the password check, and what every
// verified login leads to (opening the maildrop) whichever command started it.
//
// Standards: RFC 1939 §7 (USER name: "+OK name is a valid mailbox" — here "+OK" for every
// name; PASS string: "+OK maildrop locked and ready", "-ERR invalid password", "-ERR unable to
// lock maildrop"; APOP is optional and not offered), RFC 2449 §8.1 ([IN-USE],
// [LOGIN-DELAY]), RFC 3206 ([AUTH], [SYS/TEMP], [SYS/PERM]).
//
// Security: USER answers the same for every name, so it tells nothing about which users
// exist. The password goes to the adapter in `.verifyPassword` and is not kept. A failed
// login is counted and delayed (POP3Session+Limits). After a refused maildrop (locked, or not
// openable) the session stays in AUTHORIZATION, as RFC 1939 §7 allows, and the user is not
// remembered.

extension POP3Session {
    // user = "USER" SP name
    mutating func user(_ command: POP3Command) -> Action {
        guard case .user(let name) = command else { preconditionFailure("USER row, \(command.keyword) command") }
        state.pendingUser = name
        return .reply(.userAccepted)
    }

    // pass = "PASS" SP string
    mutating func pass(_ command: POP3Command) -> Action {
        guard case .pass(let password) = command else { preconditionFailure("PASS row, \(command.keyword) command") }
        guard let name = state.pendingUser else { return clientError(.userFirst) }
        state.pendingUser = nil
        state.phase = .checkingPassword
        return .verifyPassword(username: name, password: password)
    }

    // apop = "APOP" SP name SP digest: not offered (the store keeps no plaintext passwords).
    mutating func apop(_ command: POP3Command) -> Action {
        clientError(.apopNotSupported)
    }

    /// The account store's verdict on a `.verifyPassword` (from PASS, or from AUTH PLAIN or
    /// LOGIN).
    public mutating func passwordChecked(_ outcome: POP3AuthOutcome) -> Action {
        switch state.phase {
        case .checkingPassword:
            state.phase = .authorization
            return loginVerified(outcome)
        case .authenticating(var login) where login.wait == .passwordCheck:
            if outcome == .temporaryFailure {
                state.phase = .authorization
                return .reply(.authenticationTemporaryFailure)
            }
            login.outcome = outcome
            let step = login.exchange.passwordVerified(outcome != .invalidCredentials)
            return continueAuthentication(step, login)
        default:
            return eventOutOfTurn()
        }
    }

    /// Applies the store's verdict on verified credentials (or on a failed check).
    mutating func loginVerified(_ outcome: POP3AuthOutcome) -> Action {
        state.phase = .authorization
        switch outcome {
        case .success(let user):
            state.phase = .openingMaildrop(user: user)
            return .openMaildrop(user: user)
        case .invalidCredentials:
            return loginFailed(.authenticationFailed)
        case .pop3Disabled:
            return loginFailed(.pop3Disabled)
        case .loginDelay:
            return .reply(.loginTooSoon)
        case .accountUnavailable:
            return .reply(.accountUnavailable)
        case .temporaryFailure:
            return .reply(.authenticationTemporaryFailure)
        }
    }

    /// The maildrop of an `.openMaildrop`: TRANSACTION begins, or the session stays in
    /// AUTHORIZATION with the reason.
    public mutating func maildropOpened(_ result: POP3MaildropResult) -> Action {
        guard case .openingMaildrop(let user) = state.phase else { return eventOutOfTurn() }
        state.phase = .authorization
        switch result {
        case .opened(let messages):
            let maildrop = POP3Maildrop(messages)
            state.user = user
            state.maildrop = maildrop
            state.phase = .transaction
            return .reply(.maildropSummary(messages: maildrop.liveCount, octets: maildrop.liveOctets))
        case .inUse:
            return .reply(.maildropInUse)
        case .temporaryFailure:
            return .reply(.maildropTemporaryFailure)
        case .permanentFailure:
            return .reply(.maildropPermanentFailure)
        }
    }
}
