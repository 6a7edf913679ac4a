// SASLCredentials — the stored secrets a challenge-response mechanism needs for one user.
//
// Standards: RFC 5802 §3 / RFC 5803 (SCRAM verifier), RFC 2195 (CRAM-MD5 secret).
// The account store fills it from users.scram_sha256 / users.cram_md5 (or from a
// {SCRAM-SHA-256} / {CRAM-MD5} password hash); a nil member means the user has no secret for
// that mechanism (the exchange then fails with SASLFailure.mechanismUnavailable).
//
// Security: cramMD5 is password-equivalent for CRAM-MD5; do not log either member.

public struct SASLCredentials: Sendable, Equatable {
    public var scram: SCRAMVerifier?
    public var cramMD5: CRAMMD5Secret?

    public init(scram: SCRAMVerifier? = nil, cramMD5: CRAMMD5Secret? = nil) {
        self.scram = scram
        self.cramMD5 = cramMD5
    }
}
