// AddressList — RFC 5322 address lists (From, To, Cc, Bcc, Reply-To, Sender) parsed into the
// pieces IMAP ENVELOPE sends: display name, source route, local part and domain, with group
// start and end markers.
//
// Standards: RFC 5322 §3.4 (address-list, mailbox, name-addr, angle-addr, group, addr-spec),
// §3.2.2 (comments, nested), §3.2.4 (quoted-string, quoted-pair), §4.4 (obsolete syntax:
// obs-route "@a,@b:" inside angle brackets, obs-phrase with ".", obs-local-part), RFC 3501
// §7.4.2 (ENVELOPE address structure: name, adl, mailbox, host; a group is written as a
// start (NIL NIL "group" NIL) and an end (NIL NIL NIL NIL)), RFC 6532 (UTF-8 in addresses).
//
// Public API:
//   AddressList.parse(_ bytes: some Collection<UInt8>) -> [AddressList.Item]
//   AddressList.Item: .mailbox(Mailbox), .groupStart(name: [UInt8]), .groupEnd
//   AddressList.Mailbox { name: [UInt8]?, route: [UInt8]?, localPart: [UInt8], domain: [UInt8]? }
//     (+ String views nameString, localPartString, domainString, address)
//
// Display names are returned as written, not RFC 2047-decoded (ENVELOPE sends them so; use
// EncodedWord.decode for display): quotes and quoted-pair backslashes removed, words joined by
// one space, comments dropped. A mailbox written as addr-spec with a comment and no phrase
// ("user@host (Real Name)") takes the comment as its name, as Dovecot does. Local parts are
// unquoted.
//
// Tolerance: never fails; returns what it can. Unbalanced "<" runs to the end; text after ">"
// is ignored; a missing domain gives domain nil; a bare word is a local part with no domain;
// an unclosed group is closed at the end; a stray ";" or ":" outside a group is ignored;
// empty entries (",,") are skipped.
//
// Security: one tokenising pass; comments nest without recursion (a depth counter); at most
// `maximumItems` items are returned.

public enum AddressList {
    /// Most items returned from one header (the rest is ignored).
    public static let maximumItems = 10_000

    public struct Mailbox: Sendable, Equatable, Hashable {
        /// The display name (phrase), unquoted, not RFC 2047-decoded; nil when absent.
        public var name: [UInt8]?
        /// obs-route ("@a,@b"), without the final ":"; nil when absent.
        public var route: [UInt8]?
        public var localPart: [UInt8]
        /// nil when the address has no "@domain".
        public var domain: [UInt8]?

        public init(name: [UInt8]? = nil, route: [UInt8]? = nil, localPart: [UInt8], domain: [UInt8]? = nil) {
            self.name = name
            self.route = route
            self.localPart = localPart
            self.domain = domain
        }

        public var nameString: String? { name.map { ASCII.string($0) } }
        public var localPartString: String { ASCII.string(localPart) }
        public var domainString: String? { domain.map { ASCII.string($0) } }
        /// "local@domain", or the local part alone.
        public var address: String {
            guard let domainString else { return localPartString }
            return localPartString + "@" + domainString
        }
    }

    public enum Item: Sendable, Equatable, Hashable {
        case mailbox(Mailbox)
        /// The start of a group (RFC 5322 §3.4 group = display-name ":" [group-list] ";").
        case groupStart(name: [UInt8])
        case groupEnd
    }

    enum Token: Equatable {
        case word([UInt8])          // atom (dot-less run of atext and 8-bit octets)
        case quoted([UInt8])        // quoted-string content, unescaped
        case comment([UInt8])       // comment content (nested comments flattened)
        case literal([UInt8])       // domain literal, brackets included
        case special(UInt8)         // < > @ , ; : .

        var isWordLike: Bool {
            switch self {
            case .word, .quoted, .literal: return true
            default: return false
            }
        }
    }

