// IMAPURL — an IMAP URL naming a message or a part of one, as CATENATE (RFC 4469) and URLAUTH
// (RFC 4467) carry them, and its encoder. The parser is Parser/IMAPURLParser.swift.
//
// Standards: RFC 5092 (IMAP URL scheme, which obsoletes RFC 2192):
//   imapurl = "imap://" iserver ipath-query
//   iserver = [iuserinfo "@"] host [":" port]
//   iuserinfo = enc-user [iauth] / [enc-user] iauth
//   iauth = ";AUTH=" ( "*" / enc-auth-type )
//   ipath-query = ["/" [ icommand / imessagelist / imessagepart [iurlauth] ]]
//   imessagepart = imailbox-ref iuid [isection] [ipartial]
//   imailbox-ref = enc-mailbox [uidvalidity]
//   uidvalidity = ";UIDVALIDITY=" nz-number
//   iuid = "/" ";UID=" nz-number
//   isection = "/" ";SECTION=" enc-section
//   ipartial = "/" ";PARTIAL=" partial-range       ; partial-range = number ["." nz-number]
//   iurlauth = iurlauth-rump iua-verifier
//   iurlauth-rump = [expire] ";URLAUTH=" access
//   expire = ";EXPIRE=" date-time                  ; RFC 3339
//   iua-verifier = ":" uauth-mechanism ":" enc-urlauth   ; enc-urlauth = 32*HEXDIG
//   access = ("submit+" enc-user) / ("user+" enc-user) / "authuser" / "anonymous"
// and RFC 5092 §7.2's relative form as CATENATE uses it: an absolute path
// ("/INBOX;UIDVALIDITY=385759045/;UID=20/;SECTION=1.2") is resolved against the session's own
// server and user. Mailbox names in a URL are UTF-8, percent-encoded (RFC 5092 §3.2; the
// modified UTF-7 of RFC 2192 is still understood when decoding them, see MailboxPath).
// Keywords (UID, SECTION, …) and the section text are case-insensitive.
//
// Not supported (the parser refuses them with a specific IMAPURLError): search URLs ("?…"),
// mailbox-list URLs (";TYPE="), and relative forms other than an absolute path.
//
// The encoder writes the canonical form: upper-case keywords, every octet outside RFC 5092's
// achar set percent-encoded (so "/" in a mailbox name is %2F), the section as
// SectionSpecifier writes it, EXPIRE in UTC ("2026-05-01T12:00:00Z"). A parsed URL encodes to
// a URL that parses back to the same value; the text itself may differ from what the client
// sent, which is why URLAUTH tokens are computed over the client's own octets (IMAPURL.rump).
//
// Security: every field is decoded strictly (bad percent-encoding, 8-bit octets, control
// characters and numbers out of range are errors, never guessed at); the URL's length is
// bounded by IMAPURL.maximumLength before anything is decoded.

/// An IMAP URL (RFC 5092) that names a server, a mailbox, or a message or part in one.
public struct IMAPURL: Hashable, Sendable, CustomStringConvertible {
    /// The server part ("imap://user;AUTH=*@host:143").
    public struct Server: Hashable, Sendable {
        /// The user (percent-decoded), nil when absent.
        public var user: String?
        /// The ";AUTH=" value ("*" or a SASL mechanism name), nil when absent.
        public var authType: String?
        /// The host as written (a name, an IPv4 address, or an IPv6 literal with its brackets).
        public var host: String
        public var port: UInt16?

        public init(user: String? = nil, authType: String? = nil, host: String, port: UInt16? = nil) {
            self.user = user
            self.authType = authType
            self.host = host
            self.port = port
        }
    }

    /// "/;PARTIAL=origin[.length]": octets of the section; without a length, to its end.
    public struct PartialRange: Hashable, Sendable {
        public var origin: UInt32
        public var length: UInt32?

        public init(origin: UInt32, length: UInt32? = nil) {
            self.origin = origin
            self.length = length
        }
    }

    /// ":" uauth-mechanism ":" enc-urlauth (RFC 4467 §3).
    public struct Verifier: Hashable, Sendable {
        /// The mechanism, upper-cased ("INTERNAL").
        public var mechanism: String
        /// The token's hex digits, lower-cased.
        public var token: String

        public init(mechanism: String, token: String) {
            self.mechanism = mechanism
            self.token = token
        }
    }

