// StoreLogin — the account-store questions a POP3 or IMAP login asks: is this password right
// for this service, and what are this user's SASL secrets. Each protocol turns the answer into
// its own outcome (RFC 3206 codes for POP3, RFC 5530 codes for IMAP).
//
// Security: a store that cannot answer is a temporary failure, logged here with the service's
// name; it is never taken for a wrong password (that would count against the client).

import Logging
import MailroomStore

enum StoreLogin {
    enum Answer<Value: Sendable>: Sendable {
        /// Verified (the password, or that the user exists and may use the service).
        case verified(Value)
        /// Refused by the store, with the reason.
        case refused(AuthFailure)
        /// The store did not answer; the text is for the log.
        case unavailable(String)
    }

    static func password(_ store: any AccountStore, username: String, password: String, service: Service,
                         logger: Logger) async -> Answer<User> {
        do {
            switch try await store.authenticate(username: username, password: password, service: service) {
            case .success(let user): return .verified(user)
            case .failure(let failure): return .refused(failure)
            }
        } catch {
            logger.warning("\(service.rawValue.uppercased()) login lookup failed", metadata: ["error": "\(error)"])
            return .unavailable("store: \(error)")
        }
    }

    static func sasl(_ store: any AccountStore, username: String, service: Service, logger: Logger) async -> Answer<SASLAccount> {
        do {
            switch try await store.saslAccount(username: username, service: service) {
            case .success(let account): return .verified(account)
            case .failure(let failure): return .refused(failure)
            }
        } catch {
            logger.warning("\(service.rawValue.uppercased()) login lookup failed", metadata: ["error": "\(error)"])
            return .unavailable("store: \(error)")
        }
    }
}
