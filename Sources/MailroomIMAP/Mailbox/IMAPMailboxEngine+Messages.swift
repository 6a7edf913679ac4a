// IMAPMailboxEngine+Messages — APPEND, EXPUNGE / UID EXPUNGE, STORE, COPY and MOVE, and the
// resolution of sequence sets and UID sets against the selected mailbox.
//
// Standards: RFC 3501 §6.3.11 (APPEND: flags, internal date; TRYCREATE when the mailbox does
// not exist), §6.4.3 (EXPUNGE: an EXPUNGE response per message), §6.4.6 (STORE: FETCH
// responses with the new flags unless .SILENT), §6.4.7 (COPY; TRYCREATE), §6.4.8 (UID
// commands; a UID set that matches nothing is not an error), RFC 3502 (MULTIAPPEND: several
// messages in one APPEND, all or none), RFC 4315 (APPENDUID, COPYUID,
// UID EXPUNGE), RFC 6851 (MOVE: OK [COPYUID] untagged first, then EXPUNGE responses),
// RFC 7162 §3.1.3 (STORE UNCHANGEDSINCE: messages changed since are left alone and reported
// in [MODIFIED]; FETCH responses carry MODSEQ), RFC 3501 §7.4.1 (no EXPUNGE during
// sequence-number commands: EXPUNGE, MOVE and UID commands may send them).
//
// Read-only (EXAMINE): STORE, EXPUNGE and MOVE are refused with NO [READ-ONLY]… RFC 3501 has
// no code for it; Dovecot answers "NO Mailbox is read-only" and so do we, with [CANNOT].

import MailroomMaildir

extension IMAPMailboxEngine {
    /// The selected mailbox, or a NO for commands that need one.
    func requireSelected() throws -> SelectedMailbox {
        guard let box = selected else { throw CommandFailure(status: .bad, code: nil, text: "No mailbox selected") }
        return box
    }

    /// The messages a set names, in the view's order: (sequence number, info).
    /// Sequence numbers beyond the mailbox are a BAD (RFC 3501 §6.4.8 allows it; Dovecot
    /// answers BAD "Invalid messageset"); a UID set may name nothing.
    func resolve(_ set: SequenceSet, uid: Bool, in box: SelectedMailbox) throws -> [(Int, MessageInfo)] {
        let resolved: SequenceSet
        if set.isSavedResult {
            guard let saved = savedSearch else { return [] }
            // The saved result is kept as UIDs (RFC 5182 §2.1: it survives expunges).
            return saved.compactMap { u in box.sequence(of: u).flatMap { s in box.message(at: s).map { (s, $0) } } }
        } else {
            resolved = set
        }
        if uid {
            var found: [(Int, MessageInfo)] = []
            let last = box.lastUID
            for range in resolved.normalised(max: last) {
                for sequence in box.sequences(ofUIDs: range) {
                    if let info = box.message(at: sequence) { found.append((sequence, info)) }
                }
            }
            return found.sorted { $0.0 < $1.0 }
        }
        let count = UInt32(box.count)
        // "1:*" in an empty mailbox names nothing (RFC 9051 §6.4.5 lets it be OK, and clients
        // send it); explicit numbers beyond the end are a BAD.
        if count == 0, resolved.ranges.contains(where: { $0.first == .last || $0.last == .last }) { return [] }
        if count == 0 || resolved.exceeds(max: count) {
            throw CommandFailure(status: .bad, code: nil, text: "Invalid message sequence number")
        }
        var found: [(Int, MessageInfo)] = []
        for range in resolved.normalised(max: count) {
            for sequence in range {
                if let info = box.message(at: Int(sequence)) { found.append((Int(sequence), info)) }
            }
        }
        return found
    }

    // MARK: APPEND

    func append(tag: String, _ name: MailboxName, _ messages: [AppendMessage], emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let path = try folder(name)
        var uids: [UInt32] = []
        var validity: UInt32 = 0
        // MULTIAPPEND (RFC 3502 §3): all the messages or none. Sizes are checked before
        // anything is stored; if storing one fails, the ones already stored are removed again.
        for message in messages {
            guard message.data.count <= options.maxAppendBytes else {
                return no(tag, .tooBig, "Message is larger than the \(options.maxAppendBytes) octets allowed")
            }
            guard !message.data.isEmpty else { return no(tag, .cannot, "Empty message") }
        }
        for message in messages {
            let (flags, keywords) = Self.split(message.flags ?? [])
            let appended = Result { () throws(StorageError) -> AppendResult in
                try storage.append(path, message: message.data, flags: flags, keywords: keywords,
                                   internalDate: message.date?.secondsSince1970)
            }
            switch appended {
            case .success(let result):
                uids.append(result.uid)
                validity = result.uidValidity
            case .failure(let error):
                if !uids.isEmpty { _ = try? storage.expunge(path, uids: uids) }
                if case .folderNotFound = error { return no(tag, .tryCreate, "Mailbox does not exist") }
                throw error
            }
        }
        if let box = selected, box.path == path {
            emit(sync(allowExpunge: true))
        }
        guard let set = SequenceSet.compact(uids) else { return ok(tag, "APPEND completed") }
        return ok(tag, "APPEND completed", .appendUID(uidValidity: validity, uids: set))
    }

