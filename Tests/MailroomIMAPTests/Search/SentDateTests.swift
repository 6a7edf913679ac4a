// SentDateTests.swift — Search/SentDate.swift: the calendar date of Date: field values in
// RFC 5322 form, its obsolete forms, and what real mail carries; and the moment they name
// (seconds since 1970 UTC), which SORT DATE and THREAD compare.

@testable import MailroomIMAP
import Testing

@Suite("Search: sent dates")
struct SentDateTests {
    func date(_ text: String) -> IMAPDate? { SentDate.parse(Array(text.utf8)) }

    @Test("RFC 5322 date-time: the date as written, whatever the zone", arguments: [
        ("Sat, 24 Mar 2007 23:00:00 +0200", "24-Mar-2007"),
        ("Sun, 25 Mar 2007 00:00:00 -1200", "25-Mar-2007"),
        ("1 Jan 2024 00:00:00 +0000", "1-Jan-2024"),
        ("Mon, 29 Feb 2016 12:00 +0100", "29-Feb-2016"),
    ])
    func modern(text: String, expected: String) {
        #expect(date(text)?.description == expected)
    }

    @Test("obsolete forms (RFC 5322 §4.3) and common deviations", arguments: [
        ("Tue, 5 Mar 24 10:00 EST", "5-Mar-2024"),
        ("5 Mar 99 10:00:00 GMT", "5-Mar-1999"),
        ("5 Mar 105 10:00:00 GMT", "5-Mar-2005"),
        ("Tue (the day) , 05 (day) mar 2024 10:00:00 +0000 (UTC)", "5-Mar-2024"),
        ("  Tuesday,\t5   MARCH 2024", "5-Mar-2024"),
        ("5-Mar-2024 10:00:00 +0000", "5-Mar-2024"),
        ("Sat Mar 24 23:00:00 2007", "24-Mar-2007"),
        ("Sat, 24 Mar 2007", "24-Mar-2007"),
    ])
    func obsolete(text: String, expected: String) {
        #expect(date(text)?.description == expected)
    }

    @Test("values that are not dates", arguments: [
        "", "yesterday", "Sat, 31 Feb 2007 10:00:00 +0000", "32 Jan 2007", "Sat, 24 Xyz 2007", "24 Mar", "1 2 3",
        "(24 Mar 2007)",
    ])
    func invalid(text: String) {
        #expect(date(text) == nil)
    }

    func seconds(_ text: String) -> Int64? { SentDate.seconds(Array(text.utf8)) }

    @Test("the moment: date, time of day and zone (RFC 5256 §2.2 \"adjusted by time zone\")", arguments: [
        ("Fri, 22 Feb 2008 00:00:00 +0200", 1_203_631_200),   // 2008-02-21 22:00 UTC
        ("Fri, 22 Feb 2008 02:00:00 +0200", 1_203_638_400),
        ("22 Feb 2008 00:00 +0000", 1_203_638_400),
        ("Thu, 21 Feb 2008 19:00:00 -0500 (EST)", 1_203_638_400),
        ("Thu, 21 Feb 2008 19:00:00 EST", 1_203_638_400),
        ("Thu, 21 Feb 2008 17:00:00 PDT", 1_203_638_400),
        ("Fri, 22 Feb 2008 00:00:00 GMT", 1_203_638_400),
        ("Fri, 22 Feb 2008 00:00:00 Z", 1_203_638_400),   // military: -0000
        ("Fri, 22 Feb 2008 00:00:00", 1_203_638_400),     // no zone: UTC
        ("Fri Feb 22 00:00:00 2008", 1_203_638_400),      // asctime
        ("Fri Feb 22 02:00:00 2008 +0200", 1_203_638_400),
        ("1 Jan 1970 00:00:01 +0000", 1),
    ])
    func moment(text: String, expected: Int64) {
        #expect(seconds(text) == expected)
    }

    @Test("no moment without a date and a valid time of day", arguments: [
        "", "Sat, 24 Mar 2007", "Sat, 24 Mar 2007 25:00:00 +0000", "Sat, 24 Mar 2007 10:61 +0000", "yesterday 10:00",
        "Sat, 31 Feb 2007 10:00:00 +0000",
    ])
    func noMoment(text: String) {
        #expect(seconds(text) == nil)
    }
}
