// SearchProgram — a SEARCH command's criteria compiled once per command: search strings
// converted from the command's CHARSET and folded for comparison, "$" replaced by the saved
// result, flag and keyword names normalised, and the keys of every AND ordered so that the
// ones answered from the message list (flags, size, dates, numbers) run before the ones that
// need the message's header, and those before the ones that need its body.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 (SEARCH; "[CHARSET] specification ... US-ASCII
// MUST be supported; other [CHARSET]s MAY be supported. If the server does not support the
// specified [CHARSET], it MUST return a tagged NO response (not a BAD). This response SHOULD
// contain the BADCHARSET response code, which MAY list the [CHARSET]s supported by the
// server"), RFC 3501 §7.1 (BADCHARSET), RFC 9051 §6.4.4 (UTF-8 MUST be accepted as CHARSET),
// RFC 5182 §2.1 ("$" is the saved result: a set of UIDs; with nothing saved it is empty), RFC
// 7162 §3.1.5 (MODSEQ criterion: messages with a mod-sequence at least the value; a search
// that used it answers with the highest MODSEQ of the matches).
//
// Charsets: none, US-ASCII and UTF-8 are read as UTF-8 (a client that sends 8-bit without
// CHARSET means UTF-8 in practice, and US-ASCII is a subset); any other name that
// MailroomMIME's `Charset.isKnown` accepts (GB2312, GBK, GB18030, BIG5, ISO-2022-JP, EUC-JP,
// SHIFT_JIS, EUC-KR, ISO-8859-x, WINDOWS-125x, KOI8-R, ...) is converted strictly through iconv.
// An unknown charset is `SearchError.unknownCharset` (the session answers
// NO [BADCHARSET (`supportedCharsets`)]); a string that is not valid in its charset is
// `SearchError.invalidString` (the session answers NO).
//
// Security: the criteria come from the client. Their nesting is bounded by the parser
// (IMAPLimits.nestingDepth), which also bounds the recursion here and in evaluation. Each
// string is converted and folded once per command, not once per message.

import MailroomMIME
import MailroomMaildir

/// Why a SEARCH cannot be run; the session turns it into its tagged NO.
public enum SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CHARSET is not one this server converts: NO [BADCHARSET (...)] listing
    /// `SearchProgram.supportedCharsets`.
    case unknownCharset(String)
    /// A search string is not valid text in the command's charset: NO.
    case invalidString(charset: String)

    public var description: String {
        switch self {
        case .unknownCharset(let name): "unsupported charset \(name)"
        case .invalidString(let name): "search string is not valid \(name)"
        }
    }
}

/// A SEARCH command's criteria, ready to be matched against messages.
public struct SearchProgram: Sendable {
    /// The charsets a BADCHARSET response code lists (each is accepted; many aliases are too).
    public static let supportedCharsets: [String] = [
        "UTF-8", "US-ASCII", "ISO-8859-1", "ISO-8859-2", "ISO-8859-5", "ISO-8859-7", "ISO-8859-9", "ISO-8859-15",
        "WINDOWS-1250", "WINDOWS-1251", "WINDOWS-1252", "KOI8-R", "GB2312", "GBK", "GB18030", "BIG5",
        "ISO-2022-JP", "EUC-JP", "SHIFT_JIS", "EUC-KR",
    ]

    let root: SearchNode
    /// Whether some key needs the message's header or body (false: the search never loads
    /// message content).
    public let needsContent: Bool
    /// Whether a MODSEQ key was used (RFC 7162 §3.1.5: the response then carries the highest
    /// MODSEQ of the matches).
    public let usesModSeq: Bool
    /// Whether "$" was used (RFC 5182 §2.1: such a command waits for a SEARCH SAVE before it).
    public let referencesSavedResult: Bool

