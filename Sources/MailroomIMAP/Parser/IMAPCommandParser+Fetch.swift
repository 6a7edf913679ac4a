// IMAPCommandParser+Fetch — FETCH and UID FETCH: data items, macros, sections, partials and
// modifiers.
//
// Standards: RFC 3501 §6.4.5 and RFC 9051 §6.4.5:
//   fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
//           [fetch-modifiers]
// RFC 7162 §3.1.4 and §3.2.6: fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
//   fetch-modifier = "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
// RFC 3516 §4.1 (BINARY, BINARY.PEEK, BINARY.SIZE). The fetch-att, section and partial rules
// are in Grammar/FetchAttribute.swift and Grammar/SectionSpecifier.swift.

extension IMAPCommandParser {
    static func fetch(_ buffer: inout IMAPParseBuffer, uid: Bool) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: uid ? "UID set" : "sequence set")
        let set = try sequenceSet(&buffer, uid ? "UID set" : "sequence set")
        try space(&buffer, before: "fetch items")
        let items: [FetchAttribute]
        if buffer.peek() == IMAPGrammar.openParen {
            items = try parenthesised(&buffer, "fetch items", fetchAttribute)
        } else if buffer.peek(caseInsensitive: "ALL"), !isFetchNameChar(buffer.peek(3)) {
            _ = buffer.consume(caseInsensitive: "ALL")
            items = FetchAttribute.all
        } else if buffer.peek(caseInsensitive: "FAST"), !isFetchNameChar(buffer.peek(4)) {
            _ = buffer.consume(caseInsensitive: "FAST")
            items = FetchAttribute.fast
        } else if buffer.peek(caseInsensitive: "FULL"), !isFetchNameChar(buffer.peek(4)) {
            _ = buffer.consume(caseInsensitive: "FULL")
            items = FetchAttribute.full
        } else {
            items = [try fetchAttribute(&buffer)]
        }
        var modifiers: [FetchModifier] = []
        if separator(&buffer) {
            modifiers = try parenthesised(&buffer, "FETCH modifiers") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> FetchModifier in
                switch try keyword(&buffer, "FETCH modifier") {
                case "CHANGEDSINCE":
                    try space(&buffer, before: "mod-sequence")
                    return .changedSince(try modSequence(&buffer))
                case "VANISHED": return .vanished
                default: throw IMAPParseError("unknown FETCH modifier")
                }
            }
        }
        return .fetch(uid: uid, set, items, modifiers: modifiers)
    }

    static func isFetchNameChar(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return IMAPGrammar.isAlpha(byte) || IMAPGrammar.isDigit(byte) || byte == IMAPGrammar.dot
    }

    // fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" / "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
    //             "BODY" ["STRUCTURE"] / "UID" / "BODY" section [partial] / "BODY.PEEK" section [partial] /
    //             "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary / "MODSEQ"
    static func fetchAttribute(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> FetchAttribute {
        let nameBytes = buffer.read(while: isFetchNameChar)
        guard !nameBytes.isEmpty else { throw unexpected(buffer, "fetch item") }
        let name = IMAPGrammar.upperString(nameBytes)
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "UID": return .uid
        case "MODSEQ": return .modSeq
        case "SAVEDATE": return .saveDate            // RFC 8514 §4
        case "EMAILID": return .emailID              // RFC 8474 §5.1
        case "THREADID": return .threadID            // RFC 8474 §5.2
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "BODY", "BODY.PEEK":
            guard buffer.peek() == IMAPGrammar.openBracket else {
                if name == "BODY" { return .body }
                throw IMAPParseError("BODY.PEEK needs a section")
            }
            let section = try self.section(&buffer)
            return .bodySection(section, partial: try partial(&buffer), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try binarySection(&buffer)
            return .binary(part: part, partial: try partial(&buffer), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE":
            return .binarySize(part: try binarySection(&buffer))
        case "ALL", "FAST", "FULL":
            throw IMAPParseError("\(name) cannot be combined with other fetch items")
        default:
            throw IMAPParseError("unknown fetch item")
        }
    }

    // section = "[" [section-spec] "]"
    // section-spec = section-msgtext / (section-part ["." section-text])
    // section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
    // section-text = section-msgtext / "MIME"
    static func section(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> SectionSpecifier {
        guard buffer.consume(IMAPGrammar.openBracket) else { throw unexpected(buffer, "'[' of the section") }
        var part: [UInt32] = []
        if let first = buffer.peek(), IMAPGrammar.isDigit(first) {
            part = try sectionPart(&buffer)
            if buffer.consume(IMAPGrammar.closeBracket) { return SectionSpecifier(part: part) }
            guard buffer.consume(IMAPGrammar.dot) else { throw IMAPParseError("invalid section") }
        } else if buffer.consume(IMAPGrammar.closeBracket) {
            return .complete
        }
        let text = IMAPGrammar.upperString(buffer.read(while: { IMAPGrammar.isAlpha($0) || $0 == IMAPGrammar.dot }))
        let kind: SectionSpecifier.Kind
        switch text {
        case "HEADER": kind = .header
        case "TEXT": kind = .text
        case "MIME":
            guard !part.isEmpty else { throw IMAPParseError("MIME needs a part number") }
            kind = .mime
        case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
            try space(&buffer, before: "header field list")
            let names = try parenthesised(&buffer, "header field list") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> String in
                let name = try astring(&buffer, "header field name")
                // RFC 5322 §3.6.8: ftext = %d33-57 / %d59-126
                guard !name.isEmpty, name.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != IMAPGrammar.colon }) else {
                    throw IMAPParseError("invalid header field name")
                }
                return IMAPGrammar.upperString(name)
            }
            kind = text == "HEADER.FIELDS" ? .headerFields(names) : .headerFieldsNot(names)
        default:
            throw IMAPParseError("invalid section")
        }
        guard buffer.consume(IMAPGrammar.closeBracket) else { throw IMAPParseError("expected ']' to close the section") }
        return SectionSpecifier(part: part, kind: kind)
    }

    // section-part = nz-number *("." nz-number)
    static func sectionPart(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [UInt32] {
        var part = [try nzNumber(&buffer, "section part number")]
        while buffer.peek() == IMAPGrammar.dot, let next = buffer.peek(1), IMAPGrammar.isDigit(next) {
            _ = buffer.read()
            part.append(try nzNumber(&buffer, "section part number"))
            guard part.count <= buffer.limits.nestingDepth else {
                throw IMAPParseError("section part too deep (limit \(buffer.limits.nestingDepth))", kind: .limit)
            }
        }
        return part
    }

    // section-binary = "[" [section-part] "]"
    static func binarySection(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [UInt32] {
        guard buffer.consume(IMAPGrammar.openBracket) else { throw unexpected(buffer, "'[' of the binary section") }
        if buffer.consume(IMAPGrammar.closeBracket) { return [] }
        guard let first = buffer.peek(), IMAPGrammar.isDigit(first) else { throw IMAPParseError("invalid binary section") }
        let part = try sectionPart(&buffer)
        guard buffer.consume(IMAPGrammar.closeBracket) else { throw IMAPParseError("invalid binary section") }
        return part
    }

    // partial = "<" number "." nz-number ">"
    static func partial(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> Partial? {
        guard buffer.consume(IMAPGrammar.lessThan) else { return nil }
        let origin = try number(&buffer, "partial origin")
        guard buffer.consume(IMAPGrammar.dot) else { throw IMAPParseError("invalid partial range") }
        let length = try nzNumber(&buffer, "partial length")
        guard buffer.consume(IMAPGrammar.greaterThan) else { throw IMAPParseError("invalid partial range") }
        return Partial(origin: origin, length: length)
    }
}