    static func tokenize(_ input: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            if ASCII.isWhitespace(b) { i += 1; continue }
            switch b {
            case ASCII.quote:
                var value: [UInt8] = []
                i += 1
                while i < n, input[i] != ASCII.quote {
                    if input[i] == ASCII.backslash, i + 1 < n { i += 1 }
                    if input[i] != ASCII.cr, input[i] != ASCII.lf { value.append(input[i]) }
                    i += 1
                }
                i += 1
                tokens.append(.quoted(value))
            case ASCII.openParen:
                var value: [UInt8] = []
                var depth = 0
                while i < n {
                    let c = input[i]
                    if c == ASCII.backslash, i + 1 < n { value.append(input[i + 1]); i += 2; continue }
                    if c == ASCII.openParen {
                        depth += 1
                        if depth > 1 { value.append(c) }
                    } else if c == ASCII.closeParen {
                        depth -= 1
                        if depth == 0 { i += 1; break }
                        value.append(c)
                    } else if c != ASCII.cr, c != ASCII.lf {
                        value.append(c)
                    }
                    i += 1
                }
                tokens.append(.comment(value))
            case ASCII.openBracket:
                var value: [UInt8] = [b]
                i += 1
                while i < n, input[i] != ASCII.closeBracket {
                    if input[i] == ASCII.backslash, i + 1 < n { i += 1 }
                    if !ASCII.isWhitespace(input[i]) { value.append(input[i]) }
                    i += 1
                }
                value.append(ASCII.closeBracket)
                i += 1
                tokens.append(.literal(value))
            case ASCII.lessThan, ASCII.greaterThan, ASCII.at, ASCII.comma, ASCII.semicolon, ASCII.colon, ASCII.dot:
                tokens.append(.special(b))
                i += 1
            case ASCII.closeParen, ASCII.closeBracket, ASCII.backslash:
                i += 1   // stray: ignored
            default:
                let start = i
                while i < n {
                    let c = input[i]
                    if ASCII.isWhitespace(c) || c == ASCII.quote || c == ASCII.openParen || c == ASCII.closeParen
                        || c == ASCII.openBracket || c == ASCII.closeBracket || c == ASCII.lessThan
                        || c == ASCII.greaterThan || c == ASCII.at || c == ASCII.comma || c == ASCII.semicolon
                        || c == ASCII.colon || c == ASCII.dot || c == ASCII.backslash { break }
                    i += 1
                }
                tokens.append(.word(Array(input[start..<i])))
            }
        }
        return tokens
    }

    /// Parses an address-list header value (folded or unfolded).
    public static func parse(_ bytes: some Collection<UInt8>) -> [Item] {
        let tokens = tokenize(Array(bytes))
        var items: [Item] = []
        var inGroup = false
        var segment: [Token] = []
        var angleDepth = 0

        func finishSegment() {
            defer { segment.removeAll(keepingCapacity: true) }
            guard items.count < maximumItems, let mailbox = mailbox(segment) else { return }
            items.append(.mailbox(mailbox))
        }

        for token in tokens {
            guard items.count < maximumItems else { break }
            if case .special(let s) = token {
                if s == ASCII.lessThan { angleDepth += 1 }
                if s == ASCII.greaterThan { angleDepth = max(0, angleDepth - 1) }
                if s == ASCII.comma, angleDepth > 0 {
                    // A comma inside "<...>" belongs to an obs-route ("<@a,@b:u@h>"); any other
                    // means the ">" is missing: the address ends here.
                    let open = segment.lastIndex(of: .special(ASCII.lessThan)) ?? segment.startIndex
                    if open + 1 >= segment.count || segment[open + 1] != .special(ASCII.at) {
                        angleDepth = 0
                    }
                }
                if angleDepth == 0 {
                    if s == ASCII.comma {
                        finishSegment()
                        continue
                    }
                    if s == ASCII.colon, !inGroup, !segment.contains(.special(ASCII.at)),
                       !segment.contains(.special(ASCII.lessThan)) {
                        items.append(.groupStart(name: phrase(segment)))
                        inGroup = true
                        segment.removeAll(keepingCapacity: true)
                        continue
                    }
                    if s == ASCII.semicolon {
                        finishSegment()
                        if inGroup {
                            items.append(.groupEnd)
                            inGroup = false
                        }
                        continue
                    }
                }
            }
            segment.append(token)
        }
        finishSegment()
        if inGroup, items.count < maximumItems { items.append(.groupEnd) }
        return items
    }

    /// The phrase of a token run: words and quoted strings joined by one space, "." glued to
    /// the word before it (obs-phrase), comments dropped.
    static func phrase(_ tokens: some Collection<Token>) -> [UInt8] {
        var out: [UInt8] = []
        for t in tokens {
            switch t {
            case .word(let w), .quoted(let w), .literal(let w):
                if !out.isEmpty { out.append(ASCII.space) }
                out.append(contentsOf: w)
            case .special(let s):
                if s == ASCII.dot || s == ASCII.at || s == ASCII.colon { out.append(s) }
            case .comment:
                continue
            }
        }
        return out
    }

    /// A dot-atom / obs-local-part / domain: words, quoted strings and dots as written, no
    /// spaces.
    static func joined(_ tokens: some Collection<Token>) -> [UInt8] {
        var out: [UInt8] = []
        for t in tokens {
            switch t {
            case .word(let w), .quoted(let w), .literal(let w): out.append(contentsOf: w)
            case .special(let s): out.append(s)
            case .comment: continue
            }
        }
        return out
    }

    /// One mailbox from the tokens between separators; nil when there is nothing in it.
    static func mailbox(_ tokens: [Token]) -> Mailbox? {
        let meaningful = tokens.filter { if case .comment = $0 { return false }; return true }
        let lastComment: [UInt8]? = tokens.reversed().lazy.compactMap { t -> [UInt8]? in
            if case .comment(let c) = t, !c.isEmpty { return c }
            return nil
        }.first
        guard !meaningful.isEmpty else { return nil }

        if let open = meaningful.firstIndex(of: .special(ASCII.lessThan)) {
            // name-addr: [phrase] "<" [obs-route] addr-spec ">" — text after ">" is ignored.
            let namePart = phrase(meaningful[..<open])
            let close = meaningful[(open + 1)...].firstIndex(of: .special(ASCII.greaterThan)) ?? meaningful.endIndex
            var inner = Array(meaningful[(open + 1)..<close])
            inner.removeAll { $0 == .special(ASCII.lessThan) }
            var route: [UInt8]? = nil
            if let colon = inner.lastIndex(of: .special(ASCII.colon)), inner.first == .special(ASCII.at) {
                route = joined(inner[..<colon])
                inner = Array(inner[(colon + 1)...])
            }
            var mailbox = addrSpec(inner)
            mailbox.route = route
            mailbox.name = namePart.isEmpty ? nil : namePart
            return mailbox
        }
        var mailbox = addrSpec(meaningful)
        if mailbox.localPart.isEmpty, mailbox.domain == nil { return nil }
        if let lastComment { mailbox.name = lastComment }
        return mailbox
    }

    /// local-part "@" domain; the local part is what comes before the last "@", the domain the
    /// dot-atom or literal after it (anything later is ignored).
    static func addrSpec(_ tokens: [Token]) -> Mailbox {
        guard let at = tokens.lastIndex(of: .special(ASCII.at)) else {
            // No domain: words joined as a phrase would be ("undisclosed recipients").
            var adjacentWords = false
            for (a, b) in zip(tokens, tokens.dropFirst()) where a.isWordLike && b.isWordLike { adjacentWords = true }
            return Mailbox(localPart: adjacentWords ? phrase(tokens) : joined(tokens), domain: nil)
        }
        let local = joined(tokens[..<at].filter { $0 != .special(ASCII.at) })
        var domain: [UInt8] = []
        var expectingLabel = true
        domainLoop: for t in tokens[(at + 1)...] {
            switch t {
            case .word(let w) where expectingLabel:
                domain.append(contentsOf: w)
                expectingLabel = false
            case .literal(let l) where domain.isEmpty:
                domain.append(contentsOf: l)
                expectingLabel = false
            case .special(ASCII.dot) where !expectingLabel:
                domain.append(ASCII.dot)
                expectingLabel = true
            default:
                if !domain.isEmpty { break domainLoop }   // trailing garbage
            }
        }
        return Mailbox(localPart: local, domain: domain.isEmpty ? nil : domain)
    }
}
