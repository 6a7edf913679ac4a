// EnhancedStatusCode (RFC 3463): text form, parsing, and the named constants.

@testable import MailroomSMTP
import Testing

@Suite("Reply: enhanced status codes")
struct ReplyEnhancedStatusCodeTests {
    @Test("the named codes", arguments: [
        (EnhancedStatusCode.success, "2.0.0"), (.senderAccepted, "2.1.0"), (.destinationAddressValid, "2.1.5"),
        (.messageAccepted, "2.6.0"), (.authenticationSucceeded, "2.7.0"),
        (.mailboxFullTemporary, "4.2.2"), (.mailSystemTemporaryFailure, "4.3.0"), (.mailSystemFull, "4.3.1"),
        (.systemIncorrectlyConfigured, "4.3.5"), (.badConnection, "4.4.2"), (.systemCongestion, "4.4.5"),
        (.tooManyRecipients, "4.5.3"), (.securityTemporaryFailure, "4.7.0"),
        (.badDestinationMailbox, "5.1.1"), (.badDestinationSystem, "5.1.2"), (.badDestinationMailboxSyntax, "5.1.3"),
        (.badSenderMailboxSyntax, "5.1.7"), (.badSenderSystemAddress, "5.1.8"), (.mailboxFull, "5.2.2"),
        (.messageTooBig, "5.3.4"), (.routingLoop, "5.4.6"), (.invalidCommand, "5.5.1"), (.syntaxError, "5.5.2"),
        (.invalidCommandArguments, "5.5.4"), (.authenticationLineTooLong, "5.5.6"), (.mediaError, "5.6.0"),
        (.nonASCIIAddressNotPermitted, "5.6.7"), (.securityPolicy, "5.7.0"), (.deliveryNotAuthorized, "5.7.1"),
        (.authenticationCredentialsInvalid, "5.7.8"), (.authenticationMechanismTooWeak, "5.7.9"),
        (.encryptionRequiredForAuthentication, "5.7.11"),
    ])
    func named(code: EnhancedStatusCode, text: String) {
        #expect(code.description == text)
        #expect(EnhancedStatusCode(text) == code)
    }

    @Test("parsing")
    func parsing() {
        #expect(EnhancedStatusCode("4.999.999") == EnhancedStatusCode(.persistentTransientFailure, 999, 999))
        #expect(EnhancedStatusCode("5.01.1") == .badDestinationMailbox)
        for bad in ["", "5", "5.1", "5.1.1.1", "3.0.0", "1.0.0", "6.0.0", "5.1000.1", "5.1.1000", "5..1", "5.a.1", "55.1.1", " 5.1.1", "5.1.1 "] {
            #expect(EnhancedStatusCode(bad) == nil, "\(bad)")
        }
    }

    @Test("the same code in another class")
    func withClass() {
        #expect(EnhancedStatusCode.mailboxFull.withClass(.persistentTransientFailure) == .mailboxFullTemporary)
        #expect(EnhancedStatusCode.securityTemporaryFailure.withClass(.permanentFailure) == .securityPolicy)
    }
}
