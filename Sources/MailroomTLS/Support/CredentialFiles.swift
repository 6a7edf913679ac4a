// CredentialFiles — the file system work behind TLS credentials: bounded reads of PEM files,
// crash-safe writes of the self-signed pair, the directory that holds it, and a lock so two
// processes starting together do not interleave their writes.
//
// Durability: a file is written as a temporary file in the same directory (O_EXCL, final
// mode from the start), fsync'd, renamed over the final name (the commit point: readers see
// the old file or the new one, never half of one), and the directory is fsync'd so that the
// rename survives a power cut. Same order as style rule 10 and notqmail's qmail-queue.
//
// Security: the key's temporary file is created with mode 0600 (and fchmod'd again, whatever
// the umask) before a byte is written, so the key is never readable by others even for a
// moment. New directories are made mode 0700. Reads are capped at a size (a PEM file is a
// few kilobytes), so a configured path to /dev/zero or a huge file cannot exhaust memory.
// Errors carry strerror text and paths, never file contents.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct FileProblem: Error {
    enum Kind { case missing, unreadable, tooLarge, cannotWrite }
    let kind: Kind
    let reason: String

    static func system(_ kind: Kind, _ what: String) -> FileProblem {
        FileProblem(kind: kind, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}

enum CredentialFiles {
    /// Whole contents of a regular file of at most `limit` bytes.
    static func contents(of path: String, limit: Int) throws(FileProblem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT ? FileProblem(kind: .missing, reason: "no such file") : .system(.unreadable, "open")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(.unreadable, "fstat") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw FileProblem(kind: .unreadable, reason: "not a regular file") }
        guard Int(info.st_size) <= limit else { throw FileProblem(kind: .tooLarge, reason: "larger than \(limit) bytes") }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(.unreadable, "read")
            }
            if count == 0 { break }
            result += buffer[0..<count]
            // The file may grow between fstat and read.
            guard result.count <= limit else { throw FileProblem(kind: .tooLarge, reason: "larger than \(limit) bytes") }
        }
        return result
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Permission bits of a file (following symbolic links), or nil when it cannot be stat'd.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Makes the directory and missing parents, new ones mode 0700.
    static func makeDirectory(_ path: String) throws(FileProblem) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw FileProblem(kind: .cannotWrite, reason: "exists and is not a directory") }
            return
        }
        let parent = directory(of: path)
        if parent != path && !parent.isEmpty { try makeDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .system(.cannotWrite, "mkdir") }
    }

    /// "a/b/c" → "a/b"; "c" → "."; "/c" → "/".
    static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let head = trimmed[..<slash]
        return head.isEmpty ? "/" : String(head)
    }

    /// tmp (O_EXCL, `mode`) → write → fsync → rename → fsync directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws(FileProblem) {
        var random = SystemRandomNumberGenerator()
        let temporary = "\(path).tmp.\(getpid()).\(random.next() & 0xFFFF_FFFF)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system(.cannotWrite, "create \(temporary)") }
        var committed = false
        defer { if !committed { unlink(temporary) } }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw .system(.cannotWrite, "fchmod") }  // umask may have cleared bits we want; never adds any
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw .system(.cannotWrite, "write")
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw .system(.cannotWrite, "fsync") }
        }
        guard rename(temporary, path) == 0 else { throw .system(.cannotWrite, "rename") }
        committed = true
        try syncDirectory(directory(of: path))
    }

    static func syncDirectory(_ path: String) throws(FileProblem) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(.cannotWrite, "open directory") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system(.cannotWrite, "fsync directory") }
    }

    /// Runs `body` holding an exclusive flock(2) on `path` (created mode 0600 if missing).
    static func withLock<T>(_ path: String, _ body: () throws(TLSCredentialsError) -> T) throws(TLSCredentialsError) -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw TLSCredentialsError(field: TLSServerContext.selfSignedDirectoryField, path: path,
                                      problem: .cannotWrite(reason: "open lock file: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }  // closing releases the lock
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw TLSCredentialsError(field: TLSServerContext.selfSignedDirectoryField, path: path,
                                          problem: .cannotWrite(reason: "flock: \(String(cString: strerror(errno)))"))
            }
        }
        return try body()
    }
}
