// IMAPCommandParser — one complete command frame → a TaggedCommand, or an IMAPParseError that
// carries the tag when it could be read.
//
// The framer (Framing/) hands over one command: the tag, the command and its arguments, with
// every literal in wire form ("{n}" CRLF and n octets; "{n+}" for LITERAL+; "~{n}" literal8),
// up to and excluding the final CRLF. It has already enforced the size limits and sent the
// continuation requests. The parse functions are grouped by area (+Primitives, +Mailbox,
// +Sequence, +Date, +Search, +Fetch, +Message, +Session, +Continuation), each with its ABNF
// rule above it.
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
//   tag = 1*<any ASTRING-CHAR except "+">
// and the extensions listed in IMAPCommand.swift. Keywords are case-insensitive (RFC 3501 §9:
// "all alphabetic characters are case-insensitive").
//
// Tolerances, each on purpose (as Dovecot's parser has them; everything else is refused):
// - a run of spaces where the ABNF has one SP, spaces after "(" and before ")", and spaces at
//   the end of the command ("STORE 1  FLAGS (\Deleted)", "SEARCH ( SEEN )", "LSUB "" % ");
// - a one-digit day without its leading space in a date-time (IMAPDateTime).
// Refused on purpose, though some servers take them: fetch macros inside parentheses
// ("(ALL)"), an empty fetch list "()", atoms as ID values, commas in lists.
//
// Limits: IMAPLimits.nestingDepth bounds parentheses and NOT/OR recursion;
// IMAPLimits.literalsPerCommand bounds literals. Every parse is linear in the frame.
//
// Security: the parser never reads past the frame; an untrusted length (a literal's) is
// checked against the octets actually there before anything is copied. Reasons in errors
// never quote the client's arguments.

/// Parses IMAP commands and the continuation lines of AUTHENTICATE and IDLE.
public struct IMAPCommandParser: Sendable {
    public var limits: IMAPLimits

    public init(limits: IMAPLimits = .default) {
        self.limits = limits
    }

    /// Parses one command frame (without its final CRLF).
    public func parse(_ frame: some Collection<UInt8>) throws(IMAPParseError) -> TaggedCommand {
        var buffer = IMAPParseBuffer(Array(frame), limits: limits)
        // tag = 1*<any ASTRING-CHAR except "+">
        let tagBytes = buffer.read(while: IMAPGrammar.isTagChar)
        guard !tagBytes.isEmpty else {
            throw buffer.isAtEnd ? IMAPParseError("empty command line") : IMAPParseError("missing or invalid tag")
        }
        guard buffer.isAtEnd || buffer.peek() == IMAPGrammar.space else {
            throw IMAPParseError("invalid character in the tag")
        }
        let tag = String(decoding: tagBytes, as: UTF8.self)
        do {
            try Self.space(&buffer, before: "command name")
            let command = try Self.command(&buffer)
            return TaggedCommand(tag: tag, command: command)
        } catch {
            var tagged = error
            tagged.tag = tag
            throw tagged
        }
    }

