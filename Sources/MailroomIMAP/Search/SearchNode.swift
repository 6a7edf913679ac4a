// SearchNode — the compiled form of SEARCH criteria that SearchMatcher walks: one case per kind
// of test, with what it needs already prepared (folded strings, day numbers, lowercased names),
// and the cost class that orders the tests of an AND.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 (the search keys; see SearchProgram.swift for
// how each key maps here). An AND, an OR and a NOT have the same result whatever order their
// operands are evaluated in, so cheaper operands go first and content is loaded only when the
// cheap ones did not decide.
//
// Security: recursion depth is the nesting depth of the criteria, bounded by the parser.

import MailroomMaildir

/// The address header fields of FROM, TO, CC and BCC.
enum AddressField: String, Sendable {
    case from, to, cc, bcc
}

enum DateTest: Sendable {
    case before, on, since

    func matches(_ day: Int, _ key: Int) -> Bool {
        switch self {
        case .before: day < key
        case .on: day == key
        case .since: day >= key
        }
    }
}

indirect enum SearchNode: Sendable {
    case constant(Bool)
    /// A system flag is set.
    case flag(SystemFlags)
    /// \Recent in this session.
    case recent
    /// A keyword is set (names compared ASCII case-insensitively; keywords are atoms).
    case keyword([UInt8])
    /// RFC822.SIZE larger / smaller than n.
    case larger(UInt64), smaller(UInt64)
    /// The internal date's calendar day against a day (days since 1970).
    case internalDate(DateTest, Int)
    /// The Date: field's calendar day against a day.
    case sentDate(DateTest, Int)
    /// The save date's calendar day against a day (RFC 8514); the internal date where the save
    /// date is not known.
    case saveDate(DateTest, Int)
    /// RFC 8474 EMAILID equal to this objectid.
    case emailID(String)
    /// A sequence set of UIDs or message sequence numbers, "*" not yet resolved.
    case set(SequenceSet, uid: Bool)
    /// The same, resolved: sorted, disjoint ranges.
    case ranges([ClosedRange<UInt32>], uid: Bool)
    /// MODSEQ at least n.
    case modSeq(UInt64)
    /// A header field (name lowercased) whose decoded value contains the text; the empty text
    /// asks only that the field exists.
    case header(String, FoldedText)
    /// An address field whose addresses or display names contain the text.
    case address(AddressField, FoldedText)
    case body(FoldedText)
    case text(FoldedText)
    case not(SearchNode)
    case or(SearchNode, SearchNode)
    case and([SearchNode])

    /// What a test needs: the message list, the header, or the whole message.
    enum Cost: Int, Comparable {
        case metadata = 0, header = 1, body = 2
        static func < (a: Cost, b: Cost) -> Bool { a.rawValue < b.rawValue }
    }

    var cost: Cost {
        switch self {
        case .constant, .flag, .recent, .keyword, .larger, .smaller, .internalDate, .set, .ranges, .modSeq, .saveDate, .emailID: .metadata
        case .sentDate, .header, .address: .header
        case .body, .text: .body
        case .not(let n): n.cost
        case .or(let a, let b): max(a.cost, b.cost)
        case .and(let nodes): nodes.map(\.cost).max() ?? .metadata
        }
    }

    /// Nested ANDs flattened, constants folded, and each AND's and OR's operands ordered by
    /// cost (stable, so equal-cost keys keep the client's order).
    func optimised() -> SearchNode {
        switch self {
        case .not(let n):
            let inner = n.optimised()
            if case .constant(let v) = inner { return .constant(!v) }
            if case .not(let twice) = inner { return twice }
            return .not(inner)
        case .or(let a, let b):
            let x = a.optimised(), y = b.optimised()
            if case .constant(let v) = x { return v ? .constant(true) : y }
            if case .constant(let v) = y { return v ? .constant(true) : x }
            return y.cost < x.cost ? .or(y, x) : .or(x, y)
        case .and(let nodes):
            var flat: [SearchNode] = []
            for node in nodes {
                let o = node.optimised()
                switch o {
                case .constant(true): continue
                case .constant(false): return .constant(false)
                case .and(let inner): flat.append(contentsOf: inner)
                default: flat.append(o)
                }
            }
            if flat.isEmpty { return .constant(true) }
            if flat.count == 1 { return flat[0] }
            let ordered = flat.enumerated().sorted { ($0.element.cost, $0.offset) < ($1.element.cost, $1.offset) }
            return .and(ordered.map(\.element))
        default:
            return self
        }
    }

    /// "*" resolved against the mailbox: sets become sorted ranges.
    func bound(highestSequence: UInt32, highestUID: UInt32) -> SearchNode {
        switch self {
        case .set(let set, let uid):
            return .ranges(set.normalised(max: uid ? highestUID : highestSequence), uid: uid)
        case .not(let n): return .not(n.bound(highestSequence: highestSequence, highestUID: highestUID))
        case .or(let a, let b):
            return .or(a.bound(highestSequence: highestSequence, highestUID: highestUID),
                       b.bound(highestSequence: highestSequence, highestUID: highestUID))
        case .and(let nodes): return .and(nodes.map { $0.bound(highestSequence: highestSequence, highestUID: highestUID) })
        default: return self
        }
    }

    /// Whether `n` is in sorted, disjoint `ranges` (binary search).
    static func contains(_ ranges: [ClosedRange<UInt32>], _ n: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < n { low = mid + 1 } else { high = mid }
        }
        return low < ranges.count && ranges[low].contains(n)
    }
}
