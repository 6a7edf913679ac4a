// The account store's SASL secrets (AccountStore.saslAccount), part of the one conformance
// suite (style rule 16): every case runs against SQLite and against a real PostgreSQL.
// The end-to-end cases drive MailroomSASL's server exchanges with what the store returns and
// compute the client side here, independently of MailroomSASL: PBKDF2 from swift-crypto's
// _CryptoExtras, HMAC-SHA-256 and HMAC-MD5 from swift-crypto, messages built and parsed by hand.

import Crypto
import Foundation
import MailroomCore
import MailroomSASL
import Testing
import _CryptoExtras
@testable import MailroomStore

extension AccountStoreConformanceTests {
    @Test("saslAccount: the user's SCRAM and CRAM-MD5 secrets, and authenticate's account checks", arguments: Backend.available)
    func saslAccount(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addTenant(name: "t1", displayName: "", limits: TenantLimits())
            _ = try await store.addDomain(NewDomain(name: dom("example.com"), tenant: "t1"))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            let account = try await store.saslAccount(username: "alice@example.com", service: .imap).get()
            #expect(account.user.address == "alice@example.com")
            let scram = try #require(account.credentials.scram)
            #expect(scram.iterations == 4096 && scram.matches(password: "Secret-1") && !scram.matches(password: "secret-1"))
            #expect(account.credentials.cramMD5 == CRAMMD5Secret(password: "Secret-1"))
            #expect(try await store.saslAccount(username: "ALICE%example.com", service: .smtp).get() == account)

            #expect(try await store.saslAccount(username: "bob@example.com", service: .imap).failure == .unknownUser)
            #expect(try await store.saslAccount(username: "alice@nowhere.example", service: .imap).failure == .unknownUser)
            if case .invalidUsername = try await store.saslAccount(username: "not an address", service: .imap).failure {
            } else { Issue.record("expected invalidUsername") }

            _ = try await store.setServiceDisabled(addr("alice@example.com"), services: [.pop3], disabled: true)
            #expect(try await store.saslAccount(username: "alice@example.com", service: .pop3).failure == .disabled(.pop3))
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).isSuccess)
            try await store.setDomainActive(dom("example.com"), active: false)
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).failure == .domainInactive)
            try await store.setDomainActive(dom("example.com"), active: true)
            try await store.addDomainAlias(dom("example.org"), to: dom("example.com"))
            let viaAlias = try await store.saslAccount(username: "alice@example.org", service: .imap).get()
            #expect(viaAlias.user.address == "alice@example.com" && viaAlias.credentials == account.credentials)
            let (no, yes) = backend == .sqlite ? ("0", "1") : ("FALSE", "TRUE")
            _ = try t.externalSQL("UPDATE tenants SET active = \(no) WHERE name = 't1'")
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).failure == .tenantInactive)
            _ = try t.externalSQL("UPDATE tenants SET active = \(yes) WHERE name = 't1'")

            // Locking the account by its hash (as a panel does) locks the SASL secrets too.
            _ = try t.externalSQL("UPDATE users SET password_hash = '!' || password_hash WHERE local_part = 'alice'")
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).failure == .noPassword)
            _ = try t.externalSQL("UPDATE users SET password_hash = '' WHERE local_part = 'alice'")
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).failure == .noPassword)
        }
    }

    @Test("saslAccount: secrets from {SCRAM-SHA-256} / {CRAM-MD5} hashes, the columns, and passwords.store_cram_md5",
          arguments: Backend.available)
    func saslAccountSources(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            // `doveadm pw -s SCRAM-SHA-256 -p pencil` and `doveadm pw -s CRAM-MD5 -p tanstaaftanstaaf`.
            let dovecotSCRAM = "4096,iB8WjrpJbSnjpuCNYtJl8Q==,CGebG7fw3hIQN/+AzKZfUIzo0rC6AruxsNwChF19LA4=,boeCUC9DwErRQe9DyUwomVO1Wm4PCBrk8rG1u4cF3jU="
            let dovecotCRAM = "d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b"
            _ = try await store.addUser(NewUser(address: addr("scram@example.com"), passwordHash: "{SCRAM-SHA-256}\(dovecotSCRAM)"))
            _ = try await store.addUser(NewUser(address: addr("tim@example.com"), passwordHash: "{CRAM-MD5}\(dovecotCRAM)"))
            _ = try await store.addUser(NewUser(address: addr("crypt@example.com"),
                passwordHash: "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))

            let scram = try await store.saslAccount(username: "scram@example.com", service: .imap).get().credentials
            #expect(scram == SASLCredentials(scram: SCRAMVerifier(dovecot: dovecotSCRAM)))
            #expect(scram.scram?.matches(password: "pencil") == true)
            let tim = try await store.saslAccount(username: "tim@example.com", service: .imap).get().credentials
            #expect(tim == SASLCredentials(cramMD5: CRAMMD5Secret(password: "tanstaaftanstaaf")))
            // A crypt(3) hash alone holds no SASL secret: the user exists, with none.
            #expect(try await store.saslAccount(username: "crypt@example.com", service: .imap).get().credentials == SASLCredentials())

            // The hash wins over a column a panel filled in; a column that does not parse counts as absent.
            let other = SCRAMVerifier(password: "other", iterations: 4096)
            _ = try t.externalSQL("UPDATE users SET scram_sha256 = '\(other.rfc5803)' WHERE local_part = 'scram'")
            #expect(try await store.saslAccount(username: "scram@example.com", service: .imap).get().credentials == scram)
            _ = try t.externalSQL("UPDATE users SET scram_sha256 = '\(other.rfc5803)' WHERE local_part = 'crypt'")
            #expect(try await store.saslAccount(username: "crypt@example.com", service: .imap).get().credentials.scram == other)
            _ = try t.externalSQL("UPDATE users SET scram_sha256 = 'garbage', cram_md5 = 'zz' WHERE local_part = 'alice'")
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).get().credentials == SASLCredentials())

            // passwords.store_cram_md5 = false refuses CRAM-MD5 entirely, whatever is stored.
            let noCRAM = t.store(StoreOptions(cacheTTL: 0, passwordPolicy: PasswordPolicy(yescryptCost: 1, storeCRAMMD5: false)))
            #expect(try await noCRAM.saslAccount(username: "tim@example.com", service: .imap).get().credentials == SASLCredentials())
            try await store.setPassword(addr("alice@example.com"), password: "Secret-2")
            let alice = try await noCRAM.saslAccount(username: "alice@example.com", service: .imap).get().credentials
            #expect(alice.cramMD5 == nil && alice.scram?.matches(password: "Secret-2") == true)
        }
    }

    @Test("saslAccount is cached like authenticate: a change made here is seen at once, plain SQL after the TTL",
          arguments: Backend.available)
    func saslAccountCache(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store(StoreOptions(cacheTTL: 60, passwordPolicy: PasswordPolicy(yescryptCost: 1)))
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "Secret-1"))
            let before = try await store.saslAccount(username: "alice@example.com", service: .imap).get()
            #expect(before.credentials.scram?.matches(password: "Secret-1") == true)
            try await store.setPassword(addr("alice@example.com"), password: "Secret-2")
            let after = try await store.saslAccount(username: "alice@example.com", service: .imap).get()
            #expect(after.credentials.scram?.matches(password: "Secret-2") == true)
            #expect(after.credentials.cramMD5 == CRAMMD5Secret(password: "Secret-2"))
            // Within the TTL the cached row answers (as for authenticate); a new store reads the change.
            let yes = backend == .sqlite ? "1" : "TRUE"
            _ = try t.externalSQL("UPDATE users SET disable_imap = \(yes) WHERE local_part = 'alice'")
            #expect(try await store.saslAccount(username: "alice@example.com", service: .imap).isSuccess)
            #expect(try await t.store().saslAccount(username: "alice@example.com", service: .imap).failure == .disabled(.imap))
        }
    }

    @Test("end to end: a user created with a password completes SCRAM-SHA-256 and CRAM-MD5 from the store's secrets",
          arguments: Backend.available)
    func saslEndToEnd(_ backend: Backend) async throws {
        try await withDatabase(backend) { t in
            let store = t.store()
            _ = try await store.addDomain(NewDomain(name: dom("example.com")))
            _ = try await store.addUser(NewUser(address: addr("alice@example.com"), password: "pässwörd 1"))

            #expect(try await SCRAMClient.login(store, "alice@example.com", password: "pässwörd 1") == .success(username: "alice@example.com"))
            #expect(try await SCRAMClient.login(store, "alice@example.com", password: "pässwörd 2") == .failure(.invalidCredentials))
            #expect(try await SCRAMClient.login(store, "nobody@example.com", password: "x") == .failure(.invalidCredentials))
            #expect(try await CRAMMD5Client.login(store, "alice@example.com", password: "pässwörd 1") == .success(username: "alice@example.com"))
            #expect(try await CRAMMD5Client.login(store, "alice@example.com", password: "pässwörd 2") == .failure(.invalidCredentials))
            #expect(try await CRAMMD5Client.login(store, "nobody@example.com", password: "x") == .failure(.invalidCredentials))

            // An imported {PLAIN} user has no secrets until a password login upgrades the hash.
            _ = try await store.addUser(NewUser(address: addr("old@example.com"), passwordHash: "{PLAIN}legacy pw"))
            #expect(try await SCRAMClient.login(store, "old@example.com", password: "legacy pw") == .failure(.mechanismUnavailable))
            #expect(try await CRAMMD5Client.login(store, "old@example.com", password: "legacy pw") == .failure(.mechanismUnavailable))
            #expect(try await store.authenticate(username: "old@example.com", password: "legacy pw", service: .imap).isSuccess)
            #expect(try await SCRAMClient.login(store, "old@example.com", password: "legacy pw") == .success(username: "old@example.com"))
            #expect(try await CRAMMD5Client.login(store, "old@example.com", password: "legacy pw") == .success(username: "old@example.com"))
        }
    }
}

