// MailboxDomain — what follows the "@" of a mailbox in MAIL FROM and RCPT TO.
//
// Standards: RFC 5321 §4.1.2 (Mailbox = Local-part "@" ( Domain / address-literal )), §2.3.5
// (only fully-qualified domain names; no trailing dot), §4.1.3 (address literals); RFC 6531
// §3.3 (U-labels).
//
// The domain is a MailroomCore.DomainName, so it is compared in its normalized A-label form:
// "Example.COM" and "example.com" are one domain (RFC 5321 §2.4), and "例子.中国" is the same
// as "xn--fsqu00a.xn--fiqs8s". A one-label domain ("user@localhost") is refused by the
// grammar: RFC 5321 §2.3.5 allows only FQDNs in SMTP.

import MailroomCore

/// The domain part of a mailbox: a domain name or an address literal.
public enum MailboxDomain: Hashable, Sendable {
    case domain(DomainName)
    case addressLiteral(AddressLiteral)

    /// The domain name, or nil for an address literal.
    public var domainName: DomainName? {
        if case .domain(let name) = self { return name }
        return nil
    }

    /// The wire form: U-labels when `unicode` (only with SMTPUTF8), A-labels otherwise.
    func text(unicode: Bool) -> String {
        switch self {
        case .domain(let name): return unicode ? name.unicode : name.ascii
        case .addressLiteral(let literal): return literal.description
        }
    }
}
