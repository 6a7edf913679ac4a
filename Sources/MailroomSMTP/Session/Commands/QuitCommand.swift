// QuitCommand — QUIT: "221 2.0.0 Bye", then the server closes the connection.
//
// Standards: RFC 5321 §4.1.1.10 (QUIT: 221, then close; allowed at any time; an open
// transaction is abandoned), RFC 2920 §3.1 (QUIT ends a pipelining group).

extension SMTPSession {
    // quit = "QUIT" CRLF
    mutating func quit(_ command: SMTPCommand) -> Action {
        endTransaction()
        return close(.closing)
    }
}
