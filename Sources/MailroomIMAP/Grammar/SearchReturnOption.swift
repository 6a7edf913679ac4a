// SearchReturnOption — what an extended SEARCH asks to be returned.
//
// Standards: RFC 4731 §3.1 (ESEARCH):
//   search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
//   search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / search-ret-opt-ext
// RFC 5182 §4 (SEARCHRES): search-return-opt =/ "SAVE". An empty list means ALL.

/// A SEARCH RETURN option.
public enum SearchReturnOption: String, Hashable, Sendable, CaseIterable {
    case min = "MIN", max = "MAX", all = "ALL", count = "COUNT", save = "SAVE"

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(rawValue) }
}
