// SASL secrets for the challenge-response mechanisms: AccountStore.saslAccount.
//
// Standards: RFC 5802 / RFC 7677 (SCRAM-SHA-256 verifier, kept in users.scram_sha256 in
// RFC 5803's form), RFC 2195 (CRAM-MD5 secret, kept in users.cram_md5 in Dovecot's layout).
// A user whose password_hash is itself a Dovecot {SCRAM-SHA-256} or {CRAM-MD5} value gets that
// secret from the hash, which wins over the column (the hash is what a password change writes).
//
// Configuration: passwords.store_cram_md5 — when off, no CRAM-MD5 secret is handed out, even one
// stored earlier or held by a {CRAM-MD5} hash ("turn it off to refuse CRAM-MD5 entirely",
// docs/passwords.md); store.cache_ttl_seconds (the user row comes from the same cache as
// authenticate's).
//
// Security: the account checks are authenticate's, in the same order, without the password: an
// unknown user, a locked account (empty or "!"/"*" hash — its SASL secrets are refused too, so
// locking by the hash locks every mechanism), an inactive domain or tenant, a disabled service.
// The reason is for the caller's log only; the SASL exchange must see nil (see the protocol's
// doc comment). Caching: the user row (hash and secrets included) is cached exactly as for
// authenticate — for store.cache_ttl_seconds at most, emptied by every change this process
// makes — so a password changed here is never answered with old secrets, and one changed by
// plain SQL is seen within the TTL, as for authenticate.
//
// XXX: a control panel that changes users.password_hash with plain SQL but leaves
// users.scram_sha256 and users.cram_md5 alone keeps the old password working for SCRAM and
// CRAM-MD5 (nothing ties the columns to the hash). docs/sql-provisioning.md should say to NULL
// them in the same UPDATE, or a migration could add a trigger that does it.

import MailroomCore
import MailroomSASL

extension SQLAccountStore {
    public func saslAccount(username: String, service: Service) async throws -> Result<SASLAccount, AuthFailure> {
        let address: EmailAddress
        switch Self.loginAddress(username) {
        case .success(let parsed): address = parsed
        case .failure(let failure): return .failure(failure)
        }
        guard let row = try await userRow(address) else { return .failure(.unknownUser) }
        if row.passwordHash.isEmpty || row.passwordHash.hasPrefix("!") || row.passwordHash.hasPrefix("*") {
            return .failure(.noPassword)
        }
        guard row.user.domainActive else { return .failure(.domainInactive) }
        guard row.tenantActive else { return .failure(.tenantInactive) }
        if row.user.disabledServices.contains(service) { return .failure(.disabled(service)) }
        return .success(SASLAccount(user: row.user, credentials: saslCredentials(row)))
    }

    /// The secrets of a user row: from a {SCRAM-SHA-256} / {CRAM-MD5} hash first, else from the
    /// scram_sha256 / cram_md5 columns; values that do not parse count as absent.
    func saslCredentials(_ row: UserRow) -> SASLCredentials {
        let fromHash = Passwords.saslCredentials(fromStored: row.passwordHash)
        let scram = fromHash.scram ?? row.scramSHA256.flatMap { SCRAMVerifier(rfc5803: $0) }
        let cram = options.passwordPolicy.storeCRAMMD5
            ? fromHash.cramMD5 ?? row.cramMD5.flatMap { CRAMMD5Secret(hex: $0) } : nil
        return SASLCredentials(scram: scram, cramMD5: cram)
    }
}
