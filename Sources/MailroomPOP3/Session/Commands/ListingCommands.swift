// ListingCommands — STAT, LIST and UIDL: what the maildrop holds, deleted messages left out.
//
// Standards: RFC 1939 §5 (STAT: "+OK nn mm", messages and octets not marked as deleted;
// LIST [msg]: "+OK msg size", or a multi-line "msg size" per message not marked; a marked
// message is refused), §7 (UIDL [msg]: "+OK msg unique-id", or a multi-line listing).
//
// Security: message numbers are checked against the maildrop before use; a number the grammar
// let through (1…Int32.max) but the maildrop does not have is "-ERR No such message".

extension POP3Session {
    // stat = "STAT"
    mutating func stat(_ command: POP3Command) -> Action {
        guard let maildrop = state.maildrop else { return eventOutOfTurn() }
        return .reply(.ok("\(maildrop.liveCount) \(maildrop.liveOctets)"))
    }

    // list = "LIST" [SP msg]
    mutating func list(_ command: POP3Command) -> Action {
        guard case .list(let number) = command else { preconditionFailure("LIST row, \(command.keyword) command") }
        return listing(number) { "\($0) \($1.size)" } summary: { maildrop in
            "\(maildrop.liveCount) message\(maildrop.liveCount == 1 ? "" : "s") (\(maildrop.liveOctets) octets)"
        }
    }

    // uidl = "UIDL" [SP msg]
    mutating func uidl(_ command: POP3Command) -> Action {
        guard case .uidl(let number) = command else { preconditionFailure("UIDL row, \(command.keyword) command") }
        return listing(number) { "\($0) \($1.uniqueID)" } summary: { _ in "Unique-ID listing follows" }
    }

    /// One message's line as a single-line reply, or every live message's line as a listing.
    private mutating func listing(_ number: Int?, line: (Int, POP3MaildropMessage) -> String,
                                  summary: (POP3Maildrop) -> String) -> Action {
        guard let maildrop = state.maildrop else { return eventOutOfTurn() }
        guard let number else {
            return .reply(.ok(summary(maildrop), lines: maildrop.liveNumbers.map { line($0, maildrop.message($0)) }))
        }
        if let refusal = maildrop.refusal(number) { return clientError(refusal) }
        return .reply(.ok(line(number, maildrop.message(number))))
    }
}
