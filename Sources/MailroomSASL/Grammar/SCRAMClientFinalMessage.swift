// SCRAMClientFinalMessage — the client's final SCRAM message: channel binding, nonce, proof.
//
// Standards: RFC 5802 §5.1 and §7 (grammar below). Extensions between the nonce and the proof
// are syntax-checked and ignored.
//
// Security: the proof is taken as sent; its length and value are checked by the exchange in
// constant time against the stored key. `withoutProof` keeps the octets exactly as sent, since
// they are part of the AuthMessage both sides sign.

import MailroomCore

struct SCRAMClientFinalMessage: Sendable, Equatable {
    /// The decoded channel-binding attribute: the GS2 header (no channel-binding data here).
    var channelBinding: [UInt8]
    var nonce: String
    var proof: [UInt8]
    /// client-final-message-without-proof exactly as sent.
    var withoutProof: [UInt8]

    init(channelBinding: [UInt8], nonce: String, proof: [UInt8]) {
        self.channelBinding = channelBinding
        self.nonce = nonce
        self.proof = proof
        self.withoutProof = Array("c=\(Base64.encode(channelBinding)),r=\(nonce)".utf8)
    }

    var encoded: [UInt8] { withoutProof + Array(",p=\(Base64.encode(proof))".utf8) }

    // client-final-message = client-final-message-without-proof "," proof
    // client-final-message-without-proof = channel-binding "," nonce ["," extensions]
    // channel-binding = "c=" base64
    // nonce           = "r=" c-nonce [s-nonce]
    // proof           = "p=" base64
    init(parsing message: [UInt8]) throws(SASLFailure) {
        let bytes = message[...]
        guard let lastComma = bytes.lastIndex(of: SCRAMGrammar.comma),
              let p = SCRAMGrammar.attribute("p", bytes[(lastComma + 1)...]) else {
            throw .malformed("SCRAM: the final message must end with p=proof")
        }
        guard let proof = SCRAMGrammar.base64(p) else { throw .malformed("SCRAM: proof is not base64") }
        var fields = SCRAMGrammar.fields(bytes[..<lastComma])[...]
        guard let c = fields.popFirst().flatMap({ SCRAMGrammar.attribute("c", $0) }),
              let binding = SCRAMGrammar.base64(c) else {
            throw .malformed("SCRAM: expected c=channel-binding")
        }
        guard let r = fields.popFirst().flatMap({ SCRAMGrammar.attribute("r", $0) }), !r.isEmpty,
              r.allSatisfy(SCRAMGrammar.isPrintable) else {
            throw .malformed("SCRAM: expected r=nonce")
        }
        for field in fields where !SCRAMGrammar.isAttributeValue(field) {
            throw .malformed("SCRAM: bad extension attribute")
        }
        self.channelBinding = binding
        self.nonce = String(decoding: r, as: UTF8.self)
        self.proof = proof
        self.withoutProof = Array(bytes[..<lastComma])
    }
}
