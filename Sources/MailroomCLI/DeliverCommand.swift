// `mailroom deliver --to ADDRESS [--from SENDER]` — the local delivery agent: reads one message on
// standard input and stores it in the Maildir of every mailbox the address stands for, for an
// MTA's pipe (Postfix pipe(8), qmail's `|command` in a .qmail file) while Mailroom's own SMTP
// service is not there yet. It plays the part of dovecot-lda / maildrop / vdelivermail.
//
// Steps: read the message (at most storage.max_message_bytes) → drop a leading mbox "From " line
// → refuse a mail loop (a Delivered-To: header naming this recipient already) → resolve the
// address in the account store (users, aliases with keep-copy, domain aliases, extensions,
// catch-alls; nested at most `maximumAliasNesting` deep) → prepend Return-Path: and Delivered-To:
// (RFC 5321 §4.4; Postfix local(8) and qmail-local write Delivered-To the same way) → deliver
// one copy per mailbox through the storage engine (tmp → fsync → rename into new/ → fsync).
//
// All or nothing: every target is resolved before anything is written. An alias that reaches an
// external address cannot be served without the outbound queue (a later issue), so then nothing
// is delivered and the exit is temporary: the MTA keeps the message and retries, and no mailbox
// gets a second copy on the retry. Likewise an alias target that does not exist is a
// configuration problem (4.3.5, temporary, like dovecot-lda's "probably a configuration
// problem"), not a reason to drop the mail or to deliver to half the targets.
//
// Exit status (sysexits.h) and the one line on standard error, which starts with the RFC 3463
// enhanced status code because Postfix's pipe(8) takes "D.S.N text" at the start of a command's
// output as the delivery status (global/pipe_command.c) and its class decides bounce or retry:
//   0  delivered to every mailbox;
//   64 EX_USAGE     bad --from (5.1.7);
//   65 EX_DATAERR   empty message (5.6.0), message larger than storage.max_message_bytes (5.3.4),
//                   mail loop: Delivered-To: already names the recipient, or aliases that only
//                   lead back to themselves or nest too deep (5.4.6, as Postfix local bounces it);
//   67 EX_NOUSER    unknown user (5.1.1), bad address (5.1.3), domain not hosted here (5.1.2) or
//                   disabled (5.2.1);
//   75 EX_TEMPFAIL  anything that may pass later: store unreachable (4.4.3), configuration (4.3.5),
//                   disk full (4.3.1), I/O or lock trouble (4.3.0), external alias targets (4.3.0),
//                   mailbox full with storage.quota_full_tempfail = true (4.2.2);
//   77 EX_NOPERM    mailbox full (5.2.2) — dovecot-lda -e exits EX_NOPERM there too.
// With --exit-codes qmail, permanent failures exit 100 and temporary ones 111 (qmail-command(8):
// qmail takes 67 and 75 alike as temporary).
//
// Configuration: storage.max_message_bytes, storage.quota_full_tempfail and the storage.* keys
// of MaildirOptions (see MaildirCommands.swift); the account store from [store].
// Security: the message is untrusted input: it is size-limited before it is held, only its
// header section is scanned, and nothing in it chooses a path. --to and --from come from the MTA
// (the sender address from a remote client): --from is refused if it contains a control
// character, space or angle bracket, so it cannot inject a header line. Run it as the user that
// owns the mail volume (Postfix pipe's user=), never as root. The account store is only read:
// deliver never migrates the schema; a schema that is not current is a temporary failure.
//
// XXX: a delivery to several mailboxes that fails part-way (disk full on the second volume after
// the first copy is on disk) exits 75 and the retry delivers the first copy again. Quota, the
// predictable failure, is checked for every mailbox before the first copy; closing the rest of
// the window needs a two-phase delivery in the engine (write every tmp file, then rename them
// all), or the queue, which will deliver per recipient.

import ArgumentParser
import Foundation
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomSMTP
import MailroomStore
#if canImport(Glibc)
import Glibc
#endif

/// <sysexits.h> codes a local delivery agent reports to its MTA.
enum SysExit: Int32, Sendable {
    case usage = 64, dataError = 65, noUser = 67, temporaryFailure = 75, noPermission = 77

