// POP3Services — what every POP3 connection of one server shares, and the work its sessions ask
// for that touches the account store or the disk: checking a login (with the per-address
// throttle), opening and locking a maildrop, opening a message file to stream, and removing the
// marked messages at QUIT.
//
// Standards: RFC 1939 §8 (the maildrop is locked for the session; the listing is taken at
// login, so mail delivered meanwhile shows in the next session), §6 (deletions only in the
// UPDATE state), §7 (UIDL: unique and stable across sessions, see POP3UniqueID), RFC 2449 §8.1
// ([IN-USE], [LOGIN-DELAY]), RFC 3206 ([AUTH], [SYS/TEMP], [SYS/PERM]).
//
// Configuration: pop3.* (session settings, failed_login_delay_seconds, client_failure_limit,
// client_failure_window_seconds, login_delay_seconds), storage.* (through DeliveryOptions →
// MaildirOptions, as local delivery builds a user's MaildirStorage), passwords.scram_iterations.
//
// Security:
// - Unknown users, wrong passwords and locked accounts are one outcome, `invalidCredentials`;
//   POP3 disabled and an inactive domain are told only after the password was verified
//   (AccountStore.authenticate checks them after the password).
// - XXX: for CRAM-MD5 and SCRAM-SHA-256 the store hands out no secrets for a user whose POP3
//   access or domain is disabled (AccountStore.saslAccount), so such a login fails as
//   "[AUTH] Authentication failed" rather than with the specific reason USER/PASS gives. Safe,
//   only less helpful.
// - A client address with `pop3.client_failure_limit` failed logins within the window gets
//   "-ERR [SYS/TEMP]" for every further login without the store being asked, until its oldest
//   failure leaves the window (Dovecot's auth_penalty, fail2ban in-process). A successful login
//   does not reset the count: one known account must not buy unlimited guesses at others.
// - Maildir files are read only through MailroomMaildir (MaildirStorage), on the blocking pool.

import Foundation
import Logging
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomMaildir
import MailroomPOP3
import MailroomSASL
import MailroomStore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

final class POP3Services: Sendable {
    let configuration: MailroomConfig
    let hostName: String
    let store: any AccountStore
    let tls: NIOSSLContext?
    let blockingPool: NIOThreadPool
    let logger: Logger
    let throttle: LoginThrottle
    private let delivery: DeliveryOptions
    private let baseSessionConfiguration: POP3SessionConfiguration

    /// Octets read from a message file per step of RETR/TOP.
    static let chunkBytes = 64 * 1024

    init(configuration: MailroomConfig, store: any AccountStore, tls: NIOSSLContext?, blockingPool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        hostName = configuration.smtpHostName
        self.store = store
        self.tls = tls
        self.blockingPool = blockingPool
        self.logger = logger
        let pop3 = configuration.pop3
        throttle = LoginThrottle(limit: pop3.clientFailureLimit, windowSeconds: pop3.clientFailureWindowSeconds)
        delivery = DeliveryOptions(configuration: configuration)
        baseSessionConfiguration = POP3SessionConfiguration(
            hostName: hostName, limits: POP3Limits(commandLineBytes: pop3.maxCommandLineBytes),
            maxErrors: pop3.maxErrors, maxFailedLogins: pop3.maxFailedLogins,
            saslMechanisms: configuration.pop3AuthMechanisms, startTLSAvailable: tls != nil,
            expire: configuration.pop3ExpirePolicy,
            loginDelaySeconds: pop3.loginDelaySeconds > 0 ? pop3.loginDelaySeconds : nil,
            scramIterations: configuration.passwords.scramIterations)
    }

    /// The settings of one session: USER/PASS and AUTH PLAIN/LOGIN in clear only from loopback
    /// when pop3.plaintext_auth_on_loopback allows it.
    func sessionConfiguration(loopback: Bool) -> POP3SessionConfiguration {
        var configuration = baseSessionConfiguration
        configuration.authRequiresTLS = !(loopback && self.configuration.pop3.plaintextAuthOnLoopback)
        return configuration
    }

