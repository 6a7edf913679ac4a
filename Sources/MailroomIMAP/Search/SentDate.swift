// SentDate — the calendar date of a message's Date: header field, as SEARCH SENTBEFORE,
// SENTON and SENTSINCE compare it.
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
// Security: one pass over at most the first `maximumTokens` tokens of the value; comment
// nesting is counted, not recursed.

enum SentDate {
    /// Tokens read from a Date: value: day-of-week, day, month, year, hour, minute, second,
    /// zone and one spare; the rest (trailing comments, junk) is never looked at.
    static let maximumTokens = 9

    static let monthNames: [String] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    /// The calendar date of a Date: field value (unfolded), or nil when it is not a date.
    static func parse(_ value: some Collection<UInt8>) -> IMAPDate? {
        // Tokens: runs of letters or digits; comments, white space and punctuation separate.
        var tokens: [(isDigit: Bool, text: String)] = []
        var current: [UInt8] = []
        var currentIsDigit = false
        var depth = 0
        var escaped = false
        func flush() {
            if !current.isEmpty { tokens.append((currentIsDigit, String(decoding: current, as: UTF8.self))) }
            current.removeAll(keepingCapacity: true)
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
                currentIsDigit = isDigit
                current.append(isLetter ? byte | 0x20 : byte)
            } else {
                flush()
                if byte == 0x28 { depth = 1 }
            }
            if tokens.count >= maximumTokens { break }
        }
        flush()

        var rest = tokens[...]
        if let first = rest.first, !first.isDigit, dayNames.contains(String(first.text.prefix(3))) {
            rest = rest.dropFirst()
        }
        let items = Array(rest.prefix(4))
        guard items.count >= 3 else { return nil }
        // day month year
        if items[0].isDigit, !items[1].isDigit, items[2].isDigit,
           let m = month(items[1].text), let d = Int(items[0].text), let y = year(items[2].text) {
            return IMAPDate(year: y, month: m, day: d)
        }
        // asctime: month day hh mm ss year
        if !items[0].isDigit, let m = month(items[0].text), items[1].isDigit, let d = Int(items[1].text) {
            if let y = rest.dropFirst(2).first(where: { $0.isDigit && $0.text.count == 4 }).flatMap({ year($0.text) }) {
                return IMAPDate(year: y, month: m, day: d)
            }
        }
        return nil
    }

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
