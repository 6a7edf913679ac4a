// SearchUpdateContext — a SEARCH or SORT result kept up to date for RETURN (UPDATE): the
// criteria (and the sort program), and the result as the client holds it, from which the
// ADDTO and REMOVEFROM data of the unsolicited ESEARCH responses are computed.
//
// Standards: RFC 5267 §4.3 (CONTEXT=SEARCH, CONTEXT=SORT): after a SEARCH or SORT with RETURN
// (UPDATE) the server tells the client, with `* ESEARCH (TAG "t") [UID] ADDTO (…)` and
// `REMOVEFROM (…)`, of messages that entered or left the result, until CANCELUPDATE or until
// the mailbox is deselected; the numbers are message sequence numbers, or UIDs for UID SEARCH
// and UID SORT. Positions: 0 for SEARCH (its result is in sequence order, the client puts a
// number where it belongs: Dovecot writes 0 too); for SORT the 1-based position in the sorted
// result, one pair per message, applied in the order written (so REMOVEFROM positions count
// the removals before them, and ADDTO positions are final positions, in increasing order).
//
// When (following how Dovecot's imap-sync.c does it):
// - `expungeRemovals` is called just before EXPUNGE responses go out (SelectedMailbox holds
//   them back during FETCH, STORE, SEARCH, … by sequence number, RFC 3501 §7.4.1): a result
//   message being expunged is removed with the number the client still knows it by; while the
//   EXPUNGE is held back it stays in the result, so the client's numbers stay right.
// - `changes` after every sync (command end, NOOP, IDLE): the messages that are new, or whose
//   flags changed (their MODSEQ moved past the highest one seen at the last call: storage
//   gives every flag change a MODSEQ above all before it, RFC 7162 §3.1.1), are matched
//   again; when neither the last UID nor the highest MODSEQ moved, nothing is looked at.
//   ADDTO and REMOVEFROM renumber nothing, so they may go out during any command.
//
// Sequence-number keys are turned into UID sets when the context is made (`uidCriteria`), as
// Dovecot does: "1:3" keeps meaning the messages it meant then, not the ones that later take
// those numbers. "$" is the saved result at that time.
//
// XXX: a SORT result with additions is sorted again whole (the header fields come from the
// folder's field cache); inserting by binary search would need SortProgram's comparison.
// XXX: time-dependent keys (none yet: no OLDER/YOUNGER) would need re-evaluation on a clock.
//
// Security: the context holds only UIDs and the compiled criteria; every UID is looked up in
// the SelectedMailbox before it is used. The number of contexts per session is bounded by
// IMAPLimits.defaultSearchUpdateContexts (the engine's Options).

import MailroomMaildir
import MailroomMIME

/// A search whose result the client asked to keep up to date.
struct SearchUpdateContext: Sendable {
    /// The tag of the SEARCH or SORT command (the ESEARCH correlator, CANCELUPDATE's argument).
    let tag: String
    /// UID SEARCH / UID SORT: the updates carry UIDs.
    let uid: Bool
    let program: SearchProgram
    /// The sort program of a SORT; nil for SEARCH.
    let sort: SortProgram?
    /// The result as the client holds it, as UIDs: increasing for SEARCH, in sort order for SORT.
    private(set) var result: [UInt32]
    private var members: Set<UInt32>
    /// Every message up to this UID has been matched.
    private var evaluatedUID: UInt32
    /// Messages whose MODSEQ is above this are matched again.
    private var evaluatedModSeq: UInt64

    /// What the updates need from the mailbox engine: message octets (search keys on the
    /// header or body), the top-level header (SORT keys), and the field cache.
    struct Loader {
        var fieldCache: SearchFieldCache?
        var content: (MessageInfo) -> [UInt8]
        var header: (SortMessage) -> MIMEHeader
        var timeZone: SearchTimeZone = .system
    }

    /// A context whose result is `result` (UIDs, in the order described above), made when the
    /// client's view is `box`.
    init(tag: String, uid: Bool, program: SearchProgram, sort: SortProgram?, result: [UInt32], box: SelectedMailbox) {
        self.tag = tag
        self.uid = uid
        self.program = program
        self.sort = sort
        self.result = result
        members = Set(result)
        evaluatedUID = box.lastUID
        var highest = box.highestModSeq
        for info in box.messages where info.modSeq > highest { highest = info.modSeq }
        evaluatedModSeq = highest
    }

    // MARK: Updates

    /// REMOVEFROM for the result messages that `box` has marked expunged, to be sent just
    /// before their EXPUNGE responses (numbered as the client still counts them). Nil when the
    /// result loses nothing.
    mutating func expungeRemovals(in box: SelectedMailbox) -> ESearchResponse? {
        // A UID not in the view at all (never the case: the view keeps expunged messages
        // until their EXPUNGE is sent) is dropped without a word.
        let unknown = Set(result.filter { box.sequence(of: $0) == nil })
        if !unknown.isEmpty { remove(unknown) }
        let gone = result.enumerated().compactMap { index, uid -> (index: Int, uid: UInt32)? in
            guard let sequence = box.sequence(of: uid), box.isExpunged(at: sequence) else { return nil }
            return (index, uid)
        }
        guard !gone.isEmpty else { return nil }
        var response = ESearchResponse(tag: tag, uid: uid)
        response.removeFrom = changeList(gone, box: box, adjust: true)
        remove(Set(gone.map(\.uid)))
        return response
    }