    /// How long to wait before answering the `failures`th failed login of a connection.
    func failedLoginDelay(failures: Int) -> TimeAmount {
        .seconds(Int64(configuration.pop3.failedLoginDelaySeconds) * Int64(max(1, failures)))
    }

    // MARK: Logins

    /// The store's verdict on a password, the user when it was right, and the reason of a
    /// refusal for the log.
    struct Verdict: Sendable {
        var outcome: POP3AuthOutcome
        var user: User?
        var credentials: SASLCredentials?
        var reason: String?
    }

    func verifyPassword(username: String, password: String) async -> Verdict {
        switch await StoreLogin.password(store, username: username, password: password, service: .pop3, logger: logger) {
        case .verified(let user): verified(user, credentials: nil)
        case .refused(let failure): Verdict(outcome: Self.outcome(of: failure), reason: failure.description)
        case .unavailable(let why): Verdict(outcome: .temporaryFailure, reason: why)
        }
    }

    /// The SASL secrets of a user (CRAM-MD5, SCRAM-SHA-256); nil credentials for any refusal,
    /// so the exchange fails only after the client's proof.
    func saslAccount(username: String) async -> Verdict {
        switch await StoreLogin.sasl(store, username: username, service: .pop3, logger: logger) {
        case .verified(let account): verified(account.user, credentials: account.credentials)
        case .refused(let failure): Verdict(outcome: .invalidCredentials, reason: failure.description)
        case .unavailable(let why): Verdict(outcome: .temporaryFailure, reason: why)
        }
    }

    /// A verified user: success, unless pop3.login_delay_seconds has not passed since the
    /// user's last POP3 login (RFC 2449 §8.1.1 [LOGIN-DELAY]).
    private func verified(_ user: User, credentials: SASLCredentials?) -> Verdict {
        let delay = Int64(configuration.pop3.loginDelaySeconds)
        if delay > 0, user.lastLoginService == Service.pop3.rawValue, let last = user.lastLoginAt,
           Int64(Date().timeIntervalSince1970) - last < delay {
            return Verdict(outcome: .loginDelay, user: user, credentials: credentials, reason: "login delay")
        }
        return Verdict(outcome: .success(user: user.address), user: user, credentials: credentials)
    }

    static func outcome(of failure: AuthFailure) -> POP3AuthOutcome {
        switch failure {
        case .invalidUsername, .unknownUser, .wrongPassword, .noPassword: .invalidCredentials
        case .disabled: .pop3Disabled
        case .domainInactive, .tenantInactive: .accountUnavailable
        }
    }

    func recordLogin(_ user: User, client: IPAddress?) {
        store.recordLoginInBackground(user, service: .pop3, client: client)
    }

    // MARK: Maildrop

    /// Opens `user`'s INBOX as a maildrop and locks it (blocking: run on the pool). A Maildir
    /// that does not exist yet is created, as the first delivery would.
    func openMaildrop(_ user: User) -> (POP3MaildropResult, OpenMaildrop?) {
        let storage: MaildirStorage
        do {
            let (made, address) = try LocalDelivery.storage(for: user, options: delivery)
            storage = made
            if !FileManager.default.fileExists(atPath: "\(storage.root)/cur") {
                try MaildirLayout.createMailbox(volume: user.volumePath, address: address)
            }
        } catch {
            logger.error("cannot open maildrop", metadata: ["user": "\(user.address)", "error": "\(error)"])
            return (.temporaryFailure, nil)
        }
        let lock: MaildropLock
        let listing: [(info: MessageInfo, file: String)]
        do throws(StorageError) {
            guard let taken = try storage.lockMaildrop() else { return (.inUse, nil) }
            lock = taken
            do throws(StorageError) {
                listing = try storage.openWithFiles(.inbox)
            } catch {
                lock.release()
                throw error
            }
        } catch {
            logger.error("cannot open maildrop", metadata: ["user": "\(user.address)", "error": "\(error)"])
            return (error.isTemporary ? .temporaryFailure : .permanentFailure, nil)
        }
        let maildrop = OpenMaildrop(user: user, storage: storage, lock: lock,
                                    uids: listing.map(\.info.uid), files: listing.map(\.file))
        let messages = listing.map { POP3MaildropMessage(size: Int($0.info.size), uniqueID: POP3UniqueID.of(file: $0.file)) }
        return (.opened(messages), maildrop)
    }