    // MARK: EXPUNGE

    func expunge(tag: String, uids: SequenceSet?, emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let box = try requireSelected()
        if box.isReadOnly { return no(tag, .cannot, "Mailbox is read-only") }
        let snapshot = try storage.open(box.path, claimRecent: false)
        var targets = snapshot.messages.filter { $0.flags.contains(.deleted) }.map(\.uid)
        if let uids {
            let named = Set(try resolve(uids, uid: true, in: box).map { $0.1.uid })
            targets = targets.filter { named.contains($0) }
        }
        if !targets.isEmpty { _ = try storage.expunge(box.path, uids: targets) }
        emit(sync(allowExpunge: true))
        return ok(tag, uids == nil ? "EXPUNGE completed" : "UID EXPUNGE completed")
    }

    // MARK: STORE

    func store(tag: String, uid: Bool, _ set: SequenceSet, modifiers: [StoreModifier], _ flags: StoreFlags,
               emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        var box = try requireSelected()
        if box.isReadOnly { return no(tag, .cannot, "Mailbox is read-only") }
        let targets = try resolve(set, uid: uid, in: box)
        var unchangedSince: UInt64?
        for modifier in modifiers {
            if case .unchangedSince(let value) = modifier {
                unchangedSince = value
                enableCondstore(emit: emit)
            }
        }
        let (system, keywords) = Self.split(flags.flags)
        let change: FlagChange = switch flags.operation {
        case .add: .add
        case .remove: .remove
        case .replace: .replace
        }
        let live = targets.filter { !box.isExpunged(at: $0.0) }
        let update = try storage.setFlags(box.path, uids: live.map { $0.1.uid }, change, flags: system, keywords: keywords,
                                          unchangedSince: unchangedSince)
        var responses: [IMAPResponse] = []
        var reported = Set<UInt32>()
        for info in update.updated {
            guard let sequence = box.sequence(of: info.uid) else { continue }
            box.noteReported(info)
            reported.insert(info.uid)
            // RFC 7162 §3.1.3: with UNCHANGEDSINCE the FETCH is sent even for .SILENT.
            if !flags.silent || unchangedSince != nil {
                var items: [FetchResponseItem] = []
                if uid { items.append(.uid(info.uid)) }
                items.append(.flags(Self.flags(of: info, recent: box.recent.contains(info.uid))))
                if condstoreEnabled { items.append(.modSeq(info.modSeq)) }
                responses.append(.untagged(.fetch(UInt32(sequence), items)))
            }
        }
        box.noteOwnChange(update)
        if !flags.silent && unchangedSince == nil {
            // Messages whose flags were already as asked still get their FETCH (RFC 3501 §6.4.6
            // "the server SHOULD send an untagged FETCH response").
            for (sequence, info) in live where !reported.contains(info.uid) && !update.modifiedSince.contains(info.uid) {
                var items: [FetchResponseItem] = []
                if uid { items.append(.uid(info.uid)) }
                items.append(.flags(Self.flags(of: box.message(at: sequence) ?? info, recent: box.recent.contains(info.uid))))
                if condstoreEnabled { items.append(.modSeq((box.message(at: sequence) ?? info).modSeq)) }
                responses.append(.untagged(.fetch(UInt32(sequence), items)))
            }
            responses.sort { a, b in
                if case .untagged(.fetch(let x, _)) = a, case .untagged(.fetch(let y, _)) = b { return x < y }
                return false
            }
        }
        selected = box
        emit(responses)
        emit(sync(allowExpunge: uid))
        if !update.modifiedSince.isEmpty {
            let numbers = uid ? update.modifiedSince : update.modifiedSince.compactMap { box.sequence(of: $0).map(UInt32.init) }
            if let set = SequenceSet.compact(numbers) {
                return ok(tag, "Conditional STORE failed for some messages", .modified(set))
            }
        }
        return ok(tag, uid ? "UID STORE completed" : "STORE completed")
    }

    // MARK: COPY / MOVE

