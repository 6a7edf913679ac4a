// SessionRelayCaseTests.swift — the open-relay corpus (smtp-open-relay-cases/relay_cases.tsv,
// read at run time; see GrammarRelayCaseTests.swift for the parse facts) through the session,
// without a store: what the session does with each MAIL FROM and RCPT TO before any policy
// runs. A recipient the grammar refuses is answered 553 5.1.3 by the session itself and never
// reaches the recipient policy; every other one reaches it as exactly the mailbox whose domain
// the relay decision must be taken on (source routes dropped, "%", "!" and quoted "@" inert).
// The verdicts (ACCEPT/REJECT) need the store and are the server's tests.

@testable import MailroomSMTP
import Testing

@Suite("Session: open-relay address forms")
struct SessionRelayCaseTests {
    @Test("each case: the policy is asked about the parsed paths, or the session refuses the syntax",
          arguments: try RelayCorpus.cases())
    func relayCase(_ relayCase: RelayCase) {
        var s = Script(relayCase.client == "authenticated" ? SessionFixture.submission() : SessionFixture.mx(),
                       tls: relayCase.client == "authenticated")
        s.ehlo()
        if relayCase.client == "authenticated" { s.authenticate() }

        switch s.send("MAIL FROM:<\(relayCase.mailFrom)>") {
        case .checkSender(let path, _):
            #expect(PathFact(path).matches(relayCase.sender), "\(relayCase.id): \(PathFact(path)), expected \(relayCase.sender)")
        case let other:
            Issue.record("\(relayCase.id): MAIL FROM gave \(other.summary)")
            return
        }
        s.expect("250 2.1.0") { $0.senderChecked(.accepted) }

        let action = s.send("RCPT TO:<\(relayCase.rcptTo)>")
        switch (action, relayCase.recipient) {
        case (.checkRecipient(let path, _), let expected):
            #expect(PathFact(path).matches(expected), "\(relayCase.id): \(PathFact(path)), expected \(expected)")
        case (.reply(let reply), .refused):
            #expect(reply.summary == "553 5.1.3", "\(relayCase.id)")
            #expect(s.session.transaction?.recipients.isEmpty == true)
            s.expect("DATA", "554 5.5.1")
        default:
            Issue.record("\(relayCase.id): RCPT TO gave \(action.summary), expected \(relayCase.recipient)")
        }
    }

    @Test("a relay the policy refuses leaves nothing to deliver")
    func refusedRelay() throws {
        for relayCase in try RelayCorpus.cases() where relayCase.expectedVerdict == "REJECT" && relayCase.client == "unauthenticated" {
            var s = Script()
            s.ehlo()
            s.send("MAIL FROM:<\(relayCase.mailFrom)>")
            s.run { $0.senderChecked(.accepted) }
            if case .checkRecipient = s.send("RCPT TO:<\(relayCase.rcptTo)>") {
                s.expect(.reply(.relayDenied)) { $0.recipientChecked(.rejected(.relayDenied)) }
            }
            s.expect("DATA", "554 5.5.1")
            s.expect("BDAT 3 LAST", "discardChunk 3 LAST")
            s.expect("discardMessage 554 5.5.1") { $0.chunkEnded(chunkEnd(last: true, total: 3)) }
        }
    }
}
