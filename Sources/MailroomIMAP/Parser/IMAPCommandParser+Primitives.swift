// IMAPCommandParser+Primitives — the basic rules: spaces, atoms, numbers, quoted strings,
// literals, astrings, nstrings and flags.
//
// Standards: RFC 3501 §4 and §9, RFC 9051 §4 and §9:
//   atom = 1*ATOM-CHAR
//   astring = 1*ASTRING-CHAR / string
//   string = quoted / literal
//   nstring = string / nil
//   quoted = DQUOTE *QUOTED-CHAR DQUOTE
//   QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
//   literal = "{" number64 ["+"] "}" CRLF *CHAR8        ; RFC 7888 adds "+"
//   literal8 = "~{" number64 ["+"] "}" CRLF *OCTET      ; RFC 3516
//   number = 1*DIGIT                ; unsigned 32-bit
//   number64 = 1*DIGIT              ; unsigned 63-bit (RFC 9051)
//   nz-number = digit-nz *DIGIT
//   flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
// UTF-8 in quoted strings (RFC 6855, RFC 9051) is accepted when well-formed; atoms stay ASCII.
//
// Security: a quoted string holds no CR, LF or NUL; a literal holds no NUL unless it is a
// literal8 where one is allowed; numbers are bounded before they are converted.

import MailroomCore

extension IMAPCommandParser {
    // SP
    /// A single space before the argument named `what`.
    static func space(_ buffer: inout IMAPParseBuffer, before what: String) throws(IMAPParseError) {
        if separator(&buffer) { return }
        if buffer.isAtEnd || buffer.peek() == IMAPGrammar.closeParen { throw IMAPParseError("missing \(what)") }
        throw IMAPParseError("expected a space before \(what)")
    }

    /// SP between two tokens, tolerating a run of spaces (as Dovecot does). Spaces before ")"
    /// or the end of the frame are consumed but do not count: no token follows them.
    static func separator(_ buffer: inout IMAPParseBuffer) -> Bool {
        guard buffer.peek() == IMAPGrammar.space else { return false }
        _ = buffer.read(while: { $0 == IMAPGrammar.space })
        return !(buffer.isAtEnd || buffer.peek() == IMAPGrammar.closeParen)
    }

    /// Whether the keyword `word` comes next, followed by a space.
    static func peekKeyword(_ buffer: IMAPParseBuffer, _ word: String) -> Bool {
        buffer.peek(caseInsensitive: word) && buffer.peek(word.utf8.count) == IMAPGrammar.space
    }

    /// The end of the frame.
    static func end(_ buffer: inout IMAPParseBuffer, after what: String) throws(IMAPParseError) {
        _ = buffer.read(while: { $0 == IMAPGrammar.space })
        guard let byte = buffer.peek() else { return }
        if byte == IMAPGrammar.cr || byte == IMAPGrammar.lf { throw IMAPParseError("line break outside a literal") }
        if IMAPGrammar.isControl(byte) { throw IMAPParseError("control character in the command") }
        throw IMAPParseError("unexpected text after \(what)")
    }

    /// Refuses an 8-bit octet right after an atom-like token: "Entwürfe" must be quoted.
    static func checkASCIIFollows(_ buffer: IMAPParseBuffer, _ what: String) throws(IMAPParseError) {
        if let byte = buffer.peek(), byte >= 0x80 { throw IMAPParseError("non-ASCII octet in \(what) (use a quoted string)") }
    }

    /// "(" with one nesting level counted.
    static func open(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) {
        guard buffer.consume(IMAPGrammar.openParen) else { throw unexpected(buffer, "'(' to open \(what)") }
        try buffer.enter()
        _ = buffer.read(while: { $0 == IMAPGrammar.space })
    }

    /// ")" closing a level opened by `open`.
    static func close(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) {
        guard buffer.consume(IMAPGrammar.closeParen) else {
            if buffer.isAtEnd { throw IMAPParseError("unbalanced parentheses in \(what)") }
            throw IMAPParseError("expected ')' to close \(what)")
        }
        buffer.leave()
    }

