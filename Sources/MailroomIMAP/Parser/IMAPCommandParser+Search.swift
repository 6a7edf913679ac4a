// IMAPCommandParser+Search — SEARCH and UID SEARCH: return options, charset, search keys.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4:
//   search = "SEARCH" [search-return-opts] [SP "CHARSET" SP charset] 1*(SP search-key)
//   charset = atom / quoted
// RFC 4731 §3.1 (ESEARCH) and RFC 5182 §4 (SAVE):
//   search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
// RFC 5267 §4 (CONTEXT, UPDATE, PARTIAL; Grammar/SearchReturnOption.swift), RFC 7162 §3.1.5
// (MODSEQ). The search-key rule is in Grammar/SearchKey.swift.
//
// Limits: "(" and NOT and OR each count a nesting level (IMAPLimits.nestingDepth), so
// "NOT NOT NOT ..." and "((((...))))" are bounded like any other nesting.

extension IMAPCommandParser {
    static func search(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        var returnOptions: [SearchReturnOption]?
        var charset: String?
        try space(&buffer, before: "search criteria")
        if peekKeyword(buffer, "RETURN") {
            _ = buffer.consume(caseInsensitive: "RETURN")
            try space(&buffer, before: "SEARCH return options")
            returnOptions = try searchReturnOptions(&buffer, "SEARCH")
            try space(&buffer, before: "search criteria")
        }
        if peekKeyword(buffer, "CHARSET") {
            _ = buffer.consume(caseInsensitive: "CHARSET")
            try space(&buffer, before: "charset")
            let name = try astring(&buffer, "charset")
            guard !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw IMAPParseError("invalid charset name") }
            charset = IMAPGrammar.upperString(name)
            try space(&buffer, before: "search criteria")
        }
        var criteria = [try searchKey(&buffer)]
        while separator(&buffer) { criteria.append(try searchKey(&buffer)) }
        return .search(uid: uid, returnOptions: returnOptions, charset: charset, criteria: criteria)
    }

    // cancelupdate = "CANCELUPDATE" 1*(SP quoted)      ; RFC 5267 §4.3: the tags of the searches
    static func cancelUpdate(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        var tags: [String] = []
        repeat {
            try space(&buffer, before: "CANCELUPDATE tag")
            tags.append(String(decoding: try quoted(&buffer, "CANCELUPDATE tag"), as: UTF8.self))
        } while buffer.peek() == IMAPGrammar.space
        return .cancelUpdate(tags)
    }

    // "(" [search-return-opt *(SP search-return-opt)] ")", for SEARCH and SORT. An unknown
    // option, and UPDATE or PARTIAL given twice, are BAD (Dovecot: "duplicate UPDATE",
    // "PARTIAL can be used only once").
    static func searchReturnOptions(_ buffer: inout IMAPParseBuffer, _ command: String) throws(IMAPParseError) -> [SearchReturnOption] {
        let options = try parenthesised(&buffer, "\(command) return options", allowEmpty: true) {
            (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SearchReturnOption in
            try searchReturnOption(&buffer, command)
        }
        if options.filter({ $0 == .update }).count > 1 { throw IMAPParseError("\(command) return options have UPDATE twice") }
        if options.filter({ if case .partial = $0 { true } else { false } }).count > 1 {
            throw IMAPParseError("PARTIAL can be used only once")
        }
        return options
    }

    // search-return-opt = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" / "CONTEXT" / "UPDATE" /
    //                     "PARTIAL" SP partial-range
    static func searchReturnOption(_ buffer: inout IMAPParseBuffer, _ command: String) throws(IMAPParseError) -> SearchReturnOption {
        switch try keyword(&buffer, "\(command) return option") {
        case "MIN": return .min
        case "MAX": return .max
        case "ALL": return .all
        case "COUNT": return .count
        case "SAVE": return .save
        case "CONTEXT": return .context
        case "UPDATE": return .update
        case "PARTIAL":
            // partial-range = nz-number ":" nz-number ("*" is not allowed: RFC 5267 §4.4)
            try space(&buffer, before: "PARTIAL range")
            let first = try nzNumber(&buffer, "PARTIAL range")
            guard buffer.consume(IMAPGrammar.colon) else { throw IMAPParseError("invalid PARTIAL range") }
            let last = try nzNumber(&buffer, "PARTIAL range")
            return .partial(min(first, last)...max(first, last))
        default:
            throw IMAPParseError("unknown \(command) return option")
        }
    }

    static func searchKey(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SearchKey {
        switch buffer.peek() {
        case IMAPGrammar.openParen:
            return .and(try parenthesised(&buffer, "search key list", searchKey))
        case IMAPGrammar.asterisk, IMAPGrammar.dollar, .some(0x30...0x39):
            return .sequenceSet(try sequenceSet(&buffer))
        default:
            break
        }
        let name = try keyword(&buffer, "search key")
        func string() throws(IMAPParseError) -> [UInt8] {
            try space(&buffer, before: "\(name) string")
            return try astring(&buffer, "\(name) string")
        }
        func day() throws(IMAPParseError) -> IMAPDate {
            try space(&buffer, before: "\(name) date")
            return try date(&buffer)
        }
        func size() throws(IMAPParseError) -> UInt64 {
            try space(&buffer, before: "\(name) size")
            return try number64(&buffer, "\(name) size")
        }
        func keywordFlag() throws(IMAPParseError) -> Flag {
            try space(&buffer, before: "\(name) keyword")
            let name = try atom(&buffer, "keyword")
            guard let flag = Flag(String(decoding: name, as: UTF8.self)) else { throw IMAPParseError("invalid keyword") }
            return flag
        }
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "BCC": return .bcc(try string())
        case "BODY": return .body(try string())
        case "CC": return .cc(try string())
        case "FROM": return .from(try string())
        case "SUBJECT": return .subject(try string())
        case "TEXT": return .text(try string())
        case "TO": return .to(try string())
        case "HEADER":
            try space(&buffer, before: "header field name")
            let field = try astring(&buffer, "header field name")
            try space(&buffer, before: "HEADER string")
            return .header(field, try astring(&buffer, "HEADER string"))
        case "KEYWORD": return .keyword(try keywordFlag())
        case "UNKEYWORD": return .unkeyword(try keywordFlag())
        case "BEFORE": return .before(try day())
        case "ON": return .on(try day())
        case "SINCE": return .since(try day())
        case "SENTBEFORE": return .sentBefore(try day())
        case "SENTON": return .sentOn(try day())
        case "SENTSINCE": return .sentSince(try day())
        case "SAVEDBEFORE": return .savedBefore(try day())   // RFC 8514 §4
        case "SAVEDON": return .savedOn(try day())
        case "SAVEDSINCE": return .savedSince(try day())
        case "SAVEDATESUPPORTED": return .saveDateSupported
        case "EMAILID", "THREADID":                        // RFC 8474 §6: SP objectid
            try space(&buffer, before: "\(name) objectid")
            let id = buffer.read(while: ObjectID.isObjectIDChar)
            guard ObjectID.isValid(id) else { throw unexpected(buffer, "objectid") }
            let text = String(decoding: id, as: UTF8.self)
            return name == "EMAILID" ? .emailID(text) : .threadID(text)
        case "LARGER": return .larger(try size())
        case "SMALLER": return .smaller(try size())
        case "UID":
            try space(&buffer, before: "UID set")
            return .uid(try sequenceSet(&buffer, "UID set"))
        case "NOT":
            try space(&buffer, before: "search key after NOT")
            try buffer.enter()
            let key = try searchKey(&buffer)
            buffer.leave()
            return .not(key)
        case "OR":
            try space(&buffer, before: "first search key of OR")
            try buffer.enter()
            let first = try searchKey(&buffer)
            try space(&buffer, before: "second search key of OR")
            let second = try searchKey(&buffer)
            buffer.leave()
            return .or(first, second)
        case "MODSEQ":
            // search-modsequence = "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer
            try space(&buffer, before: "mod-sequence")
            var entry: SearchModSeqEntry?
            if buffer.peek() == IMAPGrammar.doubleQuote {
                entry = try modSeqEntry(&buffer)
                try space(&buffer, before: "mod-sequence")
            }
            return .modSeq(entry, try modSequence(&buffer))
        default:
            throw IMAPParseError("unknown search key")
        }
    }

    // entry-name = DQUOTE "/flags/" attr-flag DQUOTE
    // entry-type-req = "priv" / "shared" / "all"
    static func modSeqEntry(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SearchModSeqEntry {
        let name = try quoted(&buffer, "MODSEQ entry name")
        let prefix = Array("/flags/".utf8)
        guard name.count > prefix.count, name.prefix(prefix.count).map(IMAPGrammar.upper).elementsEqual(prefix.map(IMAPGrammar.upper)),
              let flag = Flag(String(decoding: name.dropFirst(prefix.count), as: UTF8.self)), flag != .wildcard
        else { throw IMAPParseError("invalid MODSEQ entry name") }
        try space(&buffer, before: "MODSEQ entry type")
        let type: SearchModSeqEntry.EntryType
        switch try keyword(&buffer, "MODSEQ entry type") {
        case "PRIV": type = .private
        case "SHARED": type = .shared
        case "ALL": type = .all
        default: throw IMAPParseError("invalid MODSEQ entry type")
        }
        return SearchModSeqEntry(flag: flag, type: type)
    }
}
