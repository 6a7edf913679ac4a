// IMAP4rev2SessionTests.swift — event → action scripts for the session's part of IMAP4rev2
// (Session/IMAPSession.swift, IMAPSession+CommandChecks.swift): IMAP4rev2 announced next to
// IMAP4rev1 before and after login, ENABLE IMAP4rev2 only before a mailbox is selected, the
// RFC 3501 items RFC 9051 removed (RECENT, NEW and OLD search keys, the RECENT STATUS item)
// refused after it and taken before, and, in both revisions, APPEND and STORE refusing a
// system flag that is not one (\Bogus) or that a client may not set (\Recent).

@testable import MailroomIMAP
import Testing

@Suite("Session: IMAP4rev1 and IMAP4rev2")
struct IMAP4rev2SessionTests {
    static let configuration = IMAPSessionConfiguration(hostName: "mail.example", maxBadCommands: 5, startTLSAvailable: true,
                                                        authRequiresTLS: false)

    func wire(_ action: IMAPSession.Action) -> String {
        guard case .send(let responses) = action else { return "\(action)" }
        return responses.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined()
    }

    func command(_ session: inout IMAPSession, _ text: String) -> IMAPSession.Action {
        session.frameReceived(.command(Array(text.utf8)))
    }

    /// A session in `phase` (authenticated or selected), IMAP4rev2 enabled when `rev2`.
    func session(_ phase: IMAPSession.Phase = .authenticated(user: "alice@example.com"), rev2: Bool) -> IMAPSession {
        var s = IMAPSession(configuration: Self.configuration, phase: phase)
        if rev2 { s.revision = .imap4rev2 }
        return s
    }

    static let selected = IMAPSession.Phase.selected(user: "alice@example.com")

    /// Whether the action runs the command on the engine.
    func runs(_ action: IMAPSession.Action) -> Bool {
        if case .execute = action { return true }
        return false
    }

    @Test("IMAP4rev2 is announced right after IMAP4rev1, before and after login and in LOGIN's OK")
    func capabilities() {
        var s = IMAPSession(configuration: Self.configuration)
        #expect(Array(s.capabilities.prefix(2)) == ["IMAP4rev1", "IMAP4rev2"])
        #expect(wire(.send(s.greeting())).hasPrefix("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "))
        _ = command(&s, "a LOGIN alice secret")
        _ = s.loginVerified(.success(user: "alice@example.com"))
        guard case .send(let ok) = s.mailOpened(.success(user: "alice@example.com")),
              case .tagged(_, .ok, .capability(let after), _) = ok.first else {
            Issue.record("LOGIN's OK should carry the capabilities")
            return
        }
        #expect(Array(after.prefix(2)) == ["IMAP4rev1", "IMAP4rev2"] && after.contains("ENABLE"))
        #expect(wire(command(&s, "b CAPABILITY")).hasPrefix("* CAPABILITY IMAP4rev1 IMAP4rev2 "))
        #expect(s.revision == .imap4rev1, "IMAP4rev1 until the client enables IMAP4rev2")
    }

    @Test("ENABLE IMAP4rev2 in the authenticated state runs and switches the session; ENABLE needs login")
    func enable() {
        var s = session(rev2: false)
        #expect(command(&s, "a ENABLE IMAP4rev2") == .execute(tag: "a", .enable(["IMAP4REV2"])))
        #expect(s.revision == .imap4rev2)
        var t = session(rev2: false)
        #expect(runs(command(&t, "b ENABLE CONDSTORE imap4rev2")) && t.revision == .imap4rev2)
        var u = session(rev2: false)
        #expect(runs(command(&u, "c ENABLE CONDSTORE")) && u.revision == .imap4rev1)
        var before = IMAPSession(configuration: Self.configuration)
        #expect(wire(command(&before, "d ENABLE IMAP4rev2")) == "d BAD ENABLE needs login first\r\n")
        #expect(before.revision == .imap4rev1)
    }

    @Test("ENABLE IMAP4rev2 with a mailbox selected is BAD (RFC 9051 §6.3.1); other names still run there")
    func enableWhileSelected() {
        var s = session(Self.selected, rev2: false)
        #expect(wire(command(&s, "a ENABLE IMAP4rev2")) == "a BAD ENABLE IMAP4rev2 is only allowed before a mailbox is selected\r\n")
        #expect(s.revision == .imap4rev1 && s.badCommandsInARow == 1)
        #expect(runs(command(&s, "b ENABLE CONDSTORE")))
        s.commandExecuted(selected: false)   // CLOSE
        #expect(runs(command(&s, "c ENABLE IMAP4rev2")) && s.revision == .imap4rev2)
    }

