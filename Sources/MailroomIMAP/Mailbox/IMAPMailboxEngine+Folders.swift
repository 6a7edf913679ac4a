// IMAPMailboxEngine+Folders — SELECT/EXAMINE, CREATE, DELETE, RENAME, LIST/LSUB, STATUS and
// the QUOTA commands.
//
// Standards: RFC 3501 §6.3.1–6.3.10 and RFC 9051 §6.3 (SELECT answers FLAGS, EXISTS, RECENT,
// OK [UNSEEN], OK [PERMANENTFLAGS], OK [UIDNEXT], OK [UIDVALIDITY], then the tagged OK with
// [READ-WRITE] or [READ-ONLY]; a failed SELECT leaves no mailbox selected), RFC 7162 §3.1.2.1
// (OK [HIGHESTMODSEQ]), RFC 3501 §6.3.4 (DELETE of a name with children: \Noselect remains,
// the children stay; a name that is only a parent is refused with [HASCHILDREN]), §6.3.5 (RENAME of INBOX moves its messages), RFC 5258
// (LIST-EXTENDED selection and return options; CHILDINFO), RFC 5819 (LIST-STATUS), RFC 6154
// (SPECIAL-USE attributes), RFC 3348 (CHILDREN: \HasChildren, \HasNoChildren), RFC 9208 (one
// quota root "" for the whole account: STORAGE in KiB and MESSAGE). IMAP4rev2 (RFC 9051
// §6.3.2): SELECT answers FLAGS, EXISTS, the mailbox's LIST, PERMANENTFLAGS, UIDVALIDITY,
// UIDNEXT (no RECENT, no UNSEEN); LIST marks a level that exists only as a parent
// \NonExistent (§7.3.1) where IMAP4rev1 gets \Noselect.

import MailroomMaildir

extension IMAPMailboxEngine {
    // MARK: SELECT / EXAMINE

    func select(tag: String, _ name: MailboxName, readOnly: Bool, condstore: Bool,
                emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        if condstore { condstoreEnabled = true }
        var leading: [IMAPResponse] = []
        if selected != nil {
            // RFC 7162 §3.2.11 / RFC 9051 §6.3.2: the previous mailbox is closed first.
            selected = nil
            leading.append(.untagged(.condition(.ok, code: .closed, text: "Previous mailbox closed")))
        }
        emit(leading)
        let path = try folder(name)
        // SELECT claims \Recent (RFC 3501 §2.3.2: this session is the first to be told);
        // EXAMINE only reports it. An IMAP4rev2 session has no \Recent (RFC 9051) and leaves
        // the messages recent for the next IMAP4rev1 session.
        guard let snapshot = try openIfExists(path, claimRecent: !readOnly && !imap4rev2Enabled) else {
            return no(tag, .nonExistent, "Mailbox does not exist")
        }
        let box = SelectedMailbox(path: path, snapshot: snapshot, readOnly: readOnly)
        var keywords = Set<String>()
        for message in snapshot.messages { keywords.formUnion(message.keywords) }
        let system: [Flag] = [.answered, .flagged, .deleted, .seen, .draft]
        let known = system + keywords.sorted().map { Flag.keyword($0) }
        var responses: [IMAPResponse] = [
            .untagged(.flags(known)),
            .untagged(.exists(UInt32(box.count))),
        ]
        if imap4rev2Enabled {
            // RFC 9051 §6.3.2: LIST instead of RECENT; UNSEEN is gone (SEARCH finds it).
            responses.append(selectedListItem(path, sent: name))
        } else {
            responses.append(.untagged(.recent(UInt32(box.recentCount))))
            if let firstUnseen = snapshot.messages.firstIndex(where: { !$0.flags.contains(.seen) }) {
                responses.append(.untagged(.condition(.ok, code: .unseen(UInt32(firstUnseen + 1)), text: "First unseen")))
            }
        }
        responses.append(.untagged(.condition(.ok, code: .permanentFlags(readOnly ? [] : known + [.wildcard]),
                                              text: readOnly ? "No permanent flags permitted" : "Flags permitted")))
        responses.append(.untagged(.condition(.ok, code: .uidValidity(snapshot.uidValidity), text: "UIDs valid")))
        responses.append(.untagged(.condition(.ok, code: .uidNext(snapshot.uidNext), text: "Predicted next UID")))
        responses.append(.untagged(.condition(.ok, code: .highestModSeq(snapshot.highestModSeq), text: "Highest")))
        // RFC 8474 §4.2: the mailbox's MAILBOXID.
        if let guid = try? storage.mailboxGUID(path) {
            responses.append(.untagged(.condition(.ok, code: .mailboxID(ObjectID.mailboxID(guid: guid)), text: "Ok")))
        }
        emit(responses)
        selected = box
        savedSearch = nil
        return ok(tag, "\(readOnly ? "EXAMINE" : "SELECT") completed", readOnly ? .readOnly : .readWrite)
    }

