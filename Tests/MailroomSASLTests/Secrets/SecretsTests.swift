// The stored secrets: MD5 (RFC 1321 test suite), HMAC-MD5 (RFC 2104), the CRAM-MD5 secret in
// Dovecot's layout, PBKDF2-HMAC-SHA-256 (RFC 7914 §11) and the SCRAM verifier's stored forms.
// Expected values come from the RFCs, Dovecot's `doveadm pw`, or Python's hashlib/hmac.

import MailroomCore
import Testing
@testable import MailroomSASL

@Suite("SASL secrets")
struct SecretsTests {
    @Test("MD5: the RFC 1321 §A.5 test suite")
    func md5() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
             "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, hex) in vectors {
            #expect(Hex.encode(MD5State.digest(bytes(input))) == hex, "\(input)")
        }
    }

    @Test("HMAC-MD5: RFC 2104's example, a key longer than a block, a long message (Python hmac)")
    func hmacMD5() {
        #expect(CRAMMD5Secret(password: "Jefe").response(to: bytes("what do ya want for nothing?"))
                == "750c783e6ab0b503eaa86e310a5db738")
        #expect(CRAMMD5Secret(password: String(repeating: "k", count: 100)).response(to: [1, 2, 3])
                == "278ade91e9c784940f52785dce813bbb")
        #expect(CRAMMD5Secret(password: "pässwörd 密码").response(to: [UInt8](repeating: UInt8(ascii: "x"), count: 200))
                == "a9dbff3493281af5954303aa1fe4f8bf")
    }

    @Test("CRAM-MD5 secret: Dovecot's stored form, RFC 2195's digest, constant-time match")
    func cramSecret() throws {
        let secret = try #require(CRAMMD5Secret(hex: Vectors.timSecret))
        #expect(secret == CRAMMD5Secret(password: "tanstaaftanstaaf"))
        #expect(secret.hex == Vectors.timSecret)
        #expect(CRAMMD5Secret(hex: Vectors.timSecret.uppercased()) == secret)
        let challenge = bytes(Vectors.rfc2195Challenge)
        #expect(secret.response(to: challenge) == "b913a602c7eda7a495b4e6e7334d3890")
        #expect(secret.matches(digest: Hex.decode("b913a602c7eda7a495b4e6e7334d3890")!, for: challenge))
        #expect(!secret.matches(digest: Hex.decode("b913a602c7eda7a495b4e6e7334d3891")!, for: challenge))
        #expect(!secret.matches(digest: [], for: challenge))
        for bad in ["", "zz", String(Vectors.timSecret.dropLast(2)), Vectors.timSecret + "00"] {
            #expect(CRAMMD5Secret(hex: bad) == nil)
        }
    }

    @Test("PBKDF2-HMAC-SHA-256: RFC 7914 §11's vectors (first 32 octets)")
    func pbkdf2() {
        #expect(Hex.encode(PBKDF2.hmacSHA256(password: bytes("passwd"), salt: bytes("salt"), iterations: 1))
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        #expect(Hex.encode(PBKDF2.hmacSHA256(password: bytes("Password"), salt: bytes("NaCl"), iterations: 80000))
                == "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56")
    }

    @Test("SCRAM verifier: RFC 5803 and Dovecot forms, password check")
    func scramVerifier() throws {
        let verifier = Vectors.pencil
        #expect(verifier.rfc5803 == "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$\(Vectors.pencilStoredKey):\(Vectors.pencilServerKey)")
        #expect(SCRAMVerifier(rfc5803: verifier.rfc5803) == verifier)
        #expect(verifier.matches(password: "pencil") && !verifier.matches(password: "pencil "))
        // `doveadm pw -s SCRAM-SHA-256 -p pencil`
        let dovecot = try #require(SCRAMVerifier(dovecot:
            "4096,iB8WjrpJbSnjpuCNYtJl8Q==,CGebG7fw3hIQN/+AzKZfUIzo0rC6AruxsNwChF19LA4=,boeCUC9DwErRQe9DyUwomVO1Wm4PCBrk8rG1u4cF3jU="))
        #expect(dovecot.matches(password: "pencil") && !dovecot.matches(password: "pencil2"))
        for bad in ["SCRAM-SHA-256$x:abc$def", "SCRAM-SHA-256$0:AA==$AA==:AA==", "SCRAM-SHA-1$4096:AA==$AA==:AA==",
                    "SCRAM-SHA-256$4096:AA=$AA==:AA==", ""] {
            #expect(SCRAMVerifier(rfc5803: bad) == nil, "\(bad)")
        }
        #expect(SCRAMVerifier(dovecot: "4096,AA==,AA==") == nil)
        let fresh = SCRAMVerifier(password: "x", iterations: 4096)
        #expect(fresh.salt.count == SCRAMVerifier.saltLength && fresh.salt != SCRAMVerifier(password: "x", iterations: 4096).salt)
    }
}
