// ListReturnOption — a LIST-EXTENDED return option.
//
// Standards: RFC 5258 §3.2 and RFC 9051 §6.3.9:
//   list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
//   return-option = "SUBSCRIBED" / "CHILDREN" / status-option / option-extension
// RFC 5819 §2 (LIST-STATUS): status-option = "STATUS" SP "(" status-att *(SP status-att) ")"
// RFC 6154 §5.2: "SPECIAL-USE".

/// A LIST return option.
public enum ListReturnOption: Hashable, Sendable {
    case subscribed, children, specialUse
    case status([StatusAttribute])

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .subscribed: buffer.write("SUBSCRIBED")
        case .children: buffer.write("CHILDREN")
        case .specialUse: buffer.write("SPECIAL-USE")
        case .status(let items):
            buffer.write("STATUS ")
            buffer.writeList(items) { buffer, item in item.write(to: &buffer) }
        }
    }
}
