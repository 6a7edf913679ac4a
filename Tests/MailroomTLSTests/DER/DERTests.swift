// Tests for the DER writer and reader: X.690 fixtures (lengths, INTEGER signs, OIDs, named
// bits), RFC 5280 §4.1.2.5 time forms on both sides of 2050, round trips through the reader,
// the civil-date arithmetic, PEM, and hostile reader input (indefinite, non-minimal and
// overlong lengths, trailing bytes).

import Foundation
import Testing
@testable import MailroomTLS

@Suite("DER")
struct DERTests {
    @Test("INTEGER is minimal two's complement", arguments: [
        (0, [0x02, 0x01, 0x00]),
        (127, [0x02, 0x01, 0x7F]),
        (128, [0x02, 0x02, 0x00, 0x80]),
        (256, [0x02, 0x02, 0x01, 0x00]),
        (2, [0x02, 0x01, 0x02]),
        (-1, [0x02, 0x01, 0xFF]),
        (-128, [0x02, 0x01, 0x80]),
        (-129, [0x02, 0x02, 0xFF, 0x7F]),
    ] as [(Int, [UInt8])])
    func integer(value: Int, expected: [UInt8]) {
        #expect(DER.integer(value) == expected)
    }

    @Test("unsigned INTEGER strips zeros and keeps the sign positive")
    func unsignedInteger() {
        #expect(DER.integer(unsignedBytes: [0x00, 0x00, 0x7F]) == [0x02, 0x01, 0x7F])
        #expect(DER.integer(unsignedBytes: [0x80, 0x01]) == [0x02, 0x03, 0x00, 0x80, 0x01])
        #expect(DER.integer(unsignedBytes: []) == [0x02, 0x01, 0x00])
        #expect(DER.integer(unsignedBytes: [0x00]) == [0x02, 0x01, 0x00])
    }

    @Test("OBJECT IDENTIFIER encodes and reads back", arguments: [
        ("1.2.840.10045.4.3.2", [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]),
        ("2.5.29.17", [0x06, 0x03, 0x55, 0x1D, 0x11]),
        ("1.3.6.1.5.5.7.3.1", [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]),
        ("2.999.3", [0x06, 0x03, 0x88, 0x37, 0x03]),  // X.690 §8.19.5 example
    ] as [(String, [UInt8])])
    func objectIdentifier(dotted: String, expected: [UInt8]) throws {
        #expect(DER.objectIdentifier(dotted) == expected)
        #expect(try DERElement.single(expected).objectIdentifier() == dotted)
    }

    @Test("lengths use the short form below 128 and the fewest octets above")
    func lengths() throws {
        #expect(DER.octetString([UInt8](repeating: 1, count: 127)).prefix(2) == [0x04, 0x7F])
        #expect(DER.octetString([UInt8](repeating: 1, count: 128)).prefix(3) == [0x04, 0x81, 0x80])
        #expect(DER.octetString([UInt8](repeating: 1, count: 300)).prefix(4) == [0x04, 0x82, 0x01, 0x2C])
        let big = DER.octetString([UInt8](repeating: 7, count: 70_000))
        #expect(big.prefix(5) == [0x04, 0x83, 0x01, 0x11, 0x70])
        #expect(try DERElement.single(big).contents.count == 70_000)
    }

    @Test("BOOLEAN, NULL, strings, BIT STRING and context tags")
    func primitives() {
        #expect(DER.boolean(true) == [0x01, 0x01, 0xFF])
        #expect(DER.boolean(false) == [0x01, 0x01, 0x00])
        #expect(DER.null() == [0x05, 0x00])
        #expect(DER.utf8String("é") == [0x0C, 0x02, 0xC3, 0xA9])
        #expect(DER.printableString("Mail-1.example") == [0x13, 0x0E] + Array("Mail-1.example".utf8))
        #expect(DER.isPrintableString("a b'()+,-./:=?Z9"))
        #expect(!DER.isPrintableString("a_b"))
        #expect(!DER.isPrintableString("a@b"))
        #expect(!DER.isPrintableString("é"))
        #expect(DER.bitString([0xAB]) == [0x03, 0x02, 0x00, 0xAB])
        #expect(DER.explicit(0, DER.integer(2)) == [0xA0, 0x03, 0x02, 0x01, 0x02])
        #expect(DER.implicit(2, contents: Array("a.b".utf8)) == [0x82, 0x03, 0x61, 0x2E, 0x62])
        #expect(DER.sequence([]) == [0x30, 0x00])
    }

    @Test("named bits drop trailing zeros (KeyUsage)")
    func namedBits() {
        #expect(DER.namedBits([0]) == [0x03, 0x02, 0x07, 0x80])  // digitalSignature
        #expect(DER.namedBits([0, 2]) == [0x03, 0x02, 0x05, 0xA0])  // digitalSignature, keyEncipherment
        #expect(DER.namedBits([5]) == [0x03, 0x02, 0x02, 0x04])  // keyCertSign
        #expect(DER.namedBits([8]) == [0x03, 0x03, 0x07, 0x00, 0x80])  // decipherOnly
    }