/// What a protocol server does with a lookup: the account's secrets, or nil for any refusal.
func credentials(_ store: SQLAccountStore, _ username: String) async throws -> SASLCredentials? {
    switch try await store.saslAccount(username: username, service: .imap) {
    case .success(let account): account.credentials
    case .failure: nil
    }
}

/// The client side of SCRAM-SHA-256 (RFC 5802 §3, §5), written out here.
enum SCRAMClient {
    static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: key)))
    }

    /// Runs one exchange and returns its last step.
    static func login(_ store: SQLAccountStore, _ username: String, password: String) async throws -> SASLStep {
        let clientNonce = "c\(UInt64.random(in: 0...UInt64.max))"
        let bare = "n=\(username),r=\(clientNonce)"
        var exchange = SASLServerExchange(mechanism: .scramSHA256, serverName: "mail.example", nonce: SASLNonce.make(),
                                          initialResponse: Array("n,,\(bare)".utf8))
        guard exchange.start() == .lookupCredentials(username: username) else { throw TestSetupError("no lookup") }
        let step = exchange.credentialsFound(try await credentials(store, username))
        guard case .challenge(let serverFirstBytes) = step else { return step }
        let serverFirst = String(decoding: serverFirstBytes, as: UTF8.self)
        let fields = serverFirst.split(separator: ",").map(String.init)
        guard fields.count == 3, fields[0].hasPrefix("r=\(clientNonce)"), fields[1].hasPrefix("s="), fields[2].hasPrefix("i="),
              let salt = Data(base64Encoded: String(fields[1].dropFirst(2))), let iterations = Int(fields[2].dropFirst(2)) else {
            throw TestSetupError("bad server-first message \(serverFirst)")
        }
        let salted = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                       outputByteCount: 32, unsafeUncheckedRounds: iterations)
            .withUnsafeBytes { Array($0) }
        let clientKey = hmac(salted, "Client Key")
        let storedKey = Array(SHA256.hash(data: clientKey))
        let withoutProof = "c=biws,r=\(fields[0].dropFirst(2))"
        let authMessage = "\(bare),\(serverFirst),\(withoutProof)"
        let proof = zip(clientKey, hmac(storedKey, authMessage)).map { $0 ^ $1 }
        let final = exchange.receive(Array("\(withoutProof),p=\(Data(proof).base64EncodedString())".utf8))
        guard case .challenge(let serverFinal) = final else { return final }
        let expected = "v=\(Data(hmac(hmac(salted, "Server Key"), authMessage)).base64EncodedString())"
        guard String(decoding: serverFinal, as: UTF8.self) == expected else {
            throw TestSetupError("the server's signature is wrong: \(String(decoding: serverFinal, as: UTF8.self))")
        }
        return exchange.receive([])
    }
}

/// The client side of CRAM-MD5 (RFC 2195), with swift-crypto's HMAC-MD5.
enum CRAMMD5Client {
    static func login(_ store: SQLAccountStore, _ username: String, password: String) async throws -> SASLStep {
        var exchange = SASLServerExchange(mechanism: .cramMD5, serverName: "mail.example", nonce: SASLNonce.make(),
                                          initialResponse: nil)
        guard case .challenge(let challenge) = exchange.start() else { throw TestSetupError("no challenge") }
        let digest = HMAC<Insecure.MD5>.authenticationCode(for: challenge, using: SymmetricKey(data: Array(password.utf8)))
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        guard exchange.receive(Array("\(username) \(hex)".utf8)) == .lookupCredentials(username: username) else {
            throw TestSetupError("no lookup")
        }
        return exchange.credentialsFound(try await credentials(store, username))
    }
}
