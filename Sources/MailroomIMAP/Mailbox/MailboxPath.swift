// MailboxPath — between IMAP mailbox names (wire octets) and storage folder paths
// (FolderPath, Unicode components).
//
// Standards: RFC 3501 §5.1 (INBOX is case-insensitive; hierarchy delimiter), §5.1.3 (mailbox
// names are modified UTF-7 unless the client enabled UTF-8: RFC 6855 §3 UTF8=ACCEPT, RFC 9051
// §5.1 IMAP4rev2), §6.3.8 (LIST patterns: "*" matches anything, "%" anything but the
// delimiter), RFC 2683 §3.2.2 (a name ending in the delimiter names the folder itself in
// CREATE).
//
// The hierarchy delimiter is "." — what Dovecot's Maildir++ layout announces by default, what
// Courier-IMAP (the vpopmail stack Mailroom replaces) used, and what Apache James's test
// scripts expect — so clients moving over keep their folder names. Folder components cannot
// hold "." or "/" (Maildir++ stores the path as ".A.B", see MaildirFolderName).
// XXX: Courier announced its folders under an "INBOX." prefix; a namespace prefix setting for
// sites coming from it is not built yet.
//
// Security: names are decoded strictly (invalid modified UTF-7 or UTF-8 is an error naming
// the problem, never a lossy guess), and storage applies its own name rules (no ".", "..",
// control characters, or names longer than NAME_MAX) before touching the disk.

import MailroomMaildir

public enum MailboxPath {
    /// The hierarchy delimiter LIST announces.
    public static let delimiter: Character = "."
    public static let delimiterByte = UInt8(ascii: ".")

    public enum NameError: Error, Sendable, Equatable, CustomStringConvertible {
        case notModifiedUTF7(String)
        case notUTF8
        case emptyComponent

        public var description: String {
            switch self {
            case .notModifiedUTF7(let why): "mailbox name is not valid modified UTF-7 (\(why))"
            case .notUTF8: "mailbox name is not valid UTF-8"
            case .emptyComponent: "mailbox name has an empty level"
            }
        }
    }

    /// The name as Unicode: modified UTF-7 decoded, or UTF-8 when the client enabled it.
    public static func decode(_ bytes: [UInt8], utf8Enabled: Bool) throws(NameError) -> String {
        if utf8Enabled {
            // RFC 6855 §3: after ENABLE UTF8=ACCEPT names are UTF-8; a client may still send
            // modified UTF-7 out of habit, and a name in pure ASCII with "&" reads as such.
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
            if bytes.allSatisfy({ $0 < 0x80 }), bytes.contains(UInt8(ascii: "&")),
               let decoded = try? ModifiedUTF7.decode(utf8: bytes) {
                return decoded
            }
            return text
        }
        do {
            return try ModifiedUTF7.decode(utf8: bytes)
        } catch {
            throw .notModifiedUTF7(error.description)
        }
    }

    /// The folder a mailbox name means. A trailing delimiter is dropped (CREATE "a.b.").
    public static func folder(_ bytes: [UInt8], utf8Enabled: Bool) throws(NameError) -> FolderPath {
        let text = try decode(bytes, utf8Enabled: utf8Enabled)
        var parts = text.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        if parts.count > 1, parts.last == "" { parts.removeLast() }
        if parts.count == 1, parts[0].uppercased() == "INBOX" { return .inbox }
        guard !parts.contains("") else { throw .emptyComponent }
        return FolderPath(parts)
    }

    /// The wire name of a folder: "INBOX", or the components joined by the delimiter, each in
    /// modified UTF-7 unless the client enabled UTF-8.
    public static func name(of path: FolderPath, utf8Enabled: Bool) -> [UInt8] {
        if path.isInbox { return Array("INBOX".utf8) }
        let joined = path.components.joined(separator: String(delimiter))
        return utf8Enabled ? Array(joined.utf8) : Array(ModifiedUTF7.encode(joined).utf8)
    }

    /// A LIST/LSUB pattern (reference already joined) matched against a decoded name:
    /// "*" matches any run of characters, "%" any run without the delimiter (RFC 3501 §6.3.8).
    /// INBOX matches case-insensitively.
    public struct Pattern: Sendable {
        let units: [Unit]
        enum Unit: Sendable, Equatable { case text(Character), star, percent }

        public init(_ pattern: String) {
            var units: [Unit] = pattern.map { $0 == "*" ? .star : $0 == "%" ? .percent : .text($0) }
            // A pattern starting with "inbox" in any case means INBOX (the name is always
            // spelled "INBOX" here).
            let head = units.prefix(5).compactMap { if case .text(let c) = $0 { c } else { nil } }
            let after = units.count > 5 ? units[5] : nil
            if head.count == 5, String(head).uppercased() == "INBOX",
               after == nil || after == .star || after == .percent || after == .text(MailboxPath.delimiter) {
                units.replaceSubrange(0..<5, with: "INBOX".map { .text($0) })
            }
            self.units = units
        }

        public func matches(_ name: String) -> Bool {
            Self.match(units, Array(name))
        }

        /// Matching by the set of name positions each pattern prefix can reach: O(pattern ×
        /// name) whatever the wildcards, so a hostile pattern cannot make it explode.
        static func match(_ p: [Unit], _ n: [Character]) -> Bool {
            // dp over positions: reachable[i] = pattern prefix can match name prefix of length i.
            var reachable = [Bool](repeating: false, count: n.count + 1)
            reachable[0] = true
            for unit in p {
                var next = [Bool](repeating: false, count: n.count + 1)
                switch unit {
                case .text(let c):
                    for i in 0..<n.count where reachable[i] && n[i] == c { next[i + 1] = true }
                case .star:
                    var on = false
                    for i in 0...n.count {
                        if reachable[i] { on = true }
                        next[i] = on
                    }
                case .percent:
                    var on = false
                    for i in 0...n.count {
                        if reachable[i] { on = true }
                        next[i] = on
                        if i < n.count && n[i] == MailboxPath.delimiter { on = false }
                    }
                }
                reachable = next
            }
            return reachable[n.count]
        }
    }
}
