// RFC 5322 dates: fixed instants across leap years and centuries, and Foundation's formatter
// as a second opinion.

import Foundation
import MailroomCore
import Testing

@Suite("RFC 5322 dates")
struct RFC5322DateTests {
    @Test("RFC 5322 dates across leap years and centuries")
    func dates() {
        #expect(RFC5322Date.format(0) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(RFC5322Date.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(RFC5322Date.format(1_709_208_000) == "Thu, 29 Feb 2024 12:00:00 +0000")
        #expect(RFC5322Date.format(4_102_444_799) == "Thu, 31 Dec 2099 23:59:59 +0000")
        #expect(RFC5322Date.format(-1) == "Wed, 31 Dec 1969 23:59:59 +0000")
        // Against Foundation for many instants.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, d MMM yyyy HH:mm:ss '+0000'"
        for s in stride(from: Int64(0), to: 4_000_000_000, by: 7_777_777) {
            #expect(RFC5322Date.format(s) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(s))))
        }
    }
}
