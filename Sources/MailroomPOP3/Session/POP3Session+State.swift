// POP3Session.State — everything a POP3 session remembers between two events: the phase (what
// it waits for), the USER name given, the open maildrop with its marks, and the error counts.
//
// Standards: RFC 1939 §3 (the AUTHORIZATION, TRANSACTION and UPDATE states), §7 (USER then
// PASS), RFC 5034 §4 (the AUTH exchange), RFC 2595 §4 (after STLS the client is unknown
// again).
//
// Shape (style.md §1): in `.authorization` and `.transaction` the session reads command
// lines; every other phase but `.closed` waits for one event — the answer to an action (a
// password check, a credential lookup, the maildrop, a streamed message, the commit) or the
// TLS handshake — and no command line is executed meanwhile. The SASL exchange nests as an
// associated value (MailroomSASL's SASLServerExchange, itself a pure value).
//
// Tests build any state with the internal `POP3Session(configuration:connection:state:)`.

import MailroomSASL

extension POP3Session {
    /// RFC 1939's states, as the adapter and logs see them.
    public enum ProtocolState: Sendable, Equatable {
        case authorization
        case transaction
        /// QUIT in TRANSACTION: deletions are being committed.
        case update
        case closed
    }

    /// Which answer an AUTH exchange waits for.
    enum SASLWait: Sendable, Equatable {
        /// A challenge was sent: the next line is the client's response.
        case clientResponse
        /// `.verifyPassword` is out: `passwordChecked`.
        case passwordCheck
        /// `.lookupCredentials` is out: `credentialsFound`.
        case credentialLookup
    }

    /// A running AUTH exchange.
    struct SASLLogin: Sendable {
        var exchange: SASLServerExchange
        var wait: SASLWait
        /// The store's verdict, applied when the exchange succeeds.
        var outcome: POP3AuthOutcome?
    }

    /// What the session waits for.
    enum Phase: Sendable {
        /// AUTHORIZATION: a command line.
        case authorization
        /// PASS sent `.verifyPassword`: `passwordChecked`.
        case checkingPassword
        /// AUTH.
        case authenticating(SASLLogin)
        /// `.openMaildrop` is out: `maildropOpened`.
        case openingMaildrop(user: String)
        /// TRANSACTION: a command line.
        case transaction
        /// `.sendMessage` is out: `messageSent` or `messageUnavailable`.
        case sendingMessage
        /// QUIT sent `.commitDeletions` (UPDATE): `deletionsCommitted`.
        case committing(count: Int)
        /// STLS answered: `tlsEstablished`.
        case startingTLS
        case closed
    }

    /// The whole state of a session.
    struct State: Sendable {
        var phase: Phase = .authorization
        /// The name of the last USER, until PASS or STLS.
        var pendingUser: String?
        /// The maildrop owner, once logged in.
        var user: String?
        var maildrop: POP3Maildrop?
        /// Client errors so far (POP3SessionConfiguration.maxErrors).
        var errorCount = 0
        /// Failed logins so far (POP3SessionConfiguration.maxFailedLogins).
        var failedLogins = 0
    }
}
