// SCRAM-SHA-256 (RFC 5802, RFC 7677) as event → step scripts: the RFC 7677 §3 exchange byte
// for byte, further exchanges computed with Python's hashlib/hmac (authzid, "y" flag, escaped
// user names, UTF-8 password), malformed messages, and the unknown-user path.

import MailroomCore
import Testing
@testable import MailroomSASL

@Suite("SCRAM-SHA-256 server")
struct SCRAMSHA256ServerTests {
    let credentials = SASLCredentials(scram: Vectors.pencil)

    func rfcExchange(initialResponse: Bool = true) -> SASLServerExchange {
        exchange(.scramSHA256, nonce: Vectors.rfc7677ServerNonce,
                 initialResponse: initialResponse ? bytes(Vectors.rfc7677ClientFirst) : nil)
    }

    @Test("RFC 7677 §3: the server sends exactly the RFC's server-first and server-final messages")
    func rfc7677() {
        var e = rfcExchange()
        run(&e, [
            (.start, .lookupCredentials(username: "user")),
            (.credentialsFound(credentials), .challenge(Vectors.rfc7677ServerFirst)),
            (.receive(Vectors.rfc7677ClientFinal), .challenge(Vectors.rfc7677ServerFinal)),
            (.receive([]), .success(username: "user")),
        ])
        #expect(e.isFinished)
        run(&e, [(.receive([]), nil)])   // over: further calls fail
    }

    @Test("without an initial response the server first sends an empty challenge (RFC 4422 §3.3)")
    func noInitialResponse() {
        var e = rfcExchange(initialResponse: false)
        run(&e, [
            (.start, .challenge([])),
            (.receive(Vectors.rfc7677ClientFirst), .lookupCredentials(username: "user")),
            (.credentialsFound(credentials), .challenge(Vectors.rfc7677ServerFirst)),
            (.receive(Vectors.rfc7677ClientFinal), .challenge(Vectors.rfc7677ServerFinal)),
            (.receive([]), .success(username: "user")),
        ])
    }

    @Test("the verifier derived from \"pencil\" is the one Python computes")
    func derivedVerifier() {
        #expect(SCRAMVerifier(password: "pencil", iterations: 4096, salt: base64(Vectors.rfc7677Salt)) == Vectors.pencil)
    }

