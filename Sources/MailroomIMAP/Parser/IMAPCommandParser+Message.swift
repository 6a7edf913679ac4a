// IMAPCommandParser+Message — the commands that change or move messages: STORE, COPY, MOVE
// and APPEND.
//
// Standards: RFC 3501 §6.4.6, §6.4.7 and §6.3.11; RFC 9051 §6.4.6-§6.4.8 and §6.3.12; RFC 6851
// (MOVE), RFC 3502 (MULTIAPPEND), RFC 3516 §4.4 (literal8 in APPEND), RFC 7162 §3.1.3
// (UNCHANGEDSINCE), RFC 4469 (CATENATE: IMAPCommandParser+URLAuth).

extension IMAPCommandParser {
    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
    // store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
    // store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    static func store(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: uid ? "UID set" : "sequence set")
        let set = try sequenceSet(&buffer, uid ? "UID set" : "sequence set")
        try space(&buffer, before: "STORE flags")
        var modifiers: [StoreModifier] = []
        if buffer.peek() == IMAPGrammar.openParen {
            modifiers = try parenthesised(&buffer, "STORE modifiers") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> StoreModifier in
                guard try keyword(&buffer, "STORE modifier") == "UNCHANGEDSINCE" else { throw IMAPParseError("unknown STORE modifier") }
                try space(&buffer, before: "mod-sequence")
                return .unchangedSince(try modSequence(&buffer))
            }
            try space(&buffer, before: "STORE flags")
        }
        let operation: StoreFlags.Operation
        if buffer.consume(IMAPGrammar.plus) { operation = .add } else if buffer.consume(IMAPGrammar.minus) { operation = .remove } else {
            operation = .replace
        }
        let item = IMAPGrammar.upperString(buffer.read(while: { IMAPGrammar.isAlpha($0) || $0 == IMAPGrammar.dot }))
        guard item == "FLAGS" || item == "FLAGS.SILENT" else {
            throw item.isEmpty && buffer.isAtEnd ? IMAPParseError("missing STORE flags") : IMAPParseError("invalid STORE data item")
        }
        try space(&buffer, before: "flags")
        var flags: [Flag]
        if buffer.peek() == IMAPGrammar.openParen {
            flags = try flagList(&buffer)
        } else {
            flags = [try flag(&buffer)]
            while separator(&buffer) { flags.append(try flag(&buffer)) }
        }
        return .store(uid: uid, set, modifiers: modifiers, StoreFlags(operation, silent: item == "FLAGS.SILENT", flags: flags))
    }

    // copy = "COPY" SP sequence-set SP mailbox
    // move = "MOVE" SP sequence-set SP mailbox
    static func copyOrMove(_ buffer: inout IMAPParseBuffer, uid: Bool, move: Bool) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: uid ? "UID set" : "sequence set")
        let set = try sequenceSet(&buffer, uid ? "UID set" : "sequence set")
        try space(&buffer, before: "mailbox name")
        let name = try mailbox(&buffer)
        return move ? .move(uid: uid, set, name) : .copy(uid: uid, set, name)
    }

    // append = "APPEND" SP mailbox 1*append-message
    // append-message = [SP flag-list] [SP date-time] SP append-data
    // append-data = literal / literal8 / "CATENATE" SP "(" cat-part *(SP cat-part) ")"   ; RFC 4469
    static func append(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        let name = try singleMailbox(&buffer)
        var messages: [AppendMessage] = []
        try space(&buffer, before: "message literal")
        repeat {
            var flags: [Flag]?
            var date: IMAPDateTime?
            if buffer.peek() == IMAPGrammar.openParen {
                flags = try flagList(&buffer)
                try space(&buffer, before: "message literal")
            }
            if buffer.peek() == IMAPGrammar.doubleQuote {
                date = try dateTime(&buffer)
                try space(&buffer, before: "message literal")
            }
            if buffer.peek(caseInsensitive: "CATENATE"), !(buffer.peek(8).map(IMAPGrammar.isAtomChar) ?? false) {
                messages.append(AppendMessage(flags: flags, date: date, data: [], catenate: try catenateParts(&buffer)))
                continue
            }
            guard buffer.peek() == IMAPGrammar.openBrace || buffer.peek() == IMAPGrammar.tilde else {
                throw unexpected(buffer, "message literal")
            }
            let (data, binary) = try literal(&buffer, "the message", allowBinary: true)
            messages.append(AppendMessage(flags: flags, date: date, data: data, isBinary: binary))
        } while separator(&buffer)
        return .append(name, messages)
    }
}
