// CRAMMD5Challenge and CRAMMD5Response — the two messages of CRAM-MD5.
//
// Standards: RFC 2195 §2: the challenge is "a presumptively arbitrary string of random digits,
// a timestamp, and the fully-qualified primary host name of the server", in the syntax of an
// RFC 822 msg-id (RFC 5322 §3.6.4: "<" id-left "@" id-right ">", id-left = dot-atom-text);
// the response is "the user name, a space, and a 'digest'", the digest being
// HMAC-MD5(password, challenge) as 32 lowercase hex digits.
//
// Without a clock or a random source here (the machine is pure), the challenge's left part is
// the caller's nonce: used as it is when it is a dot-atom-text (SASLNonce.make() is; a caller
// wanting RFC 2195's "random.timestamp" passes exactly that), hex-encoded otherwise.
//
// Security: the user name is split at the last space (names with spaces stay possible), bounded
// by SASLLimits.fieldBytes, and must be UTF-8 without NUL.

import MailroomCore

struct CRAMMD5Challenge: Sendable, Equatable {
    var text: String

    // msg-id        = [CFWS] "<" id-left "@" id-right ">" [CFWS]
    // id-left       = dot-atom-text / obs-id-left
    // dot-atom-text = 1*atext *("." 1*atext)
    init(nonce: String, serverName: String) {
        let left = Self.isDotAtomText(nonce) ? nonce : Hex.encode(Array(nonce.utf8))
        text = "<\(left)@\(serverName)>"
    }

    var encoded: [UInt8] { Array(text.utf8) }

    // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" /
    //         "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    static func isDotAtomText(_ text: String) -> Bool {
        let atoms = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return !text.isEmpty && atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(isAtext) }
    }
}

struct CRAMMD5Response: Sendable, Equatable {
    /// HMAC-MD5 is 16 octets, sent as 32 hex digits.
    static let digestLength = 16

    var username: String
    var digest: [UInt8]

    init(username: String, digest: [UInt8]) {
        self.username = username
        self.digest = digest
    }

    var encoded: [UInt8] { Array("\(username) \(Hex.encode(digest))".utf8) }

    // response = username SP digest         (RFC 2195 §2, in prose)
    // digest   = 32(DIGIT / %x61-66)        ;; lowercase hex; upper case accepted too
    init(parsing message: [UInt8], limits: SASLLimits = SASLLimits()) throws(SASLFailure) {
        guard let space = message.lastIndex(of: UInt8(ascii: " ")) else {
            throw .malformed("CRAM-MD5: expected \"user digest\"")
        }
        let name = message[..<space]
        guard !name.isEmpty else { throw .malformed("CRAM-MD5: empty user name") }
        guard name.count <= limits.fieldBytes else { throw .malformed("CRAM-MD5: user name too long") }
        guard !name.contains(0), let username = String(validating: Array(name), as: UTF8.self) else {
            throw .malformed("CRAM-MD5: user name is not UTF-8")
        }
        let hex = Array(message[(space + 1)...])
        guard hex.count == 2 * Self.digestLength, let digest = Hex.decode(hex) else {
            throw .malformed("CRAM-MD5: the digest must be 32 hex digits")
        }
        self.username = username
        self.digest = digest
    }
}
