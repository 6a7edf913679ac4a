// IMAPCommandParser+URLAuth — CATENATE's parts in APPEND, and the URLAUTH commands GENURLAUTH,
// RESETKEY and URLFETCH. The URLs themselves stay octets here: they are parsed
// (IMAPURLParser) and judged when the command runs, where a bad one is NO [BADURL] (CATENATE),
// BAD (GENURLAUTH) or NIL (URLFETCH), as the RFCs ask.
//
// Standards: RFC 4469 §5 (CATENATE), RFC 4467 §9 (URLAUTH), RFC 5524 §5 (URLFETCH parameters).
//
// Limits: the parts of a CATENATE and the URLs of a command are bounded by the command's size
// (IMAPLimits.commandBytes, and appendLiteralBytes per TEXT literal) and, for literals, by
// IMAPLimits.literalsPerCommand; URLs by IMAPURL.maximumLength.

extension IMAPCommandParser {
    // append-data =/ "CATENATE" SP "(" cat-part *(SP cat-part) ")"
    // cat-part = text-literal / url
    // text-literal = "TEXT" SP literal          ; literal8 too (RFC 3516 §4.4)
    // url = "URL" SP astring
    static func catenateParts(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> [CatenatePart] {
        guard buffer.consume(caseInsensitive: "CATENATE") else { throw unexpected(buffer, "CATENATE") }
        try space(&buffer, before: "CATENATE parts")
        return try parenthesised(&buffer, "CATENATE parts") { (buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> CatenatePart in
            switch try keyword(&buffer, "CATENATE part") {
            case "TEXT":
                try space(&buffer, before: "TEXT literal")
                guard buffer.peek() == IMAPGrammar.openBrace || buffer.peek() == IMAPGrammar.tilde else {
                    throw unexpected(buffer, "TEXT literal")
                }
                let (data, binary) = try literal(&buffer, "the CATENATE text", allowBinary: true)
                return .text(data, binary: binary)
            case "URL":
                try space(&buffer, before: "URL")
                let url = try astring(&buffer, "URL")
                guard !url.isEmpty else { throw IMAPParseError("empty URL") }
                return .url(url)
            default:
                throw IMAPParseError("unknown CATENATE part (TEXT or URL expected)")
            }
        }
    }

    // genurlauth = "GENURLAUTH" 1*(SP url-rump SP mechanism)
    // mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")
    static func genURLAuth(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        var requests: [URLAuthRequest] = []
        try space(&buffer, before: "URL")
        repeat {
            let url = try astring(&buffer, "URL")
            try space(&buffer, before: "URLAUTH mechanism")
            requests.append(URLAuthRequest(url: url, mechanism: try mechanism(&buffer)))
        } while separator(&buffer)
        return .genURLAuth(requests)
    }

    // resetkey = "RESETKEY" [SP mailbox *(SP mechanism)]
    static func resetKey(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        guard separator(&buffer) else { return .resetKey(nil, mechanisms: []) }
        let name = try mailbox(&buffer)
        var mechanisms: [String] = []
        while separator(&buffer) { mechanisms.append(try mechanism(&buffer)) }
        return .resetKey(name, mechanisms: mechanisms)
    }

    // urlfetch = "URLFETCH" 1*(SP url-fetch-arg)                         ; RFC 5524 §5
    // url-fetch-arg = url-full / "(" url-full *(SP url-fetch-param) ")"
    // url-fetch-param = "BODY" / "BINARY" / "BODYPARTSTRUCTURE"
    static func urlFetch(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> IMAPCommand {
        var requests: [URLFetchRequest] = []
        try space(&buffer, before: "URL")
        repeat {
            guard buffer.peek() == IMAPGrammar.openParen else {
                requests.append(URLFetchRequest(url: try astring(&buffer, "URL")))
                continue
            }
            try open(&buffer, "URLFETCH parameters")
            let url = try astring(&buffer, "URL")
            var parameters = URLFetchRequest.Parameters()
            while separator(&buffer) {
                switch try keyword(&buffer, "URLFETCH parameter") {
                case "BODY": parameters.body = true
                case "BINARY": parameters.binary = true
                case "BODYPARTSTRUCTURE": parameters.bodyPartStructure = true
                default: throw IMAPParseError("unknown URLFETCH parameter")
                }
            }
            try close(&buffer, "URLFETCH parameters")
            // RFC 5524 §3: BODY and BINARY exclude each other; no parameter means BODY.
            if parameters.body && parameters.binary { throw IMAPParseError("URLFETCH cannot ask for both BODY and BINARY") }
            if parameters == URLFetchRequest.Parameters() { parameters.body = true }
            requests.append(URLFetchRequest(url: url, parameters: parameters))
        } while separator(&buffer)
        return .urlFetch(requests)
    }

    /// A URLAUTH mechanism name, upper-cased.
    static func mechanism(_ buffer: inout IMAPParseBuffer) throws(IMAPParseError) -> String {
        let name = try atom(&buffer, "URLAUTH mechanism")
        guard name.allSatisfy(IMAPURLParser.isMechanismChar) else { throw IMAPParseError("invalid URLAUTH mechanism") }
        return IMAPGrammar.upperString(name)
    }
}
