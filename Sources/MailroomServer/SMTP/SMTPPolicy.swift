// SMTPPolicy — the decisions the SMTP session asks its adapter for: may this sender be used,
// and is this recipient accepted (and delivered locally or relayed)? They need the account
// store, so they are async and live here, outside the pure session.
//
// Recipients (RFC 5321 §3.3, §4.5.1; qmail's rcpthosts + RELAYCLIENT, Postfix's
// reject_unauth_destination + reject_unlisted_recipient):
// - the unqualified <Postmaster> is always accepted (RFC 5321 §4.5.1);
// - a hosted domain (or one of its domain aliases): the store resolves the address; unknown
//   users get 550 5.1.1 at RCPT time, an inactive domain 550 5.2.1, a full mailbox 552 5.2.2
//   or, with storage.quota_full_tempfail, 452 4.2.2 — so no mail is accepted that would later
//   bounce to a forged sender;
// - any other domain, and every address literal, is relaying: allowed only to an
//   authenticated client or one in the store's relay networks; otherwise 550 5.7.1.
// Decisions are taken on the final mailbox after the grammar dropped any source route; "%" and
// "!" are never routing (see GrammarRelayCaseTests).
// Senders on submission (RFC 6409 §6.1, Postfix's reject_sender_login_mismatch):
// the domain's sender_login_match (`mailroom domain limits`), else smtp.sender_login_match:
// "aliases" lets a user send as their address, its +extensions and the aliases that lead to
// them; "domain" any address of their domain; "off" anything. The null sender is allowed
// (bounces, vacation replies).
// Message size: a mailbox's own or its domain's max_message_bytes (`mailroom user|domain
// limits`) is returned with the recipient, so the session refuses a larger message for that
// recipient with 552 5.3.4 (the SIZE parameter at RCPT, the real size at the end of DATA).
// A store failure is temporary: 451 4.3.0 (the client retries), never an accept.
// An alias or catch-all recipient carries no size limit of its own; each target's limit is
// applied when it is delivered (LocalDelivery.sizeRefusal: that target bounces with 5.3.4).

import Logging
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomSMTP
import MailroomStore

struct SMTPPolicy: Sendable {
    let store: any AccountStore
    let configuration: MailroomConfig
    let logger: Logger

    static let storeFailure = SMTPReply(code: 451, .mailSystemTemporaryFailure, "Temporary lookup failure, try again later")
    static let mailboxDisabled = SMTPReply(code: 550, .mailboxDisabled, "Recipient address rejected: mailbox disabled")
    static func senderNotOwned(_ user: String) -> SMTPReply {
        SMTPReply(code: 553, .deliveryNotAuthorized, "Sender address rejected: not owned by user \(user)")
    }

    // MARK: Recipients

    func recipient(_ path: ForwardPath, client: IPAddress?, authenticated: Bool) async -> RecipientVerdict {
        guard let mailbox = path.mailbox else { return .accepted(.local, maxMessageBytes: nil) }  // <Postmaster>
        do {
            if case .domain(let domain) = mailbox.domain, try await store.isLocalDomain(domain) {
                return try await localRecipient(mailbox)
            }
            if authenticated { return .accepted(.relay, maxMessageBytes: nil) }
            if let client, try await store.isRelayAllowed(client) { return .accepted(.relay, maxMessageBytes: nil) }
            return .rejected(.relayDenied)
        } catch {
            logger.warning("recipient lookup failed", metadata: ["rcpt": "\(mailbox)", "error": "\(error)"])
            return .rejected(Self.storeFailure)
        }
    }

    private func localRecipient(_ mailbox: Mailbox) async throws -> RecipientVerdict {
        let address: EmailAddress
        do {
            address = try mailbox.emailAddress()
        } catch {
            // Quoted text, "%", "!", "/" …: no hosted mailbox can have such a local part.
            return .rejected(.unknownUser)
        }
        switch try await store.resolveRecipient(address) {
        case .mailbox(let user):
            if let full = quotaRefusal(user) { return .rejected(full) }
            return .accepted(.local, maxMessageBytes: user.maxMessageBytes.map { Int(clamping: $0) })
        case .alias(_, _, let keepCopy):
            if let keepCopy, let full = quotaRefusal(keepCopy) { return .rejected(full) }
            return .accepted(.local, maxMessageBytes: nil)
        case .catchAll:
            return .accepted(.local, maxMessageBytes: nil)
        case .unknownUser, .notLocal:
            return .rejected(.unknownUser)
        case .domainInactive:
            return .rejected(Self.mailboxDisabled)
        }
    }

    /// The mailbox is already at its quota: refuse now rather than bounce later.
    private func quotaRefusal(_ user: User) -> SMTPReply? {
        guard user.quotaBytes != nil || user.quotaMessages != nil,
              let address = try? EmailAddress(user.address) else { return nil }
        let root = MaildirLayout.maildir(volume: user.volumePath, address: address)
        let storage = MaildirStorage(root: root, options: MaildirOptions(
            configuration: configuration, quota: QuotaLimits(bytes: user.quotaBytes, messages: user.quotaMessages)))
        guard let usage = try? storage.quota() else { return nil }
        let full = (usage.limits.bytes.map { usage.bytes >= $0 } ?? false)
            || (usage.limits.messages.map { usage.messages >= $0 } ?? false)
        guard full else { return nil }
        return configuration.storage.quotaFullTempfail ? .mailboxFullTemporary : .mailboxFull
    }

    // MARK: Senders

    func sender(_ path: ReversePath, authenticatedUser: User?) async -> SenderVerdict {
        guard let user = authenticatedUser, let mailbox = path.mailbox else { return .accepted }
        switch user.domainSenderLoginMatch ?? configuration.smtp.senderLoginMatch {
        case "off":
            return .accepted
        case "domain":
            guard case .domain(let domain) = mailbox.domain, domain.ascii == user.domain else {
                return .rejected(Self.senderNotOwned(user.address))
            }
            return .accepted
        default:
            guard let address = try? mailbox.emailAddress() else { return .rejected(Self.senderNotOwned(user.address)) }
            if address.ascii.lowercased() == user.address.lowercased() { return .accepted }
            do {
                switch try await store.resolveRecipient(address) {
                case .mailbox(let owner) where owner.id == user.id:
                    return .accepted
                case .alias(_, let targets, let keepCopy):
                    if keepCopy?.id == user.id || targets.contains(where: { $0.lowercased() == user.address.lowercased() }) {
                        return .accepted
                    }
                default:
                    break
                }
                return .rejected(Self.senderNotOwned(user.address))
            } catch {
                logger.warning("sender lookup failed", metadata: ["from": "\(mailbox)", "error": "\(error)"])
                return .rejected(Self.storeFailure)
            }
        }
    }
}
