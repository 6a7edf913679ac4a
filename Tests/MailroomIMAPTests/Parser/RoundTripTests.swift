// RoundTripTests.swift — encode → parse round trips: every command written by
// IMAPCommand+Encode parses back to the same value, with synchronizing and non-synchronizing
// literals, and strings that need quoting or literals.

@testable import MailroomIMAP
import Testing

private typealias F = ParserFixtures

@Suite("Parser: encode and parse round trips")
struct RoundTripTests {
    static let date = IMAPDateTime(date: IMAPDate(year: 2024, month: 3, day: 5)!, hour: 9, minute: 8, second: 7, zoneMinutes: 330)!

    static let commands: [IMAPCommand] = [
        .capability, .noop, .logout, .startTLS, .namespace, .idle, .check, .close, .unselect, .expunge,
        .authenticate(mechanism: "PLAIN", initialResponse: nil),
        .authenticate(mechanism: "PLAIN", initialResponse: []),
        .authenticate(mechanism: "PLAIN", initialResponse: F.bytes("\0user\0pass")),
        .login(username: F.bytes("fred"), password: F.bytes("sec ret\"\\")),
        .login(username: F.bytes("jörg@example.org"), password: F.bytes("line\r\nbreak")),
        .login(username: F.bytes("NIL"), password: []),
        .enable(["CONDSTORE", "UTF8=ACCEPT"]),
        .id(nil), .id([]), .id([IDParameter("name", "Mailroom"), IDParameter("os", nil)]),
        .select(.inbox, parameters: []), .select(MailboxName("a b"), parameters: [.condStore]),
        .examine(MailboxName("&AOQ-"), parameters: []),
        .create(MailboxName("x/y"), specialUse: []), .create(MailboxName("Spam"), specialUse: [.junk, .archive]),
        .delete(MailboxName("{weird}")), .rename(from: MailboxName("a"), to: MailboxName("b]c")),
        .subscribe(MailboxName("\"q\"")), .unsubscribe(MailboxName("*%")),
        .list(selectOptions: [], reference: MailboxName(""), patterns: [F.bytes("*")], returnOptions: []),
        .list(selectOptions: [.subscribed, .recursiveMatch, .remote], reference: MailboxName("~/"),
              patterns: [F.bytes("%"), F.bytes("INBOX"), F.bytes("a b"), []],
              returnOptions: [.children, .subscribed, .specialUse, .status([.messages, .uidNext, .highestModSeq])]),
        .list(selectOptions: [.specialUse], reference: MailboxName(""), patterns: [F.bytes("NIL")], returnOptions: []),
        .lsub(reference: MailboxName("#news."), pattern: F.bytes("comp.mail.*")),
        .status(.inbox, StatusAttribute.allCases),
        .append(.inbox, [AppendMessage(data: F.bytes("Subject: x\r\n\r\nbody\r\n"))]),
        .append(MailboxName("Sent"), [
            AppendMessage(flags: [.seen, .keyword("$Forwarded")], date: date, data: F.bytes("one")),
            AppendMessage(flags: [], data: []),
            AppendMessage(date: date, data: [0, 1, 2, 255], isBinary: true),
        ]),
        .uidExpunge(SequenceSet([SequenceRange(1...5), SequenceRange(.number(9), .last)])),
        .search(uid: false, returnOptions: nil, charset: nil, criteria: [.all]),
        .search(uid: true, returnOptions: [], charset: "UTF-8", criteria: [
            .answered, .bcc(F.bytes("b")), .before(IMAPDate(year: 2001, month: 1, day: 1)!), .body(F.bytes("two words")),
            .cc(F.bytes("ü")), .deleted, .draft, .flagged, .from(F.bytes("NIL")), .header(F.bytes("X-Spam"), []),
            .keyword(.keyword("$Junk")), .larger(5), .new, .not(.old), .on(IMAPDate(year: 1999, month: 12, day: 31)!),
            .or(.recent, .or(.seen, .sentBefore(IMAPDate(year: 2020, month: 2, day: 29)!))),
            .sentOn(IMAPDate(year: 2020, month: 1, day: 1)!), .sentSince(IMAPDate(year: 2020, month: 1, day: 1)!),
            .since(IMAPDate(year: 2020, month: 1, day: 1)!), .smaller(9_000_000_000), .subject(F.bytes("line\nbreak")),
            .text(F.bytes("t")), .to(F.bytes("to")), .uid(.savedResult), .unanswered, .undeleted, .undraft, .unflagged,
            .unkeyword(.keyword("k")), .unseen, .sequenceSet(SequenceSet([SequenceRange(.last, .number(3))])),
            .and([.seen, .and([.draft])]), .modSeq(nil, 0),
            .modSeq(SearchModSeqEntry(flag: .seen, type: .shared), 42),
        ]),
        .search(uid: false, returnOptions: [.min, .max, .all, .count, .save], charset: nil, criteria: [.sequenceSet(.all)]),
        .search(uid: true, returnOptions: [.update, .context, .partial(1...100), .count], charset: nil, criteria: [.seen]),
        .sort(uid: false, returnOptions: [.update, .all], criteria: [SortCriterion(.arrival)], charset: "UTF-8", search: [.all]),
        .cancelUpdate(["A01"]), .cancelUpdate(["t1", "t.2", "x]y"]),
        .fetch(uid: false, SequenceSet(1), [.flags], modifiers: []),
        .fetch(uid: true, SequenceSet(1...10), [
            .envelope, .flags, .internalDate, .uid, .modSeq, .rfc822, .rfc822Header, .rfc822Size, .rfc822Text, .body,
            .bodyStructure, .bodySection(.complete, partial: nil, peek: false),
            .bodySection(SectionSpecifier(part: [1, 2], kind: .mime), partial: Partial(origin: 5, length: 10), peek: true),
            .bodySection(SectionSpecifier(kind: .headerFields(["FROM", "SUBJECT"])), partial: nil, peek: true),
            .bodySection(SectionSpecifier(part: [3], kind: .headerFieldsNot(["RECEIVED"])), partial: nil, peek: false),
            .bodySection(SectionSpecifier(part: [2], kind: .text), partial: nil, peek: false),
            .bodySection(SectionSpecifier(part: [4, 1]), partial: nil, peek: false),
            .binary(part: [], partial: nil, peek: false), .binary(part: [1], partial: Partial(origin: 0, length: 1), peek: true),
            .binarySize(part: [2, 3]),
        ], modifiers: [.changedSince(77), .vanished]),
        .store(uid: false, SequenceSet(2...4), modifiers: [], StoreFlags(.add, flags: [.deleted])),
        .store(uid: true, .savedResult, modifiers: [.unchangedSince(0)], StoreFlags(.replace, silent: true, flags: [])),
        .store(uid: false, SequenceSet(1), modifiers: [], StoreFlags(.remove, flags: [.seen, .extension("Foo"), .keyword("bar")])),
        .copy(uid: false, SequenceSet(1), MailboxName("Trash")), .copy(uid: true, .all, MailboxName("Ünïcode")),
        .move(uid: true, SequenceSet([SequenceRange(3), SequenceRange(1)]), .inbox), .move(uid: false, SequenceSet(1), MailboxName("")),
        .getQuota(root: []), .getQuota(root: F.bytes("#user/alice")), .getQuotaRoot(.inbox),
        .setQuota(root: F.bytes("r"), [QuotaLimit(resource: "STORAGE", limit: 512), QuotaLimit(resource: "MESSAGE", limit: 1000)]),
    ]

