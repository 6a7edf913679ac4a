// SASLMechanism — the name of a SASL mechanism, in AUTH commands and in EHLO's AUTH line.
//
// Standards: RFC 4422 §3.1 (sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT /
// HYPHEN / UNDERSCORE), RFC 4954 §4 (AUTH command). Names are matched in upper case; a client
// that sends "auth plain" is accepted and the name is stored as "PLAIN".

/// A SASL mechanism name: upper case, 1 to 20 characters of A–Z, 0–9, "-" and "_".
public struct SASLMechanism: Hashable, Sendable, CustomStringConvertible {
    /// RFC 4422 §3.1: at most 20 characters.
    public static let maximumLength = 20

    public let name: String

    /// nil unless `name` (after upper-casing ASCII letters) is 1 to 20 mech-chars.
    public init?(_ name: String) {
        guard (1...Self.maximumLength).contains(name.utf8.count),
              let upper = GrammarParser.upperASCII(name.utf8),
              upper.utf8.allSatisfy({ GrammarParser.isLetDig($0) || $0 == GrammarParser.hyphen || $0 == UInt8(ascii: "_") }) else {
            return nil
        }
        self.name = upper
    }

    private init(known name: String) {
        self.name = name
    }

    /// RFC 4616: user name and password in one response.
    public static let plain = SASLMechanism(known: "PLAIN")
    /// The de-facto LOGIN mechanism (draft-murchison-sasl-login): user name, then password.
    public static let login = SASLMechanism(known: "LOGIN")
    /// RFC 7677: SCRAM with SHA-256.
    public static let scramSHA256 = SASLMechanism(known: "SCRAM-SHA-256")
    /// RFC 7677 with RFC 5802 channel binding.
    public static let scramSHA256Plus = SASLMechanism(known: "SCRAM-SHA-256-PLUS")
    /// RFC 7628: OAuth 2.0 bearer tokens.
    public static let oauthBearer = SASLMechanism(known: "OAUTHBEARER")
    /// RFC 4422 Appendix A: the identity established outside SASL (a TLS client certificate).
    public static let external = SASLMechanism(known: "EXTERNAL")

    public var description: String { name }
}
