// IMAPMailboxEngine — runs the IMAP commands that work on a user's mail (SELECT, LIST, FETCH,
// STORE, APPEND, …) against MailStorage, and keeps what the client knows of the selected
// mailbox (SelectedMailbox). The session (IMAPSession) decides whether a command may run; this
// type does it and produces the responses, tagged reply included.
//
// Standards: RFC 3501 §6.3–6.4 and RFC 9051 §6.3–6.4 (the commands), §7 (their responses),
// RFC 4315 (UIDPLUS: APPENDUID, COPYUID, UID EXPUNGE), RFC 6851 (MOVE), RFC 7162 (CONDSTORE:
// MODSEQ, HIGHESTMODSEQ, UNCHANGEDSINCE, CHANGEDSINCE), RFC 5161 (ENABLE), RFC 6855
// (UTF8=ACCEPT), RFC 9208 (QUOTA), RFC 5530 (response codes), RFC 7162 §3.2.11 / RFC 9051
// §7.1 (OK [CLOSED] when a SELECT replaces a selected mailbox), RFC 9051 (IMAP4rev2 after
// ENABLE IMAP4rev2: see IMAPRevision and IMAPMailboxEngine+Revision), RFC 5267 §4 (searches kept
// up to date with RETURN (UPDATE): IMAPMailboxEngine+Context), RFC 4469 (CATENATE:
// IMAPMailboxEngine+Catenate), RFC 4467 and RFC 5524 (URLAUTH: IMAPMailboxEngine+URLAuth),
// RFC 5464 (METADATA: IMAPMailboxEngine+Metadata).
//
// Threading: calls are synchronous and may block on the disk; the adapter runs them on its
// blocking pool, one at a time per connection (commands are answered in order). An internal
// lock makes a stray concurrent call safe, not useful.
//
// Security: the engine only reaches the mail through the MailStorage it was given (the user's
// own), and another user's only through a URLAUTH-authorized URL whose owner the adapter
// looked up for that one command (URLAuthOwnerMail); every sequence number and UID from the
// client is resolved against the selected mailbox, never used as an index unchecked. Storage
// errors become NO replies with the matching response code; nothing a client sends can make
// the engine stop the process.

import MailroomMaildir
import MailroomMIME
import NIOConcurrencyHelpers

public final class IMAPMailboxEngine: @unchecked Sendable {
    public struct Options: Sendable {
        /// The hierarchy delimiter's byte, for LIST.
        public var delimiter: UInt8 = MailboxPath.delimiterByte
        /// Largest APPEND (the user's own limit, after imap.max_append_bytes).
        public var maxAppendBytes: Int = IMAPLimits.defaultAppendLiteralBytes
        /// Searches kept with RETURN (UPDATE) at once (RFC 5267 §4.3; more get NO [NOUPDATE]).
        public var maxSearchUpdateContexts: Int = IMAPLimits.defaultSearchUpdateContexts
        /// URLAUTH (RFC 4467): the session's user and mailbox access keys. nil: GENURLAUTH,
        /// RESETKEY and URLFETCH answer NO, and CATENATE takes only relative URLs.
        public var urlAuth: URLAuthAccount?
        /// METADATA (RFC 5464): where the user's entries are kept. nil: GETMETADATA and
        /// SETMETADATA answer NO.
        public var metadata: (any MetadataStore)?
        /// Limits on METADATA values and entries.
        public var metadataLimits: MetadataLimits = .default
        public init() {}
    }

    let storage: any MailStorage
    let options: Options
    private let lock = NIOLock()

    /// The selected mailbox, as the client knows it.
    var selected: SelectedMailbox?
    /// ENABLE'd extensions.
    var utf8Enabled = false
    var condstoreEnabled = false
    /// ENABLE IMAP4rev2 (RFC 9051): UTF-8 mailbox names, ESEARCH, no \Recent.
    var imap4rev2Enabled = false
    /// The result saved by SEARCH RETURN (SAVE) (RFC 5182), as UIDs.
    var savedSearch: [UInt32]?
    /// Searches kept up to date for RETURN (UPDATE) (RFC 5267 §4.3), in the order made.
    var searchContexts: [SearchUpdateContext] = []

    public init(storage: any MailStorage, options: Options = Options()) {
        self.storage = storage
        self.options = options
    }

    public var isSelected: Bool { lock.withLock { selected != nil } }