    @Test("with non-synchronizing literals", arguments: commands)
    func nonSynchronizing(command: IMAPCommand) throws {
        let tagged = TaggedCommand(tag: "A1", command: command)
        let frame = tagged.frame()
        #expect(try F.parse(frame).get() == tagged, "\(String(decoding: frame, as: UTF8.self).debugDescription)")
    }

    @Test("with synchronizing literals and short quoted strings", arguments: commands)
    func synchronizing(command: IMAPCommand) throws {
        let tagged = TaggedCommand(tag: "x.1", command: command)
        let frame = tagged.frame(options: IMAPEncodingOptions(nonSynchronizingLiterals: false, maximumQuotedLength: 4))
        #expect(try F.parse(frame).get() == tagged, "\(String(decoding: frame, as: UTF8.self).debugDescription)")
    }

    @Test("with UTF-8 quoted strings", arguments: commands)
    func utf8Quoted(command: IMAPCommand) throws {
        let tagged = TaggedCommand(tag: "u", command: command)
        let frame = tagged.frame(options: IMAPEncodingOptions(allowUTF8Quoted: true, nonSynchronizingLiterals: true))
        #expect(try F.parse(frame).get() == tagged, "\(String(decoding: frame, as: UTF8.self).debugDescription)")
    }

    @Test("exact client bytes for a few commands")
    func exactBytes() {
        func wire(_ command: IMAPCommand) -> String { String(decoding: TaggedCommand(tag: "a1", command: command).wireBytes(), as: UTF8.self) }
        #expect(wire(.login(username: F.bytes("fred"), password: F.bytes("a b"))) == "a1 LOGIN fred \"a b\"\r\n")
        #expect(wire(.login(username: F.bytes("fred"), password: F.bytes("a\r\n"))) == "a1 LOGIN fred {3+}\r\na\r\n\r\n")
        #expect(wire(.fetch(uid: true, SequenceSet([SequenceRange(1...3), SequenceRange(.number(7), .last)]), [.uid, .flags], modifiers: []))
            == "a1 UID FETCH 1:3,7:* (UID FLAGS)\r\n")
        #expect(wire(.store(uid: false, SequenceSet(1), modifiers: [.unchangedSince(5)], StoreFlags(.add, silent: true, flags: [.seen])))
            == "a1 STORE 1 (UNCHANGEDSINCE 5) +FLAGS.SILENT (\\Seen)\r\n")
        #expect(wire(.search(uid: false, returnOptions: [.count], charset: nil, criteria: [.or(.seen, .not(.deleted))]))
            == "a1 SEARCH RETURN (COUNT) OR SEEN NOT DELETED\r\n")
    }
}
