// CommandFailureTests.swift — failure fixtures for Parser/: each refused frame, the tag the
// error carries (so the server can answer "tag BAD") and the reason it names.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: failures")
struct CommandFailureTests {
    static let failures: [(String, String?, String)] = [
        // (frame, tag in the error, reason)
        ("", nil, "empty command line"),
        (" NOOP", nil, "missing or invalid tag"),
        ("a(b NOOP", nil, "invalid character in the tag"),
        ("a", "a", "missing command name"),
        ("a ", "a", "missing command name"),
        ("a NOOP\u{0}", "a", "control character in the command"),
        ("a NOOP\r\nb NOOP", "a", "line break outside a literal"),
        ("a FROB", "a", "unknown command"),
        ("a NOOP extra", "a", "unexpected text after the NOOP command"),
        ("a SELECT", "a", "missing mailbox name"),
        ("a SELECT ", "a", "missing mailbox name"),
        ("a SELECT INBOX (QRESYNC)", "a", "unknown SELECT parameter"),
        ("a SELECT INBOX ()", "a", "empty SELECT parameters"),
        ("a DELETE", "a", "missing mailbox name"),
        ("a RENAME old", "a", "missing new mailbox name"),
        ("a LOGIN fred", "a", "missing password"),
        ("a LOGIN", "a", "missing user name"),
        ("a AUTHENTICATE", "a", "missing SASL mechanism name"),
        ("a AUTHENTICATE PLAIN !!!!", "a", "invalid base64 in the initial response"),
        ("a AUTHENTICATE PL@IN", "a", "invalid SASL mechanism name"),
        ("a AUTHENTICATE ABCDEFGHIJKLMNOPQRSTUVWXYZ", "a", "invalid SASL mechanism name"),
        ("a ENABLE", "a", "missing capability to enable"),
        ("a ID", "a", "missing ID parameter list"),
        ("a ID (\"a\")", "a", "missing ID field value"),
        ("a ID (\"abcdefghijklmnopqrstuvwxyz01234\" NIL)", "a", "ID field name too long"),
        ("a CREATE x (FOO)", "a", "unknown CREATE parameter"),
        ("a LIST \"\"", "a", "missing mailbox pattern"),
        ("a LIST (BOGUS) \"\" *", "a", "unknown LIST selection option"),
        ("a LIST (RECURSIVEMATCH) \"\" *", "a", "RECURSIVEMATCH needs SUBSCRIBED"),
        ("a LIST \"\" * RETURN (BOGUS)", "a", "unknown LIST return option"),
        ("a LIST \"\" * FOO", "a", "expected RETURN"),
        ("a STATUS INBOX ()", "a", "empty STATUS items"),
        ("a STATUS INBOX (MESSAGES BOGUS)", "a", "unknown STATUS item"),
        ("a STATUS INBOX", "a", "missing STATUS items"),
        ("a FETCH", "a", "missing sequence set"),
        ("a FETCH 1", "a", "missing fetch items"),
        ("a FETCH 1 (FLAGS", "a", "unbalanced parentheses in fetch items"),
        ("a FETCH 1 FLAGS)", "a", "unexpected text after the FETCH command"),
        ("a FETCH 1 (FLAGS ALL)", "a", "ALL cannot be combined with other fetch items"),
        ("a FETCH 1 BOGUS", "a", "unknown fetch item"),
        ("a FETCH 1 BODY[HEADER.FIELDS ()]", "a", "empty header field list"),
        ("a FETCH 1 BODY[MIME]", "a", "MIME needs a part number"),
        ("a FETCH 1 BODY[1.BOGUS]", "a", "invalid section"),
        ("a FETCH 1 BODY[0]", "a", "section part number must not be 0"),
        ("a FETCH 1 BODY[]<0.0>", "a", "partial length must not be 0"),
        ("a FETCH 1 BODY[]<5>", "a", "invalid partial range"),
        ("a FETCH 1 BODY.PEEK", "a", "BODY.PEEK needs a section"),
        ("a FETCH 1 BINARY[TEXT]", "a", "invalid binary section"),
        ("a FETCH 1 UID (BOGUS 1)", "a", "unknown FETCH modifier"),
        ("a FETCH 0 UID", "a", "invalid sequence set: 0 is not a message number"),
        ("a FETCH 1:0 UID", "a", "invalid sequence set: 0 is not a message number"),
        ("a FETCH 4294967296 UID", "a", "invalid sequence set: number too large"),
        ("a FETCH 99999999999999999999999 UID", "a", "invalid sequence set: number too large"),
        ("a FETCH 1,,2 UID", "a", "invalid sequence set"),
        ("a FETCH 1: UID", "a", "invalid sequence set"),
        ("a FETCH -1 UID", "a", "invalid sequence set"),
        ("a FETCH $,1 UID", "a", "invalid sequence set: $ cannot be combined with other numbers"),
        ("a UID FETCH 1a UID", "a", "invalid UID set"),
        ("a UID", "a", "missing UID command name"),
        ("a UID FROB 1", "a", "unknown UID command"),
        ("a UID EXPUNGE", "a", "missing UID set"),
        ("a STORE 1 FLAGS", "a", "missing flags"),
        ("a STORE 1 +FLAGZ (\\Seen)", "a", "invalid STORE data item"),
        ("a STORE 1 +FLAGS (\\Recent)", "a", "\\Recent cannot be set by a client"),
        ("a STORE 1 +FLAGS (\\*)", "a", "\\* is not a flag a client may set"),
        ("a STORE 1 +FLAGS (\\Seen", "a", "unbalanced parentheses in flag list"),
        ("a STORE 1 (UNCHANGEDSINCE x) FLAGS ()", "a", "expected mod-sequence"),
        ("a STORE 1 (UNCHANGEDSINCE 9223372036854775808) FLAGS ()", "a", "mod-sequence too large"),
        ("a COPY 1", "a", "missing mailbox name"),
        ("a SEARCH", "a", "missing search criteria"),
        ("a SEARCH BOGUS", "a", "unknown search key"),
        ("a SEARCH FROM", "a", "missing FROM string"),
        ("a SEARCH OR SEEN", "a", "missing second search key of OR"),
        ("a SEARCH NOT", "a", "missing search key after NOT"),
        ("a SEARCH (SEEN", "a", "unbalanced parentheses in search key list"),
        ("a SEARCH SEEN)", "a", "unexpected text after the SEARCH command"),
        ("a SEARCH ()", "a", "empty search key list"),
        ("a SEARCH RETURN (BOGUS) ALL", "a", "unknown SEARCH return option"),
        ("a SEARCH LARGER abc", "a", "expected LARGER size"),
        ("a SEARCH SMALLER 99999999999999999999", "a", "SMALLER size too large"),
        ("a SEARCH MODSEQ \"/foo/bar\" all 5", "a", "invalid MODSEQ entry name"),
        ("a SEARCH MODSEQ \"/flags/\\\\Seen\" mine 5", "a", "invalid MODSEQ entry type"),
        ("a SEARCH KEYWORD \\Seen", "a", "expected keyword"),
        ("a APPEND INBOX", "a", "missing message literal"),
        ("a APPEND INBOX \"hello\"", "a", "invalid date-time"),
        ("a APPEND INBOX (\\Seen)", "a", "missing message literal"),
        ("a APPEND INBOX hello", "a", "expected message literal"),
        ("a GETQUOTA", "a", "missing quota root"),
        ("a SETQUOTA x (STORAGE)", "a", "missing quota limit"),
    ]

    @Test("each refused frame names its tag and what was wrong", arguments: failures)
    func failure(frame: String, tag: String?, reason: String) {
        let error = F.error(frame)
        #expect(error != nil, "\(frame.debugDescription) should not parse")
        #expect(error?.tag == tag, "\(frame.debugDescription)")
        #expect(error?.reason == reason, "\(frame.debugDescription)")
    }

    @Test("unknown commands are told apart from bad arguments")
    func kinds() {
        #expect(F.error("a FROB")?.kind == .unknownCommand)
        #expect(F.error("a XLIST \"\" *")?.kind == .unknownCommand)
        #expect(F.error("a UID FROB 1")?.kind == .unknownCommand)
        #expect(F.error("a SELECT")?.kind == .syntax)
    }

    @Test("the error becomes the BAD reply: tagged when the tag was read, else untagged")
    func replies() {
        #expect(F.error("a1 SELECT")?.response.encoded() == F.bytes("a1 BAD missing mailbox name\r\n"))
        #expect(F.error("(( NOOP")?.response.encoded() == F.bytes("* BAD missing or invalid tag\r\n"))
    }
}