    /// nil for a relative URL ("/mailbox/;UID=1"): the session's own server and user.
    public var server: Server?
    /// The mailbox name, percent-decoded (UTF-8); empty for a URL naming only a server.
    public var mailbox: [UInt8]
    public var uidValidity: UInt32?
    public var uid: UInt32?
    /// The part of the message (nil: all of it), as BODY[...] would name it.
    public var section: SectionSpecifier?
    public var partial: PartialRange?
    /// ";EXPIRE=": when the URLAUTH authorization ends, seconds since 1970 (RFC 4467 §3).
    public var expire: Int64?
    /// ";URLAUTH=" access identifier (RFC 4467 §3), nil without URLAUTH.
    public var access: URLAuthAccess?
    /// The verifier of an authorized URL; nil for a URLAUTH-ready URL (a rump) or none.
    public var verifier: Verifier?

    /// URLs longer than this are refused before they are decoded. RFC 5092 sets no bound;
    /// 8 KiB is 8 times the longest mailbox name Maildir++ can store, percent-encoded.
    public static let maximumLength = 8192

    public init(server: Server? = nil, mailbox: [UInt8], uidValidity: UInt32? = nil, uid: UInt32? = nil,
                section: SectionSpecifier? = nil, partial: PartialRange? = nil, expire: Int64? = nil,
                access: URLAuthAccess? = nil, verifier: Verifier? = nil) {
        self.server = server
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.uid = uid
        self.section = section
        self.partial = partial
        self.expire = expire
        self.access = access
        self.verifier = verifier
    }

    /// Whether it names a message or a part of one (what CATENATE and URLAUTH accept; RFC
    /// 4467 §3: URLAUTH "MUST NOT be used with" server, mailbox or search URLs).
    public var namesMessage: Bool { uid != nil }

    /// The canonical text (see the header).
    public var description: String { String(decoding: encoded(), as: UTF8.self) }

    /// The canonical octets.
    public func encoded() -> [UInt8] {
        var buffer = IMAPEncodeBuffer()
        write(to: &buffer)
        return buffer.bytes
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        if let server {
            buffer.write("imap://")
            if let user = server.user { buffer.writeBytes(Self.percentEncoded(Array(user.utf8))) }
            if let auth = server.authType {
                buffer.write(";AUTH=")
                buffer.writeBytes(auth == "*" ? Array("*".utf8) : Self.percentEncoded(Array(auth.utf8)))
            }
            if server.user != nil || server.authType != nil { buffer.write("@") }
            buffer.write(server.host)
            if let port = server.port { buffer.write(":\(port)") }
        }
        buffer.write("/")
        buffer.writeBytes(Self.percentEncoded(mailbox))
        if let uidValidity { buffer.write(";UIDVALIDITY=\(uidValidity)") }
        if let uid { buffer.write("/;UID=\(uid)") }
        if let section {
            buffer.write("/;SECTION=")
            let text = Array(section.description.utf8.dropFirst().dropLast())   // without "[" "]"
            buffer.writeBytes(Self.percentEncoded(text))
        }
        if let partial {
            buffer.write("/;PARTIAL=\(partial.origin)")
            if let length = partial.length { buffer.write(".\(length)") }
        }
        if let expire { buffer.write(";EXPIRE=" + Self.dateTime(expire)) }
        if let access {
            buffer.write(";URLAUTH=")
            access.write(to: &buffer)
        }
        if let verifier { buffer.write(":" + verifier.mechanism.lowercased() + ":" + verifier.token) }
    }

    /// The octets of an authorized URL that its token covers: everything before ":" mechanism
    /// ":" token (RFC 4467 §5: the "rump" of the URL, as the client sent it). nil when `url`
    /// does not end in a verifier.
    public static func rump(of url: [UInt8]) -> ArraySlice<UInt8>? {
        guard let last = url.lastIndex(of: UInt8(ascii: ":")), last > 0,
              let previous = url[..<last].lastIndex(of: UInt8(ascii: ":")),
              url[(last + 1)...].count >= URLAuthToken.minimumHexDigits,
              url[(last + 1)...].allSatisfy(IMAPURLParser.isHexDigit),
              previous + 1 < last, url[(previous + 1)..<last].allSatisfy(IMAPURLParser.isMechanismChar) else { return nil }
        return url[..<previous]
    }

    // MARK: Encoding helpers

