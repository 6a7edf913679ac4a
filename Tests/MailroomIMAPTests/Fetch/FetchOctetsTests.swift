// FetchOctetsTests.swift — tests for Fetch/FetchOctets.swift: bare LF made CRLF piece by
// piece (a LF at a piece's start counts as bare, as MailroomMIME counts), existing CRLF and
// bare CR kept, stored ranges merged, sizes counted without copying, and windows that start or
// end inside a CRLF made from a bare LF.

@testable import MailroomIMAP
import Testing

@Suite("Fetch: octets in CRLF form and partial windows")
struct FetchOctetsTests {
    static let stored = Array("a\nb\r\nc\rd\n".utf8)   // bare LF, CRLF, bare CR, bare LF

    @Test("bare LF becomes CRLF; CRLF and a bare CR stay")
    func crlf() {
        let octets = FetchOctets([.stored(0..<Self.stored.count)])
        #expect(octets.bytes(in: Self.stored) == Array("a\r\nb\r\nc\rd\r\n".utf8))
        #expect(octets.count(in: Self.stored) == 11)
    }

    @Test("a LF at the start of a piece is bare even after a CR in the piece before")
    func pieceStart() {
        let octets = FetchOctets([.stored(3..<4), .octets([0x78]), .stored(4..<5)])   // "\r", "x", "\n"
        #expect(octets.bytes(in: Self.stored) == [0x0D, 0x78, 0x0D, 0x0A])
        #expect(octets.count(in: Self.stored) == 4)
    }

    @Test("touching stored ranges merge; empty pieces are dropped")
    func merge() {
        var octets = FetchOctets()
        octets.appendStored(0..<2)
        octets.appendStored(2..<2)
        octets.appendStored(2..<5)
        octets.append([])
        octets.appendStored(6..<7)
        #expect(octets.pieces == [.stored(0..<5), .stored(6..<7)])
    }

    @Test("every window equals the slice of the whole output")
    func windows() {
        let octets = FetchOctets([.stored(0..<Self.stored.count), .octets([0x00, 0x41]), .stored(0..<2)])
        let whole = octets.bytes(in: Self.stored)
        #expect(whole.count == octets.count(in: Self.stored))
        for lower in 0...(whole.count + 2) {
            for upper in lower...(whole.count + 3) {
                let want = Array(whole[min(lower, whole.count)..<min(upper, whole.count)])
                #expect(octets.bytes(in: Self.stored, window: lower..<upper) == want, "\(lower)..<\(upper)")
            }
        }
    }

    @Test("NUL is replaced only when asked")
    func nul() {
        let octets = FetchOctets([.octets([0x00, 0x41, 0x00])])
        #expect(octets.bytes(in: []) == [0x00, 0x41, 0x00])
        #expect(octets.bytes(in: [], replacingNUL: 0x80) == [0x80, 0x41, 0x80])
    }

    @Test("a stored range past the message is clamped")
    func clamped() {
        let octets = FetchOctets([.stored(5..<100)])
        #expect(octets.bytes(in: Self.stored) == Array("c\rd\r\n".utf8))
        #expect(octets.count(in: Self.stored) == 5)
    }
}
