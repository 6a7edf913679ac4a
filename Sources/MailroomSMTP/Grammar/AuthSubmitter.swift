// AuthSubmitter — the AUTH= parameter of MAIL FROM: who submitted the message, as asserted by
// a client that authenticated to the server relaying it.
//
// Standards: RFC 4954 §5 (auth-param = "AUTH=" xtext; the decoded value is an addr-spec, or
// "<>" when the submitter is not known). A server must ignore the value unless it trusts the
// client (RFC 4954 §5); that decision belongs to the session.

/// RFC 4954 §5 AUTH parameter of MAIL FROM.
public enum AuthSubmitter: Hashable, Sendable, CustomStringConvertible {
    /// "AUTH=<>": the original submitter is not known or not authenticated.
    case unknown
    /// The submitter's address, xtext-decoded (printable ASCII; not otherwise validated).
    case address(String)

    /// The wire form of the value: "<>" or xtext ("user+2Bx@example.com").
    public var description: String {
        switch self {
        case .unknown: return "<>"
        case .address(let address): return XText.encode(address)
        }
    }
}
