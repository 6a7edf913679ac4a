// IMAPCommandParser+Sequence — sequence sets and mod-sequences.
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   sequence-set = (seq-number / seq-range) ["," sequence-set]
//   seq-range = seq-number ":" seq-number
//   seq-number = nz-number / "*"
// RFC 5182 §3: sequence-set =/ "$" (alone: it cannot be combined with ranges).
// RFC 7162 §7: mod-sequence-value = 1*DIGIT (1 ... 2^63-1); mod-sequence-valzer = "0" / mod-sequence-value.

extension IMAPCommandParser {
    static func sequenceSet(_ buffer: inout IMAPParseBuffer, _ what: String = "sequence set") throws(IMAPParseError) -> SequenceSet {
        if buffer.consume(IMAPGrammar.dollar) {
            if let next = buffer.peek(), next == IMAPGrammar.comma || next == IMAPGrammar.colon {
                throw IMAPParseError("invalid \(what): $ cannot be combined with other numbers")
            }
            return .savedResult
        }
        var ranges: [SequenceRange] = []
        repeat {
            let first = try sequenceBound(&buffer, what)
            let last = buffer.consume(IMAPGrammar.colon) ? try sequenceBound(&buffer, what) : first
            ranges.append(SequenceRange(first, last))
        } while buffer.consume(IMAPGrammar.comma)
        if let next = buffer.peek(), next != IMAPGrammar.space, next != IMAPGrammar.closeParen {
            throw IMAPParseError("invalid \(what)")
        }
        return SequenceSet(ranges)
    }

    // seq-number = nz-number / "*"
    static func sequenceBound(_ buffer: inout IMAPParseBuffer, _ what: String) throws(IMAPParseError) -> SequenceBound {
        if buffer.consume(IMAPGrammar.asterisk) { return .last }
        let digits = buffer.read(while: IMAPGrammar.isDigit)
        if digits.isEmpty {
            throw buffer.isAtEnd ? IMAPParseError("missing \(what)") : IMAPParseError("invalid \(what)")
        }
        guard digits.count <= 10 else { throw IMAPParseError("invalid \(what): number too large") }
        let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
        guard value <= UInt64(UInt32.max) else { throw IMAPParseError("invalid \(what): number too large") }
        guard value > 0 else { throw IMAPParseError("invalid \(what): 0 is not a message number") }
        return .number(UInt32(value))
    }

    // mod-sequence-valzer = "0" / mod-sequence-value
    static func modSequence(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> UInt64 {
        try number64(&buffer, "mod-sequence")
    }
}