    // command-any = "CAPABILITY" / "LOGOUT" / "NOOP" / x-command / id
    // command-auth = append / create / delete / enable / examine / list / lsub / namespace / rename /
    //                select / status / subscribe / unsubscribe / idle / getquota / getquotaroot / setquota /
    //                genurlauth / resetkey / urlfetch                    ; RFC 4467 §9
    //                / getmetadata / setmetadata                         ; RFC 5464 §5
    // command-nonauth = login / authenticate / "STARTTLS"
    // command-select = "CHECK" / "CLOSE" / "UNSELECT" / "EXPUNGE" / uid-expunge / copy / move / fetch /
    //                  store / search / uid / sort / thread / cancelupdate
    static func command(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        let nameBytes = buffer.read(while: { IMAPGrammar.isAlpha($0) || IMAPGrammar.isDigit($0) || $0 == IMAPGrammar.minus })
        guard !nameBytes.isEmpty else { throw unexpected(buffer, "command name") }
        if let next = buffer.peek(), next != IMAPGrammar.space {
            if IMAPGrammar.isControl(next) { try end(&buffer, after: "the command name") }
            throw IMAPParseError(next >= 0x80 ? "non-ASCII octet in the command name" : "unknown command", kind: .unknownCommand)
        }
        let name = IMAPGrammar.upperString(nameBytes)
        let command: IMAPCommand
        switch name {
        case "CAPABILITY": command = .capability
        case "NOOP": command = .noop
        case "LOGOUT": command = .logout
        case "STARTTLS": command = .startTLS
        case "NAMESPACE": command = .namespace
        case "IDLE": command = .idle
        case "CHECK": command = .check
        case "CLOSE": command = .close
        case "UNSELECT": command = .unselect
        case "EXPUNGE": command = .expunge
        case "AUTHENTICATE": command = try authenticate(&buffer)
        case "LOGIN": command = try login(&buffer)
        case "ENABLE": command = try enable(&buffer)
        case "ID": command = try id(&buffer)
        case "SELECT": command = try select(&buffer, examine: false)
        case "EXAMINE": command = try select(&buffer, examine: true)
        case "CREATE": command = try create(&buffer)
        case "DELETE": command = .delete(try singleMailbox(&buffer))
        case "RENAME": command = try rename(&buffer)
        case "SUBSCRIBE": command = .subscribe(try singleMailbox(&buffer))
        case "UNSUBSCRIBE": command = .unsubscribe(try singleMailbox(&buffer))
        case "LIST": command = try list(&buffer)
        case "LSUB": command = try lsub(&buffer)
        case "STATUS": command = try status(&buffer)
        case "APPEND": command = try append(&buffer)
        case "SEARCH": command = try search(&buffer, uid: false)
        case "SORT": command = try sort(&buffer, uid: false)
        case "THREAD": command = try thread(&buffer, uid: false)
        case "CANCELUPDATE": command = try cancelUpdate(&buffer)
        case "FETCH": command = try fetch(&buffer, uid: false)
        case "STORE": command = try store(&buffer, uid: false)
        case "COPY": command = try copyOrMove(&buffer, uid: false, move: false)
        case "MOVE": command = try copyOrMove(&buffer, uid: false, move: true)
        case "REPLACE": command = try replace(&buffer, uid: false)   // RFC 8508
        case "UID": command = try uid(&buffer)
        case "GETQUOTA": command = try getQuota(&buffer)
        case "GETQUOTAROOT": command = .getQuotaRoot(try singleMailbox(&buffer))
        case "SETQUOTA": command = try setQuota(&buffer)
        case "GENURLAUTH": command = try genURLAuth(&buffer)
        case "RESETKEY": command = try resetKey(&buffer)
        case "URLFETCH": command = try urlFetch(&buffer)
        case "GETMETADATA": command = try getMetadata(&buffer)
        case "SETMETADATA": command = try setMetadata(&buffer)
        default: throw IMAPParseError("unknown command", kind: .unknownCommand)
        }
        try end(&buffer, after: "the \(command.name) command")
        return command
    }

    // uid = "UID" SP ("COPY" / "MOVE" / "FETCH" / "SEARCH" / "STORE" / "EXPUNGE" SP sequence-set /
    //       "SORT" / "THREAD")   ; RFC 5256 §3
    static func uid(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "UID command name")
        let name = IMAPGrammar.upperString(buffer.read(while: IMAPGrammar.isAlpha))
        if let next = buffer.peek(), next != IMAPGrammar.space { throw IMAPParseError("unknown UID command", kind: .unknownCommand) }
        switch name {
        case "FETCH": return try fetch(&buffer, uid: true)
        case "SEARCH": return try search(&buffer, uid: true)
        case "SORT": return try sort(&buffer, uid: true)
        case "THREAD": return try thread(&buffer, uid: true)
        case "STORE": return try store(&buffer, uid: true)
        case "COPY": return try copyOrMove(&buffer, uid: true, move: false)
        case "MOVE": return try copyOrMove(&buffer, uid: true, move: true)
        case "REPLACE": return try replace(&buffer, uid: true)   // RFC 8508
        case "EXPUNGE":
            try space(&buffer, before: "UID set")
            return .uidExpunge(try sequenceSet(&buffer, "UID set"))
        case "": throw unexpected(buffer, "UID command name")
        default: throw IMAPParseError("unknown UID command", kind: .unknownCommand)
        }
    }
}
