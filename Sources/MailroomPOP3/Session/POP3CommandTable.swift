// POP3CommandTable — one row per command: the RFC 1939 state it is allowed in, whether it is
// a plaintext password login, and its handler (style.md §5, after Postfix's smtpd_cmd_table
// and Dovecot's pop3-commands.c).
//
// Standards: RFC 1939 §4 (AUTHORIZATION: USER, PASS, APOP, QUIT), §5 (TRANSACTION: STAT, LIST,
// RETR, DELE, NOOP, RSET, QUIT), §7 (TOP and UIDL in TRANSACTION), RFC 2449 §5 (CAPA in both
// states), RFC 2595 §4 (STLS only in AUTHORIZATION), RFC 5034 §4 (AUTH only in
// AUTHORIZATION), RFC 2595 §2.2 and §4 (plaintext logins before TLS).
//
// The refusals are checked in this order: state first, then the plaintext rule, so the most
// useful reply wins. Command-specific checks (message numbers, mechanisms) are the handlers'.
//
// Security: the pre-authentication surface is the rows allowed in AUTHORIZATION: USER, PASS,
// APOP (always refused), AUTH, STLS, CAPA, QUIT.

/// The rules and handler of one command.
struct POP3CommandEntry: Sendable {
    struct Rules: OptionSet, Sendable, Hashable {
        let rawValue: UInt8
        /// Allowed in AUTHORIZATION.
        static let authorization = Rules(rawValue: 1 << 0)
        /// Allowed in TRANSACTION.
        static let transaction = Rules(rawValue: 1 << 1)
        /// USER/PASS: refused when USER/PASS is off, or before TLS when TLS is required.
        static let plaintextLogin = Rules(rawValue: 1 << 2)
    }

    let keyword: POP3Keyword
    let rules: Rules
    let handler: @Sendable (inout POP3Session, POP3Command) -> POP3Session.Action
}

enum POP3CommandTable {
    static let entries: [POP3CommandEntry] = [
        POP3CommandEntry(keyword: .user, rules: [.authorization, .plaintextLogin], handler: { $0.user($1) }),
        POP3CommandEntry(keyword: .pass, rules: [.authorization, .plaintextLogin], handler: { $0.pass($1) }),
        POP3CommandEntry(keyword: .apop, rules: [.authorization], handler: { $0.apop($1) }),
        POP3CommandEntry(keyword: .auth, rules: [.authorization], handler: { $0.auth($1) }),
        POP3CommandEntry(keyword: .stls, rules: [.authorization], handler: { $0.stls($1) }),
        POP3CommandEntry(keyword: .capa, rules: [.authorization, .transaction], handler: { $0.capa($1) }),
        POP3CommandEntry(keyword: .quit, rules: [.authorization, .transaction], handler: { $0.quit($1) }),
        POP3CommandEntry(keyword: .stat, rules: [.transaction], handler: { $0.stat($1) }),
        POP3CommandEntry(keyword: .list, rules: [.transaction], handler: { $0.list($1) }),
        POP3CommandEntry(keyword: .uidl, rules: [.transaction], handler: { $0.uidl($1) }),
        POP3CommandEntry(keyword: .retr, rules: [.transaction], handler: { $0.retrieve($1) }),
        POP3CommandEntry(keyword: .top, rules: [.transaction], handler: { $0.retrieve($1) }),
        POP3CommandEntry(keyword: .dele, rules: [.transaction], handler: { $0.dele($1) }),
        POP3CommandEntry(keyword: .rset, rules: [.transaction], handler: { $0.rset($1) }),
        POP3CommandEntry(keyword: .noop, rules: [.transaction], handler: { $0.noop($1) }),
    ]

    private static let byKeyword: [POP3Keyword: POP3CommandEntry] =
        Dictionary(uniqueKeysWithValues: entries.map { ($0.keyword, $0) })

    /// The row of a parsed command (the grammar knows no keyword the table lacks).
    static func entry(for command: POP3Command) -> POP3CommandEntry {
        guard let entry = byKeyword[command.keyword] else {
            preconditionFailure("POP3CommandTable: no row for \(command.keyword)")
        }
        return entry
    }
}

extension POP3Session {
    /// Runs a parsed command: the table's rules, then its handler.
    mutating func dispatch(_ command: POP3Command) -> Action {
        let entry = POP3CommandTable.entry(for: command)
        if let refusal = refusal(by: entry) { return clientError(refusal) }
        return entry.handler(&self, command)
    }

    /// The reply refusing this row now, or nil when its rules are met.
    func refusal(by entry: POP3CommandEntry) -> POP3Reply? {
        let inTransaction = protocolState == .transaction
        if inTransaction && !entry.rules.contains(.transaction) { return .alreadyAuthenticated }
        if !inTransaction && !entry.rules.contains(.authorization) { return .notAuthenticated }
        if entry.rules.contains(.plaintextLogin) {
            if !configuration.allowsUserPass { return .userPassDisabled }
            if plaintextRefused { return .plaintextDisallowed }
        }
        return nil
    }

    /// Passwords may not be sent now: TLS is required and not active (RFC 2595 §2.2).
    var plaintextRefused: Bool { configuration.authRequiresTLS && !isTLS }
}
