// IMAPMailboxEngine+Search — SEARCH and UID SEARCH, with ESEARCH results and SEARCHRES, over
// the selected mailbox (SearchProgram does the matching), and the body parts of FETCH
// (FetchContent builds them).
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 (SEARCH; NO [BADCHARSET (…)] for a charset
// the server does not support), RFC 4731 (ESEARCH: RETURN (MIN MAX COUNT ALL), "(TAG …)",
// UID), RFC 5182 (SEARCHRES: RETURN (SAVE) keeps the result for "$"; SAVE alone gives no
// ESEARCH response; a failed SEARCH empties the saved result), RFC 7162 §3.1.5 (a search with
// MODSEQ returns the highest MODSEQ of the matches), RFC 3516 (BINARY errors: NO
// [UNKNOWN-CTE]), RFC 9051 §6.4.4 (IMAP4rev2: the answer is always ESEARCH with the TAG
// correlator, "If no result option is specified, ALL is assumed"; the SEARCH response is
// IMAP4rev1's), RFC 5267 §4 (CONTEXT=SEARCH: RETURN (UPDATE) keeps the search, see
// IMAPMailboxEngine+Context; PARTIAL, see SearchResult).
//
// Time zone: BEFORE/ON/SINCE compare the internal date's calendar day in the server's local
// time zone, as Dovecot does (RFC 3501 leaves it open).

import MailroomMaildir
import MailroomMIME

extension IMAPMailboxEngine {
    /// The folder's field cache as SEARCH, SORT and THREAD use it (header fields by name).
    func fieldCache(_ path: FolderPath) -> SearchFieldCache {
        let storage = self.storage
        return SearchFieldCache(lookup: { storage.cachedField(path, uid: $0, field: $1) },
                                store: { storage.setCachedField(path, uid: $0, field: $1, value: $2) })
    }

    /// A message's octets for SEARCH, SORT and THREAD ([] when it is gone meanwhile).
    func octets(_ path: FolderPath, uid: UInt32) -> [UInt8] {
        ((try? storage.fetch(path, uid: uid)) ?? nil) ?? []
    }

    /// The messages of the selected mailbox `program` matches, in sequence order.
    func matches(of program: SearchProgram, in box: SelectedMailbox) -> [SearchMatch] {
        let path = box.path
        return program.search(box.messages, recent: box.recent, timeZone: .system, fieldCache: fieldCache(path)) {
            (info: MessageInfo) -> [UInt8] in self.octets(path, uid: info.uid)
        }
    }

    func search(tag: String, uid: Bool, returnOptions requested: [SearchReturnOption]?, charset: String?, criteria: [SearchKey],
                emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let box = try requireSelected()
        let returnOptions = requested ?? (imap4rev2Enabled ? [] : nil)
        if let refusal = duplicateContextRefusal(tag: tag, options: returnOptions) { return refusal }
        let updates = returnOptions?.contains(.update) == true
        // RFC 5267 §4.3: a kept search means the messages its sequence numbers name now.
        let criteria = updates ? SearchUpdateContext.uidCriteria(criteria, box: box) : criteria
        let compiled = Result { () throws(SearchError) -> SearchProgram in
            try SearchProgram(criteria: criteria, charset: charset, savedResult: savedSearch.flatMap { SequenceSet.compact($0) })
        }
        let program: SearchProgram
        switch compiled {
        case .success(let p): program = p
        case .failure(let error):
            if returnOptions?.contains(.save) == true { savedSearch = [] }
            if case .unknownCharset = error {
                return no(tag, .badCharset(SearchProgram.supportedCharsets), "Unsupported charset")
            }
            return no(tag, nil, error.description)
        }
        if program.usesModSeq { enableCondstore(emit: emit) }
        let matches = matches(of: program, in: box)
        let numbers = matches.map { uid ? $0.uid : $0.sequence }
        let highestModSeq: UInt64? = program.usesModSeq ? matches.map(\.modSeq).max() : nil
        let command = uid ? "UID SEARCH" : "SEARCH"
        guard let options = returnOptions else {
            emit([.untagged(.search(numbers, modSeq: matches.isEmpty ? nil : highestModSeq))])
            emit(sync(allowExpunge: uid))
            return ok(tag, "\(command) completed")
        }
        if updates {
            keepUpdated(tag: tag, uid: uid, program: program, sort: nil, result: matches.map(\.uid), box: box, emit: emit)
        }
        if options.contains(.save) {
            // RFC 5182 §2.1: with MIN or MAX alone, only those messages are saved.
            let saved = SearchResult.saved(matches, options: options)
            savedSearch = saved.map { Array($0.numbers(max: UInt32.max)) } ?? []
        }
        if let response = SearchResult.eSearch(matches, options: options, uid: uid, tag: tag, includeModSeq: program.usesModSeq) {
            emit([.untagged(.esearch(response))])
        }
        emit(sync(allowExpunge: uid))
        return ok(tag, "\(command) completed")
    }

    /// RFC822*, BODY[…], BINARY[…] and BINARY.SIZE of one message.
    func sectionItem(_ attribute: FetchAttribute, message: MIMEMessage) throws -> FetchResponseItem? {
        switch Result(catching: { () throws(FetchContentError) -> FetchResponseItem? in try FetchContent.responseItem(for: attribute, of: message) }) {
        case .success(let item): return item
        case .failure(let error): throw CommandFailure(status: .no, code: error.responseCode, text: "Cannot fetch that part: \(error)")
        }
    }
}