    @Test("\"y\" flag with an authzid equal to the user (Python vector)")
    func authzidAndYFlag() {
        var e = exchange(.scramSHA256, nonce: "3rfcNHYJY1ZVvWVs7j",
                         initialResponse: bytes("y,a=user,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
        run(&e, [
            (.start, .lookupCredentials(username: "user")),
            (.credentialsFound(credentials),
             .challenge("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")),
            (.receive("c=eSxhPXVzZXIs,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=t5HGNdoQHx87c+6SC+Qthgz1NbG58J0Xk8Dy0gxUiI8="),
             .challenge("v=aIuvQ9wiW0vMfZhPW/UDKm3xAU6zlNJCQ5RuovhEImI=")),
            (.receive([]), .success(username: "user")),
        ])
    }

    @Test("a user name with \",\" and \"=\" (=2C, =3D) and a UTF-8 password (Python vector)")
    func escapedName() {
        let verifier = SCRAMVerifier(iterations: 4096, salt: Array(0..<16),
                                     storedKey: base64("HV4TtNKIt8oOQWZCIedFYDVMOGn3/uurWVfN15VjjP4="),
                                     serverKey: base64("bGoGbn5l5XEF6vc5q836UvsaNZ/n1s4zNZ+A5nNQQv8="))
        #expect(SCRAMVerifier(password: "pässwörd", iterations: 4096, salt: Array(0..<16)) == verifier)
        var e = exchange(.scramSHA256, nonce: "serverNONCE", initialResponse: bytes("n,,n=jo=2Ce=3Dx,r=clientNONCE"))
        run(&e, [
            (.start, .lookupCredentials(username: "jo,e=x")),
            (.credentialsFound(SASLCredentials(scram: verifier)),
             .challenge("r=clientNONCEserverNONCE,s=AAECAwQFBgcICQoLDA0ODw==,i=4096")),
            (.receive("c=biws,r=clientNONCEserverNONCE,p=XASFHyAsNDelAxd0AdTYTNNhgj/H58Sdq5Uh2IhhgEk="),
             .challenge("v=I8AIKxOa1UmedkPCd7n63OmRN7ROIgOD50ixSMnTDsA=")),
            (.receive([]), .success(username: "jo,e=x")),
        ])
    }

    @Test("bad gs2 headers and client-first messages are malformed", arguments: [
        "p=tls-unique,,n=user,r=abc",          // channel binding: not supported
        "p=tls-server-end-point,,n=user,r=abc",
        "x,,n=user,r=abc",
        "n",
        "n,",
        "",
        "N,,n=user,r=abc",
        "n,b=user,n=user,r=abc",               // not an authzid
        "n,a=,n=user,r=abc",                   // empty authzid
        "n,,m=ext,n=user,r=abc",               // mandatory extension (RFC 5802 §5.1: MUST fail)
        "n,,r=abc,n=user",
        "n,,n=user",
        "n,,n=user,r=",
        "n,,n=,r=abc",
        "n,,n=us=2Xer,r=abc",                  // "=" not followed by 2C or 3D
        "n,,n=user=,r=abc",
        "n,,n=user,r=ab c,",                   // empty extension
        "n,,n=user,r=abc,1=x",                 // extension name not ALPHA
        "n,,n=user,r=abc,x=",
        "F,n,,n=user,r=abc",                   // GS2 non-standard flag
    ])
    func malformedClientFirst(_ message: String) {
        var e = exchange(.scramSHA256, initialResponse: bytes(message))
        run(&e, [(.start, nil), (.credentialsFound(credentials), nil)])
    }

    @Test("extensions after the nonce are accepted and ignored")
    func extensionsIgnored() {
        var e = exchange(.scramSHA256, initialResponse: bytes("n,,n=user,r=abc,x=1,y=two=2"))
        run(&e, [(.start, .lookupCredentials(username: "user"))])
    }

    @Test("user names that are not UTF-8 or hold NUL are malformed")
    func nonUTF8() {
        for name: [UInt8] in [[0xff], [0xc3, 0x28], [0x61, 0x00, 0x62], [0xed, 0xa0, 0x80]] {
            var e = exchange(.scramSHA256, initialResponse: bytes("n,,n=") + name + bytes(",r=abc"))
            run(&e, [(.start, nil)])
        }
    }

    @Test("an authzid other than the user is authorizationDenied")
    func otherAuthzid() {
        var e = exchange(.scramSHA256, initialResponse: bytes("n,a=admin,n=user,r=abc"))
        run(&e, [(.start, .failure(.authorizationDenied)), (.credentialsFound(credentials), nil)])
    }

    func atClientFinal() -> SASLServerExchange {
        var e = rfcExchange()
        run(&e, [(.start, .lookupCredentials(username: "user")),
                 (.credentialsFound(credentials), .challenge(Vectors.rfc7677ServerFirst))])
        return e
    }

    @Test("client-final: wrong nonce, wrong channel binding, bad syntax are malformed", arguments: [
        "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",               // client nonce only
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", // "y,,"
        "c=cD10bHMtdW5pcXVlLCw=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",                                 // no proof
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",  // no c=
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ",   // not base64
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7A=",  // 31 octets
        "c=bi ws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "",
    ])
    func malformedClientFinal(_ message: String) {
        var e = atClientFinal()
        run(&e, [(.receive(message), nil), (.receive([]), nil)])
    }

    @Test("a wrong proof is invalidCredentials, and ends the exchange")
    func badProof() {
        var proof = base64("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        proof[31] ^= 1
        var e = atClientFinal()
        run(&e, [
            (.receive("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=\(Base64.encode(proof))"),
             .failure(.invalidCredentials)),
            (.receive(Vectors.rfc7677ClientFinal), nil),
        ])
        // A real client with the wrong password ("pencil2"; proof computed with Python).
        var other = atClientFinal()
        run(&other, [(.receive("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=NDu1FvIy2eqwDWhqeNrdZvjpfb1nAcKsYuZLmSsKkIs="),
                      .failure(.invalidCredentials))])
    }

    @Test("after the server-final message only an empty response succeeds")
    func nonEmptyAcknowledgement() {
        var e = atClientFinal()
        run(&e, [(.receive(Vectors.rfc7677ClientFinal), .challenge(Vectors.rfc7677ServerFinal)),
                 (.receive("v=x"), nil),
                 (.receive([]), nil)])
    }

    @Test("a user without a SCRAM secret is mechanismUnavailable")
    func noSecret() {
        var e = rfcExchange()
        run(&e, [(.start, .lookupCredentials(username: "user")),
                 (.credentialsFound(SASLCredentials(cramMD5: CRAMMD5Secret(password: "pencil"))), .failure(.mechanismUnavailable))])
    }

    @Test("unknown user: a stable fake salt, the usual iteration count, failure only after the proof")
    func unknownUser() throws {
        func serverFirst(_ user: String, nonce: String = "SN", iterations: Int = SCRAMVerifier.defaultIterations) -> [UInt8]? {
            var e = SASLServerExchange(mechanism: .scramSHA256, serverName: "mail.example", nonce: nonce,
                                       initialResponse: bytes("n,,n=\(user),r=CN"), unknownUserIterations: iterations)
            guard e.start() == .lookupCredentials(username: user), case .challenge(let first) = e.credentialsFound(nil) else {
                return nil
            }
            return first
        }
        let first = try #require(serverFirst("ghost"))
        let parsed = try SCRAMServerFirstMessage(parsing: first)
        #expect(parsed.nonce == "CNSN" && parsed.iterations == 4096 && parsed.salt.count == SCRAMVerifier.saltLength)
        #expect(serverFirst("ghost") == first)                       // stable for the name
        #expect(serverFirst("ghost2") != first)                      // differs between names
        let tuned = try SCRAMServerFirstMessage(parsing: try #require(serverFirst("ghost", iterations: 10000)))
        #expect(tuned.iterations == 10000 && tuned.salt == parsed.salt)

        // A well-formed final message with any proof: invalidCredentials, as for a wrong password.
        var e = exchange(.scramSHA256, nonce: "SN", initialResponse: bytes("n,,n=ghost,r=CN"))
        run(&e, [
            (.start, .lookupCredentials(username: "ghost")),
            (.credentialsFound(nil), .challenge(first)),
            (.receive("c=biws,r=CNSN,p=\(Base64.encode([UInt8](repeating: 7, count: 32)))"), .failure(.invalidCredentials)),
        ])
        // Syntax errors are still reported as such (they do not depend on the account).
        var f = exchange(.scramSHA256, nonce: "SN", initialResponse: bytes("n,,n=ghost,r=CN"))
        run(&f, [(.start, .lookupCredentials(username: "ghost")), (.credentialsFound(nil), .challenge(first)),
                 (.receive("c=biws,r=CN,p=\(Base64.encode([UInt8](repeating: 7, count: 32)))"), nil)])
    }

    @Test("a server nonce that is not printable-without-comma is refused at start")
    func badServerNonce() {
        for nonce in ["", "a,b", "a b", "é"] {
            var e = exchange(.scramSHA256, nonce: nonce, initialResponse: bytes(Vectors.rfc7677ClientFirst))
            run(&e, [(.start, nil)])
        }
    }

    @Test("test-only initializer: an exchange waiting for the final acknowledgement")
    func testOnlyState() {
        var e = SASLServerExchange(mechanism: .scramSHA256, nonce: "N",
                                   state: .scramSHA256(SCRAMSHA256Server(
                                       serverNonce: "N", limits: SASLLimits(), unknownUserIterations: 4096,
                                       state: .waitingForAcknowledgement(username: "user"))))
        run(&e, [(.receive([]), .success(username: "user"))])
    }

    @Test("events a SCRAM exchange does not expect end it")
    func unexpectedEvents() {
        var e = rfcExchange()
        run(&e, [(.start, .lookupCredentials(username: "user")), (.passwordVerified(true), nil),
                 (.credentialsFound(credentials), nil)])
        var f = rfcExchange()
        run(&f, [(.start, .lookupCredentials(username: "user")), (.receive(Vectors.rfc7677ClientFinal), nil)])
    }
}
