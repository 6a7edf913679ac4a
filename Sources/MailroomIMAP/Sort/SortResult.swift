// SortResult — what an extended SORT (ESORT) answers from its sorted matches: the ESEARCH
// data in sort order, and the result RETURN (SAVE) keeps for "$".
//
// Standards: RFC 5267 §3.1 (ESORT return options: "MIN: Return the message sequence number
// (or UID) of the first message in the sort result", "MAX: ... of the last message in the
// sort result", "ALL: Return all message numbers/UIDs which match the search criteria, in the
// requested sort order, using a sequence-set", "COUNT: As in [ESEARCH]"; an empty list is ALL,
// RFC 4731 §3.1), §4.4 (PARTIAL m:n: the matches at positions m to n of the sorted result,
// "NIL" when there are none), RFC 5182 §2.1 (SAVE keeps UIDs; with MIN and/or MAX only those;
// SAVE alone sends no ESEARCH), RFC 7162 §3.1.5 (MODSEQ: the highest of the messages
// returned), §4.3 (UPDATE alone asks for no data: the ESEARCH carries only the correlator, as
// Dovecot answers). MIN, MAX and ALL are left out when nothing matched (RFC 4731 §3.1).
//
// A sequence-set in sort order merges only ascending runs ("5,3:4,2,1"), as Dovecot writes it.
// XXX: with PARTIAL and SAVE together, the partial result is saved (RFC 9394 §3.2's rule for
// SEARCH); RFC 5267 says nothing about it.

enum SortResult {
    /// The ESEARCH response for RETURN `options` over `sorted` (in sort order), or nil when the
    /// only option is SAVE. `includeModSeq`: the search used a MODSEQ key.
    static func eSearch(_ sorted: [SortMessage], options: [SortReturnOption], uid: Bool, tag: String?,
                        includeModSeq: Bool = false) -> ESearchResponse? {
        var wanted = options.filter(\.returnsData)
        if wanted.isEmpty {
            if options.contains(.update) { return ESearchResponse(tag: tag, uid: uid) }
            if options.contains(.save) { return nil }
            wanted = [.all]   // RFC 4731: "()" is ALL
        }
        func number(_ message: SortMessage) -> UInt32 { uid ? message.info.uid : message.sequence }
        var response = ESearchResponse(tag: tag, uid: uid)
        var returned: [SortMessage] = []
        for option in wanted {
            switch option {
            case .min:
                if let first = sorted.first { response.min = number(first); returned.append(first) }
            case .max:
                if let last = sorted.last { response.max = number(last); returned.append(last) }
            case .all:
                response.all = SequenceSet.runs(sorted.map(number))
                returned += sorted
            case .count:
                response.count = UInt32(clamping: sorted.count)
                returned += sorted
            case .partial(let range):
                let slice = window(sorted, range)
                response.partial = ESearchResponse.Partial(range: range, numbers: SequenceSet.runs(slice.map(number)))
                returned += slice
            case .save, .context, .update:
                break
            }
        }
        if includeModSeq { response.modSeq = returned.lazy.map(\.info.modSeq).max() }
        return response
    }

    /// The UIDs RETURN (SAVE) keeps for "$": the messages MIN, MAX or PARTIAL return when
    /// only those are asked for, else all of them (RFC 5182 §2.1). Nil for the empty result.
    static func saved(_ sorted: [SortMessage], options: [SortReturnOption]) -> SequenceSet? {
        let others = options.filter(\.returnsData)
        if others.isEmpty || others.contains(.all) || others.contains(.count) {
            return SequenceSet.compact(sorted.map(\.info.uid))
        }
        var uids: [UInt32] = []
        for option in others {
            switch option {
            case .min: if let first = sorted.first { uids.append(first.info.uid) }
            case .max: if let last = sorted.last { uids.append(last.info.uid) }
            case .partial(let range): uids += window(sorted, range).map(\.info.uid)
            case .all, .count, .save, .context, .update: break
            }
        }
        return SequenceSet.compact(uids)
    }

    /// The messages at 1-based positions `range` of the sorted result.
    static func window(_ sorted: [SortMessage], _ range: ClosedRange<UInt32>) -> ArraySlice<SortMessage> {
        SearchResult.window(sorted, range)
    }
}
