// SMTPLimits: configured values never go below the RFC 5321 §4.5.3.1 minimums.

import Testing
@testable import MailroomSMTP

@Suite("SMTP limits")
struct SMTPLimitsTests {
    @Test("values below the RFC minimums are raised to them")
    func minimums() {
        let limits = SMTPLimits(commandLineBytes: 100, textLineBytes: 80, authLineBytes: 10, messageBytes: 1000, recipients: 5)
        #expect(limits.commandLineBytes == 512)
        #expect(limits.textLineBytes == 1000)
        #expect(limits.recipients == 100)
        #expect(limits.authLineBytes >= limits.commandLineBytes)
        #expect(limits.messageBytes == 1000)
    }

    @Test("the defaults are above the minimums")
    func defaults() {
        let d = SMTPLimits.default
        #expect(d.commandLineBytes >= SMTPLimits.minimumCommandLineBytes)
        #expect(d.textLineBytes >= SMTPLimits.minimumTextLineBytes)
        #expect(d.recipients >= SMTPLimits.minimumRecipients)
    }
}
