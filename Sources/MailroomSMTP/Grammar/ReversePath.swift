// ReversePath — the argument of MAIL FROM: where bounces go, or nowhere.
//
// Standards: RFC 5321 §4.1.2 (Reverse-path = Path / "<>"), §4.5.5 and §6.1 (the null
// reverse-path of notifications, which must be accepted), §4.1.1.3 and Appendix C (a source
// route before the mailbox is parsed and ignored).

/// RFC 5321 Reverse-path.
public enum ReversePath: Hashable, Sendable, CustomStringConvertible {
    /// "<>": a bounce or other notification, to which no bounce may be sent.
    case null
    case mailbox(Mailbox)

    public var mailbox: Mailbox? {
        if case .mailbox(let mailbox) = self { return mailbox }
        return nil
    }

    /// RFC 6531 §3.4: written with UTF-8, so MAIL FROM must carry SMTPUTF8.
    public var requiresSMTPUTF8: Bool { mailbox?.requiresSMTPUTF8 ?? false }

    /// The wire form: "<>" or "<user@example.com>" (a source route is never written).
    public var description: String {
        switch self {
        case .null: return "<>"
        case .mailbox(let mailbox): return "<\(mailbox)>"
        }
    }
}
