// AppendMessage — one message of an APPEND (MULTIAPPEND allows several).
//
// Standards: RFC 3501 §6.3.11, RFC 9051 §6.3.12, RFC 3502 (MULTIAPPEND):
//   append = "APPEND" SP mailbox 1*append-message
//   append-message = [SP flag-list] [SP date-time] SP append-data
//   append-data = literal / literal8
// RFC 3516 §4.4: literal8 ("~{n}") carries binary data (NUL allowed).
// RFC 4469 §5 (CATENATE): append-data =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"; the
// message is then `catenate`, put together when the command runs (IMAPMailboxEngine+Catenate).

/// A message to append, with its flags and internal date.
public struct AppendMessage: Hashable, Sendable {
    /// nil when no flag list was sent (an empty list was sent as []).
    public var flags: [Flag]?
    public var date: IMAPDateTime?
    public var data: [UInt8]
    /// Whether it came as literal8 (may hold NUL; RFC 3516).
    public var isBinary: Bool
    /// The parts of a CATENATE (RFC 4469), nil for a literal; `data` is empty until the
    /// engine has put them together.
    public var catenate: [CatenatePart]?

    public init(flags: [Flag]? = nil, date: IMAPDateTime? = nil, data: [UInt8], isBinary: Bool = false,
                catenate: [CatenatePart]? = nil) {
        self.flags = flags
        self.date = date
        self.data = data
        self.isBinary = isBinary
        self.catenate = catenate
    }

    // [SP flag-list] [SP date-time] SP append-data
    public func write(to buffer: inout IMAPEncodeBuffer) {
        if let flags {
            buffer.writeSpace()
            Flag.writeList(flags, to: &buffer)
        }
        if let date {
            buffer.writeSpace()
            date.write(to: &buffer)
        }
        buffer.writeSpace()
        if let catenate { return CatenatePart.writeList(catenate, to: &buffer) }
        buffer.writeLiteral(data, binary: isBinary)
    }
}