    /// qmail-command(8): 100 permanent, 111 temporary.
    static let qmailPermanent: Int32 = 100
    static let qmailTemporary: Int32 = 111
}

/// Why a message was not delivered: the exit status and the line for the MTA.
struct DeliveryRefusal: Error, Sendable, CustomStringConvertible {
    var exit: SysExit
    var status: EnhancedStatusCode
    var text: String

    /// "5.2.2 mailroom deliver: …" on one line.
    var description: String {
        let oneLine = String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
        return "\(status) mailroom deliver: \(oneLine)"
    }

    func exitCode(_ style: DeliverCommand.ExitCodes) -> Int32 {
        switch style {
        case .sysexits: exit.rawValue
        case .qmail: exit == .temporaryFailure ? SysExit.qmailTemporary : SysExit.qmailPermanent
        }
    }

    static func temporary(_ status: EnhancedStatusCode, _ text: String) -> DeliveryRefusal {
        DeliveryRefusal(exit: .temporaryFailure, status: status, text: text)
    }
}

struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver",
        abstract: "Deliver a message from standard input to a local address (for an MTA's pipe).",
        discussion: """
            Exit status (sysexits): 0 delivered; 65 message refused (too large, empty, mail loop); \
            67 unknown user or domain; 75 temporary failure (retry later); 77 mailbox full. \
            Standard error gets one line starting with an RFC 3463 status code, e.g. \
            "5.2.2 mailroom deliver: mailbox full: …". See docs/storage-layout.md.
            """)

    enum ExitCodes: String, ExpressibleByArgument, Sendable {
        case sysexits, qmail
    }

    @Option(name: .long, help: "Recipient address (Postfix: ${recipient}).") var to: String
    @Option(name: .long, help: "Envelope sender for Return-Path: (Postfix: ${sender}); \"\" for a bounce.") var from: String?
    @Option(name: .long, help: "Configuration file (default: embedded defaults).") var config: String?
    @Option(name: .long, help: "sysexits (Postfix pipe, default) or qmail (100 permanent, 111 temporary).")
    var exitCodes: ExitCodes = .sysexits

    func run() async throws {
        do {
            try await LocalDelivery.run(to: to, from: from, configPath: config)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(error.exitCode(exitCodes))
        }
    }
}

/// The delivery itself; every failure is a `DeliveryRefusal`.
enum LocalDelivery {
    /// RFC 5321 §4.5.3.1.3: a reverse-path is at most 256 octets, angle brackets included.
    static let maximumReversePathLength = 256
    /// How deep aliases may point to aliases (sendmail's MAXRCRSN is 10 as well).
    static let maximumAliasNesting = 10

    static func run(to: String, from: String?, configPath: String?) async throws(DeliveryRefusal) {
        let recipient = try recipientAddress(to)
        let returnPath = try from.map(reversePath)
        let config: MailroomConfig
        do {
            config = try MailroomConfig.load(path: configPath)
        } catch {
            throw .temporary(.systemIncorrectlyConfigured, "configuration is invalid: \(error)")
        }
        let raw = try readStandardInput(limit: config.storage.maxMessageBytes)
        let message = try prepare(raw, recipient: recipient, returnPath: returnPath)
        let mailboxes = try await resolve(recipient, config: config)
        try store(message, in: mailboxes, config: config)
    }

    // MARK: Arguments

    static func recipientAddress(_ text: String) throws(DeliveryRefusal) -> EmailAddress {
        do {
            return try EmailAddress(stripAngleBrackets(text))
        } catch {
            throw DeliveryRefusal(exit: .noUser, status: .badDestinationMailboxSyntax, text: "recipient '\(text)': \(error)")
        }
    }