    /// Runs one command. `emit` receives untagged responses as they are ready (a FETCH of
    /// many messages is not held whole); the tagged reply is returned. `owners`: the mail of
    /// the other users the command's URLs name (`urlOwners(in:excluding:)`), by address.
    public func execute(tag: String, _ command: IMAPCommand, owners: [String: URLAuthOwnerMail] = [:],
                        emit: ([IMAPResponse]) -> Void) -> IMAPResponse {
        lock.withLock {
            guard imap4rev2Enabled else { return run(tag: tag, command, owners: owners, emit: emit) }
            return run(tag: tag, command, owners: owners) { emit(Self.forIMAP4rev2($0)) }
        }
    }

    /// Untagged updates the client should hear of now (NOOP, IDLE, after a change notice):
    /// expunges included.
    public func pendingUpdates() -> [IMAPResponse] {
        lock.withLock {
            guard selected != nil else { return [] }
            let updates = sync(allowExpunge: true)
            return imap4rev2Enabled ? Self.forIMAP4rev2(updates) : updates
        }
    }

    /// Calls `handler` (on any thread) soon after the selected folder may have changed, until
    /// the observation is cancelled; nil when nothing is selected or it cannot be watched.
    public func observeSelected(_ handler: @escaping @Sendable () -> Void) -> (any ChangeObservation)? {
        lock.withLock {
            guard let path = selected?.path else { return nil }
            return try? storage.observe(path, handler: handler)
        }
    }

    // MARK: Dispatch

    private func run(tag: String, _ command: IMAPCommand, owners: [String: URLAuthOwnerMail],
                     emit: ([IMAPResponse]) -> Void) -> IMAPResponse {
        switch command {
        case .select, .examine, .close, .unselect: searchContexts.removeAll()   // RFC 5267 §4.3
        default: break
        }
        do {
            switch command {
            case .noop, .check:
                emit(sync(allowExpunge: true))
                return ok(tag, "\(command.name) completed")
            case .enable(let names):
                return enable(tag: tag, names, emit: emit)
            case .id:
                emit([.untagged(.id(IMAPSession.serverID))])
                return ok(tag, "ID completed")
            case .select(let name, let parameters):
                return try select(tag: tag, name, readOnly: false, condstore: parameters.contains(.condStore), emit: emit)
            case .examine(let name, let parameters):
                return try select(tag: tag, name, readOnly: true, condstore: parameters.contains(.condStore), emit: emit)
            case .create(let name, _):
                return try create(tag: tag, name)
            case .delete(let name):
                return try delete(tag: tag, name)
            case .rename(let from, let to):
                return try rename(tag: tag, from, to)
            case .subscribe(let name):
                try storage.setSubscribed(try folder(name, allowMissing: true), true)
                return ok(tag, "SUBSCRIBE completed")
            case .unsubscribe(let name):
                try storage.setSubscribed(try folder(name, allowMissing: true), false)
                return ok(tag, "UNSUBSCRIBE completed")
            case .list(let selectOptions, let reference, let patterns, let returnOptions):
                return try list(tag: tag, selectOptions: selectOptions, reference: reference, patterns: patterns,
                                returnOptions: returnOptions, lsub: false, emit: emit)
            case .lsub(let reference, let pattern):
                return try list(tag: tag, selectOptions: [.subscribed], reference: reference, patterns: [pattern],
                                returnOptions: [], lsub: true, emit: emit)
            case .namespace:
                emit([.untagged(.namespace(personal: [NamespaceDescription(prefix: [], delimiter: options.delimiter)],
                                           otherUsers: [], shared: []))])
                return ok(tag, "NAMESPACE completed")
            case .status(let name, let attributes):
                return try status(tag: tag, name, attributes, emit: emit)
            case .append(let name, let messages) where messages.contains { $0.catenate != nil }:
                return try catenate(tag: tag, name, messages, owners: owners, emit: emit)
            case .append(let name, let messages):
                return try append(tag: tag, name, messages, emit: emit)
            case .getQuota(let root):
                return try getQuota(tag: tag, root: root, emit: emit)
            case .getQuotaRoot(let name):
                _ = try folder(name)
                emit([.untagged(.quotaRoot(name, roots: [[]]))])
                return try getQuota(tag: tag, root: [], emit: emit, text: "GETQUOTAROOT completed")
            case .setQuota:
                return no(tag, .noPerm, "Quotas are set by the administrator")
            case .close:
                return close(tag: tag, expunge: true)
            case .unselect:
                return close(tag: tag, expunge: false)
            case .expunge:
                return try expunge(tag: tag, uids: nil, emit: emit)
            case .uidExpunge(let set):
                return try expunge(tag: tag, uids: set, emit: emit)
            case .fetch(let uid, let set, let attributes, let modifiers):
                return try fetch(tag: tag, uid: uid, set, attributes, modifiers: modifiers, emit: emit)
            case .store(let uid, let set, let modifiers, let flags):
                return try store(tag: tag, uid: uid, set, modifiers: modifiers, flags, emit: emit)
            case .copy(let uid, let set, let destination):
                return try copy(tag: tag, uid: uid, set, to: destination, move: false, emit: emit)
            case .move(let uid, let set, let destination):
                return try copy(tag: tag, uid: uid, set, to: destination, move: true, emit: emit)
            case .replace(let uid, let set, let destination, let message):
                return try replace(tag: tag, uid: uid, set, to: destination, message, owners: owners, emit: emit)
            case .search(let uid, let returnOptions, let charset, let criteria):
                return try search(tag: tag, uid: uid, returnOptions: returnOptions, charset: charset, criteria: criteria, emit: emit)
            case .sort(let uid, let returnOptions, let criteria, let charset, let search):
                return try sort(tag: tag, uid: uid, returnOptions: returnOptions, criteria: criteria, charset: charset,
                                search: search, emit: emit)
            case .thread(let uid, let algorithm, let charset, let search):
                return try thread(tag: tag, uid: uid, algorithm: algorithm, charset: charset, search: search, emit: emit)
            case .cancelUpdate(let tags):
                return cancelUpdate(tag: tag, tags)
            case .genURLAuth(let requests):
                return try genURLAuth(tag: tag, requests, emit: emit)
            case .resetKey(let name, let mechanisms):
                return try resetKey(tag: tag, name, mechanisms: mechanisms)
            case .urlFetch(let requests):
                return urlFetch(tag: tag, requests, owners: owners, emit: emit)
            case .getMetadata(let name, let query, let entries):
                return try getMetadata(tag: tag, name, options: query, entries: entries, emit: emit)
            case .setMetadata(let name, let values):
                return try setMetadata(tag: tag, name, values)
            case .capability, .logout, .startTLS, .authenticate, .login, .idle:
                return .tagged(tag: tag, status: .bad, code: nil, text: "\(command.name) is not a mailbox command")
            }
        } catch let failure as CommandFailure {
            return .tagged(tag: tag, status: failure.status, code: failure.code, text: failure.text)
        } catch let error as StorageError {
            return storageFailure(tag, error)
        } catch {
            return no(tag, .serverBug, "Internal error")
        }
    }

