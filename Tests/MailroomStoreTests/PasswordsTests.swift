// Password verification against hashes made by other tools: Dovecot's `doveadm pw` (2.3, the
// {SCHEME} values below), Ulrich Drepper's SHA-crypt specification, the Openwall bcrypt vector,
// RFC 2195 (CRAM-MD5) and RFC 7677 (SCRAM-SHA-256); plus
// hashes made at test time by `openssl passwd` and `mkpasswd` when those tools are installed
// (scripts/test installs them). MD5 and HMAC-MD5 themselves are tested with MailroomSASL, where
// the SASL secrets live.

import Foundation
import MailroomSASL
import Testing
@testable import MailroomStore

@Suite("Passwords")
struct PasswordsTests {
    /// Values printed by `doveadm pw -s SCHEME -p secret` (Dovecot 2.3.19, Debian 12).
    static let dovecotSecret = [
        "{SHA512-CRYPT}$6$EH2j9wWgqFI6FZIc$arrmHuSMqFOTFtWwnq6visQg8CnyAcx.pt05tsxUvqi/aCpXfyf5KE7D0wAlY.tCe3QqKFAKFqSuY0CGhytEZ.",
        "{BLF-CRYPT}$2y$05$ajawmrY6NvgSvuEq.Y4EtOQqAUDxo9kw9wbIriZ6p1WWgl7Kh3MOq",
        "{MD5-CRYPT}$1$sxB9KPMu$g8ZtIMnsFMUwAOkRXeupy0",
        "{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69",
        "{LDAP-MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==",
        "{SMD5}FXL8LpDQ4LmIoOR9hWRNObnx4h4=",
        "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
        "{SSHA}52fNlxX1nh5n1aWkZ+liZUtL1/JPLfG+",
        "{SSHA256}q7+BybEavR6Sf1Bsxo6NB1WWoRQTK2vbWUPYPCilLxtnvbBx",
        "{SSHA512}lUtjwe0nsvrzXoZSodRm/DvVWrKAf2fJZNemca9HbYQgux4aM0Lbf1wmoqDSe17pC4kfQixdzedGetf7a1Ep7QdE3BU=",
        "{SHA256.HEX}2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b",
        "{PLAIN}secret",
        "{CLEARTEXT}secret",
    ]

    @Test("Dovecot {SCHEME} values verify the right password and reject others", arguments: dovecotSecret)
    func dovecotSchemes(_ stored: String) {
        #expect(Passwords.verify("secret", against: stored))
        #expect(!Passwords.verify("Secret", against: stored))
        #expect(!Passwords.verify("", against: stored))
        #expect(!Passwords.verify("secret ", against: stored))
    }

