// SentDate — the calendar date of a message's Date: header field, as SEARCH SENTBEFORE,
// SENTON and SENTSINCE compare it, and the moment it names, as SORT DATE and THREAD order by.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 (SENTBEFORE/SENTON/SENTSINCE: "Messages whose
// [RFC-2822] Date: header (disregarding time and timezone) is ..."), RFC 5322 §3.3:
//   date-time = [ day-of-week "," ] date time [CFWS]
//   date = day month year ; day = ([FWS] 1*2DIGIT FWS) / obs-day ; year = (FWS 4*DIGIT FWS) / obs-year
//   time = time-of-day zone
// RFC 5322 §4.3 (obsolete date and time: CFWS anywhere, obs-year of two digits (+1900, or +2000
// when below 50) or three digits (+1900), alphabetic zones).
//
// The date is the one written, in the field's own zone ("disregarding time and timezone"):
// "Sat, 24 Mar 2007 23:00:00 +0200" is 24-Mar-2007, as Dovecot (and imaptest's search-date
// script) has it.
//
// Tolerance (what real mail carries): comments are skipped, the day-of-week is optional with or
// without its comma, month names are matched on their first three letters in any case, the
// time and zone are not needed, "24-Mar-2007" is read like "24 Mar 2007", and asctime's order
// "Sat Mar 24 23:00:00 2007" is understood. Anything else is no date (nil): the search then
// uses the internal date, as Dovecot does.
//
// The moment (`seconds`, RFC 5256 §2.2 "sent date", "adjusted by time zone"): the same date
// with its time of day (seconds optional) and zone: "+hhmm"/"-hhmm", or a name of RFC 5322
// §4.3 (UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT; military letters and unknown names are
// "-0000", an offset of zero); no zone is zero too. Without a time of day there is no moment
// (nil): SORT and THREAD then use the internal date, as Dovecot does.
//
// Security: one pass over at most the first `maximumTokens` tokens of the value; comment
// nesting is counted, not recursed.

enum SentDate {
    /// Tokens read from a Date: value: day-of-week, day, month, year, hour, minute, second,
    /// zone and one spare; the rest (trailing comments, junk) is never looked at.
    static let maximumTokens = 9

    static let monthNames: [String] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// A run of letters (lower-cased) or digits; `sign` is +1 or -1 for digits that follow "+"
    /// or "-" directly (a zone), else 0.
    struct Token {
        var isDigit: Bool
        var text: String
        var sign: Int
    }

    /// The calendar date of a Date: field value (unfolded), or nil when it is not a date.
    static func parse(_ value: some Collection<UInt8>) -> IMAPDate? {
        locate(tokens(value))?.date
    }

    /// The moment a Date: field value (unfolded) names, in seconds since 1970 UTC, or nil
    /// when it has no date and time of day.
    static func seconds(_ value: some Collection<UInt8>) -> Int64? {
        guard let (date, rest, isAsctime) = locate(tokens(value)) else { return nil }
        var items = rest
        func number(maxDigits: Int) -> Int? {
            guard let first = items.first, first.isDigit, first.sign == 0, first.text.count <= maxDigits else { return nil }
            items = items.dropFirst()
            return Int(first.text)
        }
        guard let hour = number(maxDigits: 2), let minute = number(maxDigits: 2), hour < 24, minute < 60 else { return nil }
        let second = number(maxDigits: 2) ?? 0
        guard second <= 60 else { return nil }
        if isAsctime { items = items.drop { $0.isDigit && $0.sign == 0 } }   // the year comes after the time
        let zone = items.first.map(zoneMinutes) ?? 0
        return Int64(date.daysSince1970) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zone) * 60
    }

    /// Tokens: runs of letters or digits; comments, white space and punctuation separate.
    static func tokens(_ value: some Collection<UInt8>) -> [Token] {
        var tokens: [Token] = []
        var current: [UInt8] = []
        var currentIsDigit = false
        var sign = 0
        var previous: UInt8 = 0
        var depth = 0
        var escaped = false
        func flush() {
            if !current.isEmpty {
                tokens.append(Token(isDigit: currentIsDigit, text: String(decoding: current, as: UTF8.self),
                                    sign: currentIsDigit ? sign : 0))
            }
            current.removeAll(keepingCapacity: true)
            sign = 0
        }
        for byte in value {
            if depth > 0 {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x28 { depth += 1 } else if byte == 0x29 { depth -= 1 }
                continue
            }
            let isDigit = byte >= 0x30 && byte <= 0x39
            let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            if isDigit || isLetter {
                if !current.isEmpty, currentIsDigit != isDigit { flush() }
                if current.isEmpty, isDigit { sign = previous == 0x2B ? 1 : previous == 0x2D ? -1 : 0 }
                currentIsDigit = isDigit
                current.append(isLetter ? byte | 0x20 : byte)
            } else {
                flush()
                if byte == 0x28 { depth = 1 }
            }
            previous = byte
            if tokens.count >= maximumTokens { break }
        }
        flush()
        return tokens
    }

    /// The date, the tokens after it (the time of day and the zone; for asctime the time, the
    /// year and the zone), and whether the order was asctime's.
    static func locate(_ tokens: [Token]) -> (date: IMAPDate, rest: ArraySlice<Token>, isAsctime: Bool)? {
        var rest = tokens[...]
        if let first = rest.first, !first.isDigit, dayNames.contains(String(first.text.prefix(3))) {
            rest = rest.dropFirst()
        }
        let items = Array(rest.prefix(4))
        guard items.count >= 3 else { return nil }
        // day month year
        if items[0].isDigit, !items[1].isDigit, items[2].isDigit,
           let m = month(items[1].text), let d = Int(items[0].text), let y = year(items[2].text) {
            return IMAPDate(year: y, month: m, day: d).map { ($0, rest.dropFirst(3), false) }
        }
        // asctime: month day hh mm ss year
        if !items[0].isDigit, let m = month(items[0].text), items[1].isDigit, let d = Int(items[1].text) {
            if let y = rest.dropFirst(2).first(where: { $0.isDigit && $0.text.count == 4 }).flatMap({ year($0.text) }) {
                return IMAPDate(year: y, month: m, day: d).map { ($0, rest.dropFirst(2), true) }
            }
        }
        return nil
    }

    /// RFC 5322 §3.3 zone ("+hhmm") or §4.3 obs-zone, in minutes east of UTC.
    static func zoneMinutes(_ token: Token) -> Int {
        if token.isDigit {
            guard token.sign != 0, token.text.count == 4, let value = Int(token.text), value % 100 < 60, value / 100 < 24 else {
                return 0
            }
            return token.sign * ((value / 100) * 60 + value % 100)
        }
        return (namedZones[token.text] ?? 0) * 60
    }

    /// RFC 5322 §4.3: the obsolete zone names, in hours east of UTC (military letters and
    /// unknown names: 0).
    static let namedZones: [String: Int] = [
        "ut": 0, "gmt": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    ]

    static func month(_ text: String) -> Int? {
        guard text.count >= 3 else { return nil }
        return monthNames.firstIndex(of: String(text.prefix(3))).map { $0 + 1 }
    }

    /// RFC 5322 §4.3: obs-year.
    static func year(_ text: String) -> Int? {
        guard text.count >= 2, text.count <= 4, let n = Int(text) else { return nil }
        switch text.count {
        case 2: return n < 50 ? 2000 + n : 1900 + n
        case 3: return 1900 + n
        default: return n
        }
    }
}
