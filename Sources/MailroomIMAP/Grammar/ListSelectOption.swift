// ListSelectOption — a LIST-EXTENDED selection option.
//
// Standards: RFC 5258 §3.1 and RFC 9051 §6.3.9:
//   list-select-opts = "(" [(*(list-select-opt SP) list-select-base-opt *(SP list-select-opt))
//                      / (list-select-independent-opt *(SP list-select-independent-opt))] ")"
//   list-select-base-opt = "SUBSCRIBED" / option-extension
//   list-select-mod-opt = "RECURSIVEMATCH" / option-extension
//   list-select-independent-opt = "REMOTE" / option-extension
// RFC 6154 §5.1: "SPECIAL-USE" selection option (a base option).
// RECURSIVEMATCH alone is an error (RFC 5258 §3: it needs a base option); the parser checks.

/// A LIST selection option.
public enum ListSelectOption: String, Hashable, Sendable, CaseIterable {
    case subscribed = "SUBSCRIBED", remote = "REMOTE", recursiveMatch = "RECURSIVEMATCH", specialUse = "SPECIAL-USE"

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(rawValue) }
}