    /// Items separated by SP between "(" and ")"; at least one unless `allowEmpty`.
    static func parenthesised<T>(_ buffer: inout IMAPParseBuffer, _ what: String, allowEmpty: Bool = false,
                                 _ item: (inout IMAPParseBuffer) throws(IMAPParseError) -> T) throws(IMAPParseError) -> [T] {
        try open(&buffer, what)
        var items: [T] = []
        if buffer.peek() == IMAPGrammar.closeParen {
            guard allowEmpty else { throw IMAPParseError("empty \(what)") }
        } else {
            items.append(try item(&buffer))
            while separator(&buffer) { items.append(try item(&buffer)) }
        }
        try close(&buffer, what)
        return items
    }

    /// The error for an unexpected octet (or the end) where `what` should be.
    static func unexpected(_ buffer: IMAPParseBuffer, _ what: String) -> IMAPParseError {
        guard let byte = buffer.peek() else { return IMAPParseError("missing \(what)") }
        if byte >= 0x80 { return IMAPParseError("non-ASCII octet where \(what) should be") }
        if byte == IMAPGrammar.cr || byte == IMAPGrammar.lf { return IMAPParseError("line break outside a literal") }
        if IMAPGrammar.isControl(byte) { return IMAPParseError("control character where \(what) should be") }
        return IMAPParseError("expected \(what)")
    }

