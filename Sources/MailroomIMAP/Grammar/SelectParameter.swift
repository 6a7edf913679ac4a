// SelectParameter — a parameter of SELECT and EXAMINE.
//
// Standards: RFC 4466 §2.1 (select-params = SP "(" select-param *(SP select-param) ")"),
// RFC 7162 §3.1.8 (CONDSTORE as a select-param). QRESYNC's parameter is not supported: the
// server does not announce QRESYNC, and the parser refuses any other parameter (RFC 4466:
// an unknown parameter is an error).

/// A SELECT/EXAMINE parameter.
public enum SelectParameter: Hashable, Sendable {
    case condStore

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .condStore: buffer.write("CONDSTORE")
        }
    }
}
