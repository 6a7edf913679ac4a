// Tests for Quota: vpopmail / Maildir++ syntax, canonical description, maildirsize header, errors.

import Testing
@testable import MailroomCore

@Suite("Quota")
struct QuotaTests {
    static let K: Int64 = 1024
    static let M: Int64 = 1024 * 1024
    static let G: Int64 = 1024 * 1024 * 1024
    static let T: Int64 = 1024 * 1024 * 1024 * 1024

    @Test("parses", arguments: [
        ("NOQUOTA", Quota.unlimited),
        ("noquota", .unlimited),
        ("None", .unlimited),
        ("UNLIMITED", .unlimited),
        (" NOQUOTA\r\n", .unlimited),
        ("100M", Quota(bytes: 100 * M, messages: nil)),
        ("2G", Quota(bytes: 2 * G, messages: nil)),
        ("512K", Quota(bytes: 512 * K, messages: nil)),
        ("512k", Quota(bytes: 512 * K, messages: nil)),
        ("1T", Quota(bytes: T, messages: nil)),
        ("1.5G", Quota(bytes: 1_610_612_736, messages: nil)),
        ("0.5K", Quota(bytes: 512, messages: nil)),
        ("1.3K", Quota(bytes: 1331, messages: nil)),  // 1331.2 rounded down
        ("100MB", Quota(bytes: 100 * M, messages: nil)),
        ("2GiB", Quota(bytes: 2 * G, messages: nil)),
        ("1kb", Quota(bytes: K, messages: nil)),
        ("100 M", Quota(bytes: 100 * M, messages: nil)),
        ("1048576", Quota(bytes: 1_048_576, messages: nil)),
        ("1048576B", Quota(bytes: 1_048_576, messages: nil)),
        ("1000000S", Quota(bytes: 1_000_000, messages: nil)),
        ("1000000S,1000C", Quota(bytes: 1_000_000, messages: 1000)),
        ("100M,5000C", Quota(bytes: 100 * M, messages: 5000)),
        ("100M, 5000c", Quota(bytes: 100 * M, messages: 5000)),
        ("5000C,100M", Quota(bytes: 100 * M, messages: 5000)),
        ("5000C", Quota(bytes: nil, messages: 5000)),
        ("8388607T", Quota(bytes: 8_388_607 * T, messages: nil)),
        ("9223372036854775807", Quota(bytes: Int64.max, messages: nil)),
    ])
    func parses(text: String, expected: Quota) throws {
        #expect(try Quota.parse(text) == expected)
    }

    @Test("describes canonically", arguments: [
        (Quota.unlimited, "NOQUOTA"),
        (Quota(bytes: 100 * M, messages: nil), "100M"),
        (Quota(bytes: 2 * G, messages: nil), "2G"),
        (Quota(bytes: 1536 * K, messages: nil), "1536K"),
        (Quota(bytes: 1_610_612_736, messages: nil), "1536M"),
        (Quota(bytes: T, messages: nil), "1T"),
        (Quota(bytes: 100 * M, messages: 5000), "100M,5000C"),
        (Quota(bytes: nil, messages: 5000), "5000C"),
        (Quota(bytes: 1_000_000, messages: nil), "1000000"),
        (Quota(bytes: 1_000_000, messages: 1000), "1000000S,1000C"),
    ])
    func describes(quota: Quota, text: String) {
        #expect(quota.description == text)
    }

    @Test("description parses back", arguments: [
        "NOQUOTA", "100M", "2G", "512K", "1T", "1.5G", "1.3K", "100MB", "2GiB", "1048576", "1000001",
        "1000000S,1000C", "100M,5000C", "5000C", "1C", "1", "8388607T", "9223372036854775807",
    ])
    func roundTrip(text: String) throws {
        let quota = try Quota.parse(text)
        #expect(try Quota.parse(quota.description) == quota)
        #expect(try Quota.parse(quota.description).description == quota.description)
    }

    @Test func maildirsizeHeader() throws {
        #expect(try Quota.parse("100M,5000C").maildirsizeHeader == "104857600S,5000C")
        #expect(try Quota.parse("100M").maildirsizeHeader == "104857600S")
        #expect(try Quota.parse("5000C").maildirsizeHeader == "5000C")
        #expect(Quota.unlimited.maildirsizeHeader == "")
        // The header is itself valid quota syntax.
        #expect(try Quota.parse("104857600S,5000C") == Quota.parse("100M,5000C"))
    }

    @Test("rejections name the problem", arguments: [
        ("", "quota is empty (use NOQUOTA for no limit)"),
        ("   ", "quota is empty (use NOQUOTA for no limit)"),
        ("10X", "'10X': unknown size suffix 'X' (use K, M, G or T)"),
        ("10MiBs", "'10MiBs': unknown size suffix 'MiBs' (use K, M, G or T)"),
        ("10 PB", "'10 PB': unknown size suffix 'PB' (use K, M, G or T)"),
        ("0", "'0': a quota of zero is not allowed (use NOQUOTA for no limit)"),
        ("0M", "'0M': a quota of zero is not allowed (use NOQUOTA for no limit)"),
        ("0.0001K", "'0.0001K': a quota of zero is not allowed (use NOQUOTA for no limit)"),
        ("-5M", "'-5M': a quota cannot be negative"),
        ("-1", "'-1': a quota cannot be negative"),
        ("99999999T", "'99999999T' is too large (the largest quota is 8388607T)"),
        ("8388608T", "'8388608T' is too large (the largest quota is 8388607T)"),
        ("9223372036854775808", "'9223372036854775808' is too large (the largest quota is 8388607T)"),
        ("1.5", "'1.5': a byte count must be a whole number"),
        ("1.5S", "'1.5S': a byte count must be a whole number"),
        ("1.G", "'1.G' is not a size (expected digits after '.')"),
        ("M", "'M' is not a size (use a number with K, M, G or T, like 100M, or NOQUOTA)"),
        ("lots", "'lots' is not a size (use a number with K, M, G or T, like 100M, or NOQUOTA)"),
        ("0C", "'0C': a message limit of zero is not allowed (leave the count out for no message limit)"),
        ("-5C", "'-5C': a message count cannot be negative"),
        ("1.5C", "'1.5C': a message count must be a whole number, like 5000C"),
        ("C", "'C': a message count must be a whole number, like 5000C"),
        ("99999999999999999999C", "'99999999999999999999C': message count is too large"),
        ("100M,200M", "'100M,200M' gives the size twice"),
        ("1C,2C", "'1C,2C' gives the message count twice"),
        ("1M,2C,3C", "'1M,2C,3C' has more than two parts (use a size and/or a message count, like 100M,5000C)"),
        ("100M,", "'100M,' has an empty part"),
        ("NOQUOTA,5C", "'NOQUOTA' is not a size (use a number with K, M, G or T, like 100M, or NOQUOTA)"),
    ])
    func rejects(text: String, message: String) {
        #expect(throws: QuotaError(message: message)) { try Quota.parse(text) }
    }

    @Test func errorDescription() {
        do {
            _ = try Quota.parse("10X")
            Issue.record("accepted 10X")
        } catch {
            #expect(error.description == "invalid quota: '10X': unknown size suffix 'X' (use K, M, G or T)")
        }
    }
}
