// IMAPCommandParser+Session — the commands about the connection and the account rather than a
// mailbox: AUTHENTICATE, LOGIN, ENABLE, ID and the QUOTA commands.
//
// Standards: RFC 3501 §6.2 and RFC 9051 §6.2 (AUTHENTICATE, LOGIN), RFC 4959 §7 (SASL-IR),
// RFC 4422 §3.1 (mechanism names), RFC 5161 §4 (ENABLE), RFC 2971 §4 (ID), RFC 9208 §8 (QUOTA).
//
// Security: LOGIN's and AUTHENTICATE's arguments are never put into an error reason.

extension IMAPCommandParser {
    /// RFC 4422 §3.1: a mechanism name has at most 20 characters.
    static let maximumMechanismLength = 20
    /// RFC 2971 §3.3: at most 30 pairs, fields of at most 30 octets, values of at most 1024.
    static let maximumIDPairs = 30
    static let maximumIDFieldLength = 30
    static let maximumIDValueLength = 1024

    // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
    // auth-type = atom       ; sasl-mech = 1*20(UPPER-ALPHA / DIGIT / "-" / "_") (RFC 4422)
    static func authenticate(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "SASL mechanism name")
        let name = try atom(&buffer, "SASL mechanism name")
        guard name.count <= maximumMechanismLength,
              name.allSatisfy({ IMAPGrammar.isAlpha($0) || IMAPGrammar.isDigit($0) || $0 == IMAPGrammar.minus || $0 == UInt8(ascii: "_") })
        else { throw IMAPParseError("invalid SASL mechanism name") }
        let mechanism = IMAPGrammar.upperString(name)
        guard separator(&buffer) else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        let text = buffer.read(while: { $0 != IMAPGrammar.space })
        guard !text.isEmpty else { throw IMAPParseError("missing initial response") }
        if text.elementsEqual([IMAPGrammar.equals]) { return .authenticate(mechanism: mechanism, initialResponse: []) }
        return .authenticate(mechanism: mechanism, initialResponse: try base64(text, "the initial response"))
    }

    // login = "LOGIN" SP userid SP password
    // userid = astring ; password = astring
    static func login(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "user name")
        let user = try astring(&buffer, "user name")
        try space(&buffer, before: "password")
        let password = try astring(&buffer, "password")
        return .login(username: user, password: password)
    }

    // enable = "ENABLE" 1*(SP capability)
    // capability = ("AUTH=" auth-type) / atom
    static func enable(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "capability to enable")
        var capabilities = [try keyword(&buffer, "capability")]
        while separator(&buffer) { capabilities.append(try keyword(&buffer, "capability")) }
        return .enable(capabilities)
    }

    // id = "ID" SP id-params-list
    // id-params-list = "(" *(string SP nstring) ")" / nil
    static func id(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "ID parameter list")
        if buffer.consume(caseInsensitive: "NIL") { return .id(nil) }
        let parameters = try parenthesised(&buffer, "ID parameter list", allowEmpty: true) {
            (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IDParameter in
            let key = try string(&buffer, "ID field name")
            try space(&buffer, before: "ID field value")
            let value = try nstring(&buffer, "ID field value")
            guard key.count <= maximumIDFieldLength else { throw IMAPParseError("ID field name too long") }
            guard (value?.count ?? 0) <= maximumIDValueLength else { throw IMAPParseError("ID field value too long") }
            return IDParameter(key: key, value: value)
        }
        guard parameters.count <= maximumIDPairs else { throw IMAPParseError("too many ID fields") }
        return .id(parameters)
    }

    // getquota = "GETQUOTA" SP quota-root-name
    // quota-root-name = astring
    static func getQuota(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "quota root")
        return .getQuota(root: try astring(&buffer, "quota root"))
    }

    // setquota = "SETQUOTA" SP quota-root-name SP setquota-list
    // setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
    // setquota-resource = resource-name SP resource-limit
    static func setQuota(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        try space(&buffer, before: "quota root")
        let root = try astring(&buffer, "quota root")
        try space(&buffer, before: "quota list")
        let limits = try parenthesised(&buffer, "quota list", allowEmpty: true) {
            (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> QuotaLimit in
            let resource = try keyword(&buffer, "quota resource name")
            try space(&buffer, before: "quota limit")
            return QuotaLimit(resource: resource, limit: try number64(&buffer, "quota limit"))
        }
        return .setQuota(root: root, limits)
    }
}
