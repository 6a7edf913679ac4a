// MailStorage — the storage protocol every service reads and writes mail through: one user's
// folders, their messages by UID, flags and keywords with MODSEQ, append/copy/move/expunge,
// folder management, subscriptions, status, quota and change notification.
//
// Backends: `MaildirStorage` (the real one: Maildir++ on disk, Dovecot-compatible UIDs and
// keywords) and `MemoryStorage` (for tests of other components). Both pass the same
// conformance tests (Tests/MailroomMaildirTests/StorageConformanceTests.swift).
//
// Standards the types serve: IMAP4rev1 (RFC 3501 §2.3: UID, UIDVALIDITY, flags, internal date,
// RFC822.SIZE), UIDPLUS (RFC 4315: APPENDUID/COPYUID), CONDSTORE (RFC 7162: MODSEQ,
// UNCHANGEDSINCE), QUOTA (RFC 9208: STORAGE in KiB, MESSAGE).
// \Recent (RFC 3501 §2.3.2) has Dovecot's semantics: every message that arrives in a folder
// (delivery, APPEND, COPY/MOVE into it, a file another program put there) is recent for exactly
// one session, the first that opens the folder read-write afterwards (`open(_:claimRecent:
// true)`: SELECT and the selected session's later syncs, POP3). EXAMINE, STATUS and internal
// syncs pass `claimRecent: false` and only look. The claim is stored with the folder (Maildir:
// in mailroom-index), so it holds across sessions and processes.
// Calls are synchronous and may block on the file system: protocol servers run them off their
// event loops (NIOThreadPool).

/// A folder name as a path of Unicode components; the empty path is INBOX.
public struct FolderPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var components: [String]

    public init(_ components: [String]) { self.components = components }

    public static let inbox = FolderPath([])
    public var isInbox: Bool { components.isEmpty }
    public var parent: FolderPath? { isInbox ? nil : FolderPath(Array(components.dropLast())) }
    public var name: String { components.last ?? "INBOX" }

    /// "INBOX" or the components joined with "/" (for logs and messages).
    public var description: String { isInbox ? "INBOX" : components.joined(separator: "/") }

    public func isAncestor(of other: FolderPath) -> Bool {
        other.components.count > components.count && Array(other.components.prefix(components.count)) == components
    }

    public static func < (a: FolderPath, b: FolderPath) -> Bool {
        if a.isInbox != b.isInbox { return a.isInbox }
        return a.components.lexicographicallyPrecedes(b.components)
    }
}

/// The system flags of RFC 3501 §2.3.2 (\Recent is not among them: see `FolderSnapshot.recent`).
public struct SystemFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let seen = SystemFlags(rawValue: 1 << 0)
    public static let answered = SystemFlags(rawValue: 1 << 1)
    public static let flagged = SystemFlags(rawValue: 1 << 2)
    public static let deleted = SystemFlags(rawValue: 1 << 3)
    public static let draft = SystemFlags(rawValue: 1 << 4)
    // $Forwarded is a keyword (a letter in dovecot-keywords), as in Dovecot. Maildir's own P
    // ("passed", set by mutt) is kept on the file through flag changes but not shown, as Dovecot does.
}

/// One message as a folder listing shows it.
public struct MessageInfo: Sendable, Equatable {
    public var uid: UInt32
    public var flags: SystemFlags
    /// Keyword names, sorted, as clients set them (case preserved from the first use).
    public var keywords: [String]
    /// RFC822.SIZE: the size with CRLF line ends.
    public var size: Int64
    /// The internal date (RFC 3501 §2.3.3), seconds since 1970.
    public var internalDate: Int64
    /// CONDSTORE mod-sequence of the last change to this message (RFC 7162 §3.1.1).
    public var modSeq: UInt64
    /// The save date (RFC 8514): when the message was saved into this folder (APPEND, COPY,
    /// MOVE, delivery), seconds since 1970; nil when the backend does not know it.
    public var saveDate: Int64?
    /// The message's GUID: the same for the life of the message and kept by COPY and MOVE
    /// (RFC 8474 §5.1 EMAILID is made from it); unique among the user's messages otherwise.
    /// Maildir: Dovecot's maildir GUID (the dovecot-uidlist record's `G`, else the base name).
    public var guid: String

    public init(uid: UInt32, flags: SystemFlags, keywords: [String], size: Int64, internalDate: Int64, modSeq: UInt64,
                saveDate: Int64? = nil, guid: String = "") {
        self.uid = uid
        self.flags = flags
        self.keywords = keywords
        self.size = size
        self.internalDate = internalDate
        self.modSeq = modSeq
        self.saveDate = saveDate
        self.guid = guid
    }
}

/// The state of a folder after a sync.
public struct FolderSnapshot: Sendable, Equatable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    /// Messages in increasing UID order.
    public var messages: [MessageInfo]
    /// IMAP \Recent. After `open(_:claimRecent: true)`: the messages this open claimed (no
    /// later open sees them as recent). After `claimRecent: false`: every message no session
    /// has claimed yet (still unclaimed).
    public var recent: Set<UInt32>

    public init(uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, messages: [MessageInfo], recent: Set<UInt32> = []) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.messages = messages
        self.recent = recent
    }
}

