// IMAPCommandParser+Message — the commands that change or move messages: STORE, COPY, MOVE
// and APPEND.
//
// Standards: RFC 3501 §6.4.6, §6.4.7 and §6.3.11; RFC 9051 §6.4.6-§6.4.8 and §6.3.12; RFC 6851
// (MOVE), RFC 3502 (MULTIAPPEND), RFC 3516 §4.4 (literal8 in APPEND), RFC 7162 §3.1.3
// (UNCHANGEDSINCE), RFC 4469 (CATENATE: IMAPCommandParser+URLAuth), RFC 8508 (REPLACE).

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
            messages.append(try appendMessage(&buffer))
        } while separator(&buffer)
        return .append(name, messages)
    }

    /// One append-message after its leading SP: [flag-list SP] [date-time SP] append-data.
    static func appendMessage(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> AppendMessage {
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
            return AppendMessage(flags: flags, date: date, data: [], catenate: try catenateParts(&buffer))
        }
        guard buffer.peek() == IMAPGrammar.openBrace || buffer.peek() == IMAPGrammar.tilde else {
            throw unexpected(buffer, "message literal")
        }
        let (data, binary) = try literal(&buffer, "the message", allowBinary: true)
        return AppendMessage(flags: flags, date: date, data: data, isBinary: binary)
    }

    // RFC 8508 §6:
    // replace = "REPLACE" SP seq-number SP mailbox append-message
    // uid-replace = "UID" SP replace            ; the number is a UID
    // append-message = append-opts SP append-data   ; RFC 4466, CATENATE included (RFC 4469)
    static func replace(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: uid ? "UID" : "message sequence number")
        let set = try sequenceSet(&buffer, uid ? "UID" : "message sequence number")
        guard !set.isSavedResult, set.ranges.count == 1, set.ranges[0].first == set.ranges[0].last else {
            throw IMAPParseError("REPLACE takes one message")
        }
        try space(&buffer, before: "mailbox name")
        let name = try mailbox(&buffer)
        try space(&buffer, before: "message literal")
        return .replace(uid: uid, set, name, try appendMessage(&buffer))
    }
}
