// MaildirFiles — the durable file writes of the Maildir engine, for other modules that keep
// files of their own beside a folder's messages (the IMAP server's URLAUTH keys and METADATA
// entries), so they are written the same crash-safe way.
//
// Public API:
//   MaildirFiles.replace(_ path: String, with bytes: [UInt8]) throws(StorageError)
//       a temporary beside `path` (mode 0600, O_EXCL, no symlink followed), written, fsynced,
//       renamed over `path`, and the directory fsynced
//   MaildirFiles.syncDirectory(_ path: String) throws(StorageError)
//
// Errors: ENOSPC and EDQUOT are StorageError.noSpace, anything else .io.

public enum MaildirFiles {
    public static func replace(_ path: String, with bytes: [UInt8]) throws(StorageError) {
        do throws(FileSystemError) { try FileSystem.replace(path, with: bytes, durable: true) } catch { throw MaildirFolder.map(error) }
    }

    public static func syncDirectory(_ path: String) throws(StorageError) {
        try MaildirFolder.syncDirectory(path)
    }
}
