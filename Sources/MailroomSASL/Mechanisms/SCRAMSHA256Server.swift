// SCRAMSHA256Server — the server side of SCRAM-SHA-256, a sub-machine of SASLServerExchange.
//
// Standards: RFC 5802 §3 (the algorithm), §5 (messages; see Grammar/SCRAM*Message.swift),
// §5.1 (authzid, nonce, "m=" attributes), §9 (security); RFC 7677 (SHA-256, §3 example);
// RFC 4422 §3.3 (a client-first mechanism: without an initial response the server sends an
// empty challenge); RFC 4954 §4 (SMTP has no "additional data with success": the server-final
// message goes out as a challenge and the client answers it with an empty response).
//
//   start(nil)                   → challenge("")                         waitingForClientFirst
//   start(cf) / receive(cf)      → lookupCredentials(user)               waitingForCredentials
//   credentialsFound(c)          → challenge(server-first)               waitingForClientFinal
//   receive(client-final)        → challenge("v=" ServerSignature)       waitingForAcknowledgement
//   receive("")                  → success(user)
//
// Verification (RFC 5802 §3): AuthMessage = client-first-bare "," server-first ","
// client-final-without-proof; ClientSignature = HMAC(StoredKey, AuthMessage); ClientKey =
// ClientProof ⊕ ClientSignature; the proof is right when H(ClientKey) = StoredKey (compared in
// constant time). ServerSignature = HMAC(ServerKey, AuthMessage).
//
// Channel binding: not supported (no SCRAM-SHA-256-PLUS); "p=" in the GS2 header is malformed,
// "n" and "y" are accepted, and the final message must echo the GS2 header exactly.
//
// Security: an unknown or refused user (credentialsFound(nil)) gets a server-first message like
// anyone else's, with a salt that is stable for that name (HMAC-SHA-256 of the name under a
// key drawn at process start) and the usual iteration count, and fails only after the final
// message, with invalidCredentials: the exchange does not reveal which users exist. The server
// does no PBKDF2 work: verifying is a few HMACs.
//
// XXX: a known user without a SCRAM verifier (provisioned with only a hash) fails at once with
// mechanismUnavailable, which does tell that the account exists; the protocol layer may map
// it to the same reply as invalidCredentials.
// XXX: the fake salt's key changes at every restart, so someone who watches one name's salt
// across a restart can tell it is not a real account. A configured key would fix that.
// XXX: a user whose secret has a different iteration count than unknownUserIterations is
// distinguishable too (the server passes passwords.scram_iterations so they normally agree).

import Crypto
import MailroomCore

struct SCRAMSHA256Server: Sendable {
    enum State: Sendable, Equatable {
        case initial
        case waitingForClientFirst
        case waitingForCredentials(SCRAMClientFirstMessage)
        case waitingForClientFinal(SCRAMClientFirstMessage, serverFirst: [UInt8], verifier: SCRAMVerifier, knownUser: Bool)
        case waitingForAcknowledgement(username: String)
        case done
    }

    var state: State
    let serverNonce: String
    let limits: SASLLimits
    let unknownUserIterations: Int

    init(serverNonce: String, limits: SASLLimits, unknownUserIterations: Int, state: State = .initial) {
        self.serverNonce = serverNonce
        self.limits = limits
        self.unknownUserIterations = unknownUserIterations
        self.state = state
    }