    /// RFC 5092 achar (unreserved / sub-delims-sh / ":" / "@" / "&" / "=" / "~") and "."
    /// stay; every other octet is percent-encoded.
    static func percentEncoded(_ octets: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(octets.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for octet in octets {
            if IMAPURLParser.isAChar(octet) {
                out.append(octet)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(octet >> 4)], hex[Int(octet & 0x0F)]]
            }
        }
        return out
    }

    /// RFC 3339 date-time in UTC: "2026-05-01T12:00:00Z".
    static func dateTime(_ seconds: Int64) -> String {
        let time = IMAPDateTime(secondsSince1970: seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(repeating: "0", count: max(0, 4 - String(time.date.year).count)) + String(time.date.year)
        return "\(year)-\(two(time.date.month))-\(two(time.date.day))T\(two(time.hour)):\(two(time.minute)):\(two(time.second))Z"
    }
}

/// Who may use a URLAUTH-authorized URL (RFC 4467 §3, RFC 5092 §6.1).
public enum URLAuthAccess: Hashable, Sendable, CustomStringConvertible {
    /// "submit+<user>": a message submission entity acting for that user (BURL, RFC 4468).
    case submit(String)
    /// "user+<user>": sessions logged in as that user.
    case user(String)
    /// "authuser": any logged-in user of this server (Mailroom: of the URL owner's domain).
    case authUser
    /// "anonymous": any session in the authenticated or selected state.
    case anonymous

    public var description: String {
        var buffer = IMAPEncodeBuffer()
        write(to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    public func write(to buffer: inout IMAPEncodeBuffer) {
        switch self {
        case .submit(let user):
            buffer.write("submit+")
            buffer.writeBytes(IMAPURL.percentEncoded(Array(user.utf8)))
        case .user(let user):
            buffer.write("user+")
            buffer.writeBytes(IMAPURL.percentEncoded(Array(user.utf8)))
        case .authUser: buffer.write("authuser")
        case .anonymous: buffer.write("anonymous")
        }
    }
}

/// Why a URL was refused; each case names the rule (RFC 5092) that was broken.
public enum IMAPURLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Longer than IMAPURL.maximumLength.
    case tooLong
    /// Neither "imap://…" nor an absolute path "/…".
    case unsupportedForm
    /// A space, control character or 8-bit octet that should have been percent-encoded.
    case invalidCharacter
    /// "%" not followed by two hex digits.
    case badPercentEncoding
    /// The server part (user, ";AUTH=", host or port) does not fit RFC 5092 iserver.
    case badServer
    /// No mailbox where one is needed (a parameter after an empty path).
    case missingMailbox
    /// A search ("?…") or mailbox-list (";TYPE=") URL.
    case notAMessageURL
    /// A parameter this grammar does not know (the name, upper-cased, at most 32 octets).
    case unknownParameter(String)
    /// A known parameter in the wrong place or without (or with) its "/" separator.
    case misplacedParameter(String)
    /// UIDVALIDITY or UID is not an nz-number.
    case badNumber(String)
    /// ";SECTION=" is not an IMAP section-spec.
    case badSection
    /// ";PARTIAL=" is not number ["." nz-number].
    case badPartial
    /// ";EXPIRE=" is not an RFC 3339 date-time.
    case badExpire
    /// ";URLAUTH=" is not "submit+user", "user+user", "authuser" or "anonymous".
    case badAccess
    /// The verifier after the access identifier is not ":" mechanism ":" 32*HEXDIG.
    case badVerifier

    public var description: String {
        switch self {
        case .tooLong: "URL longer than \(IMAPURL.maximumLength) octets"
        case .unsupportedForm: "not an imap:// URL or an absolute path"
        case .invalidCharacter: "character that must be percent-encoded"
        case .badPercentEncoding: "invalid percent-encoding"
        case .badServer: "invalid server part"
        case .missingMailbox: "missing mailbox name"
        case .notAMessageURL: "search and mailbox-list URLs are not supported"
        case .unknownParameter(let name): "unknown parameter ;\(name)="
        case .misplacedParameter(let name): "misplaced parameter ;\(name)="
        case .badNumber(let name): "invalid number in ;\(name)="
        case .badSection: "invalid ;SECTION="
        case .badPartial: "invalid ;PARTIAL="
        case .badExpire: "invalid ;EXPIRE= (RFC 3339 date-time expected)"
        case .badAccess: "invalid ;URLAUTH= access identifier"
        case .badVerifier: "invalid URLAUTH verifier"
        }
    }
}
