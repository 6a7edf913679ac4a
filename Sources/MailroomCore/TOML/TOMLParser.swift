// TOMLParser.swift — reads a TOML document (the server's configuration file) into a TOMLTable,
// or throws a TOMLError naming the line and column of the first problem.
//
// Standard: TOML 1.0.0 (https://toml.io/en/v1.0.0) and its ABNF grammar (toml.abnf of the
// same release). The rule each part implements is named beside it as "§Section" after the
// headings of the spec: §Spec, §Comment, §Key/Value Pair, §Keys, §String, §Integer, §Float,
// §Boolean, §Offset Date-Time, §Local Date-Time, §Local Date, §Local Time, §Array, §Table,
// §Inline Table, §Array of Tables.
//
// Shape: one pass over the Unicode scalars of the text, by recursive descent. Tables are
// built in `TOMLTableBuilder`s (reference types, so a header can reopen a table deep in the
// tree); each remembers how it came to exist (implied by a header, defined by a header,
// defined by dotted keys) because §Table, §Keys and §Array of Tables make the redefinition
// rules depend on it. Inline tables and arrays are finished values as soon as they are
// parsed, which is what makes them immutable (§Inline Table).
//
// Choices where TOML 1.0 leaves room: a leading byte order mark (U+FEFF) is skipped; CRLF
// inside multi-line strings becomes LF (§String allows normalising newlines); date-times keep
// the text as written; a float literal too large for binary64 (1e400) is an error rather
// than infinity.
//
// Security: the input is an administrator's file, but the parser still bounds recursion:
// arrays and inline tables may nest at most `maximumNestingDepth` deep, and so may tables,
// so hostile input cannot exhaust the stack. Nothing here reads files or the environment.

/// Parses TOML 1.0 documents.
public enum TOMLParser {
    /// Deepest nesting of arrays and inline tables inside one value, and deepest nesting of
    /// tables in the document, that the parser accepts. TOML sets no limit; this one only
    /// protects the stack. A configuration file needs fewer than ten levels.
    static let maximumNestingDepth = 128

    /// Parses a whole TOML document.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLDocumentParser(text)
        return try parser.parseDocument()
    }
}

// MARK: - Tables under construction

/// A table while the document is being read.
final class TOMLTableBuilder {
    /// How the table came to exist; the redefinition rules depend on it.
    enum Origin {
        /// The document itself, or the top of an inline table: never reached by a path.
        case root
        /// Implied as a parent by a longer header, e.g. `a` by `[a.b]`. §Table: may still
        /// be defined once by its own header later.
        case implicit
        /// Defined by `[header]` or as an element of `[[header]]`. §Table: "you cannot define
        /// a table more than once", and dotted keys elsewhere may not add to it.
        case header
        /// Created by dotted keys (§Keys). §Table: may not be redefined by a `[header]`, but
        /// "the [table] form can … be used to define sub-tables" of it.
        case dotted
    }

    enum Entry {
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        /// §Array of Tables: elements are appended by each `[[header]]`.
        case tableArray([TOMLTableBuilder])
    }

    var origin: Origin
    /// Number of tables above this one (the root and the top of an inline table count the
    /// nesting they start at); see `TOMLParser.maximumNestingDepth`.
    let depth: Int
    private(set) var order: [String] = []
    var entries: [String: Entry] = [:]
    var lines: [String: Int] = [:]

    init(origin: Origin, depth: Int) {
        self.origin = origin
        self.depth = depth
    }

    func add(_ key: String, _ entry: Entry, line: Int) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
        lines[key] = line
    }

    func build() -> TOMLTable {
        var table = TOMLTable()
        for key in order {
            guard let entry = entries[key] else { continue }
            let value: TOMLValue
            switch entry {
            case .value(let v): value = v
            case .table(let t): value = .table(t.build())
            case .tableArray(let ts): value = .array(ts.map { .table($0.build()) })
            }
            table.insertParsed(key, value, line: lines[key] ?? 0)
        }
        return table
    }
}

// MARK: - The parser

/// One simple key of a (possibly dotted) key, and where it starts.
private struct TOMLKeySegment {
    let name: String
    let index: Int
}

struct TOMLDocumentParser {
    private let s: [Unicode.Scalar]
    /// Index of the first scalar of each line, for turning an index into line and column.
    private let lineStarts: [Int]
    private var i = 0
    /// Current nesting of arrays and inline tables.
    private var depth = 0
    private let root = TOMLTableBuilder(origin: .root, depth: 0)
    /// The table that key/value pairs go into: the root, or the last header's table.
    private var current: TOMLTableBuilder

