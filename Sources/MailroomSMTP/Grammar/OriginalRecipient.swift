// OriginalRecipient — the ORCPT= parameter of RCPT TO: the recipient as the sender first gave
// it, for the DSN's Original-Recipient field.
//
// Standards: RFC 3461 §4.2 (orcpt-parameter = "ORCPT=" original-recipient-address;
// original-recipient-address = addr-type ";" xtext; addr-type = atom), §4 (xtext).
//
// XXX: RFC 6533 §3 defines "utf-8" addr-type values with "\x{HEX}" escapes; they are valid
// xtext and are kept literally here, not decoded. The DSN code can decode them when it needs to.

/// RFC 3461 original-recipient-address.
public struct OriginalRecipient: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3461 §4.2: the ORCPT value "MUST NOT exceed 500 characters" (as written).
    public static let maximumLength = 500

    /// "rfc822" in almost every case (RFC 3461 §4.2); compared without regard to case.
    public let addressType: String
    /// The address, xtext-decoded: printable ASCII.
    public let address: String

    public init(addressType: String, address: String) {
        self.addressType = addressType
        self.address = address
    }

    /// Whether the type is "rfc822" (in any case).
    public var isRFC822: Bool { addressType.lowercased() == "rfc822" }

    /// The wire form of the value: "rfc822;user+2Bdsn@example.com".
    public var description: String { addressType + ";" + XText.encode(address) }
}
