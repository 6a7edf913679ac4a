// IMAPMailboxEngine+URLAuth — GENURLAUTH, RESETKEY and URLFETCH, and the resolution of the
// IMAP URLs that they and CATENATE (IMAPMailboxEngine+Catenate) read messages through.
//
// Standards: RFC 4467 (URLAUTH): §2.3 access identifiers, §5 generation (the token over the
// URL's rump), §6 validation, §7 the commands, §8 GENURLAUTH, URLFETCH and URLMECH; RFC 5524
// (URLAUTH=BINARY: URLFETCH's BODY, BINARY and BODYPARTSTRUCTURE); RFC 5092 (the URLs).
//
// Whose mail a URL names: its user, as an address. Mailroom's userids are addresses, so
// "imap://alice@example.com/INBOX/;UID=1" (user "alice", host "example.com") and
// "imap://alice%40example.com@mail.example.net/INBOX/;UID=1" both name alice@example.com: a
// user without "@" is taken with the URL's host as its domain (`owner(of:)`). The host must be
// that domain or one of the server's own names (URLAuthAccount.serverNames). Mailbox names in
// URLs are UTF-8 (RFC 5092; modified UTF-7 is understood too, see MailboxPath).
//
// GENURLAUTH (RFC 4467 §7): each URL must parse, name a message (;UID=) in an existing mailbox
// of the logged-in user on this server, and end in ";URLAUTH=" access without a verifier; the
// mechanism must be INTERNAL. Anything else is BAD (as §7 asks), and no URL is answered. The
// mailbox's key is made at the first GENURLAUTH (URLAuthKeyStore).
// RESETKEY: without arguments every mailbox's key is removed, else the named mailbox's; the
// tagged OK carries [URLMECH INTERNAL] (§8 allows it there instead of an untagged OK).
// XXX: other sessions with that mailbox selected are not sent the untagged OK [URLMECH] §7
// describes, and SELECT does not announce URLMECH; clients lose nothing (INTERNAL is the only
// mechanism), but a strict reading of §8 wants them.
// URLFETCH: each URL is answered as it is resolved, NIL when it is invalid for any reason —
// syntax, unknown user or mailbox, no key (never generated, or RESETKEY), wrong token,
// access not granted, ;EXPIRE= passed, UIDVALIDITY changed, message or part gone.
//
// Access (RFC 4467 §3), for the session's user U and the URL's owner O:
// - "anonymous": any session. "user+X": U is X (an address; a bare local part is taken with
//   the URL's host). "authuser": U is a user of O's domain — RFC 4467 says any authorized
//   user of the server; in a multi-tenant server that would let every tenant's users read a
//   URL meant for the owner's colleagues, so Mailroom limits it to the same domain.
// - "submit+X": only a message submission entity (BURL, RFC 4468), which Mailroom's IMAP
//   sessions never are: such URLs can be generated but URLFETCH answers NIL for them.
// Another user's mailbox is read only through a URLAUTH-authorized URL; the adapter looks the
// owners up (`urlOwners(in:excluding:)`, at most URLAuthLimits.ownersPerCommand) and passes
// their mail in (URLAuthOwnerMail), so the engine never asks the account store itself.
//
// Limits: URLAuthLimits.urlsPerCommand URLs per URLFETCH and per CATENATE command (each read
// parses a whole message), ownersPerCommand other users.
//
// Security: a URL grants nothing without its token; every failure looks the same to the client
// (NIL); tokens are compared in constant time (URLAuthToken); URLFETCH never changes flags.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MailroomMaildir
import MailroomMIME

/// Who the session is, for URLAUTH (RFC 4467), and where its mailbox access keys are.
public struct URLAuthAccount: Sendable {
    /// The logged-in user's address as the account store spells it.
    public var user: String
    /// Host names that mean this server in a URL, besides the owner's mail domain.
    public var serverNames: [String]
    /// The user's mailbox access keys.
    public var keys: any URLAuthKeyStore
    /// Seconds since 1970 now (URL ;EXPIRE=).
    public var now: @Sendable () -> Int64

    public init(user: String, serverNames: [String] = [], keys: any URLAuthKeyStore,
                now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) {
        self.user = user
        self.serverNames = serverNames
        self.keys = keys
        self.now = now
    }
}

