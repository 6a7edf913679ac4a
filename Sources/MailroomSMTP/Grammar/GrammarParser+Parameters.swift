// GrammarParser+Parameters — the ESMTP parameters after the path of MAIL FROM and RCPT TO.
//
// Standards: RFC 5321 §4.1.2 (esmtp-param; keywords case-insensitive), §4.1.1.11 (555 for
// parameters not recognized); RFC 1870 §3 (SIZE), RFC 6152 §2 (BODY=8BITMIME), RFC 3030 §3
// (BODY=BINARYMIME), RFC 6531 §3.4 (SMTPUTF8), RFC 3461 §4.1–4.4 (NOTIFY, ORCPT, RET, ENVID)
// and §4 (xtext), RFC 4954 §5 (AUTH=).
//
// Errors, so the session can answer each distinctly: a keyword not known for this command
// (including a RCPT parameter on MAIL and the reverse) is `.unrecognizedParameter`; a keyword
// given twice is `.duplicateParameter` (both 555 5.5.4); a bad value is
// `.invalidParameterValue` (501 5.5.4); a malformed keyword is `.invalidArgument`. Checking
// stops at the first problem, so 10,000 parameters cost one pass over the line.

extension GrammarParser {
    /// MAIL FROM parameters this grammar knows.
    static let mailKeywords: Set<String> = ["SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH"]
    /// RCPT TO parameters this grammar knows.
    static let rcptKeywords: Set<String> = ["NOTIFY", "ORCPT"]
    /// Longest keyword quoted in a reply.
    static let maximumQuotedKeywordLength = 32

