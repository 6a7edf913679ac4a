// ResponseEncodingTests.swift — Response/: each response and code against the exact bytes of
// the RFCs' examples (RFC 3501 §6-§7, RFC 2342, RFC 2971, RFC 4315, RFC 4731, RFC 5161,
// RFC 5258, RFC 5530, RFC 7162, RFC 9208), the streamed FETCH writer, and hostile content
// (line breaks, 8-bit names, bad tags) that must not break the framing.

import MailroomIMAP
import Testing

@Suite("Response: encoding")
struct ResponseEncodingTests {
    func text(_ response: IMAPResponse, _ options: IMAPEncodingOptions = IMAPEncodingOptions()) -> String {
        String(decoding: response.encoded(options: options), as: UTF8.self)
    }

    func untagged(_ response: UntaggedResponse) -> String { text(.untagged(response)) }

    @Test("RFC 3501 §7 examples")
    func rfc3501() {
        #expect(untagged(.capability(["IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"]))
            == "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI LOGINDISABLED\r\n")
        #expect(untagged(.condition(.ok, code: .alert, text: "System shutdown in 10 minutes")) == "* OK [ALERT] System shutdown in 10 minutes\r\n")
        #expect(untagged(.condition(.ok, code: .permanentFlags([.deleted, .seen, .wildcard]), text: "Limited"))
            == "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        #expect(untagged(.condition(.ok, code: .uidNext(4392), text: "Predicted next UID")) == "* OK [UIDNEXT 4392] Predicted next UID\r\n")
        #expect(text(.tagged(tag: "A932", status: .ok, code: .readOnly, text: "EXAMINE completed")) == "A932 OK [READ-ONLY] EXAMINE completed\r\n")
        #expect(text(.tagged(tag: "A003", status: .no, code: .tryCreate, text: "APPEND error")) == "A003 NO [TRYCREATE] APPEND error\r\n")
        #expect(untagged(.condition(.bad, code: nil, text: "Empty command line")) == "* BAD Empty command line\r\n")
        #expect(untagged(.condition(.preauth, code: nil, text: "IMAP4rev1 server logged in as Smith")) == "* PREAUTH IMAP4rev1 server logged in as Smith\r\n")
        #expect(untagged(.condition(.no, code: nil, text: "Disk is 98% full, please delete unnecessary data"))
            == "* NO Disk is 98% full, please delete unnecessary data\r\n")
        #expect(text(.continuation(.text("Ready for additional command text"))) == "+ Ready for additional command text\r\n")
        #expect(text(.continuation(.data([]))) == "+ \r\n")
        #expect(text(.continuation(.data(Array("\0fred".utf8)))) == "+ AGZyZWQ=\r\n")
        #expect(untagged(.list(MailboxListItem(attributes: [.noSelect], name: MailboxName("~/Mail/foo"))))
            == "* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n")
        #expect(untagged(.list(MailboxListItem(attributes: [.noSelect], delimiter: UInt8(ascii: "."), name: MailboxName("#news."))))
            == "* LIST (\\Noselect) \".\" #news.\r\n")
        #expect(untagged(.list(MailboxListItem(attributes: [], delimiter: nil, name: MailboxName("")))) == "* LIST () NIL \"\"\r\n")
        #expect(untagged(.lsub(MailboxListItem(delimiter: UInt8(ascii: "."), name: MailboxName("#news.comp.mail.misc"))))
            == "* LSUB () \".\" #news.comp.mail.misc\r\n")
        #expect(untagged(.status(MailboxName("blurdybloop"), [MailboxStatusValue(.messages, 231), MailboxStatusValue(.uidNext, 44292)]))
            == "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n")
        #expect(untagged(.search([2, 84, 882], modSeq: nil)) == "* SEARCH 2 84 882\r\n")
        #expect(untagged(.search([], modSeq: nil)) == "* SEARCH\r\n")
        #expect(untagged(.expunge(3)) == "* 3 EXPUNGE\r\n")
        #expect(untagged(.fetch(23, [.flags([.seen]), .uid(4827313)])) == "* 23 FETCH (FLAGS (\\Seen) UID 4827313)\r\n")
        #expect(untagged(.fetch(2, [.bodySection(SectionSpecifier(part: [1]), origin: 0, data: nil)])) == "* 2 FETCH (BODY[1]<0> NIL)\r\n")
        #expect(untagged(.fetch(1, [.rfc822Size(44827), .rfc822Header(Array("a\r\n".utf8))])) == "* 1 FETCH (RFC822.SIZE 44827 RFC822.HEADER {3}\r\na\r\n)\r\n")
        #expect(untagged(.flags([.answered, .flagged, .deleted, .seen, .draft, .keyword("$Forwarded")]))
            == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)\r\n")
    }

    @Test("RFC 3501 §7.4.2 BODY examples, and BODYSTRUCTURE with extension data")
    func bodyStructure() {
        let plain = BodyStructure.SinglePart(type: "TEXT", subtype: "PLAIN", parameters: [BodyParameter("CHARSET", "US-ASCII")],
                                             encoding: "7BIT", octets: 1152, kind: .text(lines: 23))
        let diff = BodyStructure.SinglePart(type: "TEXT", subtype: "PLAIN",
                                            parameters: [BodyParameter("CHARSET", "US-ASCII"), BodyParameter("NAME", "cc.diff")],
                                            id: Array("<960723163407.20117h@cac.washington.edu>".utf8),
                                            description: Array("Compiler diff".utf8), encoding: "BASE64", octets: 4554, kind: .text(lines: 73))
        let mixed = BodyStructure.multipart(.init(parts: [.singlePart(plain), .singlePart(diff)], subtype: "MIXED",
                                                  parameters: [BodyParameter("BOUNDARY", "xyz")]))
        #expect(untagged(.fetch(1, [.body(mixed)])) == "* 1 FETCH (BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)"
            + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
            + "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n")
        #expect(untagged(.fetch(1, [.bodyStructure(mixed)])) == "* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 NIL NIL NIL NIL)"
            + "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
            + "\"Compiler diff\" \"BASE64\" 4554 73 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"xyz\") NIL NIL NIL))\r\n")

        let attachment = BodyStructure.singlePart(.init(
            type: "APPLICATION", subtype: "PDF", parameters: [BodyParameter("NAME", "a b.pdf")], encoding: "BASE64", octets: 1000,
            md5: Array("Q2hlY2sgSW50ZWdyaXR5IQ==".utf8),
            disposition: .init(type: "ATTACHMENT", parameters: [BodyParameter("FILENAME", "a b.pdf")]),
            language: [Array("en".utf8), Array("de".utf8)], location: Array("http://example.com/a".utf8)))
        #expect(untagged(.fetch(2, [.bodyStructure(attachment)]))
            == "* 2 FETCH (BODYSTRUCTURE (\"APPLICATION\" \"PDF\" (\"NAME\" \"a b.pdf\") NIL NIL \"BASE64\" 1000 "
            + "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"ATTACHMENT\" (\"FILENAME\" \"a b.pdf\")) (\"en\" \"de\") \"http://example.com/a\"))\r\n")
        #expect(untagged(.fetch(2, [.body(attachment)])) == "* 2 FETCH (BODY (\"APPLICATION\" \"PDF\" (\"NAME\" \"a b.pdf\") NIL NIL \"BASE64\" 1000))\r\n")

        let inner = BodyStructure.singlePart(.init(type: "TEXT", subtype: "PLAIN", encoding: "7BIT", octets: 5, kind: .text(lines: 1),
                                                   language: [Array("fr".utf8)]))
        let forwarded = BodyStructure.singlePart(.init(
            type: "MESSAGE", subtype: "RFC822", encoding: "7BIT", octets: 300,
            kind: .message(envelope: Envelope(subject: Array("Fwd".utf8)), body: inner, lines: 12)))
        #expect(untagged(.fetch(3, [.bodyStructure(forwarded)]))
            == "* 3 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 "
            + "(NIL \"Fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL NIL \"fr\" NIL) 12 NIL NIL NIL NIL))\r\n")
        #expect(untagged(.fetch(3, [.body(forwarded)]))
            == "* 3 FETCH (BODY (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 "
            + "(NIL \"Fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1) 12))\r\n")
    }

    @Test("extension responses and codes against RFC examples")
    func extensions() {
        // RFC 4315
        #expect(text(.tagged(tag: "A003", status: .ok, code: .appendUID(uidValidity: 38505, uids: SequenceSet(3955)), text: "APPEND completed"))
            == "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n")
        #expect(text(.tagged(tag: "A004", status: .ok,
                             code: .copyUID(uidValidity: 38505, source: SequenceSet.compact([304, 319, 320])!,
                                            destination: SequenceSet(3956...3958)), text: "Done"))
            == "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")
        #expect(text(.tagged(tag: "A1", status: .ok, code: .uidNotSticky, text: "done")) == "A1 OK [UIDNOTSTICKY] done\r\n")
        // RFC 4731
        #expect(untagged(.esearch(ESearchResponse(tag: "A282", uid: false, min: 2, count: 3))) == "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n")
        #expect(untagged(.esearch(ESearchResponse(tag: "A283", uid: false, all: SequenceSet.compact([2, 10, 11]))))
            == "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n")
        #expect(untagged(.esearch(ESearchResponse(tag: "A285", uid: true, min: 7, max: 3800))) == "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n")
        #expect(untagged(.esearch(ESearchResponse(tag: "A286", uid: false, count: 15))) == "* ESEARCH (TAG \"A286\") COUNT 15\r\n")
        // RFC 7162
        #expect(untagged(.condition(.ok, code: .highestModSeq(715_194_045_007), text: "Highest"))
            == "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n")
        #expect(untagged(.condition(.ok, code: .noModSeq, text: "Sorry, this mailbox format doesn't support modsequences"))
            == "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n")
        #expect(untagged(.fetch(1, [.uid(4), .modSeq(12_121_231_000)])) == "* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n")
        #expect(text(.tagged(tag: "d105", status: .ok, code: .modified(SequenceSet.compact([7, 9])!), text: "Conditional STORE failed"))
            == "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n")
        #expect(untagged(.search([2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modSeq: 917_162_500))
            == "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n")
        #expect(untagged(.vanished(earlier: true, SequenceSet.compact([300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 405, 411])!))
            == "* VANISHED (EARLIER) 300:310,405,411\r\n")
        #expect(untagged(.vanished(earlier: false, SequenceSet(405))) == "* VANISHED 405\r\n")
        #expect(untagged(.condition(.ok, code: .closed, text: "Previous mailbox is now closed")) == "* OK [CLOSED] Previous mailbox is now closed\r\n")
        // RFC 2971
        #expect(untagged(.id([IDParameter("name", "Cyrus"), IDParameter("version", "1.5"), IDParameter("os", "sunos"),
                              IDParameter("os-version", "5.5"), IDParameter("support-url", "mailto:cyrus-bugs+@andrew.cmu.edu")]))
            == "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n")
        #expect(untagged(.id(nil)) == "* ID NIL\r\n")
        // RFC 2342 / RFC 9051
        #expect(untagged(.namespace(personal: [NamespaceDescription("", delimiter: "/")], otherUsers: [], shared: []))
            == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
        #expect(untagged(.namespace(personal: [NamespaceDescription("", delimiter: "/")], otherUsers: [NamespaceDescription("~", delimiter: "/")],
                                    shared: [NamespaceDescription("#shared/", delimiter: "/"), NamespaceDescription("#news.", delimiter: ".")]))
            == "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#news.\" \".\"))\r\n")
        // RFC 5161
        #expect(untagged(.enabled(["CONDSTORE", "X-GOOD-IDEA"])) == "* ENABLED CONDSTORE X-GOOD-IDEA\r\n")
        #expect(untagged(.enabled([])) == "* ENABLED\r\n")
        // RFC 5258 / RFC 6154 / RFC 9051
        #expect(untagged(.list(MailboxListItem(attributes: [.hasChildren], name: MailboxName("Foo"), childInfo: ["SUBSCRIBED"])))
            == "* LIST (\\HasChildren) \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n")
        #expect(untagged(.list(MailboxListItem(attributes: [.hasNoChildren, .sent], name: MailboxName("Sent Mail"))))
            == "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Mail\"\r\n")
        #expect(untagged(.list(MailboxListItem(name: MailboxName("New"), oldName: MailboxName("Old"))))
            == "* LIST () \"/\" New (\"OLDNAME\" (Old))\r\n")
        #expect(untagged(.list(MailboxListItem(delimiter: UInt8(ascii: "\\"), name: .inbox))) == "* LIST () \"\\\\\" INBOX\r\n")
        // RFC 9208
        #expect(untagged(.quota(root: [], [QuotaResource(resource: "STORAGE", usage: 10, limit: 512)])) == "* QUOTA \"\" (STORAGE 10 512)\r\n")
        #expect(untagged(.quotaRoot(.inbox, roots: [[]])) == "* QUOTAROOT INBOX \"\"\r\n")
        #expect(untagged(.quotaRoot(MailboxName("comp.mail.mime"), roots: [])) == "* QUOTAROOT comp.mail.mime\r\n")
        // RFC 3516
        #expect(untagged(.fetch(1, [.binarySize(part: [1, 2], 47)])) == "* 1 FETCH (BINARY.SIZE[1.2] 47)\r\n")
        #expect(untagged(.fetch(1, [.binary(part: [], origin: nil, data: [0x61, 0x00])])) == "* 1 FETCH (BINARY[] ~{2}\r\na\u{0})\r\n")
        #expect(untagged(.fetch(1, [.binary(part: [2], origin: 5, data: Array("ab".utf8))])) == "* 1 FETCH (BINARY[2]<5> {2}\r\nab)\r\n")
        #expect(untagged(.condition(.bad, code: .badCharset(["UTF-8", "US-ASCII"]), text: "charset")) == "* BAD [BADCHARSET (UTF-8 US-ASCII)] charset\r\n")
        #expect(untagged(.condition(.ok, code: .capability(["IMAP4rev1", "IDLE"]), text: "ready")) == "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n")
    }

    @Test("RFC 5530 and RFC 4469 codes", arguments: [
        (ResponseCode.unavailable, "UNAVAILABLE"), (.authenticationFailed, "AUTHENTICATIONFAILED"), (.authorizationFailed, "AUTHORIZATIONFAILED"),
        (.expired, "EXPIRED"), (.privacyRequired, "PRIVACYREQUIRED"), (.contactAdmin, "CONTACTADMIN"), (.noPerm, "NOPERM"),
        (.inUse, "INUSE"), (.expungeIssued, "EXPUNGEISSUED"), (.corruption, "CORRUPTION"), (.serverBug, "SERVERBUG"),
        (.clientBug, "CLIENTBUG"), (.cannot, "CANNOT"), (.limit, "LIMIT"), (.overQuota, "OVERQUOTA"), (.alreadyExists, "ALREADYEXISTS"),
        (.nonExistent, "NONEXISTENT"), (.tooBig, "TOOBIG"), (.parse, "PARSE"), (.useAttr, "USEATTR"), (.unknownCTE, "UNKNOWN-CTE"),
        (.hasChildren, "HASCHILDREN"),
    ])
    func codes(code: ResponseCode, name: String) {
        #expect(text(.tagged(tag: "a", status: .no, code: code, text: "x")) == "a NO [\(name)] x\r\n")
    }

    @Test("content cannot break the framing: line breaks, brackets, 8-bit names, bad tags")
    func hostileContent() {
        #expect(text(.tagged(tag: "a", status: .no, code: nil, text: "oops\r\n* OK [ALERT] injected")) == "a NO oops  * OK [ALERT] injected\r\n")
        #expect(text(.tagged(tag: "a", status: .no, code: nil, text: "[ALERT] fake")) == "a NO  [ALERT] fake\r\n")
        #expect(text(.tagged(tag: "a b", status: .ok, code: nil, text: "x")) == "* OK x\r\n")
        #expect(text(.tagged(tag: "a", status: .ok, code: .other("X-FOO", "bad]text\r\n"), text: "x")) == "a OK [X-FOO badtext  ] x\r\n")
        #expect(untagged(.list(MailboxListItem(name: MailboxName("Entwürfe")))) == "* LIST () \"/\" {9}\r\nEntwürfe\r\n")
        #expect(text(.untagged(.list(MailboxListItem(name: MailboxName("Entwürfe")))), IMAPEncodingOptions(allowUTF8Quoted: true))
            == "* LIST () \"/\" \"Entwürfe\"\r\n")
        #expect(untagged(.list(MailboxListItem(delimiter: 0x0A, name: MailboxName("x")))) == "* LIST () NIL x\r\n")
        #expect(untagged(.status(MailboxName("a\r\nb"), [MailboxStatusValue(.messages, 1)])) == "* STATUS {4}\r\na\r\nb (MESSAGES 1)\r\n")
        #expect(untagged(.capability(["IMAP4rev1", "BAD CAP", "IDLE"])) == "* CAPABILITY IMAP4rev1 IDLE\r\n")
        #expect(untagged(.flags([.seen, .keyword("has space"), .keyword("ok")])) == "* FLAGS (\\Seen ok)\r\n")
        #expect(untagged(.list(MailboxListItem(attributes: [MailboxAttribute("bad attr"), .marked], name: MailboxName("x"))))
            == "* LIST (\\Marked) \"/\" x\r\n")
        let subject = Envelope(subject: Array("Re: \"quoted\"\r\nBcc: x".utf8))
        #expect(untagged(.fetch(1, [.envelope(subject)])) == "* 1 FETCH (ENVELOPE (NIL {20}\r\nRe: \"quoted\"\r\nBcc: x NIL NIL NIL NIL NIL NIL NIL NIL))\r\n")
    }

    @Test("FETCH in pieces: items before and after a streamed literal, literal8, several streams")
    func streamedFetch() {
        var writer = FetchResponseWriter(sequenceNumber: 12)
        writer.write(.uid(5))
        let prefix = writer.beginStreamedItem(.bodySection(.complete, origin: nil), length: 1234)
        #expect(String(decoding: prefix, as: UTF8.self) == "* 12 FETCH (UID 5 BODY[] {1234}\r\n")
        writer.write(.flags([.seen]))
        #expect(String(decoding: writer.finish(), as: UTF8.self) == " FLAGS (\\Seen))\r\n")

        var first = FetchResponseWriter(sequenceNumber: 1)
        let head = first.beginStreamedItem(.binary(part: [1], origin: 100), length: 3, literal8: true)
        #expect(String(decoding: head, as: UTF8.self) == "* 1 FETCH (BINARY[1]<100> ~{3}\r\n")
        let second = first.beginStreamedItem(.rfc822Text, length: 2)
        #expect(String(decoding: second, as: UTF8.self) == " RFC822.TEXT {2}\r\n")
        #expect(String(decoding: first.finish(), as: UTF8.self) == ")\r\n")

        var plain = FetchResponseWriter(sequenceNumber: 7)
        plain.write(.uid(9))
        plain.write(.rfc822Size(10))
        #expect(String(decoding: plain.finish(), as: UTF8.self) == "* 7 FETCH (UID 9 RFC822.SIZE 10)\r\n")
    }
}
