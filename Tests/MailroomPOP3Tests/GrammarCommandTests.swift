// GrammarCommandTests.swift — tests for Grammar/POP3Parser.swift and POP3Command: every
// command, case-insensitive keywords, strict numbers, PASS with spaces, AUTH's mechanism and
// initial response, and hostile input (control characters, long numbers, signs, junk).

import MailroomCore
@testable import MailroomPOP3
import Testing

func parse(_ line: String) -> Result<POP3Command, POP3SyntaxError> {
    Result { () throws(POP3SyntaxError) in try POP3Command.parse(line: bytes(line)) }
}

@Suite("Grammar: commands")
struct GrammarCommandTests {
    @Test("every command parses to its typed value", arguments: [
        ("USER mrose", POP3Command.user("mrose")),
        ("PASS secret", .pass("secret")),
        ("APOP mrose c4c9334bac560ecc979e58001b3e22fb", .apop),
        ("STAT", .stat), ("LIST", .list(nil)), ("LIST 2", .list(2)), ("RETR 1", .retr(1)), ("DELE 3", .dele(3)),
        ("NOOP", .noop), ("RSET", .rset), ("QUIT", .quit), ("TOP 1 10", .top(1, lines: 10)), ("TOP 1 0", .top(1, lines: 0)),
        ("UIDL", .uidl(nil)), ("UIDL 7", .uidl(7)), ("CAPA", .capa), ("STLS", .stls),
        ("AUTH", .auth(mechanism: nil, initialResponse: nil)),
        ("AUTH PLAIN", .auth(mechanism: "PLAIN", initialResponse: nil)),
        ("AUTH PLAIN =", .auth(mechanism: "PLAIN", initialResponse: [])),
        ("AUTH PLAIN AHVzZXIAcGFzcw==", .auth(mechanism: "PLAIN", initialResponse: bytes("\0user\0pass"))),
        ("AUTH scram-sha-256", .auth(mechanism: "SCRAM-SHA-256", initialResponse: nil)),
        ("AUTH X_MINE", .auth(mechanism: "X_MINE", initialResponse: nil)),
    ])
    func commands(line: String, expected: POP3Command) {
        #expect(parse(line) == .success(expected))
        #expect(parse(line).map(\.keyword) == .success(expected.keyword))
    }

    @Test("keywords in any case; spaces between and after arguments tolerated")
    func tolerances() {
        #expect(parse("stat") == .success(.stat))
        #expect(parse("Retr 5") == .success(.retr(5)))
        #expect(parse("top  1   2  ") == .success(.top(1, lines: 2)))
        #expect(parse("LIST ") == .success(.list(nil)))
        #expect(parse("QUIT   ") == .success(.quit))
        #expect(parse("RETR 007") == .success(.retr(7)), "1*DIGIT allows leading zeros")
    }

    @Test("PASS takes the rest of the line, spaces included")
    func pass() {
        #expect(parse("PASS my secret pass ") == .success(.pass("my secret pass ")))
        #expect(parse("pass  leading") == .success(.pass(" leading")))
        #expect(parse("PASS tab\there") == .success(.pass("tab\there")))
        #expect(parse("PASS pässwörd") == .success(.pass("pässwörd")))
        #expect(parse("PASS") == .failure(.missingArgument(.pass)))
        #expect(parse("PASS ") == .failure(.missingArgument(.pass)))
        #expect(parse("PASS a\0b") == .failure(.controlCharacter))
    }

    @Test("numbers are strict: no 0, no signs, no letters, bounded", arguments: [
        ("RETR 0", POP3SyntaxError.invalidMessageNumber), ("RETR +1", .invalidMessageNumber), ("RETR -1", .invalidMessageNumber),
        ("RETR 1a", .invalidMessageNumber), ("RETR 0x10", .invalidMessageNumber), ("DELE 2147483648", .invalidMessageNumber),
        ("LIST 99999999999", .invalidMessageNumber), ("UIDL ١", .invalidMessageNumber),
        ("TOP 1 -1", .invalidLineCount), ("TOP 1 x", .invalidLineCount), ("TOP 0 1", .invalidMessageNumber),
        ("TOP 1 2147483648", .invalidLineCount),
    ])
    func strictNumbers(line: String, error: POP3SyntaxError) {
        #expect(parse(line) == .failure(error))
    }

