// RecipientExpansion — turns one recipient address into the mailboxes and external addresses
// it stands for: aliases with several targets, aliases of aliases, forwards with or without a
// kept copy, catch-alls and domain aliases (docs/design.md "Aliases, forwards and catch-alls";
// the account store resolves one level, this follows the rest).
//
// Rules:
//   - a mailbox reached more than once (two aliases, an extension, a domain alias) counts once;
//   - an address reached twice is expanded once;
//   - a cycle (an address that leads back to itself) is cut where it closes, and is a loop
//     (5.4.6) only if it leaves no mailbox and no external address at all;
//   - nesting deeper than the limit (`DeliveryOptions.maxAliasNesting`, 10 like sendmail's
//     MAXRCRSN: the recipient plus 10 aliases below it) is a loop (5.4.6), whatever else it
//     reached — so neither a cycle nor a long chain can make expansion run forever, and at
//     most `maximumExpandedAddresses` addresses are looked up;
//   - a target in a domain not hosted here is external (remote delivery); an alias target
//     that does not exist, is in a disabled domain or is not an address is "broken": a
//     configuration problem, which the callers treat as temporary (4.3.5), like dovecot-lda.
// The walk is pure apart from the `resolve` function it is given, so tests drive it with a
// dictionary; `RecipientExpansion.store(_:)` makes one over the account store.

import MailroomCore
import MailroomSMTP
import MailroomStore

/// One level of resolution, as the account store answers it (generic over the mailbox type so
/// the walk can be tested without a store).
public enum AddressResolution<Mailbox: Sendable>: Sendable {
    case mailbox(Mailbox)
    case alias(address: String, targets: [String], keepCopy: Mailbox?)
    case catchAll(address: String, target: String)
    case unknownUser
    case domainInactive
    case notLocal
}

/// What one recipient expands to.
public struct Expansion<Mailbox: Sendable>: Sendable {
    /// What the recipient itself is.
    public enum Top: Sendable, Equatable {
        /// A mailbox, alias or catch-all of a hosted domain: see the lists below.
        case local
        case unknownUser
        case domainInactive
        /// Not a domain hosted here: deliver remotely.
        case notLocal
    }

    public var top: Top
    /// Mailboxes to deliver to, each once, in the order reached.
    public var mailboxes: [Mailbox] = []
    /// Addresses outside the hosted domains (ASCII form), each once.
    public var external: [String] = []
    /// Alias targets that cannot be used, with the path that reached them.
    public var broken: [String] = []
    /// Cycles found, as "a → b → a".
    public var cycles: [String] = []
    /// The first path that went deeper than the limit.
    public var tooDeep: String?

    public init(top: Top) { self.top = top }

    /// Whether the recipient leads to more than one destination (RFC 3461 §5.2.7: "expanded").
    public var destinationCount: Int { mailboxes.count + external.count }
}

public struct RecipientExpansion<Mailbox: Sendable>: Sendable {
    public typealias Resolve = @Sendable (EmailAddress) async throws -> AddressResolution<Mailbox>

    /// Addresses one expansion may look up at most (a wide alias tree is refused as a loop).
    public static var maximumExpandedAddresses: Int { 1000 }

    let resolve: Resolve
    let identity: @Sendable (Mailbox) -> Int64
    public let maximumNesting: Int

    public init(maximumNesting: Int = DeliveryOptions.defaultMaxAliasNesting,
                identity: @escaping @Sendable (Mailbox) -> Int64, resolve: @escaping Resolve) {
        self.maximumNesting = maximumNesting
        self.identity = identity
        self.resolve = resolve
    }

    /// Expands `recipient`; store errors are thrown as they come.
    public func expand(_ recipient: EmailAddress) async throws -> Expansion<Mailbox> {
        var walk = Walk(expansion: Expansion(top: .local))
        let resolution = try await resolve(recipient)
        switch resolution {
        case .unknownUser: return Expansion(top: .unknownUser)
        case .domainInactive: return Expansion(top: .domainInactive)
        case .notLocal: return Expansion(top: .notLocal)
        default:
            walk.expanded.insert(recipient.ascii)
            try await follow(resolution, path: [recipient.ascii], walk: &walk)
        }
        return walk.expansion
    }

    struct Walk {
        var expansion: Expansion<Mailbox>
        var mailboxIDs: Set<Int64> = []
        var externalSet: Set<String> = []
        var expanded: Set<String> = []
    }

