// SCRAMClientFirstMessage — the client's first SCRAM message: GS2 header, user name, client nonce.
//
// Standards: RFC 5802 §5.1 and §7 (grammar below), RFC 5801 §4 (GS2 header), RFC 7677.
//
// Channel binding: not supported yet (no SCRAM-SHA-256-PLUS). "n" (client does not support it)
// and "y" (client supports it but thinks the server does not; right, since we do not advertise
// -PLUS) are accepted; "p=<cb-name>" is refused as malformed.
// Mandatory extensions ("m=", RFC 5802 §5.1: "the server MUST fail") are refused; other
// extensions after the nonce are syntax-checked and ignored.
//
// Security: user names are bounded by SASLLimits.fieldBytes, must be UTF-8 without NUL; the
// authorization identity, when sent, must equal the user name (checked by the exchange).

struct SCRAMClientFirstMessage: Sendable, Equatable {
    // gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
    enum ChannelBindingFlag: Sendable, Equatable {
        /// "n": the client does not support channel binding.
        case notSupported
        /// "y": the client supports it but thinks the server does not.
        case notAdvertised
    }

    var channelBinding: ChannelBindingFlag
    /// The decoded authzid of the GS2 header (RFC 5801), if any.
    var authorizationIdentity: String?
    /// The decoded user name (saslname "=2C"/"=3D" undone).
    var username: String
    var clientNonce: String
    /// The GS2 header exactly as sent, including its final ",": the client echoes it (base64)
    /// in the final message's channel-binding attribute.
    var gs2Header: [UInt8]
    /// client-first-message-bare exactly as sent: part of the AuthMessage (RFC 5802 §3).
    var bare: [UInt8]

    init(channelBinding: ChannelBindingFlag = .notSupported, authorizationIdentity: String? = nil,
                username: String, clientNonce: String) {
        self.channelBinding = channelBinding
        self.authorizationIdentity = authorizationIdentity
        self.username = username
        self.clientNonce = clientNonce
        let flag = channelBinding == .notSupported ? "n" : "y"
        let authzid = authorizationIdentity.map { "a=\(SCRAMGrammar.encodeSASLName($0))" } ?? ""
        self.gs2Header = Array("\(flag),\(authzid),".utf8)
        self.bare = Array("n=\(SCRAMGrammar.encodeSASLName(username)),r=\(clientNonce)".utf8)
    }

    /// The message as a client sends it.
    var encoded: [UInt8] { gs2Header + bare }

    // client-first-message = gs2-header client-first-message-bare
    // gs2-header      = gs2-cbind-flag "," [ authzid ] ","
    // authzid         = "a=" saslname
    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    // reserved-mext   = "m=" 1*(value-char)
    // username        = "n=" saslname
    // nonce           = "r=" c-nonce [s-nonce]
    // c-nonce         = printable      ;; 1*printable, as every implementation reads it
    // extensions      = attr-val *("," attr-val)
    init(parsing message: [UInt8], limits: SASLLimits = SASLLimits()) throws(SASLFailure) {
        let bytes = message[...]
        guard let firstComma = bytes.firstIndex(of: SCRAMGrammar.comma) else {
            throw .malformed("SCRAM: missing gs2 header")
        }
        let flag = bytes[..<firstComma]
        switch Array(flag) {
        case Array("n".utf8): channelBinding = .notSupported
        case Array("y".utf8): channelBinding = .notAdvertised
        default:
            if flag.starts(with: Array("p=".utf8)) {
                throw .malformed("SCRAM: channel binding is not supported (no SCRAM-SHA-256-PLUS)")
            }
            throw .malformed("SCRAM: gs2 header must start with \"n,\" or \"y,\"")
        }
        let afterFlag = bytes[(firstComma + 1)...]
        guard let secondComma = afterFlag.firstIndex(of: SCRAMGrammar.comma) else {
            throw .malformed("SCRAM: gs2 header is not terminated by \",\"")
        }
        let authzid = afterFlag[..<secondComma]
        if authzid.isEmpty {
            authorizationIdentity = nil
        } else {
            guard let value = SCRAMGrammar.attribute("a", authzid),
                  let name = SCRAMGrammar.decodeSASLName(value) else {
                throw .malformed("SCRAM: bad authzid in gs2 header")
            }
            guard name.utf8.count <= limits.fieldBytes else { throw .malformed("SCRAM: authzid too long") }
            authorizationIdentity = name
        }
        gs2Header = Array(bytes[...secondComma])
        let bareBytes = bytes[(secondComma + 1)...]
        bare = Array(bareBytes)

        var fields = SCRAMGrammar.fields(bareBytes)[...]
        if let first = fields.first, SCRAMGrammar.attribute("m", first) != nil {
            throw .malformed("SCRAM: mandatory extensions (m=) are not supported")
        }
        guard let userField = fields.popFirst(), let userValue = SCRAMGrammar.attribute("n", userField) else {
            throw .malformed("SCRAM: expected n=username")
        }
        guard let name = SCRAMGrammar.decodeSASLName(userValue) else {
            throw .malformed("SCRAM: user name is not a valid UTF-8 saslname")
        }
        guard name.utf8.count <= limits.fieldBytes else { throw .malformed("SCRAM: user name too long") }
        username = name
        guard let nonceField = fields.popFirst(), let nonce = SCRAMGrammar.attribute("r", nonceField),
              !nonce.isEmpty, nonce.allSatisfy(SCRAMGrammar.isPrintable) else {
            throw .malformed("SCRAM: expected r=nonce of printable characters")
        }
        guard nonce.count <= limits.fieldBytes else { throw .malformed("SCRAM: client nonce too long") }
        clientNonce = String(decoding: nonce, as: UTF8.self)
        for field in fields where !SCRAMGrammar.isAttributeValue(field) {
            throw .malformed("SCRAM: bad extension attribute")
        }
    }
}
