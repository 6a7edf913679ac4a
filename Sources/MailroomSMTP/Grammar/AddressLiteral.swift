// AddressLiteral — an IP address written in place of a domain: "[192.0.2.1]",
// "[IPv6:2001:db8::1]", in EHLO and after the "@" of a mailbox.
//
// Standards: RFC 5321 §4.1.3 (address literals), §4.1.2 (address-literal in Mailbox),
// RFC 4291 §2.2 (IPv6 text forms, via MailroomCore.IPAddress).
//
// General-address-literal ("[tag:content]") is refused: RFC 5321 §4.1.3 requires its tag to
// be registered with IANA, and no tag but "IPv6" ever was, so such an address cannot be
// delivered to anywhere. Snum allows leading zeros ("[192.0.2.010]" is 192.0.2.10, decimal:
// RFC 5321 §4.1.3 says "decimal integer"); the encoder writes the canonical form.

import MailroomCore

/// An IPv4 or IPv6 address literal (RFC 5321 §4.1.3).
public struct AddressLiteral: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress

    public init(_ address: IPAddress) {
        self.address = address
    }

    /// The wire form: "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5952 canonical text).
    public var description: String {
        address.isIPv4 ? "[\(address)]" : "[IPv6:\(address)]"
    }
}
