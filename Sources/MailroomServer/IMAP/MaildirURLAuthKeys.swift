// MaildirURLAuthKeys — URLAUTH mailbox access keys (RFC 4467 §2.2) kept in the user's Maildir:
// one file per folder, `mailroom-urlauth-key` in the folder's directory (the Maildir itself for
// INBOX, ".Sent" for Sent, …), holding the key as 64 hex digits and a newline, mode 0600.
//
// Why there: the key belongs to one user's mailbox, so it lives with it — RENAME takes it along
// (URLs name the mailbox, so they fail after a rename anyway), DELETE removes it, a backup or
// a move of the Maildir carries it, and a user removed from the store takes their keys along.
// Maildir readers ignore files outside cur/new/tmp, and the name does not start with ".",
// so no Maildir++ tool takes it for a folder. Dovecot keeps its keys in mailbox metadata
// instead; moving from Dovecot means every old URLAUTH URL fails (as after RESETKEY).
//
// Durability, as the Maildir code writes its own files (style.md §12): the key is written to
// a temporary file in the same directory, fsync'ed, then link(2)ed to the final name — which
// fails when another session made a key meanwhile, whose key is then used (so two concurrent
// first GENURLAUTHs agree) — then the directory is fsync'ed. Removal (RESETKEY) is unlink(2)
// and a directory fsync.
//
// Security: files are created 0600 with O_EXCL and read with O_NOFOLLOW; a key file that is
// not exactly a key (wrong length, not hex) counts as no key, so URLs fail closed and the next
// GENURLAUTH replaces it. The key never appears in a log.

import Foundation
import MailroomIMAP
import MailroomMaildir

struct MaildirURLAuthKeys: URLAuthKeyStore {
    static let fileName = "mailroom-urlauth-key"
    let root: String

    /// `root`: the user's Maildir (MaildirStorage.root).
    init(root: String) {
        self.root = root
    }

    func directory(for path: FolderPath) throws(StorageError) -> String {
        try MaildirStorage.folderDirectory(root: root, path: path)
    }

    func key(for path: FolderPath, create: Bool) throws(StorageError) -> [UInt8]? {
        let directory = try directory(for: path)
        let file = "\(directory)/\(Self.fileName)"
        if let key = Self.read(file) { return key }
        guard create else { return nil }
        _ = try MaildirStorage.existingFolderDirectory(root: root, path: path)
        let key = URLAuthToken.newKey()
        let temporary = "\(directory)/\(Self.fileName).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try Self.write(Array((URLAuthToken.hex(key) + "\n").utf8), to: temporary)
        defer { unlink(temporary) }
        if link(temporary, file) == 0 {
            try MaildirFiles.syncDirectory(directory)
            return key
        }
        let error = errno
        guard error == EEXIST else { throw .io("link \(file): \(String(cString: strerror(error)))") }
        // Another session made the key meanwhile: use theirs.
        if let existing = Self.read(file) { return existing }
        // A file that is not a key is in the way: replace it (rename is atomic for readers).
        guard rename(temporary, file) == 0 else { throw .io("rename \(file): \(String(cString: strerror(errno)))") }
        try MaildirFiles.syncDirectory(directory)
        return key
    }

    func removeKey(for path: FolderPath) throws(StorageError) {
        let directory = try directory(for: path)
        guard unlink("\(directory)/\(Self.fileName)") == 0 else {
            if errno == ENOENT { return }
            throw .io("unlink \(directory)/\(Self.fileName): \(String(cString: strerror(errno)))")
        }
        try MaildirFiles.syncDirectory(directory)
    }

    // MARK: Files

    /// The key in `file`, nil when there is none or it is not a well-formed key.
    static func read(_ file: String) -> [UInt8]? {
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: URLAuthLimits.keyBytes * 2 + 2)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count == URLAuthLimits.keyBytes * 2 + 1, buffer[count - 1] == UInt8(ascii: "\n") else { return nil }
        var key: [UInt8] = []
        key.reserveCapacity(URLAuthLimits.keyBytes)
        var i = 0
        while i < count - 1 {
            guard let high = hexValue(buffer[i]), let low = hexValue(buffer[i + 1]) else { return nil }
            key.append(high << 4 | low)
            i += 2
        }
        return key
    }

    static func write(_ bytes: [UInt8], to file: String) throws(StorageError) {
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("create \(file): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            unlink(file)
            throw .io("write \(file): \(String(cString: strerror(errno)))")
        }
    }


    static func hexValue(_ octet: UInt8) -> UInt8? {
        switch octet {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): octet - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): octet - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