    mutating func handle(_ event: SASLServerExchange.Event) -> SASLStep {
        do throws(SASLFailure) {
            switch (state, event) {
            case (.initial, .start(let initialResponse)):
                // s-nonce = printable (RFC 5802 §7); a caller's bad nonce is refused, not sent.
                guard SASLNonce.isPrintable(serverNonce) else {
                    throw .malformed("SCRAM: the server nonce is not printable ASCII without \",\"")
                }
                guard let initialResponse else {
                    state = .waitingForClientFirst
                    return .challenge([])
                }
                return try clientFirst(initialResponse)
            case (.waitingForClientFirst, .receive(let bytes)):
                return try clientFirst(bytes)
            case (.waitingForCredentials(let first), .credentialsFound(let credentials)):
                let verifier: SCRAMVerifier, known: Bool
                if let credentials {
                    guard let stored = credentials.scram else {
                        state = .done
                        return .failure(.mechanismUnavailable)
                    }
                    (verifier, known) = (stored, true)
                } else {
                    (verifier, known) = (Self.unknownUserVerifier(first.username, iterations: unknownUserIterations), false)
                }
                let serverFirst = SCRAMServerFirstMessage(
                    nonce: first.clientNonce + serverNonce, salt: verifier.salt, iterations: verifier.iterations).encoded
                state = .waitingForClientFinal(first, serverFirst: serverFirst, verifier: verifier, knownUser: known)
                return .challenge(serverFirst)
            case (.waitingForClientFinal(let first, let serverFirst, let verifier, let known), .receive(let bytes)):
                return try clientFinal(bytes, first: first, serverFirst: serverFirst, verifier: verifier, knownUser: known)
            case (.waitingForAcknowledgement(let username), .receive(let bytes)):
                state = .done
                guard bytes.isEmpty else {
                    throw .malformed("SCRAM: expected an empty response after the server's final message")
                }
                return .success(username: username)
            default:
                throw .malformed("SCRAM: unexpected \(event.name)")
            }
        } catch {
            state = .done
            return .failure(error)
        }
    }

    private mutating func clientFirst(_ bytes: [UInt8]) throws(SASLFailure) -> SASLStep {
        let first = try SCRAMClientFirstMessage(parsing: bytes, limits: limits)
        // RFC 5801 §4 / RFC 4422 §3.4.1: no proxy authorization; the authzid may only repeat
        // the user name.
        if let authzid = first.authorizationIdentity, authzid != first.username {
            state = .done
            return .failure(.authorizationDenied)
        }
        state = .waitingForCredentials(first)
        return .lookupCredentials(username: first.username)
    }

    private mutating func clientFinal(_ bytes: [UInt8], first: SCRAMClientFirstMessage, serverFirst: [UInt8],
                                      verifier: SCRAMVerifier, knownUser: Bool) throws(SASLFailure) -> SASLStep {
        let final = try SCRAMClientFinalMessage(parsing: bytes)
        // RFC 5802 §5.1: c= is the base64 of the GS2 header (no channel-binding data here).
        guard final.channelBinding == first.gs2Header else {
            throw .malformed("SCRAM: channel binding does not repeat the gs2 header")
        }
        guard final.nonce == first.clientNonce + serverNonce else {
            throw .malformed("SCRAM: nonce does not match")
        }
        guard final.proof.count == SHA256.byteCount else {
            throw .malformed("SCRAM: proof is not \(SHA256.byteCount) octets")
        }
        let authMessage = first.bare + [SCRAMGrammar.comma] + serverFirst + [SCRAMGrammar.comma] + final.withoutProof
        let clientSignature = Self.hmac(verifier.storedKey, authMessage)
        let clientKey = zip(final.proof, clientSignature).map { $0 ^ $1 }
        let proofMatches = ConstantTime.equal(Array(SHA256.hash(data: clientKey)), verifier.storedKey)
        guard proofMatches && knownUser else {
            state = .done
            return .failure(.invalidCredentials)
        }
        state = .waitingForAcknowledgement(username: first.username)
        return .challenge(SCRAMServerFinalMessage.verifier(Self.hmac(verifier.serverKey, authMessage)).encoded)
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Drawn once per process; keys the fake salts of unknown users.
    static let unknownUserKey: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }()

    /// A verifier no proof matches, with a salt that is the same for `username` every time in
    /// this process, so that repeated tries look like a real account's.
    static func unknownUserVerifier(_ username: String, iterations: Int) -> SCRAMVerifier {
        func derive(_ label: String) -> [UInt8] {
            hmac(unknownUserKey, Array(label.utf8) + [0] + Array(username.utf8))
        }
        return SCRAMVerifier(iterations: iterations, salt: Array(derive("salt").prefix(SCRAMVerifier.saltLength)),
                             storedKey: derive("stored"), serverKey: derive("server"))
    }
}
