// DovecotUIDList — the `dovecot-uidlist` file (version 3) that maps Maildir file names to IMAP
// UIDs, so Dovecot can serve a Mailroom store and Mailroom can take over a Dovecot store with
// every UID intact.
//
// Format (Dovecot's maildir-uidlist.c, version 3):
//   header:  `3 V<uidvalidity> N<next uid> [G<mailbox guid, 32 hex>] [other Xvalue fields]`
//   records: `<uid> [<X><value> …] :<file name without the :2, info part>`
// Record extension fields we know: W (RFC 822 size), S (file size), G (message GUID); others are
// kept as they are. Records are in increasing UID order.
// Bad input: a header that is not version 3, a UID that does not increase, or a record without
// ':' is reported with its line (callers rebuild the list from the files, keeping what parsed);
// it never crashes.

public struct DovecotUIDList: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        public var uid: UInt32
        /// Extension fields in file order, e.g. ("W", "2048").
        public var extensions: [Extension]
        /// The base file name (no `:2,` info).
        public var fileName: String

        public struct Extension: Sendable, Equatable {
            public var key: Character
            public var value: String
            public init(key: Character, value: String) {
                self.key = key
                self.value = value
            }
        }

        public init(uid: UInt32, extensions: [Extension] = [], fileName: String) {
            self.uid = uid
            self.extensions = extensions
            self.fileName = fileName
        }
    }

    public var uidValidity: UInt32
    public var nextUID: UInt32
    /// The mailbox GUID (32 hex digits), if the header has one.
    public var mailboxGUID: String?
    /// Header fields other than V, N and G, kept for a faithful rewrite.
    public var otherHeaderFields: [String]
    public var records: [Record]

    public init(uidValidity: UInt32, nextUID: UInt32 = 1, mailboxGUID: String? = nil,
                otherHeaderFields: [String] = [], records: [Record] = []) {
        self.uidValidity = uidValidity
        self.nextUID = nextUID
        self.mailboxGUID = mailboxGUID
        self.otherHeaderFields = otherHeaderFields
        self.records = records
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "dovecot-uidlist line \(line): \(reason)" }
    }

    /// The result of parsing: the list as far as it could be read, and the problems found.
    public struct Parsed: Sendable, Equatable {
        public var list: DovecotUIDList
        public var problems: [ParseError]
    }

    /// Parses the file. A bad header throws (nothing is usable); bad records are skipped and
    /// reported, so a truncated or damaged file loses only what is damaged.
    public static func parse(_ text: String) throws(ParseError) -> Parsed {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, !header.isEmpty else {
            throw ParseError(line: 1, reason: "empty file")
        }
        let fields = header.split(separator: " ")
        guard fields.first == "3" else {
            throw ParseError(line: 1, reason: "version '\(fields.first ?? "")' is not 3")
        }
        var uidValidity: UInt32? = nil
        var nextUID: UInt32? = nil
        var guid: String? = nil
        var others: [String] = []
        for field in fields.dropFirst() {
            guard let key = field.first else { continue }
            let value = field.dropFirst()
            switch key {
            case "V": uidValidity = UInt32(value)
            case "N": nextUID = UInt32(value)
            case "G": guid = String(value)
            default: others.append(String(field))
            }
        }
        guard let uidValidity, uidValidity > 0 else {
            throw ParseError(line: 1, reason: "missing or invalid V (UIDVALIDITY)")
        }
        var list = DovecotUIDList(uidValidity: uidValidity, nextUID: max(nextUID ?? 1, 1),
                                  mailboxGUID: guid, otherHeaderFields: others)
        var problems: [ParseError] = []
        var lastUID: UInt32 = 0
        for (offset, rawLine) in lines.dropFirst().enumerated() {
            let lineNumber = offset + 2
            if rawLine.isEmpty { continue }
            guard let colon = rawLine.range(of: " :") ?? (rawLine.hasPrefix(":") ? rawLine.range(of: ":") : nil) else {
                problems.append(ParseError(line: lineNumber, reason: "record has no ' :' before the file name"))
                continue
            }
            let head = rawLine[..<colon.lowerBound].split(separator: " ")
            let fileName = String(rawLine[colon.upperBound...])
            guard let uidText = head.first, let uid = UInt32(uidText), uid > 0 else {
                problems.append(ParseError(line: lineNumber, reason: "record has no valid UID"))
                continue
            }
            guard uid > lastUID else {
                problems.append(ParseError(line: lineNumber, reason: "UID \(uid) does not increase (after \(lastUID))"))
                continue
            }
            guard !fileName.isEmpty, !fileName.contains("/") else {
                problems.append(ParseError(line: lineNumber, reason: "bad file name '\(fileName)'"))
                continue
            }
            let extensions = head.dropFirst().compactMap { field -> Record.Extension? in
                guard let key = field.first else { return nil }
                return Record.Extension(key: key, value: String(field.dropFirst()))
            }
            list.records.append(Record(uid: uid, extensions: extensions, fileName: fileName))
            lastUID = uid
        }
        // A next UID at or below a used UID would reuse UIDs: never allow it. This is normal,
        // not damage: Dovecot appends records without rewriting the header, so N lags behind.
        list.nextUID = max(list.nextUID, lastUID + 1)
        return Parsed(list: list, problems: problems)
    }

    /// The file text, as Dovecot writes it.
    public var serialized: String {
        var header = "3 V\(uidValidity) N\(nextUID)"
        if let mailboxGUID { header += " G\(mailboxGUID)" }
        for field in otherHeaderFields { header += " \(field)" }
        var out = header + "\n"
        for record in records {
            out += "\(record.uid)"
            for ext in record.extensions { out += " \(ext.key)\(ext.value)" }
            out += " :\(record.fileName)\n"
        }
        return out
    }

    /// Appends a file under the next UID and returns that UID.
    @discardableResult
    public mutating func append(fileName: String, extensions: [Record.Extension] = []) -> UInt32 {
        let uid = nextUID
        records.append(Record(uid: uid, extensions: extensions, fileName: fileName))
        nextUID += 1
        return uid
    }
}
