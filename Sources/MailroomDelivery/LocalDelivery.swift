// LocalDelivery — one message to one local address, all or nothing: what `mailroom deliver`
// (an MTA's pipe, in the part of dovecot-lda / maildrop / vdelivermail) runs. The queue runner
// uses the same pieces (MessageHeaders, RecipientExpansion) but delivers per recipient and
// per mailbox with deterministic file names instead (QueueDelivery).
//
// Steps: `prepare` (drop a leading mbox "From " line, refuse an empty message and a mail loop —
// more Received: fields than the limit, or a Delivered-To: naming this recipient — and prepend
// Return-Path: and Delivered-To:) → `mailboxes` (resolve in the account store; every target is
// resolved before anything is written) → `store` (one copy per mailbox through the storage
// engine: tmp → fsync → rename into new/ → fsync new/).
//
// All or nothing: an alias that reaches an external address cannot be served without the
// queue, so then nothing is delivered and the failure is temporary (the MTA keeps the message
// and retries; no mailbox gets a second copy). An alias target that does not exist is a
// configuration problem (4.3.5, temporary). Quota, the predictable failure, is checked for every
// mailbox before the first copy.
//
// XXX: a delivery to several mailboxes that fails part-way (disk full on the second volume after
// the first copy is on disk) fails temporarily and the retry delivers the first copy again. The
// queue runner does not have this window: it names files after the queue ID and records each
// target, so a retry finds what is already there.
//
// Configuration: DeliveryOptions (storage.max_message_bytes, storage.quota_full_tempfail,
// smtp.max_received_headers and the storage.* keys of MaildirOptions).

import MailroomCore
import MailroomMaildir
import MailroomSMTP
import MailroomStore

public enum LocalDelivery {
    /// The message as stored: a leading mbox "From " line dropped (Postfix pipe flag F, as
    /// dovecot-lda drops it), Return-Path: and Delivered-To: prepended with the message's own
    /// line ends. Refuses an empty message and a mail loop.
    public static func prepare(_ raw: [UInt8], recipient: EmailAddress, returnPath: String?,
                               options: DeliveryOptions) throws(DeliveryFailure) -> [UInt8] {
        var body = raw[...]
        if body.starts(with: Array("From ".utf8)) {
            body = body.firstIndex(of: 0x0A).map { body[($0 + 1)...] } ?? []
        }
        if body.allSatisfy({ $0 == 0x0A || $0 == 0x0D }) {
            throw DeliveryFailure(.invalidMessage, .mediaError, "the message is empty")
        }
        let scan = HeaderScan(body)
        if let loop = MessageHeaders.loop(scan, recipient: recipient, maximumReceived: options.maxReceivedHeaders) {
            throw loop
        }
        return MessageHeaders.traceFields(returnPath: returnPath, deliveredTo: recipient, crlf: scan.crlf) + body
    }

    /// The mailboxes `recipient` stands for, or why nothing may be delivered.
    public static func mailboxes(for recipient: EmailAddress, store: any AccountStore,
                                 options: DeliveryOptions) async throws(DeliveryFailure) -> [User] {
        let expansion: Expansion<User>
        do {
            expansion = try await RecipientExpansion.store(store, maximumNesting: options.maxAliasNesting).expand(recipient)
        } catch {
            throw .temporary(.directoryServerFailure, "account store lookup of \(recipient.ascii) failed: \(error)")
        }
        return try verdict(expansion, for: recipient, maximumNesting: options.maxAliasNesting)
    }

    /// All or nothing over an expansion (see the header).
    public static func verdict<Mailbox>(_ expansion: Expansion<Mailbox>, for recipient: EmailAddress,
                                        maximumNesting: Int) throws(DeliveryFailure) -> [Mailbox] {
        if let refusal = expansion.topRefusal(recipient) { throw refusal }
        var reasons: [String] = []
        if !expansion.external.isEmpty {
            reasons.append("forwarding to external addresses (\(expansion.external.joined(separator: ", "))) needs the SMTP queue, "
                           + "which is not available yet")
        }
        if !expansion.broken.isEmpty { reasons.append("alias target \(expansion.broken.joined(separator: "; "))") }
        if !reasons.isEmpty {
            throw .temporary(expansion.external.isEmpty ? .systemIncorrectlyConfigured : .mailSystemTemporaryFailure,
                             "\(recipient.ascii): \(reasons.joined(separator: "; ")); nothing was delivered")
        }
        if let loop = expansion.loopRefusal(maximumNesting: maximumNesting) { throw loop }
        return expansion.mailboxes
    }