    @Test("the largest number is accepted")
    func largest() {
        #expect(parse("RETR 2147483647") == .success(.retr(2_147_483_647)))
        #expect(parse("TOP 1 2147483647") == .success(.top(1, lines: 2_147_483_647)))
    }

    @Test("missing and extra arguments", arguments: [
        ("RETR", POP3SyntaxError.missingArgument(.retr)), ("DELE", .missingArgument(.dele)), ("TOP 1", .missingArgument(.top)),
        ("TOP", .missingArgument(.top)), ("USER", .missingArgument(.user)), ("USER a b", .tooManyArguments(.user)),
        ("STAT 1", .tooManyArguments(.stat)), ("QUIT now", .tooManyArguments(.quit)), ("LIST 1 2", .tooManyArguments(.list)),
        ("TOP 1 2 3", .tooManyArguments(.top)), ("CAPA x", .tooManyArguments(.capa)), ("STLS x", .tooManyArguments(.stls)),
        ("AUTH PLAIN = x", .tooManyArguments(.auth)),
    ])
    func arity(line: String, error: POP3SyntaxError) {
        #expect(parse(line) == .failure(error))
    }

    @Test("AUTH: mechanism names and initial responses are checked")
    func auth() {
        #expect(parse("AUTH PL@IN") == .failure(.invalidMechanismName))
        #expect(parse("AUTH " + String(repeating: "A", count: 21)) == .failure(.invalidMechanismName))
        #expect(parse("AUTH PLAIN AHVzZXIAcGFzcw") == .failure(.invalidInitialResponse), "no padding")
        #expect(parse("AUTH PLAIN *") == .failure(.invalidInitialResponse))
    }

    @Test("unknown commands: UTF8, LANG, LAST, empty lines, long keywords, SMTP verbs",
          arguments: ["UTF8", "LANG", "LAST", "XTND XMIT", "", " STAT", "STATS", "EHLO example.com", "GET / HTTP/1.1", "ST"])
    func unknown(line: String) {
        #expect(parse(line) == .failure(.unknownCommand))
    }

    @Test("hostile: control characters anywhere are refused before arguments are read",
          arguments: ["USER a\0b", "LIST 1\r", "ST\0T", "RETR 1\u{7F}", "USER a\tb", "NOOP\u{1B}[2J", "\u{0}"])
    func controlCharacters(line: String) {
        #expect(parse(line) == .failure(.controlCharacter))
    }

    @Test("hostile: a USER name over 1024 octets; a 2000-digit number")
    func longArguments() {
        #expect(parse("USER " + String(repeating: "a", count: 1025)) == .failure(.userNameTooLong))
        #expect(parse("USER " + String(repeating: "a", count: 1024)) == .success(.user(String(repeating: "a", count: 1024))))
        #expect(parse("RETR " + String(repeating: "9", count: 2000)) == .failure(.invalidMessageNumber))
    }

    @Test("every error has its own -ERR text; none quotes the line")
    func errorTexts() {
        let errors: [POP3SyntaxError] = [.unknownCommand, .controlCharacter, .missingArgument(.user), .missingArgument(.pass),
                                         .missingArgument(.top), .missingArgument(.retr), .tooManyArguments(.stat),
                                         .invalidMessageNumber, .invalidLineCount, .userNameTooLong, .invalidMechanismName,
                                         .invalidInitialResponse]
        #expect(Set(errors.map(\.text)).count == errors.count)
        #expect(POP3Reply.syntaxError(.missingArgument(.retr)).statusLine == "-ERR RETR needs a message number")
    }

    @Test("descriptions hide credentials")
    func descriptions() {
        #expect(POP3Command.pass("hunter2").description == "PASS <hidden>")
        #expect(POP3Command.auth(mechanism: "PLAIN", initialResponse: bytes("\0u\0p")).description == "AUTH PLAIN <hidden>")
        #expect(POP3Command.top(1, lines: 5).description == "TOP 1 5")
    }
}
