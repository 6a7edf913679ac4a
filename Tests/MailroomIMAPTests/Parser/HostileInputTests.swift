// HostileInputTests.swift — named hostile inputs for Parser/ (style.md §14): deep nesting,
// unbalanced parentheses, numbers past 32 bits, sequence number 0, impossible dates,
// non-ASCII atoms, NUL and line breaks outside literals, and literals whose announced length
// disagrees with the octets that follow.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: hostile input")
struct HostileInputTests {
    @Test("100 000 nested parentheses stop at the nesting limit, not the stack")
    func deepParentheses() {
        let depth = 100_000
        let frame = "a SEARCH " + String(repeating: "(", count: depth) + "ALL" + String(repeating: ")", count: depth)
        let error = F.error(frame)
        #expect(error?.tag == "a")
        #expect(error?.kind == .limit)
        #expect(error?.reason == "nesting too deep (limit \(IMAPLimits.defaultNestingDepth))")
    }

    @Test("100 000 NOTs are bounded like parentheses")
    func deepNot() {
        let frame = "a SEARCH " + String(repeating: "NOT ", count: 100_000) + "SEEN"
        #expect(F.error(frame)?.kind == .limit)
        let frameOr = "a SEARCH " + String(repeating: "OR SEEN ", count: 100_000) + "SEEN"
        #expect(F.error(frameOr)?.kind == .limit)
    }

    @Test("nesting just within the limit parses; the limit is configurable")
    func nestingWithinLimit() {
        let limit = IMAPLimits.defaultNestingDepth
        let inside = "a SEARCH " + String(repeating: "(", count: limit) + "ALL" + String(repeating: ")", count: limit)
        #expect((try? F.parse(inside).get()) != nil)
        let over = "a SEARCH " + String(repeating: "(", count: limit + 1) + "ALL" + String(repeating: ")", count: limit + 1)
        #expect(F.error(over)?.kind == .limit)
        let small = IMAPLimits(nestingDepth: 8)
        let nine = "a SEARCH " + String(repeating: "(", count: 9) + "ALL" + String(repeating: ")", count: 9)
        #expect(F.parse(nine, limits: small).map(\.tag) != .success("a"))
    }

    @Test("unbalanced parentheses", arguments: [
        "a SEARCH ((SEEN)", "a SEARCH (SEEN))", "a FETCH 1 (FLAGS (UID)", "a STORE 1 FLAGS (\\Seen",
        "a STATUS INBOX (MESSAGES", "a LIST (SUBSCRIBED \"\" *", "a ID (\"a\" \"b\"", "a SEARCH )",
        "a FETCH 1 BODY[HEADER.FIELDS (FROM]", "a FETCH 1 BODY[HEADER", "a SEARCH " + String(repeating: "(", count: 30),
    ])
    func unbalanced(frame: String) {
        let error = F.error(frame)
        #expect(error != nil)
        #expect(error?.tag == "a")
    }

    @Test("sequence number 0 and numbers past 32 bits", arguments: [
        "a FETCH 0 FLAGS", "a FETCH 0:5 FLAGS", "a FETCH 5,0 FLAGS", "a UID FETCH 4294967296 FLAGS",
        "a UID FETCH 1:18446744073709551616 FLAGS", "a COPY 0 Trash", "a SEARCH UID 0", "a STORE 0 FLAGS ()",
        "a FETCH 1 BODY[]<4294967296.1>", "a FETCH 1 BODY[4294967296]", "a SEARCH LARGER 18446744073709551616",
    ])
    func badNumbers(frame: String) {
        #expect(F.error(frame) != nil, "\(frame)")
    }

    @Test("4294967295 is the largest number accepted")
    func largestNumber() {
        #expect(F.command("a UID FETCH 4294967295 FLAGS") == .fetch(uid: true, SequenceSet(4_294_967_295), [.flags], modifiers: []))
    }

    @Test("impossible dates and times", arguments: [
        "a SEARCH SINCE 31-Apr-2024", "a SEARCH SINCE 29-Feb-2023", "a SEARCH SINCE 0-Jan-2024", "a SEARCH SINCE 32-Jan-2024",
        "a SEARCH SINCE 1-Foo-2024", "a SEARCH SINCE 1-Jan-24", "a SEARCH SINCE 1-Jan-0000", "a SEARCH SINCE 123-Jan-2024",
        "a SEARCH SINCE \"1-Jan-2024", "a SEARCH SINCE 1/1/2024", "a SEARCH SINCE 1-January-2024",
        "a APPEND INBOX \"01-Jan-2024 24:00:00 +0000\" {1}\r\nx", "a APPEND INBOX \"01-Jan-2024 12:60:00 +0000\" {1}\r\nx",
        "a APPEND INBOX \"01-Jan-2024 12:00:61 +0000\" {1}\r\nx", "a APPEND INBOX \"01-Jan-2024 12:00:00 +0075\" {1}\r\nx",
        "a APPEND INBOX \"01-Jan-2024 12:00:00 0000\" {1}\r\nx", "a APPEND INBOX \"01-Jan-2024 12:00 +0000\" {1}\r\nx",
        "a APPEND INBOX \"01-Jan-2024\" {1}\r\nx", "a APPEND INBOX \"30-Feb-2024 12:00:00 +0000\" {1}\r\nx",
    ])
    func badDates(frame: String) {
        #expect(F.error(frame) != nil, "\(frame)")
    }

