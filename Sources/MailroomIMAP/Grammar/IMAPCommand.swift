// IMAPCommand — one IMAP command, parsed into a typed value, and the tag it came with.
//
// Standards: RFC 3501 §6 and RFC 9051 §6 (the commands, by state); RFC 2177 (IDLE), RFC 2971
// (ID), RFC 3502 (MULTIAPPEND), RFC 3516 (BINARY), RFC 3691 / RFC 9051 (UNSELECT), RFC 4315
// (UID EXPUNGE), RFC 4731 (ESEARCH), RFC 4959 (SASL-IR), RFC 5161 (ENABLE), RFC 5182
// (SEARCHRES), RFC 5258 (LIST-EXTENDED), RFC 5819 (LIST-STATUS), RFC 6154 (SPECIAL-USE,
// CREATE-SPECIAL-USE), RFC 6851 (MOVE), RFC 7162 (CONDSTORE), RFC 9208 (QUOTA), RFC 2342 and
// RFC 9051 (NAMESPACE), RFC 5256 (SORT, THREAD), RFC 5957 (SORT=DISPLAY), RFC 5267 (ESORT;
// CANCELUPDATE of CONTEXT=SEARCH and CONTEXT=SORT), RFC 4469 (CATENATE in APPEND), RFC 4467
// and RFC 5524 (GENURLAUTH, RESETKEY, URLFETCH), RFC 5464 (GETMETADATA, SETMETADATA). The grammar of each is in Parser/, with its ABNF above it; the
// encoder (used by test clients, and useful for a proxy) is IMAPCommand+Encode.swift.
//
// Which state allows a command, and what it does, is the session's business.
//
// Security: `description` (for logs) never shows a password or SASL data.

/// A command with its tag.
public struct TaggedCommand: Hashable, Sendable, CustomStringConvertible {
    /// tag = 1*<any ASTRING-CHAR except "+">
    public var tag: String
    public var command: IMAPCommand

    public init(tag: String, command: IMAPCommand) {
        self.tag = tag
        self.command = command
    }

    public var description: String { "\(tag) \(command)" }
}

/// An IMAP command.
public enum IMAPCommand: Hashable, Sendable, CustomStringConvertible {
    // Any state (RFC 3501 §6.1)
    case capability
    case noop
    case logout

    // Not authenticated (RFC 3501 §6.2)
    case startTLS
    /// AUTHENTICATE mechanism [initial-response]: the mechanism upper-cased; the initial
    /// response nil when none was sent, empty for "=", else base64-decoded (RFC 4959).
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    case login(username: [UInt8], password: [UInt8])

    // Authenticated (RFC 3501 §6.3)
    /// ENABLE capabilities, upper-cased (RFC 5161).
    case enable([String])
    /// ID (params) or ID NIL (RFC 2971).
    case id([IDParameter]?)
    case select(MailboxName, parameters: [SelectParameter])
    case examine(MailboxName, parameters: [SelectParameter])
    /// CREATE mailbox [(USE (attrs))] (RFC 6154 §3).
    case create(MailboxName, specialUse: [MailboxAttribute])
    case delete(MailboxName)
    case rename(from: MailboxName, to: MailboxName)
    case subscribe(MailboxName)
    case unsubscribe(MailboxName)
    /// LIST, basic or extended (RFC 5258): patterns has at least one entry.
    case list(selectOptions: [ListSelectOption], reference: MailboxName, patterns: [[UInt8]],
              returnOptions: [ListReturnOption])
    case lsub(reference: MailboxName, pattern: [UInt8])
    case namespace
    case status(MailboxName, [StatusAttribute])
    /// APPEND mailbox message... (several with MULTIAPPEND, RFC 3502).
    case append(MailboxName, [AppendMessage])
    case idle

    // Selected (RFC 3501 §6.4)
    case check
    case close
    case unselect
    case expunge
    /// UID EXPUNGE set (RFC 4315).
    case uidExpunge(SequenceSet)
    /// [UID] SEARCH [RETURN (opts)] [CHARSET cs] keys: `returnOptions` nil without RETURN
    /// (answer with SEARCH), else ESEARCH (an empty list means ALL, RFC 4731 §3.1).
    case search(uid: Bool, returnOptions: [SearchReturnOption]?, charset: String?, criteria: [SearchKey])
    /// [UID] FETCH set items [(modifiers)]; macros expanded.
    case fetch(uid: Bool, SequenceSet, [FetchAttribute], modifiers: [FetchModifier])
    /// [UID] STORE set [(modifiers)] flags.
    case store(uid: Bool, SequenceSet, modifiers: [StoreModifier], StoreFlags)
    case copy(uid: Bool, SequenceSet, MailboxName)
    case move(uid: Bool, SequenceSet, MailboxName)
    /// [UID] REPLACE n mailbox message (RFC 8508): `n` one sequence number or UID.
    case replace(uid: Bool, SequenceSet, MailboxName, AppendMessage)
    /// [UID] SORT [RETURN (opts)] (criteria) charset keys (RFC 5256, RFC 5267 §3): `returnOptions`
    /// nil without RETURN (answer with SORT), else ESEARCH (an empty list means ALL).
    case sort(uid: Bool, returnOptions: [SortReturnOption]?, criteria: [SortCriterion], charset: String, search: [SearchKey])
    /// [UID] THREAD algorithm charset keys (RFC 5256).
    case thread(uid: Bool, ThreadAlgorithm, charset: String, search: [SearchKey])
    /// CANCELUPDATE "tag"... (RFC 5267 §4.3): stop the updates of those searches.
    case cancelUpdate([String])

