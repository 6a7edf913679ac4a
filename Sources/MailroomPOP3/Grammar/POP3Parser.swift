// POP3Parser — the POP3 command grammar: one parse function per rule, its ABNF above it.
//
// Standards: RFC 2449 §9 (the formal syntax of commands: keyword = 3*4VCHAR, param =
// 1*VCHAR, separated by single spaces), RFC 1939 §5 and §7 (msg = 1*DIGIT, a message number
// counted from 1; TOP's line count is a non-negative number; PASS takes a string that may hold
// spaces), RFC 5034 §4 (AUTH mechanism [SP initial-response]; "=" is an empty initial
// response), RFC 4422 §3.1 (sasl-mech = 1*20 of upper-case letters, digits, "-" and "_"),
// RFC 4648 §4 (base64, checked strictly by MailroomCore's Base64).
//
// Tolerances, each on purpose (everything else is refused):
// - keywords in any case ("list", "Retr": RFC 1939 §3 says case-insensitive); SASL mechanism
//   names too (they are upper-cased);
// - runs of spaces between arguments, and spaces at the end of a line, count as one (and as
//   none), except in PASS, where everything after the single space following "PASS" is the
//   password, leading and trailing spaces included (RFC 1939 §7: "the server may treat spaces
//   in the argument as part of the password");
// - numbers with leading zeros ("01"): RFC 1939's 1*DIGIT allows them.
// Refused: "+" or "-" signs, a message number of 0, numbers over `maximumNumber`, any C0
// control character or DEL (TAB only in a password), keywords longer than four octets.
//
// Limits: `maximumNumber` (Int32.max: no maildrop holds more, and the value fits any
// arithmetic the session does), `maximumUserNameOctets` (the SASL field limit), and the RFC
// 4422 mechanism-name length. The line itself is bounded by the framer (POP3Limits).
//
// Security: parsing is linear in the line and allocates only the arguments it returns.

import MailroomCore

