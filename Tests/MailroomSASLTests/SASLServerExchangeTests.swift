// The exchange around the mechanisms: mechanism names, calls out of order or after the end,
// and fresh nonces.

import MailroomCore
import Testing
@testable import MailroomSASL

@Suite("SASL server exchange")
struct SASLServerExchangeTests {
    @Test("mechanism names are the registered ones, looked up case-insensitively")
    func names() {
        #expect(SASLMechanismKind.allCases.map(\.rawValue) == ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"])
        #expect(SASLMechanismKind(name: "scram-sha-256") == .scramSHA256)
        #expect(SASLMechanismKind(name: "Cram-Md5") == .cramMD5)
        #expect(SASLMechanismKind(name: "SCRAM-SHA-256-PLUS") == nil)
        #expect(SASLMechanismKind(name: "GSSAPI") == nil)
        #expect(SASLMechanismKind.plain.usesPassword && !SASLMechanismKind.scramSHA256.usesPassword)
        #expect(!SASLMechanismKind.cramMD5.allowsInitialResponse && SASLMechanismKind.login.allowsInitialResponse)
    }

    @Test("every event before start, a second start, and anything after the end fail", arguments: SASLMechanismKind.allCases)
    func lifecycle(_ mechanism: SASLMechanismKind) {
        var early = exchange(mechanism)
        run(&early, [(.receive("x"), nil), (.start, nil)])
        #expect(early.isFinished)

        var twice = exchange(mechanism)
        let first = twice.start()
        #expect(!first.isFinal)
        run(&twice, [(.start, nil), (.receive("x"), nil), (.passwordVerified(true), nil), (.credentialsFound(nil), nil)])
    }

    @Test("a success ends the exchange too")
    func afterSuccess() {
        var e = exchange(.plain, initialResponse: bytes("\0a\0b"))
        run(&e, [(.start, .verifyPassword(username: "a", password: "b")), (.passwordVerified(true), .success(username: "a")),
                 (.passwordVerified(true), nil), (.start, nil)])
    }

    @Test("SASLNonce.make(): 32 printable characters without \",\", a dot-atom, never repeated")
    func nonces() {
        var seen = Set<String>()
        for _ in 0..<1000 {
            let nonce = SASLNonce.make()
            #expect(nonce.utf8.count == 32)
            #expect(SASLNonce.isPrintable(nonce) && CRAMMD5Challenge.isDotAtomText(nonce))
            #expect(Base64.decode(nonce.utf8)?.count == SASLNonce.randomOctets)
            seen.insert(nonce)
        }
        #expect(seen.count == 1000)
        #expect(SASLNonce.randomOctets >= 18)
    }
}
