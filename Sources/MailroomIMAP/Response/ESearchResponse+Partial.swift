// ESearchResponse+Partial — the PARTIAL data of an ESEARCH response: the range of result
// positions asked for and the message numbers found there.
//
// Standards: RFC 5267 §4.4:
//   ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"
//   partial-range = nz-number ":" nz-number
//   partial-results = sequence-set / "NIL"      ; NIL when no message is in the range
// For SORT the numbers keep the sort order ("5,3:4,2,1"), as Dovecot writes them.

extension ESearchResponse {
    /// PARTIAL (first:last numbers).
    public struct Partial: Hashable, Sendable {
        /// The positions asked for, 1-based.
        public var range: ClosedRange<UInt32>
        /// The numbers at those positions; nil when there are none.
        public var numbers: SequenceSet?

        public init(range: ClosedRange<UInt32>, numbers: SequenceSet?) {
            self.range = range
            self.numbers = numbers
        }

        public func write(to buffer: inout IMAPEncodeBuffer) {
            buffer.write(" PARTIAL (\(range.lowerBound):\(range.upperBound) ")
            if let numbers { numbers.write(to: &buffer) } else { buffer.writeNil() }
            buffer.write(")")
        }
    }
}
