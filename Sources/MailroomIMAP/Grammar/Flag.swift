// Flag — a message flag: a system flag, a keyword, or "\*" in PERMANENTFLAGS.
//
// Standards: RFC 3501 §2.3.2 and RFC 9051 §2.3.2 (system flags \Seen \Answered \Flagged
// \Deleted \Draft, and \Recent which RFC 9051 removes; keywords are atoms), RFC 3501 §7.1
// (PERMANENTFLAGS "\*": new keywords may be created), RFC 3501 §9:
//   flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
//   flag-extension = "\" atom
//   flag-keyword = atom
//   flag-fetch = flag / "\Recent"
//   flag-perm = flag / "\*"
// System flags are case-insensitive and kept in their RFC spelling; keywords are kept as sent.
//
// Security: a keyword from storage that is not an atom cannot be written (`isWritable`);
// the encoders skip it rather than break the list.

/// A message flag.
public enum Flag: Hashable, Sendable, CustomStringConvertible {
    case answered, flagged, deleted, seen, draft
    /// \Recent: only in responses (a client may not store it).
    case recent
    /// A keyword (an atom without backslash), e.g. "$Forwarded".
    case keyword(String)
    /// Any other "\" atom (RFC 3501 flag-extension), without the backslash.
    case `extension`(String)
    /// "\*" in PERMANENTFLAGS.
    case wildcard

    /// A flag from its wire text ("\Seen", "\seen", "$Junk", "\*"); nil when it is not one.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        if utf8.first == IMAPGrammar.backslash {
            let name = utf8.dropFirst()
            if name.elementsEqual([IMAPGrammar.asterisk]) { self = .wildcard; return }
            guard IMAPGrammar.isAtom(name) else { return nil }
            switch IMAPGrammar.upperString(name) {
            case "ANSWERED": self = .answered
            case "FLAGGED": self = .flagged
            case "DELETED": self = .deleted
            case "SEEN": self = .seen
            case "DRAFT": self = .draft
            case "RECENT": self = .recent
            default: self = .extension(String(decoding: name, as: UTF8.self))
            }
        } else {
            guard IMAPGrammar.isAtom(utf8) else { return nil }
            self = .keyword(text)
        }
    }

    /// The wire text.
    public var description: String {
        switch self {
        case .answered: "\\Answered"
        case .flagged: "\\Flagged"
        case .deleted: "\\Deleted"
        case .seen: "\\Seen"
        case .draft: "\\Draft"
        case .recent: "\\Recent"
        case .keyword(let name): name
        case .extension(let name): "\\" + name
        case .wildcard: "\\*"
        }
    }

    /// Whether the flag can be written without breaking the grammar.
    public var isWritable: Bool {
        switch self {
        case .keyword(let name), .extension(let name): IMAPGrammar.isAtom(name.utf8)
        default: true
        }
    }

    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write(description) }

    // flag-list = "(" [flag *(SP flag)] ")"
    /// A flag list; flags that cannot be written are left out.
    public static func writeList(_ flags: [Flag], to buffer: inout IMAPEncodeBuffer) {
        buffer.writeList(flags.filter(\.isWritable)) { buffer, flag in flag.write(to: &buffer) }
    }
}
