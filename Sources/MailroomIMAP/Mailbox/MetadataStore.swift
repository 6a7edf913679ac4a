// MetadataStore — where a user's METADATA entries (RFC 5464) are kept, the limits on them, and
// the file format the Maildir store writes.
//
// Standards: RFC 5464 §3 (server entries, mailbox "", and per-mailbox entries; "/private" and
// "/shared"), §4.3 (the server may refuse a value that is too large, NO [METADATA MAXSIZE n],
// or an entry too many, NO [METADATA TOOMANY]).
//
// Private and shared: RFC 5464 §3.3 lets "/shared" entries be seen by every user with access
// to the mailbox and "/private" ones by their setter only. A Mailroom mailbox store holds one
// user's mail and is shared with nobody (no ACL, no shared namespaces), so both belong to that
// user; they stay two distinct sets of entries ("/private/comment" and "/shared/comment" are
// different entries), and NO [METADATA NOPRIVATE] is never needed.
//
// The store is told of each mailbox RENAME and DELETE the engine made, after the fact: the
// Maildir store has nothing to do (its files live in the folder's directory, which the rename
// or delete took along); the memory store moves or drops the entries itself.
//
// File format (MetadataFile; docs/storage-layout.md), version 1:
//   "mailroom-metadata 1" LF
//   then per entry, in name order: <name length> SP <value length> LF <name> <value> LF
// (the lengths in octets, decimal); names and values are length-counted, so a value may hold anything
// (CR, LF, NUL from a literal8). A file that does not read back exactly is damaged: reading it
// fails (NO [SERVERBUG]) rather than losing or guessing entries.
//
// Limits (MetadataLimits; RFC 5464 leaves them to the server; James's defaults, which its
// MetadataWithLimitation script checks, and small enough that a whole set is read and
// rewritten per command): a value's octets, entries per mailbox (and for the server entries),
// an entry name's octets.

import MailroomMaildir
import NIOConcurrencyHelpers

/// Limits on METADATA entries (RFC 5464 §4.3).
public struct MetadataLimits: Sendable, Equatable {
    /// Octets of one value; a larger one is NO [METADATA MAXSIZE n]. Apache James's limit;
    /// enough for comments, special-use and vendor settings, which is what clients keep there.
    public static let defaultMaxValueBytes = 1024
    /// Entries of one mailbox, and of the server; one more is NO [METADATA TOOMANY]. James's.
    public static let defaultMaxEntriesPerMailbox = 10
    /// Octets of an entry name; a longer one is BAD (checked by the parser).
    public static let maxEntryNameBytes = 256

    public var maxValueBytes: Int
    public var maxEntriesPerMailbox: Int

    public static let `default` = MetadataLimits()

    public init(maxValueBytes: Int = Self.defaultMaxValueBytes, maxEntriesPerMailbox: Int = Self.defaultMaxEntriesPerMailbox) {
        self.maxValueBytes = max(1, maxValueBytes)
        self.maxEntriesPerMailbox = max(1, maxEntriesPerMailbox)
    }
}

/// Whose entries: the server's (GETMETADATA ""), or a mailbox's.
public enum MetadataTarget: Hashable, Sendable, CustomStringConvertible {
    case server
    case mailbox(FolderPath)

    public var description: String {
        switch self {
        case .server: "server"
        case .mailbox(let path): path.description
        }
    }
}

/// The entries of one target: name (lower-case, valid) → value.
public typealias MetadataEntries = [String: [UInt8]]

/// Where one user's METADATA entries are kept.
public protocol MetadataStore: Sendable {
    /// The entries of `target`, empty when it has none. A mailbox that does not exist:
    /// StorageError.folderNotFound (the engine checks first; a store may too).
    func entries(of target: MetadataTarget) throws(StorageError) -> MetadataEntries
    /// Reads the entries of `target`, lets `change` edit them and stores the result durably
    /// when it differs, all under one lock, so concurrent sessions lose nothing. An error from
    /// `change` leaves the entries as they were and is rethrown.
    func update(_ target: MetadataTarget, _ change: (inout MetadataEntries) throws -> Void) throws
    /// The mailbox `from` (and the mailboxes below it) was renamed to `to`. Not called for INBOX,
    /// whose entries stay with it (RFC 3501 §6.3.5: INBOX itself stays).
    func mailboxRenamed(from: FolderPath, to: FolderPath) throws(StorageError)
    /// The mailbox `path` was deleted (only it: in Maildir++ its children stay).
    func mailboxDeleted(_ path: FolderPath) throws(StorageError)
}

/// Entries in memory, for tests and tools.
public final class MemoryMetadataStore: MetadataStore, @unchecked Sendable {
    private let lock = NIOLock()
    private var stored: [MetadataTarget: MetadataEntries] = [:]

    public init() {}

    public func entries(of target: MetadataTarget) throws(StorageError) -> MetadataEntries {
        lock.withLock { stored[target] ?? [:] }
    }

    public func update(_ target: MetadataTarget, _ change: (inout MetadataEntries) throws -> Void) throws {
        try lock.withLock {
            var entries = stored[target] ?? [:]
            try change(&entries)
            stored[target] = entries.isEmpty ? nil : entries
        }
    }

    public func mailboxRenamed(from: FolderPath, to: FolderPath) throws(StorageError) {
        lock.withLock {
            for case .mailbox(let path) in Array(stored.keys) where path == from || from.isAncestor(of: path) {
                let moved = FolderPath(to.components + path.components.dropFirst(from.components.count))
                stored[.mailbox(moved)] = stored.removeValue(forKey: .mailbox(path))
            }
        }
    }

    public func mailboxDeleted(_ path: FolderPath) throws(StorageError) {
        lock.withLock { _ = stored.removeValue(forKey: .mailbox(path)) }
    }
}

/// The version 1 file a Maildir store keeps a target's entries in (see the header).
public enum MetadataFile {
    public static let magic = Array("mailroom-metadata 1\n".utf8)

    public struct Damaged: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func encode(_ entries: MetadataEntries) -> [UInt8] {
        var out = magic
        for name in entries.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let value = entries[name]!
            out += Array("\(name.utf8.count) \(value.count)\n".utf8)
            out += Array(name.utf8)
            out += value
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(Damaged) -> MetadataEntries {
        guard bytes.starts(with: magic) else { throw Damaged(description: "not a version 1 metadata file") }
        var entries: MetadataEntries = [:]
        var i = magic.count
        func number(until terminator: UInt8) throws(Damaged) -> Int {
            var value = 0
            var digits = 0
            while i < bytes.count, bytes[i] != terminator {
                guard (0x30...0x39).contains(bytes[i]), digits < 9 else { throw Damaged(description: "bad length") }
                value = value * 10 + Int(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            guard i < bytes.count, digits > 0 else { throw Damaged(description: "truncated") }
            i += 1
            return value
        }
        while i < bytes.count {
            let nameLength = try number(until: UInt8(ascii: " "))
            let valueLength = try number(until: UInt8(ascii: "\n"))
            guard bytes.count - i >= nameLength + valueLength + 1, bytes[i + nameLength + valueLength] == UInt8(ascii: "\n")
            else { throw Damaged(description: "truncated") }
            let nameBytes = bytes[i..<(i + nameLength)]
            guard let name = try? MetadataEntryName(validating: nameBytes), name.name.utf8.elementsEqual(nameBytes) else {
                throw Damaged(description: "invalid entry name")
            }
            entries[name.name] = Array(bytes[(i + nameLength)..<(i + nameLength + valueLength)])
            i += nameLength + valueLength + 1
        }
        return entries
    }
}
