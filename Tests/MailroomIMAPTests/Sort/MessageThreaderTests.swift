// MessageThreaderTests.swift — Sort/MessageThreader.swift and Sort/MessageID.swift: THREAD
// ORDEREDSUBJECT and THREAD REFERENCES (RFC 5256 §2.2, §3) on crafted messages — replies,
// missing parents (dummies), loops in References, a message referring to itself, duplicate
// Message-IDs, In-Reply-To when References has no valid id, subject merging, sibling order by
// sent date — and a reply chain as long as a large mailbox, threaded and written without
// recursion.

@testable import MailroomIMAP
import MailroomMIME
import Testing

@Suite("Sort: threads")
struct MessageThreaderTests {
    /// Message `n` (number and UID), sent at `date`.
    static func message(_ n: UInt32, id: String? = nil, refs: [String] = [], subject: String = "",
                        date: Int64 = 1000) -> ThreadMessage {
        let base = BaseSubject.extract(decoded: subject)
        return ThreadMessage(number: n, uid: n, sentDate: date, messageID: id, references: refs,
                             baseSubject: base.subject, isReplyOrForward: base.isReplyOrForward)
    }

    static func references(_ messages: [ThreadMessage]) -> String {
        MessageThreader.thread(messages, algorithm: .references).description
    }

