// Address — one address of an ENVELOPE: display name, source route, mailbox and host.
//
// Standards: RFC 3501 §7.4.2 and §9, RFC 9051 §7.5.2:
//   address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
//   addr-name = nstring ; addr-adl = nstring ; addr-mailbox = nstring ; addr-host = nstring
// A group start is (NIL NIL "group" NIL), its end (NIL NIL NIL NIL) (RFC 3501 §7.4.2).

/// An envelope address: (name adl mailbox host), each nstring.
public struct Address: Hashable, Sendable {
    public var name: [UInt8]?
    /// The source route (RFC 822 at-domain-list), nearly always nil.
    public var adl: [UInt8]?
    public var mailbox: [UInt8]?
    public var host: [UInt8]?

    public init(name: [UInt8]? = nil, adl: [UInt8]? = nil, mailbox: [UInt8]?, host: [UInt8]?) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }

    public init(name: String?, mailbox: String, host: String) {
        self.init(name: name.map { Array($0.utf8) }, mailbox: Array(mailbox.utf8), host: Array(host.utf8))
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        buffer.writeByte(IMAPGrammar.openParen)
        buffer.writeNString(name)
        buffer.writeSpace()
        buffer.writeNString(adl)
        buffer.writeSpace()
        buffer.writeNString(mailbox)
        buffer.writeSpace()
        buffer.writeNString(host)
        buffer.writeByte(IMAPGrammar.closeParen)
    }

    /// "(" 1*address ")" / nil — written without spaces between addresses, as RFC 3501's
    /// grammar has it (1*address).
    static func writeList(_ addresses: [Address], to buffer: inout IMAPEncodeBuffer) {
        guard !addresses.isEmpty else { buffer.writeNil(); return }
        buffer.writeByte(IMAPGrammar.openParen)
        for address in addresses { address.write(to: &buffer) }
        buffer.writeByte(IMAPGrammar.closeParen)
    }
}