    /// Opens message `index` (0-based) of the maildrop and reads its first chunk (blocking).
    /// nil when the message is gone or cannot be read.
    func openMessage(_ maildrop: OpenMaildrop, index: Int, allocator: ByteBufferAllocator) -> (MessageFile, MessageFile.Chunk)? {
        var file = MessageFile.open(maildrop.files[index])
        if file == nil, let current = try? maildrop.storage.messageFile(.inbox, uid: maildrop.uids[index]) {
            // Renamed since login (another session changed its flags).
            file = MessageFile.open(current)
        }
        guard let file else { return nil }
        do {
            return (file, try file.read(Self.chunkBytes, allocator: allocator))
        } catch {
            logger.error("cannot read message", metadata: ["user": "\(maildrop.user.address)", "error": "\(error)"])
            file.close()
            return nil
        }
    }

    /// Removes the messages (UPDATE state, blocking). Committed when each is gone afterwards,
    /// whoever removed it.
    func expunge(_ maildrop: OpenMaildrop, uids: [UInt32]) -> POP3CommitResult {
        do throws(StorageError) {
            let removed = Set(try maildrop.storage.expunge(.inbox, uids: uids))
            for uid in uids where !removed.contains(uid) {
                if try maildrop.storage.messageFile(.inbox, uid: uid) != nil { return .failed }
            }
            return .committed
        } catch {
            logger.error("cannot remove messages", metadata: ["user": "\(maildrop.user.address)", "error": "\(error)"])
            return .failed
        }
    }
}

/// The maildrop of one logged-in session: its storage, the lock, and each message's UID and
/// file as listed at login (message n is index n - 1).
final class OpenMaildrop: Sendable {
    let user: User
    let storage: MaildirStorage
    let lock: MaildropLock
    let uids: [UInt32]
    let files: [String]

    init(user: User, storage: MaildirStorage, lock: MaildropLock, uids: [UInt32], files: [String]) {
        self.user = user
        self.storage = storage
        self.lock = lock
        self.uids = uids
        self.files = files
    }
}

/// A message file opened for RETR/TOP, read in chunks on the blocking pool. Used by one
/// connection, one read at a time.
final class MessageFile: @unchecked Sendable {
    private var fd: Int32

    /// Bytes read, and whether the file ended.
    struct Chunk: Sendable {
        var bytes: ByteBuffer
        var atEnd: Bool
    }

    private init(fd: Int32) { self.fd = fd }

    static func open(_ path: String) -> MessageFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        return fd >= 0 ? MessageFile(fd: fd) : nil
    }

    /// Up to `count` bytes; reads on until the chunk is full or the file ends.
    func read(_ count: Int, allocator: ByteBufferAllocator) throws -> Chunk {
        var buffer = allocator.buffer(capacity: count)
        var atEnd = false
        while buffer.readableBytes < count {
            let want = count - buffer.readableBytes
            var n = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                n = Glibc.read(fd, raw.baseAddress, want)
                return max(0, n)
            }
            if n == 0 {
                atEnd = true
                break
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw MessageFileError(code: errno)
            }
        }
        return Chunk(bytes: buffer, atEnd: atEnd)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    deinit { close() }
}

struct MessageFileError: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "read: \(String(cString: strerror(code)))" }
}
