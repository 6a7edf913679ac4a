// LOGINServer — the server side of the LOGIN mechanism, a sub-machine of SASLServerExchange.
//
// Standards: draft-murchison-sasl-login-00 (never an RFC; what Outlook and many old clients
// speak): the server sends "Username:" then "Password:"; the client answers each with the
// value. A client may send the user name as an initial response (RFC 4954 §4 style), which
// skips the first challenge; an empty initial response is an empty user name and refused.
//
//   start(nil)                 → challenge("Username:")  waitingForUsername
//   start(user) / receive(user)→ challenge("Password:")  waitingForPassword
//   receive(password)          → verifyPassword          waitingForPasswordCheck
//   passwordVerified(ok)       → success / failure(invalidCredentials)
//
// Security: user name and password must be non-empty UTF-8 without NUL, at most
// SASLLimits.fieldBytes octets; the password leaves only in the verifyPassword step.

struct LOGINServer: Sendable {
    enum State: Sendable, Equatable {
        case initial
        case waitingForUsername
        case waitingForPassword(username: String)
        case waitingForPasswordCheck(username: String)
        case done
    }

    static let usernameChallenge = Array("Username:".utf8)
    static let passwordChallenge = Array("Password:".utf8)

    var state: State
    let limits: SASLLimits

    init(limits: SASLLimits, state: State = .initial) {
        self.limits = limits
        self.state = state
    }

    mutating func handle(_ event: SASLServerExchange.Event) -> SASLStep {
        do throws(SASLFailure) {
            switch (state, event) {
            case (.initial, .start(nil)):
                state = .waitingForUsername
                return .challenge(Self.usernameChallenge)
            case (.initial, .start(let response?)), (.waitingForUsername, .receive(let response)):
                let username = try field(response, "user name")
                state = .waitingForPassword(username: username)
                return .challenge(Self.passwordChallenge)
            case (.waitingForPassword(let username), .receive(let response)):
                let password = try field(response, "password")
                state = .waitingForPasswordCheck(username: username)
                return .verifyPassword(username: username, password: password)
            case (.waitingForPasswordCheck(let username), .passwordVerified(let ok)):
                state = .done
                return ok ? .success(username: username) : .failure(.invalidCredentials)
            default:
                throw .malformed("LOGIN: unexpected \(event.name)")
            }
        } catch {
            state = .done
            return .failure(error)
        }
    }

    private func field(_ bytes: [UInt8], _ what: String) throws(SASLFailure) -> String {
        guard !bytes.isEmpty else { throw .malformed("LOGIN: empty \(what)") }
        guard bytes.count <= limits.fieldBytes else {
            throw .malformed("LOGIN: \(what) longer than \(limits.fieldBytes) octets")
        }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("LOGIN: \(what) is not UTF-8 without NUL")
        }
        return text
    }
}
