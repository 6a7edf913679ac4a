// MaildirSize — the Maildir++ quota file `maildirsize` in the Maildir root: the quota definition
// and a running total of bytes and messages, kept by appending one line per change. Courier
// (maildrop, deliverquota, Courier-IMAP) and Dovecot's quota backend "maildir" read and write it,
// so a Mailroom store and a Dovecot or Courier store agree on quota use.
//
// Standard: Courier's maildirquota specification (courier-libs maildir/README.maildirquota.html):
//   - "Contents of maildirsize": the first line is the quota definition, a comma-separated list
//     of <integer><letter>: 'S' total size in bytes, 'C' message count ("10000000S,1000C"); a
//     missing part or 0 means no limit for it. Each further line holds two whitespace-separated
//     signed integers, a byte delta and a message delta; Courier pads them with spaces.
//   - "Calculating the quota": the file is recalculated from the folders when it is at least
//     5120 bytes long (`recalculationFileSize`); Dovecot and Courier also recalculate when a line
//     does not parse or a total is negative (Dovecot's quota-maildir.c), and before refusing mail
//     on an over-quota reading unless the file is a single fresh totals line (`staleAfterSeconds`).
//   - "Delivering to a Maildir++": a delivery is refused when the new totals would be over a
//     limit (Courier's checkOneQuota: size > quota); equal to the limit is still allowed.
// Written forms follow Dovecot: the definition "0S" for no limits (never an empty line), lines
// "<bytes> <count>\n" without padding. A line without its '\n' at the end of the file is an
// append in progress and is not counted (Dovecot does the same).
// Security: the file is in the user's Maildir and may be damaged or edited. Parsing never traps:
// overflowing numbers, NUL bytes and malformed lines only ask for a recalculation; a definition
// line that does not parse throws, so the caller falls back to the configured limits.

public struct MaildirSize: Sendable, Equatable {
    /// The file's name in the Maildir root.
    public static let fileName = "maildirsize"
    /// README.maildirquota, "Calculating the quota for a Maildir++": "if its size is at least 5120
    /// bytes, recalculate it".
    public static let recalculationFileSize = 5120
    /// README.maildirquota, step 4: an over-quota reading from a file older than 15 minutes, or
    /// with more than one line of totals, is recalculated before mail is refused.
    public static let staleAfterSeconds: Int64 = 15 * 60

    /// Quota limits; nil (or a value ≤ 0) is no limit.
    public struct Limits: Sendable, Equatable, CustomStringConvertible {
        public var bytes: Int64?
        public var messages: Int64?

        public static let unlimited = Limits()

        /// Non-positive values are stored as nil: "0S" means no size limit.
        public init(bytes: Int64? = nil, messages: Int64? = nil) {
            self.bytes = bytes.flatMap { $0 > 0 ? $0 : nil }
            self.messages = messages.flatMap { $0 > 0 ? $0 : nil }
        }

        /// Parses a quota definition such as "10000000S,1000C", "1000C" or "0S". An empty
        /// definition is no limit. Each part is decimal digits and 'S' or 'C', at most once each.
        public static func parse(_ definition: some StringProtocol) throws(ParseError) -> Limits {
            try parse(definitionBytes: Array(definition.utf8))
        }

        static func parse(definitionBytes bytes: [UInt8]) throws(ParseError) -> Limits {
            var limits = Limits()
            var seenSize = false
            var seenCount = false
            if bytes.isEmpty { return limits }
            for part in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let shown = String(decoding: part, as: UTF8.self)
                guard let kind = part.last, part.count >= 2,
                      let value = parseUnsigned(part.dropLast()) else {
                    throw ParseError(line: 1, reason: "quota definition part '\(shown)' is not <number>S or <number>C")
                }
                switch kind {
                case UInt8(ascii: "S") where !seenSize:
                    seenSize = true
                    limits.bytes = value > 0 ? value : nil
                case UInt8(ascii: "C") where !seenCount:
                    seenCount = true
                    limits.messages = value > 0 ? value : nil
                case UInt8(ascii: "S"), UInt8(ascii: "C"):
                    throw ParseError(line: 1, reason: "quota definition gives '\(Character(Unicode.Scalar(kind)))' twice")
                default:
                    throw ParseError(line: 1, reason: "quota definition part '\(shown)' has unknown type (not S or C)")
                }
            }
            return limits
        }

        /// The definition line without its newline, e.g. "10000000S,1000C".
        public var description: String { MaildirSize.definitionLine(self) }

