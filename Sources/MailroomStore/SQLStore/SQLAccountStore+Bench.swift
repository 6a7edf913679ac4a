// The one store entry point that exists for measurement: `mailroom bench lookups`
// (scripts/bench/store) times the user lookup that authentication makes, without the password
// hashing that follows it, which is slow on purpose and would hide the store's own cost.
//
// Measures nothing itself and reads no configuration key; the lookup goes through the same
// store.cache_ttl_seconds cache as authenticate() (the benchmark opens the store with it off).
// Security: returns the User without its secrets; the hash never leaves the store.

import MailroomCore

extension SQLAccountStore {
    /// The lookup authenticate() makes before verifying the hash: the user at `address`
    /// (following domain aliases) loaded together with its password secrets, or nil when there
    /// is no such user. Nothing is hashed or verified and no login is recorded.
    public func loadUserForAuthentication(_ address: EmailAddress) async throws -> User? {
        try await userRow(address)?.user
    }
}