    func copy(tag: String, uid: Bool, _ set: SequenceSet, to name: MailboxName, move: Bool,
              emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let box = try requireSelected()
        if move && box.isReadOnly { return no(tag, .cannot, "Mailbox is read-only") }
        let destination = try folder(name)
        let targets = try resolve(set, uid: uid, in: box).filter { !box.isExpunged(at: $0.0) }
        let command = (uid ? "UID " : "") + (move ? "MOVE" : "COPY")
        guard !targets.isEmpty else { return ok(tag, "\(command) completed, no messages") }
        let uids = targets.map { $0.1.uid }
        let copied = Result { () throws(StorageError) -> CopyResult in
            move ? try storage.move(box.path, uids: uids, to: destination) : try storage.copy(box.path, uids: uids, to: destination)
        }
        let result: CopyResult
        switch copied {
        case .success(let done): result = done
        case .failure(.folderNotFound(let missing)) where missing == destination:
            return no(tag, .tryCreate, "Mailbox does not exist")
        case .failure(let error): throw error
        }
        let code: ResponseCode? = {
            guard let source = SequenceSet.compact(result.mapping.map(\.source)),
                  let copies = SequenceSet.compact(result.mapping.map(\.destination)) else { return nil }
            return .copyUID(uidValidity: result.uidValidity, source: source, destination: copies)
        }()
        if move {
            // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGE responses.
            if let code { emit([.untagged(.condition(.ok, code: code, text: "Moved UIDs"))]) }
            emit(sync(allowExpunge: true))
            return ok(tag, "\(command) completed")
        }
        if let current = selected, current.path == destination { emit(sync(allowExpunge: uid)) }
        return ok(tag, "\(command) completed", code)
    }
}

// MARK: REPLACE

extension IMAPMailboxEngine {
    /// [UID] REPLACE (RFC 8508 §3): APPEND the new message to `name`, then expunge the old one
    /// from the selected mailbox — `* OK [APPENDUID v uid]` first, then (when the new message
    /// went into the selected mailbox) its EXISTS, then the old message's EXPUNGE (§3.3, §3.4).
    /// Anything that stops the append (missing mailbox: TRYCREATE; too big: TOOBIG; a bad
    /// CATENATE URL: BADURL) leaves the old message (§3.3); if the expunge fails after the
    /// append, the new message is removed again and the old one stays.
    /// The old message need not be \Deleted, and no \Deleted is set on it first: the result is
    /// the same as STORE +FLAGS \Deleted plus UID EXPUNGE of that one message, as §3.2 says,
    /// without another session seeing the flag in between.
    func replace(tag: String, uid: Bool, _ set: SequenceSet, to name: MailboxName, _ message: AppendMessage,
                 owners: [String: URLAuthOwnerMail], emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let command = uid ? "UID REPLACE" : "REPLACE"
        let box = try requireSelected()
        // RFC 8508 §3.3: the old message is expunged, which a read-only mailbox does not allow.
        if box.isReadOnly { return no(tag, .cannot, "Mailbox is read-only") }
        guard let old = try resolve(set, uid: uid, in: box).first(where: { !box.isExpunged(at: $0.0) })?.1 else {
            return no(tag, .nonExistent, "No such message to replace")
        }
        let path = try folder(name)
        var data = message.data
        if let parts = message.catenate {
            guard Self.urlCount(parts) <= URLAuthLimits.urlsPerCommand else {
                return no(tag, .limit, "More than \(URLAuthLimits.urlsPerCommand) URLs in one REPLACE")
            }
            guard try folderExists(path) else { return no(tag, .tryCreate, "Mailbox does not exist") }
            switch assemble(tag: tag, parts, owners: owners) {
            case .refused(let answer): return answer
            case .message(let assembled): data = assembled
            }
        }
        guard data.count <= options.maxAppendBytes else {
            return no(tag, .tooBig, "Message is larger than the \(options.maxAppendBytes) octets allowed")
        }
        guard !data.isEmpty else { return no(tag, .cannot, "Empty message") }
        let (flags, keywords) = Self.split(message.flags ?? [])
        let appended = Result { () throws(StorageError) -> AppendResult in
            try storage.append(path, message: data, flags: flags, keywords: keywords, internalDate: message.date?.secondsSince1970)
        }
        let result: AppendResult
        switch appended {
        case .success(let done): result = done
        case .failure(.folderNotFound): return no(tag, .tryCreate, "Mailbox does not exist")
        case .failure(let error): throw error
        }
        emit([.untagged(.condition(.ok, code: .appendUID(uidValidity: result.uidValidity, uids: SequenceSet(result.uid)),
                                   text: "Replacement Message ready"))])
        if path == box.path { emit(sync(allowExpunge: true)) }   // its EXISTS before the EXPUNGE (§3.4)
        do {
            _ = try storage.expunge(box.path, uids: [old.uid])
        } catch {
            _ = try? storage.expunge(path, uids: [result.uid])
            throw error
        }
        emit(sync(allowExpunge: true))
        return ok(tag, "\(command) completed")
    }
}
