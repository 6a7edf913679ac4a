// Mailbox.LocalPart — the part of a mailbox before the "@", as an SMTP peer sends it.
//
// Standards: RFC 5321 §4.1.2 (Local-part = Dot-string / Quoted-string; quoted-pairSMTP),
// §4.5.3.1.1 (at most 64 octets), §2.4 (case-sensitive); RFC 5322 §3.4.1 (a quoted local part
// is the same as its unquoted form); RFC 6531 §3.3 (UTF-8 in atext and qtextSMTP).
//
// The value is stored unquoted, and the wire form is rebuilt from it: a value that is a valid
// Dot-string is written bare, anything else as a Quoted-string with "\" before '"' and "\".
// So `"user"@example.com` and `user@example.com` are one mailbox (RFC 5322 §3.4.1, and what
// Postfix's quote_821_local does), and `"user@remote"@example.com` stays quoted.
//
// Security: no control character (C0, DEL, C1) and no invisible or display-controlling code
// point can be in a value (see GrammarParser.isAllowedInAddress), so a local part is safe to
// log and to write into Received: and Return-Path: headers.

extension Mailbox {
    /// RFC 5321 Local-part, kept unquoted and case-preserved.
    public struct LocalPart: Hashable, Sendable, CustomStringConvertible {
        /// RFC 5321 §4.5.3.1.1: "The maximum total length of a user name or other local-part
        /// is 64 octets" (as written, quotes included).
        public static let maximumLength = 64

        /// The local part without quoting: `user%remote`, `john smith`, `用户`.
        public let value: String

        /// nil for an empty value or one holding a character an address may not contain
        /// (controls, invisible or display-controlling code points). The length is not checked:
        /// a client may send to a peer that accepts longer local parts.
        public init?(_ value: String) {
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && GrammarParser.isAllowedInAddress($0) }) else {
                return nil
            }
            self.value = value
        }

        /// For values the parser or MailroomCore already validated.
        init(validated value: String) {
            self.value = value
        }

        /// Whether the value is not a Dot-string and so is sent as a Quoted-string.
        public var needsQuoting: Bool { !Self.isDotString(value) }

        public var isASCII: Bool { value.utf8.allSatisfy { $0 < 0x80 } }

        /// The wire form: the value itself, or the value as a Quoted-string.
        public var description: String {
            guard needsQuoting else { return value }
            var out = "\""
            for scalar in value.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
            return out + "\""
        }

        /// Dot-string = Atom *("." Atom); Atom = 1*atext (UTF-8 allowed by RFC 6531).
        static func isDotString(_ text: String) -> Bool {
            var atomLength = 0
            for byte in text.utf8 {
                if byte == GrammarParser.dot {
                    if atomLength == 0 { return false }
                    atomLength = 0
                } else if byte >= 0x80 || GrammarParser.isAText(byte) {
                    atomLength += 1
                } else {
                    return false
                }
            }
            return atomLength > 0
        }
    }
}
