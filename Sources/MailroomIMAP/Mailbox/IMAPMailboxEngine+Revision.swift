// IMAPMailboxEngine+Revision — what the engine answers differently once the client enabled
// IMAP4rev2 (RFC 9051; the list of differences and where each is made is in IMAPRevision).
//
// Standards: RFC 9051 §2.3.2 and Appendix E (no \Recent flag, no RECENT response: the grammar
// keeps them only as obsolete-flag-recent and obsolete-recent-response, for IMAP4rev1), §5.1
// (mailbox names in UTF-8), §6.3.2 (SELECT/EXAMINE: a LIST response for the mailbox, with
// OLDNAME when the server canonicalised the name the client sent; no RECENT, no OK [UNSEEN]).
//
// How: the commands and the sync of the selected mailbox are written once, for IMAP4rev1;
// a rev2 session's untagged responses pass through `forIMAP4rev2` on their way out (execute
// and pendingUpdates), which drops RECENT and \Recent. What rev2 answers with a different
// response altogether (SELECT's LIST, SEARCH's ESEARCH) is chosen where that command is.

import MailroomMaildir

extension IMAPMailboxEngine {
    /// Mailbox names are UTF-8 on the wire (UTF8=ACCEPT or IMAP4rev2), else modified UTF-7.
    var utf8Names: Bool { utf8Enabled || imap4rev2Enabled }

    /// `responses` as an IMAP4rev2 client may see them: no `n RECENT`, no \Recent in FLAGS.
    static func forIMAP4rev2(_ responses: [IMAPResponse]) -> [IMAPResponse] {
        responses.compactMap { response in
            switch response {
            case .untagged(.recent):
                return nil
            case .untagged(.fetch(let number, let items)) where items.contains(where: Self.hasRecent):
                return .untagged(.fetch(number, items.map { item in
                    if case .flags(let flags) = item { return .flags(flags.filter { $0 != .recent }) }
                    return item
                }))
            default:
                return response
            }
        }
    }

    static func hasRecent(_ item: FetchResponseItem) -> Bool {
        if case .flags(let flags) = item { return flags.contains(.recent) }
        return false
    }

    /// The LIST response SELECT and EXAMINE send to an IMAP4rev2 client (RFC 9051 §6.3.2):
    /// the mailbox's attributes as LIST gives them, and OLDNAME when `sent` is not how the
    /// server names it (a modified UTF-7 name, or one with a trailing delimiter).
    func selectedListItem(_ path: FolderPath, sent: MailboxName) -> IMAPResponse {
        let info = (try? storage.listFolders())?.first { $0.path == path }
        var attributes: [MailboxAttribute] = []
        if let info {
            attributes.append(info.hasChildren ? .hasChildren : .hasNoChildren)
            if let use = info.specialUse { attributes.append(MailboxAttribute(String(use.rawValue.dropFirst()))) }
        }
        let name = wireName(path)
        return .untagged(.list(MailboxListItem(attributes: attributes, delimiter: options.delimiter, name: name,
                                               oldName: name == sent ? nil : sent)))
    }
}
