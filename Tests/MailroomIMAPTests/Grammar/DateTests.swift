// DateTests.swift — Grammar/IMAPDate.swift and IMAPDateTime.swift: validation, formatting,
// and conversion to and from seconds since the epoch.

@testable import MailroomIMAP
import Testing

@Suite("Grammar: dates")
struct DateTests {
    @Test("dates are validated: month lengths and leap years")
    func validation() {
        #expect(IMAPDate(year: 2024, month: 2, day: 29) != nil)
        #expect(IMAPDate(year: 2023, month: 2, day: 29) == nil)
        #expect(IMAPDate(year: 1900, month: 2, day: 29) == nil)
        #expect(IMAPDate(year: 2000, month: 2, day: 29) != nil)
        #expect(IMAPDate(year: 2024, month: 4, day: 31) == nil)
        #expect(IMAPDate(year: 2024, month: 13, day: 1) == nil)
        #expect(IMAPDate(year: 0, month: 1, day: 1) == nil)
        #expect(IMAPDateTime(date: IMAPDate(year: 2024, month: 1, day: 1)!, hour: 24, minute: 0, second: 0, zoneMinutes: 0) == nil)
    }

    @Test("formatting: date, and date-time with a space-padded day")
    func formatting() {
        #expect(IMAPDate(year: 1994, month: 2, day: 1)!.description == "1-Feb-1994")
        let dateTime = IMAPDateTime(date: IMAPDate(year: 1996, month: 7, day: 17)!, hour: 2, minute: 44, second: 25, zoneMinutes: -420)!
        #expect(dateTime.description == "17-Jul-1996 02:44:25 -0700")
        let early = IMAPDateTime(date: IMAPDate(year: 2024, month: 3, day: 5)!, hour: 9, minute: 8, second: 7, zoneMinutes: 330)!
        #expect(early.description == " 5-Mar-2024 09:08:07 +0530")
    }

    @Test("seconds since the epoch, both ways")
    func epoch() {
        let dateTime = IMAPDateTime(date: IMAPDate(year: 1996, month: 7, day: 17)!, hour: 2, minute: 44, second: 25, zoneMinutes: -420)!
        #expect(dateTime.secondsSince1970 == 837_596_665)
        #expect(IMAPDateTime(secondsSince1970: 837_596_665, zoneMinutes: -420) == dateTime)
        #expect(IMAPDateTime(secondsSince1970: 0).description == " 1-Jan-1970 00:00:00 +0000")
        #expect(IMAPDateTime(secondsSince1970: -1).description == "31-Dec-1969 23:59:59 +0000")
        #expect(IMAPDate(year: 2000, month: 3, day: 1)!.daysSince1970 == 11_017)
        #expect(IMAPDate(daysSince1970: 11_017) == IMAPDate(year: 2000, month: 3, day: 1))
        for days in stride(from: -800_000, through: 2_900_000, by: 997) {
            #expect(IMAPDate(daysSince1970: days).daysSince1970 == days)
        }
    }
}
