// SearchMatcher — a SearchProgram bound to one mailbox state, matched against one message at a
// time: flags, keywords, size, dates and numbers come from the message list; header and body
// keys ask for the message octets through a loader that is called at most once per message,
// and only when a key that needs them is reached.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4:
//   - flag keys; NEW = RECENT UNSEEN, OLD = NOT RECENT (\Recent is per session, RFC 3501 §2.3.2);
//   - KEYWORD / UNKEYWORD: keyword names compared case-insensitively (as Dovecot; keywords are
//     atoms, so ASCII);
//   - LARGER / SMALLER: RFC822.SIZE (RFC 3501 §2.3.4: CRLF line ends), strictly;
//   - BEFORE / ON / SINCE: the internal date "disregarding time and timezone", read as a
//     calendar date in `timeZone` (the server's zone, as Dovecot);
//   - SENTBEFORE / SENTON / SENTSINCE: the Date: field's own date (SentDate.swift); a message
//     with no usable Date: uses its internal date (as Dovecot);
//   - HEADER name string: a field of that name whose RFC 2047-decoded, unfolded value contains
//     the string; "If the string to search is zero-length, this matches all messages that
//     have a header line with the specified field-name regardless of the contents";
//   - SUBJECT: HEADER SUBJECT; FROM / TO / CC / BCC: the field's addresses written as
//     `name <local@domain>` (display names RFC 2047-decoded, comments and quoting removed,
//     groups as `group: ... ;`), so both names and addresses are found (RFC 5322 §3.4);
//   - BODY: the text of every text/* part (transfer encoding and charset removed, RFC 2045 §6,
//     RFC 2046 §4.1.2), those inside message/rfc822 parts included; headers are not body (as
//     Dovecot's MESSAGE_SEARCH_FLAG_SKIP_HEADERS);
//   - TEXT: every header field of the message and of its parts, and the body text;
//   - UID, sequence sets ("*" = the largest in use), MODSEQ (at least n, RFC 7162 §3.1.5),
//     NOT, OR, and lists (AND).
// Strings are compared by SearchText's folding (case, width and compatibility forms, white
// space runs).
//
// Header keys first look in the SearchFieldCache (the fields a search used, kept per message
// between searches, as Dovecot's cache file keeps them): a HEADER, SUBJECT, FROM, ... or SENT*
// search of a folder searched for the same field before reads no message file.
//
// Security: the octets are parsed once per message (the header alone when only header keys
// need it); each decoded text is folded once and cached for the rest of that message's
// evaluation. MIME parsing keeps to MIMELimits. Cached field lines are parsed with the same
// header parser as the message.

import MailroomMIME
import MailroomMaildir

/// A compiled search bound to a mailbox state.
public struct SearchMatcher: Sendable {
    let root: SearchNode
    /// The largest message sequence number and UID in use: what "*" stands for.
    public let highestSequence: UInt32
    public let highestUID: UInt32
    public let timeZone: SearchTimeZone

    init(program root: SearchNode, highestSequence: UInt32, highestUID: UInt32, timeZone: SearchTimeZone) {
        self.root = root.bound(highestSequence: highestSequence, highestUID: highestUID)
        self.highestSequence = highestSequence
        self.highestUID = highestUID
        self.timeZone = timeZone
    }

    /// Whether the message matches. `sequence` is its message sequence number, `isRecent`
    /// whether it is \Recent in this session; `content` gives its octets (called at most once,
    /// and only when a header or body key is evaluated).
    public func matches<E: Error>(_ info: MessageInfo, sequence: UInt32, isRecent: Bool, fieldCache: SearchFieldCache? = nil,
                                  content: () throws(E) -> [UInt8]) throws(E) -> Bool {
        var state = MessageContent(uid: info.uid, fieldCache: fieldCache)
        let facts = Facts(info: info, sequence: sequence, isRecent: isRecent)
        return try evaluate(root, facts, &state, content)
    }

    struct Facts {
        let info: MessageInfo
        let sequence: UInt32
        let isRecent: Bool
    }