    /// Compiles `criteria` (all must match) whose strings are in `charset`. `savedResult` is
    /// the UID set SEARCH RETURN (SAVE) kept (RFC 5182), nil when nothing is saved: "$" then
    /// names no message.
    public init(criteria: [SearchKey], charset: String? = nil, savedResult: SequenceSet? = nil) throws(SearchError) {
        var compiler = Compiler(decode: try Self.decoder(for: charset), charsetName: charset ?? "UTF-8", savedResult: savedResult)
        root = try compiler.compile(.and(criteria)).optimised()
        needsContent = root.cost > SearchNode.Cost.metadata
        usesModSeq = compiler.usesModSeq
        referencesSavedResult = compiler.usesSavedResult
    }

    /// The program bound to one mailbox state: "*" resolved and sets sorted.
    public func matcher(highestSequence: UInt32, highestUID: UInt32, timeZone: SearchTimeZone) -> SearchMatcher {
        SearchMatcher(program: root, highestSequence: highestSequence, highestUID: highestUID, timeZone: timeZone)
    }

    /// Runs the search over a mailbox: `messages` in sequence order (message i has sequence
    /// number i + 1, UIDs increasing), `recent` the UIDs that are \Recent in this session,
    /// `content` the message octets (called only when a key needs them, at most once per
    /// message; return [] for a message that is gone).
    /// `fieldCache` keeps the header fields used between searches.
    public func search<E: Error>(_ messages: some Collection<MessageInfo>, recent: Set<UInt32>, timeZone: SearchTimeZone,
                                 fieldCache: SearchFieldCache? = nil,
                                 content: (MessageInfo) throws(E) -> [UInt8]) throws(E) -> [SearchMatch] {
        var highestUID: UInt32 = 0
        for info in messages where info.uid > highestUID { highestUID = info.uid }
        let matcher = matcher(highestSequence: UInt32(clamping: messages.count), highestUID: highestUID, timeZone: timeZone)
        var result: [SearchMatch] = []
        var sequence: UInt32 = 0
        for info in messages {
            sequence += 1
            let hit = try matcher.matches(info, sequence: sequence, isRecent: !recent.isEmpty && recent.contains(info.uid),
                                          fieldCache: fieldCache) {
                () throws(E) -> [UInt8] in try content(info)
            }
            if hit { result.append(SearchMatch(sequence: sequence, uid: info.uid, modSeq: info.modSeq)) }
        }
        return result
    }

    // MARK: - Charsets

    static func decoder(for charset: String?) throws(SearchError) -> @Sendable ([UInt8]) -> String? {
        let name = charset ?? "UTF-8"
        switch name.uppercased() {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII":
            return { String(validating: $0, as: UTF8.self) }
        default:
            guard Charset.isKnown(name) else { throw .unknownCharset(name) }
            return { Charset.decode($0, charset: name) }
        }
    }

    struct Compiler {
        let decode: @Sendable ([UInt8]) -> String?
        let savedResult: SequenceSet?
        var usesModSeq = false
        var usesSavedResult = false
        let charsetName: String

        init(decode: @escaping @Sendable ([UInt8]) -> String?, charsetName: String, savedResult: SequenceSet?) {
            self.decode = decode
            self.charsetName = charsetName
            self.savedResult = savedResult
        }

        func text(_ bytes: [UInt8]) throws(SearchError) -> FoldedText {
            if bytes.isEmpty { return FoldedText("") }
            guard let string = decode(bytes) else { throw .invalidString(charset: charsetName) }
            return FoldedText(string)
        }

        mutating func set(_ set: SequenceSet, uid: Bool) -> SearchNode {
            guard set.isSavedResult else { return .set(set, uid: uid) }
            usesSavedResult = true
            // RFC 5182 §2.1: the saved result holds UIDs, also when "$" stands as a sequence set.
            guard let saved = savedResult, !saved.isSavedResult else { return .constant(false) }
            return .set(saved, uid: true)
        }

