// NamespaceDescription — one namespace of a NAMESPACE response: its prefix and delimiter.
//
// Standards: RFC 2342 §5 and RFC 9051 §7.3.5:
//   namespace = nil / "(" 1*namespace-descr ")"
//   namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [namespace-response-extensions] ")"

/// A namespace prefix and its hierarchy delimiter.
public struct NamespaceDescription: Hashable, Sendable {
    public var prefix: [UInt8]
    public var delimiter: UInt8?

    public init(prefix: [UInt8], delimiter: UInt8?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }

    public init(_ prefix: String, delimiter: Character?) {
        self.init(prefix: Array(prefix.utf8), delimiter: delimiter?.asciiValue)
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeByte(IMAPGrammar.openParen)
        buffer.writeString(prefix)
        buffer.writeSpace()
        MailboxListItem.writeDelimiter(delimiter, to: &buffer)
        buffer.writeByte(IMAPGrammar.closeParen)
    }

    /// "(" 1*namespace-descr ")" / nil — written without spaces between the descriptions.
    static func writeList(_ namespaces: [NamespaceDescription], to buffer: inout IMAPEncodeBuffer) {
        guard !namespaces.isEmpty else { buffer.writeNil(); return }
        buffer.writeByte(IMAPGrammar.openParen)
        for namespace in namespaces { namespace.write(to: &buffer) }
        buffer.writeByte(IMAPGrammar.closeParen)
    }
}
