// URLFetchResult — what URLFETCH answers for one URL: its data (RFC 4467), or with RFC 5524's
// parameters the part's structure and its body or binary content.
//
// Standards: RFC 4467 §8 and §9:
//   urlfetch-data = "*" SP "URLFETCH" 1*(SP url-full SP nstring)
//   ("The returned data string is NIL if the URL is invalid for any reason")
// RFC 5524 §5, in the shape imaptest's urlauth-binary script expects (each item in
// parentheses of its own, metadata first):
//   url-fetch-data =/ url-full *(SP "(" url-metadata ")") [SP "(" url-data ")"]
//   url-metadata = "BODYPARTSTRUCTURE" SP body     ; body as in RFC 3501 §9 (BODYSTRUCTURE's)
//   url-data = ("BODY" SP nstring) / ("BINARY" SP nstring8)
// One URL per response: Mailroom sends a `* URLFETCH` for each URL as it is ready (RFC 4467
// allows several per response; clients take either).
//
// Security: data goes out as a literal whose length the encoder counts; BINARY data with NUL
// as literal8 (RFC 3516 §4.3), body data has NUL made 0x80 before it gets here (FetchContent).

/// The answer for one URL of URLFETCH.
public struct URLFetchResult: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        /// The plain form: `url nstring`.
        case simple([UInt8]?)
        /// The parenthesised form (RFC 5524): each item only when asked for.
        case extended(bodyPartStructure: BodyStructure?, body: Data?)
        /// The URL is not valid (for any reason): NIL, whichever form was asked.
        case invalid
    }

    /// BODY or BINARY data of the parenthesised form; nil data is NIL (e.g. BINARY of a part
    /// whose transfer encoding is unknown).
    public enum Data: Hashable, Sendable {
        case body([UInt8]?)
        case binary([UInt8]?)
    }

    /// The URL as the client sent it.
    public var url: [UInt8]
    public var content: Content

    public init(url: [UInt8], content: Content) {
        self.url = url
        self.content = content
    }

    /// "URLFETCH" SP url-full SP (nstring / items), after "* ".
    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.write("URLFETCH ")
        buffer.writeAString(url)
        buffer.writeSpace()
        switch content {
        case .invalid, .simple(nil), .extended(nil, nil):
            buffer.writeNil()
        case .simple(let data?):
            buffer.writeLiteral(data)
        case .extended(let structure, let data):
            var first = true
            if let structure {
                buffer.write("(BODYPARTSTRUCTURE ")
                structure.write(to: &buffer, extensions: true)
                buffer.write(")")
                first = false
            }
            if let data {
                if !first { buffer.writeSpace() }
                switch data {
                case .body(let octets):
                    buffer.write("(BODY ")
                    if let octets { buffer.writeLiteral(octets) } else { buffer.writeNil() }
                case .binary(let octets):
                    buffer.write("(BINARY ")
                    if let octets { buffer.writeLiteral(octets, binary: octets.contains(0)) } else { buffer.writeNil() }
                }
                buffer.write(")")
            }
        }
    }
}
