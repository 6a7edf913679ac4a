// HelloDomain — the name a client gives itself in HELO or EHLO.
//
// Standards: RFC 5321 §4.1.1.1 (ehlo = "EHLO" SP ( Domain / address-literal ); the client
// SHOULD send its fully-qualified domain name, or an address literal if it has none),
// §2.3.5 (FQDNs), §4.1.3 (address literals); RFC 6531 §3.3 (U-labels in Domain).
//
// The grammar accepts any syntactically valid Domain, and sorts it: a name MailroomCore's
// DomainName accepts (at least two labels, IDNA2008-valid, not all-numeric at the top) is a
// `.domain`; a name that is valid RFC 5321 Domain syntax but not an FQDN ("localhost",
// "DESKTOP-7F3K", or a bare "192.0.2.1") is `.unqualified`, so that HELO checks in the policy
// layer can refuse it, while a workstation that names itself badly is not cut off by the
// grammar. Underscores and other non-LDH characters are refused, as Exim does by default
// (its helo_allow_chars is empty).
//
// HELO takes the same argument: RFC 5321 §4.1.1.1 has only Domain there, but clients that
// send "HELO [192.0.2.1]" exist and nothing is gained by refusing them.

import MailroomCore

/// The argument of HELO and EHLO.
public enum HelloDomain: Hashable, Sendable, CustomStringConvertible {
    /// A fully-qualified, validated domain name.
    case domain(DomainName)
    /// RFC 5321 Domain syntax, ASCII, but not a fully-qualified name: one label or an
    /// all-numeric top label. Kept as the client sent it.
    case unqualified(String)
    /// "[192.0.2.1]", "[IPv6:2001:db8::1]".
    case addressLiteral(AddressLiteral)

    /// The wire form; a domain is written in A-labels, which every server reads.
    public var description: String {
        switch self {
        case .domain(let name): return name.ascii
        case .unqualified(let text): return text
        case .addressLiteral(let literal): return literal.description
        }
    }
}