    /// The Maildir engine over a user's mailbox, with the user's quota.
    public static func storage(for user: User, options: DeliveryOptions) throws(DeliveryFailure) -> (MaildirStorage, EmailAddress) {
        let address: EmailAddress
        do {
            address = try EmailAddress(user.address)
        } catch {
            throw .temporary(.systemIncorrectlyConfigured, "user \(user.address) has an address the Maildir layout cannot use: \(error)")
        }
        var maildirOptions = options.maildir
        maildirOptions.quota = QuotaLimits(bytes: user.quotaBytes, messages: user.quotaMessages)
        let root = MaildirLayout.maildir(volume: user.volumePath, address: address)
        return (MaildirStorage(root: root, options: maildirOptions), address)
    }

    /// Creates a missing Maildir as `user add` does (Dovecot's LDA creates one on first
    /// delivery too); an existing one is left as it is.
    static func createIfMissing(_ storage: MaildirStorage, user: User, address: EmailAddress) throws(DeliveryFailure) {
        if ["cur", "new", "tmp"].allSatisfy({ FileChecks.isDirectory("\(storage.root)/\($0)") }) { return }
        do {
            _ = try MaildirLayout.createMailbox(volume: user.volumePath, address: address)
        } catch {
            throw .temporary(.mailSystemTemporaryFailure, "cannot create the Maildir of \(user.address): \(error)")
        }
    }

    /// Stores `message` in every mailbox, checking every quota first.
    public static func store(_ message: [UInt8], in users: [User], options: DeliveryOptions) throws(DeliveryFailure) {
        var maildirs: [(storage: MaildirStorage, user: User)] = []
        for user in users {
            if let refusal = sizeRefusal(user, bytes: message.count) { throw refusal }
            let (storage, address) = try storage(for: user, options: options)
            try createIfMissing(storage, user: user, address: address)
            maildirs.append((storage, user))
        }
        // All or nothing where it can be known beforehand: quota (see the XXX in the header).
        if maildirs.count > 1 {
            for (storage, user) in maildirs where storage.options.quota != .unlimited {
                let usage: QuotaUsage
                do throws(StorageError) {
                    usage = try storage.quota()
                } catch {
                    throw storageFailure(error, user, options: options, delivered: [])
                }
                if wouldExceed(usage, adding: Int64(message.count)) {
                    throw storageFailure(.overQuota(usage), user, options: options, delivered: [])
                }
            }
        }
        var delivered: [String] = []
        for (storage, user) in maildirs {
            do throws(StorageError) {
                try storage.deliver(message, to: .inbox)
            } catch {
                throw storageFailure(error, user, options: options, delivered: delivered)
            }
            delivered.append(user.address)
        }
    }

    /// The mailbox's own (or its domain's) max_message_bytes refuses a message of `bytes`
    /// (5.3.4): the limit SMTP applies at RCPT to a mailbox recipient, applied again when the
    /// mailbox is reached through an alias, a catch-all or `mailroom deliver`.
    public static func sizeRefusal(_ user: User, bytes: Int) -> DeliveryFailure? {
        guard let limit = user.maxMessageBytes, Int64(bytes) > limit else { return nil }
        return DeliveryFailure(.invalidMessage, .messageTooBig,
                               "message too big for \(user.address): \(bytes) bytes, the mailbox accepts at most \(limit)")
    }

    /// The engine's own rule (MaildirQuota): over when a total would pass its limit.
    public static func wouldExceed(_ usage: QuotaUsage, adding bytes: Int64) -> Bool {
        if let limit = usage.limits.bytes, usage.bytes + bytes > limit { return true }
        if let limit = usage.limits.messages, usage.messages + 1 > limit { return true }
        return false
    }

    /// The one place storage errors become delivery failures.
    public static func storageFailure(_ error: StorageError, _ user: User, options: DeliveryOptions,
                                      delivered: [String]) -> DeliveryFailure {
        let partial = delivered.isEmpty ? "" : " (already delivered to \(delivered.joined(separator: ", ")))"
        switch error {
        case .overQuota:
            return options.quotaFullTempfail
                ? .temporary(.mailboxFullTemporary, "mailbox full: \(user.address): \(error)\(partial)")
                : DeliveryFailure(.mailboxFull, .mailboxFull, "mailbox full: \(user.address): \(error)\(partial)")
        case .noSpace:
            return .temporary(.mailSystemFull, "\(user.address): \(error)\(partial)")
        default:
            return .temporary(.mailSystemTemporaryFailure, "\(user.address): \(error)\(partial)")
        }
    }
}
