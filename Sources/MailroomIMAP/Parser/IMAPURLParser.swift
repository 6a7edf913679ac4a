// IMAPURLParser — text → IMAPURL (RFC 5092), for CATENATE's URL parts (RFC 4469), GENURLAUTH
// and URLFETCH (RFC 4467). The ABNF is in Grammar/IMAPURL.swift's header; each step below names
// the rule it reads.
//
// How a URL is cut up: after "imap://" the authority runs to the first "/" (the user is
// everything before its last "@", so an address as user works unencoded too); the path's
// mailbox runs to its first ";" (RFC 5092 enc-mailbox has no raw ";"), a "/" right before
// that ";" being the separator of ";UID="; then parameters ";NAME=value" follow, each value
// running to the next ";" (a "/" right before it again being the next separator). UIDVALIDITY,
// EXPIRE and URLAUTH come without a "/", UID, SECTION and PARTIAL with one, in the ABNF's
// order. The URLAUTH value is split from the right: ":" mechanism ":" 32*HEXDIG at its end is
// the verifier (a user name may itself hold ":").
//
// Security: the input is bounded (IMAPURL.maximumLength) before any work; numbers are checked
// against UInt32 before they are converted; the section is parsed by the command parser's own
// section rule inside a frame of its own, with its nesting limit.

public enum IMAPURLParser {
    /// The parameters, in the ABNF's order.
    enum Stage: Int { case mailbox, uidValidity, uid, section, partial, expire, urlauth }

    /// Parses `text` (the octets of an astring) as an IMAP URL.
    public static func parse(_ text: some Collection<UInt8>) throws(IMAPURLError) -> IMAPURL {
        try parse(Array(text))
    }

    public static func parse(_ s: [UInt8]) throws(IMAPURLError) -> IMAPURL {
        guard s.count <= IMAPURL.maximumLength else { throw .tooLong }
        guard !s.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else { throw .invalidCharacter }
        var url = IMAPURL(mailbox: [])
        var path: ArraySlice<UInt8>
        let scheme = Array("imap://".utf8)
        if s.count >= scheme.count, zip(s.prefix(scheme.count), scheme).allSatisfy({ IMAPGrammar.upper($0) == IMAPGrammar.upper($1) }) {
            let rest = s[scheme.count...]
            let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            url.server = try server(rest[..<slash])
            path = slash < rest.endIndex ? rest[(slash + 1)...] : []
        } else if s.first == UInt8(ascii: "/"), s.dropFirst().first != UInt8(ascii: "/") {
            path = s.dropFirst()
        } else {
            throw .unsupportedForm
        }
        if path.contains(UInt8(ascii: "?")) { throw .notAMessageURL }
        guard !path.isEmpty else { return url }

        // imailbox-ref = enc-mailbox [uidvalidity]
        let semicolon = path.firstIndex(of: UInt8(ascii: ";")) ?? path.endIndex
        var mailboxEnd = semicolon
        var slashBefore = false
        if semicolon < path.endIndex, mailboxEnd > path.startIndex, path[mailboxEnd - 1] == UInt8(ascii: "/") {
            mailboxEnd -= 1
            slashBefore = true
        }
        url.mailbox = try percentDecoded(path[path.startIndex..<mailboxEnd])
        if url.mailbox.isEmpty { throw .missingMailbox }

        var stage = Stage.mailbox
        var index = semicolon
        while index < path.endIndex {
            // At a ";": NAME "=" value, the value up to the next ";".
            let nameStart = index + 1
            guard let equals = path[nameStart...].firstIndex(of: UInt8(ascii: "=")) else {
                throw .unknownParameter(Self.parameterName(path[nameStart...]))
            }
            let name = IMAPGrammar.upperString(path[nameStart..<equals])
            let next = path[(equals + 1)...].firstIndex(of: UInt8(ascii: ";")) ?? path.endIndex
            var valueEnd = next
            var slashAfter = false
            if valueEnd > equals + 1, path[valueEnd - 1] == UInt8(ascii: "/") {
                valueEnd -= 1
                slashAfter = true
            }
            let value = path[(equals + 1)..<valueEnd]
            func place(_ wanted: Stage, slash: Bool) throws(IMAPURLError) {
                guard stage.rawValue < wanted.rawValue, slashBefore == slash,
                      wanted.rawValue <= Stage.uid.rawValue || url.uid != nil else { throw .misplacedParameter(name) }
                stage = wanted
            }
            switch name {
            case "UIDVALIDITY":
                try place(.uidValidity, slash: false)
                url.uidValidity = try nzNumber(value, name)
            case "UID":
                try place(.uid, slash: true)
                url.uid = try nzNumber(value, name)
            case "SECTION":
                try place(.section, slash: true)
                url.section = try section(try percentDecoded(value))
            case "PARTIAL":
                try place(.partial, slash: true)
                url.partial = try partial(value)
            case "EXPIRE":
                try place(.expire, slash: false)
                url.expire = try dateTime(value)
            case "URLAUTH":
                try place(.urlauth, slash: false)
                // The value ends the URL (enc-user has no ";").
                guard next == path.endIndex, !slashAfter else { throw .badAccess }
                (url.access, url.verifier) = try urlauth(path[(equals + 1)...])
            case "TYPE":
                throw .notAMessageURL
            default:
                throw .unknownParameter(String(name.prefix(32)))
            }
            slashBefore = slashAfter
            index = next
        }
        if slashBefore { throw .misplacedParameter("/") }
        return url
    }

