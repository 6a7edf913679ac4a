// ConstantTime — comparing secrets without leaking where they differ. The one comparison for
// every module: SASL digests, proofs and keys (MailroomSASL) and stored password hashes
// (MailroomStore's Passwords).
//
// Security: the time depends only on the longer length, never on the contents, so a client
// cannot learn a digest or key byte by byte from response times. Lengths are not secret here
// (digests and keys have fixed sizes; a crypt(3) string's length follows from its scheme).

public enum ConstantTime {
    /// Whether `a` and `b` hold the same octets, in time that depends only on the longer length.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt8(a.count == b.count ? 0 : 1)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= x ^ y
        }
        return diff == 0
    }
}