    func evaluate<E: Error>(_ node: SearchNode, _ m: Facts, _ content: inout MessageContent,
                            _ load: () throws(E) -> [UInt8]) throws(E) -> Bool {
        switch node {
        case .constant(let value): return value
        case .flag(let flag): return m.info.flags.contains(flag)
        case .recent: return m.isRecent
        case .keyword(let name):
            return m.info.keywords.contains { ASCIIFold.equal($0.utf8, name) }
        case .larger(let n): return m.info.size >= 0 && UInt64(m.info.size) > n
        case .smaller(let n): return m.info.size >= 0 && UInt64(m.info.size) < n
        case .internalDate(let test, let day): return test.matches(timeZone.day(of: m.info.internalDate), day)
        case .set(let set, let uid):
            // `init` binds every set to ranges; this is the same test without the sorting.
            return uid ? set.contains(m.info.uid, max: highestUID) : set.contains(m.sequence, max: highestSequence)
        case .ranges(let ranges, let uid): return SearchNode.contains(ranges, uid ? m.info.uid : m.sequence)
        case .modSeq(let n): return m.info.modSeq >= n
        case .saveDate(let test, let day): return test.matches(timeZone.day(of: m.info.saveDate ?? m.info.internalDate), day)
        case .emailID(let id): return ObjectID.emailID(guid: m.info.guid) == id
        case .sentDate(let test, let day):
            let sent = try content.sentDay(load) ?? timeZone.day(of: m.info.internalDate)
            return test.matches(sent, day)
        case .header(let name, let needle):
            let values = try content.headerValues(name, load)
            if needle.utf8.isEmpty { return !values.isEmpty }
            return values.contains { $0.contains(needle) }
        case .address(let field, let needle):
            let values = try content.addressValues(field, load)
            if needle.utf8.isEmpty { return !values.isEmpty }
            return values.contains { $0.contains(needle) }
        case .body(let needle):
            if needle.utf8.isEmpty { return true }
            try content.load(load)
            return content.bodyTexts().contains { $0.contains(needle) }
        case .text(let needle):
            if needle.utf8.isEmpty { return true }
            try content.load(load)
            return content.allHeaderTexts().contains { $0.contains(needle) }
                || content.bodyTexts().contains { $0.contains(needle) }
        case .not(let n): return try !evaluate(n, m, &content, load)
        case .or(let a, let b):
            if try evaluate(a, m, &content, load) { return true }
            return try evaluate(b, m, &content, load)
        case .and(let nodes):
            for n in nodes {
                if try !evaluate(n, m, &content, load) { return false }
            }
            return true
        }
    }
}

/// Header fields kept between searches, per message and field name: the field's lines exactly
/// as in the message (every occurrence; empty when the message has none). Dovecot keeps the
/// fields a search used in its cache file the same way, so the next search for them reads no
/// message. The engine backs it with the folder's field cache (`MailStorage.cachedField`).
public struct SearchFieldCache {
    let lookup: (UInt32, String) -> [UInt8]?
    let store: (UInt32, String, [UInt8]) -> Void

    public init(lookup: @escaping (_ uid: UInt32, _ key: String) -> [UInt8]?,
                store: @escaping (_ uid: UInt32, _ key: String, _ lines: [UInt8]) -> Void) {
        self.lookup = lookup
        self.store = store
    }

    /// The cache key of a field name ("hdr." and the name in lower case).
    public static func key(_ name: String) -> String { "hdr." + name.lowercased() }

    /// The cached form of `fields` found in `bytes`: their lines, each ending in a line end.
    static func lines(_ fields: [HeaderField], in bytes: [UInt8]) -> [UInt8] {
        var lines: [UInt8] = []
        for field in fields {
            lines += bytes[field.range]
            if lines.last != 0x0A { lines += [0x0D, 0x0A] }
        }
        return lines
    }

