// SMTPConnectionInfo — the facts about the client's connection that the session keeps and
// passes on in each transaction (for logs, the Received: field and policy).
//
// Standards: RFC 5321 §4.4 (trace information: the client's address goes into Received:),
// RFC 8314 §3.3 (implicit TLS from the first byte on the submissions port), RFC 3207 (TLS
// started later with STARTTLS; the session sets `tls` then).
//
// Security: the address is the one the socket reports, never anything the client says about
// itself (the HELO name is kept apart, in SMTPTransaction.hello).

/// The client end of one SMTP connection.
public struct SMTPConnectionInfo: Sendable, Equatable {
    /// The client's IP address as text ("192.0.2.1", "2001:db8::1").
    public var clientAddress: String
    public var clientPort: Int
    /// The connection is encrypted: true from the start on the implicit-TLS port, and after
    /// STARTTLS once the handshake is done.
    public var tls: Bool

    public init(clientAddress: String, clientPort: Int, tls: Bool) {
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.tls = tls
    }
}