    @Test("crypt(3) reference vectors: SHA-512, SHA-256, bcrypt, MD5-crypt, DES")
    func cryptVectors() {
        // Drepper's SHA-crypt specification, test 1 of SHA-512.
        #expect(Passwords.verify("Hello world!", against:
            "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"))
        #expect(Passwords.verify("secret", against: "$5$rounds=5000$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA"))
        // Openwall's crypt_blowfish test vector.
        #expect(Passwords.verify("U*U", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
        #expect(!Passwords.verify("U*V", against: "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"))
        #expect(Passwords.verify("secret", against: "$1$saltsalt$9xy1btjgzLYfb7hivXtC//"))
        // Traditional DES crypt as old vpopmail systems store it: only 8 characters count.
        #expect(Passwords.verify("secret", against: "abNANd1rDfiNc"))
        #expect(Passwords.verify("secret", against: "{CRYPT}abNANd1rDfiNc"))
        #expect(!Passwords.verify("secreT", against: "abNANd1rDfiNc"))
    }

    @Test("locked, empty and malformed stored values never match")
    func locked() {
        for stored in ["", "!", "!$6$saltstring$svn8", "*", "*LK*", "{UNKNOWN}secret", "{SSHA}not-base64!", "$6$", "{CRAM-MD5}zz"] {
            #expect(!Passwords.verify("secret", against: stored), "\(stored)")
            #expect(!Passwords.verify("", against: stored), "\(stored)")
        }
    }

    @Test("new passwords are yescrypt with SCRAM-SHA-256 and CRAM-MD5 secrets")
    func newSecrets() throws {
        let secrets = try Passwords.makeSecrets("pässwörd 密码", policy: PasswordPolicy(yescryptCost: 1))
        #expect(secrets.hash.hasPrefix("$y$"))
        #expect(Passwords.verify("pässwörd 密码", against: secrets.hash))
        #expect(!Passwords.verify("passwörd 密码", against: secrets.hash))
        let stored = try #require(secrets.scramSHA256)
        let scram = try #require(SCRAMVerifier(rfc5803: stored))
        #expect(scram.iterations == 4096 && scram.salt.count == 16)
        #expect(scram.matches(password: "pässwörd 密码"))
        let cram = try #require(secrets.cramMD5)
        #expect(CRAMMD5Secret(hex: cram) == CRAMMD5Secret(password: "pässwörd 密码"))
        let without = try Passwords.makeSecrets("x", policy: PasswordPolicy(yescryptCost: 1, storeCRAMMD5: false))
        #expect(without.cramMD5 == nil)
        #expect(Passwords.schemeName(of: secrets.hash) == "yescrypt")
        #expect(!Passwords.isOutdated(secrets.hash))
        #expect(Passwords.isOutdated("{SHA512-CRYPT}$6$x$y"))
        #expect(throws: PasswordError.self) { try Passwords.makeSecrets("", policy: PasswordPolicy()) }
        #expect(throws: PasswordError.self) { try Passwords.makeSecrets("a\u{0}b", policy: PasswordPolicy()) }
        #expect(throws: PasswordError.self) {
            try Passwords.makeSecrets(String(repeating: "x", count: PasswordError.maximumLength + 1), policy: PasswordPolicy())
        }
    }

    @Test("CRAM-MD5: RFC 2195's example, from a secret in Dovecot's stored format")
    func cramMD5() throws {
        // `doveadm pw -s CRAM-MD5 -p tanstaaftanstaaf`
        let stored = "d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b"
        let secret = try #require(CRAMMD5Secret(hex: stored))
        #expect(secret == CRAMMD5Secret(password: "tanstaaftanstaaf"))
        #expect(secret.hex == stored)
        #expect(secret.response(to: Array("<1896.697170952@postoffice.reston.mci.net>".utf8))
                == "b913a602c7eda7a495b4e6e7334d3890")
        #expect(Passwords.verify("tanstaaftanstaaf", against: "{CRAM-MD5}\(stored)"))
        #expect(Passwords.saslCredentials(fromStored: "{CRAM-MD5}\(stored)") == SASLCredentials(cramMD5: secret))
        #expect(Passwords.saslCredentials(fromStored: "{HMAC-MD5}\(stored)") == SASLCredentials(cramMD5: secret))
        #expect(Passwords.saslCredentials(fromStored: "{CRAM-MD5}zz") == SASLCredentials())
        // Keys longer than a block are hashed first (RFC 2104 §2).
        let long = String(repeating: "k", count: 100)
        #expect(CRAMMD5Secret(password: long).response(to: [1, 2, 3]).count == 32)
    }

    @Test("SCRAM-SHA-256: the stored verifier reproduces RFC 7677's exchange")
    func scram() throws {
        let salt = [UInt8](Data(base64Encoded: "W22ZaJ0SNY7soEsUEjb6gQ==")!)
        let verifier = SCRAMVerifier(password: "pencil", iterations: 4096, salt: salt)
        let authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
            + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
            + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let serverSignature = HMACSHA256.mac(key: verifier.serverKey, message: Array(authMessage.utf8))
        #expect(Data(serverSignature).base64EncodedString() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) must be StoredKey.
        let proof = [UInt8](Data(base64Encoded: "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")!)
        let clientSignature = HMACSHA256.mac(key: verifier.storedKey, message: Array(authMessage.utf8))
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        #expect(HMACSHA256.sha256(clientKey) == verifier.storedKey)
        // Round trip through the stored forms; Dovecot's {SCRAM-SHA-256} value verifies too.
        #expect(SCRAMVerifier(rfc5803: verifier.rfc5803) == verifier)
        #expect(Passwords.verify("pencil", against:
            "{SCRAM-SHA-256}4096,iB8WjrpJbSnjpuCNYtJl8Q==,CGebG7fw3hIQN/+AzKZfUIzo0rC6AruxsNwChF19LA4=,boeCUC9DwErRQe9DyUwomVO1Wm4PCBrk8rG1u4cF3jU="))
        #expect(!Passwords.verify("pencil2", against:
            "{SCRAM-SHA-256}4096,iB8WjrpJbSnjpuCNYtJl8Q==,CGebG7fw3hIQN/+AzKZfUIzo0rC6AruxsNwChF19LA4=,boeCUC9DwErRQe9DyUwomVO1Wm4PCBrk8rG1u4cF3jU="))
        #expect(SCRAMVerifier(rfc5803: "SCRAM-SHA-256$x:abc$def") == nil)
        let dovecot = "4096,iB8WjrpJbSnjpuCNYtJl8Q==,CGebG7fw3hIQN/+AzKZfUIzo0rC6AruxsNwChF19LA4=,boeCUC9DwErRQe9DyUwomVO1Wm4PCBrk8rG1u4cF3jU="
        #expect(Passwords.saslCredentials(fromStored: "{SCRAM-SHA-256}\(dovecot)") == SASLCredentials(scram: SCRAMVerifier(dovecot: dovecot)))
        #expect(Passwords.saslCredentials(fromStored: "$6$saltstring$svn8") == SASLCredentials())
        #expect(Passwords.saslCredentials(fromStored: "{PLAIN}pencil") == SASLCredentials())
    }

    @Test("hashes made by openssl passwd and mkpasswd verify")
    func externalTools() throws {
        var checked = 0
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") {
            for flag in ["-6", "-5", "-1"] {
                let hash = try runTool("/usr/bin/openssl", ["passwd", flag, "s3cret-密"])
                #expect(Passwords.verify("s3cret-密", against: hash), "openssl passwd \(flag)")
                #expect(!Passwords.verify("s3cret", against: hash))
                checked += 1
            }
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/mkpasswd") {
            for method in ["yescrypt", "bcrypt", "sha512crypt", "sha256crypt", "descrypt"] {
                let hash = try runTool("/usr/bin/mkpasswd", ["-m", method, "s3cret"])
                #expect(Passwords.verify("s3cret", against: hash), "mkpasswd -m \(method)")
                #expect(!Passwords.verify("s3creT", against: hash))
                checked += 1
            }
        }
        if PGTestServer.required { #expect(checked == 8, "scripts/test installs openssl and mkpasswd (whois)") }
    }
}

/// HMAC-SHA256 through swift-crypto, for checking the SCRAM verifier.
import Crypto
enum HMACSHA256 {
    static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
    static func sha256(_ data: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: data)) }
}