    // esmtp-param   = esmtp-keyword ["=" esmtp-value]
    // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    // esmtp-value   = 1*(%d33-60 / %d62-126)          ; =/ UTF8-non-ascii (RFC 6531 §3.3)
    /// The next parameter, or nil at the end of the line. The keyword is in upper case and cut
    /// to 33 characters (no known keyword is longer, and it may be quoted in a reply). Parameters
    /// are separated by one or more spaces; the path parser has checked the space before the first.
    static func parseESMTPParameter(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> (keyword: String, value: ArraySlice<UInt8>?)? {
        buffer.skipSpaces()
        if buffer.isAtEnd { return nil }
        let keywordBytes = buffer.read(while: isLDH)
        guard let first = keywordBytes.first, isLetDig(first) else {
            throw SMTPSyntaxError(.invalidArgument, "Bad parameter syntax")
        }
        let keyword = String(decoding: keywordBytes.prefix(maximumQuotedKeywordLength + 1).map(upper), as: UTF8.self)
        var value: ArraySlice<UInt8>?
        if buffer.consume(equals) {
            let bytes = buffer.read(while: { $0 != space })
            guard !bytes.isEmpty, bytes.allSatisfy(isESMTPValueOctet) else {
                throw SMTPSyntaxError(.invalidParameterValue(keyword), "Bad \(quoted(keyword)) parameter value")
            }
            value = bytes
        }
        guard buffer.isAtEnd || buffer.peek() == space else {
            throw SMTPSyntaxError(.invalidArgument, "Bad parameter syntax after \(quoted(keyword))")
        }
        return (keyword, value)
    }

    // Mail-parameters = esmtp-param *(SP esmtp-param)
    static func parseMailParameters(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> MailParameters {
        var parameters = MailParameters()
        var seen: Set<String> = []
        while let (keyword, value) = try parseESMTPParameter(&buffer) {
            try checkKeyword(keyword, known: mailKeywords, seen: &seen, command: "MAIL FROM", other: rcptKeywords)
            switch keyword {
            case "SIZE": parameters.size = try parseSize(value)
            case "BODY": parameters.body = try parseBody(value)
            case "SMTPUTF8":
                // RFC 6531 §3.4: "SMTPUTF8" takes no value.
                guard value == nil else { throw invalidValue("SMTPUTF8", "SMTPUTF8 takes no value") }
                parameters.smtpUTF8 = true
            case "RET": parameters.returnContent = try parseRet(value)
            case "ENVID": parameters.envelopeID = try parseEnvelopeID(value)
            default: parameters.authSubmitter = try parseAuthParameter(value)  // "AUTH"
            }
        }
        return parameters
    }

    // Rcpt-parameters = esmtp-param *(SP esmtp-param)
    static func parseRcptParameters(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> RcptParameters {
        var parameters = RcptParameters()
        var seen: Set<String> = []
        while let (keyword, value) = try parseESMTPParameter(&buffer) {
            try checkKeyword(keyword, known: rcptKeywords, seen: &seen, command: "RCPT TO", other: mailKeywords)
            if keyword == "NOTIFY" {
                parameters.notify = try parseNotify(value)
            } else {
                parameters.originalRecipient = try parseOriginalRecipient(value)  // "ORCPT"
            }
        }
        return parameters
    }

    /// Refuses an unknown keyword before a repeated one: a repeated unknown keyword is unknown.
    static func checkKeyword(_ keyword: String, known: Set<String>, seen: inout Set<String>, command: String, other: Set<String>) throws(SMTPSyntaxError) {
        guard known.contains(keyword) else {
            let detail = other.contains(keyword) ? "\(keyword) is not a \(command) parameter" : "Unsupported parameter \(quoted(keyword))"
            throw SMTPSyntaxError(.unrecognizedParameter(keyword), detail)
        }
        guard seen.insert(keyword).inserted else {
            throw SMTPSyntaxError(.duplicateParameter(keyword), "Duplicate \(keyword) parameter")
        }
    }

    // size-param = "SIZE=" size-value           ; RFC 1870 §3
    // size-value = 1*20DIGIT
    static func parseSize(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> UInt64 {
        guard let value, value.count <= 20, value.allSatisfy(isDigit) else {
            throw invalidValue("SIZE", "Syntax: SIZE=<number of octets>")
        }
        return decimal(value) ?? .max  // 20 digits may exceed UInt64: too big anyway
    }

    // body-value = "7BIT" / "8BITMIME" / "BINARYMIME"      ; RFC 6152 §2, RFC 3030 §3
    static func parseBody(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> BodyType {
        guard let value, let name = upperASCII(value), let body = BodyType(rawValue: name) else {
            throw invalidValue("BODY", "Syntax: BODY=7BIT, BODY=8BITMIME or BODY=BINARYMIME")
        }
        return body
    }

    // ret-value = "FULL" / "HDRS"                           ; RFC 3461 §4.3
    static func parseRet(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> ReturnContent {
        guard let value, let name = upperASCII(value), let ret = ReturnContent(rawValue: name) else {
            throw invalidValue("RET", "Syntax: RET=FULL or RET=HDRS")
        }
        return ret
    }

    // envid-parameter = "ENVID=" xtext                      ; RFC 3461 §4.4, at most 100 characters
    static func parseEnvelopeID(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> String {
        guard let value, value.count <= MailParameters.maximumEnvelopeIDLength, let text = XText.decode(value) else {
            throw invalidValue("ENVID", "Bad ENVID parameter syntax")
        }
        return text
    }

    // auth-param = "AUTH=" xtext                            ; RFC 4954 §5: an addr-spec or "<>"
    static func parseAuthParameter(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> AuthSubmitter {
        guard let value, let text = XText.decode(value) else {
            throw invalidValue("AUTH", "Bad AUTH parameter syntax")
        }
        return text == "<>" ? .unknown : .address(text)
    }

    // notify-esmtp-value  = "NEVER" / 1#notify-list-element   ; RFC 3461 §4.1
    // notify-list-element = "SUCCESS" / "FAILURE" / "DELAY"
    static func parseNotify(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> NotifyConditions {
        let error = invalidValue("NOTIFY", "Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY (any of them)")
        guard let value, let text = upperASCII(value) else { throw error }
        if text == "NEVER" { return .never }
        var conditions: NotifyConditions = []
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            switch element {
            case "SUCCESS": conditions.insert(.success)
            case "FAILURE": conditions.insert(.failure)
            case "DELAY": conditions.insert(.delay)
            default: throw error  // NEVER in a list, an empty element, anything else
            }
        }
        return conditions
    }

    // orcpt-parameter            = "ORCPT=" original-recipient-address   ; RFC 3461 §4.2
    // original-recipient-address = addr-type ";" xtext
    // addr-type                  = atom
    static func parseOriginalRecipient(_ value: ArraySlice<UInt8>?) throws(SMTPSyntaxError) -> OriginalRecipient {
        let error = invalidValue("ORCPT", "Syntax: ORCPT=rfc822;address (xtext)")
        guard let value, value.count <= OriginalRecipient.maximumLength,
              let semicolon = value.firstIndex(of: UInt8(ascii: ";")) else { throw error }
        let type = value[..<semicolon]
        guard !type.isEmpty, type.allSatisfy(isAText),
              let address = XText.decode(value[(semicolon + 1)...]), !address.isEmpty else { throw error }
        return OriginalRecipient(addressType: String(decoding: type, as: UTF8.self), address: address)
    }

    static func invalidValue(_ keyword: String, _ detail: String) -> SMTPSyntaxError {
        SMTPSyntaxError(.invalidParameterValue(keyword), detail)
    }

    /// A keyword for a reply, cut short: it is LDH already, so it is printable.
    static func quoted(_ keyword: String) -> String {
        keyword.count > maximumQuotedKeywordLength ? String(keyword.prefix(maximumQuotedKeywordLength)) + "..." : keyword
    }
}