    // MARK: Rules

    // iserver = [iuserinfo "@"] host [":" port]
    // iuserinfo = enc-user [iauth] / [enc-user] iauth ; iauth = ";AUTH=" ( "*" / enc-auth-type )
    static func server(_ authority: ArraySlice<UInt8>) throws(IMAPURLError) -> IMAPURL.Server {
        var hostPart = authority
        var server = IMAPURL.Server(host: "")
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            var userinfo = authority[authority.startIndex..<at]
            hostPart = authority[(at + 1)...]
            if let auth = find(Array(";AUTH=".utf8), in: userinfo) {
                let type = userinfo[(auth + 6)...]
                guard !type.isEmpty else { throw .badServer }
                server.authType = type.elementsEqual("*".utf8) ? "*" : String(decoding: try percentDecoded(type), as: UTF8.self)
                userinfo = userinfo[userinfo.startIndex..<auth]
            }
            if !userinfo.isEmpty {
                guard userinfo.allSatisfy({ isAChar($0) || $0 == UInt8(ascii: "%") }) else { throw .badServer }
                guard let user = String(validating: try percentDecoded(userinfo), as: UTF8.self) else { throw .badServer }
                server.user = user
            }
            guard server.user != nil || server.authType != nil else { throw .badServer }
        }
        // host = IP-literal / IPv4address / reg-name ; port = *DIGIT
        var portPart: ArraySlice<UInt8> = []
        if hostPart.first == UInt8(ascii: "[") {
            guard let close = hostPart.firstIndex(of: UInt8(ascii: "]")) else { throw .badServer }
            server.host = String(decoding: hostPart[hostPart.startIndex...close], as: UTF8.self)
            portPart = hostPart[(close + 1)...]
        } else {
            let colon = hostPart.firstIndex(of: UInt8(ascii: ":")) ?? hostPart.endIndex
            let host = hostPart[hostPart.startIndex..<colon]
            guard host.allSatisfy({ IMAPGrammar.isAlpha($0) || IMAPGrammar.isDigit($0) || $0 == UInt8(ascii: "-")
                                    || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") }) else { throw .badServer }
            server.host = String(decoding: host, as: UTF8.self)
            portPart = hostPart[colon...]
        }
        guard !server.host.isEmpty else { throw .badServer }
        if !portPart.isEmpty {
            guard portPart.first == UInt8(ascii: ":") else { throw .badServer }
            let digits = portPart.dropFirst()
            if !digits.isEmpty {
                guard digits.count <= 5, digits.allSatisfy(IMAPGrammar.isDigit),
                      let port = UInt16(String(decoding: digits, as: UTF8.self)) else { throw .badServer }
                server.port = port
            }
        }
        return server
    }

    // nz-number = digit-nz *DIGIT
    static func nzNumber(_ value: ArraySlice<UInt8>, _ name: String) throws(IMAPURLError) -> UInt32 {
        guard !value.isEmpty, value.count <= 10, value.allSatisfy(IMAPGrammar.isDigit), value.first != UInt8(ascii: "0"),
              let number = UInt32(String(decoding: value, as: UTF8.self)) else { throw .badNumber(name) }
        return number
    }

    // enc-section = 1*bchar, decoded: section-spec (RFC 3501 §9), read by the command grammar.
    static func section(_ text: [UInt8]) throws(IMAPURLError) -> SectionSpecifier {
        guard !text.isEmpty else { throw .badSection }
        var buffer = IMAPParseBuffer([IMAPGrammar.openBracket] + text + [IMAPGrammar.closeBracket], limits: .default)
        do {
            let spec = try IMAPCommandParser.section(&buffer)
            guard buffer.isAtEnd else { throw IMAPURLError.badSection }
            return spec
        } catch {
            throw .badSection
        }
    }

    // partial-range = number ["." nz-number]
    static func partial(_ value: ArraySlice<UInt8>) throws(IMAPURLError) -> IMAPURL.PartialRange {
        let dot = value.firstIndex(of: UInt8(ascii: ".")) ?? value.endIndex
        let origin = value[value.startIndex..<dot]
        guard !origin.isEmpty, origin.count <= 10, origin.allSatisfy(IMAPGrammar.isDigit),
              let start = UInt32(String(decoding: origin, as: UTF8.self)) else { throw .badPartial }
        guard dot < value.endIndex else { return IMAPURL.PartialRange(origin: start) }
        guard let length = try? nzNumber(value[(dot + 1)...], "PARTIAL") else { throw .badPartial }
        return IMAPURL.PartialRange(origin: start, length: length)
    }

    // date-time = full-date "T" full-time (RFC 3339 §5.6); full-time = partial-time time-offset;
    // partial-time = time-hour ":" time-minute ":" time-second [time-secfrac];
    // time-offset = "Z" / time-numoffset ; time-numoffset = ("+" / "-") time-hour ":" time-minute
    static func dateTime(_ value: ArraySlice<UInt8>) throws(IMAPURLError) -> Int64 {
        let v = Array(value)
        func digits(_ at: Int, _ count: Int) throws(IMAPURLError) -> Int {
            guard at + count <= v.count, v[at..<(at + count)].allSatisfy(IMAPGrammar.isDigit) else { throw .badExpire }
            return v[at..<(at + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func expect(_ at: Int, _ char: Unicode.Scalar) throws(IMAPURLError) {
            guard at < v.count, IMAPGrammar.upper(v[at]) == UInt8(ascii: char) else { throw .badExpire }
        }
        let year = try digits(0, 4)
        try expect(4, "-")
        let month = try digits(5, 2)
        try expect(7, "-")
        let day = try digits(8, 2)
        try expect(10, "T")
        let hour = try digits(11, 2)
        try expect(13, ":")
        let minute = try digits(14, 2)
        try expect(16, ":")
        let second = try digits(17, 2)
        var at = 19
        if at < v.count, v[at] == UInt8(ascii: ".") {
            at += 1
            let start = at
            while at < v.count, IMAPGrammar.isDigit(v[at]) { at += 1 }
            guard at > start else { throw .badExpire }
        }
        var offset = 0
        guard at < v.count else { throw .badExpire }
        if IMAPGrammar.upper(v[at]) == UInt8(ascii: "Z") {
            at += 1
        } else if v[at] == UInt8(ascii: "+") || v[at] == UInt8(ascii: "-") {
            let sign = v[at] == UInt8(ascii: "-") ? -1 : 1
            let hours = try digits(at + 1, 2)
            try expect(at + 3, ":")
            let minutes = try digits(at + 4, 2)
            guard hours <= 23, minutes <= 59 else { throw .badExpire }
            offset = sign * (hours * 60 + minutes)
            at += 6
        } else {
            throw .badExpire
        }
        guard at == v.count, let date = IMAPDate(year: year, month: month, day: day),
              let time = IMAPDateTime(date: date, hour: hour, minute: minute, second: second, zoneMinutes: offset) else {
            throw .badExpire
        }
        return time.secondsSince1970
    }

    // access = ("submit+" enc-user) / ("user+" enc-user) / "authuser" / "anonymous"
    // iua-verifier = ":" uauth-mechanism ":" enc-urlauth
    static func urlauth(_ value: ArraySlice<UInt8>) throws(IMAPURLError) -> (URLAuthAccess, IMAPURL.Verifier?) {
        var accessText = value
        var verifier: IMAPURL.Verifier?
        if let rump = IMAPURL.rump(of: Array(value)) {
            let tail = value.dropFirst(rump.count + 1)   // mechanism ":" token
            guard let colon = tail.firstIndex(of: UInt8(ascii: ":")) else { throw .badVerifier }
            verifier = IMAPURL.Verifier(mechanism: IMAPGrammar.upperString(tail[tail.startIndex..<colon]),
                                        token: String(decoding: tail[(colon + 1)...], as: UTF8.self).lowercased())
            accessText = value.prefix(rump.count)
        }
        let lower = String(decoding: accessText, as: UTF8.self).lowercased()
        func user(_ prefix: String) throws(IMAPURLError) -> String {
            let raw = accessText.dropFirst(prefix.utf8.count)
            guard !raw.isEmpty, raw.allSatisfy({ isAChar($0) || $0 == UInt8(ascii: "%") }),
                  let name = String(validating: try percentDecoded(raw), as: UTF8.self) else { throw .badAccess }
            return name
        }
        let access: URLAuthAccess
        if lower == "anonymous" {
            access = .anonymous
        } else if lower == "authuser" {
            access = .authUser
        } else if lower.hasPrefix("user+") {
            access = .user(try user("user+"))
        } else if lower.hasPrefix("submit+") {
            access = .submit(try user("submit+"))
        } else {
            throw .badAccess
        }
        return (access, verifier)
    }

    // MARK: Characters

    /// pct-encoded = "%" HEXDIG HEXDIG, decoded; any other octet as it is.
    static func percentDecoded(_ text: ArraySlice<UInt8>) throws(IMAPURLError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == UInt8(ascii: "%") {
                guard i + 2 < text.endIndex, let high = hexValue(text[i + 1]), let low = hexValue(text[i + 2]) else {
                    throw .badPercentEncoding
                }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    static func hexValue(_ octet: UInt8) -> UInt8? {
        switch octet {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): octet - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): octet - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): octet - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static func isHexDigit(_ octet: UInt8) -> Bool { hexValue(octet) != nil }

    // uauth-mechanism = "INTERNAL" / 1*(ALPHA / DIGIT / "-" / ".")
    static func isMechanismChar(_ octet: UInt8) -> Bool {
        IMAPGrammar.isAlpha(octet) || IMAPGrammar.isDigit(octet) || octet == UInt8(ascii: "-") || octet == UInt8(ascii: ".")
    }

    // achar = uchar / "&" / "=" / "~" ; uchar = unreserved / pct-encoded / sub-delims-sh / ":" / "@"
    // unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" ; sub-delims-sh = "!" / "$" / "'" / "(" / ")" / "*" / "+" / ","
    static func isAChar(_ octet: UInt8) -> Bool {
        if IMAPGrammar.isAlpha(octet) || IMAPGrammar.isDigit(octet) { return true }
        switch octet {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
             UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
             UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "&"),
             UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// The first position of `needle` in `haystack`, ignoring the case of letters.
    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if zip(haystack[i..<(i + needle.count)], needle).allSatisfy({ IMAPGrammar.upper($0) == IMAPGrammar.upper($1) }) {
                return i
            }
            i += 1
        }
        return nil
    }

    /// A parameter name for an error: up to "=" or 32 octets, upper-cased.
    static func parameterName(_ text: ArraySlice<UInt8>) -> String {
        String(IMAPGrammar.upperString(text.prefix { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: ";") }).prefix(32))
    }
}
