// Mailbox — the address inside an SMTP path: a local part kept exactly as the client meant it,
// and a domain.
//
// Standards: RFC 5321 §4.1.2 (Mailbox), §2.4 (the local part is case-sensitive; the domain is
// not), §4.5.3.1.1–3 (64-octet local part, 255-octet domain, 256-octet path); RFC 6531 §3.3
// and §3.4 (UTF-8 local parts and U-labels need the SMTPUTF8 parameter).
//
// Nothing here interprets routing inside the local part: "user%remote", "remote!user" and
// "\"user@remote\"" are local parts like any other. The relay decision is made on `domain`
// alone, and a hosted lookup (`emailAddress()`) of such a local part simply finds no user.
//
// This is not MailroomCore.EmailAddress: that type is a hosted mailbox (lower-cased, no quoted
// local parts), while this one carries any address a peer may send or be sent to, with its
// case and quoting preserved for relaying.

import MailroomCore

/// RFC 5321 Mailbox: `Local-part "@" ( Domain / address-literal )`.
public struct Mailbox: Hashable, Sendable, CustomStringConvertible {
    public let localPart: LocalPart
    public let domain: MailboxDomain
    /// RFC 6531 §3.4: the mailbox was written with UTF-8 (a non-ASCII local part or U-labels in
    /// the domain), so the transaction must carry the SMTPUTF8 parameter. The encoder writes
    /// the domain in U-labels exactly when this is set.
    public let requiresSMTPUTF8: Bool

    /// A mailbox to send to or from. It requires SMTPUTF8 when the local part is not ASCII,
    /// and its domain is then written in U-labels; otherwise in A-labels.
    public init(localPart: LocalPart, domain: MailboxDomain) {
        self.init(localPart: localPart, domain: domain, requiresSMTPUTF8: !localPart.isASCII)
    }

    /// A hosted address as a mailbox.
    public init(_ address: EmailAddress) {
        // A core LocalPart is a dot-atom of atext and allowed UTF-8, so it is a valid value.
        self.init(localPart: LocalPart(validated: address.localPart.value), domain: .domain(address.domain))
    }

    /// What the parser uses: the flag says whether the path was written with UTF-8.
    init(localPart: LocalPart, domain: MailboxDomain, requiresSMTPUTF8: Bool) {
        self.localPart = localPart
        self.domain = domain
        self.requiresSMTPUTF8 = requiresSMTPUTF8 || !localPart.isASCII
    }

    /// The hosted address this mailbox names, for lookups in the account store. Throws when
    /// the local part is not one a hosted mailbox can have (quoted text, "@", "/" …) or the
    /// domain is an address literal: such a recipient is an unknown user, never a relay.
    public func emailAddress() throws(AddressError) -> EmailAddress {
        guard case .domain(let name) = domain else {
            throw AddressError(field: .domain, message: "an address literal is not a hosted domain")
        }
        return EmailAddress(localPart: try MailroomCore.LocalPart(localPart.value), domain: name)
    }

    /// The wire form without angle brackets: `"john smith"@example.com`, `用户@例子.中国`.
    public var description: String {
        localPart.description + "@" + domain.text(unicode: requiresSMTPUTF8)
    }
}
