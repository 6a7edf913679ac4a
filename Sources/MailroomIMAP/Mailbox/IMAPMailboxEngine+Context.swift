// IMAPMailboxEngine+Context — the searches kept up to date for SEARCH and SORT RETURN (UPDATE),
// CANCELUPDATE, and the ESEARCH ADDTO / REMOVEFROM responses every sync adds
// (SearchUpdateContext computes them).
//
// Standards: RFC 5267 §4.3 (CONTEXT=SEARCH and CONTEXT=SORT): a SEARCH or SORT with RETURN
// (UPDATE) keeps its result for the selected mailbox until CANCELUPDATE names its tag, or the
// mailbox is deselected (SELECT, EXAMINE, CLOSE, UNSELECT end them all: the engine's
// dispatch drops them first); "the server MAY refuse to keep a result up to date: NO
// [NOUPDATE "tag"]" — untagged, and the command still completes with its result, as Dovecot
// answers when a session has too many (`Options.maxSearchUpdateContexts`,
// IMAPLimits.defaultSearchUpdateContexts = Dovecot's CLIENT_MAX_SEARCH_UPDATES); a second
// context with the tag of a live one is BAD (Dovecot: "Duplicate search update tag").
// CANCELUPDATE "t1" "t2": OK, or NO when a tag names no context (then none is cancelled).
//
// Mailboxes always have MODSEQs here (CONDSTORE), so there is no NOMODSEQ case to handle;
// updates carry no MODSEQ (RFC 5267 defines none for ADDTO / REMOVEFROM).
//
// XXX: with PARTIAL and UPDATE together the whole result is kept and reported, not only the
// window (RFC 5267 §4.4 leaves the combination to the server; Dovecot does the same).

import MailroomMaildir
import MailroomMIME

extension IMAPMailboxEngine {
    /// Starts keeping `result` (UIDs: increasing for SEARCH, in sort order for SORT) up to date
    /// for the command `tag`. Over the limit: `* NO [NOUPDATE "tag"]` is emitted and nothing
    /// is kept.
    func keepUpdated(tag: String, uid: Bool, program: SearchProgram, sort: SortProgram?, result: [UInt32],
                     box: SelectedMailbox, emit: ([IMAPResponse]) -> Void) {
        guard searchContexts.count < options.maxSearchUpdateContexts else {
            emit([.untagged(.condition(.no, code: .noUpdate(tag),
                                       text: "Too many search update contexts (at most \(options.maxSearchUpdateContexts))"))])
            return
        }
        searchContexts.append(SearchUpdateContext(tag: tag, uid: uid, program: program, sort: sort, result: result, box: box))
    }

    /// BAD when RETURN (UPDATE) reuses the tag of a live context (RFC 5267 §4.3: the tag
    /// identifies it in ESEARCH and CANCELUPDATE).
    func duplicateContextRefusal(tag: String, options: [SearchReturnOption]?) -> IMAPResponse? {
        guard options?.contains(.update) == true, searchContexts.contains(where: { $0.tag == tag }) else { return nil }
        return .tagged(tag: tag, status: .bad, code: nil, text: "Duplicate search update tag")
    }

    /// CANCELUPDATE (RFC 5267 §4.3).
    func cancelUpdate(tag: String, _ tags: [String]) -> IMAPResponse {
        for name in tags where !searchContexts.contains(where: { $0.tag == name }) {
            return no(tag, nil, "Unknown search update tag \(String(name.prefix(32)).debugDescription)")
        }
        searchContexts.removeAll { tags.contains($0.tag) }
        return ok(tag, "Updates cancelled")
    }

    /// REMOVEFROM for result messages whose EXPUNGE goes out now; called by `sync` with the
    /// view after the snapshot and before the EXPUNGE responses.
    func contextExpungeRemovals(_ box: SelectedMailbox) -> [IMAPResponse] {
        guard !searchContexts.isEmpty else { return [] }
        var responses: [IMAPResponse] = []
        for index in searchContexts.indices {
            if let response = searchContexts[index].expungeRemovals(in: box) { responses.append(.untagged(.esearch(response))) }
        }
        return responses
    }

    /// ADDTO and REMOVEFROM for what changed; called by `sync` after the other updates.
    func contextChanges(_ box: SelectedMailbox) -> [IMAPResponse] {
        guard !searchContexts.isEmpty else { return [] }
        let path = box.path
        let header = sortHeaders(path)
        let loader = SearchUpdateContext.Loader(
            fieldCache: fieldCache(path),
            content: { info in self.octets(path, uid: info.uid) },
            header: { message in header(message.info.uid) })
        var responses: [IMAPResponse] = []
        for index in searchContexts.indices {
            if let response = searchContexts[index].changes(in: box, loader: loader) { responses.append(.untagged(.esearch(response))) }
        }
        return responses
    }
}
