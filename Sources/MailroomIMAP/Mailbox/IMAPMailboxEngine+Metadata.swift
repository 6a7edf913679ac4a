// IMAPMailboxEngine+Metadata — GETMETADATA and SETMETADATA (RFC 5464) over a MetadataStore.
//
// Standards: RFC 5464 §4.2 (GETMETADATA: the entries asked for, with their values; §4.2.1
// MAXSIZE leaves out longer values and the tagged OK says [METADATA LONGENTRIES n], n the
// longest left out; §4.2.2 DEPTH 0, 1 or infinity adds the entries below each one asked for),
// §4.3 (SETMETADATA: NIL removes an entry; all of a command's changes are made or none; NO
// [METADATA MAXSIZE n] for a value over the limit, NO [METADATA TOOMANY] for too many entries),
// §4.4.1 (the METADATA response), §3.3 (private and shared entries: see MetadataStore.swift,
// both are the user's own here).
//
// Answers where the RFC leaves room, as Dovecot gives them: an entry asked for by name that has
// no value comes back as NIL (entries found through DEPTH only when they exist); one METADATA
// response per command, none when every value was over MAXSIZE; entries in the order asked
// for, those below an entry in name order, each once. The mailbox must exist (NO [NONEXISTENT]
// otherwise; Apache James says TRYCREATE, which RFC 3501 keeps for APPEND and COPY). Mailbox ""
// is the server's entries.
//
// RENAME and DELETE: the store is told after the folder moved or went (IMAPMailboxEngine+
// Folders), so the entries go with the mailbox; a renamed INBOX keeps its entries (INBOX stays).
//
// Limits: IMAPMailboxEngine.Options.metadataLimits (MetadataLimits): value octets and entries
// per mailbox, checked before anything is stored; entry name octets in the parser.

import MailroomMaildir

extension IMAPMailboxEngine {
    /// The target a GETMETADATA / SETMETADATA mailbox names; a missing folder is NONEXISTENT.
    func metadataTarget(_ name: MailboxName) throws -> MetadataTarget {
        if name.bytes.isEmpty { return .server }
        let path = try folder(name)
        guard try folderExists(path) else { throw StorageError.folderNotFound(path) }
        return .mailbox(path)
    }

    func responseName(_ target: MetadataTarget) -> MailboxName {
        switch target {
        case .server: MailboxName([])
        case .mailbox(let path): wireName(path)
        }
    }

    func getMetadata(tag: String, _ name: MailboxName, options query: MetadataOptions, entries: [MetadataEntryName],
                     emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        guard let store = options.metadata else { return no(tag, .cannot, "METADATA is not available") }
        let target = try metadataTarget(name)
        let stored = try store.entries(of: target)
        let depth = query.depth ?? .zero
        let names = depth == .zero ? [] : stored.keys.map(MetadataEntryName.init(trusted:)).sorted()
        var values: [MetadataEntryValue] = []
        var sent = Set<String>()
        var longest = 0
        func add(_ entry: MetadataEntryName) {
            guard sent.insert(entry.name).inserted else { return }
            let value = stored[entry.name]
            if let value, let maxSize = query.maxSize, value.count > Int(maxSize) {
                longest = max(longest, value.count)
                return
            }
            values.append(MetadataEntryValue(entry: entry, value: value))
        }
        for entry in entries {
            add(entry)
            for child in names {
                guard let level = entry.depth(of: child), depth == .infinity || level == 1 else { continue }
                add(child)
            }
        }
        if !values.isEmpty { emit([.untagged(.metadata(responseName(target), values))]) }
        guard longest > 0 else { return ok(tag, "GETMETADATA completed") }
        return ok(tag, "GETMETADATA completed", .metadata(.longEntries(UInt32(clamping: longest))))
    }

    func setMetadata(tag: String, _ name: MailboxName, _ values: [MetadataEntryValue]) throws -> IMAPResponse {
        guard let store = options.metadata else { return no(tag, .cannot, "METADATA is not available") }
        let target = try metadataTarget(name)
        let limits = options.metadataLimits
        if let large = values.first(where: { ($0.value?.count ?? 0) > limits.maxValueBytes }) {
            return no(tag, .metadata(.maxSize(UInt32(clamping: limits.maxValueBytes))),
                      "The value of \(large.entry) is larger than \(limits.maxValueBytes) octets")
        }
        try store.update(target) { entries in
            let before = entries.count
            for value in values { entries[value.entry.name] = value.value }
            // More than allowed only fails a command that adds: a lowered limit still lets
            // clients change and remove what they have.
            if entries.count > limits.maxEntriesPerMailbox && entries.count > before {
                throw CommandFailure(status: .no, code: .metadata(.tooMany),
                                     text: "At most \(limits.maxEntriesPerMailbox) entries per mailbox")
            }
        }
        return ok(tag, "SETMETADATA completed")
    }
}