    // QUOTA (RFC 9208)
    case getQuota(root: [UInt8])
    case getQuotaRoot(MailboxName)
    case setQuota(root: [UInt8], [QuotaLimit])

    // URLAUTH (RFC 4467, RFC 5524)
    /// GENURLAUTH url-rump mechanism ...
    case genURLAuth([URLAuthRequest])
    /// RESETKEY [mailbox [mechanism ...]]: mechanisms upper-cased.
    case resetKey(MailboxName?, mechanisms: [String])
    /// URLFETCH url ... (or "(" url params ")" ...).
    case urlFetch([URLFetchRequest])

    // METADATA (RFC 5464): mailbox "" names the server's entries.
    /// GETMETADATA [(options)] mailbox entries.
    case getMetadata(MailboxName, options: MetadataOptions, entries: [MetadataEntryName])
    /// SETMETADATA mailbox (entry value ...): a nil value removes the entry.
    case setMetadata(MailboxName, [MetadataEntryValue])

    /// The command name as sent, upper-cased ("UID FETCH").
    public var name: String {
        switch self {
        case .capability: "CAPABILITY"
        case .noop: "NOOP"
        case .logout: "LOGOUT"
        case .startTLS: "STARTTLS"
        case .authenticate: "AUTHENTICATE"
        case .login: "LOGIN"
        case .enable: "ENABLE"
        case .id: "ID"
        case .select: "SELECT"
        case .examine: "EXAMINE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .rename: "RENAME"
        case .subscribe: "SUBSCRIBE"
        case .unsubscribe: "UNSUBSCRIBE"
        case .list: "LIST"
        case .lsub: "LSUB"
        case .namespace: "NAMESPACE"
        case .status: "STATUS"
        case .append: "APPEND"
        case .idle: "IDLE"
        case .check: "CHECK"
        case .close: "CLOSE"
        case .unselect: "UNSELECT"
        case .expunge: "EXPUNGE"
        case .uidExpunge: "UID EXPUNGE"
        case .search(let uid, _, _, _): uid ? "UID SEARCH" : "SEARCH"
        case .fetch(let uid, _, _, _): uid ? "UID FETCH" : "FETCH"
        case .store(let uid, _, _, _): uid ? "UID STORE" : "STORE"
        case .copy(let uid, _, _): uid ? "UID COPY" : "COPY"
        case .move(let uid, _, _): uid ? "UID MOVE" : "MOVE"
        case .replace(let uid, _, _, _): uid ? "UID REPLACE" : "REPLACE"
        case .sort(let uid, _, _, _, _): uid ? "UID SORT" : "SORT"
        case .thread(let uid, _, _, _): uid ? "UID THREAD" : "THREAD"
        case .cancelUpdate: "CANCELUPDATE"
        case .getQuota: "GETQUOTA"
        case .getQuotaRoot: "GETQUOTAROOT"
        case .setQuota: "SETQUOTA"
        case .genURLAuth: "GENURLAUTH"
        case .resetKey: "RESETKEY"
        case .urlFetch: "URLFETCH"
        case .getMetadata: "GETMETADATA"
        case .setMetadata: "SETMETADATA"
        }
    }

    /// Whether the command uses message sequence numbers (RFC 3501 §7.4.1: no EXPUNGE
    /// response may be sent while one runs; UID commands and others do not count).
    public var usesSequenceNumbers: Bool {
        switch self {
        case .search(let uid, _, _, _), .fetch(let uid, _, _, _), .store(let uid, _, _, _),
             .copy(let uid, _, _), .move(let uid, _, _), .sort(let uid, _, _, _, _), .thread(let uid, _, _, _),
             .replace(let uid, _, _, _): !uid
        default: false
        }
    }

    /// The command for logs: credentials, SASL data and URLAUTH-authorized URLs (which grant
    /// access to whoever holds them) are never shown; message data is summarised by size.
    public var description: String {
        switch self {
        case .login(let user, _): "LOGIN \(String(decoding: user, as: UTF8.self).debugDescription) <hidden>"
        case .authenticate(let mechanism, let response): "AUTHENTICATE \(mechanism)" + (response == nil ? "" : " <hidden>")
        case .append(let mailbox, let messages):
            "APPEND \(mailbox.description.debugDescription) (\(messages.count) message(s), \(messages.reduce(0) { $0 + $1.data.count }) octets)"
        case .urlFetch(let requests): "URLFETCH <\(requests.count) URL(s) hidden>"
        default:
            String(decoding: encodedArguments(), as: UTF8.self)
        }
    }
}
