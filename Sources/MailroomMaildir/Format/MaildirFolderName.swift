// MaildirFolderName — the directory name of a Maildir++ folder, as Dovecot (LAYOUT=Maildir++,
// the default for Maildir) and Courier-IMAP store it: a folder path ["Archive", "2024"] is the
// directory ".Archive.2024" in the Maildir root, each component in IMAP modified UTF-7
// (["Entwürfe"] is ".Entw&APw-rfe"). INBOX — the empty path — is the Maildir root itself.
//
// Standards: Courier's Maildir++ (README.maildirquota, "Definitions and goals": folders are
// subdirectories whose names start with '.', never with two; a client ignores entries starting
// with '.' that are not directories), Dovecot's Maildir++ layout ('.' as the hierarchy
// separator), RFC 3501 §5.1 (INBOX is case-insensitive) and §5.1.3 (modified UTF-7, see
// ModifiedUTF7.swift).
// Rules for a component: non-empty; no '.' (the separator), no '/' (a path), no control character
// (Unicode Cc, so C0, DEL and C1); not "." or ".."; and the first component is not "INBOX" in any
// ASCII case, since ".INBOX" would be a second INBOX beside the root. The whole directory name
// must fit in NAME_MAX (255 bytes on Linux).
// Security: directory names come from `readdir` and may have been written by another program or
// a user with shell access. `components(fromDirectoryName:)` applies the same rules as
// `directoryName(for:)` plus strict modified UTF-7 decoding, and accepts only the canonical
// spelling, so every folder has one directory name and no name can point outside the Maildir.
// Undecodable names (non-UTF-8, bad modified UTF-7) come back as a typed error to report.

public enum MaildirFolderName {
    /// The Maildir++ hierarchy separator, and the first character of every folder directory.
    public static let separator: UInt8 = UInt8(ascii: ".")
    /// NAME_MAX on Linux (and the BSDs): the longest directory entry name, in bytes.
    public static let maximumDirectoryNameLength = 255

    public struct NameError: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Reason: Sendable, Equatable, CustomStringConvertible {
            /// The empty path is INBOX, the Maildir root; it has no folder directory.
            case inboxIsRoot
            /// A component (0-based index) is empty.
            case emptyComponent(Int)
            /// A component is "." or "..".
            case dotComponent(Int)
            /// A component contains '.', '/' or a control character.
            case forbiddenCharacter(Int, Unicode.Scalar)
            /// The first component is "INBOX" (any ASCII case).
            case reservedInbox
            /// The directory name would be longer than NAME_MAX bytes.
            case tooLong(Int)
            /// A directory name that does not start with '.'.
            case missingLeadingDot
            /// A component of a directory name is not valid modified UTF-7.
            case undecodable(Int, ModifiedUTF7.DecodeError)

            public var description: String {
                switch self {
                case .inboxIsRoot: "INBOX (the empty path) is the Maildir root, not a folder directory"
                case .emptyComponent(let i): "component \(i + 1) is empty"
                case .dotComponent(let i): "component \(i + 1) is '.' or '..'"
                case .forbiddenCharacter(let i, let c):
                    "component \(i + 1) contains U+\(String(c.value, radix: 16, uppercase: true)), which is not allowed ('.', '/' or a control character)"
                case .reservedInbox: "a top-level folder cannot be named INBOX"
                case .tooLong(let n): "directory name is \(n) bytes, more than \(MaildirFolderName.maximumDirectoryNameLength)"
                case .missingLeadingDot: "a Maildir++ folder directory starts with '.'"
                case .undecodable(let i, let e): "component \(i + 1) is not modified UTF-7: \(e)"
                }
            }
        }

        /// The folder path or directory name that was refused, as text (for logs).
        public let name: String
        public let reason: Reason

        public init(name: String, reason: Reason) {
            self.name = name
            self.reason = reason
        }

