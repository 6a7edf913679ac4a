// `mailroom deliver --to ADDRESS [--from SENDER]` — the local delivery agent: reads one message on
// standard input and stores it in the Maildir of every mailbox the address stands for, for an
// MTA's pipe (Postfix pipe(8), qmail's `|command` in a .qmail file) while Mailroom's own SMTP
// service is not there yet. It plays the part of dovecot-lda / maildrop / vdelivermail.
//
// This file is the thin caller: arguments, configuration, standard input, the account store,
// exit codes. The delivery itself is MailroomDelivery's `LocalDelivery`, shared with the queue.
// Steps: read the message (at most storage.max_message_bytes) → drop a leading mbox "From " line
// → refuse a mail loop (a Delivered-To: header naming this recipient already, or more Received:
// fields than queue.max_received_headers) → resolve the address in the account store (users,
// aliases with keep-copy, domain aliases, extensions, catch-alls; nested at most 10 deep) →
// prepend Return-Path: and Delivered-To: (RFC 5321 §4.4; Postfix local(8) and qmail-local write
// Delivered-To the same way) → deliver one copy per mailbox through the storage engine (tmp →
// fsync → rename into new/ → fsync).
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
//                   mail loop: Delivered-To: already names the recipient, too many Received:
//                   fields, or aliases that only lead back to themselves or nest too deep (5.4.6,
//                   as Postfix local bounces it);
//   67 EX_NOUSER    unknown user (5.1.1), bad address (5.1.3), domain not hosted here (5.1.2) or
//                   disabled (5.2.1);
//   75 EX_TEMPFAIL  anything that may pass later: store unreachable (4.4.3), configuration (4.3.5),
//                   disk full (4.3.1), I/O or lock trouble (4.3.0), external alias targets (4.3.0),
//                   mailbox full with storage.quota_full_tempfail = true (4.2.2);
//   77 EX_NOPERM    mailbox full (5.2.2) — dovecot-lda -e exits EX_NOPERM there too.
// With --exit-codes qmail, permanent failures exit 100 and temporary ones 111 (qmail-command(8):
// qmail takes 67 and 75 alike as temporary).
//
// Configuration: storage.max_message_bytes, storage.quota_full_tempfail, queue.max_received_headers,
// queue.max_alias_nesting and the storage.* keys of MaildirOptions (`DeliverySettings` below);
// the account store from [store].
// Security: the message is untrusted input: it is size-limited before it is held, only its
// header section is scanned, and nothing in it chooses a path. --to and --from come from the MTA
// (the sender address from a remote client): --from is refused if it contains a control
// character, space or angle bracket, so it cannot inject a header line. Run it as the user that
// owns the mail volume (Postfix pipe's user=), never as root. The account store is only read:
// deliver never migrates the schema; a schema that is not current is a temporary failure.
//
// XXX: a delivery to several mailboxes that fails part-way (disk full on the second volume after
// the first copy is on disk) exits 75 and the retry delivers the first copy again. Quota, the
// predictable failure, is checked for every mailbox before the first copy; Mailroom's own queue
// (`mailroom queue`) does not have this window.

import ArgumentParser
import Foundation
import MailroomConfig
import MailroomCore
import MailroomDelivery
import MailroomMaildir
import MailroomSMTP
import MailroomServer
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

    /// The one place a delivery failure becomes an exit status.
    init(_ kind: DeliveryFailure.Kind) {
        switch kind {
        case .invalidSender: self = .usage
        case .invalidMessage: self = .dataError
        case .unknownRecipient: self = .noUser
        case .temporary: self = .temporaryFailure
        case .mailboxFull: self = .noPermission
        }
    }
}

/// Why a message was not delivered: the exit status and the line for the MTA.
struct DeliveryRefusal: Error, Sendable, CustomStringConvertible {
    var failure: DeliveryFailure

    /// "5.2.2 mailroom deliver: …" on one line.
    var description: String { "\(failure.status) mailroom deliver: \(failure.oneLineText)" }

    func exitCode(_ style: DeliverCommand.ExitCodes) -> Int32 {
        let exit = SysExit(failure.kind)
        switch style {
        case .sysexits: return exit.rawValue
        case .qmail: return exit == .temporaryFailure ? SysExit.qmailTemporary : SysExit.qmailPermanent
        }
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
            try await DeliverFromStandardInput.run(to: to, from: from, configPath: config)
        } catch {
            let refusal = DeliveryRefusal(failure: error)
            FileHandle.standardError.write(Data("\(refusal)\n".utf8))
            throw ExitCode(refusal.exitCode(exitCodes))
        }
    }
}

/// The command's steps around `LocalDelivery`; every failure is a `DeliveryFailure`.
enum DeliverFromStandardInput {
    static func run(to: String, from: String?, configPath: String?) async throws(DeliveryFailure) {
        let recipient = try MessageHeaders.recipientAddress(to)
        let returnPath = try from.map(MessageHeaders.reversePath)
        let config: MailroomConfig
        do {
            config = try MailroomConfig.load(path: configPath)
        } catch {
            throw .temporary(.systemIncorrectlyConfigured, "configuration is invalid: \(error)")
        }
        let options = DeliverySettings.options(config)
        let raw = try readStandardInput(limit: options.maxMessageBytes)
        let message = try LocalDelivery.prepare(raw, recipient: recipient, returnPath: returnPath, options: options)
        let mailboxes = try await resolve(recipient, config: config, options: options)
        try LocalDelivery.store(message, in: mailboxes, options: options)
    }

    /// Standard input, refused once it passes `limit` bytes (without reading the rest).
    static func readStandardInput(limit: Int) throws(DeliveryFailure) -> [UInt8] {
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
                throw DeliveryFailure(.invalidMessage, .messageTooBig,
                                      "message is larger than \(limit) bytes (storage.max_message_bytes)")
            }
            message.append(contentsOf: buffer[0..<n])
        }
    }

    /// Opens the store read-only (deliver never migrates: a schema that is not current is a
    /// temporary failure), resolves, closes.
    static func resolve(_ recipient: EmailAddress, config: MailroomConfig,
                        options: DeliveryOptions) async throws(DeliveryFailure) -> [User] {
        let context: StoreContext
        do {
            context = try await StoreContext.open(config: config, migrate: false)
        } catch let error as StoreError {
            throw .temporary(.directoryServerFailure, "account store: \(error)")
        } catch {
            throw .temporary(.directoryServerFailure, "account store unreachable: \(error)")
        }
        do {
            let users = try await LocalDelivery.mailboxes(for: recipient, store: context.store, options: options)
            await context.store.close()
            return users
        } catch {
            await context.store.close()
            throw error
        }
    }
}

/// DeliveryOptions for the CLI's delivery commands (`deliver`, `queue run`): the server's
/// mapping of the storage.*, smtp.* and queue.* keys (MailroomServer's ConfigMapping), with
/// storage.max_message_bytes as the limit of what `deliver` reads.
enum DeliverySettings {
    static func options(_ config: MailroomConfig) -> DeliveryOptions {
        var options = DeliveryOptions(configuration: config)
        options.maxMessageBytes = config.storage.maxMessageBytes
        return options
    }
}