/// Another user's mail, which a URLAUTH-authorized URL of theirs may be read from.
public struct URLAuthOwnerMail: Sendable {
    public var storage: any MailStorage
    public var keys: any URLAuthKeyStore

    public init(storage: any MailStorage, keys: any URLAuthKeyStore) {
        self.storage = storage
        self.keys = keys
    }
}

/// Why a URL could not be used (the text of NO [BADURL] for CATENATE; URLFETCH says NIL).
struct URLFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension IMAPMailboxEngine {
    // MARK: Owners

    /// The address (lower-cased) whose mail an absolute URL names; nil for a relative URL or
    /// one without a user.
    public static func owner(of url: IMAPURL) -> String? {
        guard let server = url.server, let user = server.user, !user.isEmpty else { return nil }
        return (user.contains("@") ? user : user + "@" + server.host).lowercased()
    }

    /// The other users whose mail `command`'s URLs name (URLFETCH, CATENATE), at most
    /// URLAuthLimits.ownersPerCommand, for the adapter to look up before the command runs.
    public static func urlOwners(in command: IMAPCommand, excluding user: String) -> [String] {
        var urls: [[UInt8]] = []
        switch command {
        case .urlFetch(let requests):
            urls = requests.map(\.url)
        case .append(_, let messages):
            for message in messages {
                for case .url(let url) in message.catenate ?? [] { urls.append(url) }
            }
        case .replace(_, _, _, let message):   // RFC 8508: its message may be a CATENATE too
            for case .url(let url) in message.catenate ?? [] { urls.append(url) }
        default:
            return []
        }
        let me = user.lowercased()
        var owners: [String] = []
        for raw in urls.prefix(URLAuthLimits.urlsPerCommand) {
            guard let url = try? IMAPURLParser.parse(raw), url.access != nil, let owner = owner(of: url),
                  owner != me, !owners.contains(owner) else { continue }
            owners.append(owner)
            if owners.count == URLAuthLimits.ownersPerCommand { break }
        }
        return owners
    }

    /// Whether `server` names this server for `owner`: the owner's domain or a server name.
    func isOwnServer(_ server: IMAPURL.Server, owner: String, account: URLAuthAccount) -> Bool {
        let host = server.host.lowercased()
        if host == Self.domain(of: owner) { return true }
        return account.serverNames.contains { $0.lowercased() == host }
    }

    /// Whether the folder exists (other storage errors are thrown).
    func folderExists(_ path: FolderPath) throws(StorageError) -> Bool {
        switch Result(catching: { () throws(StorageError) -> FolderStatus in try storage.status(path) }) {
        case .success: return true
        case .failure(.folderNotFound): return false
        case .failure(let error): throw error
        }
    }