    /// The folder's snapshot, or nil when it does not exist.
    func openIfExists(_ path: FolderPath, claimRecent: Bool) throws(StorageError) -> FolderSnapshot? {
        do {
            return try storage.open(path, claimRecent: claimRecent)
        } catch {
            if case .folderNotFound = error { return nil }
            throw error
        }
    }

    // MARK: CLOSE / UNSELECT

    func close(tag: String, expunge: Bool) -> IMAPResponse {
        guard let box = selected else { return ok(tag, "No mailbox selected") }
        if expunge && !box.isReadOnly, let snapshot = try? storage.open(box.path, claimRecent: false) {
            // RFC 3501 §6.4.2: silently remove \Deleted messages, no EXPUNGE responses.
            let deleted = snapshot.messages.filter { $0.flags.contains(.deleted) }.map(\.uid)
            if !deleted.isEmpty { _ = try? storage.expunge(box.path, uids: deleted) }
        }
        selected = nil
        savedSearch = nil
        return ok(tag, expunge ? "CLOSE completed" : "UNSELECT completed")
    }

    // MARK: CREATE / DELETE / RENAME

    func create(tag: String, _ name: MailboxName) throws -> IMAPResponse {
        let path = try folder(name)
        if path.isInbox { return no(tag, .alreadyExists, "INBOX exists already") }
        try storage.createFolder(path)
        // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
        return ok(tag, "CREATE completed", (try? storage.mailboxGUID(path)).map { .mailboxID(ObjectID.mailboxID(guid: $0)) })
    }

    func delete(tag: String, _ name: MailboxName) throws -> IMAPResponse {
        let path = try folder(name)
        if path.isInbox { return no(tag, .cannot, "INBOX cannot be deleted") }
        // RFC 3501 §6.3.4 / RFC 9051 §6.3.5: a mailbox with children may be deleted; its
        // messages go and the name stays as their \Noselect parent. A name that is already
        // only a parent (\Noselect) may not be deleted while it has children.
        let folders = try storage.listFolders()
        if let info = folders.first(where: { $0.path == path }), !info.exists, info.hasChildren {
            return no(tag, .hasChildren, "Mailbox has children, delete them first")
        }
        if let box = selected, box.path == path {
            // Deleting the selected mailbox: Dovecot unselects it; so do we.
            selected = nil
        }
        try storage.deleteFolder(path)
        try options.metadata?.mailboxDeleted(path)   // RFC 5464 §3: its entries go with it
        return ok(tag, "DELETE completed")
    }

    func rename(tag: String, _ from: MailboxName, _ to: MailboxName) throws -> IMAPResponse {
        let source = try folder(from)
        let destination = try folder(to)
        if destination.isInbox { return no(tag, .alreadyExists, "INBOX exists already") }
        try storage.renameFolder(source, to: destination)
        if !source.isInbox { try options.metadata?.mailboxRenamed(from: source, to: destination) }
        return ok(tag, "RENAME completed")
    }

    // MARK: LIST / LSUB

