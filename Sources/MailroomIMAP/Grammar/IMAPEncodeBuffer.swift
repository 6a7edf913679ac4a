// IMAPEncodeBuffer — the octets of commands and responses being written, with the rules for
// writing each kind of IMAP string.
//
// Standards: RFC 3501 §4.3 and RFC 9051 §4.3 (strings: quoted or literal; a quoted string
// holds no CR, LF or NUL, and escapes DQUOTE and "\"), RFC 3501 §4.5 (NIL), RFC 7888 (LITERAL+
// "{n+}" for a client that may send without waiting), RFC 3516 (literal8 "~{n}"), RFC 6855 §3
// and RFC 9051 (UTF-8 in quoted strings once the client has enabled UTF8=ACCEPT or IMAP4rev2).
//
// Security: content is never trusted. A string that a quoted string cannot carry (CR, LF,
// 8-bit octets when UTF-8 is off, more than `maximumQuotedLength` octets) goes out as a
// literal, whose length is counted by the encoder; NUL, which no IMAP string may hold (CHAR8
// is %x01-FF), is dropped from strings — only message data (`writeLiteral(binary:)`) keeps it.
// Human-readable text has CR, LF and NUL replaced by spaces. Atoms that are not atoms are
// written as strings instead, so a name from storage cannot inject structure.

/// How strings are written.
public struct IMAPEncodingOptions: Sendable, Hashable {
    /// UTF-8 may stand in quoted strings (RFC 6855 UTF8=ACCEPT, RFC 9051 IMAP4rev2 enabled).
    public var allowUTF8Quoted: Bool
    /// Client side: literals are written "{n+}" (RFC 7888 LITERAL+) instead of "{n}".
    public var nonSynchronizingLiterals: Bool
    /// Strings longer than this go out as literals.
    public var maximumQuotedLength: Int

    public init(allowUTF8Quoted: Bool = false, nonSynchronizingLiterals: Bool = false, maximumQuotedLength: Int = 1024) {
        self.allowUTF8Quoted = allowUTF8Quoted
        self.nonSynchronizingLiterals = nonSynchronizingLiterals
        self.maximumQuotedLength = maximumQuotedLength
    }
}

/// A growing buffer of IMAP output.
public struct IMAPEncodeBuffer: Sendable {
    public var bytes: [UInt8]
    public var options: IMAPEncodingOptions

    public init(options: IMAPEncodingOptions = IMAPEncodingOptions()) {
        self.bytes = []
        self.options = options
    }