    @Test("replies under their parents; siblings by sent date, then by number")
    func replies() {
        #expect(Self.references([
            Self.message(1, id: "a@x"),
            Self.message(2, id: "b@x", refs: ["a@x"], date: 1002),
            Self.message(3, id: "c@x", refs: ["a@x", "b@x"]),
            Self.message(4, id: "d@x", refs: ["a@x"], date: 1001),
        ]) == "(1 (4)(2 3))")
        // Roots by sent date too.
        #expect(Self.references([Self.message(1, id: "a@x", date: 5), Self.message(2, id: "b@x", date: 3),
                                 Self.message(3, id: "c@x", date: 5)]) == "(2)(1)(3)")
    }

    @Test("missing parents: a dummy with several children stays, one child takes its place")
    func dummies() {
        // Two replies to a message that is not there.
        #expect(Self.references([Self.message(1, id: "b@x", refs: ["a@x"]), Self.message(2, id: "c@x", refs: ["a@x"])])
            == "((1)(2))")
        // One reply: promoted to the root.
        #expect(Self.references([Self.message(1, id: "b@x", refs: ["a@x"])]) == "(1)")
        // A missing message inside a thread: its child goes to the nearest message above.
        #expect(Self.references([Self.message(1, id: "a@x"), Self.message(2, id: "c@x", refs: ["a@x", "b@x"])]) == "(1 2)")
        // Missing grandparent and parent, several children: one dummy at the root.
        #expect(Self.references([
            Self.message(1, id: "c@x", refs: ["a@x", "b@x"]), Self.message(2, id: "d@x", refs: ["a@x"]),
        ]) == "((1)(2))")
    }

    @Test("loops in References are not followed")
    func loops() {
        // a says its parent is b, b says its parent is a: the second link would close the loop.
        #expect(Self.references([Self.message(1, id: "a@x", refs: ["b@x"]), Self.message(2, id: "b@x", refs: ["a@x"])])
            == "(2 1)")
        // A message that refers to itself.
        #expect(Self.references([Self.message(1, id: "a@x", refs: ["a@x"])]) == "(1)")
        #expect(Self.references([Self.message(1, id: "a@x", refs: ["z@x", "a@x", "z@x"])]) == "(1)")
        // A loop among the references of one message.
        #expect(Self.references([
            Self.message(1, id: "a@x", refs: ["c@x", "b@x"]), Self.message(2, id: "b@x", refs: ["a@x", "c@x"]),
        ]) == "(2 1)")
        // imaptest "thread": b's References put c under a, c's own References would put it
        // under b, its child: the link is broken and not made, c becomes a root (Dovecot).
        #expect(Self.references([
            Self.message(1, id: "a@b", date: 3), Self.message(2, id: "b@b", refs: ["a@b", "c@b"], date: 1),
            Self.message(3, id: "c@b", refs: ["b@b"], date: 2),
        ]) == "(3 2)(1)")
    }

    @Test("a later message's References move a message to a new parent (RFC 5256 step 1B)")
    func reparent() {
        #expect(Self.references([
            Self.message(1, id: "a@x"), Self.message(2, id: "z@x"),
            Self.message(3, id: "c@x", refs: ["a@x", "b@x"]),         // b under a
            Self.message(4, id: "b@x", refs: ["z@x"]),                // b's own parent wins, c follows b
        ]) == "(1)(2 4 3)")
    }

    @Test("duplicate and missing Message-IDs: nodes of their own")
    func duplicates() {
        #expect(Self.references([Self.message(1, id: "a@b"), Self.message(2, id: "a@b")]) == "(1)(2)")
        // A reply to the duplicated id goes under the first message.
        #expect(Self.references([Self.message(1, id: "a@b"), Self.message(2, id: "a@b"), Self.message(3, refs: ["a@b"])])
            == "(1 3)(2)")
        #expect(Self.references([Self.message(1), Self.message(2)]) == "(1)(2)")
    }

    @Test("subjects: a reply becomes a child of the original, equals go under a dummy")
    func subjects() {
        #expect(Self.references([Self.message(1, id: "a@x", subject: "foo"), Self.message(2, id: "b@x", subject: "Re: foo")])
            == "(1 2)")
        // The original came later: the reply still goes under it.
        #expect(Self.references([Self.message(1, id: "a@x", subject: "Re: foo"), Self.message(2, id: "b@x", subject: "foo", date: 2000)])
            == "(2 1)")
        #expect(Self.references([Self.message(1, id: "a@x", subject: "foo"), Self.message(2, id: "b@x", subject: "foo")])
            == "((1)(2))")
        // Two replies: a dummy too.
        #expect(Self.references([Self.message(1, id: "a@x", subject: "Re: foo"), Self.message(2, id: "b@x", subject: "Fwd: foo")])
            == "((1)(2))")
        // A thread whose root is a dummy takes a message with its subject.
        #expect(Self.references([
            Self.message(1, id: "b@x", refs: ["a@x"], subject: "Re: foo"), Self.message(2, id: "c@x", refs: ["a@x"], subject: "Re: foo"),
            Self.message(3, id: "d@x", subject: "Re: foo", date: 3000),
        ]) == "((1)(2)(3))")
        // Empty subjects are never merged.
        #expect(Self.references([Self.message(1, id: "a@x", subject: "Re:"), Self.message(2, id: "b@x", subject: "")])
            == "(1)(2)")
        // Case and "[list]" tags do not matter.
        #expect(Self.references([Self.message(1, id: "a@x", subject: "[list] Hello"), Self.message(2, id: "b@x", subject: "RE: hello")])
            == "(1 2)")
    }

    @Test("ORDEREDSUBJECT: threads by base subject, each ordered by sent date, threads by their first message")
    func orderedSubject() {
        let messages = [
            Self.message(1, subject: "b", date: 50), Self.message(2, subject: "Re: a", date: 20),
            Self.message(3, subject: "A", date: 10), Self.message(4, subject: "Re: B", date: 5),
            Self.message(5, subject: "c", date: 30), Self.message(6, subject: "a", date: 10),
            Self.message(7, date: 40), Self.message(8, subject: "(fwd)", date: 40),
        ]
        #expect(MessageThreader.thread(messages, algorithm: .orderedSubject).description == "(4 1)(3 (6)(2))(5)(7 8)")
        #expect(MessageThreader.thread([], algorithm: .orderedSubject).description == "")
    }

    @Test("a reply chain of 20,000 messages: no recursion in threading or writing")
    func longChain() {
        let count: UInt32 = 20_000
        var messages = [Self.message(1, id: "m1@x")]
        for n in 2...count {
            messages.append(Self.message(n, id: "m\(n)@x", refs: ["m\(n - 1)@x"], date: 1000 + Int64(n)))
        }
        let forest = MessageThreader.thread(messages, algorithm: .references)
        #expect(forest.roots.count == 1)
        var buffer = IMAPEncodeBuffer()
        forest.write(to: &buffer)
        let text = String(decoding: buffer.bytes, as: UTF8.self)
        #expect(text == "THREAD (" + (1...count).map(String.init).joined(separator: " ") + ")")
    }

    @Test("the loop checks share a budget: spent, a node with children is not linked, and no loop is made")
    func walkBudget() {
        let messages = [
            Self.message(1, id: "a@x"), Self.message(2, id: "b@x", refs: ["a@x"]),
            Self.message(3, id: "x@x", refs: ["y@x", "z@x"]),
            Self.message(4, id: "w@x", refs: ["z@x", "a@x"]),   // a (with a child) under z: a walk from z up
        ]
        #expect(Self.references(messages) == "((1 (2)(4))(3))")
        var links = MessageThreader.Links()
        links.walkBudget = 0
        for index in messages.indices { links.add(message: index, messages[index]) }
        var finish = MessageThreader.Finish(messages: messages, links: links)
        #expect(finish.run().description == "(1 (2)(4))(3)")
    }

    @Test("message facts from the header: Message-ID, References, else In-Reply-To, subject and date")
    func facts() {
        let header = MIMEHeader.parse(Array(("Message-ID: <one@example.org>\r\nReferences: junk <a@x> (c) <bad> < b @ y >\r\n"
            + "In-Reply-To: <c@z>\r\nSubject: Re: hi\r\nDate: Thu, 1 Jan 1970 00:01:00 +0000\r\n\r\n").utf8))
        let facts = ThreadMessage(number: 7, uid: 9, internalDate: 5, header: header)
        #expect(facts.messageID == "one@example.org")
        #expect(facts.references == ["a@x", "b@y"])
        #expect(facts.baseSubject == Array("HI".utf8) && facts.isReplyOrForward)
        #expect(facts.sentDate == 60)
        let other = ThreadMessage(number: 1, uid: 1, internalDate: 5,
                                  header: MIMEHeader.parse(Array("References: none\r\nIn-Reply-To: Bob's message <c@z> of today\r\n\r\n".utf8)))
        #expect(other.references == ["c@z"] && other.messageID == nil && other.sentDate == 5)
    }

    @Test("Message-ID syntax: brackets, an @, quoted local parts, comments and white space")
    func messageIDs() {
        func all(_ text: String) -> [String] { MessageID.all(in: Array(text.utf8)) }
        #expect(all("<a@b>") == ["a@b"])
        #expect(all("<a@b> <c@d>\r\n\t<e@f>") == ["a@b", "c@d", "e@f"])
        #expect(all("<\"quoted local\"@host>") == ["quoted local@host"])
        #expect(all("<a (comment) @ b>") == ["a@b"])
        #expect(all("<noat> <@b> <a@> <x@y") == [])
        #expect(all("<<a@b>") == ["a@b"])
        #expect(all(String(repeating: "<a@b>", count: 5000)).count == MessageID.maximumIdentifiers)
    }
}
