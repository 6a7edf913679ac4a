// SearchTimeZone — the time zone in which SEARCH BEFORE, ON and SINCE read a message's internal
// date as a calendar date, and in which a message without a usable Date: field is given a
// sent date.
//
// Standards: RFC 3501 §6.4.4 and RFC 9051 §6.4.4 (BEFORE/ON/SINCE: "Messages whose internal
// date (disregarding time and timezone) is ..."). The RFC leaves the zone open; Dovecot uses
// the server's local time zone, and so does `system`. Tests pass a fixed zone or their own
// offset function so they do not depend on the machine's TZ.
//
// Configuration: none here; the server passes `.system` (or a configured zone later).
//
// Security: pure arithmetic; `system` calls glibc's localtime_r, which is thread-safe.

#if canImport(Glibc)
import Glibc
#endif

/// A time zone as a function from an instant to its offset from UTC.
public struct SearchTimeZone: Sendable {
    private let offsetAt: @Sendable (Int64) -> Int

    /// A zone given by its offset (seconds east of UTC) at each instant (seconds since 1970).
    public init(offsetAt: @escaping @Sendable (_ secondsSince1970: Int64) -> Int) {
        self.offsetAt = offsetAt
    }

    /// Coordinated Universal Time.
    public static let utc = SearchTimeZone { _ in 0 }

    /// A zone with a fixed offset, seconds east of UTC (+0200 is 7200).
    public static func fixed(secondsEastOfUTC offset: Int) -> SearchTimeZone { SearchTimeZone { _ in offset } }

    /// The server's local time zone (TZ, /etc/localtime), daylight saving time included.
    public static let system = SearchTimeZone { seconds in
        #if canImport(Glibc)
        var t = time_t(seconds)
        var parts = tm()
        guard localtime_r(&t, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
        #else
        return 0
        #endif
    }

    /// The offset from UTC at `seconds` since 1970.
    public func offset(at seconds: Int64) -> Int { offsetAt(seconds) }

    /// The calendar day of an instant in this zone, as days since 1970-01-01.
    public func day(of seconds: Int64) -> Int {
        let local = seconds + Int64(offsetAt(seconds))
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The calendar date of an instant in this zone.
    public func date(of seconds: Int64) -> IMAPDate { IMAPDate(daysSince1970: day(of: seconds)) }
}
