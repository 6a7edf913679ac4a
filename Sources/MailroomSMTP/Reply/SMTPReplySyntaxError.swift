// SMTPReplySyntaxError — a server reply the client side could not read.
//
// Standards: RFC 5321 §4.2 (reply syntax), §4.2.1 (every line of a multi-line reply has the
// same code). A client that meets one treats the server as broken (RFC 5321 §4.2.4 is for
// the server side); the message is for logs.

/// A reply that is not RFC 5321 reply syntax.
public struct SMTPReplySyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. "line 2 has code 451, line 1 had 250".
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "malformed SMTP reply: \(message)" }
}