    private func follow(_ resolution: AddressResolution<Mailbox>, path: [String], walk: inout Walk) async throws {
        switch resolution {
        case .mailbox(let mailbox):
            add(mailbox, &walk)
        case .alias(let address, let targets, let keepCopy):
            if let keepCopy { add(keepCopy, &walk) }
            let path = path.last == address ? path : path + [address]
            for target in targets { try await visit(target, path: path, walk: &walk) }
        case .catchAll(_, let target):
            try await visit(target, path: path, walk: &walk)
        case .unknownUser, .domainInactive, .notLocal:
            break   // handled by the caller, which knows the address
        }
    }

    private func visit(_ target: String, path: [String], walk: inout Walk) async throws {
        let via = path.joined(separator: " → ")
        guard let address = try? EmailAddress(target) else {
            walk.expansion.broken.append("\(target) (via \(via)) is not a valid address")
            return
        }
        let key = address.ascii
        if path.contains(key) {
            walk.expansion.cycles.append((path + [key]).joined(separator: " → "))
            return
        }
        if !walk.expanded.insert(key).inserted { return }
        if path.count > maximumNesting || walk.expanded.count > Self.maximumExpandedAddresses {
            if walk.expansion.tooDeep == nil { walk.expansion.tooDeep = (path + [key]).joined(separator: " → ") }
            return
        }
        let resolution = try await resolve(address)
        switch resolution {
        case .notLocal:
            if walk.externalSet.insert(key).inserted { walk.expansion.external.append(key) }
        case .unknownUser: walk.expansion.broken.append("\(key) (via \(via)) does not exist")
        case .domainInactive: walk.expansion.broken.append("\(key) (via \(via)) is in a disabled domain")
        default: try await follow(resolution, path: path + [key], walk: &walk)
        }
    }

    private func add(_ mailbox: Mailbox, _ walk: inout Walk) {
        if walk.mailboxIDs.insert(identity(mailbox)).inserted { walk.expansion.mailboxes.append(mailbox) }
    }
}

extension RecipientExpansion where Mailbox == User {
    /// Expansion over the account store (its lookups are cached for store.cache_ttl_seconds).
    public static func store(_ store: any AccountStore, maximumNesting: Int = DeliveryOptions.defaultMaxAliasNesting)
        -> RecipientExpansion<User> {
        RecipientExpansion(maximumNesting: maximumNesting, identity: { $0.id }) { address in
            switch try await store.resolveRecipient(address) {
            case .mailbox(let user): return .mailbox(user)
            case .alias(let address, let targets, let keepCopy): return .alias(address: address, targets: targets, keepCopy: keepCopy)
            case .catchAll(let address, let target): return .catchAll(address: address, target: target)
            case .unknownUser: return .unknownUser
            case .domainInactive: return .domainInactive
            case .notLocal: return .notLocal
            }
        }
    }
}

extension Expansion {
    /// The refusal for a recipient that is not a local address at all (unknown user, disabled
    /// or unhosted domain), as `mailroom deliver` reports it; nil for a local one.
    public func topRefusal(_ recipient: EmailAddress) -> DeliveryFailure? {
        switch top {
        case .local: nil
        case .unknownUser: DeliveryFailure(.unknownRecipient, .badDestinationMailbox, "no such user here: \(recipient.ascii)")
        case .domainInactive: DeliveryFailure(.unknownRecipient, .mailboxDisabled, "domain \(recipient.domain.ascii) is disabled")
        case .notLocal: DeliveryFailure(.unknownRecipient, .badDestinationSystem, "domain \(recipient.domain.ascii) is not hosted here")
        }
    }

    /// A loop that leaves nothing to deliver (nesting too deep, or cycles without a mailbox).
    public func loopRefusal(maximumNesting: Int) -> DeliveryFailure? {
        if let tooDeep {
            return DeliveryFailure(.invalidMessage, .routingLoop, "aliases nest deeper than \(maximumNesting): \(tooDeep)")
        }
        if mailboxes.isEmpty, external.isEmpty, broken.isEmpty {
            return DeliveryFailure(.invalidMessage, .routingLoop, "alias loop without a mailbox: \(cycles.joined(separator: "; "))")
        }
        return nil
    }

    /// Alias targets that cannot be used: a configuration problem (4.3.5), temporary.
    public var brokenFailure: DeliveryFailure? {
        broken.isEmpty ? nil : .temporary(.systemIncorrectlyConfigured, "alias target \(broken.joined(separator: "; "))")
    }
}
