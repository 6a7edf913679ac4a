// `mailroom maildir list|folders|quota|check` — an administrator's view into one user's Maildir
// through the storage engine, the way `doveadm fetch`, `doveadm mailbox list`, `doveadm quota get`
// and `doveadm force-resync` look into a Dovecot store. They run as separate processes beside the
// servers and `mailroom deliver`: the engine's locks (Dovecot's dot lock on dovecot-uidlist, our
// flock on mailroom-index.lock) make that safe, and opening a folder gives new mail its UIDs,
// exactly as an IMAP session would.
//
// `UserMaildir` opens a user's store with `MaildirOptions(configuration:quota:)`
// (MailroomServer/Support/ConfigMapping.swift, where the storage.* keys become engine settings).
//
// Folder names are given in Unicode, with '/' or '.' between hierarchy levels ("Archive/2024",
// "Archive.2024", Courier's "INBOX.Archive.2024"); INBOX in any case is the inbox.
// Configuration: storage.host_name, storage.uidlist_lock_stale_seconds, storage.tmp_cleanup_hours.
// Security: these commands read and, like an IMAP open, update the Maildir's index files; run them
// as the user that owns the mail (the same as the servers), never as root, or root-owned index
// files will lock the servers out.

import ArgumentParser
import Foundation
import MailroomConfig
import MailroomCore
import MailroomMaildir
import MailroomServer
import MailroomStore

/// One user's Maildir: where it is and the engine over it.
struct UserMaildir {
    let user: User
    let address: EmailAddress
    let root: String
    let storage: MaildirStorage

    init(user: User, config: MailroomConfig) throws {
        self.user = user
        do {
            address = try EmailAddress(user.address)
        } catch {
            throw CLIError("user \(user.address) has an address the Maildir layout cannot use: \(error)")
        }
        root = MaildirLayout.maildir(volume: user.volumePath, address: address)
        storage = MaildirStorage(root: root, options: MaildirOptions(
            configuration: config, quota: QuotaLimits(bytes: user.quotaBytes, messages: user.quotaMessages)))
    }

    /// cur/, new/ and tmp/ of the inbox are all there.
    var exists: Bool {
        ["cur", "new", "tmp"].allSatisfy { sub in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(sub)", isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Creates a missing Maildir as `user add` does (Dovecot's LDA creates one on first delivery
    /// too); an existing one is left as it is.
    func createIfMissing() throws {
        if exists { return }
        try MaildirLayout.createMailbox(volume: user.volumePath, address: address)
    }

    /// Looks the user up in the account store; refuses addresses that are not mailboxes.
    static func open(_ options: StoreOptionsGroup, address text: String) async throws -> UserMaildir {
        let address = try Parse.address(text)
        return try await StoreContext.with(options) { ctx in
            guard let user = try await ctx.store.user(address) else {
                throw CLIError("user \(address.unicode) does not exist (aliases have no Maildir; see `mailroom alias list`)")
            }
            let maildir = try UserMaildir(user: user, config: ctx.config)
            guard maildir.exists else { throw CLIError("the Maildir of \(address.unicode) is missing: \(maildir.root)") }
            return maildir
        }
    }

    /// Runs a storage call, turning its error into a refusal that names the user.
    func run<T>(_ body: (MaildirStorage) throws(StorageError) -> T) throws -> T {
        do {
            return try body(storage)
        } catch {
            throw CLIError("\(user.unicodeAddress): \(error)")
        }
    }
}

extension Parse {
    /// "INBOX", "Archive/2024", "Archive.2024" or "INBOX.Archive.2024" (Courier's spelling).
    static func folder(_ text: String) throws -> FolderPath {
        if MaildirFolderName.isInbox(text) { return .inbox }
        var components = text.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "." }.map(String.init)
        if components.count > 1, MaildirFolderName.isInbox(components[0]) { components.removeFirst() }
        do {
            _ = try MaildirFolderName.directoryName(for: components)
        } catch {
            throw CLIError("folder '\(text)': \(error)")
        }
        return FolderPath(components)
    }
}

struct MaildirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maildir", abstract: "Look into a user's Maildir: messages, folders, quota, consistency.",
        subcommands: [List.self, Folders.self, QuotaCmd.self, Check.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", 
            abstract: "List a folder's messages: UID, flags, keywords, size, internal date, MODSEQ.",
            discussion: "Opening the folder gives newly delivered mail its UIDs, as an IMAP SELECT would.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "User address.") var address: String
        @Option(name: .long, help: "Folder, e.g. Sent or Archive/2024 (default: INBOX).") var folder: String = "INBOX"

        func run() async throws {
            let path = try Parse.folder(folder)
            let maildir = try await UserMaildir.open(options, address: address)
            let snapshot = try maildir.run { storage throws(StorageError) in try storage.open(path, claimRecent: false) }
            let messages = snapshot.messages.map(MessageReport.init)
            if options.json {
                return try Output.json(FolderListing(address: maildir.user.unicodeAddress, folder: path.description,
                                                     uidValidity: snapshot.uidValidity, uidNext: snapshot.uidNext,
                                                     highestModSeq: snapshot.highestModSeq, messages: messages))
            }
            print("\(maildir.user.unicodeAddress) \(path): \(messages.count) message(s), UIDVALIDITY \(snapshot.uidValidity), "
                  + "UIDNEXT \(snapshot.uidNext), HIGHESTMODSEQ \(snapshot.highestModSeq)")
            if messages.isEmpty { return }
            Output.table(["UID", "FLAGS", "KEYWORDS", "SIZE", "DATE", "MODSEQ"], messages.map { m in
                [String(m.uid), m.flags.isEmpty ? "-" : m.flags.joined(separator: " "),
                 m.keywords.isEmpty ? "-" : m.keywords.joined(separator: " "), String(m.size), m.date, String(m.modSeq)]
            })
        }
    }

