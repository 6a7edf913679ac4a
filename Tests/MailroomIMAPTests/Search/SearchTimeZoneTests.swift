// SearchTimeZoneTests.swift — Search/SearchTimeZone.swift: calendar days of instants in UTC,
// in fixed zones on both sides of UTC, before 1970, and in the system zone.

@testable import MailroomIMAP
import Testing

@Suite("Search: time zones")
struct SearchTimeZoneTests {
    @Test("time zones: UTC, fixed offsets, instants before 1970, and the system zone answers")
    func timeZones() {
        let noonUTC = utcSeconds(2024, 3, 10, 12)
        #expect(SearchTimeZone.utc.date(of: noonUTC).description == "10-Mar-2024")
        #expect(SearchTimeZone.fixed(secondsEastOfUTC: 13 * 3600).date(of: noonUTC).description == "11-Mar-2024")
        #expect(SearchTimeZone.fixed(secondsEastOfUTC: -13 * 3600).date(of: noonUTC).description == "9-Mar-2024")
        #expect(SearchTimeZone.utc.date(of: -1).description == "31-Dec-1969")
        #expect(SearchTimeZone.utc.date(of: 0).description == "1-Jan-1970")
        let offset = SearchTimeZone.system.offset(at: noonUTC)
        #expect(abs(offset) <= 14 * 3600)
    }
}
