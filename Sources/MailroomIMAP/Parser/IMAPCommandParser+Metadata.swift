// IMAPCommandParser+Metadata — GETMETADATA and SETMETADATA (RFC 5464 §4.2, §4.3, §5).
//
//   getmetadata  = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
//                  ; empty string for mailbox implies server annotation.
//   getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
//   getmetadata-option  = maxsize-opt / scope-opt
//   maxsize-opt  = "MAXSIZE" SP number
//   scope-opt    = "DEPTH" SP ("0" / "1" / "infinity")
//   entries      = entry / "(" entry *(SP entry) ")"
//   setmetadata  = "SETMETADATA" SP mailbox SP entry-values
//   entry-values = "(" entry-value *(SP entry-value) ")"
//   entry-value  = entry SP value
//   value        = nstring / literal8
//
// Tolerance, on purpose: options are also taken after the mailbox name, and in more than one
// list ("GETMETADATA INBOX (DEPTH 1) (MAXSIZE 15) (/private/comment)"). RFC 5464's own examples
// in §4.2.1 and §4.2.2 put them there, against its ABNF, and clients (Apache James's scripts)
// follow the examples; an option list cannot be taken for entries, whose names begin with "/".
// An option given twice is BAD. Entry names are checked (MetadataEntryName): a bad one is BAD,
// as RFC 5464 §3.2 asks.

extension IMAPCommandParser {
    static func getMetadata(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        var options = MetadataOptions()
        try space(&buffer, before: "mailbox name")
        if buffer.peek() == IMAPGrammar.openParen {
            try metadataOptions(&buffer, into: &options)
            try space(&buffer, before: "mailbox name")
        }
        let name = try mailbox(&buffer)
        try space(&buffer, before: "entries")
        while isMetadataOptionList(buffer) {
            try metadataOptions(&buffer, into: &options)
            try space(&buffer, before: "entries")
        }
        let entries: [MetadataEntryName]
        if buffer.peek() == IMAPGrammar.openParen {
            entries = try parenthesised(&buffer, "entries") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) in
                try metadataEntry(&buffer)
            }
        } else {
            entries = [try metadataEntry(&buffer)]
        }
        return .getMetadata(name, options: options, entries: entries)
    }

    /// "(" followed by a letter: an option list (entry names begin with "/" or a quote).
    static func isMetadataOptionList(_ buffer: IMAPParseBuffer) -> Bool {
        guard buffer.peek() == IMAPGrammar.openParen else { return false }
        var offset = 1
        while buffer.peek(offset) == IMAPGrammar.space { offset += 1 }
        return buffer.peek(offset).map(IMAPGrammar.isAlpha) ?? false
    }

    // getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
    static func metadataOptions(_ buffer: inout IMAPParseBuffer, into options: inout MetadataOptions) throws(IMAPParseError) {
        _ = try parenthesised(&buffer, "GETMETADATA options") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) in
            switch try keyword(&buffer, "GETMETADATA option") {
            case "MAXSIZE":
                guard options.maxSize == nil else { throw IMAPParseError("MAXSIZE given twice") }
                try space(&buffer, before: "MAXSIZE value")
                options.maxSize = try number(&buffer, "MAXSIZE value")
            case "DEPTH":
                guard options.depth == nil else { throw IMAPParseError("DEPTH given twice") }
                try space(&buffer, before: "DEPTH value")
                switch IMAPGrammar.upperString(try atom(&buffer, "DEPTH value")) {
                case "0": options.depth = .zero
                case "1": options.depth = .one
                case "INFINITY": options.depth = .infinity
                default: throw IMAPParseError("DEPTH must be 0, 1 or infinity")
                }
            default:
                throw IMAPParseError("unknown GETMETADATA option")
            }
        }
    }

    // entry = astring
    static func metadataEntry(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> MetadataEntryName {
        let octets = try astring(&buffer, "entry name")
        do {
            return try MetadataEntryName(validating: octets)
        } catch {
            throw IMAPParseError("invalid entry name: \(error.description)")
        }
    }

    // setmetadata = "SETMETADATA" SP mailbox SP entry-values
    // entry-values = "(" entry-value *(SP entry-value) ")"
    static func setMetadata(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "mailbox name")
        let name = try mailbox(&buffer)
        try space(&buffer, before: "entry values")
        let values = try parenthesised(&buffer, "entry values") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) in
            // entry-value = entry SP value ; value = nstring / literal8
            let entry = try metadataEntry(&buffer)
            try space(&buffer, before: "entry value")
            if buffer.peek() == IMAPGrammar.tilde {
                let (data, binary) = try literal(&buffer, "the entry value", allowBinary: true)
                return MetadataEntryValue(entry: entry, value: data, binary: binary)
            }
            return MetadataEntryValue(entry: entry, value: try nstring(&buffer, "entry value"))
        }
        return .setMetadata(name, values)
    }
}
