// SASLprep (RFC 4013): the examples of its §3, the mappings and prohibitions, and the SCRAM
// verifier derived from the prepared password, so a conforming client's proof for a password
// typed in full-width characters or with a no-break space matches.

import Testing
@testable import MailroomSASL

@Suite("SASLprep")
struct SASLprepTests {
    @Test("RFC 4013 §3 examples", arguments: [
        ("I\u{00AD}X", "IX"), ("user", "user"), ("USER", "USER"), ("\u{00AA}", "a"), ("\u{2168}", "IX"),
    ])
    func examples(input: String, prepared: String) throws {
        #expect(try SASLprep.prepare(input) == prepared)
    }

    @Test func rfcExampleErrors() {
        #expect(throws: SASLprep.Failure.prohibited(0x07)) { try SASLprep.prepare("\u{0007}") }
        #expect(throws: SASLprep.Failure.bidirectional) { try SASLprep.prepare("\u{0627}\u{0031}") }
    }

    @Test func mappings() throws {
        #expect(try SASLprep.prepare("ｐａｓｓ１２３") == "pass123")            // full-width ASCII (NFKC)
        #expect(try SASLprep.prepare("a\u{00A0}b\u{3000}c") == "a b c")     // non-ASCII spaces
        #expect(try SASLprep.prepare("密\u{200B}码\u{FEFF}") == "密码")        // mapped to nothing
        #expect(try SASLprep.prepare("密码-Passwort-пароль") == "密码-Passwort-пароль")
        #expect(try SASLprep.prepare("\u{05D0}\u{05D1}") == "\u{05D0}\u{05D1}")   // right-to-left only
    }

    @Test func prohibitions() {
        for scalar: UInt32 in [0x00, 0x1F, 0x7F, 0x85, 0xE000, 0xFDD0, 0xFFFE, 0x2FF0, 0x200E, 0x202E, 0xE0041, 0xF0000] {
            let text = "a" + String(Character(Unicode.Scalar(scalar)!)) + "b"
            #expect(throws: SASLprep.Failure.prohibited(scalar), "U+\(String(scalar, radix: 16))") { try SASLprep.prepare(text) }
        }
        #expect(throws: SASLprep.Failure.bidirectional) { try SASLprep.prepare("a\u{05D0}") }
        #expect(throws: SASLprep.Failure.bidirectional) { try SASLprep.prepare("\u{05D0}a\u{05D1}") }
    }

    @Test("the SCRAM verifier is derived from the prepared password")
    func verifierUsesPreparedPassword() {
        let salt = Array(repeating: UInt8(7), count: 16)
        let typed = SCRAMVerifier(password: "ｐｅｎｃｉｌ\u{00A0}１", iterations: 4096, salt: salt)
        let prepared = SCRAMVerifier(password: "pencil 1", iterations: 4096, salt: salt)
        #expect(typed == prepared)
        // A password SASLprep refuses is used as typed rather than locking its owner out.
        let control = SCRAMVerifier(password: "pencil\u{0007}", iterations: 4096, salt: salt)
        #expect(control != prepared)
        #expect(SASLprep.prepareOrKeep("pencil\u{0007}") == "pencil\u{0007}")
    }
}
