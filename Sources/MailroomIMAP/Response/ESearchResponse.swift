// ESearchResponse — the ESEARCH response to a SEARCH with RETURN options.
//
// Standards: RFC 4731 §3.1 and RFC 9051 §7.3.4:
//   esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
//   search-correlator = SP "(" "TAG" SP tag-string ")"
//   search-return-data = "MIN" SP nz-number / "MAX" SP nz-number / "ALL" SP sequence-set /
//                        "COUNT" SP number / "MODSEQ" SP mod-sequence-value      ; RFC 7162
//   search-return-data =/ "PARTIAL" SP "(" partial-range SP partial-results ")"   ; RFC 5267 §4.4
//   partial-results = sequence-set / "NIL"     (ESearchResponse+Partial.swift)
//   search-return-data =/ ret-data-addto / ret-data-removefrom   ; RFC 5267 §4.3
//                                                               (ESearchResponse+Update.swift)
// Data are written in the order MIN MAX ALL COUNT PARTIAL MODSEQ REMOVEFROM ADDTO; absent ones
// are left out (RFC 4731 §3.1: MIN, MAX and ALL are omitted when nothing matched).

/// An ESEARCH response.
public struct ESearchResponse: Hashable, Sendable {
    /// The tag of the SEARCH command it answers.
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var all: SequenceSet?
    public var count: UInt32?
    public var modSeq: UInt64?
    /// PARTIAL (RFC 5267 §4.4), for SORT RETURN (PARTIAL m:n).
    public var partial: Partial? = nil
    /// REMOVEFROM and ADDTO of a search kept with RETURN (UPDATE) (RFC 5267 §4.3); empty for
    /// none.
    public var removeFrom: [ContextChange] = []
    public var addTo: [ContextChange] = []

    public init(tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, all: SequenceSet? = nil,
                count: UInt32? = nil, modSeq: UInt64? = nil) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.all = all
        self.count = count
        self.modSeq = modSeq
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.write("ESEARCH")
        if let tag {
            buffer.write(" (TAG ")
            buffer.writeString(tag)
            buffer.write(")")
        }
        if uid { buffer.write(" UID") }
        if let min { buffer.write(" MIN \(min)") }
        if let max { buffer.write(" MAX \(max)") }
        if let all {
            buffer.write(" ALL ")
            all.write(to: &buffer)
        }
        if let count { buffer.write(" COUNT \(count)") }
        if let partial { partial.write(to: &buffer) }
        if let modSeq { buffer.write(" MODSEQ \(modSeq)") }
        ContextChange.write(" REMOVEFROM", removeFrom, to: &buffer)
        ContextChange.write(" ADDTO", addTo, to: &buffer)
    }
}
