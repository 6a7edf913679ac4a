// IMAPParseError — why a command could not be parsed: the tag when one was read, so the
// server can answer "tag BAD reason", else none ("* BAD reason"), and a short specific reason.
//
// Standards: RFC 3501 §7.1.3 and RFC 9051 §7.1.3 (BAD: "protocol-level error in the client's
// command; the tag indicates the command that caused the error"; untagged when the tag cannot
// be determined).
//
// The grammar throws this one error type; the session turns it into a reply in one place
// (style.md §7). A parse error never ends the connection by itself.
//
// Security: the reason is fixed text, or names a keyword the parser has already checked to
// be an atom (cut to 32 octets); it never quotes the client's arguments, so a reply cannot
// echo a password or carry injected octets.

/// A command the grammar refused.
public struct IMAPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The arguments do not fit the grammar.
        case syntax
        /// The command name is not one this server knows.
        case unknownCommand
        /// A limit was passed (nesting, literal count).
        case limit
    }

    /// The command's tag, when it could be read.
    public var tag: String?
    public let kind: Kind
    /// What was wrong, in printable ASCII ("missing mailbox name").
    public let reason: String

    public init(_ reason: String, kind: Kind = .syntax, tag: String? = nil) {
        self.tag = tag
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(tag ?? "*") BAD \(reason)" }

    /// The reply: "tag BAD reason", or "* BAD reason" without a tag.
    public var response: IMAPResponse {
        if let tag { return .tagged(tag: tag, status: .bad, code: nil, text: reason) }
        return .untagged(.condition(.bad, code: nil, text: reason))
    }
}