    struct Folders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "folders", 
            abstract: "List a user's folders with their message counts, subscriptions and special use.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "User address.") var address: String

        func run() async throws {
            let maildir = try await UserMaildir.open(options, address: address)
            let folders = try maildir.run { storage throws(StorageError) in
                try storage.listFolders().map { info throws(StorageError) in
                    FolderReport(info: info, status: info.exists ? try storage.status(info.path) : nil)
                }
            }
            if options.json { return try Output.json(folders) }
            Output.table(["FOLDER", "MESSAGES", "UNSEEN", "SIZE", "SUBSCRIBED", "SPECIAL-USE"], folders.map { f in
                [f.name, f.messages.map(String.init) ?? "(no folder)", f.unseen.map(String.init) ?? "-",
                 f.size.map(String.init) ?? "-", f.subscribed ? "yes" : "no", f.specialUse ?? "-"]
            })
        }
    }

    struct QuotaCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quota", abstract: "Show a user's Maildir++ quota use (maildirsize) against the limits.")
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "User address.") var address: String

        func run() async throws {
            let maildir = try await UserMaildir.open(options, address: address)
            let usage = try maildir.run { storage throws(StorageError) in try storage.quota() }
            let report = QuotaReport(address: maildir.user.unicodeAddress, usage: usage)
            if options.json { return try Output.json(report) }
            print("\(report.address)")
            print("  storage:  \(report.bytes) bytes of \(report.limitBytes.map { "\($0)" } ?? "unlimited")\(percent(report.bytes, report.limitBytes))")
            print("  messages: \(report.messages) of \(report.limitMessages.map { "\($0)" } ?? "unlimited")\(percent(report.messages, report.limitMessages))")
        }

        func percent(_ used: Int64, _ limit: Int64?) -> String {
            guard let limit, limit > 0 else { return "" }
            return " (\(used * 100 / limit)%)"
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", 
            abstract: "Open every folder, repairing what can be repaired, and print the problems found (exit 0).",
            discussion: """
                Like `doveadm force-resync`: each folder is synced with its files, a damaged \
                dovecot-uidlist, dovecot-keywords or mailroom-index is rebuilt (keeping every UID still \
                known), and the quota is read, recalculating maildirsize when it cannot be trusted. \
                Problems are reported, not fatal: the exit status is 0 unless the user or Maildir is missing.
                """)
        @OptionGroup var options: StoreOptionsGroup
        @Argument(help: "User address.") var address: String

        func run() async throws {
            let maildir = try await UserMaildir.open(options, address: address)
            var folders: [FolderCheck] = []
            var paths: [FolderPath] = [.inbox]
            var listProblem: String? = nil
            do {
                paths = try maildir.storage.listFolders().filter(\.exists).map(\.path)
            } catch {
                listProblem = "cannot list the folders (checking INBOX only): \(error)"
            }
            for path in paths {
                var problems: [String] = []
                var messages: Int? = nil
                do {
                    messages = try maildir.storage.open(path, claimRecent: false).messages.count
                } catch {
                    problems.append("cannot open: \(error)")
                }
                for problem in maildir.storage.problems(path) where !problems.contains(problem) { problems.append(problem) }
                if path.isInbox {
                    if let listProblem { problems.append(listProblem) }
                    problems += unreadableFolderNames(maildir.root)
                }
                folders.append(FolderCheck(name: path.description, messages: messages, problems: problems))
            }
            var quota: QuotaReport? = nil
            var quotaProblem: String? = nil
            do {
                quota = QuotaReport(address: maildir.user.unicodeAddress, usage: try maildir.storage.quota())
            } catch {
                quotaProblem = "quota: \(error)"
            }
            let report = CheckReport(address: maildir.user.unicodeAddress, maildir: maildir.root, folders: folders,
                                     quota: quota, quotaProblem: quotaProblem)
            if options.json { return try Output.json(report) }
            print("\(report.address): \(report.maildir)")
            for folder in folders {
                let count = folder.messages.map { "\($0) message(s)" } ?? "not opened"
                print("  \(folder.name): \(count)\(folder.problems.isEmpty ? ", ok" : "")")
                for problem in folder.problems { print("    \(problem)") }
            }
            if let quotaProblem { print("  \(quotaProblem)") }
            let total = folders.reduce(0) { $0 + $1.problems.count } + (quotaProblem == nil ? 0 : 1)
            print(total == 0 ? "no problems found" : "\(total) problem(s) found; what could be repaired was repaired")
        }

        /// Maildir++ folder directories whose names do not decode (bad modified UTF-7, not UTF-8,
        /// a forbidden component): listings skip them, so they are reported here.
        func unreadableFolderNames(_ root: String) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            return names.sorted().compactMap { name in
                guard MaildirFolderName.isMaildirPlusPlusFolder(directoryName: name), !name.hasPrefix("..") else { return nil }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: "\(root)/\(name)", isDirectory: &isDirectory), isDirectory.boolValue
                else { return nil }
                do {
                    _ = try MaildirFolderName.components(fromDirectoryName: name)
                    return nil
                } catch {
                    return "folder directory skipped: \(error)"
                }
            }
        }
    }
}