    /// The sender as it goes into Return-Path: (without brackets; "" for the null reverse-path).
    /// It is not normalized: VERP and SRS senders are case-sensitive.
    static func reversePath(_ text: String) throws(DeliveryRefusal) -> String {
        let path = stripAngleBrackets(text)
        func refuse(_ why: String) -> DeliveryRefusal {
            DeliveryRefusal(exit: .usage, status: .badSenderMailboxSyntax, text: "sender '\(text)': \(why)")
        }
        if path.utf8.count + 2 > maximumReversePathLength {
            throw refuse("longer than \(maximumReversePathLength) octets (RFC 5321 §4.5.3.1.3)")
        }
        if path.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">"
                                                 || $0.properties.generalCategory == .control }) {
            throw refuse("contains a space, control character or angle bracket")
        }
        return path
    }

    static func stripAngleBrackets(_ text: String) -> String {
        text.hasPrefix("<") && text.hasSuffix(">") && text.count >= 2 ? String(text.dropFirst().dropLast()) : text
    }

    // MARK: The message

    /// Standard input, refused once it passes `limit` bytes (without reading the rest).
    static func readStandardInput(limit: Int) throws(DeliveryRefusal) -> [UInt8] {
        var message: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .temporary(.mailSystemTemporaryFailure, "cannot read the message: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return message }
            if message.count + n > limit {
                throw DeliveryRefusal(exit: .dataError, status: .messageTooBig,
                                      text: "message is larger than \(limit) bytes (storage.max_message_bytes)")
            }
            message.append(contentsOf: buffer[0..<n])
        }
    }

    /// The message as stored: a leading mbox "From " line dropped (Postfix pipe flag F, as
    /// dovecot-lda drops it), Return-Path: and Delivered-To: prepended with the message's own
    /// line ends. Refuses an empty message and a mail loop.
    static func prepare(_ raw: [UInt8], recipient: EmailAddress, returnPath: String?) throws(DeliveryRefusal) -> [UInt8] {
        var body = raw[...]
        if body.starts(with: Array("From ".utf8)) {
            body = body.firstIndex(of: 0x0A).map { body[($0 + 1)...] } ?? []
        }
        if body.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) {
            throw DeliveryRefusal(exit: .dataError, status: .mediaError, text: "the message is empty")
        }
        for value in headerValues(named: "Delivered-To", in: body) where sameAddress(value, recipient) {
            throw DeliveryRefusal(exit: .dataError, status: .routingLoop,
                                  text: "mail loop: the message was already delivered to \(recipient.ascii) (Delivered-To:)")
        }
        let crlf = body.firstIndex(of: 0x0A).map { $0 > body.startIndex && body[$0 - 1] == 0x0D } ?? false
        let eol = crlf ? "\r\n" : "\n"
        var header = ""
        if let returnPath { header += "Return-Path: <\(returnPath)>\(eol)" }
        // The ASCII form keeps the header ASCII whenever the local part is (RFC 6532 is needed
        // only for a UTF-8 local part, which requires SMTPUTF8 to have arrived at all).
        header += "Delivered-To: \(recipient.ascii)\(eol)"
        return Array(header.utf8) + body
    }

    /// Unfolded values of every `name:` field in the header section (up to the first empty line,
    /// or the first line that is neither a field nor a continuation).
    static func headerValues(named name: String, in message: ArraySlice<UInt8>) -> [String] {
        let wanted = Array(name.lowercased().utf8)
        var values: [String] = []
        var current: [UInt8]? = nil
        var start = message.startIndex
        while start < message.endIndex {
            let end = message[start...].firstIndex(of: 0x0A) ?? message.endIndex
            var line = message[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            start = end + 1
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09 {   // RFC 5322 §2.2.3 folding
                current?.append(contentsOf: line)
                continue
            }
            if let field = current { values.append(String(decoding: field, as: UTF8.self)) }
            current = nil
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { break }
            var fieldName = line[line.startIndex..<colon]
            while fieldName.last == 0x20 || fieldName.last == 0x09 { fieldName = fieldName.dropLast() }
            if fieldName.count == wanted.count, zip(fieldName, wanted).allSatisfy({ asciiLower($0) == $1 }) {
                current = Array(line[(colon + 1)...])
            }
        }
        if let field = current { values.append(String(decoding: field, as: UTF8.self)) }
        return values
    }

    static func asciiLower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 0x20 : byte }

    /// Delivered-To: values name the same mailbox: compared as addresses (case-insensitive, IDNA
    /// or Unicode domain alike), or as case-insensitive text when the value does not parse.
    static func sameAddress(_ value: String, _ address: EmailAddress) -> Bool {
        let text = stripAngleBrackets(value.trimmingCharacters(in: .whitespaces))
        if let parsed = try? EmailAddress(text) { return parsed.ascii == address.ascii }
        return text.lowercased() == address.ascii.lowercased() || text.lowercased() == address.unicode.lowercased()
    }

    // MARK: Resolution

    static func resolve(_ recipient: EmailAddress, config: MailroomConfig) async throws(DeliveryRefusal) -> [User] {
        let context: StoreContext
        do {
            context = try await StoreContext.open(config: config, migrate: false)
        } catch let error as StoreError {
            throw .temporary(.directoryServerFailure, "account store: \(error)")
        } catch {
            throw .temporary(.directoryServerFailure, "account store unreachable: \(error)")
        }
        var expansion = RecipientExpansion(store: context.store)
        do {
            try await expansion.expandTop(recipient)
        } catch let refusal as DeliveryRefusal {
            await context.store.close()
            throw refusal
        } catch {
            await context.store.close()
            throw .temporary(.directoryServerFailure, "account store lookup of \(recipient.ascii) failed: \(error)")
        }
        await context.store.close()
        return try expansion.verdict(for: recipient)
    }

    // MARK: Storing

    static func store(_ message: [UInt8], in users: [User], config: MailroomConfig) throws(DeliveryRefusal) {
        let tempfail = config.storage.quotaFullTempfail
        var maildirs: [UserMaildir] = []
        for user in users {
            do {
                let maildir = try UserMaildir(user: user, config: config)
                try maildir.createIfMissing()
                maildirs.append(maildir)
            } catch {
                throw .temporary(.mailSystemTemporaryFailure, "cannot create the Maildir of \(user.address): \(error)")
            }
        }
        // All or nothing where it can be known beforehand: quota (see the XXX in the header).
        if maildirs.count > 1 {
            for maildir in maildirs where maildir.storage.options.quota != .unlimited {
                let usage: QuotaUsage
                do throws(StorageError) {
                    usage = try maildir.storage.quota()
                } catch {
                    throw storageRefusal(error, maildir.user, quotaFullTempfail: tempfail, delivered: [])
                }
                if wouldExceed(usage, adding: Int64(message.count)) {
                    throw storageRefusal(.overQuota(usage), maildir.user, quotaFullTempfail: tempfail, delivered: [])
                }
            }
        }
        var delivered: [String] = []
        for maildir in maildirs {
            do throws(StorageError) {
                try maildir.storage.deliver(message, to: .inbox)
            } catch {
                throw storageRefusal(error, maildir.user, quotaFullTempfail: tempfail, delivered: delivered)
            }
            delivered.append(maildir.user.address)
        }
    }

    /// The engine's own rule (MaildirQuota): over when a total would pass its limit.
    static func wouldExceed(_ usage: QuotaUsage, adding bytes: Int64) -> Bool {
        if let limit = usage.limits.bytes, usage.bytes + bytes > limit { return true }
        if let limit = usage.limits.messages, usage.messages + 1 > limit { return true }
        return false
    }

    /// The one place storage errors become exit codes and status codes.
    static func storageRefusal(_ error: StorageError, _ user: User, quotaFullTempfail: Bool,
                               delivered: [String]) -> DeliveryRefusal {
        let partial = delivered.isEmpty ? "" : " (already delivered to \(delivered.joined(separator: ", ")))"
        switch error {
        case .overQuota:
            return quotaFullTempfail
                ? .temporary(.mailboxFullTemporary, "mailbox full: \(user.address): \(error)\(partial)")
                : DeliveryRefusal(exit: .noPermission, status: .mailboxFull, text: "mailbox full: \(user.address): \(error)\(partial)")
        case .noSpace:
            return .temporary(.mailSystemFull, "\(user.address): \(error)\(partial)")
        default:
            return .temporary(.mailSystemTemporaryFailure, "\(user.address): \(error)\(partial)")
        }
    }
}

