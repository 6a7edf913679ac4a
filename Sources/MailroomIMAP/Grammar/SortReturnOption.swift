// SortReturnOption — what an extended SORT (ESORT) asks to be returned.
//
// Standards: RFC 5267 §3 (ESORT: "SORT RETURN (...)" takes the search-return-opts of RFC 4731,
// answered with ESEARCH in sort order), §4.4 (PARTIAL):
//   search-return-opt =/ "PARTIAL" SP partial-range
//   partial-range = nz-number ":" nz-number
// RFC 5182 (SAVE, which ESORT servers take in SORT too). "4:2" means "2:4" (RFC 5267 §4.4).
// PARTIAL is taken although CONTEXT=SORT is not announced (the UPDATE part of RFC 5267 §4 is
// not implemented), as Dovecot takes it.

/// A SORT RETURN option.
public enum SortReturnOption: Hashable, Sendable, CustomStringConvertible {
    case min, max, all, count, save
    /// PARTIAL first:last — positions in the sorted result, 1-based, first ≤ last.
    case partial(ClosedRange<UInt32>)

    public var description: String {
        switch self {
        case .min: "MIN"
        case .max: "MAX"
        case .all: "ALL"
        case .count: "COUNT"
        case .save: "SAVE"
        case .partial(let range): "PARTIAL \(range.lowerBound):\(range.upperBound)"
        }
    }

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(description) }
}
