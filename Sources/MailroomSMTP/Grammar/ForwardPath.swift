// ForwardPath — the argument of RCPT TO: one recipient.
//
// Standards: RFC 5321 §4.1.2 (Forward-path = Path), §4.1.1.3 (rcpt = "RCPT TO:" (
// "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )), §4.5.1 (postmaster must be
// accepted, unqualified and in any case), §4.1.1.3 and Appendix C (a source route is parsed
// and ignored: "<@a,@b:user@c>" is "<user@c>", so the relay decision applies to "c").
//
// "<Postmaster@domain>" is an ordinary mailbox; only the unqualified "<Postmaster>" (any case)
// is its own case. Any other local part without a domain is refused by the grammar.

/// RFC 5321 Forward-path, with the unqualified postmaster of §4.1.1.3.
public enum ForwardPath: Hashable, Sendable, CustomStringConvertible {
    /// "<Postmaster>" without a domain: the postmaster of this server (RFC 5321 §4.5.1).
    case postmaster
    case mailbox(Mailbox)

    public var mailbox: Mailbox? {
        if case .mailbox(let mailbox) = self { return mailbox }
        return nil
    }

    /// RFC 6531 §3.4: written with UTF-8, so the transaction must carry SMTPUTF8.
    public var requiresSMTPUTF8: Bool { mailbox?.requiresSMTPUTF8 ?? false }

    /// The wire form: "<Postmaster>" or "<user@example.com>".
    public var description: String {
        switch self {
        case .postmaster: return "<Postmaster>"
        case .mailbox(let mailbox): return "<\(mailbox)>"
        }
    }
}