extension FolderSnapshot {
    public var version: FolderVersion {
        FolderVersion(uidValidity: uidValidity, uidNext: uidNext, highestModSeq: highestModSeq, messages: messages.count)
    }
}

/// What changes whenever anything a listing shows changes: a new message raises UIDNEXT and
/// the highest MODSEQ, a flag change or an expunge raises the highest MODSEQ (RFC 7162 §3.1.2.1
/// does not require that for expunges; both backends do it). A session that holds the version
/// of its last snapshot can ask for the next one only if something changed.
public struct FolderVersion: Sendable, Hashable {
    public var uidValidity: UInt32
    public var uidNext: UInt32
    public var highestModSeq: UInt64
    public var messages: Int

    public init(uidValidity: UInt32, uidNext: UInt32, highestModSeq: UInt64, messages: Int) {
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.messages = messages
    }
}

/// STATUS items (RFC 3501 §6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE).
public struct FolderStatus: Sendable, Equatable {
    public var messages: Int
    public var unseen: Int
    /// Messages no session has claimed as \Recent yet (counting claims none).
    public var recent: Int
    public var uidNext: UInt32
    public var uidValidity: UInt32
    public var highestModSeq: UInt64
    public var size: Int64
}

/// One folder in a listing.
public struct FolderInfo: Sendable, Equatable {
    public enum SpecialUse: String, Sendable {
        case sent = "\\Sent", drafts = "\\Drafts", junk = "\\Junk", trash = "\\Trash", archive = "\\Archive"
    }
    public var path: FolderPath
    public var subscribed: Bool
    /// False for a name that exists only as the parent of another folder (\Noselect / \NonExistent).
    public var exists: Bool
    public var hasChildren: Bool
    public var specialUse: SpecialUse?

    public init(path: FolderPath, subscribed: Bool, exists: Bool, hasChildren: Bool, specialUse: SpecialUse?) {
        self.path = path
        self.subscribed = subscribed
        self.exists = exists
        self.hasChildren = hasChildren
        self.specialUse = specialUse
    }
}

public enum FlagChange: Sendable, Equatable {
    case add, remove, replace
}

/// The result of STORE: what changed, and what was left alone because it was modified after
/// UNCHANGEDSINCE (RFC 7162 §3.1.3).
public struct FlagUpdate: Sendable, Equatable {
    public var updated: [MessageInfo]
    public var modifiedSince: [UInt32]
    /// The folder's version just before and just after this change (nil: not known). A session
    /// whose view was at `versionBefore` knows everything at `versionAfter` once it has taken in
    /// `updated`, and needs no new listing for it.
    public var versionBefore: FolderVersion? = nil
    public var versionAfter: FolderVersion? = nil
}

/// APPENDUID / COPYUID data (RFC 4315).
public struct AppendResult: Sendable, Equatable {
    public var uidValidity: UInt32
    public var uid: UInt32
}

public struct CopyResult: Sendable, Equatable {
    public var uidValidity: UInt32
    /// (source UID, destination UID) pairs in source order.
    public var mapping: [(source: UInt32, destination: UInt32)]

    public static func == (a: CopyResult, b: CopyResult) -> Bool {
        a.uidValidity == b.uidValidity && a.mapping.elementsEqual(b.mapping) { $0 == $1 }
    }
}

/// Quota limits and use (Maildir++ `maildirsize`; RFC 9208 resources).
public struct QuotaLimits: Sendable, Equatable {
    /// nil: unlimited.
    public var bytes: Int64?
    public var messages: Int64?
    public static let unlimited = QuotaLimits(bytes: nil, messages: nil)
    public init(bytes: Int64?, messages: Int64?) {
        self.bytes = bytes
        self.messages = messages
    }
}

public struct QuotaUsage: Sendable, Equatable {
    public var limits: QuotaLimits
    public var bytes: Int64
    public var messages: Int64
}

/// Storage errors, each temporary (try again later) or permanent.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    case folderNotFound(FolderPath)
    case folderExists(FolderPath)
    case invalidFolderName(String)
    case cannotDeleteInbox
    case invalidKeyword(String)
    case tooManyKeywords
    /// The mailbox is over its quota (RFC 9208 OVERQUOTA; SMTP 552 5.2.2 or 452 4.2.2).
    case overQuota(QuotaUsage)
    /// Disk full or file-system quota: temporary (SMTP 452 4.3.1).
    case noSpace(String)
    /// The UID list lock is held by another process for longer than the lock timeout.
    case lockTimeout(String)
    case io(String)

    public var isTemporary: Bool {
        switch self {
        case .noSpace, .lockTimeout, .io: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .folderNotFound(let p): "no such folder: \(p)"
        case .folderExists(let p): "folder already exists: \(p)"
        case .invalidFolderName(let why): "invalid folder name: \(why)"
        case .cannotDeleteInbox: "INBOX cannot be deleted"
        case .invalidKeyword(let k): "invalid keyword '\(k)'"
        case .tooManyKeywords: "too many keywords in this folder (Maildir allows 26)"
        case .overQuota(let u):
            "mailbox is over quota (\(u.bytes) bytes / \(u.limits.bytes.map(String.init) ?? "unlimited"), "
                + "\(u.messages) messages / \(u.limits.messages.map(String.init) ?? "unlimited"))"
        case .noSpace(let m): "no space left: \(m)"
        case .lockTimeout(let m): "folder is locked: \(m)"
        case .io(let m): "storage I/O error: \(m)"
        }
    }
}

