// IMAPDateTime — a date, time and zone, as INTERNALDATE and APPEND carry it
// ("17-Jul-1996 02:44:25 -0700").
//
// Standards: RFC 3501 §9 and RFC 9051 §9:
//   date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
//   date-day-fixed = (SP DIGIT) / 2DIGIT
//   time = 2DIGIT ":" 2DIGIT ":" 2DIGIT
//   zone = ("+" / "-") 4DIGIT      ; hours and minutes east of Greenwich
// Tolerance (as Dovecot): a one-digit day without the leading space. Refused: hours over 23,
// minutes over 59, seconds over 60 (a leap second), zone minutes over 59, zones beyond ±99:59.

/// A point in time with the zone it was written in.
public struct IMAPDateTime: Hashable, Sendable, CustomStringConvertible {
    public let date: IMAPDate
    public let hour: Int
    public let minute: Int
    public let second: Int
    /// Minutes east of UTC (-0700 is -420).
    public let zoneMinutes: Int

    /// nil when a field is out of range.
    public init?(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              abs(zoneMinutes) <= 99 * 60 + 59 else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The time `seconds` after the epoch, written in the zone `zoneMinutes` east of UTC.
    public init(secondsSince1970 seconds: Int64, zoneMinutes: Int = 0) {
        let local = seconds + Int64(zoneMinutes) * 60
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let rest = Int(local - days * 86400)
        self.date = IMAPDate(daysSince1970: Int(days))
        self.hour = rest / 3600
        self.minute = rest / 60 % 60
        self.second = rest % 60
        self.zoneMinutes = max(-(99 * 60 + 59), min(99 * 60 + 59, zoneMinutes))
    }

    /// Seconds since the epoch (UTC).
    public var secondsSince1970: Int64 {
        Int64(date.daysSince1970) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes) * 60
    }

    /// "17-Jul-1996 02:44:25 -0700" (the day padded with a space to two characters).
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let day = date.day < 10 ? " \(date.day)" : "\(date.day)"
        let zone = abs(zoneMinutes)
        let year = String(repeating: "0", count: max(0, 4 - String(date.year).count)) + String(date.year)
        return "\(day)-\(IMAPDate.monthNames[date.month - 1])-\(year) \(two(hour)):\(two(minute)):\(two(second)) "
            + (zoneMinutes < 0 ? "-" : "+") + two(zone / 60) + two(zone % 60)
    }

    // date-time = DQUOTE ... DQUOTE
    public func write(to buffer: inout IMAPEncodeBuffer) { buffer.write("\"\(description)\"") }
}