    @Test("RECENT, NEW and OLD anywhere in SEARCH, SORT or THREAD criteria: BAD for IMAP4rev2, run for IMAP4rev1")
    func recentSearchKeys() {
        let cases = [("RECENT", "a SEARCH RECENT"), ("NEW", "a UID SEARCH NEW"), ("OLD", "a SEARCH NOT OLD"),
                     ("RECENT", "a SEARCH OR SEEN (FLAGGED RECENT)"), ("NEW", "a SEARCH RETURN (COUNT) CHARSET UTF-8 1:3 NEW"),
                     ("RECENT", "a SORT (DATE) UTF-8 RECENT"), ("OLD", "a UID THREAD REFERENCES UTF-8 SEEN OLD")]
        for (key, line) in cases {
            var rev2 = session(Self.selected, rev2: true)
            #expect(wire(command(&rev2, line)) == "a BAD \(key) is not an IMAP4rev2 search key (there is no \\Recent)\r\n", "\(line)")
            var rev1 = session(Self.selected, rev2: false)
            #expect(runs(command(&rev1, line)), "\(line)")
        }
        var rev2 = session(Self.selected, rev2: true)
        #expect(runs(command(&rev2, "b SEARCH UNSEEN SINCE 1-Jan-2026 OR ANSWERED (DELETED NOT DRAFT)")))
    }

    @Test("STATUS (RECENT) and LIST RETURN (STATUS (RECENT)): BAD for IMAP4rev2; DELETED and SIZE run in both")
    func recentStatusItem() {
        var rev2 = session(rev2: true)
        #expect(wire(command(&rev2, "a STATUS INBOX (MESSAGES RECENT)")) == "a BAD RECENT is not an IMAP4rev2 STATUS item (there is no \\Recent)\r\n")
        #expect(wire(command(&rev2, "b LIST \"\" \"*\" RETURN (STATUS (RECENT))"))
                == "b BAD RECENT is not an IMAP4rev2 STATUS item (there is no \\Recent)\r\n")
        #expect(runs(command(&rev2, "c STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE)")))
        #expect(runs(command(&rev2, "d LIST \"\" \"*\" RETURN (STATUS (MESSAGES DELETED))")))
        var rev1 = session(rev2: false)
        #expect(runs(command(&rev1, "e STATUS INBOX (MESSAGES RECENT DELETED SIZE)")))
        #expect(runs(command(&rev1, "f LIST \"\" \"*\" RETURN (STATUS (RECENT))")))
    }

    @Test("LSUB, CHECK and the RFC822 fetch items (deprecated by RFC 9051) still run for IMAP4rev2")
    func deprecatedStillRun() {
        var s = session(Self.selected, rev2: true)
        #expect(runs(command(&s, "a LSUB \"\" \"*\"")))
        #expect(runs(command(&s, "b CHECK")))
        #expect(runs(command(&s, "c FETCH 1 (RFC822.HEADER RFC822.TEXT RFC822)")))
    }

    @Test("STORE and APPEND with an unknown system flag are BAD in both revisions; keywords and system flags run")
    func unknownSystemFlag() {
        for rev2 in [false, true] {
            var s = session(Self.selected, rev2: rev2)
            let text = "Invalid system flag \\Bogus (a client may set \\Seen \\Answered \\Flagged \\Deleted \\Draft and keywords)"
            #expect(wire(command(&s, "a STORE 1 +FLAGS (\\Seen \\Bogus)")) == "a BAD \(text)\r\n")
            #expect(wire(command(&s, "b UID STORE 1:* FLAGS.SILENT \\Bogus")) == "b BAD \(text)\r\n")
            #expect(wire(command(&s, "c APPEND INBOX (\\Bogus) {1+}\r\nx")) == "c BAD \(text)\r\n")
            #expect(wire(command(&s, "d APPEND INBOX {1+}\r\nx (\\Seen \\Bogus) {1+}\r\ny")) == "d BAD \(text)\r\n", "MULTIAPPEND's second message")
            #expect(s.badCommandsInARow == 4)
            #expect(runs(command(&s, "e STORE 1 +FLAGS (\\Seen \\answered $Forwarded Junk)")))
            #expect(runs(command(&s, "f APPEND INBOX (\\Draft $MDNSent) {1+}\r\nx")))
        }
    }

    @Test("STORE and APPEND with \\Recent are BAD (RFC 3501 §2.3.2: a client cannot set it), in both revisions")
    func recentFlagRefused() {
        for rev2 in [false, true] {
            var s = session(Self.selected, rev2: rev2)
            #expect(wire(command(&s, "a STORE 1 +FLAGS (\\Recent)")) == "a BAD \\Recent cannot be set by a client\r\n")
            #expect(wire(command(&s, "b STORE 1 -FLAGS \\recent")) == "b BAD \\Recent cannot be set by a client\r\n")
            #expect(wire(command(&s, "c APPEND INBOX (\\Seen \\Recent) {1+}\r\nx")) == "c BAD \\Recent cannot be set by a client\r\n")
        }
    }

    @Test("a long unknown flag is named cut to 32 octets")
    func longFlagNameCut() {
        var s = session(Self.selected, rev2: false)
        let name = String(repeating: "X", count: 100)
        #expect(wire(command(&s, "a STORE 1 +FLAGS (\\\(name))")).hasPrefix("a BAD Invalid system flag \\\(String(repeating: "X", count: 32)) (a client"))
    }
}