    // atom = 1*ATOM-CHAR
    static func atom(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> ArraySlice<UInt8> {
        let atom = buffer.read(while: IMAPGrammar.isAtomChar)
        guard !atom.isEmpty else { throw unexpected(buffer, what) }
        try checkASCIIFollows(buffer, what)
        return atom
    }

    /// An atom keyword, upper-cased.
    static func keyword(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> String {
        IMAPGrammar.upperString(try atom(&buffer, what))
    }

    // number = 1*DIGIT     ; 0 ... 4294967295
    static func number(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> UInt32 {
        let value = try number64(&buffer, what)
        guard value <= UInt64(UInt32.max) else { throw IMAPParseError("\(what) too large") }
        return UInt32(value)
    }

    // nz-number = digit-nz *DIGIT
    static func nzNumber(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> UInt32 {
        let value = try number(&buffer, what)
        guard value > 0 else { throw IMAPParseError("\(what) must not be 0") }
        return value
    }

    // number64 = 1*DIGIT   ; 0 ... 9223372036854775807
    static func number64(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> UInt64 {
        let digits = buffer.read(while: IMAPGrammar.isDigit)
        guard !digits.isEmpty else { throw unexpected(buffer, what) }
        guard digits.count <= 19 else { throw IMAPParseError("\(what) too large") }
        let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
        guard value <= UInt64(Int64.max) else { throw IMAPParseError("\(what) too large") }
        return value
    }

    // astring = 1*ASTRING-CHAR / string
    static func astring(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> [UInt8] {
        switch buffer.peek() {
        case IMAPGrammar.doubleQuote, IMAPGrammar.openBrace: return try string(&buffer, what)
        case IMAPGrammar.tilde where buffer.peek(1) == IMAPGrammar.openBrace: return try string(&buffer, what)
        default:
            // Beyond RFC 3501: UTF-8 is taken in an astring's atom form too (Python's imaplib and
            // other clients send "SEARCH BODY 发票" unquoted; RFC 6855 and RFC 9051 make UTF-8
            // text legal in strings). It must be valid UTF-8; other 8-bit octets stay refused.
            let chars = buffer.read(while: { IMAPGrammar.isAStringChar($0) || $0 >= 0x80 })
            guard !chars.isEmpty else { throw unexpected(buffer, what) }
            if chars.contains(where: { $0 >= 0x80 }), !IMAPGrammar.isValidUTF8(Array(chars)) {
                throw IMAPParseError("invalid UTF-8 in \(what)")
            }
            return Array(chars)
        }
    }

    // string = quoted / literal
    static func string(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> [UInt8] {
        switch buffer.peek() {
        case IMAPGrammar.doubleQuote: return try quoted(&buffer, what)
        case IMAPGrammar.openBrace: return try literal(&buffer, what, allowBinary: false).data
        case IMAPGrammar.tilde where buffer.peek(1) == IMAPGrammar.openBrace: return try literal(&buffer, what, allowBinary: false).data
        default: throw unexpected(buffer, what)
        }
    }

    // nstring = string / nil
    static func nstring(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> [UInt8]? {
        if buffer.peek(caseInsensitive: "NIL"), !(buffer.peek(3).map(IMAPGrammar.isAtomChar) ?? false) {
            _ = buffer.consume(caseInsensitive: "NIL")
            return nil
        }
        return try string(&buffer, what)
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    static func quoted(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> [UInt8] {
        guard buffer.consume(IMAPGrammar.doubleQuote) else { throw unexpected(buffer, what) }
        var value: [UInt8] = []
        var eightBit = false
        while true {
            guard let byte = buffer.read() else { throw IMAPParseError("unterminated quoted string in \(what)") }
            switch byte {
            case IMAPGrammar.doubleQuote:
                if eightBit, !IMAPGrammar.isValidUTF8(value) { throw IMAPParseError("invalid UTF-8 in \(what)") }
                return value
            case IMAPGrammar.backslash:
                guard let escaped = buffer.read(), escaped == IMAPGrammar.doubleQuote || escaped == IMAPGrammar.backslash else {
                    throw IMAPParseError("invalid escape in the quoted string of \(what)")
                }
                value.append(escaped)
            case 0, IMAPGrammar.cr, IMAPGrammar.lf:
                throw IMAPParseError(byte == 0 ? "NUL in \(what)" : "line break in the quoted string of \(what)")
            default:
                if byte >= 0x80 { eightBit = true }
                value.append(byte)
            }
        }
    }

    // literal = "{" number64 ["+"] "}" CRLF *CHAR8
    // literal8 = "~{" number64 ["+"] "}" CRLF *OCTET
    /// The literal's octets and whether it was a literal8 (only where `allowBinary`).
    static func literal(_ buffer: inout IMAPParseBuffer, _ what: String,
                        allowBinary: Bool) throws(IMAPParseError) -> (data: [UInt8], binary: Bool) {
        let binary = buffer.consume(IMAPGrammar.tilde)
        if binary, !allowBinary { throw IMAPParseError("literal8 is not allowed in \(what)") }
        guard buffer.consume(IMAPGrammar.openBrace) else { throw unexpected(buffer, "'{' of the literal in \(what)") }
        let digits = buffer.read(while: IMAPGrammar.isDigit)
        guard !digits.isEmpty else { throw IMAPParseError("invalid literal length in \(what)") }
        guard digits.count <= 10 else { throw IMAPParseError("literal too large in \(what)") }
        let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard length <= Int(UInt32.max) else { throw IMAPParseError("literal too large in \(what)") }
        _ = buffer.consume(IMAPGrammar.plus)
        guard buffer.consume(IMAPGrammar.closeBrace) else { throw IMAPParseError("invalid literal length in \(what)") }
        guard buffer.consume(IMAPGrammar.cr), buffer.consume(IMAPGrammar.lf) else {
            throw IMAPParseError("expected CRLF after the literal length in \(what)")
        }
        guard buffer.remaining >= length else {
            throw IMAPParseError("literal length does not match its data in \(what)")
        }
        try buffer.countLiteral()
        let data = buffer.take(length)
        if !binary, data.contains(0) { throw IMAPParseError("NUL in a literal in \(what) (use literal8)") }
        return (Array(data), binary)
    }

    // flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    // flag-keyword = atom ; flag-extension = "\" atom
    /// A flag a client may set (no \Recent, no \*).
    static func flag(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> Flag {
        let backslash = buffer.consume(IMAPGrammar.backslash)
        if backslash, buffer.peek() == IMAPGrammar.asterisk { throw IMAPParseError("\\* is not a flag a client may set") }
        let name = try atom(&buffer, "flag")
        guard let flag = Flag((backslash ? "\\" : "") + String(decoding: name, as: UTF8.self)) else {
            throw IMAPParseError("invalid flag")
        }
        if flag == .recent { throw IMAPParseError("\\Recent cannot be set by a client") }
        return flag
    }

    // flag-list = "(" [flag *(SP flag)] ")"
    static func flagList(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [Flag] {
        try parenthesised(&buffer, "flag list", allowEmpty: true) { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) in
            try flag(&buffer)
        }
    }

    // mailbox = "INBOX" / astring
    static func mailbox(_ buffer: inout IMAPParseBuffer, _ what: String = "mailbox name") throws(IMAPParseError) -> MailboxName {
        MailboxName(try astring(&buffer, what))
    }

    // base64 = *(4base64-char) [base64-terminal]
    static func base64(_ bytes: some Collection<UInt8>, _ what: String) throws(IMAPParseError) -> [UInt8] {
        guard let decoded = Base64.decode(bytes) else { throw IMAPParseError("invalid base64 in \(what)") }
        return decoded
    }
}
