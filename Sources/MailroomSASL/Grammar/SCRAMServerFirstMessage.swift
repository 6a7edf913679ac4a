// SCRAMServerFirstMessage — the server's first SCRAM message: combined nonce, salt, iteration count.
//
// Standards: RFC 5802 §5.1 and §7 (grammar below), RFC 7677 §3 (example).
// The server never sends "m=" or extensions.

import MailroomCore

struct SCRAMServerFirstMessage: Sendable, Equatable {
    /// Client nonce followed by the server's nonce part.
    var nonce: String
    var salt: [UInt8]
    var iterations: Int

    init(nonce: String, salt: [UInt8], iterations: Int) {
        self.nonce = nonce
        self.salt = salt
        self.iterations = iterations
    }

    // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
    // nonce           = "r=" c-nonce [s-nonce]
    // salt            = "s=" base64
    // iteration-count = "i=" posit-number
    // posit-number    = %x31-39 *DIGIT
    var encoded: [UInt8] {
        Array("r=\(nonce),s=\(Base64.encode(salt)),i=\(iterations)".utf8)
    }

    /// Parses a server-first message (the client's side; used by tests and round trips).
    init(parsing message: [UInt8]) throws(SASLFailure) {
        var fields = SCRAMGrammar.fields(message[...])[...]
        if let first = fields.first, SCRAMGrammar.attribute("m", first) != nil {
            throw .malformed("SCRAM: mandatory extensions (m=) are not supported")
        }
        guard let r = fields.popFirst().flatMap({ SCRAMGrammar.attribute("r", $0) }), !r.isEmpty,
              r.allSatisfy(SCRAMGrammar.isPrintable) else { throw .malformed("SCRAM: expected r=nonce") }
        guard let s = fields.popFirst().flatMap({ SCRAMGrammar.attribute("s", $0) }),
              let salt = SCRAMGrammar.base64(s) else { throw .malformed("SCRAM: expected s=salt") }
        guard let i = fields.popFirst().flatMap({ SCRAMGrammar.attribute("i", $0) }),
              let first = i.first, (0x31...0x39).contains(first), i.allSatisfy({ (0x30...0x39).contains($0) }),
              let iterations = Int(String(decoding: i, as: UTF8.self)) else {
            throw .malformed("SCRAM: expected i=iteration-count")
        }
        for field in fields where !SCRAMGrammar.isAttributeValue(field) {
            throw .malformed("SCRAM: bad extension attribute")
        }
        self.init(nonce: String(decoding: r, as: UTF8.self), salt: salt, iterations: iterations)
    }
}
