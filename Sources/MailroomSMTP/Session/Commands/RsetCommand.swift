// RsetCommand — RSET: abort the mail transaction, keep the greeting and authentication.
//
// Standards: RFC 5321 §4.1.1.5 (RSET: "any stored sender, recipients, and mail data MUST be
// discarded"; always 250; allowed at any time, also before EHLO), RFC 3030 §2 (RSET ends a
// failed BDAT transaction).

extension SMTPSession {
    // rset = "RSET" CRLF
    mutating func rset(_ command: SMTPCommand) -> Action {
        endTransaction()
        return .resetTransaction(.ok())
    }
}
