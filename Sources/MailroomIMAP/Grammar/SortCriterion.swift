// SortCriterion — one key of a SORT command's sort program, with its REVERSE flag.
//
// Standards: RFC 5256 §3 (SORT):
//   sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
//   sort-criterion = ["REVERSE" SP] sort-key
//   sort-key = "ARRIVAL" / "CC" / "DATE" / "FROM" / "SIZE" / "SUBJECT" / "TO"
// RFC 5957 §3 (SORT=DISPLAY): sort-key =/ "DISPLAYFROM" / "DISPLAYTO".
// What each key compares is in Sort/SortProgram.swift.

/// A SORT key (RFC 5256 §3, RFC 5957 §3).
public enum SortKey: String, Hashable, Sendable, CaseIterable {
    case arrival = "ARRIVAL", cc = "CC", date = "DATE", from = "FROM", size = "SIZE", subject = "SUBJECT", to = "TO"
    case displayFrom = "DISPLAYFROM", displayTo = "DISPLAYTO"
}

/// sort-criterion: a key, in reverse order or not.
public struct SortCriterion: Hashable, Sendable, CustomStringConvertible {
    public var key: SortKey
    public var reversed: Bool

    public init(_ key: SortKey, reversed: Bool = false) {
        self.key = key
        self.reversed = reversed
    }

    public var description: String { (reversed ? "REVERSE " : "") + key.rawValue }

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(description) }
}
