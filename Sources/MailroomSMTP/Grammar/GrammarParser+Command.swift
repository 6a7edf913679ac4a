// GrammarParser+Command — the command verbs and their argument shapes.
//
// Standards: RFC 5321 §4.1.1 (command semantics) and §4.1.2 (ABNF below), RFC 3030 §2
// (BDAT), RFC 3207 §4 (STARTTLS), RFC 4954 §4 (AUTH), RFC 4422 §3.1 (mechanism names),
// RFC 5321 §2.4 (verbs are case-insensitive).
//
// Replies chosen for refusals follow Postfix where RFC 5321 leaves a choice: a missing
// argument is 501 5.5.2 "Syntax: …", an argument on a command that takes none (or an
// out-of-range one) is 501 5.5.4 "Syntax: …".
//
// The free-text arguments of VRFY, EXPN, HELP and NOOP are kept as sent rather than parsed as
// RFC 5321 String (Atom / Quoted-string): real clients send "VRFY <user@example.com>" and
// "VRFY John Smith", the server answers VRFY with 252 and EXPN with 502 whatever they say, and
// refusing the syntax would only change the reply code. They must still be valid UTF-8 without
// invisible or control code points.

import MailroomCore

extension GrammarParser {
    /// The verbs this grammar knows.
    enum Verb: String {
        case helo = "HELO", ehlo = "EHLO", mail = "MAIL", rcpt = "RCPT", data = "DATA", bdat = "BDAT",
             rset = "RSET", noop = "NOOP", quit = "QUIT", vrfy = "VRFY", expn = "EXPN", help = "HELP",
             startTLS = "STARTTLS", auth = "AUTH"

        /// Longest verb, so an absurd first word is not upper-cased.
        static let maximumLength = 8
    }

    // command = verb [1*SP arguments] *SP      ; CRLF already removed by the framing layer
    // verb    = one of the keywords below, in any case (RFC 5321 §2.4)
    static func parseCommand(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> SMTPCommand {
        buffer.dropTrailingSpaces()
        let word = buffer.read(while: { $0 != space })
        guard word.count <= Verb.maximumLength, let name = upperASCII(word), let verb = Verb(rawValue: name) else {
            throw SMTPSyntaxError(.unrecognizedCommand, "Command unrecognized")
        }
        if buffer.rest.contains(where: isControl) {
            throw SMTPSyntaxError(.syntax, "A command line may not contain control characters")
        }
        switch verb {
        case .helo: return .helo(try parseHelloArgument(&buffer, usage: "Syntax: HELO hostname"))
        case .ehlo: return .ehlo(try parseHelloArgument(&buffer, usage: "Syntax: EHLO hostname"))
        case .mail: return try parseMail(&buffer)
        case .rcpt: return try parseRcpt(&buffer)
        case .data: try parseEnd(&buffer, usage: "Syntax: DATA"); return .data
        case .bdat: return try parseBDAT(&buffer)
        case .rset: try parseEnd(&buffer, usage: "Syntax: RSET"); return .rset
        case .noop: return .noop(try parseOptionalText(&buffer))
        case .quit: try parseEnd(&buffer, usage: "Syntax: QUIT"); return .quit
        case .vrfy: return .vrfy(try parseText(&buffer, usage: "Syntax: VRFY address"))
        case .expn: return .expn(try parseText(&buffer, usage: "Syntax: EXPN list"))
        case .help: return .help(try parseOptionalText(&buffer))
        case .startTLS: try parseEnd(&buffer, usage: "Syntax: STARTTLS"); return .startTLS
        case .auth: return try parseAuth(&buffer)
        }
    }

    /// A command that takes no argument: nothing may follow the verb.
    static func parseEnd(_ buffer: inout SMTPParseBuffer, usage: String) throws(SMTPSyntaxError) {
        guard buffer.isAtEnd else { throw SMTPSyntaxError(.invalidArgument, usage) }
    }

    /// The SP between a verb and its argument (a run of spaces is accepted as one).
    static func parseArgumentSpace(_ buffer: inout SMTPParseBuffer, usage: String) throws(SMTPSyntaxError) {
        guard buffer.skipSpaces() > 0, !buffer.isAtEnd else { throw SMTPSyntaxError(.syntax, usage) }
    }

    // helo = "HELO" SP Domain CRLF
    // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
    static func parseHelloArgument(_ buffer: inout SMTPParseBuffer, usage: String) throws(SMTPSyntaxError) -> HelloDomain {
        try parseArgumentSpace(&buffer, usage: usage)
        let argument = buffer.read(while: { $0 != space })
        guard buffer.isAtEnd else { throw SMTPSyntaxError(.syntax, usage) }
        do {
            return try parseHelloDomain(argument)
        } catch {
            throw SMTPSyntaxError(.syntax, "\(usage) (\(error.message))")
        }
    }

    // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    static func parseMail(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: MAIL FROM:<address> [parameters]"
        guard buffer.skipSpaces() > 0, buffer.consume(caseInsensitive: "FROM:") else {
            throw SMTPSyntaxError(.syntax, usage)
        }
        buffer.skipSpaces()  // "MAIL FROM: <…>", see the GrammarParser header
        guard !buffer.isAtEnd else { throw SMTPSyntaxError(.syntax, usage) }
        let path = try parseReversePath(&buffer)
        return .mail(path, try parseMailParameters(&buffer))
    }

    // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
    //        [SP Rcpt-parameters] CRLF
    static func parseRcpt(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: RCPT TO:<address> [parameters]"
        guard buffer.skipSpaces() > 0, buffer.consume(caseInsensitive: "TO:") else {
            throw SMTPSyntaxError(.syntax, usage)
        }
        buffer.skipSpaces()
        guard !buffer.isAtEnd else { throw SMTPSyntaxError(.syntax, usage) }
        let path = try parseForwardPath(&buffer)
        return .rcpt(path, try parseRcptParameters(&buffer))
    }

    // bdat-cmd   ::= "BDAT" SP chunk-size [ SP end-marker ] CRLF
    // chunk-size ::= 1*DIGIT
    // end-marker ::= "LAST"
    static func parseBDAT(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: BDAT size [LAST]"
        guard buffer.skipSpaces() > 0 else { throw SMTPSyntaxError(.syntax, usage) }
        guard let size = decimal(buffer.read(while: isDigit)) else { throw SMTPSyntaxError(.invalidArgument, usage) }
        if buffer.isAtEnd { return .bdat(size: size, last: false) }
        guard buffer.skipSpaces() > 0, buffer.consume(caseInsensitive: "LAST"), buffer.isAtEnd else {
            throw SMTPSyntaxError(.invalidArgument, usage)
        }
        return .bdat(size: size, last: true)
    }

    // auth-command     = "AUTH" SP sasl-mech [SP initial-response]     ; RFC 4954 §4
    // sasl-mech        = 1*20mech-char                                  ; RFC 4422 §3.1
    // initial-response = base64 / "="
    static func parseAuth(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: AUTH mechanism [initial-response]"
        try parseArgumentSpace(&buffer, usage: usage)
        let name = buffer.read(while: { $0 != space })
        guard name.count <= SASLMechanism.maximumLength, let text = upperASCII(name), let mechanism = SASLMechanism(text) else {
            throw SMTPSyntaxError(.invalidArgument, "Invalid SASL mechanism name")
        }
        if buffer.isAtEnd { return .auth(mechanism, initialResponse: nil) }
        buffer.skipSpaces()
        let response = buffer.read(while: { $0 != space })
        guard buffer.isAtEnd else { throw SMTPSyntaxError(.syntax, usage) }
        if response.elementsEqual([equals]) { return .auth(mechanism, initialResponse: []) }
        // RFC 4954 §4: a response that is not base64 gets 501 (5.5.2).
        guard let decoded = Base64.decode(response) else {
            throw SMTPSyntaxError(.syntax, "Cannot decode the initial response (base64)")
        }
        return .auth(mechanism, initialResponse: decoded)
    }

    // vrfy = "VRFY" SP String CRLF
    // expn = "EXPN" SP String CRLF          ; String kept as sent, see the header
    static func parseText(_ buffer: inout SMTPParseBuffer, usage: String) throws(SMTPSyntaxError) -> String {
        try parseArgumentSpace(&buffer, usage: usage)
        return try parseRestAsText(&buffer)
    }

    // help = "HELP" [ SP String ] CRLF
    // noop = "NOOP" [ SP String ] CRLF
    static func parseOptionalText(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> String? {
        if buffer.isAtEnd { return nil }
        try parseArgumentSpace(&buffer, usage: "Syntax: a space before the argument")
        return try parseRestAsText(&buffer)
    }

    /// The rest of the line as text: valid UTF-8, no invisible or control code points.
    static func parseRestAsText(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> String {
        let bytes = buffer.rest
        buffer.skip(bytes.count)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SMTPSyntaxError(.syntax, "The argument is not valid UTF-8")
        }
        guard text.unicodeScalars.allSatisfy(isAllowedInAddress) else {
            throw SMTPSyntaxError(.syntax, "The argument contains a character that is not allowed")
        }
        return text
    }

    /// 1*DIGIT as a number; nil when empty or above UInt64.max.
    static func decimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}
