// IMAPMailboxEngine+Fetch — FETCH and UID FETCH.
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5 (the data items; BODY[...] without .PEEK
// sets \Seen, and the FETCH response then includes FLAGS), §6.4.8 (UID FETCH always returns
// UID), RFC 7162 §3.1.4 (MODSEQ item; CHANGEDSINCE; after CONDSTORE is enabled every FETCH
// with FLAGS carries MODSEQ), RFC 2180 §4.1 (a message expunged by another session whose
// EXPUNGE is not sent yet: what is known is returned; its content cannot be, and the command
// ends NO [EXPUNGEISSUED]), RFC 3516 (BINARY, BINARY.SIZE).
//
// Memory: one message is read and parsed at a time; responses are emitted per message, so a
// FETCH 1:* BODY[] of a large mailbox never holds more than one message.
// XXX: ENVELOPE and BODYSTRUCTURE are computed from the message each time; the storage has a
// per-folder field cache (MailStorage.cachedField) they should use once FetchResponseItem can
// carry pre-encoded bytes.

import MailroomMaildir
import MailroomMIME

extension IMAPMailboxEngine {
    func fetch(tag: String, uid: Bool, _ set: SequenceSet, _ requested: [FetchAttribute], modifiers: [FetchModifier],
               emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        var box = try requireSelected()
        var attributes = requested
        if uid && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        var changedSince: UInt64?
        for modifier in modifiers {
            if case .changedSince(let value) = modifier { changedSince = value }
        }
        if changedSince != nil || attributes.contains(.modSeq) { enableCondstore(emit: emit) }
        if changedSince != nil && !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        if condstoreEnabled && attributes.contains(.flags) && !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        var targets = try resolve(set, uid: uid, in: box)
        if let changedSince { targets = targets.filter { $0.1.modSeq > changedSince } }

        // \Seen first (RFC 3501 §6.4.5), so the responses show it.
        var seenNow = Set<UInt32>()
        if !box.isReadOnly && attributes.contains(where: \.setsSeen) {
            let unseen = targets.filter { !$0.1.flags.contains(.seen) && !box.isExpunged(at: $0.0) }.map { $0.1.uid }
            if !unseen.isEmpty {
                let update = try storage.setFlags(box.path, uids: unseen, .add, flags: .seen, keywords: [], unchangedSince: nil)
                for info in update.updated {
                    box.noteReported(info)
                    seenNow.insert(info.uid)
                }
                box.noteOwnChange(update)
                selected = box
            }
        }
        var expungedSeen = false
        let needsContent = attributes.contains { Self.needsContent($0) }
        for (sequence, listed) in targets {
            let info = box.message(at: sequence) ?? listed
            var message: MIMEMessage?
            if needsContent {
                if box.isExpunged(at: sequence) {
                    expungedSeen = true
                    continue
                }
                guard let bytes = try storage.fetch(box.path, uid: info.uid) else {
                    expungedSeen = true
                    continue
                }
                message = MIMEMessage.parse(bytes)
            }
            var items: [FetchResponseItem] = []
            for attribute in attributes {
                if let item = try fetchItem(attribute, info: info, message: message, box: box) { items.append(item) }
            }
            if seenNow.contains(info.uid) && !attributes.contains(.flags) {
                items.append(.flags(Self.flags(of: info, recent: box.recent.contains(info.uid))))
            }
            emit([.untagged(.fetch(UInt32(sequence), items))])
        }
        emit(sync(allowExpunge: uid))
        if expungedSeen { return no(tag, .expungeIssued, "Some messages were expunged before they could be fetched") }
        return ok(tag, uid ? "UID FETCH completed" : "FETCH completed")
    }

    static func needsContent(_ attribute: FetchAttribute) -> Bool {
        switch attribute {
        case .uid, .flags, .internalDate, .rfc822Size, .modSeq, .saveDate, .emailID, .threadID: false
        default: true
        }
    }

    func fetchItem(_ attribute: FetchAttribute, info: MessageInfo, message: MIMEMessage?, box: SelectedMailbox) throws -> FetchResponseItem? {
        switch attribute {
        case .uid: return .uid(info.uid)
        case .flags: return .flags(Self.flags(of: info, recent: box.recent.contains(info.uid)))
        case .internalDate: return .internalDate(IMAPDateTime(secondsSince1970: info.internalDate))
        case .rfc822Size: return .rfc822Size(UInt64(max(0, info.size)))
        case .modSeq: return .modSeq(info.modSeq)
        case .saveDate: return .saveDate(info.saveDate.map { IMAPDateTime(secondsSince1970: $0) })
        case .emailID: return .emailID(ObjectID.emailID(guid: info.guid))
        case .threadID: return .threadID(nil)   // RFC 8474 §5.2: no threads kept (Grammar/ObjectID.swift)
        case .envelope:
            guard let message else { return nil }
            return .envelope(MessageStructure.envelope(message))
        case .body:
            guard let message else { return nil }
            return .body(MessageStructure.bodyStructure(message, extensions: false))
        case .bodyStructure:
            guard let message else { return nil }
            return .bodyStructure(MessageStructure.bodyStructure(message, extensions: true))
        case .rfc822, .rfc822Header, .rfc822Text, .bodySection, .binary, .binarySize:
            guard let message else { return nil }
            return try sectionItem(attribute, message: message)
        }
    }
}
