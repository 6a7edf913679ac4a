// Quota — a mailbox quota (bytes and/or messages), with the vpopmail / Maildir++ text syntax.
//
// Standards: Maildir++ quotas (Courier's maildirquota.7 / "maildirsize" first line:
// "<bytes>S,<count>C", a part omitted when it has no limit) and vpopmail's quota strings
// ("NOQUOTA", "100M", "1048576", "100M,5000C"). Size suffixes are binary (K = 1024), as in
// vpopmail. There is no RFC for either.
//
// Security: parsing is strict and all arithmetic is overflow-checked, so a mistyped or hostile
// quota string is an error naming the problem, never a silently huge, zero or negative limit.

public struct QuotaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. "'10X': unknown size suffix 'X' (use K, M, G or T)".
    public let message: String

    public init(message: String) { self.message = message }

    /// "invalid quota: …".
    public var description: String { "invalid quota: \(message)" }
}

public struct Quota: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Byte limit; nil = unlimited.
    public var bytes: Int64?
    /// Message-count limit; nil = unlimited.
    public var messages: Int64?

    /// Limits should be positive: `description` of a zero or negative limit does not parse back.
    public init(bytes: Int64?, messages: Int64?) {
        self.bytes = bytes
        self.messages = messages
    }

    public static let unlimited = Quota(bytes: nil, messages: nil)

    /// Binary size units, largest first, used for both parsing and `description`.
    private static let units: [(suffix: Character, shift: Int64)] = [("T", 40), ("G", 30), ("M", 20), ("K", 10)]

    /// vpopmail / Maildir++ syntax: "NOQUOTA" (any case; also "none", "unlimited") → unlimited; "100M", "2G", "512K", "1T", "1.5G", "100MB", "2GiB",
    /// plain bytes "1048576" (suffixes are binary: K=1024); Maildir++ "1000000S,1000C", "100M,5000C" or "5000C" (messages only).
    /// Zero, negatives, overflow, unknown suffixes give a QuotaError naming the problem ("'10X': unknown size suffix 'X' (use K, M, G or T)").
    /// Surrounding white space is ignored, as is white space around "," and between a number and its suffix.
    /// A fractional size is rounded down to whole bytes ("1.3K" = 1331 bytes).
    public static func parse(_ text: String) throws(QuotaError) -> Quota {
        let trimmed = trim(Substring(text))
        guard !trimmed.isEmpty else { throw QuotaError(message: "quota is empty (use NOQUOTA for no limit)") }
        switch trimmed.lowercased() {
        case "noquota", "none", "unlimited": return .unlimited
        default: break
        }

        let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false).map(trim)
        guard parts.count <= 2 else {
            throw QuotaError(message: "\(quote(trimmed)) has more than two parts (use a size and/or a message count, like 100M,5000C)")
        }
        var quota = Quota.unlimited
        for part in parts {
            guard !part.isEmpty else { throw QuotaError(message: "\(quote(trimmed)) has an empty part") }
            switch part.last {
            case "C", "c":
                guard quota.messages == nil else {
                    throw QuotaError(message: "\(quote(trimmed)) gives the message count twice")
                }
                quota.messages = try parseCount(part)
            default:
                guard quota.bytes == nil else {
                    throw QuotaError(message: "\(quote(trimmed)) gives the size twice")
                }
                quota.bytes = try parseSize(part)
            }
        }
        return quota
    }

    /// "NOQUOTA", "100M", "2G", "1536K", "1000000" (not a whole number of KiB), "100M,5000C",
    /// "1000000S,5000C", "5000C". `parse(description) == self` for every quota `parse` returns.
    public var description: String {
        var parts: [String] = []
        if let bytes {
            if bytes > 0, let unit = Self.units.first(where: { bytes % (1 << $0.shift) == 0 }) {
                parts.append("\(bytes >> unit.shift)\(unit.suffix)")
            } else {
                parts.append(messages == nil ? "\(bytes)" : "\(bytes)S")
            }
        }
        if let messages { parts.append("\(messages)C") }
        return parts.isEmpty ? "NOQUOTA" : parts.joined(separator: ",")
    }

    /// Maildir++ maildirsize first line: "104857600S,5000C", "104857600S", "5000C"; a part
    /// without a limit is omitted (never "0S"), and no limit at all gives "".
    public var maildirsizeHeader: String {
        var parts: [String] = []
        if let bytes { parts.append("\(bytes)S") }
        if let messages { parts.append("\(messages)C") }
        return parts.joined(separator: ",")
    }

    // MARK: - Parsing

    /// "5000C": a whole, positive message count.
    private static func parseCount(_ part: Substring) throws(QuotaError) -> Int64 {
        let number = trim(part.dropLast())
        if number.hasPrefix("-") { throw QuotaError(message: "\(quote(part)): a message count cannot be negative") }
        guard !number.isEmpty, number.allSatisfy(\.isASCIIDigitForQuota) else {
            throw QuotaError(message: "\(quote(part)): a message count must be a whole number, like 5000C")
        }
        guard let count = Int64(number) else { throw QuotaError(message: "\(quote(part)): message count is too large") }
        guard count > 0 else {
            throw QuotaError(message: "\(quote(part)): a message limit of zero is not allowed (leave the count out for no message limit)")
        }
        return count
    }

    /// "100M", "1.5G", "2GiB", "100MB", "1048576", "1048576B", "1000000S".
    private static func parseSize(_ part: Substring) throws(QuotaError) -> Int64 {
        if part.hasPrefix("-") { throw QuotaError(message: "\(quote(part)): a quota cannot be negative") }
        let integerDigits = part.prefix(while: \.isASCIIDigitForQuota)
        guard !integerDigits.isEmpty else {
            throw QuotaError(message: "\(quote(part)) is not a size (use a number with K, M, G or T, like 100M, or NOQUOTA)")
        }
        var rest = part[integerDigits.endIndex...]
        var fractionDigits: Substring = ""
        if rest.first == "." {
            fractionDigits = rest.dropFirst().prefix(while: \.isASCIIDigitForQuota)
            guard !fractionDigits.isEmpty else {
                throw QuotaError(message: "\(quote(part)) is not a size (expected digits after '.')")
            }
            rest = rest[fractionDigits.endIndex...]
        }
        let suffix = trim(rest)

        // The unit: nothing, "B" or "S" (bytes), or K/M/G/T optionally followed by "B" or "iB".
        var shift: Int64 = 0
        switch suffix.lowercased() {
        case "", "b", "s": shift = 0
        default:
            let letter = suffix.first.map { Character($0.uppercased()) }
            let tail = suffix.dropFirst().lowercased()
            guard let unit = units.first(where: { $0.suffix == letter }), ["", "b", "ib"].contains(tail) else {
                throw QuotaError(message: "\(quote(part)): unknown size suffix \(quote(suffix)) (use K, M, G or T)")
            }
            shift = unit.shift
        }
        if shift == 0 && !fractionDigits.isEmpty {
            throw QuotaError(message: "\(quote(part)): a byte count must be a whole number")
        }
        guard fractionDigits.count <= 18 else {
            throw QuotaError(message: "\(quote(part)) has too many decimal places")
        }

        let tooLarge = QuotaError(message: "\(quote(part)) is too large (the largest quota is \(Int64.max >> 40)T)")
        guard let whole = Int64(integerDigits) else { throw tooLarge }
        let multiplier: Int64 = 1 << shift
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw tooLarge }
        var total = scaled
        if !fractionDigits.isEmpty, let fraction = Int64(fractionDigits) {
            // fraction × multiplier / 10^digits, rounded down; the product may need 128 bits,
            // the quotient is below `multiplier`.
            var power: Int64 = 1
            for _ in 0..<fractionDigits.count { power *= 10 }
            let product = fraction.multipliedFullWidth(by: multiplier)
            let (quotient, _) = power.dividingFullWidth(product)
            let (sum, sumOverflow) = total.addingReportingOverflow(quotient)
            guard !sumOverflow else { throw tooLarge }
            total = sum
        }
        guard total > 0 else {
            throw QuotaError(message: "\(quote(part)): a quota of zero is not allowed (use NOQUOTA for no limit)")
        }
        return total
    }

    private static func trim(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isASCII && $0.isWhitespace }  // includes "\r\n"
        guard let start = text.firstIndex(where: { !isSpace($0) }),
              let end = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[start...end]
    }

    private static func quote(_ text: some StringProtocol) -> String {
        AddressError.quote(text)
    }
}

extension Character {
    /// "0"–"9" only (`isNumber` also accepts other scripts' digits and fractions).
    fileprivate var isASCIIDigitForQuota: Bool { ("0"..."9").contains(self) }
}
