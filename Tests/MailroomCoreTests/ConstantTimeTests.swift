// ConstantTime (MailroomCore's one secret comparison, used by the SASL mechanisms and the
// password store): equal only for the same octets and the same length.

import MailroomCore
import Testing

@Suite("ConstantTime")
struct ConstantTimeTests {
    @Test("equal only for the same octets and length")
    func equality() {
        #expect(ConstantTime.equal([], []))
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([0xff, 2, 3], [1, 2, 3]))
        // A prefix, or a value padded with zeros, is not equal.
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 0]))
        #expect(!ConstantTime.equal([], [0]))
    }
}
