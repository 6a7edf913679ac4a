// IMAPCommandParser+Date — dates (SEARCH) and date-times (APPEND).
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   date = date-text / DQUOTE date-text DQUOTE
//   date-text = date-day "-" date-month "-" date-year
//   date-day = 1*2DIGIT
//   date-month = "Jan" / "Feb" / ... / "Dec"
//   date-year = 4DIGIT
//   date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
//   date-day-fixed = (SP DIGIT) / 2DIGIT
//   time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
//   zone = ("+" / "-") 4DIGIT
// The values are checked (IMAPDate, IMAPDateTime): 31-Apr-2024, 29-Feb-2023, 24:00:00 and
// +0075 are refused.

extension IMAPCommandParser {
    static func date(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPDate {
        let quoted = buffer.consume(IMAPGrammar.doubleQuote)
        let day = buffer.read(while: IMAPGrammar.isDigit)
        guard (1...2).contains(day.count) else { throw IMAPParseError(buffer.isAtEnd && day.isEmpty ? "missing date" : "invalid date") }
        let date = try dateRest(&buffer, day: digitsValue(day), what: "date")
        if quoted, !buffer.consume(IMAPGrammar.doubleQuote) { throw IMAPParseError("invalid date") }
        return date
    }

    // "-" date-month "-" date-year
    static func dateRest(_ buffer: inout IMAPParseBuffer, day: Int, what: String) throws(IMAPParseError) -> IMAPDate {
        guard buffer.consume(IMAPGrammar.minus) else { throw IMAPParseError("invalid \(what)") }
        let monthName = buffer.read(while: IMAPGrammar.isAlpha)
        guard monthName.count == 3,
              let month = IMAPDate.monthNames.firstIndex(where: { $0.uppercased() == IMAPGrammar.upperString(monthName) })
        else { throw IMAPParseError("invalid month in \(what)") }
        guard buffer.consume(IMAPGrammar.minus) else { throw IMAPParseError("invalid \(what)") }
        let year = buffer.read(while: IMAPGrammar.isDigit)
        guard year.count == 4, let date = IMAPDate(year: digitsValue(year), month: month + 1, day: day) else {
            throw IMAPParseError("invalid \(what)")
        }
        return date
    }

    static func dateTime(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPDateTime {
        guard buffer.consume(IMAPGrammar.doubleQuote) else { throw IMAPParseError("invalid date-time") }
        _ = buffer.consume(IMAPGrammar.space)
        let day = buffer.read(while: IMAPGrammar.isDigit)
        guard (1...2).contains(day.count) else { throw IMAPParseError("invalid date-time") }
        let date = try dateRest(&buffer, day: digitsValue(day), what: "date-time")
        guard buffer.consume(IMAPGrammar.space) else { throw IMAPParseError("invalid date-time") }
        var fields: [Int] = []
        for index in 0..<3 {
            if index > 0, !buffer.consume(IMAPGrammar.colon) { throw IMAPParseError("invalid time in date-time") }
            let digits = buffer.read(while: IMAPGrammar.isDigit)
            guard digits.count == 2 else { throw IMAPParseError("invalid time in date-time") }
            fields.append(digitsValue(digits))
        }
        guard buffer.consume(IMAPGrammar.space) else { throw IMAPParseError("invalid date-time") }
        let sign: Int
        if buffer.consume(IMAPGrammar.plus) { sign = 1 } else if buffer.consume(IMAPGrammar.minus) { sign = -1 } else {
            throw IMAPParseError("invalid zone in date-time")
        }
        let zone = buffer.read(while: IMAPGrammar.isDigit)
        guard zone.count == 4 else { throw IMAPParseError("invalid zone in date-time") }
        let zoneValue = digitsValue(zone)
        guard zoneValue % 100 < 60 else { throw IMAPParseError("invalid zone in date-time") }
        guard buffer.consume(IMAPGrammar.doubleQuote) else { throw IMAPParseError("invalid date-time") }
        guard let dateTime = IMAPDateTime(date: date, hour: fields[0], minute: fields[1], second: fields[2],
                                          zoneMinutes: sign * (zoneValue / 100 * 60 + zoneValue % 100)) else {
            throw IMAPParseError("invalid time in date-time")
        }
        return dateTime
    }

    /// The value of at most a few ASCII digits (the caller has bounded the count).
    static func digitsValue(_ digits: some Collection<UInt8>) -> Int {
        digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
