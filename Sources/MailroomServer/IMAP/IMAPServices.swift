// IMAPServices — what every IMAP connection of one server shares, and the work its sessions
// ask for that touches the account store or the disk: checking a login (with the per-address
// throttle), counting a user's sessions, and opening a user's mail as an IMAPMailboxEngine.
//
// Standards: RFC 3501 §6.2.2–6.2.3 (AUTHENTICATE, LOGIN), RFC 5530 (AUTHENTICATIONFAILED,
// AUTHORIZATIONFAILED, CONTACTADMIN, UNAVAILABLE, LIMIT).
//
// Configuration: imap.* (session settings, failed_login_delay_seconds, client_failure_limit,
// client_failure_window_seconds, max_connections_per_user, max_append_bytes), storage.*
// (through DeliveryOptions → MaildirOptions, as local delivery builds a user's MaildirStorage),
// passwords.scram_iterations.
//
// Security:
// - Unknown users, wrong passwords and locked accounts are one outcome, `invalidCredentials`;
//   IMAP disabled and an inactive domain are told only after the password was verified.
// - XXX: for CRAM-MD5 and SCRAM-SHA-256 the store hands out no secrets for a user whose IMAP
//   access or domain is disabled, so such a login fails as AUTHENTICATIONFAILED rather than
//   with the specific reason LOGIN gives (the same as POP3).
// - A client address with imap.client_failure_limit failed logins within the window gets
//   NO [UNAVAILABLE] for every further login without the store being asked (LoginThrottle).
// - Mail is reached only through the user's own MaildirStorage, on the blocking pool; another
//   user's only for a URLFETCH or CATENATE whose URLAUTH URLs name them (`urlAuthOwners`),
//   which the engine then checks token and access of (IMAPMailboxEngine+URLAuth).

import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomIMAP
import MailroomMaildir
import MailroomSASL
import MailroomStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

final class IMAPServices: Sendable {
    let configuration: MailroomConfig
    let hostName: String
    /// [hostName], made once: every session's URLAUTH account holds it (shared, not copied).
    private let serverNames: [String]
    let store: any AccountStore
    let tls: NIOSSLContext?
    let blockingPool: NIOThreadPool
    let logger: Logger
    let throttle: LoginThrottle
    private let delivery: DeliveryOptions
    private let baseSessionConfiguration: IMAPSessionConfiguration
    /// Logged-in sessions per user (imap.max_connections_per_user).
    private let sessionsPerUser = NIOLockedValueBox<[String: Int]>([:])

    init(configuration: MailroomConfig, store: any AccountStore, tls: NIOSSLContext?, blockingPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        hostName = configuration.smtpHostName
        serverNames = [configuration.smtpHostName]
        self.store = store
        self.tls = tls
        self.blockingPool = blockingPool
        self.logger = logger
        let imap = configuration.imap
        throttle = LoginThrottle(limit: imap.clientFailureLimit, windowSeconds: imap.clientFailureWindowSeconds)
        delivery = DeliveryOptions(configuration: configuration)
        baseSessionConfiguration = IMAPSessionConfiguration(
            hostName: hostName,
            limits: IMAPLimits(commandBytes: imap.maxCommandBytes, preAuthCommandBytes: imap.maxPreauthCommandBytes,
                               appendLiteralBytes: imap.maxAppendBytes),
            maxBadCommands: imap.maxBadCommands, maxFailedLogins: imap.maxFailedLogins,
            saslMechanisms: configuration.imapAuthMechanisms, startTLSAvailable: tls != nil,
            scramIterations: configuration.passwords.scramIterations)
    }

    /// The settings of one session: LOGIN and PLAIN/LOGIN in clear only from loopback when
    /// imap.plaintext_auth_on_loopback allows it.
    func sessionConfiguration(loopback: Bool, tls: Bool) -> IMAPSessionConfiguration {
        var configuration = baseSessionConfiguration
        configuration.authRequiresTLS = !(loopback && self.configuration.imap.plaintextAuthOnLoopback)
        if tls { configuration.startTLSAvailable = false }
        return configuration
    }

    /// How long to wait before answering the `failures`th failed login of a connection.
    func failedLoginDelay(failures: Int) -> TimeAmount {
        .seconds(Int64(configuration.imap.failedLoginDelaySeconds) * Int64(max(1, failures)))
    }

    // MARK: Logins

