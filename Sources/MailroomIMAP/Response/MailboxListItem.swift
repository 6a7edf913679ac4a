// MailboxListItem — one mailbox in a LIST or LSUB response.
//
// Standards: RFC 3501 §7.2.2 and RFC 9051 §7.3.1, RFC 5258 §3.4 and §4 (extended items,
// CHILDINFO), RFC 9051 (OLDNAME):
//   mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
//                  [SP mbox-list-extended]
//   mbox-list-extended = "(" [mbox-list-extended-item *(SP mbox-list-extended-item)] ")"
//   mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
//   childinfo-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted *(SP ...) ")"
//   oldname-extended-item = "OLDNAME" SP "(" mailbox ")"
// The item tags are written quoted, as RFC 5258's examples do ("CHILDINFO" ("SUBSCRIBED")).
//
// Security: a delimiter that is not a 7-bit TEXT-CHAR is written as NIL.

/// A LIST/LSUB entry.
public struct MailboxListItem: Hashable, Sendable {
    public var attributes: [MailboxAttribute]
    /// The hierarchy delimiter, nil for a flat namespace.
    public var delimiter: UInt8?
    public var name: MailboxName
    /// CHILDINFO values (e.g. "SUBSCRIBED"); empty for none.
    public var childInfo: [String]
    /// OLDNAME (RFC 9051 §6.3.9.7 after a rename).
    public var oldName: MailboxName?

    public init(attributes: [MailboxAttribute] = [], delimiter: UInt8? = UInt8(ascii: "/"), name: MailboxName,
                childInfo: [String] = [], oldName: MailboxName? = nil) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.childInfo = childInfo
        self.oldName = oldName
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeList(attributes.filter(\.isWritable)) { buffer, attribute in attribute.write(to: &buffer) }
        buffer.writeSpace()
        Self.writeDelimiter(delimiter, to: &buffer)
        buffer.writeSpace()
        name.write(to: &buffer)
        guard !childInfo.isEmpty || oldName != nil else { return }
        buffer.writeSpace()
        var items: [(inout IMAPEncodeBuffer) -> Void] = []
        if !childInfo.isEmpty {
            let values = childInfo
            items.append { buffer in
                buffer.write("\"CHILDINFO\" ")
                buffer.writeList(values) { buffer, value in buffer.writeString(value) }
            }
        }
        if let oldName {
            items.append { buffer in
                buffer.write("\"OLDNAME\" (")
                oldName.write(to: &buffer)
                buffer.write(")")
            }
        }
        buffer.writeList(items) { buffer, item in item(&buffer) }
    }

    // DQUOTE QUOTED-CHAR DQUOTE / nil
    static func writeDelimiter(_ delimiter: UInt8?, to buffer: inout IMAPEncodeBuffer) {
        guard let delimiter, IMAPGrammar.isTextChar(delimiter), delimiter != 0 else { buffer.writeNil(); return }
        buffer.writeQuoted([delimiter])
    }
}
