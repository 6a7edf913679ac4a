// MailboxAttribute — a mailbox name attribute ("\Noselect", "\HasChildren", "\Sent"…), as in
// LIST responses, CREATE's USE list and LIST's SPECIAL-USE selection.
//
// Standards: RFC 3501 §7.2.2 (\Noinferiors \Noselect \Marked \Unmarked), RFC 5258 §3 and
// RFC 9051 §7.3.1 (\NonExistent \Subscribed \Remote \HasChildren \HasNoChildren), RFC 6154 §2
// (\All \Archive \Drafts \Flagged \Junk \Sent \Trash), RFC 6154 §3 (CREATE USE).
//
// Attributes compare case-insensitively (RFC 3501 §9: mbx-list-flags are case-insensitive
// atoms); the known ones are kept in their RFC spelling, unknown ones as sent.

/// "\" atom: a mailbox attribute.
public struct MailboxAttribute: Hashable, Sendable, CustomStringConvertible {
    /// The name without the backslash, in its RFC spelling when known.
    public let name: String

    /// `name` without the backslash; a known name in any case takes its RFC spelling.
    public init(_ name: String) {
        let upper = name.uppercased()
        self.name = Self.known.first { $0.uppercased() == upper } ?? name
    }

    static let known = ["Noinferiors", "Noselect", "Marked", "Unmarked", "NonExistent", "Subscribed", "Remote",
                        "HasChildren", "HasNoChildren", "All", "Archive", "Drafts", "Flagged", "Junk", "Sent", "Trash"]

    public static let noInferiors = MailboxAttribute("Noinferiors")
    public static let noSelect = MailboxAttribute("Noselect")
    public static let marked = MailboxAttribute("Marked")
    public static let unmarked = MailboxAttribute("Unmarked")
    public static let nonExistent = MailboxAttribute("NonExistent")
    public static let subscribed = MailboxAttribute("Subscribed")
    public static let remote = MailboxAttribute("Remote")
    public static let hasChildren = MailboxAttribute("HasChildren")
    public static let hasNoChildren = MailboxAttribute("HasNoChildren")
    public static let all = MailboxAttribute("All")
    public static let archive = MailboxAttribute("Archive")
    public static let drafts = MailboxAttribute("Drafts")
    public static let flagged = MailboxAttribute("Flagged")
    public static let junk = MailboxAttribute("Junk")
    public static let sent = MailboxAttribute("Sent")
    public static let trash = MailboxAttribute("Trash")

    /// The RFC 6154 special-use attributes.
    public static let specialUse: Set<MailboxAttribute> = [.all, .archive, .drafts, .flagged, .junk, .sent, .trash]

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name.uppercased() == rhs.name.uppercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(name.uppercased()) }

    public var description: String { "\\" + name }

    // mbx-list-oflag = "\Noinferiors" / child-mbox-flag / "\Subscribed" / "\Remote" / flag-extension
    // flag-extension = "\" atom
    /// Written only when the name is an atom; the caller skips it otherwise (`isWritable`).
    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write("\\" + name) }

    /// Whether the name is an atom, so the attribute can be written.
    public var isWritable: Bool { IMAPGrammar.isAtom(name.utf8) }
}
