// IMAPCommandTable — which command runs in which state (style.md §5: one table per protocol).
//
// Standards: RFC 3501 §6.1–6.4 and RFC 9051 §6.1–6.4 (any state: CAPABILITY, NOOP, LOGOUT;
// not authenticated: STARTTLS, AUTHENTICATE, LOGIN; authenticated and selected: SELECT …
// APPEND; selected only: CHECK, CLOSE, EXPUNGE, SEARCH, FETCH, STORE, COPY, UID …), RFC 2971
// §3.1 (ID in any state), RFC 5161 §3.1 (ENABLE after login; Dovecot also takes it in the
// selected state, and so do we, except ENABLE IMAP4rev2: IMAPSession+CommandChecks), RFC 2177
// (IDLE after login), RFC 3691 (UNSELECT), RFC 6851 (MOVE), RFC 9208 (GETQUOTA, GETQUOTAROOT,
// SETQUOTA after login), RFC 5256 (SORT and THREAD in the selected state), RFC 5267 §4.3
// (CANCELUPDATE: the search contexts it names belong to the selected mailbox), RFC 4467 §7
// (GENURLAUTH, RESETKEY and URLFETCH after login; URLFETCH needs no selected mailbox), RFC 5464
// §4 (GETMETADATA and SETMETADATA after login, selected or not).

enum IMAPCommandTable {
    enum States { case any, notAuthenticated, authenticated, selected }

    static func states(of command: IMAPCommand) -> States {
        switch command {
        case .capability, .noop, .logout, .id: .any
        case .startTLS, .authenticate, .login: .notAuthenticated
        case .enable, .select, .examine, .create, .delete, .rename, .subscribe, .unsubscribe, .list, .lsub,
             .namespace, .status, .append, .idle, .getQuota, .getQuotaRoot, .setQuota,
             .genURLAuth, .resetKey, .urlFetch, .getMetadata, .setMetadata: .authenticated
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move, .sort, .thread,
             .cancelUpdate, .replace: .selected
        }
    }

    static func isAllowed(_ command: IMAPCommand, in phase: IMAPSession.Phase) -> Bool {
        switch (states(of: command), phase) {
        case (.any, _): true
        case (.notAuthenticated, .notAuthenticated): true
        case (.authenticated, .authenticated), (.authenticated, .selected): true
        case (.selected, .selected): true
        default: false
        }
    }

    /// The BAD text for a command in the wrong state.
    static func refusal(_ command: IMAPCommand, in phase: IMAPSession.Phase) -> String {
        switch states(of: command) {
        case .notAuthenticated: "\(command.name) is not allowed after login"
        case .authenticated: "\(command.name) needs login first"
        case .selected:
            if case .notAuthenticated = phase { "\(command.name) needs login first" } else { "\(command.name) needs a selected mailbox" }
        case .any: "\(command.name) is not allowed now"
        }
    }
}