    @Test("29-Feb in a leap year, a leap second and a one-digit day are accepted")
    func goodDates() {
        #expect(F.command("a SEARCH SINCE 29-Feb-2024") != nil)
        #expect(F.command("a SEARCH SINCE 29-Feb-2000") != nil)
        #expect(F.error("a SEARCH SINCE 29-Feb-1900") != nil)
        #expect(F.command("a APPEND INBOX \"31-Dec-2016 23:59:60 +0000\" {1}\r\nx") != nil)
        #expect(F.command("a APPEND INBOX \"1-Jan-2024 00:00:00 -1200\" {1}\r\nx") != nil)
    }

    @Test("non-ASCII octets in atoms, tags and keywords are refused; UTF-8 in quoted strings and astrings is taken")
    func nonASCII() {
        // Clients (Python's imaplib among them) send UTF-8 unquoted where an astring goes; it
        // is taken when it is valid UTF-8 (the session then applies modified UTF-7 or UTF8=ACCEPT).
        #expect(F.command("a SELECT Entwürfe") == .select(MailboxName("Entwürfe"), parameters: []))
        #expect(F.command("a STATUS Entwürfe (MESSAGES)") == .status(MailboxName("Entwürfe"), [.messages]))
        #expect(F.command("a SEARCH BODY 发票") == .search(uid: false, returnOptions: nil, charset: nil, criteria: [.body(Array("发票".utf8))]))
        #expect(throws: IMAPParseError("invalid UTF-8 in mailbox name", tag: "a")) {
            try IMAPCommandParser().parse(Array("a SELECT ".utf8) + [0xFF, 0x78])
        }
        #expect(F.error("a FETCH 1 FLÄGS") != nil)
        #expect(F.error("ä NOOP")?.tag == nil)
        #expect(F.error("a NOÖP")?.kind == .unknownCommand)
        #expect(F.error("a STORE 1 +FLAGS (kéyword)") != nil)
        #expect(F.command("a SELECT \"Entwürfe\"") == .select(MailboxName("Entwürfe"), parameters: []))
        #expect(F.command("a SELECT \"\u{FF}\"") != nil)
        let invalidUTF8: [UInt8] = F.bytes("a SELECT \"") + [0xC3, 0x28] + F.bytes("\"")
        #expect(F.parse(invalidUTF8).map(\.tag) == .failure(IMAPParseError("invalid UTF-8 in mailbox name", tag: "a")))
        let latin1Literal: [UInt8] = F.bytes("a SELECT {1}\r\n") + [0xE9]
        #expect((try? F.parse(latin1Literal).get().command) == .select(MailboxName([0xE9]), parameters: []),
                "a literal carries any octet but NUL")
    }

    @Test("NUL, CR and LF outside literals are refused")
    func controls() {
        #expect(F.parse(F.bytes("a NOOP") + [0]).map(\.tag) != .success("a"))
        #expect(F.error("a SELECT \"a\rb\"")?.reason == "line break in the quoted string of mailbox name")
        #expect(F.error("a NOOP\r\nb NOOP") != nil)
        #expect(F.error("a SELECT \"a\u{0}b\"")?.reason == "NUL in mailbox name")
        #expect(F.error("a LOGIN a\tb c") != nil)
        #expect(F.error("a SELECT {3}\r\na\u{0}b")?.reason == "NUL in a literal in mailbox name (use literal8)")
    }

    @Test("a literal whose announced length disagrees with its octets")
    func literalLength() {
        #expect(F.error("a LOGIN {10}\r\nfred pass")?.reason == "literal length does not match its data in user name")
        #expect(F.error("a LOGIN {4}\r\nfredx pass")?.reason == "expected a space before password")
        #expect(F.error("a LOGIN {4294967295}\r\nfred pass")?.reason == "literal length does not match its data in user name")
        #expect(F.error("a LOGIN {99999999999}\r\nfred pass")?.reason == "literal too large in user name")
        #expect(F.error("a LOGIN {4}fred pass")?.reason == "expected CRLF after the literal length in user name")
        #expect(F.error("a LOGIN {4}\nfred pass")?.reason == "expected CRLF after the literal length in user name")
        #expect(F.error("a LOGIN {}\r\n pass")?.reason == "invalid literal length in user name")
        #expect(F.error("a LOGIN {-1}\r\n pass")?.reason == "invalid literal length in user name")
        #expect(F.error("a LOGIN {4++}\r\nfred pass")?.reason == "invalid literal length in user name")
        #expect(F.error("a LOGIN ~{4}\r\nfred pass")?.reason == "literal8 is not allowed in user name")
        #expect(F.error("a APPEND INBOX {5}\r\nabc")?.reason == "literal length does not match its data in the message")
        #expect(F.error("a APPEND INBOX {3}\r\nabcd") != nil)
    }

    @Test("the number of literals is bounded")
    func literalCount() {
        let limits = IMAPLimits(literalsPerCommand: 3)
        let frame = "a SEARCH" + String(repeating: " TEXT {1+}\r\nx", count: 4)
        #expect(F.parse(frame, limits: limits).map(\.tag) == .failure(IMAPParseError("too many literals (limit 3)", kind: .limit, tag: "a")))
        #expect((try? F.parse("a SEARCH" + String(repeating: " TEXT {1+}\r\nx", count: 3), limits: limits).get()) != nil)
    }

    @Test("a very long frame of valid items parses in linear time")
    func longFrame() {
        let set = (1...20_000).map { String($0 * 2) }.joined(separator: ",")
        guard case .fetch(_, let parsed, _, _)? = F.command("a UID FETCH \(set) FLAGS") else {
            Issue.record("long set did not parse")
            return
        }
        #expect(parsed.ranges.count == 20_000)
    }
}
