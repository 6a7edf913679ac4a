// CRAM-MD5 (RFC 2195) as event → step scripts: the RFC's example exchange from a secret in
// Dovecot's stored format, a UTF-8 password vector computed with Python's hmac, and every way
// the response can be malformed.

import Testing
@testable import MailroomSASL

@Suite("CRAM-MD5 server")
struct CRAMMD5ServerTests {
    let tim = SASLCredentials(cramMD5: CRAMMD5Secret(hex: Vectors.timSecret)!)

    func rfcExchange() -> SASLServerExchange {
        exchange(.cramMD5, nonce: "1896.697170952", serverName: "postoffice.reston.mci.net")
    }

    @Test("RFC 2195 §2: tim / tanstaaftanstaaf")
    func rfc2195() {
        var e = rfcExchange()
        run(&e, [
            (.start, .challenge(Vectors.rfc2195Challenge)),
            (.receive(Vectors.rfc2195Response), .lookupCredentials(username: "tim")),
            (.credentialsFound(tim), .success(username: "tim")),
            (.receive(Vectors.rfc2195Response), nil),
        ])
    }

    @Test("the digest may be sent in upper case")
    func upperCaseDigest() {
        var e = rfcExchange()
        run(&e, [(.start, .challenge(Vectors.rfc2195Challenge)),
                 (.receive("tim B913A602C7EDA7A495B4E6E7334D3890"), .lookupCredentials(username: "tim")),
                 (.credentialsFound(tim), .success(username: "tim"))])
    }

    @Test("a UTF-8 password and a base64-style nonce (Python hmac vector)")
    func utf8Password() {
        var e = exchange(.cramMD5, nonce: "abcDEF+/=", serverName: "mail.example")
        run(&e, [
            (.start, .challenge("<abcDEF+/=@mail.example>")),
            (.receive("alice@example.com db247fbd77866242f8d802623fc359a7"), .lookupCredentials(username: "alice@example.com")),
            (.credentialsFound(SASLCredentials(cramMD5: CRAMMD5Secret(password: "pässwörd"))), .success(username: "alice@example.com")),
        ])
    }

    @Test("a user name with spaces: the digest follows the last space")
    func spaceInName() {
        var e = exchange(.cramMD5, nonce: "abcDEF+/=", serverName: "mail.example")
        run(&e, [(.start, .challenge("<abcDEF+/=@mail.example>")),
                 (.receive("Alice Smith db247fbd77866242f8d802623fc359a7"), .lookupCredentials(username: "Alice Smith"))])
    }

    @Test("wrong digest, unknown user, no stored secret")
    func failures() {
        var wrong = rfcExchange()
        run(&wrong, [(.start, .challenge(Vectors.rfc2195Challenge)),
                     (.receive("tim b913a602c7eda7a495b4e6e7334d3891"), .lookupCredentials(username: "tim")),
                     (.credentialsFound(tim), .failure(.invalidCredentials))])
        var unknown = rfcExchange()
        run(&unknown, [(.start, .challenge(Vectors.rfc2195Challenge)),
                       (.receive(Vectors.rfc2195Response), .lookupCredentials(username: "tim")),
                       (.credentialsFound(nil), .failure(.invalidCredentials))])
        var noSecret = rfcExchange()
        run(&noSecret, [(.start, .challenge(Vectors.rfc2195Challenge)),
                        (.receive(Vectors.rfc2195Response), .lookupCredentials(username: "tim")),
                        (.credentialsFound(SASLCredentials(scram: Vectors.pencil)), .failure(.mechanismUnavailable))])
    }

    @Test("an initial response, even an empty one, is malformed (server-first mechanism)")
    func initialResponse() {
        for response in [bytes(Vectors.rfc2195Response), []] {
            var e = exchange(.cramMD5, initialResponse: response)
            run(&e, [(.start, nil), (.receive(Vectors.rfc2195Response), nil)])
        }
    }

    @Test("malformed responses", arguments: [
        "tim",
        "timb913a602c7eda7a495b4e6e7334d3890",
        " b913a602c7eda7a495b4e6e7334d3890",
        "tim b913a602c7eda7a495b4e6e7334d389",
        "tim b913a602c7eda7a495b4e6e7334d38900",
        "tim b913a602c7eda7a495b4e6e7334d389g",
        "tim b913a602c7eda7a495b4e6e7334d3890 ",
        "",
    ])
    func malformed(_ response: String) {
        var e = rfcExchange()
        run(&e, [(.start, .challenge(Vectors.rfc2195Challenge)), (.receive(response), nil), (.credentialsFound(tim), nil)])
    }

    @Test("user names that are not UTF-8, hold NUL, or are too long are malformed")
    func badNames() {
        let digest = bytes(" b913a602c7eda7a495b4e6e7334d3890")
        for name: [UInt8] in [[0xff], [0x74, 0x00, 0x6d], [UInt8](repeating: 0x61, count: SASLLimits.defaultFieldBytes + 1)] {
            var e = rfcExchange()
            run(&e, [(.start, .challenge(Vectors.rfc2195Challenge)), (.receive(name + digest), nil)])
        }
    }

    @Test("the challenge is a msg-id: a nonce that is not a dot-atom is hex-encoded")
    func challengeForm() {
        #expect(CRAMMD5Challenge(nonce: "a b", serverName: "mx.example").text == "<612062@mx.example>")
        #expect(CRAMMD5Challenge(nonce: "1.2", serverName: "mx.example").text == "<1.2@mx.example>")
        #expect(CRAMMD5Challenge(nonce: ".12", serverName: "mx.example").text == "<2e3132@mx.example>")
        #expect(CRAMMD5Challenge(nonce: "<x>", serverName: "mx.example").text == "<3c783e@mx.example>")
        let fresh = SASLNonce.make()
        #expect(CRAMMD5Challenge(nonce: fresh, serverName: "mx.example").text == "<\(fresh)@mx.example>")
    }
}
