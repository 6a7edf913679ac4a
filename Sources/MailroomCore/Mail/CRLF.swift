// CRLF — line-end normalisation for messages that arrive with bare LF (a file on standard
// input, a stored message with LF line ends) but leave as internet mail: `mailroom queue
// add` (MailroomCLI), the returned message in a DSN (MailroomQueue), and the tests that
// compare a stored message with what an IMAP server sends.
//
// Standards: RFC 5322 §2.1 and RFC 5321 §2.3.8 (lines end in CRLF; bare LF is not allowed).
//
// Only a LF not already preceded by CR gains one; CRLF stays as it is, and a bare CR is left
// alone (the SMTP layer refuses one on input). Linear in the input.

public enum CRLF {
    /// `bytes` with every bare LF made CRLF.
    public static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }
}