    func list(tag: String, selectOptions: [ListSelectOption], reference: MailboxName, patterns: [[UInt8]],
              returnOptions: [ListReturnOption], lsub: Bool, emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let command = lsub ? "LSUB" : "LIST"
        // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
        if patterns.count == 1, patterns[0].isEmpty, !lsub {
            emit([.untagged(.list(MailboxListItem(attributes: [.noSelect], delimiter: options.delimiter, name: MailboxName([]))))])
            return ok(tag, "LIST completed")
        }
        let referenceText: String
        do {
            referenceText = try MailboxPath.decode(reference.bytes, utf8Enabled: utf8Names)
        } catch {
            return no(tag, .cannot, error.description)
        }
        var matchers: [MailboxPath.Pattern] = []
        for pattern in patterns {
            // A pattern that is not valid modified UTF-7 matches what it spells literally
            // (Dovecot does the same): it is a search, not a name to create.
            let text = (try? MailboxPath.decode(pattern, utf8Enabled: utf8Names)) ?? String(decoding: pattern, as: UTF8.self)
            // RFC 3501 §6.3.8: the reference is prefixed to the pattern (a leading delimiter
            // in the pattern means from the root).
            matchers.append(MailboxPath.Pattern(text.hasPrefix(String(MailboxPath.delimiter)) ? String(text.dropFirst()) : referenceText + text))
        }
        let subscribedOnly = selectOptions.contains(.subscribed) && !lsub
        let specialUseOnly = selectOptions.contains(.specialUse)
        let recursive = selectOptions.contains(.recursiveMatch)
        let returnSubscribed = returnOptions.contains(.subscribed) || subscribedOnly
        let returnSpecialUse = returnOptions.contains(.specialUse) || specialUseOnly || !lsub
        let returnChildren = true   // CHILDREN (RFC 3348) is announced: always say it
        var statusItems: [StatusAttribute] = []
        for option in returnOptions { if case .status(let items) = option { statusItems = items } }

        let folders = try storage.listFolders()
        /// A folder below `path` is subscribed (INBOX has no folders below it in Maildir++).
        func subscribedBelow(_ path: FolderPath) -> Bool {
            !path.isInbox && folders.contains { path.isAncestor(of: $0.path) && $0.subscribed }
        }
        func displayName(_ path: FolderPath) -> String {
            path.isInbox ? "INBOX" : path.components.joined(separator: String(MailboxPath.delimiter))
        }
        /// RFC 5258 §3.5: CHILDINFO tells of a subscribed child that the patterns do not list
        /// themselves.
        func subscribedBelowUnlisted(_ path: FolderPath) -> Bool {
            !path.isInbox && folders.contains { child in
                path.isAncestor(of: child.path) && child.subscribed && !matchers.contains { $0.matches(displayName(child.path)) }
            }
        }
        let percentPattern = patterns.contains { $0.contains(UInt8(ascii: "%")) }
        var responses: [IMAPResponse] = []
        for info in folders {
            let name = info.path.isInbox ? "INBOX" : info.path.components.joined(separator: String(MailboxPath.delimiter))
            var matches = matchers.contains { $0.matches(name) }
            var childInfo: [String] = []
            if subscribedOnly && !info.subscribed {
                // RECURSIVEMATCH (RFC 5258 §3.5): a parent is listed when a child matches
                // the selection; CHILDINFO says why.
                guard recursive, matches, subscribedBelowUnlisted(info.path) else { continue }
                childInfo = ["SUBSCRIBED"]
            } else if recursive && subscribedOnly && subscribedBelowUnlisted(info.path) {
                childInfo = ["SUBSCRIBED"]
            }
            if specialUseOnly && info.specialUse == nil { matches = false }
            if lsub && !info.subscribed {
                // RFC 3501 §6.3.9: with "%", a level that is not subscribed but has subscribed
                // children below the match is listed \Noselect.
                guard matches, percentPattern, subscribedBelow(info.path) else { continue }
                let item = MailboxListItem(attributes: [.noSelect], delimiter: options.delimiter, name: wireName(info.path))
                responses.append(.untagged(.lsub(item)))
                continue
            }
            guard matches else { continue }
            var attributes: [MailboxAttribute] = []
            // RFC 9051 §7.3.1: \NonExistent (which implies \Noselect) for a level that is only
            // a parent; RFC 3501 clients (and LSUB, which RFC 9051 dropped) know \Noselect.
            if !info.exists { attributes.append(imap4rev2Enabled && !lsub ? .nonExistent : .noSelect) }
            if returnChildren && !lsub { attributes.append(info.hasChildren ? .hasChildren : .hasNoChildren) }
            if returnSubscribed && info.subscribed && !lsub { attributes.append(.subscribed) }
            if returnSpecialUse, let use = info.specialUse { attributes.append(MailboxAttribute(String(use.rawValue.dropFirst()))) }
            let item = MailboxListItem(attributes: attributes, delimiter: options.delimiter, name: wireName(info.path),
                                       childInfo: childInfo)
            responses.append(lsub ? .untagged(.lsub(item)) : .untagged(.list(item)))
            if !statusItems.isEmpty, info.exists, let values = try? statusValues(info.path, statusItems) {
                responses.append(.untagged(.status(wireName(info.path), values)))
            }
        }
        if subscribedOnly || lsub {
            // Subscribed names without a folder (deleted, or never created): LSUB shows them,
            // LIST (SUBSCRIBED) with \NonExistent (RFC 5258 §3.1).
            let known = Set(folders.map(\.path))
            for path in try storage.subscribedFolders() where !known.contains(path) && !path.isInbox {
                let name = path.components.joined(separator: String(MailboxPath.delimiter))
                guard matchers.contains(where: { $0.matches(name) }) else { continue }
                let item = MailboxListItem(attributes: lsub ? [] : [.nonExistent, .subscribed],
                                           delimiter: options.delimiter, name: wireName(path))
                responses.append(lsub ? .untagged(.lsub(item)) : .untagged(.list(item)))
            }
        }
        emit(responses)
        return ok(tag, "\(command) completed")
    }

