// POP3Outcomes — what the adapter reports back after the actions that ask the store or the
// maildrop something: a password check, a SASL credential lookup, opening the maildrop, and
// committing deletions at QUIT.
//
// Standards: RFC 1939 §7 (PASS: "-ERR invalid password", "-ERR unable to lock maildrop"),
// §6 (UPDATE: "-ERR some deleted messages not removed"), RFC 2449 §8.1 ([IN-USE],
// [LOGIN-DELAY]), RFC 3206 ([AUTH], [SYS/TEMP], [SYS/PERM]).
//
// Security: the adapter gives `pop3Disabled`, `loginDelay` and `accountUnavailable` only
// for credentials it verified (for a password check); for a SASL lookup it gives the account's
// state with the credentials, and the session tells it only once the client's proof is
// verified. Unknown users and wrong passwords are one case, `invalidCredentials`.

/// The account store's verdict on a login.
public enum POP3AuthOutcome: Sendable, Hashable {
    /// Verified, and POP3 allowed: the maildrop owner (the canonical address). Next: the
    /// session asks to open the maildrop.
    case success(user: String)
    /// Wrong password, unknown user, disabled account: "-ERR [AUTH]", a failed login.
    case invalidCredentials
    /// Verified, but the per-user POP3 flag is off: "-ERR [AUTH]", a failed login.
    case pop3Disabled
    /// Verified, but the user logged in too recently: "-ERR [LOGIN-DELAY]".
    case loginDelay
    /// Verified, but the domain or tenant is disabled: "-ERR [SYS/PERM]".
    case accountUnavailable
    /// The store could not answer: "-ERR [SYS/TEMP]".
    case temporaryFailure
}

/// The result of opening and locking the maildrop.
public enum POP3MaildropResult: Sendable, Hashable {
    /// Opened and locked; the messages in maildrop order (message 1 first).
    case opened([POP3MaildropMessage])
    /// Another session holds the lock: "-ERR [IN-USE]".
    case inUse
    /// A temporary failure (I/O error, storage node unreachable): "-ERR [SYS/TEMP]".
    case temporaryFailure
    /// A permanent failure (no maildrop and none can be made): "-ERR [SYS/PERM]".
    case permanentFailure
}

/// The result of committing deletions at QUIT.
public enum POP3CommitResult: Sendable, Hashable {
    /// Every marked message is gone: "+OK".
    case committed
    /// Some could not be removed: "-ERR [SYS/TEMP] some deleted messages not removed".
    case failed
}
