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
        try parse(bytes: Array(text.utf8))
    }

    /// Parses the file's bytes (a folder of 100,000 messages has a 7 MB list, so this works on
    /// bytes, not Characters).
    public static func parse(bytes: [UInt8]) throws(ParseError) -> Parsed {
        let newline = UInt8(ascii: "\n"), space = UInt8(ascii: " "), colon = UInt8(ascii: ":")
        let headerEnd = bytes.firstIndex(of: newline) ?? bytes.endIndex
        let header = String(decoding: bytes[..<headerEnd], as: UTF8.self)
        guard !header.isEmpty else { throw ParseError(line: 1, reason: "empty file") }
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
        var lineNumber = 1
        var start = headerEnd
        while start < bytes.endIndex {
            start += 1   // past the newline
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: newline) ?? bytes.endIndex
            defer { start = end }
            let line = bytes[start..<end]
            if line.isEmpty { continue }
            // "<uid> [<ext> …] :<file name>": the name starts after the first " :" (or a leading ':').
            var nameStart: Int? = line.first == colon ? line.startIndex + 1 : nil
            if nameStart == nil {
                var i = line.startIndex
                while i + 1 < line.endIndex {
                    if line[i] == space && line[i + 1] == colon { nameStart = i + 2; break }
                    i += 1
                }
            }
            guard let nameStart else {
                problems.append(ParseError(line: lineNumber, reason: "record has no ' :' before the file name"))
                continue
            }
            let head = line[line.startIndex..<max(line.startIndex, nameStart - 2)].split(separator: space)
            guard let uidBytes = head.first, let uid = decimal(uidBytes), uid > 0 else {
                problems.append(ParseError(line: lineNumber, reason: "record has no valid UID"))
                continue
            }
            guard uid > lastUID else {
                problems.append(ParseError(line: lineNumber, reason: "UID \(uid) does not increase (after \(lastUID))"))
                continue
            }
            let nameBytes = line[nameStart...]
            guard !nameBytes.isEmpty, !nameBytes.contains(UInt8(ascii: "/")) else {
                problems.append(ParseError(line: lineNumber, reason: "bad file name '\(String(decoding: nameBytes, as: UTF8.self))'"))
                continue
            }
            let extensions = head.dropFirst().compactMap { field -> Record.Extension? in
                let text = String(decoding: field, as: UTF8.self)
                guard let key = text.first else { return nil }
                return Record.Extension(key: key, value: String(text.dropFirst()))
            }
            list.records.append(Record(uid: uid, extensions: extensions, fileName: String(decoding: nameBytes, as: UTF8.self)))
            lastUID = uid
        }
        // A next UID at or below a used UID would reuse UIDs: never allow it. This is normal,
        // not damage: Dovecot appends records without rewriting the header, so N lags behind.
        list.nextUID = max(list.nextUID, lastUID + 1)
        return Parsed(list: list, problems: problems)
    }

    /// A decimal UInt32 from ASCII digits; nil for anything else or overflow.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= 0x30, d <= 0x39 else { return nil }
            value = value * 10 + UInt64(d - 0x30)
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
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
