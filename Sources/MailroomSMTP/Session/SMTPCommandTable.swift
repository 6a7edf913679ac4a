// SMTPCommandTable — one row per SMTP command: its handler and the rules checked before the
// handler runs (in which states it is allowed, whether it may come before STARTTLS or AUTH
// where those are required, whether it ends a PIPELINING group, whether a BDAT chunk follows
// it). The session dispatches every parsed command through this table (style.md §5, after
// Postfix's smtpd_cmd_table).
//
// Standards: RFC 5321 §4.1.4 (order of commands; 503 for a command out of sequence) and
// §3.3 (transactions); RFC 2920 §3.1 (EHLO, DATA, VRFY, EXPN, TURN, QUIT and NOOP end a
// pipelining group; so do AUTH (RFC 4954 §4) and STARTTLS (RFC 3207 §4.2)); RFC 3030 §2
// (BDAT: a refused BDAT's chunk is still read); RFC 6409 §4.3 (submission: MAIL needs AUTH),
// RFC 3207 §4 ("530 5.7.0 Must issue a STARTTLS command first").
//
// The rules are checked in a fixed order, so each refusal is the most useful one: greeting
// first, then TLS, then authentication, then the transaction. Command-specific checks (MAIL
// parameters, AUTH mechanisms, …) are the handlers' (Commands/).
//
// `endsPipeliningGroup` changes nothing in the session (pipelined commands are just events in
// a row); it records RFC 2920 §3.1 beside each command. The adapter flushes its replies when
// its input is drained, which RFC 2920 §3.2 allows. XXX: Postfix's check for improper
// pipelining (input after a group-ending command, before its reply; a spam-bot signature)
// would read this flag in the adapter, which alone knows whether input was waiting.
//
// Security: a rule refused here never reaches the handler, so the pre-authentication surface
// of a submission port is the rows without `needsAuthenticationWhenRequired`.

/// The rules and handler of one command.
struct SMTPCommandEntry: Sendable {
    /// What the command needs, and how it behaves.
    struct Rules: OptionSet, Sendable, Hashable {
        let rawValue: UInt16

        /// HELO or EHLO first (503 5.5.1).
        static let needsHello = Rules(rawValue: 1 << 0)
        /// EHLO first, HELO is not enough: the command is an extension (503 5.5.1).
        static let needsEHLO = Rules(rawValue: 1 << 1)
        /// Not allowed before STARTTLS on a service that requires TLS for mail (530 5.7.0).
        static let needsTLSWhenRequired = Rules(rawValue: 1 << 2)
        /// Not allowed before AUTH on a service that requires AUTH for mail (530 5.7.0).
        static let needsAuthenticationWhenRequired = Rules(rawValue: 1 << 3)
        /// Not allowed inside a mail transaction (503 5.5.1).
        static let needsNoTransaction = Rules(rawValue: 1 << 4)
        /// Only inside a mail transaction (503 5.5.1).
        static let needsTransaction = Rules(rawValue: 1 << 5)
        /// Only once a recipient was accepted (503 5.5.1 without MAIL, 554 5.5.1 without an
        /// accepted RCPT).
        static let needsRecipients = Rules(rawValue: 1 << 6)
        /// RFC 2920 §3.1: the client waits for this reply before it sends more.
        static let endsPipeliningGroup = Rules(rawValue: 1 << 7)
        /// A BDAT chunk follows the command line: a refusal must still read it
        /// (`discardChunk`), and the reply comes at the chunk's end (RFC 3030 §2).
        static let readsChunk = Rules(rawValue: 1 << 8)
    }

    let verb: String
    let rules: Rules
    let handler: @Sendable (inout SMTPSession, SMTPCommand) -> SMTPSession.Action
}

