// MaildirLayout — where a user's mail lives, and creating or retiring that tree.
//
// Layout (docs/storage-layout.md): <volume>/<shard>/<domain>/<user>/Maildir, where <shard> is
// the first two hex digits of SHA-256 of the domain's ASCII (punycode) name — 256 shard
// directories, so 100,000 domains put about 400 entries in each, and an administrator can
// compute it with `printf %s example.com | sha256sum | cut -c1-2`. The user directory is the
// lowercased local part (UTF-8, as written in the address).
//
// A new mailbox gets cur/new/tmp (qmail's maildir(5)) and the Maildir++ folders .Sent,
// .Drafts, .Junk and .Trash, each with its own cur/new/tmp and a `maildirfolder` marker, and a
// `subscriptions` file listing them (Dovecot's format).
// Security: directories are created mode 0700 and files 0600 — mail is private. Path parts come
// from validated DomainName/LocalPart values, which cannot contain '/' or be '.' or '..'.

import Crypto
import Foundation
import MailroomCore

public struct MaildirLayout: Sendable {
    public static let defaultFolders = ["Sent", "Drafts", "Junk", "Trash"]

    public static func shard(of domain: DomainName) -> String {
        let first = Array(SHA256.hash(data: Array(domain.ascii.utf8)))[0]
        let hex = Array("0123456789abcdef")
        return String([hex[Int(first >> 4)], hex[Int(first & 0xf)]])
    }

    /// <volume>/<shard>/<domain>
    public static func domainDirectory(volume: String, domain: DomainName) -> String {
        "\(volume)/\(shard(of: domain))/\(domain.ascii)"
    }

    /// <volume>/<shard>/<domain>/<user>
    public static func userDirectory(volume: String, address: EmailAddress) -> String {
        "\(domainDirectory(volume: volume, domain: address.domain))/\(address.localPart.value)"
    }

    /// <volume>/<shard>/<domain>/<user>/Maildir
    public static func maildir(volume: String, address: EmailAddress) -> String {
        "\(userDirectory(volume: volume, address: address))/Maildir"
    }

    /// Creates the Maildir with its default folders; existing parts are left as they are.
    @discardableResult
    public static func createMailbox(volume: String, address: EmailAddress) throws -> String {
        let root = maildir(volume: volume, address: address)
        let fm = FileManager.default
        let attributes: [FileAttributeKey: Any] = [.posixPermissions: 0o700]
        for sub in ["cur", "new", "tmp"] {
            try fm.createDirectory(atPath: "\(root)/\(sub)", withIntermediateDirectories: true, attributes: attributes)
        }
        for folder in defaultFolders {
            let dir = "\(root)/.\(folder)"
            for sub in ["cur", "new", "tmp"] {
                try fm.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true, attributes: attributes)
            }
            if !fm.fileExists(atPath: "\(dir)/maildirfolder"),
               !fm.createFile(atPath: "\(dir)/maildirfolder", contents: Data(), attributes: [.posixPermissions: 0o600]) {
                throw MaildirLayoutError("cannot create \(dir)/maildirfolder")
            }
        }
        let subscriptions = "\(root)/subscriptions"
        if !fm.fileExists(atPath: subscriptions) {
            let text = defaultFolders.map { "\($0)\n" }.joined()
            guard fm.createFile(atPath: subscriptions, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw MaildirLayoutError("cannot create \(subscriptions)")
            }
        }
        return root
    }

    /// The names in a directory (without "." and ".."), empty when it cannot be read: for tools
    /// and benchmarks that look at a Maildir's cur/ and new/ as the engine does.
    public static func entries(of directory: String) -> [String] {
        ((try? FileSystem.list(directory)) ?? nil) ?? []
    }

    public enum Disposal: String, Sendable {
        case archive, delete
    }

    /// Removes or archives a directory tree (a user's or a whole domain's) after the store
    /// change succeeded. Archives go to <archiveDir>/<domain>/<name>-<UTC timestamp>.
    /// Returns the archive path, or nil when deleted or when there was nothing on disk.
    @discardableResult
    public static func retire(directory: String, domain: DomainName, name: String, disposal: Disposal,
                              archiveDir: String, now: Date = Date()) throws -> String? {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory) else { return nil }
        switch disposal {
        case .delete:
            try fm.removeItem(atPath: directory)
            return nil
        case .archive:
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let parent = "\(archiveDir)/\(domain.ascii)"
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
            var target = "\(parent)/\(name)-\(formatter.string(from: now))"
            var n = 1
            while fm.fileExists(atPath: target) {
                n += 1
                target = "\(parent)/\(name)-\(formatter.string(from: now))-\(n)"
            }
            try fm.moveItem(atPath: directory, toPath: target)
            return target
        }
    }
}

public struct MaildirLayoutError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