        func flag(_ flag: Flag) -> SearchNode {
            switch flag {
            case .answered: .flag(.answered)
            case .flagged: .flag(.flagged)
            case .deleted: .flag(.deleted)
            case .seen: .flag(.seen)
            case .draft: .flag(.draft)
            case .recent: .recent
            case .keyword(let name): .keyword(Array(name.utf8))
            case .extension, .wildcard: .constant(false)
            }
        }

        mutating func compile(_ key: SearchKey) throws(SearchError) -> SearchNode {
            switch key {
            case .all: return .constant(true)
            case .answered: return .flag(.answered)
            case .deleted: return .flag(.deleted)
            case .draft: return .flag(.draft)
            case .flagged: return .flag(.flagged)
            case .seen: return .flag(.seen)
            case .recent: return .recent
            // RFC 3501: NEW is "RECENT UNSEEN", OLD is "NOT RECENT".
            case .new: return .and([.recent, .not(.flag(.seen))])
            case .old: return .not(.recent)
            case .unanswered: return .not(.flag(.answered))
            case .undeleted: return .not(.flag(.deleted))
            case .undraft: return .not(.flag(.draft))
            case .unflagged: return .not(.flag(.flagged))
            case .unseen: return .not(.flag(.seen))
            case .keyword(let f): return flag(f)
            case .unkeyword(let f): return .not(flag(f))
            case .larger(let n): return .larger(n)
            case .smaller(let n): return .smaller(n)
            case .before(let d): return .internalDate(.before, d.daysSince1970)
            case .on(let d): return .internalDate(.on, d.daysSince1970)
            case .since(let d): return .internalDate(.since, d.daysSince1970)
            case .sentBefore(let d): return .sentDate(.before, d.daysSince1970)
            case .sentOn(let d): return .sentDate(.on, d.daysSince1970)
            case .sentSince(let d): return .sentDate(.since, d.daysSince1970)
            case .savedBefore(let d): return .saveDate(.before, d.daysSince1970)
            case .savedOn(let d): return .saveDate(.on, d.daysSince1970)
            case .savedSince(let d): return .saveDate(.since, d.daysSince1970)
            // RFC 8514 §4: every folder keeps save dates (a message saved before they were
            // kept has none, and is searched by its internal date, as Dovecot does).
            case .saveDateSupported: return .constant(true)
            case .emailID(let id): return .emailID(id)
            // RFC 8474 §5.2: no message has a THREADID (Grammar/ObjectID.swift).
            case .threadID: return .constant(false)
            case .uid(let s): return set(s, uid: true)
            case .sequenceSet(let s): return set(s, uid: false)
            case .modSeq(_, let value):
                // XXX: storage keeps one MODSEQ per message, not one per flag, so the entry
                // name and type (RFC 7162 §3.1.5) narrow nothing: the message's MODSEQ is used.
                usesModSeq = true
                return .modSeq(value)
            case .bcc(let s): return .address(.bcc, try text(s))
            case .cc(let s): return .address(.cc, try text(s))
            case .from(let s): return .address(.from, try text(s))
            case .to(let s): return .address(.to, try text(s))
            case .subject(let s): return .header("subject", try text(s))
            case .header(let name, let s):
                return .header(String(decoding: name, as: UTF8.self).lowercased(), try text(s))
            case .body(let s): return .body(try text(s))
            case .text(let s): return .text(try text(s))
            case .not(let k): return .not(try compile(k))
            case .or(let a, let b): return .or(try compile(a), try compile(b))
            case .and(let keys):
                var nodes: [SearchNode] = []
                nodes.reserveCapacity(keys.count)
                for k in keys { nodes.append(try compile(k)) }
                return .and(nodes)
            }
        }
    }
}

/// One message a search matched.
public struct SearchMatch: Sendable, Hashable {
    public var sequence: UInt32
    public var uid: UInt32
    public var modSeq: UInt64

    public init(sequence: UInt32, uid: UInt32, modSeq: UInt64) {
        self.sequence = sequence
        self.uid = uid
        self.modSeq = modSeq
    }
}
