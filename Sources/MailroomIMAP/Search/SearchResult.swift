// SearchResult — what a SEARCH answers from its matches: the numbers of the SEARCH response,
// the ESEARCH data, the result SEARCH RETURN (SAVE) keeps for "$", and the highest MODSEQ.
//
// Standards: RFC 3501 §7.2.5 (SEARCH response: message sequence numbers, or UIDs for UID
// SEARCH), RFC 4731 §3.1 (RETURN options MIN, MAX, ALL, COUNT; "()" means ALL; MIN, MAX and
// ALL are left out when nothing matched; ALL is a sequence-set), RFC 5182 §2.1 and §2.4 (SAVE
// keeps the result as UIDs; "If the SAVE result option is combined with MIN or MAX ... the
// server MUST only save the minimum/maximum"; with both, both; combined with ALL or COUNT, or
// alone, the whole result; SAVE alone sends no ESEARCH response), RFC 7162 §3.1.5 (a SEARCH
// with a MODSEQ key returns "the highest mod-sequence for all messages being returned": with
// only MIN and/or MAX in ESEARCH, of those messages; none when nothing matched), RFC 5267 §4.4
// (PARTIAL m:n: the matches at positions m to n, "NIL" when there are none; it may come with
// ALL, which Dovecot refuses), §4.2 and §4.3 (CONTEXT and UPDATE ask for no data).
//
// Pure functions over `[SearchMatch]` in sequence order.

/// Results of a search, as responses need them.
public enum SearchResult {
    /// The numbers of `* SEARCH`: UIDs for UID SEARCH, else message sequence numbers.
    public static func numbers(_ matches: [SearchMatch], uid: Bool) -> [UInt32] {
        matches.map { uid ? $0.uid : $0.sequence }
    }

    /// The highest MODSEQ of the matches (RFC 7162 §3.1.5 "(MODSEQ n)"), nil when none matched.
    public static func highestModSeq(_ matches: [SearchMatch]) -> UInt64? {
        matches.lazy.map(\.modSeq).max()
    }

    /// The ESEARCH response for RETURN `options`, or nil when the only option is SAVE (RFC
    /// 5182 §2.4: no ESEARCH then). `includeModSeq`: the search used a MODSEQ key. UPDATE
    /// without data options answers with the correlator alone (RFC 5267 §4.3; Dovecot does
    /// not assume ALL then); CONTEXT is only a hint (RFC 5267 §4.2).
    public static func eSearch(_ matches: [SearchMatch], options: [SearchReturnOption], uid: Bool, tag: String?,
                               includeModSeq: Bool = false) -> ESearchResponse? {
        var wanted = Set(options.filter(\.returnsData))
        if wanted.isEmpty {
            if options.contains(.update) { return ESearchResponse(tag: tag, uid: uid) }
            if options.contains(.save) { return nil }
            wanted = [.all]   // RFC 4731: "()" is ALL
        }
        var response = ESearchResponse(tag: tag, uid: uid)
        let first = matches.min { $0.sequence < $1.sequence }
        let last = matches.max { $0.sequence < $1.sequence }
        if wanted.contains(.min), let first { response.min = uid ? first.uid : first.sequence }
        if wanted.contains(.max), let last { response.max = uid ? last.uid : last.sequence }
        if wanted.contains(.all) { response.all = SequenceSet.compact(numbers(matches, uid: uid)) }
        if wanted.contains(.count) { response.count = UInt32(clamping: matches.count) }
        var window: ArraySlice<SearchMatch> = []
        if let range = partialRange(options) {
            window = Self.window(matches, range)
            response.partial = ESearchResponse.Partial(range: range, numbers: SequenceSet.compact(numbers(Array(window), uid: uid)))
        }
        if includeModSeq {
            if wanted.contains(.all) || wanted.contains(.count) {
                response.modSeq = highestModSeq(matches)
            } else {
                let returned = [wanted.contains(.min) ? first : nil, wanted.contains(.max) ? last : nil]
                response.modSeq = highestModSeq(returned.compactMap { $0 } + window)
            }
        }
        return response
    }

    /// The UIDs a SEARCH whose RETURN `options` include SAVE keeps for "$" (RFC 5182), nil
    /// for the empty result. With only MIN, MAX and PARTIAL, the messages they return (RFC
    /// 9394 §3.2 for PARTIAL).
    public static func saved(_ matches: [SearchMatch], options: [SearchReturnOption]) -> SequenceSet? {
        let wanted = Set(options.filter(\.returnsData))
        let whole = wanted.isEmpty || wanted.contains(.all) || wanted.contains(.count)
        if whole { return SequenceSet.compact(matches.map(\.uid)) }
        var uids: [UInt32] = []
        if wanted.contains(.min), let first = matches.min(by: { $0.sequence < $1.sequence }) { uids.append(first.uid) }
        if wanted.contains(.max), let last = matches.max(by: { $0.sequence < $1.sequence }) { uids.append(last.uid) }
        if let range = partialRange(options) { uids += window(matches, range).map(\.uid) }
        return SequenceSet.compact(uids)
    }

    /// The PARTIAL range among `options`, if any.
    static func partialRange(_ options: [SearchReturnOption]) -> ClosedRange<UInt32>? {
        for case .partial(let range) in options { return range }
        return nil
    }

    /// The matches at 1-based positions `range` (RFC 5267 §4.4), in sequence order.
    static func window<T>(_ items: [T], _ range: ClosedRange<UInt32>) -> ArraySlice<T> {
        let lower = Int(range.lowerBound) - 1
        guard lower < items.count else { return [] }
        return items[lower..<min(Int(range.upperBound), items.count)]
    }
}