    static func domain(of address: String) -> String {
        address.split(separator: "@", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
    }

    // MARK: GENURLAUTH

    func genURLAuth(tag: String, _ requests: [URLAuthRequest], emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        guard let account = options.urlAuth else { return no(tag, .cannot, "URLAUTH is not available") }
        func bad(_ text: String) -> IMAPResponse { .tagged(tag: tag, status: .bad, code: nil, text: text) }
        var authorized: [[UInt8]] = []
        for request in requests {
            guard request.mechanism == URLAuthToken.internalMechanism else { return bad("Unsupported URLAUTH mechanism") }
            let url: IMAPURL
            do { url = try IMAPURLParser.parse(request.url) } catch { return bad("Invalid URL: \(error)") }
            guard let server = url.server, url.namesMessage, url.access != nil, url.verifier == nil else {
                return bad("Not a URLAUTH-ready URL (imap://user@host/mailbox/;UID=n...;URLAUTH=access)")
            }
            guard let owner = Self.owner(of: url), owner == account.user.lowercased(),
                  isOwnServer(server, owner: owner, account: account) else {
                return bad("The URL does not name the logged-in user on this server")
            }
            let path: FolderPath
            do { path = try MailboxPath.folder(url.mailbox, utf8Enabled: true) } catch { return bad("Invalid mailbox name in URL") }
            guard try folderExists(path) else { return bad("The mailbox in the URL does not exist") }
            guard let key = try account.keys.key(for: path, create: true) else { return no(tag, .serverBug, "No mailbox key") }
            let token = URLAuthToken.token(rump: request.url, key: key)
            authorized.append(request.url + Array((":" + URLAuthToken.internalMechanism.lowercased() + ":" + token).utf8))
        }
        emit([.untagged(.genURLAuth(authorized))])
        return ok(tag, "GENURLAUTH completed")
    }

    // MARK: RESETKEY

    func resetKey(tag: String, _ name: MailboxName?, mechanisms: [String]) throws -> IMAPResponse {
        guard let account = options.urlAuth else { return no(tag, .cannot, "URLAUTH is not available") }
        if mechanisms.contains(where: { $0 != URLAuthToken.internalMechanism }) {
            return .tagged(tag: tag, status: .bad, code: nil, text: "Unsupported URLAUTH mechanism")
        }
        if let name {
            let path = try folder(name)
            _ = try storage.status(path)   // a missing mailbox is NO [NONEXISTENT]
            try account.keys.removeKey(for: path)
        } else {
            try account.keys.removeKey(for: .inbox)
            for info in try storage.listFolders() where info.exists && !info.path.isInbox {
                try account.keys.removeKey(for: info.path)
            }
        }
        return ok(tag, "RESETKEY completed", .urlMech([URLAuthToken.internalMechanism]))
    }

    // MARK: URLFETCH

    func urlFetch(tag: String, _ requests: [URLFetchRequest], owners: [String: URLAuthOwnerMail],
                  emit: ([IMAPResponse]) -> Void) -> IMAPResponse {
        guard options.urlAuth != nil else { return no(tag, .cannot, "URLAUTH is not available") }
        guard requests.count <= URLAuthLimits.urlsPerCommand else {
            return no(tag, .limit, "More than \(URLAuthLimits.urlsPerCommand) URLs in one URLFETCH")
        }
        for request in requests {
            emit([.untagged(.urlFetch(urlFetchResult(request, owners: owners)))])
        }
        return ok(tag, "URLFETCH completed")
    }

    func urlFetchResult(_ request: URLFetchRequest, owners: [String: URLAuthOwnerMail]) -> URLFetchResult {
        func invalid() -> URLFetchResult { URLFetchResult(url: request.url, content: .invalid) }
        guard let url = try? IMAPURLParser.parse(request.url), let (mail, path) = try? authorize(request.url, url, owners: owners),
              let message = try? urlMessage(mail, path, url) else { return invalid() }
        let spec = url.section ?? .complete
        let partial = url.partial.map { Partial(origin: $0.origin, length: $0.length ?? UInt32.max) }
        guard let parameters = request.parameters else {
            return URLFetchResult(url: request.url, content: .simple(FetchContent.section(message, spec, partial: partial)))
        }
        var structure: BodyStructure?
        if parameters.bodyPartStructure {
            guard let found = Self.bodyPartStructure(message, spec, binary: parameters.binary) else { return invalid() }
            structure = found
        }
        var data: URLFetchResult.Data?
        if parameters.body {
            data = .body(FetchContent.section(message, spec, partial: partial))
        } else if parameters.binary {
            // RFC 5524 §3: BINARY of a part (not of HEADER, TEXT, MIME); NIL when its
            // transfer encoding is unknown (RFC 3516's UNKNOWN-CTE, per URL).
            let content = spec.kind == .complete ? try? FetchContent.binary(message, part: spec.part, partial: partial) : nil
            data = .binary(content?.data)
        }
        return URLFetchResult(url: request.url, content: .extended(bodyPartStructure: structure, body: data))
    }

    /// BODYPARTSTRUCTURE (RFC 5524 §3): the BODYSTRUCTURE of the part the section names (only
    /// whole parts have one). With BINARY, a base64 or quoted-printable leaf is described as
    /// BINARY sends it, as Dovecot does: its decoded size, 0 lines, and 7bit, 8bit or binary
    /// for what the decoded octets hold.
    static func bodyPartStructure(_ message: MIMEMessage, _ spec: SectionSpecifier, binary: Bool) -> BodyStructure? {
        guard spec.kind == .complete, let numbers = FetchContent.path(spec.part) else { return nil }
        guard let part = numbers.isEmpty ? message.root : message.part(at: numbers) else { return nil }
        let structure = MessageStructure.bodyStructure(message, part: part.index, extensions: true)
        guard binary, case .singlePart(var single) = structure,
              part.contentTransferEncoding == .base64 || part.contentTransferEncoding == .quotedPrintable,
              let decoded = try? FetchContent.binary(message, part: spec.part).data else { return structure }
        single.octets = UInt64(decoded.count)
        single.encoding = decoded.contains(0) ? "binary" : decoded.contains(where: { $0 >= 0x80 }) ? "8bit" : "7bit"
        if case .text = single.kind { single.kind = .text(lines: 0) }
        return .singlePart(single)
    }

    // MARK: Resolving URLs

    /// The mail and mailbox a URLAUTH-authorized URL may be read from by this session: every
    /// check of RFC 4467 §6 (see the header), or a URLFailure.
    func authorize(_ raw: [UInt8], _ url: IMAPURL, owners: [String: URLAuthOwnerMail])
        throws(URLFailure) -> (any MailStorage, FolderPath) {
        guard let account = options.urlAuth else { throw URLFailure("URLAUTH is not available") }
        guard url.namesMessage, let access = url.access, let verifier = url.verifier, let server = url.server else {
            throw URLFailure("Not a URLAUTH-authorized message URL")
        }
        guard verifier.mechanism == URLAuthToken.internalMechanism else { throw URLFailure("Unknown URLAUTH mechanism") }
        guard let owner = Self.owner(of: url), isOwnServer(server, owner: owner, account: account) else {
            throw URLFailure("The URL does not name a user of this server")
        }
        let me = account.user.lowercased()
        let mail: URLAuthOwnerMail
        if owner == me {
            mail = URLAuthOwnerMail(storage: storage, keys: account.keys)
        } else if let other = owners[owner] {
            mail = other
        } else {
            throw URLFailure("No such user")
        }
        switch access {
        case .anonymous:
            break
        case .authUser:
            guard Self.domain(of: me) == Self.domain(of: owner) else { throw URLFailure("Access not granted") }
        case .user(let name):
            let address = (name.contains("@") ? name : name + "@" + server.host).lowercased()
            guard address == me else { throw URLFailure("Access not granted") }
        case .submit:
            throw URLFailure("Access not granted (submit+ URLs are for message submission)")
        }
        if let expire = url.expire, expire <= account.now() { throw URLFailure("The URL has expired") }
        guard let path = try? MailboxPath.folder(url.mailbox, utf8Enabled: true) else { throw URLFailure("Invalid mailbox name") }
        guard let key = (try? mail.keys.key(for: path, create: false)) ?? nil, let rump = IMAPURL.rump(of: raw),
              URLAuthToken.isValid(verifier.token, rump: rump, key: key) else {
            throw URLFailure("The URL's authorization is not valid")
        }
        return (mail.storage, path)
    }

    /// The message a URL names, checked against ;UIDVALIDITY= and ;SECTION=.
    func urlMessage(_ storage: any MailStorage, _ path: FolderPath, _ url: IMAPURL) throws(URLFailure) -> MIMEMessage {
        guard let uid = url.uid else { throw URLFailure("The URL names no message") }
        if let validity = url.uidValidity {
            guard let status = try? storage.status(path) else { throw URLFailure("No such mailbox") }
            guard status.uidValidity == validity else { throw URLFailure("UIDVALIDITY does not match") }
        }
        guard let bytes = (try? storage.fetch(path, uid: uid)) ?? nil else { throw URLFailure("No such message") }
        let message = MIMEMessage.parse(bytes)
        if let section = url.section, !section.part.isEmpty {
            guard let numbers = FetchContent.path(section.part), message.part(at: numbers) != nil else {
                throw URLFailure("No such part")
            }
            switch section.kind {
            case .header, .text, .headerFields, .headerFieldsNot:
                guard message.message(at: numbers) != nil else { throw URLFailure("No such part") }
            case .complete, .mime:
                break
            }
        }
        return message
    }
}
