// MessageID — the message identifiers in a Message-ID, References or In-Reply-To field, as
// THREAD=REFERENCES links messages by them.
//
// Standards: RFC 5322 §3.6.4:
//   msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]
//   id-left = dot-atom-text / obs-id-left ; id-right = dot-atom-text / no-fold-literal / obs-id-right
//   references = "References:" 1*msg-id CRLF ; in-reply-to = "In-Reply-To:" 1*msg-id CRLF
// RFC 5256 §2.2 ("a valid Message ID", compared as written), RFC 5322 §4.5.4 (obsolete forms:
// CFWS inside the brackets, quoted local parts).
//
// As Dovecot's message_id_get_next: an identifier is what stands between "<" and ">" with white
// space and comments removed and quoted strings unquoted, and it must hold an "@"; anything
// else between identifiers (phrases, as old In-Reply-To fields carry) is skipped. Identifiers
// compare case-sensitively.
//
// Security: one pass over the value; comment nesting is counted, not recursed; at most
// `maximumIdentifiers` are returned from one field, so a References field cannot make one
// message cost more than that in the threader.

enum MessageID {
    /// Identifiers taken from one field (a References field of 10,000 ids is not mail).
    static let maximumIdentifiers = 1_000

    /// The valid identifiers of an (unfolded) field value, in order.
    static func all(in value: some Collection<UInt8>) -> [String] {
        var found: [String] = []
        var scanner = Scanner(Array(value))
        while found.count < maximumIdentifiers, let id = scanner.next() { found.append(id) }
        return found
    }

    /// The first valid identifier of a field value.
    static func first(in value: some Collection<UInt8>) -> String? {
        var scanner = Scanner(Array(value))
        return scanner.next()
    }

    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        /// The next valid "<...@...>", or nil at the end.
        mutating func next() -> String? {
            while position < bytes.count {
                guard let open = bytes[position...].firstIndex(of: UInt8(ascii: "<")) else {
                    position = bytes.count
                    return nil
                }
                position = open + 1
                if let id = identifier() { return id }
            }
            return nil
        }

        /// The identifier after a "<": up to ">", or nil (position left after what was read)
        /// when it is not one.
        mutating func identifier() -> String? {
            var out: [UInt8] = []
            var depth = 0
            var quoted = false
            var escaped = false
            var sawAt = false
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if escaped {
                    if depth == 0 { out.append(byte) }
                    escaped = false
                    continue
                }
                if byte == UInt8(ascii: "\\") && (quoted || depth > 0) { escaped = true; continue }
                if depth > 0 {
                    if byte == UInt8(ascii: "(") { depth += 1 } else if byte == UInt8(ascii: ")") { depth -= 1 }
                    continue
                }
                if quoted {
                    if byte == UInt8(ascii: "\"") { quoted = false } else { out.append(byte) }
                    continue
                }
                switch byte {
                case UInt8(ascii: ">"):
                    guard sawAt, out.first != UInt8(ascii: "@"), out.last != UInt8(ascii: "@") else { return nil }
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "<"):
                    // A new "<" before ">": this one was not an identifier.
                    position -= 1
                    return nil
                case UInt8(ascii: "\""): quoted = true
                case UInt8(ascii: "("): depth = 1
                case 0x20, 0x09, 0x0D, 0x0A: continue
                case UInt8(ascii: "@"):
                    sawAt = true
                    out.append(byte)
                default:
                    out.append(byte)
                }
            }
            return nil
        }
    }
}