    /// Takes the octets written so far, leaving the buffer empty.
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }

    /// ASCII text the caller controls (keywords, punctuation).
    public mutating func write(_ text: String) { bytes.append(contentsOf: text.utf8) }

    public mutating func writeBytes(_ octets: some Sequence<UInt8>) { bytes.append(contentsOf: octets) }

    public mutating func writeByte(_ octet: UInt8) { bytes.append(octet) }

    public mutating func writeSpace() { bytes.append(IMAPGrammar.space) }

    public mutating func writeCRLF() { bytes.append(contentsOf: [IMAPGrammar.cr, IMAPGrammar.lf]) }

    /// number = 1*DIGIT
    public mutating func writeNumber(_ value: some BinaryInteger) {
        guard var n = UInt64(exactly: value) else { return write(String(value)) }
        // Digits straight into the buffer (a FETCH 1:* writes several numbers per message).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = digits.count
            repeat {
                i -= 1
                digits[i] = 0x30 + UInt8(n % 10)
                n /= 10
            } while n > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }

    // nil = "NIL"
    public mutating func writeNil() { write("NIL") }

    /// An atom when `text` is one; else a string (the atom rule is never broken).
    public mutating func writeAtom(_ text: String) {
        if IMAPGrammar.isAtom(text.utf8) { write(text) } else { writeString(Array(text.utf8)) }
    }

    // string = quoted / literal
    /// Quoted when it can be, else a literal. NULs are dropped (no IMAP string carries one).
    public mutating func writeString(_ octets: some Collection<UInt8>) {
        let value: [UInt8] = octets.contains(0) ? octets.filter { $0 != 0 } : Array(octets)
        if canQuote(value) { writeQuoted(value) } else { writeLiteral(value) }
    }

    public mutating func writeString(_ text: String) { writeString(Array(text.utf8)) }

    // nstring = string / nil
    public mutating func writeNString(_ octets: [UInt8]?) {
        if let octets { writeString(octets) } else { writeNil() }
    }

    // astring = 1*ASTRING-CHAR / string
    /// An atom-like astring when possible ("NIL" is quoted, so no reader takes it for nil).
    public mutating func writeAString(_ octets: some Collection<UInt8>) {
        if !octets.isEmpty, octets.allSatisfy(IMAPGrammar.isAStringChar),
           !(octets.count == 3 && IMAPGrammar.upperString(octets) == "NIL") {
            writeBytes(octets)
        } else {
            writeString(octets)
        }
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    // QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2/3/4 (RFC 9051)
    mutating func writeQuoted(_ octets: [UInt8]) {
        bytes.reserveCapacity(bytes.count + octets.count + 2)
        bytes.append(IMAPGrammar.doubleQuote)
        for octet in octets {
            if octet == IMAPGrammar.doubleQuote || octet == IMAPGrammar.backslash { bytes.append(IMAPGrammar.backslash) }
            bytes.append(octet)
        }
        bytes.append(IMAPGrammar.doubleQuote)
    }

    /// Whether `octets` may go out as a quoted string under the options.
    func canQuote(_ octets: [UInt8]) -> Bool {
        guard octets.count <= options.maximumQuotedLength else { return false }
        var eightBit = false
        for octet in octets {
            if octet == 0 || octet == IMAPGrammar.cr || octet == IMAPGrammar.lf { return false }
            if octet >= 0x80 { eightBit = true }
        }
        return !eightBit || (options.allowUTF8Quoted && IMAPGrammar.isValidUTF8(octets))
    }

    // literal = "{" number ["+"] "}" CRLF *CHAR8         (RFC 3501, RFC 7888)
    // literal8 = "~{" number ["+"] "}" CRLF *OCTET       (RFC 3516)
    /// A literal holding `octets` exactly.
    public mutating func writeLiteral(_ octets: some Collection<UInt8>, binary: Bool = false) {
        writeLiteralHeader(count: octets.count, binary: binary)
        bytes.append(contentsOf: octets)
    }

    /// "{n}\r\n" (or "{n+}", "~{n}"): the caller writes the n octets itself.
    public mutating func writeLiteralHeader(count: Int, binary: Bool = false) {
        if binary { bytes.append(IMAPGrammar.tilde) }
        write("{\(count)")
        if options.nonSynchronizingLiterals { bytes.append(IMAPGrammar.plus) }
        write("}\r\n")
    }

    // text = 1*TEXT-CHAR
    /// Human-readable text: CR, LF and NUL become spaces; 8-bit octets are kept only when
    /// UTF-8 is allowed and the text is valid UTF-8, else they become "?".
    public mutating func writeText(_ text: String) {
        let utf8 = Array(text.utf8)
        let keepEightBit = options.allowUTF8Quoted
        for octet in utf8 {
            switch octet {
            case 0, IMAPGrammar.cr, IMAPGrammar.lf: bytes.append(IMAPGrammar.space)
            case 0x80...: bytes.append(keepEightBit ? octet : UInt8(ascii: "?"))
            default: bytes.append(octet)
            }
        }
    }

    /// "(" items separated by SP ")".
    public mutating func writeList<T>(_ items: some Sequence<T>, _ write: (inout IMAPEncodeBuffer, T) -> Void) {
        bytes.append(IMAPGrammar.openParen)
        var first = true
        for item in items {
            if !first { bytes.append(IMAPGrammar.space) }
            first = false
            write(&self, item)
        }
        bytes.append(IMAPGrammar.closeParen)
    }
}
