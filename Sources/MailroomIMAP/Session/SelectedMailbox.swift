// SelectedMailbox — the selected mailbox as this session's client knows it: the message
// sequence numbers, each message's UID, flags and MODSEQ, and what has changed in storage
// (other sessions, deliveries, this session's own commands) that the client has not been told.
//
// Standards: RFC 3501 §2.3.1.2 (message sequence numbers: 1..n in UID order, renumbered only
// when an EXPUNGE response is sent), §5.2 (the server sends untagged EXISTS, RECENT, EXPUNGE
// and FETCH FLAGS to tell the client of changes), §7.4.1 ("An EXPUNGE response MUST NOT be
// sent when no command is in progress, nor while responding to a FETCH, STORE, or SEARCH
// command", because the client could not tell which numbers it meant; UID commands are
// exempt), RFC 7162 §3.1.4 and §3.2.4 (with CONDSTORE enabled a FETCH sent because flags
// changed carries the MODSEQ), RFC 3501 §7.3.1 (EXISTS is the number of messages including
// ones whose EXPUNGE was held back).
//
// How: `apply(_:)` records a fresh storage snapshot; messages gone from storage stay in the
// client's view, marked expunged, until `announce(allowExpunge:)` may send their EXPUNGE
// responses. New messages are added at once (EXISTS may always be sent). Flag changes are
// reported once per change: the view keeps the last flags the client was told.
//
// Security: nothing here trusts a client-supplied number: sequence numbers and UIDs are
// looked up, never used as indexes unchecked.

import MailroomMaildir

/// One change the client must be told of, in the order to send them.
public enum MailboxUpdate: Sendable, Equatable {
    /// `* n EXPUNGE`: sequence number at the time it is sent.
    case expunge(Int)
    /// `* n EXISTS`.
    case exists(Int)
    /// `* n RECENT`.
    case recent(Int)
    /// `* n FETCH (FLAGS (...) [MODSEQ (m)])` for a message whose flags changed.
    case flags(sequence: Int, MessageInfo)
}

/// The selected mailbox of one session.
public struct SelectedMailbox: Sendable {
    public let path: FolderPath
    /// EXAMINE, or SELECT of a mailbox the user cannot change.
    public let isReadOnly: Bool
    public private(set) var uidValidity: UInt32
    public private(set) var uidNext: UInt32
    public private(set) var highestModSeq: UInt64
    /// The storage's version at the last snapshot taken in (the next sync asks for a listing
    /// only if the folder is past it).
    public private(set) var storageVersion: FolderVersion

    /// The client's view, in sequence order (increasing UID).
    private var entries: [Entry]
    /// UIDs that are \Recent for this session (RFC 3501 §2.3.2).
    public private(set) var recent: Set<UInt32>
    /// The EXISTS and RECENT counts the client was last told.
    private var toldExists: Int
    private var toldRecent: Int
    /// Messages whose flags changed since the client was last told.
    private var changed: Set<UInt32> = []

    struct Entry: Sendable, Equatable {
        var info: MessageInfo
        /// Gone from storage; the EXPUNGE is not sent yet.
        var expunged: Bool
    }

    /// The mailbox as SELECT/EXAMINE found it; the caller sends EXISTS, RECENT and the rest
    /// from `count`, `recentCount` and the snapshot.
    public init(path: FolderPath, snapshot: FolderSnapshot, readOnly: Bool) {
        self.path = path
        self.isReadOnly = readOnly
        uidValidity = snapshot.uidValidity
        uidNext = snapshot.uidNext
        highestModSeq = snapshot.highestModSeq
        storageVersion = snapshot.version
        entries = snapshot.messages.map { Entry(info: $0, expunged: false) }
        recent = snapshot.recent
        toldExists = entries.count
        toldRecent = recent.count
    }

    // MARK: Lookups

