// GrammarParser+Path — reverse-paths, forward-paths, source routes, mailboxes and local parts.
//
// Standards: RFC 5321 §4.1.2 (ABNF below), §4.1.1.3 and Appendix C (source routes: parsed,
// then ignored), §4.5.1 (unqualified "<Postmaster>"), §4.5.3.1.1 (64-octet local part),
// §4.5.3.1.3 (256-octet path), §4.5.3.1.10 ("501 Path too long"); RFC 6531 §3.3 (UTF-8 in
// atext and qtextSMTP, U-labels).
//
// Relay safety: nothing here gives "%", "!" or a quoted "@" any meaning. "user%remote@local"
// is the local part "user%remote" at "local"; "remote!user@local" likewise; "user@a@b" is
// refused (a second "@" outside quotes); a source route "<@a,@b:user@c>" leaves the mailbox
// "user@c", so the relay decision is taken on "c", the domain the mail would really go to.
// A path without angle brackets ("MAIL FROM:user@example.com") is refused, as Postfix does
// with strict_rfc821_envelopes; RFC 5321 has no such form.
//
// Security: the closing ">" is searched for at most 256 octets (quoted strings respected), so
// a long line costs nothing more; the local part is measured before it is decoded.

extension GrammarParser {
    /// RFC 5321 §4.5.3.1.3: "The maximum total length of a reverse-path or forward-path is 256
    /// octets (including the punctuation and element separators)."
    static let maximumPathLength = 256