    init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var starts = [0]
        for (k, c) in scalars.enumerated() where c == "\n" { starts.append(k + 1) }
        s = scalars
        lineStarts = starts
        current = root
    }

    // MARK: Document structure

    /// §Spec / ABNF `toml = expression *( newline expression )`, where an expression is
    /// `ws [comment]`, `ws keyval ws [comment]` or `ws table ws [comment]`.
    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        while true {
            skipWhitespace()
            guard let c = peek() else { break }
            switch c {
            case "#", "\n", "\r":
                try finishLine(after: "comment")
            case "[":
                try parseTableHeader()
                try finishLine(after: "table header")
            default:
                try parseKeyValue(into: current)
                try finishLine(after: "value")
            }
        }
        return root.build()
    }

    /// The rest of a line after an expression: `ws [comment] (newline / end of file)`.
    /// §Key/Value Pair: "There must be a newline (or EOF) after a key/value pair."
    private mutating func finishLine(after what: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == "#" { try skipComment() }
        guard let c = peek() else { return }
        if c == "\n" { i += 1; return }
        if c == "\r" {
            guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
            i += 2
            return
        }
        throw error("expected a newline or comment after \(what), found \(found(at: i))", at: i)
    }

    /// §Comment: from `#` to the end of the line. "Control characters other than tab
    /// (U+0000 to U+0008, U+000A to U+001F, U+007F) are not permitted in comments."
    /// Stops before the newline.
    private mutating func skipComment() throws(TOMLError) {
        i += 1
        while let c = peek() {
            if c == "\n" { return }
            if c == "\r" {
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                return
            }
            if Self.isForbiddenControl(c) {
                throw error("\(Self.describe(c)) is not allowed in a comment", at: i)
            }
            i += 1
        }
    }

    /// ABNF `ws`: spaces and tabs.
    private mutating func skipWhitespace() {
        while let c = peek(), c == " " || c == "\t" { i += 1 }
    }

    /// ABNF `ws-comment-newline`, used inside arrays (§Array: "Arrays can span multiple
    /// lines", with comments).
    private mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while let c = peek() {
            switch c {
            case " ", "\t", "\n":
                i += 1
            case "\r":
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                i += 2
            case "#":
                try skipComment()
            default:
                return
            }
        }
    }

    // MARK: Headers (§Table, §Array of Tables)

    /// `[key]` or `[[key]]`; makes the named table the target of the following pairs.
    private mutating func parseTableHeader() throws(TOMLError) {
        let open = i
        let isArray = peek(1) == "["
        i += isArray ? 2 : 1
        skipWhitespace()
        if peek() == "]" {
            throw error("missing table name in header", at: i)
        }
        let key = try parseKey()
        skipWhitespace()
        if isArray {
            guard peek() == "]" && peek(1) == "]" else {
                // Point at the missing second bracket when the first one is there.
                let at = peek() == "]" ? i + 1 : i
                throw error("expected ']]' to close the array-of-tables header, found \(found(at: at))", at: at)
            }
            i += 2
        } else {
            guard peek() == "]" else {
                throw error("expected ']' to close the table header, found \(found(at: i))", at: i)
            }
            i += 1
        }
        let line = lineNumber(of: open)

        // Walk to the parent, creating implied tables (§Table: "you don't need to specify all
        // the super-tables if you don't want to").
        var table = root
        for (n, segment) in key.dropLast().enumerated() {
            let path = TOMLSyntax.dottedKey(key[...n].map(\.name))
            switch table.entries[segment.name] {
            case nil:
                let child = try makeChild(of: table, origin: .implicit, at: segment.index)
                table.add(segment.name, .table(child), line: line)
                table = child
            case .table(let child)?:
                // Any kind of table may receive sub-tables by header, including one made by
                // dotted keys (§Table: "The [table] form can, however, be used to define
                // sub-tables within tables defined via dotted keys").
                table = child
            case .tableArray(let elements)?:
                // §Array of Tables: a sub-table header belongs to "the most recently defined
                // table element above it". An array always has at least one element.
                guard let last = elements.last else { throw error("empty array of tables '\(path)'", at: segment.index) }
                table = last
            case .value(let value)?:
                throw notATable(path, value, at: segment.index)
            }
        }

        guard let last = key.last else { throw error("missing table name in header", at: open + 1) }
        let path = TOMLSyntax.dottedKey(key.map(\.name))
        if isArray {
            switch table.entries[last.name] {
            case nil:
                let element = try makeChild(of: table, origin: .header, at: last.index)
                table.add(last.name, .tableArray([element]), line: line)
                current = element
            case .tableArray(var elements)?:
                let element = try makeChild(of: table, origin: .header, at: last.index)
                elements.append(element)
                table.entries[last.name] = .tableArray(elements)
                current = element
            case .table?:
                throw error("cannot define array of tables '\(path)': '\(path)' is already a table", at: last.index)
            case .value(.array)?:
                // §Array of Tables: "Attempting to append to a statically defined array, even
                // if that array is empty, must produce an error at parse time."
                throw error("cannot append to static array '\(path)' with an array-of-tables header", at: last.index)
            case .value(let value)?:
                throw alreadyDefined(path, value, at: last.index)
            }
        } else {
            switch table.entries[last.name] {
            case nil:
                let child = try makeChild(of: table, origin: .header, at: last.index)
                table.add(last.name, .table(child), line: line)
                current = child
            case .table(let child)?:
                switch child.origin {
                case .implicit:
                    // Implied earlier by a longer header; this is its one definition.
                    child.origin = .header
                    table.lines[last.name] = line
                    current = child
                case .header, .root:
                    // §Table: "you cannot define a table more than once".
                    throw error("table '\(path)' is already defined\(onLine(table.lines[last.name]))", at: last.index)
                case .dotted:
                    // §Table: tables defined by dotted keys cannot be redefined by a header.
                    throw error("table '\(path)' is already defined by dotted keys\(onLine(table.lines[last.name]))", at: last.index)
                }
            case .tableArray?:
                throw error("'\(path)' is already an array of tables; use [[\(path)]] to add an element", at: last.index)
            case .value(let value)?:
                throw alreadyDefined(path, value, at: last.index)
            }
        }
    }

    // MARK: Key/value pairs (§Key/Value Pair, §Keys)

    /// `key = value` into `table` (the current section, or an inline table being read).
    private mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLError) {
        let key = try parseKey()
        skipWhitespace()
        guard peek() == "=" else {
            throw error("expected '=' after key", at: i)
        }
        i += 1
        skipWhitespace()
        let parent = try resolveDottedParent(of: key, in: table)
        guard let last = key.last else { throw error("expected a key", at: i) }
        if parent.entries[last.name] != nil {
            // §Keys: "Defining a key multiple times is invalid."
            throw error("duplicate key '\(TOMLSyntax.dottedKey(key.map(\.name)))'", at: key[0].index)
        }
        let value = try parseValue(afterEquals: true)
        parent.add(last.name, .value(value), line: lineNumber(of: last.index))
    }

    /// For `a.b.c = v`, the table that receives `c`, creating `a` and `a.b` as needed.
    /// §Keys: "Dotted keys create and define a table for each key part before the last one,
    /// provided that such tables were not previously created." Such tables can be extended by
    /// more dotted keys, but not tables defined by headers, inline tables, arrays of tables
    /// or other values.
    private func resolveDottedParent(of key: [TOMLKeySegment], in start: TOMLTableBuilder) throws(TOMLError) -> TOMLTableBuilder {
        var table = start
        for (n, segment) in key.dropLast().enumerated() {
            let path = TOMLSyntax.dottedKey(key[...n].map(\.name))
            switch table.entries[segment.name] {
            case nil:
                let child = try makeChild(of: table, origin: .dotted, at: segment.index)
                table.add(segment.name, .table(child), line: lineNumber(of: segment.index))
                table = child
            case .table(let child)?:
                switch child.origin {
                case .dotted:
                    table = child
                case .implicit:
                    // Only implied by a header so far; dotted keys now define it.
                    child.origin = .dotted
                    table = child
                case .header, .root:
                    throw error("cannot add to table '\(path)' with dotted keys: it is defined by a table header\(onLine(table.lines[segment.name]))", at: segment.index)
                }
            case .tableArray?:
                throw error("cannot add to array of tables '\(path)' with dotted keys", at: segment.index)
            case .value(let value)?:
                throw notATable(path, value, at: segment.index)
            }
        }
        return table
    }

    /// ABNF `key = simple-key / dotted-key`, `dotted-key = simple-key 1*( dot-sep simple-key )`,
    /// `dot-sep = ws "." ws`.
    private mutating func parseKey() throws(TOMLError) -> [TOMLKeySegment] {
        var segments: [TOMLKeySegment] = []
        while true {
            segments.append(try parseSimpleKey())
            skipWhitespace()
            guard peek() == "." else { return segments }
            i += 1
            skipWhitespace()
        }
    }

    /// §Keys: a bare key (A-Za-z0-9_-), or a basic or literal string on one line.
    private mutating func parseSimpleKey() throws(TOMLError) -> TOMLKeySegment {
        let start = i
        guard let c = peek() else {
            throw error("expected a key, found end of file", at: i)
        }
        if TOMLSyntax.isBareKeyScalar(c) {
            while let d = peek(), TOMLSyntax.isBareKeyScalar(d) { i += 1 }
            return TOMLKeySegment(name: text(from: start, to: i), index: start)
        }
        switch c {
        case "\"":
            if isTripleQuote("\"") { throw error("multi-line strings cannot be used as keys", at: start) }
            return TOMLKeySegment(name: try parseBasicString(), index: start)
        case "'":
            if isTripleQuote("'") { throw error("multi-line strings cannot be used as keys", at: start) }
            return TOMLKeySegment(name: try parseLiteralString(), index: start)
        case "=":
            throw error("missing key before '='", at: start)
        default:
            if c.value >= 0x80 && !Self.isForbiddenControl(c) {
                throw error("\(Self.describe(c)) is not allowed in a bare key; put the key in quotes", at: start)
            }
            throw error("expected a key, found \(found(at: start))", at: start)
        }
    }

    // MARK: Values

    /// ABNF `val = string / boolean / array / inline-table / date-time / float / integer`.
    private mutating func parseValue(afterEquals: Bool) throws(TOMLError) -> TOMLValue {
        guard let c = peek() else {
            throw error(afterEquals ? "missing value after '='" : "expected a value, found end of file", at: i)
        }
        switch c {
        case "\"":
            if isTripleQuote("\"") { return .string(try parseMultilineBasicString()) }
            return .string(try parseBasicString())
        case "'":
            if isTripleQuote("'") { return .string(try parseMultilineLiteralString()) }
            return .string(try parseLiteralString())
        case "[":
            return try parseArray()
        case "{":
            return try parseInlineTable()
        case "+", "-":
            return try parseNumber()
        case "0"..."9":
            if looksLikeDate() || looksLikeTime() { return try parseDateTime() }
            return try parseNumber()
        default:
            break
        }
        if afterEquals && (c == "\n" || c == "\r" || c == "#" || c == "," || c == "}") {
            throw error("missing value after '='", at: i)
        }
        if TOMLSyntax.isBareKeyScalar(c) {
            // §Boolean ("Booleans are just the tokens you're used to. Always lowercase."),
            // §Float special values, or an unquoted word.
            let start = i
            var end = i
            while end < s.count && TOMLSyntax.isBareKeyScalar(s[end]) { end += 1 }
            let word = text(from: start, to: end)
            switch word {
            case "true": i = end; return .boolean(true)
            case "false": i = end; return .boolean(false)
            case "inf", "nan": return try parseNumber()
            default:
                throw error("invalid value '\(word)' (strings must be in quotes)", at: start)
            }
        }
        throw error("expected a value, found \(found(at: i))", at: i)
    }

    /// §Array: `[` values separated by commas `]`; "Arrays can span multiple lines",
    /// "a terminating comma (also called trailing comma) is permitted", values may be of
    /// mixed types, and comments and newlines may stand between them.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let open = i
        try enterNesting(at: open)
        defer { depth -= 1 }
        i += 1
        var items: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            guard let c = peek() else { throw error("unterminated array: expected ']'", at: open) }
            if c == "]" { i += 1; return .array(items) }
            items.append(try parseValue(afterEquals: false))
            try skipWhitespaceCommentsAndNewlines()
            guard let d = peek() else { throw error("unterminated array: expected ']'", at: open) }
            if d == "," { i += 1; continue }
            if d == "]" { i += 1; return .array(items) }
            throw error("expected ',' or ']' in array, found \(found(at: i))", at: i)
        }
    }

    /// §Inline Table: `{ key = value, … }` on one line ("No newlines are allowed between the
    /// curly braces unless they are valid within a value"), no trailing comma, and the table
    /// is complete: it cannot be extended afterwards (it becomes a `TOMLValue` here).
    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        let open = i
        try enterNesting(at: open)
        defer { depth -= 1 }
        i += 1
        let table = TOMLTableBuilder(origin: .root, depth: depth)
        skipWhitespace()
        if peek() == "}" { i += 1; return .table(table.build()) }
        while true {
            skipWhitespace()
            try checkInsideInlineTable(open: open)
            try parseKeyValue(into: table)
            skipWhitespace()
            try checkInsideInlineTable(open: open)
            guard let c = peek() else { throw error("unterminated inline table: expected '}'", at: open) }
            if c == "}" { i += 1; return .table(table.build()) }
            guard c == "," else {
                throw error("expected ',' or '}' in inline table, found \(found(at: i))", at: i)
            }
            let comma = i
            i += 1
            skipWhitespace()
            if peek() == "}" {
                throw error("trailing comma is not allowed in an inline table", at: comma)
            }
        }
    }

    /// Errors for what cannot appear between the pairs of an inline table.
    private func checkInsideInlineTable(open: Int) throws(TOMLError) {
        guard let c = peek() else { throw error("unterminated inline table: expected '}'", at: open) }
        if c == "\n" || c == "\r" {
            throw error("newline is not allowed in an inline table (it must be on one line)", at: i)
        }
        if c == "#" {
            throw error("comments are not allowed in an inline table", at: i)
        }
    }

    // MARK: Strings (§String)

    /// Basic string on one line: `"` *basic-char `"`; i is on the opening quote.
    private mutating func parseBasicString() throws(TOMLError) -> String {
        let open = i
        i += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated string", at: open) }
            switch c {
            case "\"":
                i += 1
                return String(out)
            case "\\":
                try parseEscape(into: &out, multiline: false, open: open)
            case "\n":
                throw error("unterminated string", at: open)
            case "\r":
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                throw error("unterminated string", at: open)
            default:
                // "Any Unicode character may be used except those that must be escaped:
                // quotation mark, backslash, and the control characters other than tab."
                if Self.isForbiddenControl(c) {
                    throw error("\(Self.describe(c)) must be escaped in a string", at: i)
                }
                out.append(c)
                i += 1
            }
        }
    }

    /// Multi-line basic string: `"""` [newline] body `"""`. "A newline immediately following
    /// the opening delimiter will be trimmed"; up to two quotation marks may stand anywhere,
    /// including right before the closing delimiter; a line-ending backslash trims.
    private mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let open = i
        i += 3
        skipNewlineAfterOpeningDelimiter()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated multi-line string", at: open) }
            switch c {
            case "\"":
                if let closed = consumeQuotesOrClose("\"", into: &out) { return closed }
            case "\\":
                try parseEscape(into: &out, multiline: true, open: open)
            case "\n":
                out.append("\n")
                i += 1
            case "\r":
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                out.append("\n")
                i += 2
            default:
                if Self.isForbiddenControl(c) {
                    throw error("\(Self.describe(c)) must be escaped in a string", at: i)
                }
                out.append(c)
                i += 1
            }
        }
    }

    /// Literal string on one line: `'` *literal-char `'`, no escapes; "Control characters
    /// other than tab are not permitted in a literal string."
    private mutating func parseLiteralString() throws(TOMLError) -> String {
        let open = i
        i += 1
        let contentStart = i
        while true {
            guard let c = peek() else { throw error("unterminated string", at: open) }
            switch c {
            case "'":
                let value = text(from: contentStart, to: i)
                i += 1
                return value
            case "\n":
                throw error("unterminated string", at: open)
            case "\r":
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                throw error("unterminated string", at: open)
            default:
                if Self.isForbiddenControl(c) {
                    throw error("\(Self.describe(c)) is not allowed in a literal string", at: i)
                }
                i += 1
            }
        }
    }

    /// Multi-line literal string: `'''` [newline] body `'''`, no escapes; up to two
    /// apostrophes may stand anywhere, including right before the closing delimiter.
    private mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let open = i
        i += 3
        skipNewlineAfterOpeningDelimiter()
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated multi-line string", at: open) }
            switch c {
            case "'":
                if let closed = consumeQuotesOrClose("'", into: &out) { return closed }
            case "\n":
                out.append("\n")
                i += 1
            case "\r":
                guard peek(1) == "\n" else { throw bareCarriageReturn(at: i) }
                out.append("\n")
                i += 2
            default:
                if Self.isForbiddenControl(c) {
                    throw error("\(Self.describe(c)) is not allowed in a literal string", at: i)
                }
                out.append(c)
                i += 1
            }
        }
    }

    private mutating func skipNewlineAfterOpeningDelimiter() {
        if peek() == "\n" {
            i += 1
        } else if peek() == "\r" && peek(1) == "\n" {
            i += 2
        }
    }

    /// On a run of `quote` inside a multi-line string: fewer than three are content; three to
    /// five close the string, the first (run - 3) being content (ABNF `mlb-quotes` /
    /// `mll-quotes` = 1*2 quotes before the delimiter). A sixth quote is left for the caller,
    /// where it is an error. Returns the finished string, or nil to keep reading.
    private mutating func consumeQuotesOrClose(_ quote: Unicode.Scalar, into out: inout String.UnicodeScalarView) -> String? {
        var run = 0
        while peek(run) == quote { run += 1 }
        if run < 3 {
            for _ in 0..<run { out.append(quote) }
            i += run
            return nil
        }
        let content = min(run, 5) - 3
        for _ in 0..<content { out.append(quote) }
        i += content + 3
        return String(out)
    }

    /// §String escapes: \b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX ("Any Unicode character may be
    /// escaped … The escape codes must be valid Unicode scalar values"), and in multi-line
    /// basic strings the line-ending backslash, which trims all whitespace and newlines up to
    /// the next other character. "All other escape sequences not listed above are reserved;
    /// if they are used, TOML should produce an error." i is on the backslash.
    private mutating func parseEscape(into out: inout String.UnicodeScalarView, multiline: Bool, open: Int) throws(TOMLError) {
        let backslash = i
        guard let c = peek(1) else {
            throw error(multiline ? "unterminated multi-line string" : "unterminated string", at: open)
        }
        if c == " " || c == "\t" || c == "\n" || c == "\r" {
            guard multiline else {
                if c == "\n" || c == "\r" {
                    throw error("invalid escape sequence: a line-ending backslash is only allowed in multi-line strings", at: backslash)
                }
                throw error("invalid escape sequence: '\\' followed by \(Self.describe(c))", at: backslash)
            }
            var j = i + 1
            while j < s.count && (s[j] == " " || s[j] == "\t") { j += 1 }
            let endsLine = j < s.count && (s[j] == "\n" || (s[j] == "\r" && j + 1 < s.count && s[j + 1] == "\n"))
            guard endsLine else {
                throw error("invalid escape sequence: '\\' followed by whitespace must end the line", at: backslash)
            }
            i = j
            while let d = peek() {
                if d == " " || d == "\t" || d == "\n" {
                    i += 1
                } else if d == "\r" && peek(1) == "\n" {
                    i += 2
                } else {
                    break
                }
            }
            return
        }
        switch c {
        case "b": out.append("\u{08}")
        case "t": out.append("\t")
        case "n": out.append("\n")
        case "f": out.append("\u{0C}")
        case "r": out.append("\r")
        case "\"": out.append("\"")
        case "\\": out.append("\\")
        case "u", "U":
            let count = c == "u" ? 4 : 8
            var value: UInt32 = 0
            for k in 0..<count {
                guard let h = peek(2 + k), let digit = Self.digitValue(h, radix: 16) else {
                    throw error("invalid escape sequence: '\\\(c)' must be followed by \(count) hexadecimal digits", at: backslash)
                }
                value = value &* 16 &+ digit
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw error("invalid escape sequence '\\\(c)\(text(from: i + 2, to: i + 2 + count))': U+\(TOMLSyntax.hex(value, width: 4)) is not a Unicode scalar value", at: backslash)
            }
            out.append(scalar)
            i += 2 + count
            return
        default:
            if Self.isForbiddenControl(c) || c.value >= 0x80 && c.value <= 0x9F {
                throw error("invalid escape sequence: '\\' followed by \(Self.describe(c))", at: backslash)
            }
            throw error("invalid escape sequence '\\\(Character(c))'", at: backslash)
        }
        i += 2
    }

    // MARK: Numbers (§Integer, §Float)

    /// Reads the run of characters that can belong to a number, then checks it against
    /// §Integer (decimal with optional sign, no leading zeros, underscores only between
    /// digits; 0x / 0o / 0b prefixes, lower case, no sign; 64-bit range, "If an integer
    /// cannot be represented losslessly, an error must be thrown") and §Float (an integer
    /// part followed by a fractional part and/or an exponent, each with at least one digit;
    /// inf and nan with optional sign).
    private mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = i
        while let c = peek(), Self.isNumberScalar(c) { i += 1 }
        let end = i
        let token = text(from: start, to: end)
        guard start < end else { throw error("expected a value, found \(found(at: start))", at: start) }

        var k = start
        var negative = false
        var signed = false
        if s[k] == "+" || s[k] == "-" {
            signed = true
            negative = s[k] == "-"
            k += 1
        }
        let body = text(from: k, to: end)
        if body == "inf" { return .float(negative ? -Double.infinity : Double.infinity) }
        if body == "nan" { return .float(negative ? -Double.nan : Double.nan) }

        if end - k >= 2 && s[k] == "0", let prefix = Self.radixPrefix(s[k + 1]) {
            let (radix, name) = prefix
            if signed {
                throw error("invalid integer '\(token)': a sign is not allowed on \(name) integers", at: start)
            }
            k += 2
            let digits = try digitRun(&k, end: end, radix: radix, token: token, kind: "integer",
                                      context: "after '0\(Character(s[k - 1]))'")
            if k < end {
                throw error("invalid integer '\(token)': \(Self.describe(s[k])) is not a \(name) digit", at: k)
            }
            return .integer(try integerValue(digits, radix: radix, negative: false, token: token, at: start))
        }

        let isFloat = body.contains(".") || body.contains("e") || body.contains("E")
        let kind = isFloat ? "float" : "integer"
        let integerStart = k
        let integerDigits = try digitRun(&k, end: end, radix: 10, token: token, kind: kind, context: "")
        if integerDigits.count > 1 && integerDigits.hasPrefix("0") {
            throw error("invalid \(kind) '\(token)': leading zeros are not allowed", at: integerStart)
        }
        if !isFloat {
            if k < end {
                if integerDigits == "0" && (s[k] == "X" || s[k] == "O" || s[k] == "B") {
                    throw error("invalid integer '\(token)': the prefixes 0x, 0o and 0b must be lower case", at: k)
                }
                throw error("invalid integer '\(token)': unexpected \(Self.describe(s[k]))", at: k)
            }
            return .integer(try integerValue(integerDigits, radix: 10, negative: negative, token: token, at: start))
        }

        var literal = (negative ? "-" : "") + integerDigits
        if k < end && s[k] == "." {
            k += 1
            let fraction = try digitRun(&k, end: end, radix: 10, token: token, kind: kind, context: "after the decimal point")
            literal += "." + fraction
        }
        if k < end && (s[k] == "e" || s[k] == "E") {
            k += 1
            var exponentSign = ""
            if k < end && (s[k] == "+" || s[k] == "-") {
                exponentSign = s[k] == "-" ? "-" : "+"
                k += 1
            }
            let exponent = try digitRun(&k, end: end, radix: 10, token: token, kind: kind, context: "in the exponent")
            literal += "e" + exponentSign + exponent
        }
        if k < end {
            throw error("invalid float '\(token)': unexpected \(Self.describe(s[k]))", at: k)
        }
        guard let value = Double(literal), value.isFinite else {
            throw error("float '\(token)' is out of range", at: start)
        }
        return .float(value)
    }

    /// Digits of `radix` from `k`, at least one, underscores allowed only between two digits
    /// (§Integer: "each underscore must be surrounded by at least one digit on each side").
    /// Returns the digits without underscores and leaves `k` on the first other character.
    private func digitRun(_ k: inout Int, end: Int, radix: UInt32, token: String, kind: String, context: String) throws(TOMLError) -> String {
        guard k < end, Self.digitValue(s[k], radix: radix) != nil else {
            if k < end && s[k] == "_" {
                throw error("invalid \(kind) '\(token)': an underscore must be between two digits", at: k)
            }
            let place = context.isEmpty ? "" : " " + context
            throw error("invalid \(kind) '\(token)': expected a digit\(place)", at: k)
        }
        var digits = String.UnicodeScalarView()
        while k < end {
            let c = s[k]
            if Self.digitValue(c, radix: radix) != nil {
                digits.append(c)
                k += 1
            } else if c == "_" {
                guard k + 1 < end, Self.digitValue(s[k + 1], radix: radix) != nil else {
                    throw error("invalid \(kind) '\(token)': an underscore must be between two digits", at: k)
                }
                k += 1
            } else {
                break
            }
        }
        return String(digits)
    }

    /// §Integer: "Arbitrary 64-bit signed integers should be accepted and handled
    /// losslessly." Anything outside Int64 is an error.
    private func integerValue(_ digits: String, radix: UInt32, negative: Bool, token: String, at start: Int) throws(TOMLError) -> Int64 {
        var magnitude: UInt64 = 0
        for c in digits.unicodeScalars {
            guard let d = Self.digitValue(c, radix: radix) else { continue }
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(d))
            if o1 || o2 { throw outOfRange(token, at: start) }
            magnitude = sum
        }
        let limit = UInt64(Int64.max)
        if negative {
            if magnitude > limit + 1 { throw outOfRange(token, at: start) }
            return magnitude == limit + 1 ? Int64.min : -Int64(magnitude)
        }
        if magnitude > limit { throw outOfRange(token, at: start) }
        return Int64(magnitude)
    }

    private func outOfRange(_ token: String, at index: Int) -> TOMLError {
        error("integer '\(token)' is out of range for a 64-bit signed integer", at: index)
    }

    // MARK: Date-times (§Offset Date-Time, §Local Date-Time, §Local Date, §Local Time)

    private func looksLikeDate() -> Bool {
        Self.isDigit(peek(0)) && Self.isDigit(peek(1)) && Self.isDigit(peek(2)) && Self.isDigit(peek(3)) && peek(4) == "-"
    }

    private func looksLikeTime() -> Bool {
        Self.isDigit(peek(0)) && Self.isDigit(peek(1)) && peek(2) == ":"
    }

    /// RFC 3339 as profiled by TOML 1.0: `full-date [ time-delim partial-time [ time-offset ] ]`
    /// or `partial-time`, with "T", a lower-case "t" or a space as delimiter (§Offset
    /// Date-Time: "you may replace the T delimiter … with a space character"), seconds
    /// required, fractional seconds of any precision, "Z"/"z" or ±HH:MM offsets. The text is
    /// kept as written after checking ranges.
    private mutating func parseDateTime() throws(TOMLError) -> TOMLValue {
        let start = i
        if looksLikeDate() {
            let year = try fixedDigits(4, field: "year")
            try expect("-", in: "date")
            let monthAt = i
            let month = try fixedDigits(2, field: "month")
            try expect("-", in: "date")
            let dayAt = i
            let day = try fixedDigits(2, field: "day")
            guard (1...12).contains(month) else {
                throw error("invalid date: month \(text(from: monthAt, to: monthAt + 2)) is not between 01 and 12", at: monthAt)
            }
            guard day >= 1 && day <= Self.daysIn(month: month, year: year) else {
                throw error("invalid date: day \(text(from: dayAt, to: dayAt + 2)) does not exist in \(text(from: start, to: dayAt - 1))", at: dayAt)
            }
            let hasTime: Bool
            if peek() == "T" || peek() == "t" {
                hasTime = true
            } else {
                hasTime = peek() == " " && Self.isDigit(peek(1)) && Self.isDigit(peek(2)) && peek(3) == ":"
            }
            if hasTime {
                i += 1
                try parsePartialTime()
                if peek() == "Z" || peek() == "z" {
                    i += 1
                } else if peek() == "+" || peek() == "-" {
                    i += 1
                    let hourAt = i
                    let hour = try fixedDigits(2, field: "offset hour")
                    try expect(":", in: "time offset")
                    let minuteAt = i
                    let minute = try fixedDigits(2, field: "offset minute")
                    guard hour <= 23 else { throw error("invalid time offset: hour must be 00 to 23", at: hourAt) }
                    guard minute <= 59 else { throw error("invalid time offset: minute must be 00 to 59", at: minuteAt) }
                }
            }
        } else {
            try parsePartialTime()
        }
        return .dateTime(text(from: start, to: i))
    }

    /// `time-hour ":" time-minute ":" time-second [ "." 1*DIGIT ]`.
    private mutating func parsePartialTime() throws(TOMLError) {
        let hourAt = i
        let hour = try fixedDigits(2, field: "hour")
        try expect(":", in: "time")
        let minuteAt = i
        let minute = try fixedDigits(2, field: "minute")
        guard peek() == ":" else {
            throw error("invalid time: seconds are required (HH:MM:SS)", at: i)
        }
        i += 1
        let secondAt = i
        let second = try fixedDigits(2, field: "second")
        guard hour <= 23 else { throw error("invalid time: hour must be 00 to 23", at: hourAt) }
        guard minute <= 59 else { throw error("invalid time: minute must be 00 to 59", at: minuteAt) }
        // RFC 3339 §5.6: time-second is 00-58, 59 or 60 depending on leap second rules.
        guard second <= 60 else { throw error("invalid time: second must be 00 to 60", at: secondAt) }
        if peek() == "." {
            i += 1
            guard Self.isDigit(peek()) else {
                throw error("invalid time: expected digits after '.'", at: i)
            }
            while Self.isDigit(peek()) { i += 1 }
        }
    }

    private mutating func fixedDigits(_ count: Int, field: String) throws(TOMLError) -> Int {
        var value = 0
        for _ in 0..<count {
            guard let c = peek(), let d = Self.digitValue(c, radix: 10) else {
                throw error("invalid date-time: expected \(count) digits for the \(field), found \(found(at: i))", at: i)
            }
            value = value * 10 + Int(d)
            i += 1
        }
        return value
    }

    private mutating func expect(_ c: Unicode.Scalar, in what: String) throws(TOMLError) {
        guard peek() == c else {
            throw error("invalid \(what): expected '\(Character(c))', found \(found(at: i))", at: i)
        }
        i += 1
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    // MARK: Helpers

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let k = i + offset
        return k < s.count ? s[k] : nil
    }

    private func isTripleQuote(_ quote: Unicode.Scalar) -> Bool {
        peek() == quote && peek(1) == quote && peek(2) == quote
    }

    private func text(from start: Int, to end: Int) -> String {
        let lo = min(max(start, 0), s.count)
        let hi = min(max(end, lo), s.count)
        return String(String.UnicodeScalarView(s[lo..<hi]))
    }

    private mutating func enterNesting(at index: Int) throws(TOMLError) {
        depth += 1
        if depth > TOMLParser.maximumNestingDepth {
            throw error("arrays and inline tables are nested more than \(TOMLParser.maximumNestingDepth) levels deep", at: index)
        }
    }

    private func makeChild(of parent: TOMLTableBuilder, origin: TOMLTableBuilder.Origin, at index: Int) throws(TOMLError) -> TOMLTableBuilder {
        guard parent.depth < TOMLParser.maximumNestingDepth else {
            throw error("tables are nested more than \(TOMLParser.maximumNestingDepth) levels deep", at: index)
        }
        return TOMLTableBuilder(origin: origin, depth: parent.depth + 1)
    }

    /// A path segment that should be a table is some other value.
    private func notATable(_ path: String, _ value: TOMLValue, at index: Int) -> TOMLError {
        if case .table = value {
            // §Inline Table: "Inline tables are fully self-contained … Keys and sub-tables
            // cannot be added outside the braces."
            return error("cannot add to inline table '\(path)': inline tables cannot be extended", at: index)
        }
        if case .array = value {
            return error("cannot add to '\(path)': it is a static array, not a table", at: index)
        }
        return error("cannot use '\(path)' as a table: it is already defined as \(Self.article(value.typeName))", at: index)
    }

    private func alreadyDefined(_ path: String, _ value: TOMLValue, at index: Int) -> TOMLError {
        if case .table = value {
            return error("cannot define table '\(path)': it is already defined as an inline table", at: index)
        }
        return error("cannot define table '\(path)': it is already defined as \(Self.article(value.typeName))", at: index)
    }

    private func onLine(_ line: Int?) -> String {
        guard let line else { return "" }
        return " on line \(line)"
    }

    private func bareCarriageReturn(at index: Int) -> TOMLError {
        // §Spec: "Newline means LF (0x0A) or CRLF (0x0D 0x0A)."
        error("carriage return (U+000D) must be followed by a line feed", at: index)
    }

    private func error(_ message: String, at index: Int) -> TOMLError {
        let (line, column) = location(of: index)
        return TOMLError(line: line, column: column, message: message)
    }

    /// 1-based line and column (in Unicode scalars) of the scalar at `index`.
    private func location(of index: Int) -> (line: Int, column: Int) {
        // The last line start at or before index, by binary search.
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, index - lineStarts[lo] + 1)
    }

    private func lineNumber(of index: Int) -> Int {
        location(of: index).line
    }

    /// What stands at `index`, for "found …" in messages.
    private func found(at index: Int) -> String {
        guard index < s.count else { return "end of file" }
        return Self.describe(s[index])
    }

    static func describe(_ c: Unicode.Scalar) -> String {
        switch c.value {
        case 0x0A: return "end of line"
        case 0x0D: return "carriage return (U+000D)"
        case 0x09: return "tab"
        case 0x00..<0x20, 0x7F...0x9F: return "control character U+\(TOMLSyntax.hex(c.value, width: 4))"
        default: return "'\(Character(c))'"
        }
    }

    private static func article(_ typeName: String) -> String {
        switch typeName.first {
        case "a", "e", "i", "o", "u": return "an \(typeName)"
        default: return "a \(typeName)"
        }
    }

    /// §Comment / §String: U+0000–U+0008, U+000A–U+001F and U+007F (tab is allowed).
    /// Line feed and carriage return are handled by the callers before this is asked.
    static func isForbiddenControl(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\t") || c.value == 0x7F
    }

    private static func isDigit(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c.value >= 0x30 && c.value <= 0x39
    }

    /// Characters a number token can contain; anything else ends it.
    private static func isNumberScalar(_ c: Unicode.Scalar) -> Bool {
        TOMLSyntax.isBareKeyScalar(c) || c == "." || c == "+"
    }

    private static func radixPrefix(_ c: Unicode.Scalar) -> (radix: UInt32, name: String)? {
        switch c {
        case "x": return (16, "hexadecimal")
        case "o": return (8, "octal")
        case "b": return (2, "binary")
        default: return nil
        }
    }

    static func digitValue(_ c: Unicode.Scalar, radix: UInt32) -> UInt32? {
        let v = c.value
        let d: UInt32
        switch v {
        case 0x30...0x39: d = v - 0x30
        case 0x41...0x46: d = v - 0x41 + 10
        case 0x61...0x66: d = v - 0x61 + 10
        default: return nil
        }
        return d < radix ? d : nil
    }
}
