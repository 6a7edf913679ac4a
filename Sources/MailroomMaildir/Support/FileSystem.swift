// FileSystem — the few POSIX calls the Maildir engine needs, with errno turned into typed
// errors: whole-file reads, atomic replace (write a temporary, fsync, rename, fsync the
// directory), directory listings and stat stamps with nanoseconds.
//
// Security: every file is created mode 0600 with O_EXCL|O_NOFOLLOW where it is new; listings
// return names only, and callers validate them before building paths.

#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation, the path and errno.
struct FileSystemError: Error, Sendable, CustomStringConvertible {
    let operation: String
    let path: String
    let code: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    var isMissing: Bool { code == ENOENT || code == ENOTDIR }
    var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
}

/// What identifies one version of a file or directory: if none of these changed, its content
/// did not change (short of clock games, handled by `FileStamp.isSettled`).
struct FileStamp: Sendable, Equatable, Codable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var mtimeNanoseconds: Int64

    static let absent = FileStamp(device: 0, inode: 0, size: -1, mtimeNanoseconds: 0)

    /// True when the modification is older than `window` nanoseconds before `now`: a later change
    /// in the same clock tick can no longer hide behind an unchanged mtime.
    func isSettled(now: Int64, window: Int64) -> Bool { now - mtimeNanoseconds > window }
}

enum FileSystem {
    static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// The stamp of `path`, or `.absent` when it does not exist.
    static func stamp(_ path: String) throws(FileSystemError) -> FileStamp {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return .absent }
            throw FileSystemError(operation: "stat", path: path, code: errno)
        }
        return FileStamp(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                         mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether a path given as raw bytes (possibly not UTF-8) is a directory.
    static func isDirectory(rawPath: [UInt8]) -> Bool {
        var path = rawPath + [0]
        var st = stat()
        return path.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { stat($0, &st) == 0 }
        } && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The whole file, or nil when it does not exist.
    static func read(_ path: String, from offset: Int = 0, limit: Int = Int.max) throws(FileSystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError(operation: "open", path: path, code: errno)
        }
        defer { close(fd) }
        var st = stat()
        _ = fstat(fd, &st)
        if offset > 0, lseek(fd, off_t(offset), SEEK_SET) < 0 {
            throw FileSystemError(operation: "lseek", path: path, code: errno)
        }
        // Straight into the result, sized by fstat: one read for a file whose size held, and
        // no zeroed buffer in between (SEARCH and FETCH read every message this way).
        let expected = min(max(0, Int(st.st_size) - offset), limit)
        var failure: Int32 = 0
        var out = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            while count < expected {
                let n = Glibc.read(fd, base + count, expected - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                count += n
            }
        }
        if failure != 0 { throw FileSystemError(operation: "read", path: path, code: failure) }
        // A file that grew after the fstat: the rest, in chunks, up to the limit.
        guard out.count == expected, out.count < limit else { return out }
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1 << 16) { (chunk) throws(FileSystemError) in
            while out.count < limit {
                let n = Glibc.read(fd, chunk.baseAddress!, chunk.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError(operation: "read", path: path, code: errno)
                }
                if n == 0 { break }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[0..<min(n, limit - out.count)]))
            }
        }
        return out
    }

    static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>, path: String) throws(FileSystemError) {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let n = array.withUnsafeBytes { write(fd, $0.baseAddress! + offset, array.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "write", path: path, code: errno)
            }
            offset += n
        }
    }

    /// Replaces `path` with `bytes` atomically: a temporary beside it, written, optionally
    /// fsynced, renamed over `path`, and the directory fsynced when `durable`.
    static func replace(_ path: String, with bytes: [UInt8], durable: Bool) throws(FileSystemError) {
        let tmp = "\(path).tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError(operation: "create", path: tmp, code: errno) }
        do throws(FileSystemError) {
            try writeAll(fd, bytes, path: tmp)
            if durable, fsync(fd) != 0 { throw FileSystemError(operation: "fsync", path: tmp, code: errno) }
            guard close(fd) == 0 else { throw FileSystemError(operation: "close", path: tmp, code: errno) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard rename(tmp, path) == 0 else {
            let code = errno
            unlink(tmp)
            throw FileSystemError(operation: "rename", path: path, code: code)
        }
        if durable { try syncDirectory(parent(of: path)) }
    }

    static func syncDirectory(_ path: String) throws(FileSystemError) {
        let dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw FileSystemError(operation: "open", path: path, code: errno) }
        defer { close(dir) }
        guard fsync(dir) == 0 else { throw FileSystemError(operation: "fsync", path: path, code: errno) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The names in a directory, without "." and ".."; nil when it does not exist.
    static func list(_ path: String) throws(FileSystemError) -> [String]? {
        try rawEntries(path)?.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The raw bytes of the names in a directory (for names that are not valid UTF-8); empty
    /// when it cannot be read.
    static func listRaw(_ path: String) -> [[UInt8]] {
        ((try? rawEntries(path)) ?? nil) ?? []
    }

    private static func rawEntries(_ path: String) throws(FileSystemError) -> [[UInt8]]? {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError(operation: "opendir", path: path, code: errno)
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                return Array(bytes[0..<(bytes.firstIndex(of: 0) ?? bytes.count)])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        return names
    }

    static func makeDirectory(_ path: String) throws(FileSystemError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw FileSystemError(operation: "mkdir", path: path, code: errno)
        }
    }

    /// Removes a directory tree (no symlinks are followed: they are unlinked).
    static func removeTree(_ path: String) throws(FileSystemError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw FileSystemError(operation: "lstat", path: path, code: errno)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in listRaw(path) {
                let child = path + "/" + String(decoding: name, as: UTF8.self)
                if String(decoding: name, as: UTF8.self).utf8.elementsEqual(name) {
                    try removeTree(child)
                } else {
                    // A name that is not UTF-8: remove it through its raw bytes.
                    var raw = Array(path.utf8) + [0x2F] + name + [0]
                    let ok = raw.withUnsafeMutableBufferPointer { buf in
                        buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                            unlink($0) == 0 || rmdir($0) == 0
                        }
                    }
                    if !ok { throw FileSystemError(operation: "unlink", path: child, code: errno) }
                }
            }
            guard rmdir(path) == 0 else { throw FileSystemError(operation: "rmdir", path: path, code: errno) }
        } else {
            guard unlink(path) == 0 else { throw FileSystemError(operation: "unlink", path: path, code: errno) }
        }
    }
}