// MARK: - Reports (text and --json)

struct MessageReport: Encodable {
    var uid: UInt32
    /// IMAP system flags; Maildir's P (passed) is shown as $Forwarded, as Dovecot shows it.
    var flags: [String]
    var keywords: [String]
    /// RFC822.SIZE (CRLF line ends).
    var size: Int64
    var internalDate: Int64
    var date: String
    var modSeq: UInt64

    init(_ info: MessageInfo) {
        uid = info.uid
        let names: [(SystemFlags, String)] = [(.seen, "\\Seen"), (.answered, "\\Answered"), (.flagged, "\\Flagged"),
                                              (.deleted, "\\Deleted"), (.draft, "\\Draft")]
        flags = names.filter { info.flags.contains($0.0) }.map(\.1)
        keywords = info.keywords
        size = info.size
        internalDate = info.internalDate
        date = Output.date(info.internalDate)
        modSeq = info.modSeq
    }
}

struct FolderListing: Encodable {
    var address: String
    var folder: String
    var uidValidity: UInt32
    var uidNext: UInt32
    var highestModSeq: UInt64
    var messages: [MessageReport]
}

struct FolderReport: Encodable {
    var name: String
    var components: [String]
    var exists: Bool
    var subscribed: Bool
    var hasChildren: Bool
    var specialUse: String?
    var messages: Int?
    var unseen: Int?
    var size: Int64?
    var uidValidity: UInt32?
    var uidNext: UInt32?

    init(info: FolderInfo, status: FolderStatus?) {
        name = info.path.description
        components = info.path.components
        exists = info.exists
        subscribed = info.subscribed
        hasChildren = info.hasChildren
        specialUse = info.specialUse?.rawValue
        messages = status?.messages
        unseen = status?.unseen
        size = status?.size
        uidValidity = status?.uidValidity
        uidNext = status?.uidNext
    }
}

struct QuotaReport: Encodable {
    var address: String
    var bytes: Int64
    var messages: Int64
    var limitBytes: Int64?
    var limitMessages: Int64?

    init(address: String, usage: QuotaUsage) {
        self.address = address
        bytes = usage.bytes
        messages = usage.messages
        limitBytes = usage.limits.bytes
        limitMessages = usage.limits.messages
    }
}

struct FolderCheck: Encodable {
    var name: String
    var messages: Int?
    var problems: [String]
}

struct CheckReport: Encodable {
    var address: String
    var maildir: String
    var folders: [FolderCheck]
    var quota: QuotaReport?
    var quotaProblem: String?
}
