// URLAuthRequest and URLFetchRequest — the arguments of GENURLAUTH and URLFETCH.
//
// Standards: RFC 4467 §9 (URLAUTH):
//   genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)
//   url-rump = astring          ; an IMAP URL ending in ";URLAUTH=" access
//   mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")
//   urlfetch = "URLFETCH" 1*(SP url-full)
// RFC 5524 §5 (URLAUTH=BINARY) extends URLFETCH:
//   urlfetch = "URLFETCH" 1*(SP url-fetch-arg)
//   url-fetch-arg = url-full / "(" url-full *(SP url-fetch-param) ")"
//   url-fetch-param = "BODY" / "BINARY" / "BODYPARTSTRUCTURE"
// The URLs are kept as the client sent them: a URLAUTH token is computed over those octets
// (RFC 4467 §5), and a URL that does not parse is answered NIL by URLFETCH, not BAD.

/// One url-rump / mechanism pair of GENURLAUTH.
public struct URLAuthRequest: Hashable, Sendable {
    public var url: [UInt8]
    /// The mechanism, upper-cased ("INTERNAL").
    public var mechanism: String

    public init(url: [UInt8], mechanism: String) {
        self.url = url
        self.mechanism = mechanism
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeAString(url)
        buffer.write(" " + mechanism)
    }
}

/// One URL of URLFETCH, with RFC 5524's parameters when it came in parentheses.
public struct URLFetchRequest: Hashable, Sendable {
    /// What the parenthesised form asks for (RFC 5524 §3).
    public struct Parameters: Hashable, Sendable {
        /// BODY: the section as BODY[...] would send it (the default of "(url)").
        public var body: Bool
        /// BINARY: the section with its transfer encoding removed (RFC 3516).
        public var binary: Bool
        /// BODYPARTSTRUCTURE: the part's BODYSTRUCTURE.
        public var bodyPartStructure: Bool

        public init(body: Bool = false, binary: Bool = false, bodyPartStructure: Bool = false) {
            self.body = body
            self.binary = binary
            self.bodyPartStructure = bodyPartStructure
        }
    }

    public var url: [UInt8]
    /// nil for the plain RFC 4467 form (the answer is `url nstring`).
    public var parameters: Parameters?

    public init(url: [UInt8], parameters: Parameters? = nil) {
        self.url = url
        self.parameters = parameters
    }

    // url-fetch-arg = url-full / "(" url-full *(SP url-fetch-param) ")"
    public func write(to buffer: inout IMAPEncodeBuffer) {
        guard let parameters else { return buffer.writeAString(url) }
        buffer.write("(")
        buffer.writeAString(url)
        if parameters.body { buffer.write(" BODY") }
        if parameters.binary { buffer.write(" BINARY") }
        if parameters.bodyPartStructure { buffer.write(" BODYPARTSTRUCTURE") }
        buffer.write(")")
    }
}
