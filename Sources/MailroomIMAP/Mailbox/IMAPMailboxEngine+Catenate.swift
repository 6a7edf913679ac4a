// IMAPMailboxEngine+Catenate — APPEND with CATENATE: each message is put together from its
// TEXT parts and the content its URL parts name, then stored exactly as a plain APPEND stores
// it (the same size limit, the same durable write, APPENDUID).
//
// Standards: RFC 4469 (CATENATE): §3 (the parts, in order, make the message; a URL names a
// message or part on this server, with RFC 5092's section and partial), §5 ("NO [BADURL url]"
// when a URL cannot be used; "NO [TOOBIG]" when the result is too large; "[TRYCREATE]" for a
// missing mailbox), RFC 3502 (MULTIAPPEND: all the messages of the command or none).
//
// URLs (IMAPMailboxEngine+URLAuth resolves them):
// - an absolute path ("/INBOX;UIDVALIDITY=n/;UID=m/;SECTION=1") or an imap:// URL naming the
//   logged-in user reads the session's own mailboxes;
// - a URLAUTH-authorized URL is checked as URLFETCH checks it, and may name another user's
//   mailbox when its access identifier lets this session in.
// The content is what BODY.PEEK[section]<partial> would send (CRLF line ends); \Seen is not set.
// A section that does not exist, a message that is gone, a UIDVALIDITY that does not match, or
// a URL that does not parse: NO [BADURL url].
//
// Order, as Dovecot answers and imaptest's catenate scripts expect: a missing mailbox is
// NO [TRYCREATE] before any URL is looked at; then every message of the command is put
// together (the first bad URL, or a result over the size limit, ends the command with nothing
// stored); then all are appended as one MULTIAPPEND.
// The command was read whole before it runs (the framer asked for every literal), so a TEXT
// literal after a bad URL has already been consumed and the connection stays in step.
//
// Limits: URLAuthLimits.urlsPerCommand URL parts per command (NO [LIMIT]); each message at most
// Options.maxAppendBytes (NO [TOOBIG]); TEXT literals are bounded by the framer as APPEND's.
//
// Memory: a message under construction is held whole (at most maxAppendBytes), as a literal
// APPEND message is; one source message is parsed at a time.

import MailroomMaildir

extension IMAPMailboxEngine {
    func catenate(tag: String, _ name: MailboxName, _ messages: [AppendMessage], owners: [String: URLAuthOwnerMail],
                  emit: ([IMAPResponse]) -> Void) throws -> IMAPResponse {
        let path = try folder(name)
        guard try folderExists(path) else { return no(tag, .tryCreate, "Mailbox does not exist") }
        let urlCount = messages.reduce(0) { $0 + Self.urlCount($1.catenate ?? []) }
        guard urlCount <= URLAuthLimits.urlsPerCommand else {
            return no(tag, .limit, "More than \(URLAuthLimits.urlsPerCommand) URLs in one APPEND")
        }
        var assembled: [AppendMessage] = []
        for message in messages {
            guard let parts = message.catenate else {
                assembled.append(message)
                continue
            }
            switch assemble(tag: tag, parts, owners: owners) {
            case .refused(let answer): return answer
            case .message(let data):
                var built = message
                built.data = data
                built.catenate = nil
                assembled.append(built)
            }
        }
        return try append(tag: tag, name, assembled, emit: emit)
    }

    /// How many URL parts a CATENATE list has (URLAuthLimits.urlsPerCommand counts them).
    static func urlCount(_ parts: [CatenatePart]) -> Int {
        parts.filter { if case .url = $0 { true } else { false } }.count
    }

    enum Assembled {
        case message([UInt8])
        /// The NO that ends the command: a bad URL (BADURL) or a message over the size limit.
        case refused(IMAPResponse)
    }

    /// The message a CATENATE list stands for (APPEND and REPLACE): its TEXT literals and the
    /// content of its URLs, in order, stopping at the first bad URL or past maxAppendBytes.
    func assemble(tag: String, _ parts: [CatenatePart], owners: [String: URLAuthOwnerMail]) -> Assembled {
        var data: [UInt8] = []
        for part in parts {
            switch part {
            case .text(let text, _):
                data += text
            case .url(let raw):
                do throws(URLFailure) {
                    data += try catenateContent(raw, owners: owners)
                } catch {
                    return .refused(no(tag, .badURL(String(decoding: raw, as: UTF8.self)), error.reason))
                }
            }
            guard data.count <= options.maxAppendBytes else {
                return .refused(no(tag, .tooBig, "Message is larger than the \(options.maxAppendBytes) octets allowed"))
            }
        }
        return .message(data)
    }

    /// The octets a CATENATE URL part stands for.
    func catenateContent(_ raw: [UInt8], owners: [String: URLAuthOwnerMail]) throws(URLFailure) -> [UInt8] {
        let url: IMAPURL
        do { url = try IMAPURLParser.parse(raw) } catch { throw URLFailure("Invalid URL: \(error)") }
        guard url.namesMessage else { throw URLFailure("The URL names no message") }
        let source: any MailStorage
        let path: FolderPath
        if url.access != nil {
            (source, path) = try authorize(raw, url, owners: owners)
        } else {
            if let server = url.server {
                // An absolute URL without URLAUTH: only the session's own mail.
                guard let account = options.urlAuth, let owner = Self.owner(of: url), owner == account.user.lowercased(),
                      isOwnServer(server, owner: owner, account: account) else {
                    throw URLFailure("The URL names another user's mailbox (a URLAUTH-authorized URL is needed)")
                }
            }
            guard let folder = try? MailboxPath.folder(url.mailbox, utf8Enabled: true) else { throw URLFailure("Invalid mailbox name") }
            (source, path) = (storage, folder)
        }
        let message = try urlMessage(source, path, url)
        let partial = url.partial.map { Partial(origin: $0.origin, length: $0.length ?? UInt32.max) }
        return FetchContent.section(message, url.section ?? .complete, partial: partial) ?? []
    }
}