        public var description: String { "bad Maildir++ folder name '\(name)': \(reason)" }
    }

    /// The directory (relative to the Maildir root) that holds the folder `components`.
    public static func directoryName(for components: [String]) throws(NameError) -> String {
        let shown = components.joined(separator: "/")
        guard !components.isEmpty else { throw NameError(name: shown, reason: .inboxIsRoot) }
        var name = ""
        for (index, component) in components.enumerated() {
            if let reason = problem(with: component, at: index) {
                throw NameError(name: shown, reason: reason)
            }
            name += "." + ModifiedUTF7.encode(component)
        }
        let length = name.utf8.count
        guard length <= maximumDirectoryNameLength else { throw NameError(name: shown, reason: .tooLong(length)) }
        return name
    }

    /// The folder path that the directory `name` (".Sent", ".Archive.2024") holds.
    public static func components(fromDirectoryName name: String) throws(NameError) -> [String] {
        try components(fromDirectoryName: Array(name.utf8))
    }

    /// The same for a name as raw bytes from the file system, which may not be UTF-8.
    public static func components(fromDirectoryName bytes: [UInt8]) throws(NameError) -> [String] {
        let shown = String(decoding: bytes, as: UTF8.self)
        guard bytes.first == separator else { throw NameError(name: shown, reason: .missingLeadingDot) }
        guard bytes.count <= maximumDirectoryNameLength else {
            throw NameError(name: shown, reason: .tooLong(bytes.count))
        }
        // ".": the directory itself; "..": the parent. Neither is a folder.
        if bytes.count == 1 { throw NameError(name: shown, reason: .emptyComponent(0)) }
        let parts = bytes.dropFirst().split(separator: separator, omittingEmptySubsequences: false)
        var result: [String] = []
        result.reserveCapacity(parts.count)
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty else { throw NameError(name: shown, reason: .emptyComponent(index)) }
            let component: String
            do {
                component = try ModifiedUTF7.decode(utf8: Array(part))
            } catch {
                throw NameError(name: shown, reason: .undecodable(index, error))
            }
            if let reason = problem(with: component, at: index) {
                throw NameError(name: shown, reason: reason)
            }
            result.append(component)
        }
        return result
    }

    /// Whether a Maildir root entry is meant as a folder: a name starting with '.' other than
    /// "." and "..". cur, new, tmp and the control files (maildirsize, dovecot-uidlist,
    /// dovecot-keywords, dovecot.index*, subscriptions, courierimap*, …) never start with '.'.
    /// The name alone cannot say whether the entry is a directory: the caller checks that
    /// (Maildir++ ignores dot-entries that are not directories) and then reads the path with
    /// `components(fromDirectoryName:)`, reporting names that do not decode rather than
    /// skipping them silently.
    public static func isMaildirPlusPlusFolder(directoryName: String) -> Bool {
        isMaildirPlusPlusFolder(directoryName: Array(directoryName.utf8))
    }

    public static func isMaildirPlusPlusFolder(directoryName bytes: [UInt8]) -> Bool {
        guard bytes.first == separator else { return false }
        return bytes != [separator] && bytes != [separator, separator]
    }

    /// Why `component` cannot be component `index` of a folder path, or nil if it can.
    public static func problem(with component: String, at index: Int) -> NameError.Reason? {
        if component.isEmpty { return .emptyComponent(index) }
        if component == "." || component == ".." { return .dotComponent(index) }
        for scalar in component.unicodeScalars {
            if scalar == "." || scalar == "/" || scalar.properties.generalCategory == .control {
                return .forbiddenCharacter(index, scalar)
            }
        }
        if index == 0 && isInbox(component) { return .reservedInbox }
        return nil
    }

    /// RFC 3501 §5.1: "INBOX" in any case (ASCII case folding only, as IMAP servers do).
    public static func isInbox(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == 5 else { return false }
        return zip(utf8, "inbox".utf8).allSatisfy { a, b in a | 0x20 == b }
    }
}
