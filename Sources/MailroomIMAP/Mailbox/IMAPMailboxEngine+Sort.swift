// IMAPMailboxEngine+Sort — SORT, UID SORT, THREAD and UID THREAD over the selected mailbox:
// the search criteria run as SEARCH runs them (SearchProgram), then SortProgram orders the
// matches or MessageThreader threads them; ESORT answers with ESEARCH.
//
// Standards: RFC 5256 §3 (SORT and THREAD: "the charset argument is mandatory"; the search
// criteria as in SEARCH, so NO [BADCHARSET (…)] for a charset the server does not convert;
// answered with SORT / THREAD responses; UID SORT and UID THREAD answer with UIDs), RFC 5957
// (DISPLAYFROM, DISPLAYTO), RFC 5267 §3 (ESORT: RETURN options answered with ESEARCH
// "(TAG …)" in sort order; §4.4 PARTIAL), RFC 5182 (SAVE keeps the result for "$"; a failed
// command with SAVE empties it), RFC 7162 §3.1.5 (a search with MODSEQ adds the highest MODSEQ
// to the SORT response), RFC 5267 §4 (CONTEXT=SORT: RETURN (UPDATE) keeps the sorted result,
// see IMAPMailboxEngine+Context).
//
// EXPUNGE responses are held back after SORT and THREAD (they use sequence numbers) and sent
// after UID SORT and UID THREAD, as after SEARCH.
//
// The header fields SORT and THREAD compare come from the folder's field cache (as Dovecot
// keeps them in its cache file): a message is read only the first time one of them is needed.

import MailroomMaildir
import MailroomMIME

extension IMAPMailboxEngine {
    func sort(tag: String, uid: Bool, returnOptions: [SortReturnOption]?, criteria: [SortCriterion], charset: String,
              search: [SearchKey], emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let saves = returnOptions?.contains(.save) == true
        if let refusal = duplicateContextRefusal(tag: tag, options: returnOptions) { return refusal }
        let updates = returnOptions?.contains(.update) == true
        // RFC 5267 §4.3: a kept search means the messages its sequence numbers name now.
        let search = updates ? SearchUpdateContext.uidCriteria(search, box: try requireSelected()) : search
        guard let (box, program) = try sortSearch(search: search, charset: charset, emptyingSaved: saves) else {
            return no(tag, .badCharset(SearchProgram.supportedCharsets), "Unsupported charset")
        }
        let candidates = matching(program, in: box, emit: emit)
        let header = sortHeaders(box.path)
        let sortProgram = SortProgram(criteria)
        let sorted = sortProgram.sort(candidates) { (message: SortMessage) -> MIMEHeader in header(message.info.uid) }
        let command = uid ? "UID SORT" : "SORT"
        guard let options = returnOptions else {
            let highest = program.usesModSeq ? sorted.lazy.map(\.info.modSeq).max() : nil
            emit([.untagged(.sort(sorted.map { uid ? $0.info.uid : $0.sequence }, modSeq: highest))])
            emit(sync(allowExpunge: uid))
            return ok(tag, "\(command) completed")
        }
        if updates {
            keepUpdated(tag: tag, uid: uid, program: program, sort: sortProgram, result: sorted.map(\.info.uid), box: box, emit: emit)
        }
        if saves {
            savedSearch = SortResult.saved(sorted, options: options).map { Array($0.numbers(max: UInt32.max)) } ?? []
        }
        if let response = SortResult.eSearch(sorted, options: options, uid: uid, tag: tag, includeModSeq: program.usesModSeq) {
            emit([.untagged(.esearch(response))])
        }
        emit(sync(allowExpunge: uid))
        return ok(tag, "\(command) completed")
    }

    func thread(tag: String, uid: Bool, algorithm: ThreadAlgorithm, charset: String, search: [SearchKey],
                emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        guard let (box, program) = try sortSearch(search: search, charset: charset, emptyingSaved: false) else {
            return no(tag, .badCharset(SearchProgram.supportedCharsets), "Unsupported charset")
        }
        let candidates = matching(program, in: box, emit: emit)
        let header = sortHeaders(box.path, fields: Self.threadFields)
        let messages = candidates.map { message in
            ThreadMessage(number: uid ? message.info.uid : message.sequence, uid: message.info.uid,
                          internalDate: message.info.internalDate, header: header(message.info.uid))
        }
        emit([.untagged(.thread(MessageThreader.thread(messages, algorithm: algorithm)))])
        emit(sync(allowExpunge: uid))
        return ok(tag, "\(uid ? "UID THREAD" : "THREAD") completed")
    }

    /// A message's header with `fields` (what SORT or THREAD compare), from the field cache.
    func sortHeaders(_ path: FolderPath, fields: [String] = sortFields) -> (UInt32) -> MIMEHeader {
        let cache = fieldCache(path)
        return { uid in cache.header(uid: uid, names: fields) { self.octets(path, uid: uid) } }
    }

    /// The fields SortFields reads (every sort key's, so one cache entry set serves them all).
    static let sortFields = ["Date", "Subject", "From", "To", "Cc"]
    /// The fields MessageThreader reads.
    static let threadFields = ["Date", "Subject", "Message-ID", "References", "In-Reply-To"]

    /// The selected mailbox and the compiled search criteria; nil for an unknown charset (the
    /// caller answers NO [BADCHARSET]); other refusals are thrown as NO.
    private func sortSearch(search: [SearchKey], charset: String,
                            emptyingSaved: Bool) throws -> (SelectedMailbox, SearchProgram)? {
        let box = try requireSelected()
        let compiled = Result { () throws(SearchError) -> SearchProgram in
            try SearchProgram(criteria: search, charset: charset, savedResult: savedSearch.flatMap { SequenceSet.compact($0) })
        }
        switch compiled {
        case .success(let program):
            return (box, program)
        case .failure(let error):
            if emptyingSaved { savedSearch = [] }
            if case .unknownCharset = error { return nil }
            throw CommandFailure(status: .no, code: nil, text: error.description)
        }
    }

    /// The messages the criteria match, in sequence order.
    private func matching(_ program: SearchProgram, in box: SelectedMailbox,
                          emit: ([IMAPResponse]) -> Void) -> [SortMessage] {
        if program.usesModSeq { enableCondstore(emit: emit) }
        return matches(of: program, in: box).compactMap { match in
            box.message(at: Int(match.sequence)).map { SortMessage(sequence: match.sequence, info: $0) }
        }
    }
}
