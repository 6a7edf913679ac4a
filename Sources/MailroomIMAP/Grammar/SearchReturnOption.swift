// SearchReturnOption — what an extended SEARCH, or an extended SORT (ESORT), asks to be
// returned.
//
// Standards: RFC 4731 §3.1 (ESEARCH):
//   search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
//   search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / search-ret-opt-ext
// RFC 5182 §4 (SEARCHRES): search-return-opt =/ "SAVE". An empty list means ALL.
// RFC 5267 §3 (ESORT: "SORT RETURN (...)" takes the same options, answered in sort order),
// §4.2 ("CONTEXT": a hint that the client will ask for more of the result, which a server may
// ignore; this one does), §4.3 ("UPDATE": keep the result and report changes to it), §4.4:
//   search-return-opt =/ "CONTEXT" / "UPDATE" / "PARTIAL" SP partial-range
//   partial-range = nz-number ":" nz-number         ; "4:2" means "2:4"
// RFC 9394's negative partial ranges ("-1:-100") belong to its PARTIAL capability, which is
// not announced, so they are a syntax error here.

/// A SEARCH or SORT RETURN option.
public enum SearchReturnOption: Hashable, Sendable, CustomStringConvertible {
    case min, max, all, count, save
    /// PARTIAL first:last — positions in the result, 1-based, first ≤ last (RFC 5267 §4.4).
    case partial(ClosedRange<UInt32>)
    /// CONTEXT (RFC 5267 §4.2): a hint, accepted and ignored.
    case context
    /// UPDATE (RFC 5267 §4.3): keep the result up to date with ADDTO / REMOVEFROM.
    case update

    public var description: String {
        switch self {
        case .min: "MIN"
        case .max: "MAX"
        case .all: "ALL"
        case .count: "COUNT"
        case .save: "SAVE"
        case .partial(let range): "PARTIAL \(range.lowerBound):\(range.upperBound)"
        case .context: "CONTEXT"
        case .update: "UPDATE"
        }
    }

    /// Options that ask for result data (all but SAVE, CONTEXT and UPDATE).
    public var returnsData: Bool {
        switch self {
        case .save, .context, .update: false
        default: true
        }
    }

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(description) }
}

/// ESORT's RETURN options are SEARCH's (RFC 5267 §3).
public typealias SortReturnOption = SearchReturnOption