    /// ADDTO and REMOVEFROM for what changed since the last call, over `box` as the client
    /// knows it now. Nil when the result is unchanged.
    mutating func changes(in box: SelectedMailbox, loader: Loader) -> ESearchResponse? {
        let count = box.count
        // Nothing new and no change since the last call: no message to look at.
        guard count > 0, box.lastUID > evaluatedUID || box.highestModSeq > evaluatedModSeq else { return nil }
        let matcher = program.matcher(highestSequence: UInt32(clamping: count), highestUID: box.lastUID, timeZone: loader.timeZone)
        var added: [UInt32] = []
        var dropped: Set<UInt32> = []
        var highestModSeq = max(evaluatedModSeq, box.highestModSeq)
        for sequence in 1...count {
            guard !box.isExpunged(at: sequence), let info = box.message(at: sequence) else { continue }
            highestModSeq = max(highestModSeq, info.modSeq)
            guard info.uid > evaluatedUID || info.modSeq > evaluatedModSeq else { continue }
            let hit = matcher.matches(info, sequence: UInt32(sequence), isRecent: box.recent.contains(info.uid),
                                      fieldCache: loader.fieldCache) { loader.content(info) }
            let member = members.contains(info.uid)
            if hit && !member { added.append(info.uid) }
            if !hit && member { dropped.insert(info.uid) }
        }
        evaluatedUID = max(evaluatedUID, box.lastUID)
        evaluatedModSeq = highestModSeq
        guard !added.isEmpty || !dropped.isEmpty else { return nil }

        var response = ESearchResponse(tag: tag, uid: uid)
        if !dropped.isEmpty {
            let removed = result.enumerated().filter { dropped.contains($0.element) }.map { (index: $0.offset, uid: $0.element) }
            response.removeFrom = changeList(removed, box: box, adjust: true)
            remove(dropped)
        }
        if !added.isEmpty {
            insert(added, box: box, loader: loader)
            let new = Set(added)
            let positions = result.enumerated().filter { new.contains($0.element) }.map { (index: $0.offset, uid: $0.element) }
            response.addTo = changeList(positions, box: box, adjust: false)
        }
        return response
    }

    // MARK: Result

    private mutating func remove(_ uids: Set<UInt32>) {
        result.removeAll { uids.contains($0) }
        members.subtract(uids)
    }

    /// Adds `uids` (increasing) where they belong: in UID order for SEARCH, sorted for SORT.
    private mutating func insert(_ uids: [UInt32], box: SelectedMailbox, loader: Loader) {
        members.formUnion(uids)
        guard let sort else {
            result = (result + uids).sorted()
            return
        }
        let messages = (result + uids).compactMap { uid -> SortMessage? in
            guard let sequence = box.sequence(of: uid), let info = box.message(at: sequence) else { return nil }
            return SortMessage(sequence: UInt32(sequence), info: info)
        }
        result = sort.sort(messages, header: loader.header).map(\.info.uid)
    }

    /// "position numbers" pairs for messages at result indexes `items` (increasing). SEARCH:
    /// one pair at position 0. SORT: one pair per message; with `adjust` (removals, applied one
    /// after the other) each position counts the removals before it.
    private func changeList(_ items: [(index: Int, uid: UInt32)], box: SelectedMailbox,
                            adjust: Bool) -> [ESearchResponse.ContextChange] {
        func number(_ uid: UInt32) -> UInt32? { self.uid ? uid : box.sequence(of: uid).map { UInt32($0) } }
        guard sort != nil else {
            guard let set = SequenceSet.compact(items.compactMap { number($0.uid) }) else { return [] }
            return [ESearchResponse.ContextChange(position: 0, numbers: set)]
        }
        var changes: [ESearchResponse.ContextChange] = []
        for (done, item) in items.enumerated() {
            guard let n = number(item.uid) else { continue }
            let position = UInt32(item.index - (adjust ? done : 0) + 1)
            changes.append(ESearchResponse.ContextChange(position: position, numbers: SequenceSet(n)))
        }
        return changes
    }

    // MARK: Criteria

    /// `criteria` with every message-sequence-number key replaced by the UIDs of those messages
    /// in `box` now ("$" and UID sets stay as they are).
    static func uidCriteria(_ criteria: [SearchKey], box: SelectedMailbox) -> [SearchKey] {
        criteria.map { uidKey($0, box: box) }
    }

    private static func uidKey(_ key: SearchKey, box: SelectedMailbox) -> SearchKey {
        switch key {
        case .sequenceSet(let set) where !set.isSavedResult:
            let uids = set.numbers(max: UInt32(clamping: box.count)).lazy.compactMap { box.message(at: Int($0))?.uid }
            guard let uidSet = SequenceSet.compact(uids) else { return .not(.all) }
            return .uid(uidSet)
        case .not(let inner): return .not(uidKey(inner, box: box))
        case .or(let a, let b): return .or(uidKey(a, box: box), uidKey(b, box: box))
        case .and(let keys): return .and(keys.map { uidKey($0, box: box) })
        default: return key
        }
    }
}
