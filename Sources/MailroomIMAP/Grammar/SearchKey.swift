// SearchKey — one SEARCH criterion, and the MODSEQ criterion's metadata entry.
//
// Standards: RFC 3501 §6.4.4 and §9, RFC 9051 §6.4.4 and §9:
//   search-key = "ALL" / "ANSWERED" / "BCC" SP astring / "BEFORE" SP date / "BODY" SP astring /
//                "CC" SP astring / "DELETED" / "FLAGGED" / "FROM" SP astring / "KEYWORD" SP flag-keyword /
//                "NEW" / "OLD" / "ON" SP date / "RECENT" / "SEEN" / "SINCE" SP date / "SUBJECT" SP astring /
//                "TEXT" SP astring / "TO" SP astring / "UNANSWERED" / "UNDELETED" / "UNFLAGGED" /
//                "UNKEYWORD" SP flag-keyword / "UNSEEN" / "DRAFT" / "HEADER" SP header-fld-name SP astring /
//                "LARGER" SP number64 / "NOT" SP search-key / "OR" SP search-key SP search-key /
//                "SENTBEFORE" SP date / "SENTON" SP date / "SENTSINCE" SP date / "SMALLER" SP number64 /
//                "UID" SP sequence-set / "UNDRAFT" / sequence-set / "(" search-key *(SP search-key) ")"
// RFC 7162 §3.1.5 (CONDSTORE):
//   search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
//   search-modseq-ext = SP entry-name SP entry-type-req
//   entry-name = DQUOTE "/flags/" attr-flag DQUOTE
//   entry-type-req = "priv" / "shared" / "all"
// RFC 5182 (SEARCHRES): "$" wherever a sequence set may stand.
// RFC 8514 §4 (SAVEDATE):
//   search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date / "SAVEDATESUPPORTED"
// RFC 8474 §6 (OBJECTID):
//   search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid
// Strings are octets: the charset (SEARCH CHARSET) is applied by whoever searches.

/// A search criterion.
public indirect enum SearchKey: Hashable, Sendable {
    case all, answered, deleted, draft, flagged, new, old, recent, seen
    case unanswered, undeleted, undraft, unflagged, unseen
    case bcc([UInt8]), body([UInt8]), cc([UInt8]), from([UInt8]), subject([UInt8]), text([UInt8]), to([UInt8])
    /// HEADER field-name string.
    case header([UInt8], [UInt8])
    case keyword(Flag), unkeyword(Flag)
    case before(IMAPDate), on(IMAPDate), since(IMAPDate)
    case sentBefore(IMAPDate), sentOn(IMAPDate), sentSince(IMAPDate)
    case larger(UInt64), smaller(UInt64)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    case uid(SequenceSet)
    case sequenceSet(SequenceSet)
    /// "(" key *(SP key) ")": all must match.
    case and([SearchKey])
    /// MODSEQ [entry] n: changed at or after mod-sequence n (RFC 7162).
    case modSeq(SearchModSeqEntry?, UInt64)
    /// The save date's day (RFC 8514).
    case savedBefore(IMAPDate), savedOn(IMAPDate), savedSince(IMAPDate)
    /// Every message, when the mailbox keeps save dates (RFC 8514).
    case saveDateSupported
    /// EMAILID / THREADID objectid (RFC 8474 §6).
    case emailID(String), threadID(String)

    public func write(to buffer: inout IMAPEncodeBuffer) {
        func word(_ text: String) { buffer.write(text) }
        func string(_ text: String, _ value: [UInt8]) { buffer.write(text + " "); buffer.writeAString(value) }
        func date(_ text: String, _ value: IMAPDate) { buffer.write(text + " "); value.write(to: &buffer) }
        switch self {
        case .all: word("ALL")
        case .answered: word("ANSWERED")
        case .deleted: word("DELETED")
        case .draft: word("DRAFT")
        case .flagged: word("FLAGGED")
        case .new: word("NEW")
        case .old: word("OLD")
        case .recent: word("RECENT")
        case .seen: word("SEEN")
        case .unanswered: word("UNANSWERED")
        case .undeleted: word("UNDELETED")
        case .undraft: word("UNDRAFT")
        case .unflagged: word("UNFLAGGED")
        case .unseen: word("UNSEEN")
        case .bcc(let value): string("BCC", value)
        case .body(let value): string("BODY", value)
        case .cc(let value): string("CC", value)
        case .from(let value): string("FROM", value)
        case .subject(let value): string("SUBJECT", value)
        case .text(let value): string("TEXT", value)
        case .to(let value): string("TO", value)
        case .header(let field, let value):
            string("HEADER", field)
            buffer.writeSpace()
            buffer.writeAString(value)
        case .keyword(let flag): word("KEYWORD " + flag.description)
        case .unkeyword(let flag): word("UNKEYWORD " + flag.description)
        case .before(let value): date("BEFORE", value)
        case .on(let value): date("ON", value)
        case .since(let value): date("SINCE", value)
        case .sentBefore(let value): date("SENTBEFORE", value)
        case .sentOn(let value): date("SENTON", value)
        case .sentSince(let value): date("SENTSINCE", value)
        case .savedBefore(let value): date("SAVEDBEFORE", value)
        case .savedOn(let value): date("SAVEDON", value)
        case .savedSince(let value): date("SAVEDSINCE", value)
        case .saveDateSupported: word("SAVEDATESUPPORTED")
        case .emailID(let id): word("EMAILID " + id)
        case .threadID(let id): word("THREADID " + id)
        case .larger(let value): word("LARGER \(value)")
        case .smaller(let value): word("SMALLER \(value)")
        case .not(let key):
            word("NOT ")
            key.write(to: &buffer)
        case .or(let a, let b):
            word("OR ")
            a.write(to: &buffer)
            buffer.writeSpace()
            b.write(to: &buffer)
        case .uid(let set):
            word("UID ")
            set.write(to: &buffer)
        case .sequenceSet(let set): set.write(to: &buffer)
        case .and(let keys): buffer.writeList(keys) { buffer, key in key.write(to: &buffer) }
        case .modSeq(let entry, let value):
            word("MODSEQ ")
            if let entry {
                entry.write(to: &buffer)
                buffer.writeSpace()
            }
            buffer.writeNumber(value)
        }
    }
}

/// The metadata entry of a MODSEQ search key: a flag and which of its values.
public struct SearchModSeqEntry: Hashable, Sendable {
    public enum EntryType: String, Hashable, Sendable { case `private` = "priv", shared, all }
    public var flag: Flag
    public var type: EntryType

    public init(flag: Flag, type: EntryType) {
        self.flag = flag
        self.type = type
    }

    // entry-name SP entry-type-req
    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeQuoted(Array("/flags/\(flag)".utf8))
        buffer.write(" " + type.rawValue)
    }
}
