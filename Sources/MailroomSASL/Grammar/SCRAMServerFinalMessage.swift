// SCRAMServerFinalMessage — the server's final SCRAM message.
//
// Standards: RFC 5802 §5.1 and §7 (grammar below). This server only sends "v=": a failed proof
// ends the exchange with SASLFailure.invalidCredentials, which the protocol layer turns into
// its own failure reply (SMTP 535, IMAP NO), instead of an "e=" message — RFC 4954 and
// RFC 9051 carry the outcome in the reply, and "e=invalid-proof" would add nothing.

import MailroomCore

enum SCRAMServerFinalMessage: Sendable, Equatable {
    // verifier = "v=" base64   ;; base-64 encoded ServerSignature.
    case verifier([UInt8])
    // server-error = "e=" server-error-value
    case error(String)

    // server-final-message = (server-error / verifier) ["," extensions]
    var encoded: [UInt8] {
        switch self {
        case .verifier(let signature): Array("v=\(Base64.encode(signature))".utf8)
        case .error(let value): Array("e=\(value)".utf8)
        }
    }

    /// Parses a server-final message (the client's side; used by tests and round trips).
    init(parsing message: [UInt8]) throws(SASLFailure) {
        let fields = SCRAMGrammar.fields(message[...])
        guard let first = fields.first else { throw .malformed("SCRAM: empty server-final message") }
        for field in fields.dropFirst() where !SCRAMGrammar.isAttributeValue(field) {
            throw .malformed("SCRAM: bad extension attribute")
        }
        if let v = SCRAMGrammar.attribute("v", first), let signature = SCRAMGrammar.base64(v) {
            self = .verifier(signature)
        } else if let e = SCRAMGrammar.attribute("e", first), !e.isEmpty,
                  let value = String(validating: Array(e), as: UTF8.self) {
            self = .error(value)
        } else {
            throw .malformed("SCRAM: expected v=verifier or e=error")
        }
    }
}