        /// The limits in force: a non-positive value (set through the vars) is no limit.
        var effectiveBytes: Int64? { bytes.flatMap { $0 > 0 ? $0 : nil } }
        var effectiveMessages: Int64? { messages.flatMap { $0 > 0 ? $0 : nil } }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "maildirsize line \(line): \(reason)" }
    }

    /// The limits from the first line.
    public var limits: Limits
    /// The sum of the byte deltas.
    public var usedBytes: Int64
    /// The sum of the message deltas.
    public var usedMessages: Int64
    /// True when the totals cannot be trusted and the file must be rebuilt from the folders
    /// (see the header). The limits are still usable.
    public var needsRecalculation: Bool
    /// The number of complete lines after the definition.
    public var deltaLineCount: Int
    /// What made `needsRecalculation` true, for the log (empty when only the size did).
    public var problems: [ParseError]

    public init(limits: Limits, usedBytes: Int64, usedMessages: Int64, needsRecalculation: Bool = false,
                deltaLineCount: Int = 1, problems: [ParseError] = []) {
        self.limits = limits
        self.usedBytes = usedBytes
        self.usedMessages = usedMessages
        self.needsRecalculation = needsRecalculation
        self.deltaLineCount = deltaLineCount
        self.problems = problems
    }

    /// Parses the whole file. Throws only when the first line (the limits) is missing or bad.
    public static func parse(_ text: String) throws(ParseError) -> MaildirSize {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses the file's bytes as read from disk.
    public static func parse(bytes: [UInt8]) throws(ParseError) -> MaildirSize {
        let newline = UInt8(ascii: "\n")
        guard !bytes.isEmpty else { throw ParseError(line: 1, reason: "empty file: no quota definition") }
        var lines = bytes.split(separator: newline, omittingEmptySubsequences: false)
        // The piece after the last '\n' is empty for a well-formed file; otherwise it is a line
        // being appended right now (or the definition of a file with one unterminated line).
        let unterminated = lines.removeLast()
        if lines.isEmpty { lines = [unterminated] }
        let definition = lines.removeFirst()
        if definition.contains(0) { throw ParseError(line: 1, reason: "NUL byte in quota definition") }
        let limits = try Limits.parse(definitionBytes: Array(definition))

        var result = MaildirSize(limits: limits, usedBytes: 0, usedMessages: 0, deltaLineCount: 0)
        if bytes.count >= recalculationFileSize { result.needsRecalculation = true }
        var overflowed = false
        for (offset, line) in lines.enumerated() {
            let lineNumber = offset + 2
            result.deltaLineCount += 1
            guard let (byteDelta, countDelta) = parseDeltaLine(line) else {
                result.needsRecalculation = true
                result.problems.append(ParseError(line: lineNumber, reason: "not '<bytes> <messages>'"))
                continue
            }
            let (b, bOverflow) = result.usedBytes.addingReportingOverflow(byteDelta)
            let (m, mOverflow) = result.usedMessages.addingReportingOverflow(countDelta)
            if bOverflow || mOverflow {
                if !overflowed {
                    result.problems.append(ParseError(line: lineNumber, reason: "total overflows"))
                }
                overflowed = true
                result.needsRecalculation = true
                continue
            }
            result.usedBytes = b
            result.usedMessages = m
        }
        if result.deltaLineCount == 0 {
            result.needsRecalculation = true
            result.problems.append(ParseError(line: 2, reason: "no totals after the quota definition"))
        }
        if result.usedBytes < 0 || result.usedMessages < 0 {
            result.needsRecalculation = true
            result.problems.append(ParseError(line: lines.count + 1,
                                              reason: "negative total (\(result.usedBytes) bytes, \(result.usedMessages) messages)"))
        }
        return result
    }

    /// The quota definition, without a newline: "10000000S,1000C", "1000C", or "0S" for none.
    public static func definitionLine(_ limits: Limits) -> String {
        var parts: [String] = []
        if let bytes = limits.effectiveBytes { parts.append("\(bytes)S") }
        if let messages = limits.effectiveMessages { parts.append("\(messages)C") }
        return parts.isEmpty ? "0S" : parts.joined(separator: ",")
    }

    /// A freshly recalculated file: the definition and one line of totals.
    public static func fileContents(limits: Limits, bytes: Int64, messages: Int64) -> String {
        definitionLine(limits) + "\n" + deltaLine(bytes: bytes, messages: messages)
    }

    /// One line to append (newline included, so it goes out in one write on an O_APPEND file):
    /// "+size 1" after a delivery, "-size -1" after a removal.
    public static func deltaLine(bytes: Int64, messages: Int64) -> String {
        "\(bytes) \(messages)\n"
    }

    /// Whether adding `addingBytes` and `addingMessages` to the totals would put them over
    /// `limits` (Courier: refused when a new total is greater than its limit).
    /// Only meaningful when `needsRecalculation` is false.
    public func wouldExceed(limits: Limits, addingBytes: Int64, addingMessages: Int64) -> Bool {
        func over(_ used: Int64, _ adding: Int64, _ limit: Int64?) -> Bool {
            guard let limit else { return false }
            let (total, overflow) = used.addingReportingOverflow(adding)
            if overflow { return adding > 0 }
            return total > limit
        }
        return over(usedBytes, addingBytes, limits.effectiveBytes)
            || over(usedMessages, addingMessages, limits.effectiveMessages)
    }

    /// Whether an over-quota reading may be acted on without recalculating first: only when the
    /// file is one fresh line of totals (README.maildirquota, "Calculating the quota", step 4).
    public func overQuotaReadingIsTrusted(fileAgeSeconds: Int64) -> Bool {
        !needsRecalculation && deltaLineCount == 1 && fileAgeSeconds < Self.staleAfterSeconds
    }

    // MARK: - Parsing helpers

    /// Digits only, fitting Int64.
    private static func parseUnsigned(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(d - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// Optional '-' then digits.
    private static func parseSigned(_ field: ArraySlice<UInt8>) -> Int64? {
        if field.first == UInt8(ascii: "-") {
            // -(Int64.max) is the lowest we accept; a file never needs Int64.min.
            return parseUnsigned(field.dropFirst()).map { -$0 }
        }
        return parseUnsigned(field)
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        // Courier reads with isspace(): space, \t, \v, \f, \r (\n ends the line).
        b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D
    }

    /// "<bytes> <count>" with any spaces around and between; exactly two fields.
    private static func parseDeltaLine(_ line: ArraySlice<UInt8>) -> (Int64, Int64)? {
        let fields = line.split(whereSeparator: isSpace)
        guard fields.count == 2, let bytes = parseSigned(fields[0]), let count = parseSigned(fields[1]) else {
            return nil
        }
        return (bytes, count)
    }
}
