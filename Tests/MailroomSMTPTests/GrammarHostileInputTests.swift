// Hostile input: over-long paths and local parts, NUL and other control characters, unbalanced
// brackets and quotes, 10,000 parameters, huge lines, and random octets. Each must be refused
// (or accepted) quickly with the reply the RFCs assign, never crash or echo raw input.

import MailroomCore
@testable import MailroomSMTP
import Testing

@Suite("Grammar: hostile input")
struct GrammarHostileInputTests {
    /// A valid domain of exactly `length` octets.
    private func domain(length: Int) -> String {
        var labels: [String] = []
        var remaining = length - 4  // ".com"
        while remaining > 0 {
            let size = min(63, remaining)
            labels.append(String(repeating: "a", count: size))
            remaining -= size + 1
        }
        var name = labels.joined(separator: ".") + ".com"
        while name.utf8.count < length { name = "b" + name }
        return name
    }

    @Test("a 256-octet path is accepted, a 257-octet one gets 501 Path too long (RFC 5321 §4.5.3.1.3)")
    func pathLength() throws {
        let local = String(repeating: "x", count: 64)
        let fits = "<" + local + "@" + domain(length: 189) + ">"
        #expect(fits.utf8.count == 256)
        #expect(try command("RCPT TO:" + fits) != .quit)
        let tooLong = "<" + local + "@" + domain(length: 190) + ">"
        #expect(tooLong.utf8.count == 257)
        #expect(refusal("RCPT TO:" + tooLong)?.kind == .invalidPath(.recipient))
        #expect(refusal("RCPT TO:" + tooLong)?.detail == "Path too long")
        #expect(refusalCode("MAIL FROM:" + tooLong) == "501 5.1.7")
        // A long source route counts too.
        let route = String(repeating: "@relay.example,", count: 20) + "@relay.example:"
        #expect(refusalCode("RCPT TO:<\(route)user@example.com>") == "501 5.1.3")
        // 10,000 octets of path are not scanned past the limit.
        let huge = "RCPT TO:<" + String(repeating: "a", count: 10_000) + "@example.com>"
        #expect(refusal(huge)?.detail == "Path too long")
    }

    @Test("local part over 64 octets: 553; domain over 255: refused")
    func longParts() {
        #expect(refusalCode("RCPT TO:<\(String(repeating: "a", count: 65))@example.com>") == "553 5.1.3")
        #expect(refusalCode("EHLO " + domain(length: 256)) == "501 5.5.2")
        #expect(refusalCode("EHLO " + domain(length: 254)) == "501 5.5.2")  // DomainName's 253
    }

    @Test("NUL, CR, LF, TAB, ESC and DEL anywhere after the verb: 501 5.5.2", arguments: [0x00, 0x0D, 0x0A, 0x09, 0x1B, 0x7F] as [UInt8])
    func controlCharacters(byte: UInt8) {
        let lines: [[UInt8]] = [
            Array("MAIL FROM:<a".utf8) + [byte] + Array("b@example.com>".utf8),
            Array("RCPT TO:<user@example.com>".utf8) + [byte],
            Array("RCPT TO:<user@example.com>".utf8) + [byte] + Array("RSET".utf8),
            Array("RCPT TO:<\"a".utf8) + [byte] + Array("b\"@example.com>".utf8),
            Array("EHLO a".utf8) + [byte] + Array(".example".utf8),
            Array("AUTH PLAIN ".utf8) + [byte],
        ]
        for line in lines {
            let error = refusal(bytes: line)
            #expect(error?.replyCode == 501 && error?.enhancedStatusCode == .syntaxError, "\(line)")
            #expect(error?.detail.utf8.allSatisfy { (0x20...0x7E).contains($0) } == true)
        }
    }

    @Test("unbalanced brackets and quotes", arguments: [
        "MAIL FROM:<user@example.com", "MAIL FROM:user@example.com>", "MAIL FROM:<<user@example.com>>",
        "MAIL FROM:<user@example.com>>", "MAIL FROM:<\"user@example.com>", "MAIL FROM:<\"user\\\">",
        "MAIL FROM:<user@[192.0.2.1>", "MAIL FROM:<user@192.0.2.1]>", "MAIL FROM:<user@[[192.0.2.1]]>",
        "MAIL FROM:<\"us\"er\"@example.com>", "MAIL FROM:<@a.example:<user@example.com>>", "MAIL FROM:<>>",
        "MAIL FROM:<<>>", "MAIL FROM:<", "MAIL FROM:>", "MAIL FROM:<\"", "MAIL FROM:<\\>",
    ])
    func unbalanced(line: String) {
        let error = refusal(line)
        #expect(error != nil, "\(line)")
        #expect(error?.kind == .invalidPath(.sender) || error?.kind == .invalidMailbox(.sender), "\(line)")
    }