    @Test("UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)")
    func times() throws {
        let lastUTC = CivilTime(year: 2049, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        let firstGeneralized = CivilTime(year: 2050, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        let a = DER.time(Date(timeIntervalSince1970: TimeInterval(lastUTC.epochSeconds)))
        let b = DER.time(Date(timeIntervalSince1970: TimeInterval(firstGeneralized.epochSeconds)))
        #expect(a == [0x17, 0x0D] + Array("491231235959Z".utf8))
        #expect(b == [0x18, 0x0F] + Array("20500101000000Z".utf8))
        #expect(try DERElement.single(a).time() == Date(timeIntervalSince1970: TimeInterval(lastUTC.epochSeconds)))
        #expect(try DERElement.single(b).time() == Date(timeIntervalSince1970: TimeInterval(firstGeneralized.epochSeconds)))
        // Fractions of a second are dropped, not rounded up.
        #expect(DER.time(Date(timeIntervalSince1970: 0.999)) == [0x17, 0x0D] + Array("700101000000Z".utf8))
        // RFC 5280 §4.1.2.5.1: UTCTime 50–99 is 19xx.
        #expect(try DERElement.single([0x17, 0x0D] + Array("500101000000Z".utf8)).time()
                    == Date(timeIntervalSince1970: TimeInterval(CivilTime(year: 1950, month: 1, day: 1, hour: 0, minute: 0, second: 0).epochSeconds)))
        #expect(throws: DERError.self) { try DERElement.single([0x17, 0x0B] + Array("4912312359Z".utf8)).time() }
        #expect(throws: DERError.self) { try DERElement.single([0x17, 0x0D] + Array("491231235959+".utf8)).time() }
        #expect(throws: DERError.self) { try DERElement.single([0x17, 0x0D] + Array("491331235959Z".utf8)).time() }
    }

    @Test("civil dates round trip, including leap days and negative epochs")
    func civilTime() {
        let samples: [Int64] = [0, -1, 951_782_400 /* 2000-02-29 */, 4_107_542_400 /* 2100-03-01 */, 1_700_000_000,
                                -631_152_000 /* 1950-01-01 */, 253_402_300_799 /* 9999-12-31 23:59:59 */]
        for seconds in samples {
            #expect(CivilTime(epochSeconds: seconds).epochSeconds == seconds)
        }
        #expect(CivilTime(epochSeconds: 951_782_400) == CivilTime(year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0))
        #expect(CivilTime(epochSeconds: -1) == CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
        #expect(CivilTime(epochSeconds: 1_700_000_000).text == "2023-11-14 22:13:20 UTC")
        for day in stride(from: Int64(-800_000), to: 800_000, by: 997) {
            #expect(CivilTime(epochSeconds: day * 86_400 + 4_321).epochSeconds == day * 86_400 + 4_321)
        }
    }

    @Test("the reader refuses what DER forbids", arguments: [
        [0x30, 0x80, 0x00, 0x00],  // indefinite length
        [0x04, 0x81, 0x05, 1, 2, 3, 4, 5],  // long form for a short length
        [0x04, 0x82, 0x00, 0x81] + [UInt8](repeating: 0, count: 0x81),  // leading zero length octet
        [0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00],  // 5 length octets
        [0x04, 0x05, 0x01],  // length beyond the input
        [0x04, 0x01, 0x01, 0x00],  // trailing byte
        [0x1F, 0x81, 0x01, 0x00],  // high tag number
        [0x04],  // no length
        [],
    ] as [[UInt8]])
    func readerRefuses(bytes: [UInt8]) {
        #expect(throws: DERError.self) { try DERElement.single(bytes) }
    }

    @Test("the reader refuses malformed OIDs and BIT STRINGs with unused bits")
    func readerRefusesValues() {
        #expect(throws: DERError.self) { try DERElement.single([0x06, 0x02, 0x80, 0x01]).objectIdentifier() }
        #expect(throws: DERError.self) { try DERElement.single([0x06, 0x01, 0x81]).objectIdentifier() }
        #expect(throws: DERError.self) { try DERElement.single([0x06, 0x00]).objectIdentifier() }
        #expect(throws: DERError.self) { try DERElement.single([0x03, 0x02, 0x07, 0x80]).bitStringOctets() }
        #expect(throws: DERError.self) { try DERElement.single([0x04, 0x00]).children() }
    }

    @Test("nested elements are read in order")
    func children() throws {
        let encoded = DER.sequence([DER.integer(5), DER.set([DER.utf8String("b"), DER.utf8String("a")]), DER.null()])
        let items = try DERElement.single(encoded).children()
        #expect(items.map(\.tag) == [0x02, 0x31, 0x05])
        #expect(try items[0].smallInteger() == 5)
        #expect(try items[1].children().map { try $0.string() } == ["a", "b"])  // SET OF sorted (X.690 §11.6)
    }

    @Test("PEM writes 64-column lines and reads blocks back")
    func pem() throws {
        let der = [UInt8](0...199)
        let text = PEM.encode(label: "CERTIFICATE", der: der)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "-----BEGIN CERTIFICATE-----")
        #expect(lines.last == "-----END CERTIFICATE-----")
        #expect(lines.dropFirst().dropLast().dropLast().allSatisfy { $0.count == 64 })
        let withNoise = "Bag Attributes\r\n" + text.replacingOccurrences(of: "\n", with: "\r\n") + "trailing words\n" + PEM.encode(label: "X", der: [1])
        #expect(try PEM.blocks(in: withNoise) == [PEM.Block(label: "CERTIFICATE", der: der), PEM.Block(label: "X", der: [1])])
        #expect(throws: DERError.self) { try PEM.blocks(in: "-----BEGIN A-----\nAAAA\n-----END B-----\n") }
        #expect(throws: DERError.self) { try PEM.blocks(in: "-----BEGIN A-----\nAAAA\n") }
        #expect(throws: DERError.self) { try PEM.blocks(in: "-----BEGIN A-----\n!!!!\n-----END A-----\n") }
        #expect(throws: DERError.self) { try PEM.blocks(in: "-----BEGIN A-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END A-----\n") }
        #expect(try PEM.blocks(in: "just text") == [])
    }
}