    // MARK: STATUS

    func status(tag: String, _ name: MailboxName, _ attributes: [StatusAttribute], emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let path = try folder(name)
        emit([.untagged(.status(name, try statusValues(path, attributes)))])
        return ok(tag, "STATUS completed")
    }

    func statusValues(_ path: FolderPath, _ attributes: [StatusAttribute]) throws -> [MailboxStatusValue] {
        let status = try storage.status(path)
        var deleted = 0
        var deletedStorage: Int64 = 0
        if attributes.contains(.deleted) || attributes.contains(.deletedStorage) {
            let marked = try storage.open(path, claimRecent: false).messages.filter { $0.flags.contains(.deleted) }
            deleted = marked.count
            // RFC 9208 §4.2.3: what an EXPUNGE would free; the sum of their RFC822.SIZEs is allowed.
            deletedStorage = marked.reduce(0) { $0 + max(0, $1.size) }
        }
        return try attributes.map { attribute in
            if attribute == .mailboxID {
                return MailboxStatusValue(mailboxID: ObjectID.mailboxID(guid: try storage.mailboxGUID(path)))   // RFC 8474 §4.3
            }
            let value: UInt64 = switch attribute {
            case .messages: UInt64(status.messages)
            case .recent: UInt64(status.recent)
            case .uidNext: UInt64(status.uidNext)
            case .uidValidity: UInt64(status.uidValidity)
            case .unseen: UInt64(status.unseen)
            case .highestModSeq: status.highestModSeq
            case .size: UInt64(max(0, status.size))
            case .deleted: UInt64(deleted)
            case .deletedStorage: UInt64(deletedStorage)
            case .mailboxID: 0
            }
            return MailboxStatusValue(attribute, value)
        }
    }

    // MARK: QUOTA

    func getQuota(tag: String, root: [UInt8], emit: ([IMAPResponse]) -> Void, text: String = "GETQUOTA completed") throws -> IMAPResponse {
        guard root.isEmpty else { return no(tag, .nonExistent, "No such quota root") }
        let usage = try storage.quota()
        var resources: [QuotaResource] = []
        if let bytes = usage.limits.bytes {
            resources.append(QuotaResource(resource: "STORAGE", usage: UInt64(max(0, usage.bytes)) / 1024, limit: UInt64(max(0, bytes)) / 1024))
        }
        if let messages = usage.limits.messages {
            resources.append(QuotaResource(resource: "MESSAGE", usage: UInt64(max(0, usage.messages)), limit: UInt64(max(0, messages))))
        }
        emit([.untagged(.quota(root: [], resources))])
        return ok(tag, text)
    }
}
