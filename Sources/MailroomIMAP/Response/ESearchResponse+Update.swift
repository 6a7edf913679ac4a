// ESearchResponse+Update — the ADDTO and REMOVEFROM data of an ESEARCH response: how the
// result of a search kept with RETURN (UPDATE) changed.
//
// Standards: RFC 5267 §4.3:
//   ret-data-addto = "ADDTO" SP "(" context-position SP sequence-set
//                    *(SP context-position SP sequence-set) ")"
//   ret-data-removefrom = "REMOVEFROM" SP "(" context-position SP sequence-set
//                    *(SP context-position SP sequence-set) ")"
//   context-position = number
// The pairs are applied in the order written. A SEARCH result has no order of its own, so its
// position is 0 (as Dovecot writes it); a SORT result names each message's 1-based position
// (Context/SearchUpdateContext.swift).

extension ESearchResponse {
    /// One "position sequence-set" pair of ADDTO or REMOVEFROM.
    public struct ContextChange: Hashable, Sendable {
        /// 1-based position in the result; 0 for a SEARCH result.
        public var position: UInt32
        /// Message sequence numbers, or UIDs in a UID response.
        public var numbers: SequenceSet

        public init(position: UInt32, numbers: SequenceSet) {
            self.position = position
            self.numbers = numbers
        }

        /// `name (pos set pos set ...)`, nothing when `changes` is empty.
        static func write(_ name: String, _ changes: [ContextChange], to buffer: inout IMAPEncodeBuffer) {
            guard !changes.isEmpty else { return }
            buffer.write(name + " (")
            for (index, change) in changes.enumerated() {
                if index > 0 { buffer.writeSpace() }
                buffer.write("\(change.position) ")
                change.numbers.write(to: &buffer)
            }
            buffer.write(")")
        }
    }
}
