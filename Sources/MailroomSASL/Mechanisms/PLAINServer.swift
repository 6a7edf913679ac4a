// PLAINServer — the server side of PLAIN, a sub-machine of SASLServerExchange.
//
// Standards: RFC 4616 §2 (the message, see PLAINMessage), RFC 4422 §3.3 (no initial response:
// the server sends an empty challenge; an empty initial response is an empty message),
// RFC 4422 §3.4.1 (authorization identity: empty, or equal to the authentication identity,
// since Mailroom has no proxy authorization; anything else is authorizationDenied before the
// password is looked at).
//
//   start(nil)                 → challenge("")            waitingForMessage
//   start(msg) / receive(msg)  → verifyPassword(authcid)  waitingForPasswordCheck
//   passwordVerified(true)     → success(authcid)
//   passwordVerified(false)    → failure(invalidCredentials)
//
// Security: the password leaves this machine only in the verifyPassword step.

struct PLAINServer: Sendable {
    enum State: Sendable, Equatable {
        case initial
        case waitingForMessage
        case waitingForPasswordCheck(username: String)
        case done
    }

    var state: State
    let limits: SASLLimits

    init(limits: SASLLimits, state: State = .initial) {
        self.limits = limits
        self.state = state
    }

    mutating func handle(_ event: SASLServerExchange.Event) -> SASLStep {
        switch (state, event) {
        case (.initial, .start(nil)):
            state = .waitingForMessage
            return .challenge([])
        case (.initial, .start(let message?)), (.waitingForMessage, .receive(let message)):
            return take(message)
        case (.waitingForPasswordCheck(let username), .passwordVerified(let ok)):
            state = .done
            return ok ? .success(username: username) : .failure(.invalidCredentials)
        default:
            state = .done
            return .failure(.malformed("PLAIN: unexpected \(event.name)"))
        }
    }

    private mutating func take(_ bytes: [UInt8]) -> SASLStep {
        let message: PLAINMessage
        do throws(SASLFailure) {
            message = try PLAINMessage(parsing: bytes, limits: limits)
        } catch {
            state = .done
            return .failure(error)
        }
        guard message.authorizationIdentity.isEmpty
                || message.authorizationIdentity == message.authenticationIdentity else {
            state = .done
            return .failure(.authorizationDenied)
        }
        state = .waitingForPasswordCheck(username: message.authenticationIdentity)
        return .verifyPassword(username: message.authenticationIdentity, password: message.password)
    }
}
