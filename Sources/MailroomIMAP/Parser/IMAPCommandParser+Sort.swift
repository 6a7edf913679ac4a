// IMAPCommandParser+Sort — SORT, UID SORT, THREAD and UID THREAD: return options, sort
// criteria, thread algorithm, charset and search keys.
//
// Standards: RFC 5256 §3:
//   sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria
//   sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
//   sort-criterion = ["REVERSE" SP] sort-key
//   search-criteria = charset 1*(SP search-key)
//   thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
// RFC 5957 §3 (DISPLAYFROM, DISPLAYTO); RFC 5267 §3 (ESORT):
//   sort =/ ["UID" SP] "SORT" search-return-opts SP sort-criteria SP search-criteria
// with RFC 4731's search-return-opts, MIN MAX ALL COUNT, RFC 5182's SAVE and RFC 5267 §4's
// CONTEXT, UPDATE and PARTIAL (IMAPCommandParser+Search.swift, searchReturnOptions).
// The charset is not optional here (unlike SEARCH's "CHARSET cs"). An unknown sort key, thread
// algorithm or return option is a syntax error (BAD, as Dovecot answers); an unknown charset
// parses and is refused later with NO [BADCHARSET] (RFC 5256 §3 refers to SEARCH for it).
//
// Limits: the criteria and options are bounded by the frame (a few octets each); the search
// keys have SEARCH's nesting limit (IMAPLimits.nestingDepth).

extension IMAPCommandParser {
    static func sort(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        var returnOptions: [SortReturnOption]?
        try space(&buffer, before: "sort criteria")
        if peekKeyword(buffer, "RETURN") {
            _ = buffer.consume(caseInsensitive: "RETURN")
            try space(&buffer, before: "SORT return options")
            returnOptions = try searchReturnOptions(&buffer, "SORT")
            try space(&buffer, before: "sort criteria")
        }
        let criteria = try parenthesised(&buffer, "sort criteria", sortCriterion)
        try space(&buffer, before: "charset")
        let charset = try searchCharset(&buffer)
        let search = try searchCriteria(&buffer)
        return .sort(uid: uid, returnOptions: returnOptions, criteria: criteria, charset: charset, search: search)
    }

    static func thread(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "thread algorithm")
        guard let algorithm = ThreadAlgorithm(rawValue: try keyword(&buffer, "thread algorithm")) else {
            throw IMAPParseError("unknown THREAD algorithm")
        }
        try space(&buffer, before: "charset")
        let charset = try searchCharset(&buffer)
        return .thread(uid: uid, algorithm, charset: charset, search: try searchCriteria(&buffer))
    }

    // sort-criterion = ["REVERSE" SP] sort-key
    static func sortCriterion(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SortCriterion {
        var name = try keyword(&buffer, "sort key")
        var reversed = false
        if name == "REVERSE" {
            try space(&buffer, before: "sort key after REVERSE")
            name = try keyword(&buffer, "sort key")
            reversed = true
        }
        guard let key = SortKey(rawValue: name) else { throw IMAPParseError("unknown sort key") }
        return SortCriterion(key, reversed: reversed)
    }

    // charset = atom / quoted
    static func searchCharset(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> String {
        let name = try astring(&buffer, "charset")
        guard !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw IMAPParseError("invalid charset name") }
        return IMAPGrammar.upperString(name)
    }

    // 1*(SP search-key)
    static func searchCriteria(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [SearchKey] {
        try space(&buffer, before: "search criteria")
        var criteria = [try searchKey(&buffer)]
        while separator(&buffer) { criteria.append(try searchKey(&buffer)) }
        return criteria
    }
}
