// Hex (MailroomCore's one codec, used for CRAM-MD5 digests and Dovecot `.HEX` password
// digests): lowercase output, either case accepted, odd lengths and non-digits refused.

import MailroomCore
import Testing

@Suite("Hex")
struct HexTests {
    @Test("encodes lowercase, decodes either case")
    func roundTrip() {
        let all = (0...255).map { UInt8($0) }
        let encoded = Hex.encode(all)
        #expect(encoded.utf8.count == 512 && encoded == encoded.lowercased())
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.decode(encoded) == all)
        #expect(Hex.decode(encoded.uppercased()) == all)
        #expect(Hex.decode(Array("B913a602".utf8)) == [0xb9, 0x13, 0xa6, 0x02])
        #expect(Hex.encode([]) == "" && Hex.decode("") == [])
    }

    @Test("refused inputs", arguments: ["0", "abc", "0g", "g0", " 00", "00 ", "0x00", "-1", "ab\n"])
    func refused(_ bad: String) {
        #expect(Hex.decode(bad) == nil, "\(bad)")
        #expect(Hex.decode(Array(bad.utf8)) == nil, "\(bad)")
    }
}
