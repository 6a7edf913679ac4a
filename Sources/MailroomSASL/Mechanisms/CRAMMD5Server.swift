// CRAMMD5Server — the server side of CRAM-MD5, a sub-machine of SASLServerExchange.
//
// Standards: RFC 2195 §2 (challenge, response, HMAC-MD5 digest), RFC 2104 (HMAC), RFC 4422
// §3.3 (CRAM-MD5 is server-first: an initial response, even an empty one, is an error).
//
//   start(nil)               → challenge(<nonce@serverName>)   waitingForResponse
//   receive("user digest")   → lookupCredentials(user)         waitingForCredentials
//   credentialsFound(c)      → success / failure(invalidCredentials)
//   credentialsFound(nil)    → failure(invalidCredentials)     (unknown or refused user)
//   no CRAM-MD5 secret       → failure(mechanismUnavailable)
//
// Security: the digest is compared in constant time against HMAC-MD5 computed from the stored
// states (CRAMMD5Secret); the password is never needed. CRAM-MD5 offers no protection against
// an offline dictionary attack on a captured exchange, nor mutual authentication: offer it
// over TLS only, and prefer SCRAM-SHA-256.
//
// XXX: "no secret stored" answers mechanismUnavailable while an unknown user answers
// invalidCredentials, so a client that sees the difference on the wire can tell an existing
// account without a CRAM-MD5 secret from a missing one (a deliberate choice: the user gets a
// useful error). Users without a secret are those provisioned with only a hash
// (docs/sql-provisioning.md). The protocol layer may map both to the same reply.

struct CRAMMD5Server: Sendable {
    enum State: Sendable, Equatable {
        case initial
        case waitingForResponse(challenge: [UInt8])
        case waitingForCredentials(challenge: [UInt8], response: CRAMMD5Response)
        case done
    }

    var state: State
    let challenge: CRAMMD5Challenge
    let limits: SASLLimits

    init(nonce: String, serverName: String, limits: SASLLimits, state: State = .initial) {
        self.challenge = CRAMMD5Challenge(nonce: nonce, serverName: serverName)
        self.limits = limits
        self.state = state
    }

    mutating func handle(_ event: SASLServerExchange.Event) -> SASLStep {
        do throws(SASLFailure) {
            switch (state, event) {
            case (.initial, .start(nil)):
                state = .waitingForResponse(challenge: challenge.encoded)
                return .challenge(challenge.encoded)
            case (.initial, .start(.some)):
                throw .malformed("CRAM-MD5: no initial response allowed (server-first mechanism)")
            case (.waitingForResponse(let challenge), .receive(let bytes)):
                let response = try CRAMMD5Response(parsing: bytes, limits: limits)
                state = .waitingForCredentials(challenge: challenge, response: response)
                return .lookupCredentials(username: response.username)
            case (.waitingForCredentials(let challenge, let response), .credentialsFound(let credentials)):
                state = .done
                guard let credentials else { return .failure(.invalidCredentials) }
                guard let secret = credentials.cramMD5 else { return .failure(.mechanismUnavailable) }
                return secret.matches(digest: response.digest, for: challenge)
                    ? .success(username: response.username) : .failure(.invalidCredentials)
            default:
                throw .malformed("CRAM-MD5: unexpected \(event.name)")
            }
        } catch {
            state = .done
            return .failure(error)
        }
    }
}