/// Expands an address into mailboxes: aliases (with keep-copy), catch-alls, nested up to
/// `LocalDelivery.maximumAliasNesting`. Collects what cannot be delivered instead of stopping at
/// the first, so the refusal names all of it.
struct RecipientExpansion {
    let store: SQLAccountStore
    private(set) var mailboxes: [User] = []
    private var userIDs: Set<Int64> = []
    /// Addresses already expanded (a target reached twice is expanded once).
    private var expanded: Set<String> = []
    private(set) var external: [String] = []
    private(set) var broken: [String] = []
    private(set) var cycles: [String] = []
    private(set) var tooDeep: String? = nil

    init(store: SQLAccountStore) { self.store = store }

    /// The recipient itself: unknown, disabled or not hosted here is a permanent refusal.
    mutating func expandTop(_ recipient: EmailAddress) async throws {
        let resolution = try await store.resolveRecipient(recipient)
        switch resolution {
        case .unknownUser:
            throw DeliveryRefusal(exit: .noUser, status: .badDestinationMailbox, text: "no such user here: \(recipient.ascii)")
        case .domainInactive:
            throw DeliveryRefusal(exit: .noUser, status: .mailboxDisabled, text: "domain \(recipient.domain.ascii) is disabled")
        case .notLocal:
            throw DeliveryRefusal(exit: .noUser, status: .badDestinationSystem,
                                  text: "domain \(recipient.domain.ascii) is not hosted here")
        default:
            expanded.insert(recipient.ascii)
            try await follow(resolution, path: [recipient.ascii])
        }
    }