/// A registration for change notifications; notifications stop when it is cancelled or released.
public protocol ChangeObservation: AnyObject, Sendable {
    func cancel()
}

/// One user's mail: the protocol every backend implements.
public protocol MailStorage: Sendable {
    // Folders
    func listFolders() throws(StorageError) -> [FolderInfo]
    func createFolder(_ path: FolderPath) throws(StorageError)
    /// Renames a folder and its children. Renaming INBOX moves its messages into the new folder
    /// and leaves INBOX empty (RFC 3501 §6.3.5).
    func renameFolder(_ path: FolderPath, to newPath: FolderPath) throws(StorageError)
    func deleteFolder(_ path: FolderPath) throws(StorageError)
    func setSubscribed(_ path: FolderPath, _ subscribed: Bool) throws(StorageError)
    /// Every subscribed name, whether the folder exists or not (IMAP LSUB and
    /// LIST (SUBSCRIBED) show both; RFC 5258 §3.1 \NonExistent).
    func subscribedFolders() throws(StorageError) -> [FolderPath]
    /// The folder's GUID (RFC 8474 MAILBOXID is made from it): the same for the folder's life,
    /// through RENAME; a folder deleted and created again gets a new one.
    func mailboxGUID(_ path: FolderPath) throws(StorageError) -> String

    // Messages
    /// Brings the folder up to date with the files (and other writers) and returns its state.
    /// `claimRecent`: true for a read-write session's opens (SELECT and every later sync of the
    /// selected folder, POP3 at login), which take the unclaimed messages as their \Recent;
    /// false for EXAMINE, tools and internal syncs, which see them but leave them unclaimed.
    func open(_ path: FolderPath, claimRecent: Bool) throws(StorageError) -> FolderSnapshot
    /// The same sync as `open`, but nil (no listing built) when the folder is still at `known`
    /// and this open claimed no \Recent message: what a selected session asks after every
    /// command.
    func open(_ path: FolderPath, claimRecent: Bool, unlessAt known: FolderVersion) throws(StorageError) -> FolderSnapshot?
    /// STATUS items; `recent` counts unclaimed messages without claiming them.
    func status(_ path: FolderPath) throws(StorageError) -> FolderStatus
    /// The message's bytes exactly as stored; nil when the UID is not (or no longer) there.
    func fetch(_ path: FolderPath, uid: UInt32) throws(StorageError) -> [UInt8]?
    func append(_ path: FolderPath, message: [UInt8], flags: SystemFlags, keywords: [String],
                internalDate: Int64?) throws(StorageError) -> AppendResult
    func setFlags(_ path: FolderPath, uids: [UInt32], _ change: FlagChange, flags: SystemFlags,
                  keywords: [String], unchangedSince: UInt64?) throws(StorageError) -> FlagUpdate
    func copy(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult
    func move(_ path: FolderPath, uids: [UInt32], to destination: FolderPath) throws(StorageError) -> CopyResult
    /// Removes the messages; returns the UIDs that were removed.
    func expunge(_ path: FolderPath, uids: [UInt32]) throws(StorageError) -> [UInt32]

    // Cached data (envelope, body structure): rebuildable, may be dropped at any time.
    func cachedField(_ path: FolderPath, uid: UInt32, field: String) -> [UInt8]?
    func setCachedField(_ path: FolderPath, uid: UInt32, field: String, value: [UInt8])

    func quota() throws(StorageError) -> QuotaUsage

    /// Calls `handler` (on some thread) soon after the folder may have changed, whether by this
    /// process or another; the handler then calls `open` to learn what changed.
    func observe(_ path: FolderPath, handler: @escaping @Sendable () -> Void) throws(StorageError) -> any ChangeObservation
}

extension MailStorage {
    public func open(_ path: FolderPath, claimRecent: Bool, unlessAt known: FolderVersion) throws(StorageError) -> FolderSnapshot? {
        let snapshot = try open(path, claimRecent: claimRecent)
        return snapshot.version == known && (!claimRecent || snapshot.recent.isEmpty) ? nil : snapshot
    }

    /// A read-write session's open: claims \Recent (`open(path, claimRecent: true)`).
    public func open(_ path: FolderPath) throws(StorageError) -> FolderSnapshot {
        try open(path, claimRecent: true)
    }

    /// The messages' UIDs, a convenience for tests and tools (claims nothing).
    public func uids(_ path: FolderPath) throws(StorageError) -> [UInt32] {
        try open(path, claimRecent: false).messages.map(\.uid)
    }
}