    struct Verdict: Sendable {
        var outcome: IMAPAuthOutcome
        var user: User?
        var credentials: SASLCredentials?
        var reason: String?
    }

    func verifyPassword(username: String, password: String) async -> Verdict {
        switch await StoreLogin.password(store, username: username, password: password, service: .imap, logger: logger) {
        case .verified(let user): Verdict(outcome: .success(user: user.address), user: user)
        case .refused(let failure): Verdict(outcome: Self.outcome(of: failure), reason: failure.description)
        case .unavailable(let why): Verdict(outcome: .temporaryFailure, reason: why)
        }
    }

    func saslAccount(username: String) async -> Verdict {
        switch await StoreLogin.sasl(store, username: username, service: .imap, logger: logger) {
        case .verified(let account):
            Verdict(outcome: .success(user: account.user.address), user: account.user, credentials: account.credentials)
        case .refused(let failure): Verdict(outcome: .invalidCredentials, reason: failure.description)
        case .unavailable(let why): Verdict(outcome: .temporaryFailure, reason: why)
        }
    }

    static func outcome(of failure: AuthFailure) -> IMAPAuthOutcome {
        switch failure {
        case .invalidUsername, .unknownUser, .wrongPassword, .noPassword: .invalidCredentials
        case .disabled: .imapDisabled
        case .domainInactive, .tenantInactive: .accountUnavailable
        }
    }

    func recordLogin(_ user: User, client: IPAddress?) {
        store.recordLoginInBackground(user, service: .imap, client: client)
    }

    // MARK: Sessions per user

    /// Counts a session for `user`; false when imap.max_connections_per_user are open.
    func claimSession(_ user: String) -> Bool {
        sessionsPerUser.withLockedValue { counts in
            let now = counts[user, default: 0]
            guard now < configuration.imap.maxConnectionsPerUser else { return false }
            counts[user] = now + 1
            return true
        }
    }

    func releaseSession(_ user: String) {
        sessionsPerUser.withLockedValue { counts in
            let now = counts[user, default: 0] - 1
            counts[user] = now > 0 ? now : nil
        }
    }

    // MARK: Mail

    /// The user's mail as an engine (blocking: run on the pool). A Maildir that does not exist
    /// yet is created, as the first delivery would.
    func openMail(_ user: User) -> IMAPMailboxEngine? {
        do {
            let (storage, address) = try LocalDelivery.storage(for: user, options: delivery)
            if !FileManager.default.fileExists(atPath: "\(storage.root)/cur") {
                try MaildirLayout.createMailbox(volume: user.volumePath, address: address)
            }
            var options = IMAPMailboxEngine.Options()
            options.maxAppendBytes = configuration.imap.maxAppendBytes
            options.maxSearchUpdateContexts = configuration.imap.maxSearchContexts
            if let limit = user.maxMessageBytes { options.maxAppendBytes = min(options.maxAppendBytes, Int(clamping: limit)) }
            options.urlAuth = URLAuthAccount(user: user.address, serverNames: serverNames, keys: MaildirURLAuthKeys(root: storage.root))
            options.metadata = MaildirMetadataStore(root: storage.root)
            options.metadataLimits = MetadataLimits(maxValueBytes: configuration.imap.metadataMaxValueBytes,
                                                    maxEntriesPerMailbox: configuration.imap.metadataMaxEntries)
            return IMAPMailboxEngine(storage: storage, options: options)
        } catch {
            logger.error("cannot open mail", metadata: ["user": "\(user.address)", "error": "\(error)"])
            return nil
        }
    }

    /// The mail of the users a command's URLAUTH URLs name (IMAPMailboxEngine.urlOwners), by
    /// address; unknown users, and users whose domain is inactive or whose IMAP access is off,
    /// are left out (their URLs then fail). Opening a MaildirStorage touches no file.
    func urlAuthOwners(_ addresses: [String]) async -> [String: URLAuthOwnerMail] {
        var found: [String: URLAuthOwnerMail] = [:]
        for address in addresses.prefix(URLAuthLimits.ownersPerCommand) {
            guard let email = try? EmailAddress(address), let user = (try? await store.user(email)) ?? nil,
                  user.domainActive, !user.disabledServices.contains(.imap),
                  let (storage, _) = try? LocalDelivery.storage(for: user, options: delivery) else { continue }
            found[address] = URLAuthOwnerMail(storage: storage, keys: MaildirURLAuthKeys(root: storage.root))
        }
        return found
    }
}
