// SequenceSet — a set of message sequence numbers or UIDs: ranges whose ends may be "*" (the
// largest number in use), or "$" (the result saved by SEARCH RETURN (SAVE)).
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   sequence-set = (seq-number / seq-range) ["," sequence-set]
//   seq-range = seq-number ":" seq-number      ; "2:4" and "4:2" are the same
//   seq-number = nz-number / "*"
// RFC 5182 §3 (SEARCHRES): sequence-set =/ seq-last-command ; seq-last-command = "$".
// RFC 9051 §6.4.8: a range "n:*" with n larger than the largest UID still names that UID.
//
// Normalisation resolves "*" against the largest number in use, orders each range, sorts and
// merges them, and clips to 1...max; `exceeds(max:)` tells the session when a set of message
// sequence numbers names one that does not exist (RFC 3501 §7.1 BAD/NO), which normalisation
// would hide. `compact` builds the shortest set for a list of UIDs (COPYUID, VANISHED,
// ESEARCH ALL), encoded as "1:3,7,9:12".
//
// Security: iteration is lazy and bounded by `max`, so "1:4294967295" costs nothing until the
// session walks the mailbox it has.

/// One end of a range: a number (never 0) or "*".
public enum SequenceBound: Hashable, Sendable {
    case number(UInt32)
    /// "*": the largest number in use.
    case last

    func resolved(max: UInt32) -> UInt32 {
        switch self {
        case .number(let value): value
        case .last: max
        }
    }

    func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .number(let value): buffer.writeNumber(value)
        case .last: buffer.writeByte(IMAPGrammar.asterisk)
        }
    }
}

/// seq-number or seq-range.
public struct SequenceRange: Hashable, Sendable {
    public var first: SequenceBound
    public var last: SequenceBound

    public init(_ first: SequenceBound, _ last: SequenceBound) {
        self.first = first
        self.last = last
    }

    public init(_ number: UInt32) { self.init(.number(number), .number(number)) }

    public init(_ range: ClosedRange<UInt32>) { self.init(.number(range.lowerBound), .number(range.upperBound)) }

    /// The numbers named, in order, "*" resolved against `max`.
    public func resolved(max: UInt32) -> ClosedRange<UInt32> {
        let a = first.resolved(max: max), b = last.resolved(max: max)
        return Swift.min(a, b)...Swift.max(a, b)
    }

    func write(to buffer: inout IMAPEncodeBuffer) {
        first.write(to: &buffer)
        if first != last {
            buffer.writeByte(IMAPGrammar.colon)
            last.write(to: &buffer)
        }
    }
}

/// A sequence set, or "$".
public struct SequenceSet: Hashable, Sendable, CustomStringConvertible {
    /// The ranges as sent (empty only for "$").
    public let ranges: [SequenceRange]
    /// "$": the saved search result (RFC 5182).
    public let isSavedResult: Bool

    /// "$".
    public static let savedResult = SequenceSet(ranges: [], isSavedResult: true)
    /// "1:*".
    public static let all = SequenceSet([SequenceRange(.number(1), .last)])

    private init(ranges: [SequenceRange], isSavedResult: Bool) {
        self.ranges = ranges
        self.isSavedResult = isSavedResult
    }

    /// A set of the given ranges (at least one).
    public init(_ ranges: [SequenceRange]) {
        precondition(!ranges.isEmpty, "a sequence set has at least one range")
        self.init(ranges: ranges, isSavedResult: false)
    }

    public init(_ number: UInt32) { self.init([SequenceRange(number)]) }

    public init(_ range: ClosedRange<UInt32>) { self.init([SequenceRange(range)]) }

    /// The shortest set of the numbers (any order, duplicates allowed); nil when empty or
    /// holding 0.
    public static func compact(_ numbers: some Sequence<UInt32>) -> SequenceSet? {
        let sorted = numbers.sorted()
        guard let first = sorted.first, first > 0 else { return nil }
        return runs(sorted)
    }

    /// The numbers in the order given, each run of consecutive ascending numbers written as a
    /// range (ESORT's ALL keeps the sort order: "7:9,1:2,4"); a number repeating the one before
    /// it joins that range. Nil when empty.
    public static func runs(_ numbers: some Collection<UInt32>) -> SequenceSet? {
        guard var low = numbers.first else { return nil }
        var ranges: [SequenceRange] = []
        var high = low
        for number in numbers.dropFirst() {
            if number == high || number == high &+ 1 && high != .max {
                high = number
            } else {
                ranges.append(SequenceRange(low...high))
                low = number
                high = number
            }
        }
        ranges.append(SequenceRange(low...high))
        return SequenceSet(ranges)
    }

    /// The set as sorted, merged, disjoint ranges within 1...max ("*" is max). Empty for "$"
    /// (resolve it first) and when max is 0.
    public func normalised(max: UInt32) -> [ClosedRange<UInt32>] {
        guard max > 0 else { return [] }
        var resolved = ranges.compactMap { range -> ClosedRange<UInt32>? in
            let r = range.resolved(max: max)
            guard r.lowerBound <= max else { return nil }
            return r.lowerBound...Swift.min(r.upperBound, max)
        }
        resolved.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in resolved {
            if let last = merged.last, range.lowerBound <= last.upperBound || range.lowerBound == last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...Swift.max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Whether `number` is in the set, "*" being `max`.
    public func contains(_ number: UInt32, max: UInt32) -> Bool {
        ranges.contains { $0.resolved(max: max).contains(number) }
    }

    /// Whether the set names a number above `max` (not counting "*", which is max): for
    /// message sequence numbers, an error (RFC 3501 §7.1 / RFC 9051 §6.4.8 no such message).
    public func exceeds(max: UInt32) -> Bool {
        ranges.contains { range in
            [range.first, range.last].contains { if case .number(let n) = $0 { n > max } else { false } }
        }
    }

    /// The numbers in 1...max, ascending, each once (lazy).
    public func numbers(max: UInt32) -> some Sequence<UInt32> {
        normalised(max: max).lazy.joined()
    }

    /// How many numbers the set names within 1...max.
    public func count(max: UInt32) -> Int {
        normalised(max: max).reduce(0) { $0 + $1.count }
    }

    /// The set with "$" replaced by `saved` (which is nil when nothing was saved).
    public func resolvingSavedResult(_ saved: SequenceSet?) -> SequenceSet? {
        isSavedResult ? saved : self
    }

    public var description: String {
        var buffer = IMAPEncodeBuffer()
        write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    // sequence-set = (seq-number / seq-range) ["," sequence-set] / "$"
    public func write(to buffer: inout IMAPEncodeBuffer) {
        if isSavedResult { buffer.writeByte(IMAPGrammar.dollar); return }
        for (index, range) in ranges.enumerated() {
            if index > 0 { buffer.writeByte(IMAPGrammar.comma) }
            range.write(to: &buffer)
        }
    }
}
