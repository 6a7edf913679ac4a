// IMAPScriptArgument — the loose IMAP argument parser that Dovecot imaptest applies both to the
// expected lines of a script and to what the server sends (imaptest src/test-parser.c and
// src/imap-client.c call Dovecot's imap_parser with IMAP_PARSE_FLAG_ATOM_ALLCHARS,
// LITERAL8 and MULTILINE_STR). Parsing both sides the same way is what makes the comparison
// structural: `BODY[HEADER.FIELDS (FROM)]` becomes the atom `BODY[HEADER.FIELDS`, the list
// `(FROM)` and the atom `]` on both sides.
//
// Grammar (RFC 9051 §4 and §9, loosened as imaptest does):
//   argument = atom / quoted / literal / literal8 / "NIL" / "(" [argument *(SP argument)] ")"
//   atom     = 1*<any byte but SP, CR, LF; ")" ends it inside a list>
//   quoted   = DQUOTE *(<any byte but DQUOTE and "\"> / "\" <byte>) DQUOTE
//   literal  = "{" number ["+"] "}" CRLF *OCTET      literal8 = "~" literal (RFC 3516)
// `NIL` in any case is the nil argument. Text is Latin-1 strings (see Latin1), so binary
// literal contents are kept byte for byte.

import Foundation

public indirect enum IMAPScriptArgument: Equatable, Sendable, CustomStringConvertible {
    case atom(String)
    case quoted(String)
    case literal(String)
    case null
    case list([IMAPScriptArgument])

    /// The string of an atom, quoted string or literal (imap_arg_get_astring).
    public var astring: String? {
        switch self {
        case .atom(let s), .quoted(let s), .literal(let s): return s
        case .null, .list: return nil
        }
    }

    public var atom: String? {
        if case .atom(let s) = self { return s }
        return nil
    }

    public var listItems: [IMAPScriptArgument]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// As imap_args_to_str writes it, for messages.
    public var description: String {
        switch self {
        case .atom(let s): return s
        case .quoted(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .literal(let s):
            return s.count <= 80 && !s.contains("\r") && !s.contains("\n") ? "{\(s.unicodeScalars.count)}\(s)" : "{\(s.unicodeScalars.count)} <literal>"
        case .null: return "NIL"
        case .list(let items): return "(" + items.map(\.description).joined(separator: " ") + ")"
        }
    }

    public static func describe(_ args: [IMAPScriptArgument]) -> String {
        args.map(\.description).joined(separator: " ")
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses a whole line (literal contents inline after `{n}` CRLF).
    public static func parseLine(_ text: String) throws -> [IMAPScriptArgument] {
        var parser = Parser(Array(text.unicodeScalars))
        let args = try parser.parseList(depth: 0)
        return args
    }

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        init(_ s: [Unicode.Scalar]) { self.s = s }

        mutating func parseList(depth: Int) throws -> [IMAPScriptArgument] {
            guard depth < 100 else { throw ParseError(description: "lists nested too deep") }
            var out: [IMAPScriptArgument] = []
            while true {
                while i < s.count && s[i] == " " { i += 1 }
                if i >= s.count {
                    if depth > 0 { throw ParseError(description: "missing ')'") }
                    return out
                }
                let c = s[i]
                switch c {
                case "(":
                    i += 1
                    out.append(.list(try parseList(depth: depth + 1)))
                case ")":
                    if depth == 0 {
                        // ALLCHARS: a stray ')' outside a list is part of an atom.
                        out.append(.atom(readAtom(inList: false)))
                    } else {
                        i += 1
                        return out
                    }
                case "\"":
                    out.append(.quoted(try readQuoted()))
                case "{":
                    out.append(.literal(try readLiteral()))
                case "~" where i + 1 < s.count && s[i + 1] == "{":
                    i += 1
                    out.append(.literal(try readLiteral()))
                case "\r", "\n":
                    i += 1
                default:
                    let atom = readAtom(inList: depth > 0)
                    out.append(atom.uppercased() == "NIL" ? .null : .atom(atom))
                }
            }
        }

        mutating func readAtom(inList: Bool) -> String {
            let begin = i
            while i < s.count {
                let c = s[i]
                if c == " " || c == "\r" || c == "\n" { break }
                if c == ")" && inList { break }
                i += 1
            }
            if i == begin { i += 1 }   // a lone ')' outside a list
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[begin..<i])
            return String(v)
        }

        mutating func readQuoted() throws -> String {
            i += 1
            var v = String.UnicodeScalarView()
            while i < s.count {
                let c = s[i]
                if c == "\"" {
                    i += 1
                    return String(v)
                }
                if c == "\\" && i + 1 < s.count {
                    i += 1
                    v.append(s[i])
                } else {
                    v.append(c)
                }
                i += 1
            }
            throw ParseError(description: "missing closing '\"'")
        }

        mutating func readLiteral() throws -> String {
            i += 1
            var digits = ""
            while i < s.count, s[i] != "}" {
                digits.unicodeScalars.append(s[i])
                i += 1
            }
            if digits.hasSuffix("+") || digits.hasSuffix("-") { digits.removeLast() }
            guard i < s.count, let n = Int(digits) else { throw ParseError(description: "broken literal size") }
            i += 1
            if i < s.count && s[i] == "\r" { i += 1 }
            if i < s.count && s[i] == "\n" { i += 1 }
            guard i + n <= s.count else { throw ParseError(description: "literal shorter than {\(n)}") }
            var v = String.UnicodeScalarView()
            v.append(contentsOf: s[i..<i + n])
            i += n
            return String(v)
        }
    }
}
