// InformationCommands — NOOP, HELP, VRFY and EXPN: the commands that change nothing.
//
// Standards: RFC 5321 §4.1.1.9 (NOOP: 250, argument ignored), §4.1.1.8 (HELP: 211 or 214),
// §3.5.3 and §4.1.1.6 (VRFY: "252 Cannot VRFY user, but will accept message and attempt
// delivery" is the answer of a server that does not disclose its users), §4.1.1.7 and §7.3
// (EXPN: lists may be kept private; 502 "Command not implemented").
//
// Security: VRFY and EXPN disclose nothing, whatever the argument (no user enumeration; RFC
// 5321 §7.3). EXPN's 502 counts as a client error, so a harvesting client runs into
// `maxErrors`; VRFY's 252 is a success and does not.

extension SMTPSession {
    // noop = "NOOP" [ SP String ] CRLF
    mutating func noop(_ command: SMTPCommand) -> Action {
        .reply(.ok())
    }

    // help = "HELP" [ SP String ] CRLF
    mutating func help(_ command: SMTPCommand) -> Action {
        .reply(.help())
    }

    // vrfy = "VRFY" SP String CRLF
    mutating func vrfy(_ command: SMTPCommand) -> Action {
        .reply(.cannotVerify)
    }

    // expn = "EXPN" SP String CRLF
    mutating func expn(_ command: SMTPCommand) -> Action {
        .reply(.commandNotImplemented)
    }
}