/// The POP3 command grammar.
enum POP3Parser {
    /// The largest message number or line count accepted.
    static let maximumNumber = Int(Int32.max)
    /// Digits in a number, at most (leading zeros included).
    static let maximumNumberDigits = 10
    /// The longest USER argument (SASLLimits.defaultFieldBytes: no address is longer).
    static let maximumUserNameOctets = 1024
    /// RFC 4422 §3.1: a mechanism name has at most 20 characters.
    static let maximumMechanismOctets = 20

    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    /// C0 controls and DEL.
    static func isControl(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F }
    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    static func isAlpha(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

    // command = keyword *(SP param) CRLF        (RFC 2449 §9; the CRLF is the framer's)
    // keyword = 3*4VCHAR
    static func parseCommand(_ line: [UInt8]) throws(POP3SyntaxError) -> POP3Command {
        let keywordEnd = line.firstIndex(of: space) ?? line.count
        let keyword = try parseKeyword(line[..<keywordEnd])
        if keyword == .pass { return try parsePass(line[keywordEnd...]) }
        if line.contains(where: isControl) { throw .controlCharacter }
        let arguments = line[keywordEnd...].split(separator: space)
        switch keyword {
        case .stat: try none(arguments, keyword); return .stat
        case .noop: try none(arguments, keyword); return .noop
        case .rset: try none(arguments, keyword); return .rset
        case .quit: try none(arguments, keyword); return .quit
        case .capa: try none(arguments, keyword); return .capa
        case .stls: try none(arguments, keyword); return .stls
        case .apop: return .apop
        case .user: return .user(try parseUser(arguments))
        case .list: return .list(try optionalMessageNumber(arguments, keyword))
        case .uidl: return .uidl(try optionalMessageNumber(arguments, keyword))
        case .retr: return .retr(try messageNumber(arguments, keyword))
        case .dele: return .dele(try messageNumber(arguments, keyword))
        case .top: return try parseTop(arguments)
        case .auth: return try parseAuth(arguments)
        case .pass: preconditionFailure("PASS is parsed above")
        }
    }

    /// A known keyword, case-insensitively; anything else is an unknown command, unless it
    /// holds a control character.
    static func parseKeyword(_ bytes: ArraySlice<UInt8>) throws(POP3SyntaxError) -> POP3Keyword {
        guard (3...4).contains(bytes.count), bytes.allSatisfy(isAlpha),
              let keyword = POP3Keyword(rawValue: String(decoding: bytes.map(upper), as: UTF8.self)) else {
            throw bytes.contains(where: isControl) ? .controlCharacter : .unknownCommand
        }
        return keyword
    }

    // pass = "PASS" SP string      (RFC 1939 §7; string: any octets but controls, TAB allowed)
    static func parsePass(_ rest: ArraySlice<UInt8>) throws(POP3SyntaxError) -> POP3Command {
        guard rest.count > 1 else { throw .missingArgument(.pass) }
        let password = rest.dropFirst()
        if password.contains(where: { isControl($0) && $0 != tab }) { throw .controlCharacter }
        return .pass(String(decoding: password, as: UTF8.self))
    }

    // user = "USER" SP name
    static func parseUser(_ arguments: [ArraySlice<UInt8>]) throws(POP3SyntaxError) -> String {
        guard let name = arguments.first else { throw .missingArgument(.user) }
        guard arguments.count == 1 else { throw .tooManyArguments(.user) }
        guard name.count <= maximumUserNameOctets else { throw .userNameTooLong }
        return String(decoding: name, as: UTF8.self)
    }

    // top = "TOP" SP msg SP n        (n = 1*DIGIT, may be 0)
    static func parseTop(_ arguments: [ArraySlice<UInt8>]) throws(POP3SyntaxError) -> POP3Command {
        guard arguments.count >= 2 else { throw .missingArgument(.top) }
        guard arguments.count == 2 else { throw .tooManyArguments(.top) }
        let message = try messageNumber(arguments[0])
        guard let lines = number(arguments[1]) else { throw .invalidLineCount }
        return .top(message, lines: lines)
    }

    // auth = "AUTH" [SP sasl-mech [SP initial-response]]      (RFC 5034 §4; without a
    //        mechanism: the list of mechanisms, as Dovecot and many clients expect)
    // sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_")     (RFC 4422 §3.1)
    // initial-response = base64 / "="
    static func parseAuth(_ arguments: [ArraySlice<UInt8>]) throws(POP3SyntaxError) -> POP3Command {
        guard let name = arguments.first else { return .auth(mechanism: nil, initialResponse: nil) }
        guard arguments.count <= 2 else { throw .tooManyArguments(.auth) }
        guard name.count <= maximumMechanismOctets,
              name.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw .invalidMechanismName
        }
        let mechanism = String(decoding: name.map(upper), as: UTF8.self)
        guard arguments.count == 2 else { return .auth(mechanism: mechanism, initialResponse: nil) }
        if arguments[1].elementsEqual([UInt8(ascii: "=")]) { return .auth(mechanism: mechanism, initialResponse: []) }
        guard let response = Base64.decode(arguments[1]) else { throw .invalidInitialResponse }
        return .auth(mechanism: mechanism, initialResponse: response)
    }

    // No arguments.
    static func none(_ arguments: [ArraySlice<UInt8>], _ keyword: POP3Keyword) throws(POP3SyntaxError) {
        guard arguments.isEmpty else { throw .tooManyArguments(keyword) }
    }

    // [SP msg]
    static func optionalMessageNumber(_ arguments: [ArraySlice<UInt8>], _ keyword: POP3Keyword) throws(POP3SyntaxError) -> Int? {
        guard !arguments.isEmpty else { return nil }
        return try messageNumber(arguments, keyword)
    }

    // SP msg
    static func messageNumber(_ arguments: [ArraySlice<UInt8>], _ keyword: POP3Keyword) throws(POP3SyntaxError) -> Int {
        guard let first = arguments.first else { throw .missingArgument(keyword) }
        guard arguments.count == 1 else { throw .tooManyArguments(keyword) }
        return try messageNumber(first)
    }

    // msg = 1*DIGIT, not 0       (RFC 1939 §5: messages are numbered from 1)
    static func messageNumber(_ bytes: ArraySlice<UInt8>) throws(POP3SyntaxError) -> Int {
        guard let value = number(bytes), value >= 1 else { throw .invalidMessageNumber }
        return value
    }

    // 1*DIGIT, at most maximumNumberDigits digits and maximumNumber.
    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard (1...maximumNumberDigits).contains(bytes.count), bytes.allSatisfy(isDigit) else { return nil }
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= maximumNumber ? value : nil
    }
}
