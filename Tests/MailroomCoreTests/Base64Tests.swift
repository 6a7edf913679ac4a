// Base64 (MailroomCore's one codec, used by SMTP AUTH and SCRAM): the RFC 4648 §10 vectors,
// strictness (length, padding, alphabet, no spaces or line breaks, zero pad bits per RFC 4648
// §3.5) and a round trip of every octet value. Moved here from the SASL and SMTP tests when
// their two copies became this one.

import MailroomCore
import Testing

@Suite("Base64")
struct Base64Tests {
    @Test("RFC 4648 §10 vectors")
    func vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded.utf8) == Array(plain.utf8))
            #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
        }
    }

    @Test("strict: refused inputs", arguments: [
        "Zg=", "Z===", "====", "Zm9v\n", "Zg==Zg==", "Zm 9v", "Zm 9", "Zm9v=", "Zm-v", "Zm9v!A==", "Z=g=",
        // RFC 4648 §3.5: non-zero pad bits ("Zg==" and "Zm8=" are the only encodings of "f" and "fo").
        "Zh==", "Zm9=",
    ])
    func refused(_ bad: String) {
        #expect(Base64.decode(bad.utf8) == nil, "\(bad)")
    }

    @Test("every octet value round-trips")
    func roundTrip() {
        let all = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Array(Base64.encode(all).utf8)) == all)
        for count in 0..<7 {
            let bytes = Array(all.prefix(count))
            #expect(Base64.decode(Base64.encode(bytes).utf8) == bytes)
        }
    }
}
