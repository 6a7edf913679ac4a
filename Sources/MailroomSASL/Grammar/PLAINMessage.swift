// PLAINMessage — the one client message of the PLAIN mechanism.
//
// Standards: RFC 4616 §2 (grammar below): "The mechanism consists of a single message, a
// string of [UTF-8] encoded [Unicode] characters, from the client to the server"; authcid and
// passwd are non-empty; the server "MUST be capable of accepting authcid, authzid, and passwd
// of up to and including 255 octets" (SASLLimits.fieldBytes, default 1024).
//
// Security: the password is returned as a String for the store to hash-check and must not be
// logged. The authorization identity is only accepted when it equals the authentication
// identity (checked by the exchange): Mailroom has no proxy-authorization.
//
// XXX: RFC 4616 §2 asks the server to SASLprep (RFC 4013) authcid and passwd before checking
// them. Mailroom compares user names after its own address normalisation (lowercase) and hashes
// the password octets as sent, as Dovecot and Postfix do: the stored yescrypt hash was made
// from the password as typed. (SCRAM's secret is derived from the SASLprep'd password, see
// SASLprep.swift, because there the client prepares it before hashing.)

struct PLAINMessage: Sendable, Equatable {
    var authorizationIdentity: String
    var authenticationIdentity: String
    var password: String

    // message   = [authzid] UTF8NUL authcid UTF8NUL passwd
    // authcid   = 1*SAFE ; MUST accept up to 255 octets
    // authzid   = 1*SAFE ; MUST accept up to 255 octets
    // passwd    = 1*SAFE ; MUST accept up to 255 octets
    // UTF8NUL   = %x00 ; UTF-8 encoded NUL character
    // SAFE      = UTF1 / UTF2 / UTF3 / UTF4
    //             ;; any UTF-8 encoded Unicode character except NUL
    init(parsing message: [UInt8], limits: SASLLimits = SASLLimits()) throws(SASLFailure) {
        let parts = message.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("PLAIN: expected [authzid] NUL authcid NUL password")
        }
        guard let authzid = String(validating: Array(parts[0]), as: UTF8.self),
              let authcid = String(validating: Array(parts[1]), as: UTF8.self),
              let password = String(validating: Array(parts[2]), as: UTF8.self) else {
            throw .malformed("PLAIN: not UTF-8")
        }
        guard !authcid.isEmpty else { throw .malformed("PLAIN: empty authentication identity") }
        guard !password.isEmpty else { throw .malformed("PLAIN: empty password") }
        guard parts.allSatisfy({ $0.count <= limits.fieldBytes }) else {
            throw .malformed("PLAIN: a field is longer than \(limits.fieldBytes) octets")
        }
        self.authorizationIdentity = authzid
        self.authenticationIdentity = authcid
        self.password = password
    }

    init(authorizationIdentity: String = "", authenticationIdentity: String, password: String) {
        self.authorizationIdentity = authorizationIdentity
        self.authenticationIdentity = authenticationIdentity
        self.password = password
    }

    var encoded: [UInt8] {
        Array(authorizationIdentity.utf8) + [0] + Array(authenticationIdentity.utf8) + [0] + Array(password.utf8)
    }
}
