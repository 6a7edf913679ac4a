// ESMTP parameters of MAIL FROM and RCPT TO (RFC 1870, 6152, 3030, 6531, 3461, 4954), and the
// xtext codec they use. (The base64 of AUTH is MailroomCore's; its tests are
// Tests/MailroomCoreTests/Base64Tests.swift.)

@testable import MailroomSMTP
import Testing

private func mailParameters(_ parameters: String) throws -> MailParameters {
    guard case .mail(_, let result) = try command("MAIL FROM:<user@example.com> \(parameters)") else {
        throw TestFailure("not MAIL")
    }
    return result
}

private func rcptParameters(_ parameters: String) throws -> RcptParameters {
    guard case .rcpt(_, let result) = try command("RCPT TO:<user@example.com> \(parameters)") else {
        throw TestFailure("not RCPT")
    }
    return result
}

@Suite("Grammar: ESMTP parameters")
struct GrammarParameterTests {
    @Test("every MAIL parameter at once")
    func allMailParameters() throws {
        let parameters = try mailParameters("SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=user+2Bx@example.com")
        #expect(parameters == MailParameters(size: 12345, body: .eightBitMIME, smtpUTF8: true, returnContent: .headers,
                                             envelopeID: "QQ+1", authSubmitter: .address("user+x@example.com")))
        #expect(parameters.description == "SIZE=12345 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=user+2Bx@example.com")
    }

    @Test("keywords and enumerated values are case-insensitive")
    func caseInsensitive() throws {
        #expect(try mailParameters("size=10 body=binarymime smtputf8 ret=full")
            == MailParameters(size: 10, body: .binaryMIME, smtpUTF8: true, returnContent: .full))
        #expect(try mailParameters("Body=7bit").body == .sevenBit)
        #expect(try rcptParameters("notify=success,Delay").notify == [.success, .delay])
    }

    @Test("runs of spaces between parameters are accepted")
    func spaces() throws {
        #expect(try mailParameters("  SIZE=1    BODY=7BIT  ") == MailParameters(size: 1, body: .sevenBit))
    }

    @Test("SIZE: 1 to 20 digits; a 20-digit value above UInt64 is the maximum")
    func size() throws {
        #expect(try mailParameters("SIZE=0").size == 0)
        #expect(try mailParameters("SIZE=00000000000000000042").size == 42)
        #expect(try mailParameters("SIZE=99999999999999999999").size == .max)
        for bad in ["SIZE", "SIZE=", "SIZE=-1", "SIZE=1e6", "SIZE=123456789012345678901", "SIZE=12 34", "SIZE=١٢"] {
            #expect(refusal("MAIL FROM:<> \(bad)")?.kind == .invalidParameterValue("SIZE") || refusal("MAIL FROM:<> \(bad)")?.kind == .unrecognizedParameter("34"),
                    "\(bad)")
            #expect(refusalCode("MAIL FROM:<> \(bad)").hasSuffix("5.5.4"), "\(bad)")
        }
    }

    @Test("BODY, SMTPUTF8 and RET values", arguments: [
        ("BODY=9BIT", "BODY"), ("BODY", "BODY"), ("BODY=8BIT", "BODY"), ("SMTPUTF8=yes", "SMTPUTF8"),
        ("RET=NONE", "RET"), ("RET", "RET"), ("RET=FULL,HDRS", "RET"),
    ])
    func badEnumeratedValues(parameter: String, keyword: String) {
        let error = refusal("MAIL FROM:<> \(parameter)")
        #expect(error?.kind == .invalidParameterValue(keyword), "\(parameter)")
        #expect(error?.replyCode == 501)
        #expect(error?.enhancedStatusCode == .invalidCommandArguments)
    }

    @Test("ENVID and AUTH are xtext: decoded, printable ASCII, ENVID at most 100 characters")
    func xtextValues() throws {
        #expect(try mailParameters("ENVID=a+2bb").envelopeID == "a+b")  // lower-case hex accepted
        #expect(try mailParameters("AUTH=<>").authSubmitter == .unknown)
        #expect(try mailParameters("AUTH=+3C+3E").authSubmitter == .unknown)
        #expect(try mailParameters("ENVID=" + String(repeating: "x", count: 100)).envelopeID?.count == 100)
        for bad in ["ENVID=" + String(repeating: "x", count: 101), "ENVID=a+2", "ENVID=a+ZZ", "ENVID=+00", "ENVID=+7F",
                    "ENVID=+C3+A9", "ENVID=é", "AUTH=+0D+0ARSET", "AUTH=a=b", "ENVID"] {
            let error = refusal("MAIL FROM:<> \(bad)")
            #expect(error?.replyCode == 501, "\(bad)")
            #expect(error?.enhancedStatusCode == .invalidCommandArguments, "\(bad)")
        }
    }

    @Test("NOTIFY and ORCPT on RCPT")
    func rcpt() throws {
        #expect(try rcptParameters("NOTIFY=SUCCESS,FAILURE,DELAY") == RcptParameters(notify: [.success, .failure, .delay]))
        #expect(try rcptParameters("NOTIFY=NEVER").notify == .never)
        #expect(try rcptParameters("NOTIFY=FAILURE,FAILURE").notify == .failure)
        let orcpt = try rcptParameters("ORCPT=rfc822;user+2Bdsn@example.com NOTIFY=FAILURE")
        #expect(orcpt.originalRecipient == OriginalRecipient(addressType: "rfc822", address: "user+dsn@example.com"))
        #expect(orcpt.originalRecipient?.isRFC822 == true)
        #expect(orcpt.description == "NOTIFY=FAILURE ORCPT=rfc822;user+2Bdsn@example.com")
        #expect(try rcptParameters("ORCPT=RFC822;a@b").originalRecipient?.isRFC822 == true)
        for bad in ["NOTIFY=NEVER,SUCCESS", "NOTIFY=SUCCESS,,FAILURE", "NOTIFY=", "NOTIFY", "NOTIFY=ALWAYS", "NOTIFY=SUCCESS,",
                    "ORCPT=rfc822", "ORCPT=;user@example.com", "ORCPT=rfc822;", "ORCPT=rf c822;x", "ORCPT=rfc822;a+2",
                    "ORCPT=rfc822;" + String(repeating: "x", count: 494)] {
            #expect(refusalCode("RCPT TO:<user@example.com> \(bad)") == "501 5.5.4", "\(bad)")
        }
        #expect(try rcptParameters("ORCPT=rfc822;" + String(repeating: "x", count: 493)).originalRecipient?.address.count == 493)
    }

    @Test("unknown, misplaced and repeated parameters are told apart")
    func unknownAndDuplicate() {
        #expect(refusal("MAIL FROM:<> XFOO")?.kind == .unrecognizedParameter("XFOO"))
        #expect(refusal("MAIL FROM:<> x-foo=bar")?.kind == .unrecognizedParameter("X-FOO"))
        #expect(refusal("MAIL FROM:<> NOTIFY=NEVER")?.kind == .unrecognizedParameter("NOTIFY"))
        #expect(refusal("RCPT TO:<user@example.com> BODY=7BIT")?.kind == .unrecognizedParameter("BODY"))
        #expect(refusal("RCPT TO:<user@example.com> BODY=7BIT")?.detail == "BODY is not a RCPT TO parameter")
        #expect(refusal("MAIL FROM:<> FOO FOO")?.kind == .unrecognizedParameter("FOO"))
        #expect(refusal("MAIL FROM:<> SMTPUTF8 SMTPUTF8")?.kind == .duplicateParameter("SMTPUTF8"))
        #expect(refusal("MAIL FROM:<> size=1 SIZE=1")?.kind == .duplicateParameter("SIZE"))
        #expect(refusal("RCPT TO:<user@example.com> NOTIFY=NEVER notify=NEVER")?.kind == .duplicateParameter("NOTIFY"))
        #expect(refusal("RCPT TO:<user@example.com> ORCPT=rfc822;a ORCPT=rfc822;b")?.kind == .duplicateParameter("ORCPT"))
        for line in ["MAIL FROM:<> XFOO", "MAIL FROM:<> SIZE=1 SIZE=1"] {
            #expect(refusalCode(line) == "555 5.5.4")
        }
        let long = String(repeating: "K", count: 300)
        let error = refusal("MAIL FROM:<> \(long)")
        #expect(error?.kind == .unrecognizedParameter(String(repeating: "K", count: 33)))
        #expect((error?.detail.count ?? 999) < 80)
    }

    @Test("malformed parameters", arguments: ["-SIZE=1", "=1", "SIZE:1", "SI_ZE=1", "SIZE==1", "<SIZE=1>", "SIZE=1<2>3"])
    func malformed(parameter: String) {
        let error = refusal("MAIL FROM:<> \(parameter)")
        #expect(error?.replyCode == 501 || error?.replyCode == 555, "\(parameter)")
        #expect(error?.enhancedStatusCode == .invalidCommandArguments, "\(parameter)")
    }

    // MARK: Codecs

    @Test("xtext (RFC 3461 §4)")
    func xtext() {
        #expect(XText.encode("a+b=c d") == "a+2Bb+3Dc+20d")
        #expect(XText.encode("é") == "+C3+A9")
        #expect(XText.encode("<>") == "<>")
        #expect(XText.decode(Array("a+2Bb+3Dc+20d".utf8)) == "a+b=c d")
        #expect(XText.decode(Array("".utf8)) == "")
        #expect(XText.decode(Array("+".utf8)) == nil)
        #expect(XText.decode(Array("+4".utf8)) == nil)
        #expect(XText.decode(Array("a=b".utf8)) == nil)
        #expect(XText.decode(Array("a b".utf8)) == nil)
        for text in ["user@example.com", "a+b", "x=y", "~!\"#", "spaced out"] {
            #expect(XText.decode(Array(XText.encode(text).utf8)) == text)
        }
    }
}
