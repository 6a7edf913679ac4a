// IMAPCommandParser+Mailbox — the commands that name mailboxes: SELECT, EXAMINE, CREATE,
// DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS, GETQUOTAROOT.
//
// Standards: RFC 3501 §6.3 and RFC 9051 §6.3, RFC 4466 §2.1 (select-params), RFC 7162 §3.1.8
// (CONDSTORE), RFC 6154 §3 and §5 (CREATE USE, SPECIAL-USE), RFC 5258 §3 and RFC 9051 §6.3.9
// (LIST-EXTENDED), RFC 5819 §2 (LIST-STATUS), RFC 8438 (STATUS SIZE).

extension IMAPCommandParser {
    /// SP mailbox, the only argument.
    static func singleMailbox(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> MailboxName {
        try space(&buffer, before: "mailbox name")
        return try mailbox(&buffer)
    }

    // select = "SELECT" SP mailbox [select-params]
    // examine = "EXAMINE" SP mailbox [select-params]
    // select-params = SP "(" select-param *(SP select-param) ")"
    // select-param = "CONDSTORE"
    static func select(_ buffer: inout IMAPParseBuffer, examine: Bool) throws(IMAPParseError) -> IMAPCommand {
        let name = try singleMailbox(&buffer)
        var parameters: [SelectParameter] = []
        if separator(&buffer) {
            parameters = try parenthesised(&buffer, "SELECT parameters") {
                (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SelectParameter in
                switch try keyword(&buffer, "SELECT parameter") {
                case "CONDSTORE": return .condStore
                default: throw IMAPParseError("unknown SELECT parameter")
                }
            }
        }
        return examine ? .examine(name, parameters: parameters) : .select(name, parameters: parameters)
    }

    // create = "CREATE" SP mailbox [create-params]
    // create-params = SP "(" create-param *(SP create-param) ")"
    // create-param = "USE" SP "(" [use-attr *(SP use-attr)] ")"
    // use-attr = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" / "\Trash" / use-attr-ext
    static func create(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        let name = try singleMailbox(&buffer)
        var specialUse: [MailboxAttribute] = []
        if separator(&buffer) {
            let lists = try parenthesised(&buffer, "CREATE parameters") {
                (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [MailboxAttribute] in
                guard try keyword(&buffer, "CREATE parameter") == "USE" else { throw IMAPParseError("unknown CREATE parameter") }
                try space(&buffer, before: "USE attribute list")
                return try parenthesised(&buffer, "USE attribute list", allowEmpty: true, mailboxAttribute)
            }
            specialUse = lists.flatMap { $0 }
        }
        return .create(name, specialUse: specialUse)
    }

    // mbx-list-flag = "\" atom
    static func mailboxAttribute(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> MailboxAttribute {
        guard buffer.consume(IMAPGrammar.backslash) else { throw unexpected(buffer, "mailbox attribute") }
        return MailboxAttribute(String(decoding: try atom(&buffer, "mailbox attribute"), as: UTF8.self))
    }

    // rename = "RENAME" SP mailbox SP mailbox
    static func rename(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        let from = try singleMailbox(&buffer)
        try space(&buffer, before: "new mailbox name")
        return .rename(from: from, to: try mailbox(&buffer, "new mailbox name"))
    }

    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    // mbox-or-pat = list-mailbox / patterns
    // patterns = "(" list-mailbox *(SP list-mailbox) ")"
    static func list(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "reference name")
        var selectOptions: [ListSelectOption] = []
        if buffer.peek() == IMAPGrammar.openParen {
            selectOptions = try listSelectOptions(&buffer)
            try space(&buffer, before: "reference name")
        }
        let reference = try mailbox(&buffer, "reference name")
        try space(&buffer, before: "mailbox pattern")
        let patterns: [[UInt8]]
        if buffer.peek() == IMAPGrammar.openParen {
            patterns = try parenthesised(&buffer, "mailbox patterns", listMailbox)
        } else {
            patterns = [try listMailbox(&buffer)]
        }
        var returnOptions: [ListReturnOption] = []
        if separator(&buffer) {
            guard buffer.consume(caseInsensitive: "RETURN") else { throw unexpected(buffer, "RETURN") }
            try space(&buffer, before: "LIST return options")
            returnOptions = try parenthesised(&buffer, "LIST return options", allowEmpty: true, listReturnOption)
        }
        return .list(selectOptions: selectOptions, reference: reference, patterns: patterns, returnOptions: returnOptions)
    }

    // list-select-opts = "(" [...] ")"
    // list-select-opt = "SUBSCRIBED" / "REMOTE" / "RECURSIVEMATCH" / "SPECIAL-USE"
    static func listSelectOptions(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [ListSelectOption] {
        let options = try parenthesised(&buffer, "LIST selection options", allowEmpty: true) {
            (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> ListSelectOption in
            guard let option = ListSelectOption(rawValue: try keyword(&buffer, "LIST selection option")) else {
                throw IMAPParseError("unknown LIST selection option")
            }
            return option
        }
        // RFC 5258 §3.1: RECURSIVEMATCH needs a base option.
        if options.contains(.recursiveMatch), !options.contains(.subscribed), !options.contains(.specialUse) {
            throw IMAPParseError("RECURSIVEMATCH needs SUBSCRIBED")
        }
        return options
    }

    // return-option = "SUBSCRIBED" / "CHILDREN" / "SPECIAL-USE" / status-option
    // status-option = "STATUS" SP "(" status-att *(SP status-att) ")"
    static func listReturnOption(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> ListReturnOption {
        switch try keyword(&buffer, "LIST return option") {
        case "SUBSCRIBED": return .subscribed
        case "CHILDREN": return .children
        case "SPECIAL-USE": return .specialUse
        case "STATUS":
            try space(&buffer, before: "STATUS items")
            return .status(try parenthesised(&buffer, "STATUS items", statusAttribute))
        default: throw IMAPParseError("unknown LIST return option")
        }
    }

    // list-mailbox = 1*list-char / string
    static func listMailbox(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [UInt8] {
        switch buffer.peek() {
        case IMAPGrammar.doubleQuote, IMAPGrammar.openBrace: return try string(&buffer, "mailbox pattern")
        case IMAPGrammar.tilde where buffer.peek(1) == IMAPGrammar.openBrace: return try string(&buffer, "mailbox pattern")
        default:
            let chars = buffer.read(while: IMAPGrammar.isListChar)
            guard !chars.isEmpty else { throw unexpected(buffer, "mailbox pattern") }
            try checkASCIIFollows(buffer, "mailbox pattern")
            return Array(chars)
        }
    }

    // lsub = "LSUB" SP mailbox SP list-mailbox
    static func lsub(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "reference name")
        let reference = try mailbox(&buffer, "reference name")
        try space(&buffer, before: "mailbox pattern")
        return .lsub(reference: reference, pattern: try listMailbox(&buffer))
    }

    // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
    static func status(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        let name = try singleMailbox(&buffer)
        try space(&buffer, before: "STATUS items")
        return .status(name, try parenthesised(&buffer, "STATUS items", statusAttribute))
    }

    // status-att = "MESSAGES" / "RECENT" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" / "HIGHESTMODSEQ" / "SIZE" / "DELETED" /
    //              "DELETED-STORAGE"
    static func statusAttribute(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> StatusAttribute {
        guard let item = StatusAttribute(rawValue: try keyword(&buffer, "STATUS item")) else {
            throw IMAPParseError("unknown STATUS item")
        }
        return item
    }
}