/// The command table.
enum SMTPCommandTable {
    static let entries: [SMTPCommandEntry] = [
        SMTPCommandEntry(verb: "EHLO", rules: [.endsPipeliningGroup], handler: { $0.ehlo($1) }),
        SMTPCommandEntry(verb: "HELO", rules: [.endsPipeliningGroup], handler: { $0.helo($1) }),
        SMTPCommandEntry(verb: "STARTTLS", rules: [.needsHello, .needsNoTransaction, .endsPipeliningGroup],
                         handler: { $0.startTLS($1) }),
        SMTPCommandEntry(verb: "AUTH", rules: [.needsEHLO, .needsNoTransaction, .endsPipeliningGroup], handler: { $0.auth($1) }),
        SMTPCommandEntry(verb: "MAIL", rules: [.needsHello, .needsTLSWhenRequired, .needsAuthenticationWhenRequired, .needsNoTransaction],
                         handler: { $0.mail($1) }),
        SMTPCommandEntry(verb: "RCPT", rules: [.needsHello, .needsTLSWhenRequired, .needsAuthenticationWhenRequired, .needsTransaction],
                         handler: { $0.rcpt($1) }),
        SMTPCommandEntry(verb: "DATA", rules: [.needsHello, .needsTLSWhenRequired, .needsAuthenticationWhenRequired, .needsRecipients,
                                               .endsPipeliningGroup],
                         handler: { $0.data($1) }),
        SMTPCommandEntry(verb: "BDAT", rules: [.needsEHLO, .needsTLSWhenRequired, .needsAuthenticationWhenRequired, .needsRecipients,
                                               .readsChunk],
                         handler: { $0.bdat($1) }),
        SMTPCommandEntry(verb: "RSET", rules: [], handler: { $0.rset($1) }),
        SMTPCommandEntry(verb: "NOOP", rules: [.endsPipeliningGroup], handler: { $0.noop($1) }),
        SMTPCommandEntry(verb: "HELP", rules: [], handler: { $0.help($1) }),
        SMTPCommandEntry(verb: "VRFY", rules: [.endsPipeliningGroup], handler: { $0.vrfy($1) }),
        SMTPCommandEntry(verb: "EXPN", rules: [.endsPipeliningGroup], handler: { $0.expn($1) }),
        SMTPCommandEntry(verb: "QUIT", rules: [.endsPipeliningGroup], handler: { $0.quit($1) }),
    ]

    private static let byVerb: [String: SMTPCommandEntry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.verb, $0) })

    /// The row of a parsed command (the grammar knows no verb the table lacks).
    static func entry(for command: SMTPCommand) -> SMTPCommandEntry {
        guard let entry = byVerb[command.verb] else {
            preconditionFailure("SMTPCommandTable: no row for \(command.verb)")
        }
        return entry
    }
}

extension SMTPSession {
    /// Runs a parsed command: the table's rules, then its handler.
    mutating func dispatch(_ command: SMTPCommand) -> Action {
        let entry = SMTPCommandTable.entry(for: command)
        if let refusal = refusal(by: entry) {
            guard entry.rules.contains(.readsChunk), case .bdat(let size, let last) = command else { return .reply(refusal) }
            return refuseChunk(size: Int(clamping: size), last: last, refusal)
        }
        return entry.handler(&self, command)
    }

    /// The reply refusing the command of this row now, or nil when its rules are met.
    func refusal(by entry: SMTPCommandEntry) -> SMTPReply? {
        let rules = entry.rules
        if rules.contains(.needsEHLO), state.hello?.esmtp != true { return .ehloRequired }
        if rules.contains(.needsHello), state.hello == nil { return .helloRequired }
        if rules.contains(.needsTLSWhenRequired), tlsRequiredFirst { return .startTLSRequired }
        if rules.contains(.needsAuthenticationWhenRequired), configuration.mailRequiresAuth, !isAuthenticated {
            return .authenticationRequired
        }
        if rules.contains(.needsNoTransaction), state.transaction != nil {
            return entry.verb == "MAIL" ? .nestedMail : .transactionInProgress
        }
        if rules.contains(.needsTransaction), state.transaction == nil { return .mailRequired }
        if rules.contains(.needsRecipients) {
            guard let open = state.transaction else { return .recipientRequired }
            if open.transaction.recipients.isEmpty { return .noValidRecipients }
        }
        return nil
    }

    /// Mail needs TLS first: a submission service where AUTH requires TLS, TLS is available
    /// and not yet active (RFC 3207 §4: "530 5.7.0 Must issue a STARTTLS command first").
    var tlsRequiredFirst: Bool {
        configuration.mailRequiresAuth && configuration.authRequiresTLS && configuration.startTLSAvailable && !isTLS
            && !isAuthenticated
    }
}