    private mutating func follow(_ resolution: RecipientResolution, path: [String]) async throws {
        switch resolution {
        case .mailbox(let user):
            add(user)
        case .alias(let address, let targets, let keepCopy):
            if let keepCopy { add(keepCopy) }
            let path = path.last == address ? path : path + [address]
            for target in targets { try await visit(target, path: path) }
        case .catchAll(_, let target):
            try await visit(target, path: path)
        case .unknownUser, .domainInactive, .notLocal:
            break   // handled by the caller, which knows the address
        }
    }

    private mutating func visit(_ target: String, path: [String]) async throws {
        let via = path.joined(separator: " → ")
        guard let address = try? EmailAddress(target) else {
            broken.append("\(target) (via \(via)) is not a valid address")
            return
        }
        let key = address.ascii
        if path.contains(key) {
            cycles.append((path + [key]).joined(separator: " → "))
            return
        }
        if !expanded.insert(key).inserted { return }
        if path.count > LocalDelivery.maximumAliasNesting {
            tooDeep = (path + [key]).joined(separator: " → ")
            return
        }
        let resolution = try await store.resolveRecipient(address)
        switch resolution {
        case .notLocal: external.append(key)
        case .unknownUser: broken.append("\(key) (via \(via)) does not exist")
        case .domainInactive: broken.append("\(key) (via \(via)) is in a disabled domain")
        default: try await follow(resolution, path: path + [key])
        }
    }

    private mutating func add(_ user: User) {
        if userIDs.insert(user.id).inserted { mailboxes.append(user) }
    }

    /// The mailboxes to deliver to, or why nothing may be delivered.
    func verdict(for recipient: EmailAddress) throws(DeliveryRefusal) -> [User] {
        var reasons: [String] = []
        if !external.isEmpty {
            reasons.append("forwarding to external addresses (\(external.joined(separator: ", "))) needs the SMTP queue, "
                           + "which is not available yet")
        }
        if !broken.isEmpty { reasons.append("alias target \(broken.joined(separator: "; "))") }
        if !reasons.isEmpty {
            throw .temporary(external.isEmpty ? .systemIncorrectlyConfigured : .mailSystemTemporaryFailure,
                             "\(recipient.ascii): \(reasons.joined(separator: "; ")); nothing was delivered")
        }
        if let tooDeep {
            throw DeliveryRefusal(exit: .dataError, status: .routingLoop,
                                  text: "aliases nest deeper than \(LocalDelivery.maximumAliasNesting): \(tooDeep)")
        }
        if mailboxes.isEmpty {
            throw DeliveryRefusal(exit: .dataError, status: .routingLoop,
                                  text: "alias loop without a mailbox: \(cycles.joined(separator: "; "))")
        }
        return mailboxes
    }
}
