// MIMEHostileInputTests — named hostile inputs for the part-tree parser (style.md §14): deep
// nesting, a boundary that never ends, a 1 MB header line, 100,000 tiny parts, junk. Each must
// parse within MIMELimits, without trapping, quickly and with consistent ranges.

import Foundation
import MailroomCore
@testable import MailroomMIME
import Testing

@Suite("Hostile MIME input")
struct MIMEHostileInputTests {
    let clock = ContinuousClock()

    @Test("10,000 nested multiparts: structure stops at maxNestingDepth, no stack overflow")
    func deepNesting() {
        var s = ""
        // "b\(i)x": no boundary is a prefix of another (RFC 2046 §5.1.1 matches prefixes).
        for i in 0..<10_000 { s += "Content-Type: multipart/mixed; boundary=b\(i)x\n\n--b\(i)x\n" }
        s += "\ninnermost\n"
        let data = bytes(s)
        var m: MIMEMessage?
        let elapsed = clock.measure { m = MIMEMessage.parse(data) }
        guard let m else { return }
        #expect(elapsed < .seconds(20))
        let deepest = m.parts.map(\.depth).max() ?? 0
        #expect(deepest == MIMELimits.maxNestingDepthDefault)
        #expect(m.parts.count == MIMELimits.maxNestingDepthDefault + 1)
        #expect(m.consistencyProblems().isEmpty)
        // Section resolution walks down iteratively too.
        #expect(m.part(at: Array(repeating: 1, count: 100))?.depth == 100)
        // A tighter limit.
        let shallow = MIMEMessage.parse(data, limits: MIMELimits(maxNestingDepth: 3))
        #expect(shallow.parts.count == 4)
        #expect(shallow.consistencyProblems().isEmpty)
    }

    @Test("10,000 nested message/rfc822 parts")
    func deepMessages() {
        let data = bytes(String(repeating: "Content-Type: message/rfc822\n\n", count: 10_000) + "end")
        let m = MIMEMessage.parse(data)
        #expect(m.parts.count == MIMELimits.maxNestingDepthDefault + 1)
        #expect(m.consistencyProblems().isEmpty)
    }

    @Test("a boundary that never ends: parts run to the end of the data")
    func neverEnding() {
        var s = "Content-Type: multipart/mixed; boundary=z\n\n--z\n\n"
        s += String(repeating: "-- y\n-\n--\n", count: 50_000)
        s += String(repeating: "x", count: 200_000)
        let m = MIMEMessage.parse(bytes(s))
        #expect(m.consistencyProblems().isEmpty)
        #expect(m.parts.last?.bodyRange.upperBound == s.utf8.count)
    }

    @Test("a 1 MB header without a newline")
    func hugeHeaderLine() {
        let data = bytes("Subject: " + String(repeating: "a", count: 1_000_000))
        var m: MIMEMessage?
        let elapsed = clock.measure { m = MIMEMessage.parse(data) }
        #expect(elapsed < .seconds(10))
        #expect(m?.root.headerRange == 0..<data.count)
        #expect(m?.root.header.fields.first?.rawValue.count == 1_000_001)
        let noColon = MIMEMessage.parse(Array(repeating: UInt8(ascii: "x"), count: 1_000_000))
        #expect(noColon.root.header.fields.isEmpty)
    }

    @Test("100,000 tiny parts: capped at maxParts, the rest stays in the last part")
    func manyParts() {
        var s = "Content-Type: multipart/mixed; boundary=p\n\n"
        s.reserveCapacity(1_200_000)
        for _ in 0..<100_000 { s += "--p\n\nx\n" }
        s += "--p--\n"
        let data = bytes(s)
        var m: MIMEMessage?
        let elapsed = clock.measure { m = MIMEMessage.parse(data) }
        guard let m else { return }
        #expect(elapsed < .seconds(30))
        #expect(m.parts.count == MIMELimits.maxPartsDefault)
        #expect(m.root.children.count == MIMELimits.maxPartsDefault - 1)
        #expect(m.parts.last?.bodyRange.upperBound == data.count)
        #expect(m.consistencyProblems().isEmpty)

        let unlimited = MIMEMessage.parse(data, limits: MIMELimits(maxParts: 200_000))
        #expect(unlimited.root.children.count == 100_000)
    }

    @Test("many open boundaries with a long shared prefix do not go quadratic")
    func sharedPrefixes() {
        let prefix = String(repeating: "q", count: 60)
        var s = ""
        for i in 0..<100 { s += "Content-Type: multipart/mixed; boundary=\(prefix)\(i)\n\n--\(prefix)\(i)\n" }
        s += "\n" + String(repeating: "--\(prefix)\n", count: 20_000)
        let elapsed = clock.measure { _ = MIMEMessage.parse(bytes(s)) }
        #expect(elapsed < .seconds(20))
    }

    @Test("fuzz: seeded random mutations and truncations never trap and always nest")
    func junk() throws {
        let seed = crlf(MIMESectionTests.example) + crlf(MIMEMessageTests.multipart)
        var rng = SplitMix64(seed: 0x4D494D45)   // fixed: a failure repeats
        for _ in 0..<400 {
            var data = seed
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let i = Int.random(in: 0..<data.count, using: &rng)
                data[i] = [0x0A, 0x0D, 0x2D, 0x3A, 0x20, 0x00, 0xFF, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
            }
            let cut = Array(data.prefix(Int.random(in: 0...data.count, using: &rng)))
            for input in [data, cut] {
                let m = MIMEMessage.parse(input)
                #expect(m.consistencyProblems().isEmpty)
                for p in m.parts { _ = m.decodedText(of: p) }
            }
        }
    }
}
