// POP3Session.Action — what the server must do after each event it gave the session: the only
// way the session acts on the world (style.md §2: the adapter runs it in one `switch`, the
// only place that writes, closes, starts TLS or asks the store).
//
// Standards: RFC 1939 §5–§7 (RETR and TOP stream a message after "+OK"; QUIT commits in the
// UPDATE state), RFC 2449 §6.6 (PIPELINING: replies in order; the adapter may write them when
// its input is drained), RFC 2595 §4 (STLS: "+OK" goes out in clear, then the handshake),
// RFC 5034 §4 (AUTH challenges).
//
// Contract with the adapter:
// - `reply`, `replyAndClose`, `failedLogin`: write the reply's `encoded` octets (and close).
//   For `failedLogin`, wait first (the adapter's policy, growing with `failedLogins`, e.g.
//   Dovecot's 2 s) and let no later reply overtake it.
// - `verifyPassword`, `lookupCredentials`, `openMaildrop`, `sendMessage`, `commitDeletions`:
//   asynchronous; read no further command line (queue them) until the matching event
//   (`passwordChecked`, `credentialsFound`, `maildropOpened`, `messageSent` or
//   `messageUnavailable`, `deletionsCommitted`). `POP3Session.isAwaitingOutcome` says the
//   same. Lines given meanwhile close the connection (the adapter is out of step).
// - `sendMessage`: open message `number` first; if that fails, send nothing and call
//   `messageUnavailable()`. Else write `reply`, stream the file through
//   POP3MessageWriter(bodyLines: bodyLines) (nil: whole message), finish it, and call
//   `messageSent()`. A read error after "+OK" leaves no way to recover the stream: close,
//   and call `connectionLost()`.
// - `startTLS`: write the reply in clear, throw away any input read after the STLS line, run
//   the handshake, call `tlsEstablished()` (or close on failure).
// - `commitDeletions`: delete those messages (1-based numbers, ascending), release the lock,
//   call `deletionsCommitted(_:)`, then write its reply and close.
// - On any close (and on `connectionLost`), release the maildrop lock without deleting.
// - Before each line, set the framer's `lineKind` to `POP3Session.nextLineKind`.

extension POP3Session {
    public enum Action: Sendable, Equatable {
        /// Nothing to do; read more input.
        case none
        /// Send the reply.
        case reply(POP3Reply)
        /// Send the reply, then close the connection.
        case replyAndClose(POP3Reply)
        /// A login failed: wait (the delay grows with `failedLogins`), send the reply, and
        /// close when `close` is true (the configured number of failures was reached).
        case failedLogin(POP3Reply, failedLogins: Int, close: Bool)
        /// Send the reply in clear, drop buffered input, start TLS, call `tlsEstablished()`.
        case startTLS(POP3Reply)
        /// Check this password (USER/PASS, AUTH PLAIN, AUTH LOGIN) with the account store
        /// and the account's POP3 access, then call `passwordChecked(_:)`.
        case verifyPassword(username: String, password: String)
        /// Fetch the SASL secrets of this user (CRAM-MD5, SCRAM-SHA-256) and the account's
        /// POP3 access, then call `credentialsFound(_:outcome:)`.
        case lookupCredentials(username: String)
        /// Open and lock `user`'s maildrop, then call `maildropOpened(_:)`.
        case openMaildrop(user: String)
        /// Send message `number` (1-based): `reply`, then the message through
        /// POP3MessageWriter(bodyLines:), then call `messageSent()` (see the contract above).
        case sendMessage(POP3Reply, number: Int, bodyLines: Int?)
        /// Delete these messages (UPDATE state), unlock, call `deletionsCommitted(_:)`.
        case commitDeletions([Int])
    }
}