    // MARK: Replies

    /// A refusal thrown from inside a command.
    struct CommandFailure: Error {
        var status: TaggedStatus
        var code: ResponseCode?
        var text: String
    }

    func ok(_ tag: String, _ text: String, _ code: ResponseCode? = nil) -> IMAPResponse {
        .tagged(tag: tag, status: .ok, code: code, text: text)
    }

    func no(_ tag: String, _ code: ResponseCode?, _ text: String) -> IMAPResponse {
        .tagged(tag: tag, status: .no, code: code, text: text)
    }

    /// Storage errors as NO with the RFC 5530 code that fits.
    func storageFailure(_ tag: String, _ error: StorageError) -> IMAPResponse {
        switch error {
        case .folderNotFound: no(tag, .nonExistent, "Mailbox does not exist")
        case .folderExists: no(tag, .alreadyExists, "Mailbox exists already")
        case .invalidFolderName(let why): no(tag, .cannot, "Invalid mailbox name: \(why)")
        case .cannotDeleteInbox: no(tag, .cannot, "INBOX cannot be deleted")
        case .invalidKeyword(let keyword): .tagged(tag: tag, status: .bad, code: nil, text: "Invalid keyword \(keyword)")
        case .tooManyKeywords: no(tag, .limit, "Too many keywords in this mailbox")
        case .overQuota: no(tag, .overQuota, "Mailbox is over quota")
        case .noSpace: no(tag, .overQuota, "Not enough disk space")
        case .lockTimeout: no(tag, .inUse, "Mailbox is busy, try again")
        case .io: no(tag, .serverBug, "Storage error")
        }
    }

    // MARK: Names

    /// The folder a mailbox name means; a bad name is NO [CANNOT] (or BAD for bad encoding).
    func folder(_ name: MailboxName, allowMissing: Bool = true) throws -> FolderPath {
        do {
            return try MailboxPath.folder(name.bytes, utf8Enabled: utf8Names)
        } catch {
            throw CommandFailure(status: .no, code: .cannot, text: error.description)
        }
    }

    func wireName(_ path: FolderPath) -> MailboxName {
        MailboxName(MailboxPath.name(of: path, utf8Enabled: utf8Names))
    }

    // MARK: Flags