    @Test("10,000 parameters are refused at the first bad one, quickly")
    func tenThousandParameters() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let repeated = "MAIL FROM:<a@example.com>" + String(repeating: " SIZE=1", count: 10_000)
        #expect(refusal(repeated)?.kind == .duplicateParameter("SIZE"))
        let distinct = "MAIL FROM:<a@example.com>" + (1...10_000).map { " X\($0)=1" }.joined()
        #expect(refusal(distinct)?.kind == .unrecognizedParameter("X1"))
        let rcpt = "RCPT TO:<a@example.com>" + String(repeating: " NOTIFY=NEVER", count: 10_000)
        #expect(refusal(rcpt)?.kind == .duplicateParameter("NOTIFY"))
        let spaces = "MAIL FROM:<a@example.com>" + String(repeating: " ", count: 10_000) + "SIZE=1"
        #expect(try command(spaces) == .mail(.mailbox(try mailbox("a", "example.com")), MailParameters(size: 1)))
        #expect(clock.now - start < .seconds(2))
    }

    @Test("huge lines cost linear time")
    func hugeLines() throws {
        let clock = ContinuousClock()
        let start = clock.now
        #expect(refusalCode(String(repeating: "A", count: 100_000)) == "500 5.5.1")
        #expect(try command("NOOP " + String(repeating: "x", count: 100_000)) != .quit)
        #expect(refusalCode("EHLO " + String(repeating: "a.", count: 50_000) + "com") == "501 5.5.2")
        #expect(refusalCode("AUTH PLAIN " + String(repeating: "QUFB", count: 25_000) + "!") == "501 5.5.2")
        #expect(try command("AUTH PLAIN " + String(repeating: "QUFB", count: 3_000)) == .auth(.plain, initialResponse: Array(repeating: 0x41, count: 9_000)))
        #expect(refusalCode("MAIL FROM:<> " + String(repeating: "A", count: 100_000)) == "555 5.5.4")
        #expect(refusalCode("MAIL FROM:<> ENVID=" + String(repeating: "A", count: 100_000)) == "501 5.5.4")
        #expect(clock.now - start < .seconds(5))
    }

    @Test("replies never echo hostile text")
    func noEcho() {
        for line in ["MAIL FROM:<> \u{1B}[31mSIZE", "RCPT TO:<user@exa\u{202E}mple.com>", "RCPT TO:<user@例子。中国>",
                     "EHLO 例子.\u{200B}中国", "MAIL FROM:<> " + String(repeating: "Z", count: 1_000)] {
            guard let error = refusal(line) else {
                Issue.record("accepted: \(line)")
                continue
            }
            #expect(error.detail.utf8.allSatisfy { (0x20...0x7E).contains($0) }, "\(line)")
            #expect(error.reply.encoded().count <= SMTPReply.maximumLineLength, "\(line)")
        }
    }

    @Test("random octets never crash the parser; what parses re-encodes to itself", arguments: 0..<8)
    func fuzz(seed: Int) throws {
        var random = SplitMix64(seed: UInt64(seed) &* 7919)
        let prefixes = ["MAIL FROM:<", "RCPT TO:<", "EHLO ", "AUTH PLAIN ", "BDAT ", "MAIL FROM:<a@b.example> ", "RCPT TO:<\"", "VRFY "]
        let pieces: [[UInt8]] = ["@", ".", "\"", "\\", "<", ">", "[", "]", ":", ",", " ", "=", "+", "a", "Z", "0", "9", "-",
                                 "example", "com", "IPv6:", "SIZE=", "NOTIFY=", "用", "é", "\u{0}", "\u{FF}"].map { Array($0.utf8) }
            + [[0x80], [0xC3], [0xFF], [0x0D, 0x0A]]
        for _ in 0..<2_000 {
            var line = Array(prefixes.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 0...30, using: &random) {
                line += pieces.randomElement(using: &random)!
            }
            do {
                let parsed = try SMTPCommand.parse(line: line)
                let again = try SMTPCommand.parse(line: parsed.encoded.dropLast(2))
                #expect(again == parsed, "\(line)")
            } catch {
                #expect((500...555).contains(error.replyCode))
                #expect(error.detail.utf8.allSatisfy { (0x20...0x7E).contains($0) })
            }
        }
    }
}
