// MaildirMetadataStore — METADATA entries (RFC 5464) kept in the user's Maildir: a mailbox's
// in `mailroom-metadata` in the folder's directory (the Maildir itself for INBOX, ".Sent" for
// Sent, …), the server's (GETMETADATA "") in `mailroom-server-metadata` in the Maildir root.
// Both in MetadataFile's version 1 format (Mailbox/MetadataStore.swift, docs/storage-layout.md).
//
// Why there: the entries belong to one user's mailbox, so they live with it — RENAME takes
// them along (children too: their directories move), DELETE removes them, a backup or a move
// of the Maildir carries them, and a user removed from the store takes them along. Maildir
// readers ignore files outside cur/new/tmp, and the names do not start with ".", so no
// Maildir++ tool takes them for folders. Dovecot keeps the same data in its own attribute
// dictionaries; moving from Dovecot loses METADATA entries (they are rarely more than a comment).
//
// Durability and concurrency, as the Maildir code writes its own files (style.md §12): an
// update holds an exclusive flock(2) on the folder's directory (so two sessions' changes never
// overwrite each other; nothing else in Mailroom flocks a directory), reads the file, applies
// the change, writes the result to a temporary name in the same directory, fsyncs it, renames
// it over the file and fsyncs the directory. A crash leaves the old file or the new one, and at
// worst a `mailroom-metadata.tmp-<pid>-<random>` file that nothing reads (XXX: such leftovers
// are not swept; they are rare and a few KiB at most).
// An update that leaves no entries unlinks the file.
//
// Security: files are created 0600 with O_EXCL and read with O_NOFOLLOW, at most
// `maximumFileBytes`; a file that does not decode is an error (NO [SERVERBUG]), never read
// as "no entries" and then overwritten.

import Foundation
import MailroomIMAP
import MailroomMaildir

struct MaildirMetadataStore: MetadataStore {
    static let mailboxFileName = "mailroom-metadata"
    static let serverFileName = "mailroom-server-metadata"
    /// Larger than any file the limits allow (entries × (name + value + lengths)); a bigger
    /// file is damaged or not ours.
    static let maximumFileBytes = 4 << 20
    let root: String

    /// `root`: the user's Maildir (MaildirStorage.root).
    init(root: String) {
        self.root = root
    }

    /// The directory and file of `target`; a mailbox whose folder is missing is folderNotFound.
    func location(_ target: MetadataTarget) throws(StorageError) -> (directory: String, file: String) {
        switch target {
        case .server:
            return (root, "\(root)/\(Self.serverFileName)")
        case .mailbox(let path):
            let directory = try MaildirStorage.existingFolderDirectory(root: root, path: path)
            return (directory, "\(directory)/\(Self.mailboxFileName)")
        }
    }

    func entries(of target: MetadataTarget) throws(StorageError) -> MetadataEntries {
        try Self.read(try location(target).file)
    }

    func update(_ target: MetadataTarget, _ change: (inout MetadataEntries) throws -> Void) throws {
        let (directory, file) = try location(target)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError.io("open \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }   // releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StorageError.io("flock \(directory): \(String(cString: strerror(errno)))") }
        }
        let before = try Self.read(file)
        var entries = before
        try change(&entries)
        guard entries != before else { return }
        if entries.isEmpty {
            guard unlink(file) == 0 || errno == ENOENT else {
                throw StorageError.io("unlink \(file): \(String(cString: strerror(errno)))")
            }
            try MaildirFiles.syncDirectory(directory)
        } else {
            try MaildirFiles.replace(file, with: MetadataFile.encode(entries))
        }
    }

    /// Nothing to do: the entries are in the folder's directory, which the rename moved.
    func mailboxRenamed(from: FolderPath, to: FolderPath) throws(StorageError) {}

    /// Nothing to do: the delete removed the folder's directory with the file in it.
    func mailboxDeleted(_ path: FolderPath) throws(StorageError) {}

    // MARK: Files

    /// The entries in `file`; none when it does not exist.
    static func read(_ file: String) throws(StorageError) -> MetadataEntries {
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [:] }
            throw .io("open \(file): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("read \(file): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= maximumFileBytes else { throw .io("\(file) is larger than \(maximumFileBytes) octets") }
        }
        do {
            return try MetadataFile.decode(bytes)
        } catch {
            throw .io("damaged metadata file \(file): \(error.description)")
        }
    }
}
