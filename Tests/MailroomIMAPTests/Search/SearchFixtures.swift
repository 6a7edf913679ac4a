// SearchFixtures.swift — helpers for the Search tests: a small in-memory mailbox built from
// message texts, SEARCH commands parsed with the real command parser, and a count of message
// loads so tests can prove which searches read content.

@testable import MailroomIMAP
import MailroomMaildir
import Testing

/// A mailbox of test messages.
struct SearchMailbox {
    var messages: [MessageInfo] = []
    var contents: [UInt32: [UInt8]] = [:]
    var recent: Set<UInt32> = []
    var timeZone: SearchTimeZone = .utc
    var nextUID: UInt32 = 1

    /// 2024-03-10 12:00:00 UTC.
    static let defaultDate: Int64 = 1_710_072_000

    /// Adds a message; `text` uses "\n", stored with CRLF line ends (RFC822.SIZE counts those).
    @discardableResult
    mutating func add(_ text: String, flags: SystemFlags = [], keywords: [String] = [], internalDate: Int64 = defaultDate,
                      modSeq: UInt64 = 1, recent isRecent: Bool = false, uid: UInt32? = nil) -> UInt32 {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x0A, bytes.last != 0x0D { bytes.append(0x0D) }
            bytes.append(byte)
        }
        return addRaw(bytes, flags: flags, keywords: keywords, internalDate: internalDate, modSeq: modSeq,
                      recent: isRecent, uid: uid)
    }

    @discardableResult
    mutating func addRaw(_ bytes: [UInt8], flags: SystemFlags = [], keywords: [String] = [],
                         internalDate: Int64 = defaultDate, modSeq: UInt64 = 1, recent isRecent: Bool = false,
                         uid: UInt32? = nil) -> UInt32 {
        let uid = uid ?? nextUID
        nextUID = uid + 1
        messages.append(MessageInfo(uid: uid, flags: flags, keywords: keywords, size: Int64(bytes.count),
                                    internalDate: internalDate, modSeq: modSeq))
        contents[uid] = bytes
        if isRecent { recent.insert(uid) }
        return uid
    }

    /// Runs a compiled program; returns the matches and how many messages were loaded.
    func run(_ program: SearchProgram) -> (matches: [SearchMatch], loads: Int) {
        var loads = 0
        let matches = program.search(messages, recent: recent, timeZone: timeZone) { info in
            loads += 1
            return contents[info.uid] ?? []
        }
        return (matches, loads)
    }

    /// Sequence numbers (or UIDs for UID SEARCH) matched by a SEARCH command line without tag,
    /// e.g. "SEARCH OR SEEN FLAGGED".
    func search(_ command: String, saved: SequenceSet? = nil) throws -> [UInt32] {
        let parsed = try SearchCommand(command)
        let program = try SearchProgram(criteria: parsed.criteria, charset: parsed.charset, savedResult: saved)
        return SearchResult.numbers(run(program).matches, uid: parsed.uid)
    }

    /// Sequence numbers matched by criteria given as keys.
    func search(_ criteria: [SearchKey], charset: String? = nil) throws -> [UInt32] {
        SearchResult.numbers(run(try SearchProgram(criteria: criteria, charset: charset)).matches, uid: false)
    }
}

/// A SEARCH or UID SEARCH command parsed by IMAPCommandParser.
struct SearchCommand {
    var uid: Bool
    var returnOptions: [SearchReturnOption]?
    var charset: String?
    var criteria: [SearchKey]

    struct NotASearch: Error {}

    init(_ text: String) throws {
        let tagged = try IMAPCommandParser().parse(Array(("T1 " + text).utf8))
        guard case .search(let uid, let returnOptions, let charset, let criteria) = tagged.command else { throw NotASearch() }
        self.uid = uid
        self.returnOptions = returnOptions
        self.charset = charset
        self.criteria = criteria
    }
}

/// Seconds since 1970 of a UTC date and time.
func utcSeconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Int64 {
    Int64(IMAPDate(year: year, month: month, day: day)!.daysSince1970) * 86_400 + Int64(hour * 3600 + minute * 60)
}
