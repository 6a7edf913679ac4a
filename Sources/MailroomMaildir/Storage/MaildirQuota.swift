// MaildirQuota — a mailbox's use against its limits, kept in the Maildir++ `maildirsize` file
// in the Maildir root (Courier's maildirquota; Dovecot's "maildir" quota backend reads and
// writes the same file).
//
// The first line holds the limits; each delivery or removal appends one "bytes count" line with
// a single O_APPEND write, so concurrent writers never interleave partial lines. The totals are
// recalculated from the folders (sizes from the S= field of each name, else stat) when the file
// is missing, damaged, larger than 5120 bytes, older than 15 minutes while over quota
// (Courier's rule, so deleted mail frees space promptly), or its limits differ from the account's.
// Limits come from the account store (users.quota_bytes / quota_messages) via MaildirOptions.

#if canImport(Glibc)
import Glibc
#endif

struct MaildirQuota {
    let root: String
    let limits: QuotaLimits

    var path: String { "\(root)/\(MaildirSize.fileName)" }

    private var sizeLimits: MaildirSize.Limits { .init(bytes: limits.bytes, messages: limits.messages) }

    /// The current use, recalculating the file when it cannot be trusted.
    func usage() throws(StorageError) -> QuotaUsage {
        if let current = try? read(), !current.needsRecalculation, current.limits == sizeLimits {
            let usage = QuotaUsage(limits: limits, bytes: current.usedBytes, messages: current.usedMessages)
            let stale: Bool = {
                guard isOver(usage, addingBytes: 0, addingMessages: 0), let stamp = try? FileSystem.stamp(path) else { return false }
                return FileSystem.nowNanoseconds() - stamp.mtimeNanoseconds > MaildirSize.staleAfterSeconds * 1_000_000_000
            }()
            if !stale { return usage }
        }
        return try recalculate()
    }

    /// Throws `.overQuota` if adding a message of `bytes` would exceed a limit.
    func check(addingBytes bytes: Int64, addingMessages messages: Int64 = 1) throws(StorageError) {
        guard limits != .unlimited else { return }
        let usage = try usage()
        if isOver(usage, addingBytes: bytes, addingMessages: messages) { throw .overQuota(usage) }
    }

    func isOver(_ usage: QuotaUsage, addingBytes bytes: Int64, addingMessages messages: Int64) -> Bool {
        if let max = limits.bytes, usage.bytes + bytes > max { return true }
        if let max = limits.messages, usage.messages + messages > max { return true }
        return false
    }

    /// Records a change; a missing file is left for the next recalculation.
    func add(bytes: Int64, messages: Int64) {
        guard bytes != 0 || messages != 0, FileSystem.exists(path) else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        try? FileSystem.writeAll(fd, Array(MaildirSize.deltaLine(bytes: bytes, messages: messages).utf8), path: path)
    }

    private func read() throws -> MaildirSize? {
        guard let bytes = try FileSystem.read(path, limit: 1 << 20) else { return nil }
        return try MaildirSize.parse(bytes: bytes)
    }

    /// Sums every folder and rewrites the file.
    @discardableResult
    func recalculate() throws(StorageError) -> QuotaUsage {
        var bytes: Int64 = 0
        var messages: Int64 = 0
        var folders = [root]
        for name in (try? FileSystem.list(root)) ?? [] where MaildirFolderName.isMaildirPlusPlusFolder(directoryName: name) {
            folders.append("\(root)/\(name)")
        }
        for folder in folders {
            for sub in ["cur", "new"] {
                let dir = "\(folder)/\(sub)"
                for name in (try? FileSystem.list(dir)) ?? [] where !name.hasPrefix(".") {
                    if let size = (try? MaildirFileName.parse(name))?.size {
                        bytes += size
                    } else {
                        var st = stat()
                        guard stat("\(dir)/\(name)", &st) == 0 else { continue }
                        bytes += Int64(st.st_size)
                    }
                    messages += 1
                }
            }
        }
        let text = MaildirSize.fileContents(limits: sizeLimits, bytes: bytes, messages: messages)
        do {
            try FileSystem.replace(path, with: Array(text.utf8), durable: false)
        } catch {
            if error.isNoSpace { throw .noSpace(error.description) }
            if !error.isMissing { throw .io(error.description) }
        }
        return QuotaUsage(limits: limits, bytes: bytes, messages: messages)
    }
}