    /// Messages in the client's view (the last EXISTS, plus new ones not yet announced).
    public var count: Int { entries.count }
    public var recentCount: Int { recent.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// The highest UID in the view (0 when empty): "*" in a UID set.
    public var lastUID: UInt32 { entries.last?.info.uid ?? 0 }

    /// The message at sequence number `sequence` (1-based).
    public func message(at sequence: Int) -> MessageInfo? {
        entries.indices.contains(sequence - 1) ? entries[sequence - 1].info : nil
    }

    /// Whether the message at `sequence` is gone from storage (its EXPUNGE is held back).
    public func isExpunged(at sequence: Int) -> Bool {
        entries.indices.contains(sequence - 1) && entries[sequence - 1].expunged
    }

    /// The sequence number of `uid`, if it is in the view.
    public func sequence(of uid: UInt32) -> Int? {
        var low = 0, high = entries.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let found = entries[mid].info.uid
            if found == uid { return mid + 1 }
            if found < uid { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Sequence numbers of the UIDs in `range` that are in the view, in order.
    public func sequences(ofUIDs range: ClosedRange<UInt32>) -> Range<Int> {
        let start = firstIndex { $0 >= range.lowerBound }
        let end = firstIndex { $0 > range.upperBound }
        return (start + 1)..<(max(start, end) + 1)
    }

    /// The index of the first entry whose UID satisfies `predicate` (monotone), or count.
    private func firstIndex(where predicate: (UInt32) -> Bool) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(entries[mid].info.uid) { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Every message of the view with its sequence number, for SEARCH and the like.
    public var messages: some Collection<MessageInfo> { entries.lazy.map(\.info) }

    // MARK: Changes

    /// Takes in a fresh snapshot of the folder (after any command, on NOOP/IDLE, or after a
    /// change notification). Returns true when something is waiting to be announced.
    @discardableResult
    public mutating func apply(_ snapshot: FolderSnapshot) -> Bool {
        uidNext = snapshot.uidNext
        highestModSeq = max(highestModSeq, snapshot.highestModSeq)
        storageVersion = snapshot.version
        var merged: [Entry] = []
        merged.reserveCapacity(max(entries.count, snapshot.messages.count))
        var i = 0, j = 0
        let new = snapshot.messages
        while i < entries.count || j < new.count {
            if j == new.count || (i < entries.count && entries[i].info.uid < new[j].uid) {
                // In the view, no longer in storage.
                var entry = entries[i]
                entry.expunged = true
                changed.remove(entry.info.uid)
                merged.append(entry)
                i += 1
            } else if i == entries.count || new[j].uid < entries[i].info.uid {
                // New in storage. A UID below the last one the client knows cannot be shown
                // without renumbering (RFC 3501 §2.3.1.1: UIDs only grow); storage never
                // hands one out, so such a message is left for the next SELECT.
                if new[j].uid > (merged.last?.info.uid ?? 0) {
                    merged.append(Entry(info: new[j], expunged: false))
                    if snapshot.recent.contains(new[j].uid) { recent.insert(new[j].uid) }
                }
                j += 1
            } else {
                var entry = entries[i]
                if !entry.expunged, !Self.sameFlags(entry.info, new[j]) { changed.insert(new[j].uid) }
                if !entry.expunged { entry.info = new[j] }
                merged.append(entry)
                i += 1
                j += 1
            }
        }
        entries = merged
        return hasPendingUpdates
    }

    /// Records flags this session's own STORE has reported already, so they are not sent
    /// again as a change.
    public mutating func noteReported(_ info: MessageInfo) {
        guard let sequence = sequence(of: info.uid), !entries[sequence - 1].expunged else { return }
        entries[sequence - 1].info = info
        changed.remove(info.uid)
        highestModSeq = max(highestModSeq, info.modSeq)
    }

    /// After this session's own flag change has been taken in (`noteReported`): when the view
    /// was at the storage version the change started from, it is now at the one it ended at,
    /// and the next sync needs no listing.
    public mutating func noteOwnChange(_ update: FlagUpdate) {
        guard let before = update.versionBefore, let after = update.versionAfter, storageVersion == before else { return }
        storageVersion = after
    }

    /// Something is waiting to be announced (with expunges allowed).
    public var hasPendingUpdates: Bool {
        !changed.isEmpty || entries.count != toldExists || entries.contains { $0.expunged }
    }

    /// The untagged responses to send now. `allowExpunge` is false while answering a FETCH,
    /// STORE or SEARCH by sequence number (RFC 3501 §7.4.1).
    public mutating func announce(allowExpunge: Bool) -> [MailboxUpdate] {
        var updates: [MailboxUpdate] = []
        if allowExpunge && entries.contains(where: \.expunged) {
            // Ascending order; each number is the message's number when its response is sent.
            var kept: [Entry] = []
            kept.reserveCapacity(entries.count)
            for entry in entries {
                if entry.expunged {
                    updates.append(.expunge(kept.count + 1))
                    recent.remove(entry.info.uid)
                    toldExists -= 1
                } else {
                    kept.append(entry)
                }
            }
            entries = kept
            toldRecent = min(toldRecent, recent.count)
        }
        if !changed.isEmpty {
            for (index, entry) in entries.enumerated() where changed.contains(entry.info.uid) && !entry.expunged {
                updates.append(.flags(sequence: index + 1, entry.info))
            }
            changed.removeAll()
        }
        if entries.count != toldExists {
            updates.append(.exists(entries.count))
            updates.append(.recent(recent.count))
            toldExists = entries.count
            toldRecent = recent.count
        }
        return updates
    }

    static func sameFlags(_ a: MessageInfo, _ b: MessageInfo) -> Bool {
        a.flags == b.flags && a.keywords == b.keywords
    }
}