    // Reverse-path = Path / "<>"
    static func parseReversePath(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> ReversePath {
        let inner = try parsePathBrackets(&buffer, role: .sender)
        if inner.isEmpty { return .null }
        return .mailbox(try parsePathContent(buffer.bytes, inner, role: .sender))
    }

    // Forward-path = Path
    // … / "<Postmaster>"          ; from rcpt, RFC 5321 §4.1.1.3, any case (§4.5.1)
    static func parseForwardPath(_ buffer: inout SMTPParseBuffer) throws(SMTPSyntaxError) -> ForwardPath {
        let inner = try parsePathBrackets(&buffer, role: .recipient)
        if inner.isEmpty {
            throw SMTPSyntaxError(.invalidPath(.recipient), "The null path <> is not a recipient")
        }
        if upperASCII(buffer.bytes[inner]) == "POSTMASTER" { return .postmaster }
        return .mailbox(try parsePathContent(buffer.bytes, inner, role: .recipient))
    }

    // Path = "<" [ A-d-l ":" ] Mailbox ">"
    /// Finds the brackets of a path, honouring quoted strings, and returns the range between
    /// them. The buffer is left after ">", where only a space or the end of the line may follow.
    static func parsePathBrackets(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Range<Int> {
        guard buffer.consume(lessThan) else {
            throw SMTPSyntaxError(.invalidPath(role), "The address must be in angle brackets: <user@example.com>")
        }
        let start = buffer.index
        var inQuotes = false
        while true {
            // A closing ">" found within 255 octets leaves at most 254 between the brackets.
            guard buffer.index - start < maximumPathLength - 1 else {
                throw SMTPSyntaxError(.invalidPath(role), "Path too long")
            }
            guard let byte = buffer.read() else {
                throw SMTPSyntaxError(.invalidPath(role), inQuotes ? "Unterminated quoted string in the address" : "Unbalanced '<' in the address")
            }
            if inQuotes {
                if byte == backslash {
                    buffer.skip()
                } else if byte == doubleQuote {
                    inQuotes = false
                }
            } else if byte == doubleQuote {
                inQuotes = true
            } else if byte == greaterThan {
                break
            }
        }
        let inner = start..<(buffer.index - 1)
        guard buffer.isAtEnd || buffer.peek() == space else {
            throw SMTPSyntaxError(.invalidPath(role), "Unexpected text after the address")
        }
        return inner
    }

    /// The mailbox between the brackets, after an optional source route.
    static func parsePathContent(_ bytes: [UInt8], _ range: Range<Int>, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Mailbox {
        var buffer = SMTPParseBuffer(bytes, range: range)
        if buffer.peek() == at { try parseSourceRoute(&buffer, role: role) }
        return try parseMailbox(&buffer, role: role)
    }

    // A-d-l     = At-domain *( "," At-domain )
    // At-domain = "@" Domain              ; an address literal is accepted too (RFC 821 allowed it)
    /// Checks and skips a source route, including its ":"; RFC 5321 Appendix C: the route
    /// SHOULD be ignored, so nothing of it is kept.
    static func parseSourceRoute(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) {
        repeat {
            guard buffer.consume(at) else {
                throw SMTPSyntaxError(.invalidMailbox(role), "Bad source route")
            }
            let domain: ArraySlice<UInt8>
            if buffer.peek() == openBracket {
                let literal = buffer.read(while: { $0 != closeBracket })
                domain = buffer.consume(closeBracket) ? buffer.bytes[literal.startIndex..<buffer.index] : literal
            } else {
                domain = buffer.read(while: { $0 != comma && $0 != colon })
            }
            do {
                if domain.first == openBracket {
                    _ = try parseAddressLiteral(domain)
                } else {
                    _ = try parseDomainSyntax(domain)
                }
            } catch {
                throw SMTPSyntaxError(.invalidMailbox(role), "Bad source route: \(error.message)")
            }
        } while buffer.consume(comma)
        guard buffer.consume(colon) else {
            throw SMTPSyntaxError(.invalidMailbox(role), "Bad source route: ':' expected before the mailbox")
        }
    }

    // Mailbox = Local-part "@" ( Domain / address-literal )
    static func parseMailbox(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Mailbox {
        let start = buffer.index
        let localPart = try parseLocalPart(&buffer, role: role)
        guard buffer.index - start <= Mailbox.LocalPart.maximumLength else {
            throw SMTPSyntaxError(.invalidMailbox(role), "The local part is longer than \(Mailbox.LocalPart.maximumLength) octets")
        }
        guard buffer.consume(at) else {
            if let byte = buffer.peek() {
                throw SMTPSyntaxError(.invalidMailbox(role), "The local part contains \(describe(byte))")
            }
            throw SMTPSyntaxError(.invalidMailbox(role), "The address has no domain")
        }
        let domainBytes = buffer.rest
        buffer.skip(domainBytes.count)
        let (domain, unicode) = try parseMailboxDomain(domainBytes, role: role)
        return Mailbox(localPart: localPart, domain: domain, requiresSMTPUTF8: unicode)
    }

    // Local-part = Dot-string / Quoted-string
    static func parseLocalPart(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Mailbox.LocalPart {
        if buffer.peek() == doubleQuote { return try parseQuotedString(&buffer, role: role) }
        return try parseDotString(&buffer, role: role)
    }

    // Dot-string = Atom *("."  Atom)
    // Atom       = 1*atext                ; atext =/ UTF8-non-ascii (RFC 6531 §3.3)
    static func parseDotString(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Mailbox.LocalPart {
        let bytes = buffer.read(while: { isAText($0) || $0 == dot || $0 >= 0x80 })
        if bytes.isEmpty {
            if let byte = buffer.peek(), byte != at {
                throw SMTPSyntaxError(.invalidMailbox(role), "The local part contains \(describe(byte))")
            }
            throw SMTPSyntaxError(.invalidMailbox(role), "The local part is empty")
        }
        if bytes.first == dot || bytes.last == dot || zip(bytes, bytes.dropFirst()).contains(where: { $0 == dot && $1 == dot }) {
            throw SMTPSyntaxError(.invalidMailbox(role), "The local part has an empty atom ('.' at either end, or '..')")
        }
        return Mailbox.LocalPart(validated: try addressText(bytes, role: role))
    }

    // Quoted-string   = DQUOTE *QcontentSMTP DQUOTE
    // QcontentSMTP    = qtextSMTP / quoted-pairSMTP
    // quoted-pairSMTP = %d92 %d32-126
    // qtextSMTP       = %d32-33 / %d35-91 / %d93-126      ; =/ UTF8-non-ascii (RFC 6531 §3.3)
    static func parseQuotedString(_ buffer: inout SMTPParseBuffer, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> Mailbox.LocalPart {
        _ = buffer.consume(doubleQuote)
        var content: [UInt8] = []
        while true {
            guard let byte = buffer.read() else {
                throw SMTPSyntaxError(.invalidMailbox(role), "Unterminated quoted string in the local part")
            }
            if byte == doubleQuote { break }
            if byte == backslash {
                guard let escaped = buffer.read(), (32...126).contains(escaped) else {
                    throw SMTPSyntaxError(.invalidMailbox(role), "Bad quoted pair in the local part")
                }
                content.append(escaped)
            } else if isQTextSMTP(byte) || byte >= 0x80 {
                content.append(byte)
            } else {
                throw SMTPSyntaxError(.invalidMailbox(role), "The quoted local part contains \(describe(byte))")
            }
        }
        // RFC 5321 allows `""`, but an empty local part names no one and confuses other software.
        guard !content.isEmpty else { throw SMTPSyntaxError(.invalidMailbox(role), "The local part is empty") }
        return Mailbox.LocalPart(validated: try addressText(content[...], role: role))
    }

    /// Local-part octets as text: valid UTF-8 without invisible or control code points.
    static func addressText(_ bytes: ArraySlice<UInt8>, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SMTPSyntaxError(.invalidMailbox(role), "The local part is not valid UTF-8")
        }
        if let scalar = text.unicodeScalars.first(where: { !isAllowedInAddress($0) }) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            throw SMTPSyntaxError(.invalidMailbox(role), "The local part contains U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex), which is not allowed in an address")
        }
        return text
    }

    // ( Domain / address-literal )         ; the part of Mailbox after "@"
    /// Returns the domain and whether it was written with U-labels.
    static func parseMailboxDomain(_ bytes: ArraySlice<UInt8>, role: SMTPSyntaxError.AddressRole) throws(SMTPSyntaxError) -> (MailboxDomain, unicode: Bool) {
        guard !bytes.isEmpty else { throw SMTPSyntaxError(.invalidMailbox(role), "The domain is empty") }
        if bytes.contains(at) {
            throw SMTPSyntaxError(.invalidMailbox(role), "The address contains more than one '@' outside quotes")
        }
        do {
            if bytes.first == openBracket {
                return (.addressLiteral(try parseAddressLiteral(bytes)), false)
            }
            let (name, unicode) = try parseDomainName(bytes)
            return (.domain(name), unicode)
        } catch {
            throw SMTPSyntaxError(.invalidMailbox(role), error.message)
        }
    }
}