    static func flags(of info: MessageInfo, recent: Bool) -> [Flag] {
        var flags: [Flag] = []
        if info.flags.contains(.answered) { flags.append(.answered) }
        if info.flags.contains(.flagged) { flags.append(.flagged) }
        if info.flags.contains(.deleted) { flags.append(.deleted) }
        if info.flags.contains(.seen) { flags.append(.seen) }
        if info.flags.contains(.draft) { flags.append(.draft) }
        if recent { flags.append(.recent) }
        flags += info.keywords.map { .keyword($0) }
        return flags
    }

    /// System flags and keywords of a flag list (\Recent and \* are ignored: RFC 3501 §2.3.2,
    /// "\Recent ... cannot be altered by the client"; the parser and the session answer BAD
    /// for them and for unknown \-flags before a command gets here).
    static func split(_ flags: [Flag]) -> (SystemFlags, [String]) {
        var system: SystemFlags = []
        var keywords: [String] = []
        for flag in flags {
            switch flag {
            case .answered: system.insert(.answered)
            case .flagged: system.insert(.flagged)
            case .deleted: system.insert(.deleted)
            case .seen: system.insert(.seen)
            case .draft: system.insert(.draft)
            case .keyword(let name): keywords.append(name)
            case .recent, .extension, .wildcard: break
            }
        }
        return (system, keywords)
    }

    // MARK: Updates

    /// Syncs the selected mailbox with storage and returns what to tell the client.
    func sync(allowExpunge: Bool) -> [IMAPResponse] {
        guard var box = selected else { return [] }
        // A read-write session claims \Recent for what arrived since (Dovecot does the same).
        // Nothing is listed when the folder is where this session last saw it.
        if let snapshot = try? storage.open(box.path, claimRecent: !box.isReadOnly && !imap4rev2Enabled,
                                            unlessAt: box.storageVersion) {
            box.apply(snapshot)
        }
        // RFC 5267 §4.3: a kept result loses a message before its EXPUNGE is sent.
        let removals = allowExpunge ? contextExpungeRemovals(box) : []
        let updates = box.announce(allowExpunge: allowExpunge)
        selected = box
        return removals + updates.map { update in
            switch update {
            case .expunge(let sequence): .untagged(.expunge(UInt32(sequence)))
            case .exists(let count): .untagged(.exists(UInt32(count)))
            case .recent(let count): .untagged(.recent(UInt32(count)))
            case .flags(let sequence, let info):
                .untagged(.fetch(UInt32(sequence), flagItems(info, box: box)))
            }
        } + contextChanges(box)
    }

    /// FLAGS (and UID, and MODSEQ with CONDSTORE) of an unsolicited FETCH.
    func flagItems(_ info: MessageInfo, box: SelectedMailbox, uid: Bool = true) -> [FetchResponseItem] {
        var items: [FetchResponseItem] = []
        if uid { items.append(.uid(info.uid)) }
        items.append(.flags(Self.flags(of: info, recent: box.recent.contains(info.uid))))
        if condstoreEnabled { items.append(.modSeq(info.modSeq)) }
        return items
    }

    /// Turns CONDSTORE on for the session (RFC 7162 §3.1: the first CONDSTORE-enabling
    /// command while a mailbox is selected is answered with OK [HIGHESTMODSEQ] as well).
    func enableCondstore(emit: ([IMAPResponse]) -> Void) {
        guard !condstoreEnabled else { return }
        condstoreEnabled = true
        if let box = selected {
            emit([.untagged(.condition(.ok, code: .highestModSeq(box.highestModSeq), text: "Highest"))])
        }
    }

    // MARK: ENABLE

    private func enable(tag: String, _ names: [String], emit: ([IMAPResponse]) -> Void) -> IMAPResponse {
        var enabled: [String] = []
        for name in names {
            switch name.uppercased() {
            case "CONDSTORE":
                if !condstoreEnabled { enabled.append("CONDSTORE") }
                enableCondstore(emit: emit)
            case "UTF8=ACCEPT":
                if !utf8Enabled { enabled.append("UTF8=ACCEPT") }
                utf8Enabled = true
            case IMAPRevision.imap4rev2Capability.uppercased():
                // RFC 9051 §6.3.1: before a mailbox is selected (the session refuses it after).
                if !imap4rev2Enabled && selected == nil {
                    enabled.append(IMAPRevision.imap4rev2Capability)
                    imap4rev2Enabled = true
                }
            default:
                break   // RFC 5161 §3.1: unknown names are ignored.
            }
        }
        emit([.untagged(.enabled(enabled))])
        return ok(tag, "ENABLE completed")
    }
}
