// ServiceExtensions — what a server offers in its EHLO reply, as a value: the server side
// builds the reply from it (SMTPReply.ehlo), the client side reads it back from a reply.
//
// Standards: RFC 5321 §4.1.1.1 (ehlo-ok-rsp; ehlo-line = ehlo-keyword *( SP ehlo-param );
// keywords case-insensitive), RFC 2920 (PIPELINING), RFC 1870 (SIZE [number]; 0 means no fixed
// limit), RFC 6152 (8BITMIME), RFC 3030 (CHUNKING, BINARYMIME), RFC 6531 (SMTPUTF8), RFC 2034
// (ENHANCEDSTATUSCODES), RFC 3207 (STARTTLS), RFC 4954 §3 (AUTH mechanism list), RFC 3461 (DSN).
//
// Lines are written in the order Postfix uses, so replies look familiar in transcripts.
// XXX: the "AUTH=PLAIN LOGIN" line some 1990s clients need (Postfix's
// broken_sasl_auth_clients) is not written; add it here if such clients show up.

/// The ESMTP extensions offered in an EHLO reply.
public struct ServiceExtensions: Hashable, Sendable {
    /// PIPELINING (RFC 2920).
    public var pipelining: Bool
    /// SIZE (RFC 1870): the largest message in octets; 0 announces "SIZE 0", no fixed limit;
    /// nil leaves SIZE out.
    public var size: UInt64?
    /// STARTTLS (RFC 3207): offered only before TLS is active.
    public var startTLS: Bool
    /// AUTH (RFC 4954): the mechanisms offered now; empty leaves AUTH out.
    public var authMechanisms: [SASLMechanism]
    /// ENHANCEDSTATUSCODES (RFC 2034).
    public var enhancedStatusCodes: Bool
    /// 8BITMIME (RFC 6152).
    public var eightBitMIME: Bool
    /// BINARYMIME (RFC 3030); only meaningful with CHUNKING.
    public var binaryMIME: Bool
    /// DSN (RFC 3461).
    public var dsn: Bool
    /// SMTPUTF8 (RFC 6531).
    public var smtpUTF8: Bool
    /// CHUNKING (RFC 3030): BDAT.
    public var chunking: Bool
    /// Other ehlo-lines, as sent (client side: extensions this type does not name).
    public var additional: [String]

    public init(pipelining: Bool = false, size: UInt64? = nil, startTLS: Bool = false, authMechanisms: [SASLMechanism] = [],
                enhancedStatusCodes: Bool = false, eightBitMIME: Bool = false, binaryMIME: Bool = false, dsn: Bool = false,
                smtpUTF8: Bool = false, chunking: Bool = false, additional: [String] = []) {
        self.pipelining = pipelining
        self.size = size
        self.startTLS = startTLS
        self.authMechanisms = authMechanisms
        self.enhancedStatusCodes = enhancedStatusCodes
        self.eightBitMIME = eightBitMIME
        self.binaryMIME = binaryMIME
        self.dsn = dsn
        self.smtpUTF8 = smtpUTF8
        self.chunking = chunking
        self.additional = additional
    }

    // ehlo-line    = ehlo-keyword *( SP ehlo-param )
    // ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    /// The ehlo-lines, without the first line that names the server.
    public var ehloLines: [String] {
        var lines: [String] = []
        if pipelining { lines.append("PIPELINING") }
        if let size { lines.append("SIZE \(size)") }
        if startTLS { lines.append("STARTTLS") }
        if !authMechanisms.isEmpty { lines.append((["AUTH"] + authMechanisms.map(\.name)).joined(separator: " ")) }
        if enhancedStatusCodes { lines.append("ENHANCEDSTATUSCODES") }
        if eightBitMIME { lines.append("8BITMIME") }
        if binaryMIME { lines.append("BINARYMIME") }
        if dsn { lines.append("DSN") }
        if smtpUTF8 { lines.append("SMTPUTF8") }
        if chunking { lines.append("CHUNKING") }
        return lines + additional
    }

    /// Reads the extensions from a server's EHLO reply (client side). The first line names the
    /// server; each later line is one extension. Unknown keywords, and known ones with
    /// parameters that do not parse, are kept in `additional`.
    public init(ehloReply reply: SMTPReply) {
        self.init()
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ")
            guard let first = words.first else { continue }
            let parameters = words.dropFirst()
            switch first.uppercased() {
            case "PIPELINING" where parameters.isEmpty: pipelining = true
            case "SIZE" where parameters.count <= 1:
                if let text = parameters.first {
                    guard let value = UInt64(text) else { additional.append(line); continue }
                    size = value
                } else {
                    size = 0
                }
            case "STARTTLS" where parameters.isEmpty: startTLS = true
            case "AUTH": authMechanisms += parameters.compactMap { SASLMechanism(String($0)) }
            case "ENHANCEDSTATUSCODES" where parameters.isEmpty: enhancedStatusCodes = true
            case "8BITMIME" where parameters.isEmpty: eightBitMIME = true
            case "BINARYMIME" where parameters.isEmpty: binaryMIME = true
            case "DSN" where parameters.isEmpty: dsn = true
            case "SMTPUTF8" where parameters.isEmpty: smtpUTF8 = true
            case "CHUNKING" where parameters.isEmpty: chunking = true
            default: additional.append(line)
            }
        }
    }
}
