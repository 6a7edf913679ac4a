// EmailAddress — a hosted mailbox address: a LocalPart and a DomainName.
//
// Standards: RFC 5321 §4.1.2 (Mailbox = Local-part "@" Domain), RFC 6531 §3.3 (UTF-8 local
// parts; the domain may be in U-label or A-label form), RFC 5321 §4.5.3.1.3 (a path is at most
// 256 octets with its angle brackets, so an address is at most 254).
//
// The ASCII form keeps the UTF-8 local part and puts only the domain in A-labels: there is no
// ASCII encoding of a UTF-8 local part (RFC 6530 §9), so an SMTPUTF8-less peer cannot take it
// anyway.
//
// Security: the split is at the LAST "@" (counted in Unicode scalars, so a combining mark after
// "@" cannot hide it); since "@" is not atext, an address with two "@" is refused by LocalPart.
// Angle brackets are refused here so that SMTP path syntax is parsed in one place only.

public struct EmailAddress: Hashable, Sendable, CustomStringConvertible {
    /// RFC 5321 §4.5.3.1.3: 256-octet path less "<" and ">".
    public static let maximumLength = 254

    public let localPart: LocalPart
    public let domain: DomainName

    /// Joins already validated parts. The 254-octet total limit is checked only by `init(_:)`.
    public init(localPart: LocalPart, domain: DomainName) {
        self.localPart = localPart
        self.domain = domain
    }

    /// Parses "local@domain", splitting at the LAST '@'; "<...>" brackets are not accepted here.
    public init(_ input: String) throws(AddressError) {
        guard !input.isEmpty else { throw Self.error("address is empty") }
        if input.hasPrefix("<") || input.hasSuffix(">") {
            throw Self.error("\(AddressError.quote(input)) is in angle brackets; give the bare address (user@example.com)")
        }
        let scalars = input.unicodeScalars
        guard let at = scalars.lastIndex(of: "@") else {
            if scalars.contains("\u{FF20}") {
                throw Self.error("\(AddressError.quote(input)) has no '@' (it has a full-width '＠' U+FF20; use '@')")
            }
            throw Self.error("\(AddressError.quote(input)) has no '@'")
        }
        let local = try LocalPart(String(scalars[..<at]))
        let domain = try DomainName(String(scalars[scalars.index(after: at)...]))
        self.init(localPart: local, domain: domain)
        let length = ascii.utf8.count
        guard length <= Self.maximumLength else {
            throw Self.error("address is longer than \(Self.maximumLength) octets (\(length))")
        }
    }

    /// "用户@xn--fsqu00a.xn--fiqs8s": the local part stays UTF-8; only the domain is Punycode.
    public var ascii: String { localPart.value + "@" + domain.ascii }

    /// "用户@例子.中国".
    public var unicode: String { localPart.value + "@" + domain.unicode }

    public var description: String { unicode }

    private static func error(_ message: String) -> AddressError {
        AddressError(field: .address, message: message)
    }
}
