// POP3Session+Limits — the limits on a misbehaving client: client errors and failed logins are
// counted, and past the configured numbers the connection is closed.
//
// Standards: RFC 1939 §3 (a server may close after too many errors; "-ERR"), RFC 3206 §5
// ([AUTH] on refused credentials).
//
// Policy:
// - A client error is a -ERR the client caused: a syntax error, an unknown command, a command
//   in the wrong state, a refused message number, a cancelled or malformed AUTH, STLS when it
//   cannot be used. Not counted: our own trouble ([SYS/TEMP], [SYS/PERM], [IN-USE],
//   [LOGIN-DELAY]). The first `maxErrors` are answered normally; the next one closes with
//   "-ERR Too many errors".
// - A failed login (wrong credentials, unknown user, POP3 disabled) counts apart, in
//   `failedLogins`, and is answered through `.failedLogin` so the adapter waits before the
//   reply (Dovecot's auth_failure_delay; the adapter also throttles per client address). The
//   failure that reaches `maxFailedLogins` is answered and closes.
//
// Configuration: POP3SessionConfiguration.maxErrors, .maxFailedLogins.
//
// Security: bounds how long one connection may guess passwords or hold a slot with garbage.

extension POP3Session {
    /// A client error: counted; past the limit, closes instead of answering `reply`.
    mutating func clientError(_ reply: POP3Reply) -> Action {
        state.errorCount += 1
        if state.errorCount > configuration.maxErrors { return close(.tooManyErrors) }
        return .reply(reply)
    }

    /// A failed login: counted; the one that reaches the limit closes.
    mutating func loginFailed(_ reply: POP3Reply) -> Action {
        state.failedLogins += 1
        let last = state.failedLogins >= configuration.maxFailedLogins
        state.phase = last ? .closed : .authorization
        return .failedLogin(reply, failedLogins: state.failedLogins, close: last)
    }
}
