// SubjectAlternativeName — one name a certificate is valid for: a DNS name or an IP address
// (the two GeneralName choices a mail client checks, RFC 6125 §6.4, RFC 9525 §6.3), and the
// rules that turn a configured host name into one.
//
// Standards:
// - RFC 5280 §4.2.1.6: dNSName [2] IA5String in the "preferred name syntax" (RFC 1034 §3.5 as
//   amended by RFC 1123 §2.1), no wildcards here; iPAddress [7] OCTET STRING of 4 or 16
//   octets, network order.
// - RFC 5890 §2.3.2.1: internationalised names go into dNSName as A-labels ("xn--…"),
//   converted with MailroomCore's DomainName.
// - RFC 1035 §2.3.4: labels of 1–63 octets, 253 octets in all (text form).
// - RFC 3696 §2: an all-numeric last label is refused, so "127.1" is not mistaken for a name.
//
// Security: a host name is configuration, but it ends up in a certificate that clients match
// names against, so only LDH names and strict IP literals are accepted (no "*", no "_", no
// spaces, no zone ids).

import MailroomCore

public enum SubjectAlternativeName: Hashable, Sendable, CustomStringConvertible {
    /// Lower-case ASCII (A-label) host name without a trailing dot.
    case dnsName(String)
    case ipAddress(IPAddress)

    /// RFC 1035 §2.3.4.
    static let maximumLabelLength = 63
    static let maximumNameLength = 253

    /// "mail.example.com", "Mail.Example.COM.", "bücher.example", "127.0.0.1", "::1" or "[::1]".
    public init(hostName: String) throws(TLSCredentialsError) {
        func invalid(_ reason: String) -> TLSCredentialsError {
            TLSCredentialsError(field: "host name", path: nil, problem: .invalidHostName(reason: reason))
        }
        var text = hostName
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2 { text = String(text.dropFirst().dropLast()) }
        if let address = IPAddress(text) {
            self = .ipAddress(address)
            return
        }
        guard !text.isEmpty else { throw invalid("the host name is empty") }
        if text.hasSuffix(".") { text.removeLast() }  // the root
        if !text.utf8.allSatisfy({ $0 < 0x80 }) {
            // RFC 5890: U-labels become A-labels. DomainName wants two labels, which an
            // internationalised host name always has in practice.
            do {
                text = try DomainName(text).ascii
            } catch {
                throw invalid("\"\(hostName)\" is not a valid internationalised domain name: \(error)")
            }
        }
        text = text.lowercased()
        guard text.utf8.count <= Self.maximumNameLength else {
            throw invalid("\"\(hostName)\" is longer than \(Self.maximumNameLength) octets")
        }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw invalid("\"\(hostName)\" has an empty label") }
            guard label.utf8.count <= Self.maximumLabelLength else {
                throw invalid("\"\(hostName)\" has a label longer than \(Self.maximumLabelLength) octets")
            }
            let ldh = label.utf8.allSatisfy { byte in
                (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == UInt8(ascii: "-")
            }
            guard ldh else { throw invalid("\"\(hostName)\" may contain only letters, digits, '-' and '.'") }
            guard label.first != "-", label.last != "-" else {
                throw invalid("\"\(hostName)\" has a label that starts or ends with '-'")
            }
        }
        if labels.last!.allSatisfy(\.isNumber) {
            throw invalid("\"\(hostName)\" is neither a strict IP address nor a host name (all-numeric last label)")
        }
        self = .dnsName(text)
    }

    /// OpenSSL's spelling, "DNS:mail.example.com" / "IP:192.0.2.1".
    public var description: String {
        switch self {
        case .dnsName(let name): return "DNS:\(name)"
        case .ipAddress(let address): return "IP:\(address)"
        }
    }

    /// The host name as it would be configured: the DNS name or the address text.
    public var text: String {
        switch self {
        case .dnsName(let name): return name
        case .ipAddress(let address): return address.description
        }
    }

    /// The GeneralName encoding (RFC 5280 §4.2.1.6, IMPLICIT tags).
    var der: [UInt8] {
        switch self {
        case .dnsName(let name): return DER.implicit(2, contents: Array(name.utf8))
        case .ipAddress(let address): return DER.implicit(7, contents: address.bytes)
        }
    }
}