    /// A header holding the `names` fields of message `uid` (what SORT and THREAD compare):
    /// from the cache when it has every one of them, else from the message `load` gives, whose
    /// fields are then cached.
    func header(uid: UInt32, names: [String], load: () -> [UInt8]) -> MIMEHeader {
        var cached: [UInt8] = []
        for name in names {
            guard let lines = lookup(uid, Self.key(name)) else {
                let bytes = load()
                let header = MIMEHeader.parse(bytes)
                for name in names { store(uid, Self.key(name), Self.lines(header.all(name), in: bytes)) }
                return header
            }
            cached += lines
        }
        return MIMEHeader.parse(cached)
    }
}

/// Where a message's body text is, as the field cache keeps it (value of `key`): 0x01 and, per
/// text part, its octet range in the message (two little-endian u32s, start and end), when every
/// text part is ASCII as stored; a single 0x00 when the message must be parsed (some text part
/// is transfer-encoded or not ASCII). A UID's file never changes, so neither does its plan.
enum BodyTextPlan {
    static let key = "search.body"

    static func encode(_ ranges: [Range<Int>]?) -> [UInt8] {
        guard let ranges, ranges.allSatisfy({ $0.upperBound <= Int(UInt32.max) }) else { return [0] }
        var out: [UInt8] = [1]
        out.reserveCapacity(1 + 8 * ranges.count)
        for range in ranges {
            for value in [UInt32(range.lowerBound), UInt32(range.upperBound)] {
                withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// The ranges of a plan, each within a message of `count` octets; nil for "parse it" and for
    /// a plan that is damaged or does not fit the message.
    static func ranges(_ plan: [UInt8], count: Int) -> [Range<Int>]? {
        guard plan.first == 1, (plan.count - 1) % 8 == 0 else { return nil }
        var ranges: [Range<Int>] = []
        var i = 1
        while i < plan.count {
            var pair: (UInt32, UInt32) = (0, 0)
            withUnsafeMutableBytes(of: &pair) { $0.copyBytes(from: plan[i..<(i + 8)]) }
            let start = Int(UInt32(littleEndian: pair.0)), end = Int(UInt32(littleEndian: pair.1))
            guard start <= end, end <= count else { return nil }
            ranges.append(start..<end)
            i += 8
        }
        return ranges
    }
}

/// One message's content as the evaluation of its keys needs it, each piece made once.
struct MessageContent {
    let uid: UInt32
    let fieldCache: SearchFieldCache?
    private(set) var bytes: [UInt8]?
    private var header: MIMEHeader?
    private var fieldsCache: [String: [HeaderField]] = [:]
    private var message: MIMEMessage?
    private var headerCache: [String: [FoldedText]] = [:]
    private var addressCache: [AddressField: [FoldedText]] = [:]
    private var sentDayCache: Int??
    private var bodyCache: [SearchableText]?
    private var allHeadersCache: [FoldedText]?

    init(uid: UInt32 = 0, fieldCache: SearchFieldCache? = nil) {
        self.uid = uid
        self.fieldCache = fieldCache
    }

    mutating func load<E: Error>(_ loader: () throws(E) -> [UInt8]) throws(E) {
        if bytes == nil { bytes = try loader() }
    }

    /// The message's own fields called `name`: from the field cache while the message is not
    /// loaded, else from its header (and then remembered in the field cache).
    private mutating func fields<E: Error>(_ name: String, _ loader: () throws(E) -> [UInt8]) throws(E) -> [HeaderField] {
        if let known = fieldsCache[name] { return known }
        let key = SearchFieldCache.key(name)
        if bytes == nil, let cache = fieldCache, let lines = cache.lookup(uid, key) {
            let found = MIMEHeader.parse(lines).all(name)
            fieldsCache[name] = found
            return found
        }
        try load(loader)
        let found = topHeader().all(name)
        fieldsCache[name] = found
        if let cache = fieldCache, let bytes { cache.store(uid, key, SearchFieldCache.lines(found, in: bytes)) }
        return found
    }

    /// The message's own header (the whole message is not parsed for it).
    private mutating func topHeader() -> MIMEHeader {
        if let message { return message.root.header }
        if let header { return header }
        let parsed = MIMEHeader.parse(bytes ?? [])
        header = parsed
        return parsed
    }

    private mutating func mime() -> MIMEMessage {
        if let message { return message }
        let parsed = MIMEMessage.parse(bytes ?? [])
        message = parsed
        return parsed
    }

    mutating func sentDay<E: Error>(_ loader: () throws(E) -> [UInt8]) throws(E) -> Int? {
        if let cached = sentDayCache { return cached }
        let day = try fields("Date", loader).first.flatMap { SentDate.parse($0.unfoldedValue) }?.daysSince1970
        sentDayCache = .some(day)
        return day
    }

    mutating func headerValues<E: Error>(_ name: String, _ loader: () throws(E) -> [UInt8]) throws(E) -> [FoldedText] {
        if let cached = headerCache[name] { return cached }
        let values = try fields(name, loader).map { FoldedText(EncodedWord.displayText(of: $0)) }
        headerCache[name] = values
        return values
    }

    mutating func addressValues<E: Error>(_ field: AddressField, _ loader: () throws(E) -> [UInt8]) throws(E) -> [FoldedText] {
        if let cached = addressCache[field] { return cached }
        let values = try fields(field.rawValue, loader).map { FoldedText(Self.addressText($0)) }
        addressCache[field] = values
        return values
    }

    /// The texts BODY and TEXT look in: every text/* part, decoded. When every text part of a
    /// message is ASCII as stored (7bit or 8bit, in a charset that keeps ASCII: most mail), the
    /// parts' octet ranges are kept in the field cache (`BodyTextPlan`), so the next search
    /// takes them straight from the message without parsing its MIME structure again.
    mutating func bodyTexts() -> [SearchableText] {
        if let bodyCache { return bodyCache }
        let octets = bytes ?? []
        let plan = fieldCache?.lookup(uid, BodyTextPlan.key)
        if message == nil, let plan, let ranges = BodyTextPlan.ranges(plan, count: octets.count) {
            let texts = ranges.map { SearchableText.ascii(octets[$0]) }
            bodyCache = texts
            return texts
        }
        let message = mime()
        var ranges: [Range<Int>]? = []
        let texts = message.parts.compactMap { part -> SearchableText? in
            if let text = message.asciiText(of: part) {
                switch part.contentTransferEncoding {
                case .base64, .quotedPrintable: ranges = nil   // decoded: not a range of the message
                default: ranges?.append(text.indices)
                }
                return .ascii(text)
            }
            guard let decoded = message.decodedText(of: part) else { return nil }
            ranges = nil
            return .folded(FoldedText(decoded))
        }
        if plan == nil { fieldCache?.store(uid, BodyTextPlan.key, BodyTextPlan.encode(ranges)) }
        bodyCache = texts
        return texts
    }

    mutating func allHeaderTexts() -> [FoldedText] {
        if let allHeadersCache { return allHeadersCache }
        let message = mime()
        var texts: [FoldedText] = []
        for part in message.parts {
            for field in part.header.fields {
                texts.append(FoldedText(field.name + ": " + EncodedWord.displayText(of: field)))
            }
        }
        allHeadersCache = texts
        return texts
    }

    /// An address field as `name <local@domain>, group: ... ;`.
    static func addressText(_ field: HeaderField) -> String {
        var pieces: [String] = []
        for item in AddressList.parse(field.unfoldedValue) {
            switch item {
            case .mailbox(let mailbox):
                var address = Charset.decodeText(mailbox.localPart, charset: nil)
                if let domain = mailbox.domain { address += "@" + Charset.decodeText(domain, charset: nil) }
                if let name = mailbox.name, !name.isEmpty {
                    pieces.append(EncodedWord.decode(name) + " <" + address + ">")
                } else {
                    pieces.append(address)
                }
            case .groupStart(let name):
                pieces.append(EncodedWord.decode(name) + ":")
            case .groupEnd:
                pieces.append(";")
            }
        }
        return pieces.joined(separator: " ")
    }
}

/// ASCII case-insensitive comparison of keyword names.
enum ASCIIFold {
    static func equal(_ a: some Collection<UInt8>, _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lower($0) == lower($1) }
    }

    static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
}
